/* certify.c — box certificates (docs/verdicts.md): is every matrix within the
 * entry radii of a midpoint nonsingular?  Exact structure first (equal or
 * zero rows/columns with zero radii: singular), then Rump's test and the
 * Weyl/Cholesky bound, both proved with directed rounding; statistical
 * radii come from Bonferroni's per-entry quantile.
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

#include "c_locale.h"
#include "mpmat.h"
#include "progress.h"

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
    case TKC_RADIUS_ESTIMATE:    return "estimate";
    case TKC_RADIUS_STATISTICAL: return "statistical";
    case TKC_RADIUS_CONFIDENCE:  return "confidence";
    default:                     return "rigorous";
    }
}

/* The evidence radii of a kind give. */
static tkc_evidence_kind evidence_of(tkc_radius_kind k)
{
    switch (k) {
    case TKC_RADIUS_ESTIMATE:    return TKC_EVIDENCE_ESTIMATE;
    case TKC_RADIUS_STATISTICAL:
    case TKC_RADIUS_CONFIDENCE:  return TKC_EVIDENCE_CONFIDENCE;
    default:                     return TKC_EVIDENCE_PROVED;
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

/* ---- rigorous norms ----------------------------------------------------- */

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

/* ---- the verdict's working state ---------------------------------------- */

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
    const tkc_progress *progress;
} work;

static int work_init(work *w, const tkc_certify_input *in, tkc_error *err)
{
    size_t n = in->r;
    memset(w, 0, sizeof *w);
    w->n = n;
    w->prec = in->prec ? in->prec : 128;
    w->progress = in->progress;
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
    tkc_progress_stage(w->progress, 0, 0, "certificate: inverse at "
                       "%ld bits, r = %zu", (long)w->prec, n);
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
    tkc_progress_count count;
    tkc_progress_count_begin(&count, w->progress, n, "certificate: residual");
    for (size_t i = 0; i < n; tkc_progress_count_step(&count, ++i))
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

/* ---- σ_min estimate (power iteration on RᵀR in scaled doubles) ---------- */

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

/* ---- the verdict -------------------------------------------------------- */

static int check_input(const tkc_certify_input *in, tkc_error *err)
{
    if (!in || in->r == 0 || !in->mid)
        return tkc_fail(err, TKC_EINPUT, "certify: empty matrix");
    if (in->kind != TKC_RADIUS_RIGOROUS && in->kind != TKC_RADIUS_ESTIMATE &&
        in->kind != TKC_RADIUS_STATISTICAL && in->kind != TKC_RADIUS_CONFIDENCE)
        return tkc_fail(err, TKC_EINPUT, "certify: unknown radius kind %d",
                        (int)in->kind);
    if (evidence_of(in->kind) == TKC_EVIDENCE_CONFIDENCE &&
        !(in->confidence > 0 && in->confidence < 1))
        return tkc_fail(err, TKC_EINPUT, "certify: confidence %g is not in "
                        "(0, 1)", in->confidence);
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
    const char *box =
        c->kind == TKC_RADIUS_STATISTICAL
            ? "every matrix within z·se of the estimates (Bonferroni over "
              "the entries; holds the true N at the stated joint confidence)"
        : c->kind == TKC_RADIUS_CONFIDENCE
            ? "every matrix within the radii (they hold the true N at the "
              "stated joint confidence)"
        : c->kind == TKC_RADIUS_ESTIMATE
            ? "every matrix within the estimated radii (a proof for N only "
              "if the estimates bound the error)"
            : "every matrix within the rigorous radii (they hold the true N)";
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
    else if (c->evidence == TKC_EVIDENCE_CONFIDENCE)
        snprintf(c->advice, sizeof c->advice, "radii must shrink by a factor "
                 "> %.3g: about %.3g times more Monte Carlo samples at the same "
                 "confidence, or a lower-variance estimator (qmc, or the "
                 "series/closed form at small β)", c->shrink_factor,
                 c->samples_factor);
    else if (c->kind == TKC_RADIUS_ESTIMATE)
        snprintf(c->advice, sizeof c->advice, "estimated radii must shrink "
                 "by a factor > %.3g: a higher series order where it still "
                 "converges, or another estimator (closed form, qmc/mc with "
                 "enough samples)", c->shrink_factor);
    else
        snprintf(c->advice, sizeof c->advice, "rigorous radii must shrink by "
                 "a factor > %.3g: compute the entries at higher precision",
                 c->shrink_factor);
}

static int certify(tkc_certificate *cert, const tkc_certify_input *in,
                   tkc_error *err)
{
    cert_reset(cert);
    int rc = check_input(in, err);
    if (rc)
        return rc;
    size_t n = in->r;
    cert->kind = in->kind;
    cert->evidence = evidence_of(in->kind);
    cert->confidence = cert->evidence == TKC_EVIDENCE_CONFIDENCE
                           ? in->confidence
                           : cert->evidence == TKC_EVIDENCE_PROVED;
    cert->prec = in->prec ? in->prec : 128;
    double z = 0;
    if (in->kind == TKC_RADIUS_STATISTICAL) {
        rc = tkc_certify_bonferroni_z(&z, in->confidence,
                                      in->n_estimates ? in->n_estimates : n * n,
                                      err);
        if (rc)
            return rc;
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
        tkc_progress_stage(w.progress, 0, 0, "certificate: Weyl's "
                           "bound");
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

/* The evidence in parentheses after a verdict: "exact" (singular) or
 * "proved" (nonsingular), "C% confidence", "estimate". */
static void evidence_words(char *buf, size_t size, const tkc_certificate *c)
{
    char pct[32];
    tkc_evidence_percent(pct, sizeof pct, c->confidence);
    if (c->evidence == TKC_EVIDENCE_CONFIDENCE && c->kind == TKC_RADIUS_STATISTICAL)
        snprintf(buf, size, "%s confidence, z = %.3f per entry", pct, c->z);
    else if (c->evidence == TKC_EVIDENCE_CONFIDENCE)
        snprintf(buf, size, "%s confidence", pct);
    else if (c->evidence == TKC_EVIDENCE_ESTIMATE)
        snprintf(buf, size, "estimate");
    else
        snprintf(buf, size, c->verdict == TKC_VERDICT_SINGULAR ? "exact"
                                                               : "proved");
}

/* Both write numbers as text: in the C locale (c_locale.h). */
int tkc_certify(tkc_certificate *cert, const tkc_certify_input *in,
                tkc_error *err)
{
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    int rc = certify(cert, in, err);
    tkc_c_locale_leave(&g);
    return rc;
}

static int certificate_snprint(char *buf, size_t size,
                               const tkc_certificate *c)
{
    char ev[64];
    evidence_words(ev, sizeof ev, c);
    switch (c->verdict) {
    case TKC_VERDICT_SINGULAR:
        return snprintf(buf, size, "singular (%s): %s", ev, c->reason);
    case TKC_VERDICT_NONSINGULAR:
        return snprintf(buf, size, "nonsingular (%s): σ_min >= %s", ev,
                        c->sigma_min_lower_text);
    default:
        return snprintf(buf, size, "undecided: %s", c->advice);
    }
}

int tkc_certificate_snprint(char *buf, size_t size, const tkc_certificate *c)
{
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    int n = certificate_snprint(buf, size, c);
    tkc_c_locale_leave(&g);
    return n;
}
