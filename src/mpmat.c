/* mpmat.c — dense MPFR matrices: LU with partial pivoting, determinant,
 * inverse, one-sided Jacobi singular values.  All rounding is to nearest;
 * the rigorous (directed-rounding) work lives in certify.c. */
#include "mpmat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

tkc_mpmat *tkc_mpmat_alloc(size_t rows, size_t cols, mpfr_prec_t prec,
                           tkc_error *err)
{
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX) {
        tkc_fail(err, TKC_EINPUT, "mpmat: precision %ld bits out of range",
                 (long)prec);
        return NULL;
    }
    if (rows && cols > SIZE_MAX / sizeof(mpfr_t) / rows) {
        tkc_fail(err, TKC_ENOMEM, "mpmat: %zu x %zu matrix too large", rows,
                 cols);
        return NULL;
    }
    size_t count = rows * cols;
    tkc_mpmat *m = malloc(sizeof *m);
    mpfr_t *data = calloc(count > 0 ? count : 1, sizeof(mpfr_t));
    if (!m || !data) {
        free(m);
        free(data);
        tkc_fail(err, TKC_ENOMEM, "mpmat: out of memory for %zu x %zu", rows,
                 cols);
        return NULL;
    }
    m->rows = rows;
    m->cols = cols;
    m->prec = prec;
    m->data = data;
    for (size_t k = 0; k < rows * cols; k++) {
        mpfr_init2(data[k], prec);
        mpfr_set_zero(data[k], 1);
    }
    return m;
}

void tkc_mpmat_free(tkc_mpmat *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < m->rows * m->cols; k++)
        mpfr_clear(m->data[k]);
    free(m->data);
    free(m);
}

int tkc_mpmat_set_d(tkc_mpmat *m, const double *a, size_t lda, tkc_error *err)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            if (!isfinite(a[i * lda + j]))
                return tkc_fail(err, TKC_EINPUT,
                                "mpmat: entry (%zu, %zu) is not finite", i, j);
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            mpfr_set_d(TKC_MPMAT(m, i, j), a[i * lda + j], MPFR_RNDN);
    return TKC_SUCCESS;
}

void tkc_mpmat_get_d(const tkc_mpmat *m, double *a, size_t lda)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            a[i * lda + j] = mpfr_get_d(TKC_MPMAT(m, i, j), MPFR_RNDN);
}

void tkc_mpmat_set_identity(tkc_mpmat *m)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            mpfr_set_ui(TKC_MPMAT(m, i, j), i == j, MPFR_RNDN);
}

int tkc_mpmat_copy(tkc_mpmat *dst, const tkc_mpmat *src, tkc_error *err)
{
    if (dst->rows != src->rows || dst->cols != src->cols)
        return tkc_fail(err, TKC_EINPUT, "mpmat_copy: %zu x %zu into %zu x %zu",
                        src->rows, src->cols, dst->rows, dst->cols);
    for (size_t k = 0; k < src->rows * src->cols; k++)
        mpfr_set(dst->data[k], src->data[k], MPFR_RNDN);
    return TKC_SUCCESS;
}

int tkc_mpmat_mul(tkc_mpmat *c, const tkc_mpmat *a, const tkc_mpmat *b,
                  tkc_error *err)
{
    size_t n = a->cols;
    if (b->rows != n || c->rows != a->rows || c->cols != b->cols)
        return tkc_fail(err, TKC_EINPUT,
                        "mpmat_mul: shapes %zu x %zu · %zu x %zu -> %zu x %zu",
                        a->rows, n, b->rows, b->cols, c->rows, c->cols);
    mpfr_ptr *x = malloc((n ? n : 1) * sizeof *x);
    mpfr_ptr *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return tkc_fail(err, TKC_ENOMEM, "mpmat_mul: out of memory");
    }
    for (size_t i = 0; i < c->rows; i++)
        for (size_t j = 0; j < c->cols; j++) {
            for (size_t k = 0; k < n; k++) {
                x[k] = TKC_MPMAT(a, i, k);
                y[k] = TKC_MPMAT(b, k, j);
            }
            mpfr_dot(TKC_MPMAT(c, i, j), x, y, n, MPFR_RNDN);
        }
    free(x);
    free(y);
    return TKC_SUCCESS;
}

