/* certify.c — nonsingularity verdicts with directed rounding (SPEC §4),
 * the precision ladder, Lemma 3.6's permutation condition and the exact
 * small-β determinant.
 *
 * Soundness rules used throughout: midpoints and radii are doubles, hence
 * exact in MPFR; every quantity that enters a proof is an upper bound
 * computed with MPFR_RNDU (or a lower bound with MPFR_RNDD), and a sum of
 * exact products is bounded by one correctly rounded mpfr_dot / mpfr_sum.
 * Approximations (the inverse R, σ estimates, the Cholesky factor) may be
 * anything: only the residual bounds built from them must be rigorous. */
#include <stdio.h>

#include "tkc/certify.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/mpmat.h"

const char *tkc_verdict_name(tkc_verdict v)
{
    switch (v) {
    case TKC_VERDICT_NONSINGULAR: return "nonsingular";
    case TKC_VERDICT_SINGULAR:    return "singular";
    default:                      return "undecided";
    }
}

const char *tkc_radius_kind_name(tkc_radius_kind k)
{
    switch (k) {
    case TKC_RADIUS_TRUNCATION:  return "truncation";
    case TKC_RADIUS_STATISTICAL: return "statistical";
    default:                     return "rounding";
    }
}

int tkc_certify_bonferroni_z(double *z, double confidence, size_t m,
                             tkc_error *err)
{
    if (!(confidence > 0 && confidence < 1))
        return tkc_fail(err, TKC_EINPUT, "certify: confidence %g is not in "
                        "(0, 1)", confidence);
    if (m == 0)
        return tkc_fail(err, TKC_EINPUT, "certify: Bonferroni count is 0");
    double q = (1 - confidence) / (2.0 * (double)m);
    double v = gsl_cdf_ugaussian_Qinv(q);
    if (!isfinite(v) || v <= 0)
        return tkc_fail(err, TKC_ENUMERIC, "certify: normal quantile for "
                        "tail %g failed", q);
    *z = v * (1 + 1e-12);       /* Qinv is accurate to ~1e-15: stay above */
    return TKC_SUCCESS;
}

int tkc_certify_radii_from_se(double *radius, const double *se, size_t count,
                               double z, tkc_error *err)
{
    if (!(z > 0) || !isfinite(z))
        return tkc_fail(err, TKC_EINPUT, "certify: multiplier z = %g is not "
                        "positive", z);
    for (size_t k = 0; k < count; k++) {
        if (!(se[k] >= 0) || !isfinite(se[k]))
            return tkc_fail(err, TKC_EINPUT, "certify: standard error %zu = %g "
                            "is not finite and >= 0", k, se[k]);
        double v = se[k] * z;              /* rounded to nearest: step up */
        radius[k] = v == 0 ? 0 : nextafter(v, INFINITY);
    }
    return TKC_SUCCESS;
}

static const char *row_name(const char *const *names, size_t i, char *buf,
                            size_t size)
{
    if (names && names[i])
        return names[i];
    snprintf(buf, size, "row %zu", i);
    return buf;
}

static void cert_reset(tkc_certificate *c)
{
    memset(c, 0, sizeof *c);
    c->verdict = TKC_VERDICT_UNDECIDED;
    c->confidence = 1;
    c->rump_alpha = INFINITY;
    c->sigma_mid_lower = 0;
    c->radius_norm2_upper = INFINITY;
    c->shrink_factor = INFINITY;
    c->samples_factor = INFINITY;
    strcpy(c->sigma_min_lower_text, "0");
}

/* ---- exact structure ---------------------------------------------------- */

int tkc_certify_singular_keys(tkc_certificate *cert, size_t r,
                              const char *const *keys, const char *why,
                              const char *const *row_names, tkc_error *err)
{
    cert_reset(cert);
    for (size_t i = 0; i < r; i++)
        if (!keys[i])
            return tkc_fail(err, TKC_EINPUT, "certify: key of row %zu is NULL",
                            i);
    for (size_t i = 0; i < r; i++)
        for (size_t j = i + 1; j < r; j++)
            if (strcmp(keys[i], keys[j]) == 0) {
                char bi[32], bj[32];
                cert->verdict = TKC_VERDICT_SINGULAR;
                cert->row_i = i;
                cert->row_j = j;
                snprintf(cert->method, sizeof cert->method,
                         "exact, from structure: two rows with equal keys");
                snprintf(cert->reason, sizeof cert->reason,
                         "rows %zu (%s) and %zu (%s) are equal: %s", i,
                         row_name(row_names, i, bi, sizeof bi), j,
                         row_name(row_names, j, bj, sizeof bj),
                         why ? why : "equal keys");
                return TKC_SUCCESS;
            }
    return TKC_SUCCESS;
}

static int row_is_exact(const double *rad, size_t r, size_t i, int col)
{
    for (size_t k = 0; k < r; k++)
        if (rad[col ? k * r + i : i * r + k] != 0)
            return 0;
    return 1;
}

static double at(const double *a, size_t r, size_t i, size_t k, int col)
{
    return col ? a[k * r + i] : a[i * r + k];
}

/* Exactly equal rows (col = 0) or columns (col = 1), or an exactly zero one,
 * all with zero radii: SINGULAR.  Returns 1 if found. */
static int exact_structure(tkc_certificate *c, const tkc_certify_input *in,
                           const double *rad, int col)
{
    size_t r = in->r;
    const char *what = col ? "column" : "row";
    char bi[32], bj[32];
    for (size_t i = 0; i < r; i++) {
        if (!row_is_exact(rad, r, i, col))
            continue;
        int zero = 1;
        for (size_t k = 0; k < r && zero; k++)
            zero = at(in->mid, r, i, k, col) == 0;
        if (zero) {
            c->verdict = TKC_VERDICT_SINGULAR;
            c->row_i = c->row_j = i;
            snprintf(c->method, sizeof c->method, "exact, from structure: a "
                     "zero %s with zero radii", what);
            snprintf(c->reason, sizeof c->reason, "%s %zu (%s) is exactly "
                     "zero", what, i, row_name(in->row_names, i, bi, sizeof bi));
            return 1;
        }
        for (size_t j = i + 1; j < r; j++) {
            if (!row_is_exact(rad, r, j, col))
                continue;
            int equal = 1;
            for (size_t k = 0; k < r && equal; k++)
                equal = at(in->mid, r, i, k, col) == at(in->mid, r, j, k, col);
            if (equal) {
                c->verdict = TKC_VERDICT_SINGULAR;
                c->row_i = i;
                c->row_j = j;
                snprintf(c->method, sizeof c->method, "exact, from structure: "
                         "two equal %ss with zero radii", what);
                snprintf(c->reason, sizeof c->reason, "%ss %zu (%s) and %zu "
                         "(%s) are exactly equal", what, i,
                         row_name(in->row_names, i, bi, sizeof bi), j,
                         row_name(in->row_names, j, bj, sizeof bj));
                return 1;
            }
        }
    }
    return 0;
}

