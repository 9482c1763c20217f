/* krr_dense_shard.c — krr's dense solve over the processes of a shard
 * (krr_dense_shard.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "krr_dense_shard.h"
#include "shard.h"
#include "spd_ridge.h"

int krr_dense_shard_active(const tkc_shard *sh)
{
    return sh && sh->size > 1 && sh->type->chol_factor && sh->type->chol_solve;
}

typedef struct fill_ctx {
    const tkc_krr_gram *g;
    size_t q;
    const uint32_t *t;                   /* each string's template          */
    const size_t *cols;                  /* the shared pairs by column      */
    const uint32_t *rows, *keys;
} fill_ctx;

/* The shared pairs (i, j), i > j, of column j with row in [lo, hi). */
static size_t shared_from(const fill_ctx *c, size_t j, size_t lo, size_t *end,
                          size_t hi)
{
    size_t a = c->cols[j], b = c->cols[j + 1];
    while (a < b) {                      /* first row >= lo */
        size_t m = a + (b - a) / 2;
        if (c->rows[m] < lo)
            a = m + 1;
        else
            b = m;
    }
    for (b = a; b < c->cols[j + 1] && c->rows[b] < hi; b++)
        ;
    *end = b;
    return a;
}

/* K̂ block: N_{t_i t_j} off the diagonal, K(x, x) on it, then the pairs
 * that share a symbol (both triangles) from the column index. */
static int fill_block(void *ctx, size_t i0, size_t j0, size_t rows,
                      size_t cols, double *a, size_t lda, tkc_error *err)
{
    (void)err;
    const fill_ctx *c = ctx;
    for (size_t cj = 0; cj < cols; cj++)
        for (size_t ri = 0; ri < rows; ri++) {
            size_t i = i0 + ri, j = j0 + cj;
            a[ri + cj * lda] = i == j ? tkc_krr_gram_self(c->g, c->q, c->t[i])
                                      : tkc_krr_gram_cross(c->g, c->q, c->t[i],
                                                           c->t[j]);
        }
    size_t end;
    for (size_t cj = 0; cj < cols; cj++)          /* lower: (i, j), i > j */
        for (size_t p = shared_from(c, j0 + cj, i0, &end, i0 + rows); p < end;
             p++)
            a[(c->rows[p] - i0) + cj * lda] =
                tkc_krr_gram_key_value(c->g, c->q, c->keys[p]);
    for (size_t ri = 0; ri < rows; ri++)          /* upper: (i, j), i < j */
        for (size_t p = shared_from(c, i0 + ri, j0, &end, j0 + cols); p < end;
             p++)
            a[ri + (c->rows[p] - j0) * lda] =
                tkc_krr_gram_key_value(c->g, c->q, c->keys[p]);
    return TKC_SUCCESS;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* x = A⁻¹y, refined with residuals r = y − (K̂ + λI)x from the pattern
 * values in long double (tkc_krr_gram_residual), as tkc_spd_solve refines
 * with its doubled-precision residuals; berr and ‖r‖₁/‖x‖₁ of the last. */
static int solve_refined(tkc_krr_gram *g, size_t q, tkc_shard *sh, double lam,
                         const double *y, double *x, double *d,
                         long double *r, long double *s,
                         tkc_spd_solve_info *info, double *r1_over_x1,
                         tkc_error *err)
{
    size_t n = tkc_krr_gram_size(g);
    memcpy(x, y, n * sizeof *x);
    int st = sh->type->chol_solve(sh, TKC_SUCCESS, x, err);
    double last = INFINITY;
    for (int step = 0; !st && step <= SPD_REFINE_STEPS; step++) {
        st = tkc_krr_gram_residual(g, q, lam, y, x, r, s, err);
        double rmax = 0, xmax = 0, berr = 0, r1 = 0, x1 = 0;
        for (size_t i = 0; !st && i < n; i++) {
            d[i] = (double)r[i];
            rmax = fmax(rmax, fabs(d[i]));
            r1 += fabs(d[i]);
            x1 += fabs(x[i]);
            xmax = fmax(xmax, fabs(x[i]));
            if (s[i] > 0)
                berr = fmax(berr, fabs(d[i]) / (double)s[i]);
        }
        info->berr = berr;
        *r1_over_x1 = x1 > 0 ? r1 / x1 : 0;
        /* every process decides alike: the same x, the same residual */
        if (st || step == SPD_REFINE_STEPS || rmax == 0 ||
            !(rmax < 0.5 * last) || berr <= 4 * DBL_EPSILON)
            break;
        last = rmax;
        if ((st = sh->type->chol_solve(sh, TKC_SUCCESS, d, err)))
            break;
        double dmax = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] += d[i];
            dmax = fmax(dmax, fabs(d[i]));
        }
        if (dmax <= DBL_EPSILON * xmax)
            last = 0;                      /* converged: one last residual */
    }
    return tkc_shard_agree(sh, st, err);
}