/* r -= x·y with a single rounding (fused; the negation is exact). */
static void sub_mul(mpfr_ptr r, mpfr_srcptr x, mpfr_srcptr y)
{
    mpfr_fms(r, x, y, r, MPFR_RNDN);
    mpfr_neg(r, r, MPFR_RNDN);
}

static void swap_rows(tkc_mpmat *a, size_t i, size_t j)
{
    for (size_t k = 0; k < a->cols; k++)
        mpfr_swap(TKC_MPMAT(a, i, k), TKC_MPMAT(a, j, k));
}

int tkc_mpmat_lu_decomp(tkc_mpmat *a, size_t *perm, int *signum,
                        tkc_error *err)
{
    size_t n = a->rows;
    if (a->cols != n)
        return tkc_fail(err, TKC_EINPUT, "mpmat_lu: matrix is %zu x %zu, not "
                        "square", a->rows, a->cols);
    mpfr_t f;
    mpfr_init2(f, a->prec);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    *signum = 1;
    for (size_t k = 0; k < n; k++) {
        size_t p = k;
        for (size_t i = k + 1; i < n; i++)
            if (mpfr_cmpabs(TKC_MPMAT(a, i, k), TKC_MPMAT(a, p, k)) > 0)
                p = i;
        if (mpfr_zero_p(TKC_MPMAT(a, p, k)))
            continue;                 /* exact zero column: U_kk = 0 */
        if (p != k) {
            swap_rows(a, p, k);
            size_t t = perm[p];
            perm[p] = perm[k];
            perm[k] = t;
            *signum = -*signum;
        }
        for (size_t i = k + 1; i < n; i++) {
            if (mpfr_zero_p(TKC_MPMAT(a, i, k)))
                continue;
            mpfr_div(f, TKC_MPMAT(a, i, k), TKC_MPMAT(a, k, k), MPFR_RNDN);
            mpfr_set(TKC_MPMAT(a, i, k), f, MPFR_RNDN);
            for (size_t j = k + 1; j < n; j++)
                sub_mul(TKC_MPMAT(a, i, j), f, TKC_MPMAT(a, k, j));
        }
    }
    mpfr_clear(f);
    return TKC_SUCCESS;
}

/* An LU-factored copy of a square a, at a's precision. */
static tkc_mpmat *lu_copy(const tkc_mpmat *a, size_t **perm, int *signum,
                          tkc_error *err)
{
    if (a->rows != a->cols) {
        tkc_fail(err, TKC_EINPUT, "mpmat: matrix is %zu x %zu, not square",
                 a->rows, a->cols);
        return NULL;
    }
    tkc_mpmat *lu = tkc_mpmat_alloc(a->rows, a->cols, a->prec, err);
    *perm = malloc((a->rows ? a->rows : 1) * sizeof **perm);
    if (!lu || !*perm) {
        tkc_mpmat_free(lu);
        free(*perm);
        *perm = NULL;
        if (lu)
            tkc_fail(err, TKC_ENOMEM, "mpmat: out of memory");
        return NULL;
    }
    tkc_mpmat_copy(lu, a, NULL);
    tkc_mpmat_lu_decomp(lu, *perm, signum, NULL);
    return lu;
}