/* ---- rigorous norms ------------------------------------------------------ */

/* Upper bounds of ‖M‖₁, ‖M‖∞, ‖M‖_F for a matrix of nonnegative upper
 * bounds g (n×n), and of ‖M‖₂ <= min(sqrt(‖M‖₁‖M‖∞), ‖M‖_F). */
typedef struct norms {
    mpfr_t one, inf, fro, two;
} norms;

static void norms_init(norms *q, mpfr_prec_t p)
{
    mpfr_inits2(p, q->one, q->inf, q->fro, q->two, (mpfr_ptr)0);
}

static void norms_clear(norms *q)
{
    mpfr_clears(q->one, q->inf, q->fro, q->two, (mpfr_ptr)0);
}

static void norms_upper(norms *q, const tkc_mpmat *g, mpfr_t tmp)
{
    size_t n = g->rows;
    mpfr_set_zero(q->one, 1);
    mpfr_set_zero(q->inf, 1);
    mpfr_set_zero(q->fro, 1);
    for (size_t i = 0; i < n; i++) {
        mpfr_set_zero(tmp, 1);
        for (size_t j = 0; j < n; j++)
            mpfr_add(tmp, tmp, TKC_MPMAT(g, i, j), MPFR_RNDU);
        mpfr_max(q->inf, q->inf, tmp, MPFR_RNDU);
        mpfr_set_zero(tmp, 1);
        for (size_t j = 0; j < n; j++)
            mpfr_add(tmp, tmp, TKC_MPMAT(g, j, i), MPFR_RNDU);
        mpfr_max(q->one, q->one, tmp, MPFR_RNDU);
        for (size_t j = 0; j < n; j++) {
            mpfr_sqr(tmp, TKC_MPMAT(g, i, j), MPFR_RNDU);
            mpfr_add(q->fro, q->fro, tmp, MPFR_RNDU);
        }
    }
    mpfr_sqrt(q->fro, q->fro, MPFR_RNDU);
    mpfr_mul(q->two, q->one, q->inf, MPFR_RNDU);
    mpfr_sqrt(q->two, q->two, MPFR_RNDU);
    mpfr_min(q->two, q->two, q->fro, MPFR_RNDU);
}

/* |x| bound from an enclosure [lo, hi]: max(|lo|, |hi|), exact. */
static void abs_enclosure(mpfr_t out, const mpfr_t lo, const mpfr_t hi)
{
    if (mpfr_cmpabs(lo, hi) > 0)
        mpfr_abs(out, lo, MPFR_RNDU);
    else
        mpfr_abs(out, hi, MPFR_RNDU);
}

/* ---- the verdict's working state ----------------------------------------- */

typedef struct work {
    size_t n;
    mpfr_prec_t prec;
    tkc_mpmat *mid, *rad, *R;   /* R = approximate inverse, or NULL */
    mpfr_ptr *x, *y;            /* dot-product argument arrays (2n+2) */
    mpfr_t one, mone, t1, t2, t3;
    /* results, all rigorous */
    mpfr_t sigma_lower;         /* best proved σ_min lower bound (or 0) */
    mpfr_t rump_alpha;          /* best α over the norms, +inf if none  */
    mpfr_t rump_shrink;         /* Rump: radii factor, +inf if none     */
    mpfr_t sigma_mid, rho;      /* Weyl: σ_min(mid) >=, ‖rad‖₂ <=       */
    double sigma_est;
} work;

static int work_init(work *w, const tkc_certify_input *in, tkc_error *err)
{
    size_t n = in->r;
    memset(w, 0, sizeof *w);
    w->n = n;
    w->prec = in->prec ? in->prec : 128;
    w->mid = tkc_mpmat_alloc(n, n, w->prec, err);
    w->rad = w->mid ? tkc_mpmat_alloc(n, n, w->prec, err) : NULL;
    w->x = malloc((2 * n + 2) * sizeof *w->x);
    w->y = malloc((2 * n + 2) * sizeof *w->y);
    mpfr_inits2(w->prec, w->one, w->mone, w->t1, w->t2, w->t3, w->sigma_lower,
                w->rump_alpha, w->rump_shrink, w->sigma_mid, w->rho,
                (mpfr_ptr)0);
    mpfr_set_ui(w->one, 1, MPFR_RNDN);
    mpfr_set_si(w->mone, -1, MPFR_RNDN);
    mpfr_set_zero(w->sigma_lower, 1);
    mpfr_set_inf(w->rump_alpha, 1);
    mpfr_set_inf(w->rump_shrink, 1);
    mpfr_set_zero(w->sigma_mid, 1);
    mpfr_set_inf(w->rho, 1);
    if (!w->mid || !w->rad || !w->x || !w->y)
        return w->mid && w->rad ? tkc_fail(err, TKC_ENOMEM, "certify: out of "
                                           "memory") : TKC_ENOMEM;
    return TKC_SUCCESS;
}

static void work_clear(work *w)
{
    tkc_mpmat_free(w->mid);
    tkc_mpmat_free(w->rad);
    tkc_mpmat_free(w->R);
    free(w->x);
    free(w->y);
    mpfr_clears(w->one, w->mone, w->t1, w->t2, w->t3, w->sigma_lower,
                w->rump_alpha, w->rump_shrink, w->sigma_mid, w->rho,
                (mpfr_ptr)0);
}

/* Midpoints exactly; radii exactly, or z·se rounded up. */
static void work_load(work *w, const tkc_certify_input *in, const double *rad,
                      double z)
{
    tkc_mpmat_set_d(w->mid, in->mid, w->n, NULL);
    for (size_t k = 0; k < w->n * w->n; k++) {
        mpfr_set_d(w->rad->data[k], rad[k], MPFR_RNDU);
        if (z > 0)
            mpfr_mul_d(w->rad->data[k], w->rad->data[k], z, MPFR_RNDU);
    }
}

/* ---- Rump's test -------------------------------------------------------- */

/* Row/column sums of the two parts of G = |I − R·mid| + |R|·rad bounds, for
 * the radius-shrink factor: a (midpoint part) and b (radius part). */
static void shrink_from_sums(mpfr_t out, mpfr_t *a, mpfr_t *b, size_t n,
                             mpfr_t tmp, mpfr_t tmp2)
{
    /* need a_i + b_i/f < 1 for all i: f > max_i b_i / (1 − a_i), a_i < 1 */
    mpfr_set_zero(out, 1);
    for (size_t i = 0; i < n; i++) {
        if (mpfr_cmp_ui(a[i], 1) >= 0) {
            mpfr_set_inf(out, 1);
            return;
        }
        mpfr_ui_sub(tmp, 1, a[i], MPFR_RNDD);
        mpfr_div(tmp2, b[i], tmp, MPFR_RNDU);
        mpfr_max(out, out, tmp2, MPFR_RNDU);
    }
}