int krr_dense_shard_solve(tkc_krr_gram *g, size_t q, tkc_shard *sh,
                          double lambda, const double *y, double *x,
                          tkc_spd_solve_info *info, tkc_error *err)
{
    memset(info, 0, sizeof *info);
    info->lambda = lambda;
    size_t n = tkc_krr_gram_size(g);
    double *d = malloc(n * sizeof *d);
    long double *r = malloc(n * sizeof *r), *s = malloc(n * sizeof *s);
    int st = d && r && s ? TKC_SUCCESS
                         : tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    if (!st && !tkc_krr_gram_shared_columns(g))
        st = tkc_krr_gram_index_shared(g, err);
    fill_ctx c = {g, q, tkc_krr_gram_template_of(g), NULL, NULL, NULL};
    double dmax = 0;
    if (!st) {
        c.cols = tkc_krr_gram_shared_columns(g);
        c.rows = tkc_krr_gram_shared_rows(g);
        c.keys = tkc_krr_gram_shared_keys(g);
        for (size_t i = 0; i < n; i++)
            dmax = fmax(dmax, fabs(tkc_krr_gram_self(g, q, c.t[i])));
    }
    double floor_ = dmax > 0 ? (double)n * DBL_EPSILON * dmax : 1.0;
    double lam = lambda, anorm = 0, rcond = 0, r1_over_x1 = 0;
    char why[160] = "";
    unsigned attempt = 0;
    for (;; attempt++) {
        long pivot = 0;
        double t0 = seconds_now();
        st = sh->type->chol_factor(sh, st, n, lam, fill_block, &c, &pivot,
                                   &anorm, &rcond, err);
        info->seconds_factor += seconds_now() - t0;
        if (st || (!pivot && rcond >= DBL_EPSILON))
            break;
        if (attempt == 0) {
            if (pivot)
                snprintf(why, sizeof why, "K+lambda*I not positive definite "
                         "at lambda = %g (pivot %ld)", lam, pivot);
            else
                snprintf(why, sizeof why, "rcond = %.3g < machine epsilon at "
                         "lambda = %g", rcond, lam);
        }
        if (attempt == SPD_MAX_ESCALATIONS) {
            st = tkc_fail(err, TKC_ENUMERIC, "spd solve: %s; still failing "
                          "after %d ridge raises (lambda = %g)", why,
                          SPD_MAX_ESCALATIONS, lam);
            break;
        }
        lam = tkc_spd_next_ridge(lam, floor_);
    }
    if (!st)
        st = solve_refined(g, q, sh, lam, y, x, d, r, s, info, &r1_over_x1,
                           err);
    for (size_t i = 0; !st && i < n; i++)
        if (!isfinite(x[i]))
            st = tkc_fail(err, TKC_ENUMERIC, "spd solve: non-finite solution "
                          "at lambda = %g", lam);
    if (!st) {
        info->lambda_used = lam;
        info->escalations = attempt;
        info->rcond = rcond;
        /* ‖x − x̂‖₁ ≤ ‖(K+λI)⁻¹‖₁ ‖r‖₁, ‖(K+λI)⁻¹‖₁ ≈ 1/(rcond·anorm) */
        info->ferr = r1_over_x1 / (rcond * anorm);
        if (attempt)
            tkc_spd_ridge_note(info->note, sizeof info->note, why, lambda, lam,
                               attempt);
    }
    free(d);
    free(r);
    free(s);
    return st;
}