int tkc_mpmat_det(mpfr_t det, const tkc_mpmat *a, tkc_error *err)
{
    size_t *perm;
    int signum;
    tkc_mpmat *lu = lu_copy(a, &perm, &signum, err);
    if (!lu)
        return err ? (int)err->status : TKC_ENOMEM;
    mpfr_t p;
    mpfr_init2(p, a->prec + 32);    /* n roundings of the product stay small */
    mpfr_set_si(p, signum, MPFR_RNDN);
    for (size_t k = 0; k < a->rows; k++)
        mpfr_mul(p, p, TKC_MPMAT(lu, k, k), MPFR_RNDN);
    mpfr_set(det, p, MPFR_RNDN);
    mpfr_clear(p);
    free(perm);
    tkc_mpmat_free(lu);
    return TKC_SUCCESS;
}

int tkc_mpmat_inv(tkc_mpmat *inv, const tkc_mpmat *a, tkc_error *err)
{
    size_t n = a->rows;
    if (inv->rows != n || inv->cols != a->cols)
        return tkc_fail(err, TKC_EINPUT, "mpmat_inv: shape mismatch");
    size_t *perm;
    int signum;
    tkc_mpmat *lu = lu_copy(a, &perm, &signum, err);
    if (!lu)
        return err ? (int)err->status : TKC_ENOMEM;
    int rc = TKC_SUCCESS;
    for (size_t k = 0; k < n; k++)
        if (mpfr_zero_p(TKC_MPMAT(lu, k, k))) {
            rc = tkc_fail(err, TKC_ENUMERIC, "mpmat_inv: matrix is singular "
                          "at %ld bits (zero pivot in column %zu)",
                          (long)a->prec, k);
            goto done;
        }
    mpfr_t x;
    mpfr_init2(x, a->prec);
    /* Column j of the inverse solves L U x = P e_j: forward then back
     * substitution, each entry one fused rounding per term. */
    tkc_mpmat *col = tkc_mpmat_alloc(n, 1, a->prec, err);
    if (!col) {
        mpfr_clear(x);
        rc = TKC_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < n; i++) {
            mpfr_set_ui(x, perm[i] == j, MPFR_RNDN);
            for (size_t k = 0; k < i; k++)
                sub_mul(x, TKC_MPMAT(lu, i, k), TKC_MPMAT(col, k, 0));
            mpfr_set(TKC_MPMAT(col, i, 0), x, MPFR_RNDN);
        }
        for (size_t i = n; i-- > 0;) {
            mpfr_set(x, TKC_MPMAT(col, i, 0), MPFR_RNDN);
            for (size_t k = i + 1; k < n; k++)
                sub_mul(x, TKC_MPMAT(lu, i, k), TKC_MPMAT(col, k, 0));
            mpfr_div(TKC_MPMAT(col, i, 0), x, TKC_MPMAT(lu, i, i), MPFR_RNDN);
        }
        for (size_t i = 0; i < n; i++)
            mpfr_set(TKC_MPMAT(inv, i, j), TKC_MPMAT(col, i, 0), MPFR_RNDN);
    }
    tkc_mpmat_free(col);
    mpfr_clear(x);
done:
    free(perm);
    tkc_mpmat_free(lu);
    return rc;
}

/* ---- one-sided Jacobi ---------------------------------------------------- */

/* Dot product of columns i and j of w (m rows): fused multiply-adds, each
 * rounded to nearest (cheaper than a correctly rounded mpfr_dot, and
 * accurate enough for rotations; x, y are unused scratch). */
static void col_dot(mpfr_t out, const tkc_mpmat *w, size_t i, size_t j,
                    mpfr_ptr *x, mpfr_ptr *y)
{
    (void)x;
    (void)y;
    mpfr_set_zero(out, 1);
    for (size_t k = 0; k < w->rows; k++)
        mpfr_fma(out, TKC_MPMAT(w, k, i), TKC_MPMAT(w, k, j), out, MPFR_RNDN);
}

typedef struct jacobi_tmp {
    mpfr_t a, b, g, zeta, t, c, s, u, v, tol, noise;
} jacobi_tmp;

/* Rotate columns i, j of w to make them orthogonal; returns 1 if they were
 * not yet orthogonal to the tolerance (a rotation was applied). */