static int rump(work *w, tkc_error *err)
{
    size_t n = w->n;
    w->R = tkc_mpmat_alloc(n, n, w->prec, err);
    if (!w->R)
        return TKC_ENOMEM;
    if (tkc_mpmat_inv(w->R, w->mid, NULL) != TKC_SUCCESS) {
        tkc_mpmat_free(w->R);          /* singular at this precision */
        w->R = NULL;
        return TKC_SUCCESS;
    }
    tkc_mpmat *g = tkc_mpmat_alloc(n, n, w->prec, err);
    tkc_mpmat *absr = tkc_mpmat_alloc(n, n, w->prec, err);
    tkc_mpmat *negmid = tkc_mpmat_alloc(n, n, w->prec, err);
    mpfr_t *s = malloc(4 * n * sizeof *s);      /* a_row, b_row, a_col, b_col */
    if (!g || !absr || !negmid || !s) {
        tkc_mpmat_free(g);
        tkc_mpmat_free(absr);
        tkc_mpmat_free(negmid);
        free(s);
        return tkc_fail(err, TKC_ENOMEM, "certify: out of memory");
    }
    for (size_t k = 0; k < 4 * n; k++)
        mpfr_init2(s[k], w->prec), mpfr_set_zero(s[k], 1);
    mpfr_t *arow = s, *brow = s + n, *acol = s + 2 * n, *bcol = s + 3 * n;
    for (size_t k = 0; k < n * n; k++) {                  /* both exact */
        mpfr_abs(absr->data[k], w->R->data[k], MPFR_RNDN);
        mpfr_neg(negmid->data[k], w->mid->data[k], MPFR_RNDN);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            /* δ_ij − Σ_k R_ik mid_kj: one exact sum of products, enclosed
             * by a correctly rounded dot product in each direction. */
            for (size_t k = 0; k < n; k++) {
                w->x[k] = TKC_MPMAT(w->R, i, k);
                w->y[k] = TKC_MPMAT(negmid, k, j);
            }
            w->x[n] = w->y[n] = w->one;
            mpfr_dot(w->t1, w->x, w->y, n + (i == j), MPFR_RNDD);
            mpfr_dot(w->t2, w->x, w->y, n + (i == j), MPFR_RNDU);
            abs_enclosure(w->t3, w->t1, w->t2);
            mpfr_add(arow[i], arow[i], w->t3, MPFR_RNDU);
            mpfr_add(acol[j], acol[j], w->t3, MPFR_RNDU);
            /* (|R|·rad)_ij, nonnegative terms, rounded up */
            for (size_t k = 0; k < n; k++) {
                w->x[k] = TKC_MPMAT(absr, i, k);
                w->y[k] = TKC_MPMAT(w->rad, k, j);
            }
            mpfr_dot(w->t1, w->x, w->y, n, MPFR_RNDU);
            mpfr_add(brow[i], brow[i], w->t1, MPFR_RNDU);
            mpfr_add(bcol[j], bcol[j], w->t1, MPFR_RNDU);
            mpfr_add(TKC_MPMAT(g, i, j), w->t3, w->t1, MPFR_RNDU);
        }
    norms ng, nr;
    norms_init(&ng, w->prec);
    norms_init(&nr, w->prec);
    norms_upper(&ng, g, w->t1);
    norms_upper(&nr, absr, w->t1);
    mpfr_min(w->rump_alpha, ng.inf, ng.one, MPFR_RNDU);
    mpfr_min(w->rump_alpha, w->rump_alpha, ng.two, MPFR_RNDU);
    /* ‖Ñ⁻¹‖₂ <= ‖(RÑ)⁻¹‖₂ ‖R‖₂ and ‖(I − E)⁻¹‖₂ <= 1/(1 − ‖E‖₂), or
     * <= sqrt(n)/(1 − ‖E‖_p) for p = ∞, 1. */
    mpfr_set_zero(w->sigma_lower, 1);
    if (mpfr_cmp_ui(ng.two, 1) < 0) {
        mpfr_ui_sub(w->t1, 1, ng.two, MPFR_RNDD);
        mpfr_div(w->sigma_lower, w->t1, nr.two, MPFR_RNDD);
    } else if (mpfr_cmp_ui(w->rump_alpha, 1) < 0) {
        mpfr_min(w->t2, ng.inf, ng.one, MPFR_RNDU);
        mpfr_ui_sub(w->t1, 1, w->t2, MPFR_RNDD);
        mpfr_sqrt_ui(w->t2, n, MPFR_RNDU);
        mpfr_mul(w->t2, w->t2, nr.two, MPFR_RNDU);
        mpfr_div(w->sigma_lower, w->t1, w->t2, MPFR_RNDD);
    }
    shrink_from_sums(w->rump_shrink, arow, brow, n, w->t1, w->t2);
    shrink_from_sums(w->t3, acol, bcol, n, w->t1, w->t2);
    mpfr_min(w->rump_shrink, w->rump_shrink, w->t3, MPFR_RNDU);
    norms_clear(&ng);
    norms_clear(&nr);
    for (size_t k = 0; k < 4 * n; k++)
        mpfr_clear(s[k]);
    free(s);
    tkc_mpmat_free(g);
    tkc_mpmat_free(absr);
    tkc_mpmat_free(negmid);
    return TKC_SUCCESS;
}

/* ---- σ_min estimate (power iteration on RᵀR in scaled doubles) ----------- */

static double sigma_estimate(const work *w)
{
    size_t n = w->n;
    if (!w->R)
        return 0;
    mpfr_exp_t e = mpfr_get_exp(w->R->data[0]);
    for (size_t k = 1; k < n * n; k++)
        if (!mpfr_zero_p(w->R->data[k]) && mpfr_get_exp(w->R->data[k]) > e)
            e = mpfr_get_exp(w->R->data[k]);
    double *r = malloc(n * n * sizeof *r), *v = malloc(2 * n * sizeof *v);
    if (!r || !v) {
        free(r);
        free(v);
        return NAN;
    }
    mpfr_t t;
    mpfr_init2(t, w->prec);
    for (size_t k = 0; k < n * n; k++) {   /* R·2^-e, entries in [-1, 1] */
        mpfr_mul_2si(t, w->R->data[k], -(long)e, MPFR_RNDN);
        r[k] = mpfr_get_d(t, MPFR_RNDN);
    }
    mpfr_clear(t);
    double *u = v + n, lam = 0;
    for (size_t i = 0; i < n; i++)
        v[i] = 1 + 0.25 * sin(1.0 + (double)i);
    for (int it = 0; it < 200; it++) {
        double nv = 0, nu = 0;
        for (size_t i = 0; i < n; i++)
            nv += v[i] * v[i];
        for (size_t i = 0; i < n; i++) {
            u[i] = 0;
            for (size_t k = 0; k < n; k++)
                u[i] += r[i * n + k] * v[k];
            nu += u[i] * u[i];
        }
        double next = sqrt(nu / nv);         /* ‖R v‖/‖v‖ -> ‖R‖₂ */
        for (size_t i = 0; i < n; i++) {     /* v = Rᵀ u, normalized */
            v[i] = 0;
            for (size_t k = 0; k < n; k++)
                v[i] += r[k * n + i] * u[k];
        }
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += v[i] * v[i];
        s = sqrt(s);
        if (s == 0)
            break;
        for (size_t i = 0; i < n; i++)
            v[i] /= s;
        int done = it > 3 && fabs(next - lam) <= 1e-12 * next;
        lam = next;
        if (done)
            break;
    }
    free(r);
    free(v);
    if (lam <= 0)
        return 0;
    if (e > 4000 || e < -4000)               /* outside double: give up */
        return e > 0 ? 0 : INFINITY;
    return ldexp(1 / lam, -(int)e);          /* σ_min ≈ 1/‖R‖₂ */
}

/* ---- Weyl: rigorous σ_min(mid) by Cholesky of midᵀmid − sI -------------- */

/* Try s: Cholesky (to nearest) of midᵀmid − sI, then the rigorous residual
 * η >= ‖midᵀmid − sI − LLᵀ‖_F.  LLᵀ is positive semidefinite, so
 * λ_min(midᵀmid) >= s − η.  Sets w->sigma_mid and returns 1 on success. */
static int weyl_try(work *w, const tkc_mpmat *ata, tkc_mpmat *L,
                    tkc_mpmat *negL, const mpfr_t s)
{
    size_t n = w->n;
    for (size_t j = 0; j < n; j++) {
        for (size_t i = j; i < n; i++) {
            mpfr_set(w->t1, TKC_MPMAT(ata, i, j), MPFR_RNDN);
            if (i == j)
                mpfr_sub(w->t1, w->t1, s, MPFR_RNDN);
            for (size_t k = 0; k < j; k++) {
                w->x[k] = TKC_MPMAT(L, i, k);
                w->y[k] = TKC_MPMAT(L, j, k);
            }
            mpfr_dot(w->t2, w->x, w->y, j, MPFR_RNDN);
            mpfr_sub(w->t1, w->t1, w->t2, MPFR_RNDN);
            if (i == j) {
                if (mpfr_sgn(w->t1) <= 0)
                    return 0;
                mpfr_sqrt(TKC_MPMAT(L, j, j), w->t1, MPFR_RNDN);
            } else
                mpfr_div(TKC_MPMAT(L, i, j), w->t1, TKC_MPMAT(L, j, j),
                         MPFR_RNDN);
            mpfr_neg(TKC_MPMAT(negL, i, j), TKC_MPMAT(L, i, j), MPFR_RNDN);
        }
    }
    /* residual E_ij = Σ_k mid_ki mid_kj − s δ_ij − Σ_{k<=j} L_ik L_jk, i >= j,
     * as one exact sum of products enclosed up and down. */
    mpfr_t eta, neg_s;
    mpfr_init2(eta, w->prec);
    mpfr_init2(neg_s, mpfr_get_prec(s));
    mpfr_neg(neg_s, s, MPFR_RNDN);
    mpfr_set_zero(eta, 1);
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) {
            size_t m = 0;
            for (size_t k = 0; k < n; k++, m++) {
                w->x[m] = TKC_MPMAT(w->mid, k, i);
                w->y[m] = TKC_MPMAT(w->mid, k, j);
            }
            for (size_t k = 0; k <= j; k++, m++) {
                w->x[m] = TKC_MPMAT(L, i, k);
                w->y[m] = TKC_MPMAT(negL, j, k);
            }
            if (i == j) {
                w->x[m] = neg_s;
                w->y[m++] = w->one;
            }
            mpfr_dot(w->t1, w->x, w->y, m, MPFR_RNDD);
            mpfr_dot(w->t2, w->x, w->y, m, MPFR_RNDU);
            abs_enclosure(w->t3, w->t1, w->t2);
            mpfr_sqr(w->t3, w->t3, MPFR_RNDU);
            if (i != j)
                mpfr_mul_2ui(w->t3, w->t3, 1, MPFR_RNDU);
            mpfr_add(eta, eta, w->t3, MPFR_RNDU);
        }
    mpfr_sqrt(eta, eta, MPFR_RNDU);
    mpfr_sub(w->t1, s, eta, MPFR_RNDD);
    int ok = mpfr_sgn(w->t1) > 0;
    if (ok)
        mpfr_sqrt(w->sigma_mid, w->t1, MPFR_RNDD);
    mpfr_clear(eta);
    mpfr_clear(neg_s);
    return ok;
}

static int weyl(work *w, tkc_error *err)
{
    size_t n = w->n;
    norms nr;
    norms_init(&nr, w->prec);
    norms_upper(&nr, w->rad, w->t1);
    mpfr_set(w->rho, nr.two, MPFR_RNDU);
    norms_clear(&nr);
    if (!(w->sigma_est > 0) || !isfinite(w->sigma_est))
        return TKC_SUCCESS;
    tkc_mpmat *ata = tkc_mpmat_alloc(n, n, w->prec, err);
    tkc_mpmat *L = tkc_mpmat_alloc(n, n, w->prec, err);
    tkc_mpmat *negL = tkc_mpmat_alloc(n, n, w->prec, err);
    if (!ata || !L || !negL) {
        tkc_mpmat_free(ata);
        tkc_mpmat_free(L);
        tkc_mpmat_free(negL);
        return TKC_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            for (size_t k = 0; k < n; k++) {
                w->x[k] = TKC_MPMAT(w->mid, k, i);
                w->y[k] = TKC_MPMAT(w->mid, k, j);
            }
            mpfr_dot(TKC_MPMAT(ata, i, j), w->x, w->y, n, MPFR_RNDN);
        }
    /* s = θ σ̃², largest θ first (σ̃ overestimates σ_min a little). */
    static const double theta[] = {1 - 0x1p-20, 1 - 0x1p-10, 1 - 0x1p-5,
                                   0.5, 0x1p-4, 0x1p-10};
    mpfr_t s;
    mpfr_init2(s, 64);
    for (size_t t = 0; t < sizeof theta / sizeof theta[0]; t++) {
        mpfr_set_d(s, w->sigma_est, MPFR_RNDN);
        mpfr_sqr(s, s, MPFR_RNDN);
        mpfr_mul_d(s, s, theta[t], MPFR_RNDN);
        if (weyl_try(w, ata, L, negL, s))
            break;
    }
    mpfr_clear(s);
    tkc_mpmat_free(ata);
    tkc_mpmat_free(L);
    tkc_mpmat_free(negL);
    return TKC_SUCCESS;
}

/* ---- the verdict ---------------------------------------------------------- */