static int jacobi_pair(tkc_mpmat *w, size_t i, size_t j, jacobi_tmp *q,
                       mpfr_ptr *x, mpfr_ptr *y)
{
    col_dot(q->a, w, i, i, x, y);
    col_dot(q->b, w, j, j, x, y);
    col_dot(q->g, w, i, j, x, y);
    if (mpfr_zero_p(q->g))
        return 0;
    /* |g| <= tol * sqrt(a b) ? */
    mpfr_mul(q->u, q->a, q->b, MPFR_RNDN);
    mpfr_sqrt(q->u, q->u, MPFR_RNDN);
    mpfr_mul(q->u, q->u, q->tol, MPFR_RNDN);
    if (mpfr_cmpabs(q->g, q->u) <= 0)
        return 0;
    /* Columns that rounding has left at the noise level of the whole matrix
     * (a rank-deficient A) are never relatively orthogonal; a coupling below
     * tol²‖A‖²_F moves no singular value by more than about tol‖A‖_F. */
    if (mpfr_cmpabs(q->g, q->noise) <= 0)
        return 0;
    /* zeta = (b - a) / (2g); t = sign(zeta) / (|zeta| + sqrt(1 + zeta^2));
     * c = 1 / sqrt(1 + t^2); s = c t  (the smaller rotation angle). */
    mpfr_sub(q->zeta, q->b, q->a, MPFR_RNDN);
    mpfr_div(q->zeta, q->zeta, q->g, MPFR_RNDN);
    mpfr_div_2ui(q->zeta, q->zeta, 1, MPFR_RNDN);
    mpfr_set_ui(q->c, 1, MPFR_RNDN);
    mpfr_hypot(q->t, q->zeta, q->c, MPFR_RNDN);
    mpfr_abs(q->u, q->zeta, MPFR_RNDN);
    mpfr_add(q->t, q->t, q->u, MPFR_RNDN);
    mpfr_ui_div(q->t, 1, q->t, MPFR_RNDN);
    if (mpfr_sgn(q->zeta) < 0)
        mpfr_neg(q->t, q->t, MPFR_RNDN);
    mpfr_hypot(q->c, q->t, q->c, MPFR_RNDN);
    mpfr_ui_div(q->c, 1, q->c, MPFR_RNDN);
    mpfr_mul(q->s, q->c, q->t, MPFR_RNDN);
    for (size_t k = 0; k < w->rows; k++) {
        mpfr_ptr wi = TKC_MPMAT(w, k, i), wj = TKC_MPMAT(w, k, j);
        mpfr_mul(q->u, q->s, wj, MPFR_RNDN);     /* wi' = c wi - s wj */
        mpfr_fms(q->u, q->c, wi, q->u, MPFR_RNDN);
        mpfr_mul(q->v, q->c, wj, MPFR_RNDN);     /* wj' = s wi + c wj */
        mpfr_fma(q->v, q->s, wi, q->v, MPFR_RNDN);
        mpfr_swap(wi, q->u);
        mpfr_swap(wj, q->v);
    }
    return 1;
}

static int cmp_desc(const void *pa, const void *pb)
{
    return -mpfr_cmp(*(const mpfr_t *)pa, *(const mpfr_t *)pb);
}