static int check_input(const tkc_certify_input *in, tkc_error *err)
{
    if (!in || in->r == 0 || !in->mid)
        return tkc_fail(err, TKC_EINPUT, "certify: empty matrix");
    if (in->kind != TKC_RADIUS_ROUNDING && in->kind != TKC_RADIUS_TRUNCATION &&
        in->kind != TKC_RADIUS_STATISTICAL)
        return tkc_fail(err, TKC_EINPUT, "certify: unknown radius kind %d",
                        (int)in->kind);
    if (in->r > 4096)
        return tkc_fail(err, TKC_EINPUT, "certify: order %zu too large", in->r);
    if (in->prec && (in->prec < 53 || in->prec > 65536))
        return tkc_fail(err, TKC_EINPUT, "certify: precision %ld bits out of "
                        "[53, 65536]", (long)in->prec);
    for (size_t i = 0; i < in->r; i++)
        for (size_t j = 0; j < in->r; j++) {
            double m = in->mid[i * in->r + j];
            double d = in->radius ? in->radius[i * in->r + j] : 0;
            if (!isfinite(m))
                return tkc_fail(err, TKC_EINPUT, "certify: entry (%zu, %zu) "
                                "is not finite", i, j);
            if (!isfinite(d) || d < 0)
                return tkc_fail(err, TKC_EINPUT, "certify: radius (%zu, %zu) "
                                "= %g is not finite and >= 0", i, j, d);
        }
    return TKC_SUCCESS;
}

static void fmt_down(char *buf, size_t size, const mpfr_t x)
{
    if (mpfr_zero_p(x))
        snprintf(buf, size, "0");
    else
        mpfr_snprintf(buf, size, "%.4RDe", x);
}

static void describe(tkc_certificate *c, const work *w, int rump_ok,
                     int weyl_ok)
{
    const char *box = c->kind == TKC_RADIUS_STATISTICAL
        ? "every matrix within z·se of the estimates (Bonferroni over the "
          "entries; holds the true N at the stated joint confidence)"
        : c->kind == TKC_RADIUS_TRUNCATION
            ? "every matrix within the truncation radii (a proof for N if "
              "the truncation estimates bound the error)"
            : "every matrix within the rounding radii";
    if (rump_ok || weyl_ok) {
        snprintf(c->method, sizeof c->method, "%s%s%s, MPFR %ld bits with "
                 "directed rounding, for %s",
                 rump_ok ? "Rump: ‖I − R·Ñ‖ <= α < 1 (R ≈ mid⁻¹)" : "",
                 rump_ok && weyl_ok ? "; " : "",
                 weyl_ok ? "Weyl: σ_min(mid) − ‖Ñ − mid‖₂ > 0 (σ_min(mid) by "
                           "Cholesky of midᵀmid − sI, rigorous residual)" : "",
                 (long)w->prec, box);
        char s[40];
        fmt_down(s, sizeof s, w->sigma_lower);
        snprintf(c->reason, sizeof c->reason, "σ_min(Ñ) >= %s for every Ñ "
                 "in the box (α = %.3g, σ_min(mid) >= %.4g, ‖radius‖₂ <= %.3g)",
                 s, c->rump_alpha, c->sigma_mid_lower, c->radius_norm2_upper);
        return;
    }
    snprintf(c->method, sizeof c->method, "Rump (‖I − R·Ñ‖ < 1) and Weyl "
             "(σ_min(mid) > ‖radius‖₂) tests, MPFR %ld bits with directed "
             "rounding: neither succeeded", (long)w->prec);
    snprintf(c->reason, sizeof c->reason, "α = %.3g (needs < 1), σ_min(mid) "
             ">= %.4g vs ‖radius‖₂ <= %.3g; σ_min(mid) ≈ %.4g",
             c->rump_alpha, c->sigma_mid_lower, c->radius_norm2_upper,
             c->sigma_min_estimate);
    if (isinf(c->shrink_factor))
        snprintf(c->advice, sizeof c->advice, "the midpoint matrix itself is "
                 "not certified at %ld bits (σ_min ≈ %.3g): it may be exactly "
                 "singular — check the structure (equal rows), the exact "
                 "small-β series determinant, or raise the precision (see the "
                 "precision ladder)", (long)w->prec, c->sigma_min_estimate);
    else if (c->kind == TKC_RADIUS_STATISTICAL)
        snprintf(c->advice, sizeof c->advice, "radii must shrink by a factor "
                 "> %.3g: about %.3g times more Monte Carlo samples at the same "
                 "confidence, or a lower-variance estimator (qmc, or the "
                 "series/closed form at small β)", c->shrink_factor,
                 c->samples_factor);
    else if (c->kind == TKC_RADIUS_TRUNCATION)
        snprintf(c->advice, sizeof c->advice, "truncation radii must shrink "
                 "by a factor > %.3g: a higher series order where it still "
                 "converges, or another estimator (closed form, qmc/mc with "
                 "enough samples)", c->shrink_factor);
    else
        snprintf(c->advice, sizeof c->advice, "rounding radii must shrink by "
                 "a factor > %.3g: compute the entries at higher precision",
                 c->shrink_factor);
}

int tkc_certify(tkc_certificate *cert, const tkc_certify_input *in,
                tkc_error *err)
{
    cert_reset(cert);
    int rc = check_input(in, err);
    if (rc)
        return rc;
    size_t n = in->r;
    cert->kind = in->kind;
    cert->prec = in->prec ? in->prec : 128;
    double z = 0;
    if (in->kind == TKC_RADIUS_STATISTICAL) {
        rc = tkc_certify_bonferroni_z(&z, in->confidence,
                                      in->n_estimates ? in->n_estimates : n * n,
                                      err);
        if (rc)
            return rc;
        cert->confidence = in->confidence;
        cert->z = z;
    }
    double *zero = NULL;
    const double *rad = in->radius;
    if (!rad) {
        zero = calloc(n * n, sizeof *zero);
        if (!zero)
            return tkc_fail(err, TKC_ENOMEM, "certify: out of memory");
        rad = zero;
    }
    if (exact_structure(cert, in, rad, 0) || exact_structure(cert, in, rad, 1)) {
        free(zero);
        return TKC_SUCCESS;
    }
    work w;
    rc = work_init(&w, in, err);
    if (rc == TKC_SUCCESS) {
        work_load(&w, in, rad, z);
        rc = rump(&w, err);
    }
    if (rc == TKC_SUCCESS) {
        w.sigma_est = sigma_estimate(&w);
        rc = weyl(&w, err);
    }
    if (rc == TKC_SUCCESS) {
        int rump_ok = mpfr_cmp_ui(w.rump_alpha, 1) < 0;
        mpfr_sub(w.t1, w.sigma_mid, w.rho, MPFR_RNDD);  /* Weyl bound */
        int weyl_ok = mpfr_sgn(w.t1) > 0;
        if (weyl_ok)
            mpfr_max(w.sigma_lower, w.sigma_lower, w.t1, MPFR_RNDD);
        cert->rump_alpha = mpfr_get_d(w.rump_alpha, MPFR_RNDU);
        cert->sigma_mid_lower = mpfr_get_d(w.sigma_mid, MPFR_RNDD);
        cert->radius_norm2_upper = mpfr_get_d(w.rho, MPFR_RNDU);
        cert->sigma_min_estimate = w.sigma_est;
        if (rump_ok || weyl_ok) {
            cert->verdict = TKC_VERDICT_NONSINGULAR;
            cert->sigma_min_lower = mpfr_get_d(w.sigma_lower, MPFR_RNDD);
            fmt_down(cert->sigma_min_lower_text,
                     sizeof cert->sigma_min_lower_text, w.sigma_lower);
            cert->shrink_factor = cert->samples_factor = 1;
        } else {
            /* Weyl: radii / f work when f > ρ / σ_min(mid). */
            if (mpfr_sgn(w.sigma_mid) > 0) {
                mpfr_div(w.t1, w.rho, w.sigma_mid, MPFR_RNDU);
                mpfr_min(w.rump_shrink, w.rump_shrink, w.t1, MPFR_RNDU);
            }
            cert->shrink_factor = mpfr_get_d(w.rump_shrink, MPFR_RNDU);
            cert->samples_factor = cert->shrink_factor * cert->shrink_factor;
        }
        describe(cert, &w, rump_ok, weyl_ok);
    }
    work_clear(&w);
    free(zero);
    return rc;
}

int tkc_certificate_snprint(char *buf, size_t size, const tkc_certificate *c)
{
    switch (c->verdict) {
    case TKC_VERDICT_SINGULAR:
        return snprintf(buf, size, "singular (exact): %s", c->reason);
    case TKC_VERDICT_NONSINGULAR:
        if (c->kind == TKC_RADIUS_STATISTICAL)
            return snprintf(buf, size, "nonsingular (certified at %g%% joint "
                            "confidence, z = %.3f per entry): σ_min >= %s",
                            100 * c->confidence, c->z, c->sigma_min_lower_text);
        return snprintf(buf, size, "nonsingular (certified, %s radii): "
                        "σ_min >= %s", tkc_radius_kind_name(c->kind),
                        c->sigma_min_lower_text);
    default:
        return snprintf(buf, size, "undecided: %s", c->advice);
    }
}

/* ---- the precision ladder ------------------------------------------------ */

int tkc_certify_ladder(tkc_sigma_ladder *lad, size_t r, const double *mid,
                       tkc_error *err)
{
    static const mpfr_prec_t precs[TKC_LADDER_RUNGS] = {53, 128, 256, 512};
    memset(lad, 0, sizeof *lad);
    lad->trend = TKC_LADDER_UNCLEAR;
    if (r == 0 || !mid)
        return tkc_fail(err, TKC_EINPUT, "certify_ladder: empty matrix");
    mpfr_t keep[2];                          /* σ_min at 256 and 512 bits */
    mpfr_init2(keep[0], 512);
    mpfr_init2(keep[1], 512);
    mpfr_t *sv = malloc(r * sizeof *sv);
    int rc = sv ? TKC_SUCCESS
                : tkc_fail(err, TKC_ENOMEM, "certify_ladder: out of memory");
    for (int k = 0; k < TKC_LADDER_RUNGS && rc == TKC_SUCCESS; k++) {
        mpfr_prec_t p = precs[k];
        lad->prec[k] = p;
        tkc_mpmat *a = tkc_mpmat_alloc(r, r, p, err);
        if (!a) {
            rc = TKC_ENOMEM;
            break;
        }
        rc = tkc_mpmat_set_d(a, mid, r, err);
        for (size_t j = 0; j < r; j++)
            mpfr_init2(sv[j], p);
        if (rc == TKC_SUCCESS)
            rc = tkc_mpmat_singular_values(sv, a, err);
        if (rc == TKC_SUCCESS) {
            lad->sigma_min[k] = mpfr_get_d(sv[r - 1], MPFR_RNDN);
            tkc_mpfr_snprint(lad->sigma_min_text[k],
                             sizeof lad->sigma_min_text[k], sv[r - 1], 5);
            if (k >= 2)
                mpfr_set(keep[k - 2], sv[r - 1], MPFR_RNDN);
            if (k == TKC_LADDER_RUNGS - 1)
                lad->sigma_max = mpfr_get_d(sv[0], MPFR_RNDN);
        }
        for (size_t j = 0; j < r; j++)
            mpfr_clear(sv[j]);
        tkc_mpmat_free(a);
    }
    if (rc == TKC_SUCCESS) {
        mpfr_t d;
        mpfr_init2(d, 512);
        mpfr_sub(d, keep[0], keep[1], MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        mpfr_mul_2si(keep[0], keep[0], -64, MPFR_RNDN);
        if (mpfr_zero_p(keep[1]) || mpfr_cmp(keep[1], keep[0]) < 0)
            lad->trend = TKC_LADDER_SHRINKING;
        else {
            mpfr_div(d, d, keep[1], MPFR_RNDN);
            if (mpfr_cmp_d(d, 1e-10) <= 0)
                lad->trend = TKC_LADDER_STABLE;
        }
        mpfr_clear(d);
        snprintf(lad->text, sizeof lad->text,
                 "σ_min at 53/128/256/512 bits: %s / %s / %s / %s — %s",
                 lad->sigma_min_text[0], lad->sigma_min_text[1],
                 lad->sigma_min_text[2], lad->sigma_min_text[3],
                 lad->trend == TKC_LADDER_STABLE ? "stable"
                 : lad->trend == TKC_LADDER_SHRINKING
                     ? "shrinks with the precision: numerically singular"
                     : "unclear (ill-conditioned beyond 256 bits?)");
    }
    free(sv);
    mpfr_clear(keep[0]);
    mpfr_clear(keep[1]);
    return rc;
}

/* ---- Lemma 3.6: the permutation condition ------------------------------- */

static void cycles_text(char *buf, size_t size, const size_t *tau, size_t r)
{
    size_t used = 0;
    char seen[TKC_PERM_EXHAUSTIVE_MAX] = {0};
    buf[0] = '\0';
    for (size_t i = 0; i < r; i++) {
        if (seen[i] || tau[i] == i)
            continue;
        used += snprintf(buf + used, used < size ? size - used : 0, "(");
        for (size_t j = i; !seen[j]; j = tau[j]) {
            seen[j] = 1;
            used += snprintf(buf + used, used < size ? size - used : 0,
                             "%s%zu", j == i ? "" : " ", j);
        }
        used += snprintf(buf + used, used < size ? size - used : 0, ")");
    }
}

static int next_permutation(size_t *p, size_t n)
{
    if (n < 2)
        return 0;
    size_t i = n - 1;
    while (i > 0 && p[i - 1] >= p[i])
        i--;
    if (i == 0)
        return 0;
    size_t j = n - 1;
    while (p[j] <= p[i - 1])
        j--;
    size_t t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
    for (size_t a = i, b = n - 1; a < b; a++, b--)
        t = p[a], p[a] = p[b], p[b] = t;
    return 1;
}

/* Exhaustive over τ ≠ id (r <= 8): sum differences enclosed by mpfr_sum. */
static void perm_exhaustive(tkc_perm_condition *out, size_t r, const double *a,
                            const double *rad)
{
    enum { M = TKC_PERM_EXHAUSTIVE_MAX };
    mpfr_t val[2 * M], rv[2 * M], lo, hi, rs, sep, best;
    mpfr_ptr pv[2 * M], pr[2 * M];
    for (size_t k = 0; k < 2 * M; k++) {
        mpfr_init2(val[k], 53);
        mpfr_init2(rv[k], 53);
        pv[k] = val[k];
        pr[k] = rv[k];
    }
    mpfr_inits2(64, lo, hi, rs, sep, best, (mpfr_ptr)0);
    mpfr_set_inf(best, 1);
    size_t tau[M];
    int violated = 0;
    for (size_t i = 0; i < r; i++)
        tau[i] = i;
    while (next_permutation(tau, r)) {
        size_t m = 0;
        for (size_t i = 0; i < r; i++) {
            if (tau[i] == i)
                continue;
            mpfr_set_d(val[m], a[i * r + i], MPFR_RNDN);          /* exact */
            mpfr_set_d(val[m + 1], -a[i * r + tau[i]], MPFR_RNDN);
            mpfr_set_d(rv[m], rad ? rad[i * r + i] : 0, MPFR_RNDN);
            mpfr_set_d(rv[m + 1], rad ? rad[i * r + tau[i]] : 0, MPFR_RNDN);
            m += 2;
        }
        mpfr_sum(lo, pv, m, MPFR_RNDD);
        mpfr_sum(hi, pv, m, MPFR_RNDU);
        mpfr_sum(rs, pr, m, MPFR_RNDU);
        /* separation: max(lo − rs, −hi − rs), a lower bound of |D| − rs */
        mpfr_sub(sep, lo, rs, MPFR_RNDD);
        mpfr_neg(hi, hi, MPFR_RNDD);
        mpfr_sub(hi, hi, rs, MPFR_RNDD);
        mpfr_max(sep, sep, hi, MPFR_RNDD);
        int exact_tie = mpfr_zero_p(lo) && mpfr_zero_p(rs) && mpfr_zero_p(hi);
        if ((exact_tie && !violated) || (!violated && mpfr_cmp(sep, best) < 0)) {
            mpfr_set(best, sep, MPFR_RNDD);
            memcpy(out->witness, tau, r * sizeof *tau);
            violated = exact_tie;
        }
    }
    out->margin = mpfr_get_d(best, MPFR_RNDD);
    out->status = violated ? TKC_PERM_VIOLATED
                : mpfr_sgn(best) > 0 ? TKC_PERM_ESTABLISHED
                                     : TKC_PERM_NOT_ESTABLISHED;
    if (r > 1)
        cycles_text(out->witness_text, sizeof out->witness_text, out->witness,
                    r);
    snprintf(out->method, sizeof out->method, "exhaustive over all %zu! "
             "permutations, each |Σ A_ii − Σ A_iτ(i)| minus its summed radii "
             "bounded below with MPFR directed rounding", r);
    for (size_t k = 0; k < 2 * M; k++) {
        mpfr_clear(val[k]);
        mpfr_clear(rv[k]);
    }
    mpfr_clears(lo, hi, rs, sep, best, (mpfr_ptr)0);
}

/* Smallest cycle weight (a lower bound) of the digraph with edge weights
 * w_ij = sgn·(A_ii − A_ij) − rad_ii − rad_ij (i ≠ j), rounded down,
 * by Floyd–Warshall rounded down; stored in out_min. */
static int min_cycle_lower(mpfr_t out_min, size_t r, const double *a,
                           const double *rad, int sgn, tkc_error *err)
{
    tkc_mpmat *d = tkc_mpmat_alloc(r, r, 128, err);
    if (!d)
        return TKC_ENOMEM;
    mpfr_t t;
    mpfr_init2(t, 128);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            mpfr_ptr e = TKC_MPMAT(d, i, j);
            if (i == j) {
                mpfr_set_inf(e, 1);
                continue;
            }
            size_t p1 = sgn > 0 ? i * r + i : i * r + j;   /* exact set, */
            size_t p2 = sgn > 0 ? i * r + j : i * r + i;   /* sub down   */
            mpfr_set_d(e, a[p1], MPFR_RNDD);
            mpfr_sub_d(e, e, a[p2], MPFR_RNDD);
            if (rad) {
                mpfr_sub_d(e, e, rad[i * r + i], MPFR_RNDD);
                mpfr_sub_d(e, e, rad[i * r + j], MPFR_RNDD);
            }
        }
    for (size_t k = 0; k < r; k++)
        for (size_t i = 0; i < r; i++) {
            if (mpfr_inf_p(TKC_MPMAT(d, i, k)))
                continue;
            for (size_t j = 0; j < r; j++) {
                mpfr_add(t, TKC_MPMAT(d, i, k), TKC_MPMAT(d, k, j), MPFR_RNDD);
                if (mpfr_cmp(t, TKC_MPMAT(d, i, j)) < 0)
                    mpfr_set(TKC_MPMAT(d, i, j), t, MPFR_RNDD);
            }
        }
    mpfr_set_inf(out_min, 1);
    for (size_t i = 0; i < r; i++)
        mpfr_min(out_min, out_min, TKC_MPMAT(d, i, i), MPFR_RNDD);
    mpfr_clear(t);
    tkc_mpmat_free(d);
    return TKC_SUCCESS;
}