int tkc_mpmat_singular_values(mpfr_t *s, const tkc_mpmat *a, tkc_error *err)
{
    /* Work on the orientation with at least as many rows as columns. */
    size_t m = a->rows, n = a->cols;
    int trans = m < n;
    if (trans) {
        size_t t = m;
        m = n;
        n = t;
    }
    if (n == 0)
        return TKC_SUCCESS;
    tkc_mpmat *w = tkc_mpmat_alloc(m, n, a->prec, err);
    mpfr_ptr *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
    if (!w || !x || !y) {
        tkc_mpmat_free(w);
        free(x);
        free(y);
        return tkc_fail(err, TKC_ENOMEM, "mpmat_singular_values: out of memory");
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            mpfr_set(TKC_MPMAT(w, i, j),
                     trans ? TKC_MPMAT(a, j, i) : TKC_MPMAT(a, i, j), MPFR_RNDN);
    jacobi_tmp q;
    mpfr_inits2(a->prec, q.a, q.b, q.g, q.zeta, q.t, q.c, q.s, q.u, q.v, q.tol,
                q.noise, (mpfr_ptr)0);
    mpfr_set_ui_2exp(q.tol, 1, -(long)(a->prec > 16 ? a->prec - 8 : a->prec / 2),
                     MPFR_RNDN);
    mpfr_set_zero(q.noise, 1);                       /* tol² ‖A‖²_F */
    for (size_t j = 0; j < n; j++) {
        col_dot(q.u, w, j, j, x, y);
        mpfr_add(q.noise, q.noise, q.u, MPFR_RNDN);
    }
    mpfr_mul(q.noise, q.noise, q.tol, MPFR_RNDN);
    mpfr_mul(q.noise, q.noise, q.tol, MPFR_RNDN);
    int rc = TKC_SUCCESS, rotated = 1, sweep;
    for (sweep = 0; sweep < 80 && rotated; sweep++) {
        rotated = 0;
        for (size_t i = 0; i + 1 < n; i++)
            for (size_t j = i + 1; j < n; j++)
                rotated |= jacobi_pair(w, i, j, &q, x, y);
    }
    if (rotated)
        rc = tkc_fail(err, TKC_ENUMERIC, "mpmat_singular_values: one-sided "
                      "Jacobi did not converge in 80 sweeps at %ld bits",
                      (long)a->prec);
    else {
        mpfr_t *sv = malloc(n * sizeof *sv);
        if (!sv)
            rc = tkc_fail(err, TKC_ENOMEM, "mpmat_singular_values: out of memory");
        else {
            for (size_t j = 0; j < n; j++) {
                mpfr_init2(sv[j], a->prec);
                col_dot(sv[j], w, j, j, x, y);
                mpfr_sqrt(sv[j], sv[j], MPFR_RNDN);
            }
            qsort(sv, n, sizeof *sv, cmp_desc);
            for (size_t j = 0; j < n; j++) {
                mpfr_set(s[j], sv[j], MPFR_RNDN);
                mpfr_clear(sv[j]);
            }
            free(sv);
        }
    }
    mpfr_clears(q.a, q.b, q.g, q.zeta, q.t, q.c, q.s, q.u, q.v, q.tol,
                q.noise, (mpfr_ptr)0);
    tkc_mpmat_free(w);
    free(x);
    free(y);
    return rc;
}

int tkc_mpmat_cond2(mpfr_t cond, const tkc_mpmat *a, tkc_error *err)
{
    size_t n = a->rows < a->cols ? a->rows : a->cols;
    if (n == 0)
        return tkc_fail(err, TKC_EINPUT, "mpmat_cond2: empty matrix");
    mpfr_t *s = malloc(n * sizeof *s);
    if (!s)
        return tkc_fail(err, TKC_ENOMEM, "mpmat_cond2: out of memory");
    for (size_t k = 0; k < n; k++)
        mpfr_init2(s[k], a->prec);
    int rc = tkc_mpmat_singular_values(s, a, err);
    if (rc == TKC_SUCCESS) {
        if (mpfr_zero_p(s[n - 1]))
            mpfr_set_inf(cond, 1);
        else
            mpfr_div(cond, s[0], s[n - 1], MPFR_RNDN);
    }
    for (size_t k = 0; k < n; k++)
        mpfr_clear(s[k]);
    free(s);
    return rc;
}

int tkc_mpfr_snprint(char *buf, size_t size, const mpfr_t x, int digits)
{
    if (mpfr_zero_p(x))
        return snprintf(buf, size, "0");
    if (digits < 1)
        digits = 1;
    return mpfr_snprintf(buf, size, "%.*Re", digits - 1, x);
}