static int perm_cycles(tkc_perm_condition *out, size_t r, const double *a,
                       const double *rad, tkc_error *err)
{
    mpfr_t up, down;
    mpfr_inits2(128, up, down, (mpfr_ptr)0);
    int rc = min_cycle_lower(up, r, a, rad, +1, err);
    if (rc == TKC_SUCCESS)
        rc = min_cycle_lower(down, r, a, rad, -1, err);
    if (rc == TKC_SUCCESS) {
        int is_max = mpfr_sgn(up) > 0, is_min = mpfr_sgn(down) > 0;
        mpfr_max(up, up, down, MPFR_RNDD);
        out->margin = mpfr_get_d(up, MPFR_RNDD);
        out->status = is_max || is_min ? TKC_PERM_ESTABLISHED
                                       : TKC_PERM_NOT_ESTABLISHED;
        snprintf(out->method, sizeof out->method, "sufficient test for r > %d: "
                 "identity the unique maximum or minimum assignment for every "
                 "matrix in the box (every cycle of w_ij = ±(A_ii − A_ij) − "
                 "radii positive; Floyd–Warshall in MPFR rounded down)%s",
                 TKC_PERM_EXHAUSTIVE_MAX,
                 is_max ? ": identity is the unique maximum"
                 : is_min ? ": identity is the unique minimum" : "");
    }
    mpfr_clears(up, down, (mpfr_ptr)0);
    return rc;
}

int tkc_certify_permutation_condition(tkc_perm_condition *out, size_t r,
                                      const double *a, const double *radius,
                                      tkc_error *err)
{
    memset(out, 0, sizeof *out);
    if (r == 0 || !a)
        return tkc_fail(err, TKC_EINPUT, "permutation condition: empty matrix");
    for (size_t k = 0; k < r * r; k++)
        if (!isfinite(a[k]) || (radius && !(radius[k] >= 0 &&
                                             isfinite(radius[k]))))
            return tkc_fail(err, TKC_EINPUT, "permutation condition: entry "
                            "(%zu, %zu) or its radius is not finite/valid",
                            k / r, k % r);
    int rc = TKC_SUCCESS;
    if (r <= TKC_PERM_EXHAUSTIVE_MAX)
        perm_exhaustive(out, r, a, radius);
    else
        rc = perm_cycles(out, r, a, radius, err);
    if (rc)
        return rc;
    static const char *const word[] = {"not established", "established",
                                       "violated (exactly)"};
    snprintf(out->text, sizeof out->text, "Lemma 3.6 permutation condition %s "
             "(margin %.3g%s%s)", word[out->status], out->margin,
             out->witness_text[0] ? ", worst τ = " : "", out->witness_text);
    return TKC_SUCCESS;
}

/* ---- the exact small-β determinant ---------------------------------------- */

int tkc_series_det_snprint(char *buf, size_t size, const tkc_series_det *d)
{
    if (!d->determined)
        return snprintf(buf, size, "det N(β) = O(β^%lu): not determined by "
                        "the Taylor terms given (more terms needed, or N is "
                        "singular)", 2 * d->order_lower_bound);
    return gmp_snprintf(buf, size, "det N(β) = %Qd·β^%lu + O(β^%lu): N is "
                        "nonsingular for all small enough β > 0", d->leading,
                        2 * d->order, 2 * d->order + 2);
}

void tkc_series_det_init(tkc_series_det *d)
{
    d->determined = 0;
    d->order = d->order_lower_bound = 0;
    mpq_init(d->leading);
}

void tkc_series_det_clear(tkc_series_det *d)
{
    mpq_clear(d->leading);
}

/* Series of t, P coefficients each; entry (a, b) of the working matrix. */
#define SER(m, a, b) ((m) + ((a) * r + (b)) * P)

static size_t valuation(const mpq_t *s, size_t P)
{
    size_t v = 0;
    while (v < P && mpq_sgn(s[v]) == 0)
        v++;
    return v;
}

static void swap_series(mpq_t *x, mpq_t *y, size_t P)
{
    for (size_t i = 0; i < P; i++)
        mpq_swap(x[i], y[i]);
}

int tkc_series_det_leading(tkc_series_det *d, size_t r, size_t P,
                           const mpq_t *coef, tkc_error *err)
{
    if (r == 0 || P == 0)
        return tkc_fail(err, TKC_EINPUT, "series_det: need r >= 1 and at "
                        "least one Taylor term (r = %zu, terms = %zu)", r, P);
    if (r > SIZE_MAX / r / P / 2 / sizeof(mpq_t))
        return tkc_fail(err, TKC_ENOMEM, "series_det: too large");
    mpq_t *m = malloc(r * r * P * sizeof *m), *q = malloc(2 * P * sizeof *q);
    if (!m || !q) {
        free(m);
        free(q);
        return tkc_fail(err, TKC_ENOMEM, "series_det: out of memory");
    }
    for (size_t a = 0; a < r; a++)
        for (size_t b = 0; b < r; b++)
            for (size_t i = 0; i < P; i++) {
                mpq_init(SER(m, a, b)[i]);
                mpq_set(SER(m, a, b)[i], coef[(i * r + a) * r + b]);
            }
    mpq_t *f = q + P, t;
    for (size_t i = 0; i < 2 * P; i++)
        mpq_init(q[i]);
    mpq_init(t);
    int sign = 1;
    size_t vsum = 0;
    mpq_set_ui(d->leading, 1, 1);
    d->determined = 1;
    for (size_t k = 0; k < r; k++) {
        /* pivot: least valuation in the trailing submatrix */
        size_t pa = k, pb = k, v = P;
        for (size_t a = k; a < r; a++)
            for (size_t b = k; b < r; b++) {
                size_t va = valuation(SER(m, a, b), P);
                if (va < v)
                    v = va, pa = a, pb = b;
            }
        if (v == P) {          /* everything left is 0 mod t^P */
            d->determined = 0;
            d->order_lower_bound = vsum + (r - k) * P;
            break;
        }
        if (pa != k) {
            for (size_t b = 0; b < r; b++)
                swap_series(SER(m, pa, b), SER(m, k, b), P);
            sign = -sign;
        }
        if (pb != k) {
            for (size_t a = 0; a < r; a++)
                swap_series(SER(m, a, pb), SER(m, a, k), P);
            sign = -sign;
        }
        mpq_t *p = SER(m, k, k);
        mpq_mul(d->leading, d->leading, p[v]);
        vsum += v;
        /* q = (p / t^v)^{-1} mod t^(P-v) */
        size_t L = P - v;
        mpq_inv(q[0], p[v]);
        for (size_t i = 1; i < L; i++) {
            mpq_set_ui(q[i], 0, 1);
            for (size_t j = 1; j <= i; j++) {
                mpq_mul(t, p[v + j], q[i - j]);
                mpq_add(q[i], q[i], t);
            }
            mpq_mul(q[i], q[i], q[0]);
            mpq_neg(q[i], q[i]);
        }
        for (size_t a = k + 1; a < r; a++) {
            mpq_t *e = SER(m, a, k);
            if (valuation(e, P) == P)
                continue;
            /* f = (e / t^v) · q mod t^(P-v); e has valuation >= v */
            for (size_t i = 0; i < L; i++) {
                mpq_set_ui(f[i], 0, 1);
                for (size_t j = 0; j <= i; j++) {
                    mpq_mul(t, e[v + j], q[i - j]);
                    mpq_add(f[i], f[i], t);
                }
            }
            /* row_a −= f · row_k mod t^P; row_k entries have valuation >= v,
             * so f's unknown coefficients (index >= P−v) never reach t^P. */
            for (size_t b = k + 1; b < r; b++) {
                mpq_t *x = SER(m, a, b), *y = SER(m, k, b);
                for (size_t j = v; j < P; j++) {
                    if (mpq_sgn(y[j]) == 0)
                        continue;
                    for (size_t i = 0; i + j < P; i++) {
                        mpq_mul(t, f[i], y[j]);
                        mpq_sub(x[i + j], x[i + j], t);
                    }
                }
            }
        }
    }
    if (d->determined) {
        d->order = vsum;
        if (sign < 0)
            mpq_neg(d->leading, d->leading);
    } else
        mpq_set_ui(d->leading, 0, 1);
    for (size_t i = 0; i < r * r * P; i++)
        mpq_clear(m[i]);
    for (size_t i = 0; i < 2 * P; i++)
        mpq_clear(q[i]);
    mpq_clear(t);
    free(m);
    free(q);
    return TKC_SUCCESS;
}
