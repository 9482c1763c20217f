/* series_det.c — the exact small-β leading term of det N_attn(β) (the
 * contract is at the top of series_det.h).
 *
 * Two steps: the coefficient matrices N_t of N_attn(β) = Σ_t N_t β^(2t) from
 * the exact Taylor tables of series.c, one table per distinct pair pattern;
 * then Gaussian elimination over Q[[t]], t = β², which keeps every entry
 * exact modulo t^P (P = the number of known terms).  No floating point: the
 * statement "det N(β) = c·β^(2m) + O(β^(2m+2))" is a proof for the set's γ. */
#include "series_det.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tkc/series.h"

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

/* The working matrix: r×r series in t of P coefficients each; SER is the
 * series of entry (a, b). */
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

/* Full pivoting on the least valuation in the trailing matrix from (k, k):
 * moves the pivot to (k, k) and returns its valuation (P: everything left is
 * 0 mod t^P); *sign flips with each row or column swap. */
static size_t pivot(mpq_t *m, size_t r, size_t P, size_t k, int *sign)
{
    size_t pa = k, pb = k, v = P;
    for (size_t a = k; a < r; a++)
        for (size_t b = k; b < r; b++) {
            size_t va = valuation(SER(m, a, b), P);
            if (va < v)
                v = va, pa = a, pb = b;
        }
    if (v == P)
        return P;
    if (pa != k) {
        for (size_t b = 0; b < r; b++)
            swap_series(SER(m, pa, b), SER(m, k, b), P);
        *sign = -*sign;
    }
    if (pb != k) {
        for (size_t a = 0; a < r; a++)
            swap_series(SER(m, a, pb), SER(m, a, k), P);
        *sign = -*sign;
    }
    return v;
}

/* q = (p / t^v)^{-1} mod t^L, p of valuation v (t: scratch). */
static void series_inverse(mpq_t *q, const mpq_t *p, size_t v, size_t L,
                           mpq_t t)
{
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
}

/* Row a −= f · row k mod t^P with f = (m_ak / t^v) · q mod t^(P−v): clears
 * column k below the pivot (f: L = P − v scratch coefficients). */
static void eliminate_row(mpq_t *m, size_t r, size_t P, size_t k, size_t a,
                          size_t v, const mpq_t *q, mpq_t *f, mpq_t t)
{
    size_t L = P - v;
    mpq_t *e = SER(m, a, k);
    if (valuation(e, P) == P)
        return;
    /* e has valuation >= v */
    for (size_t i = 0; i < L; i++) {
        mpq_set_ui(f[i], 0, 1);
        for (size_t j = 0; j <= i; j++) {
            mpq_mul(t, e[v + j], q[i - j]);
            mpq_add(f[i], f[i], t);
        }
    }
    /* row_k entries have valuation >= v, so f's unknown coefficients (index
     * >= P−v) never reach t^P. */
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

/* The elimination on m (r×r series, overwritten): fills d. */
static void eliminate(tkc_series_det *d, mpq_t *m, size_t r, size_t P,
                      mpq_t *q, mpq_t *f, mpq_t t)
{
    int sign = 1;
    size_t vsum = 0;
    mpq_set_ui(d->leading, 1, 1);
    d->determined = 1;
    for (size_t k = 0; k < r; k++) {
        size_t v = pivot(m, r, P, k, &sign);
        if (v == P) {          /* everything left is 0 mod t^P */
            d->determined = 0;
            d->order_lower_bound = vsum + (r - k) * P;
            break;
        }
        const mpq_t *p = SER(m, k, k);
        mpq_mul(d->leading, d->leading, p[v]);
        vsum += v;
        series_inverse(q, p, v, P - v, t);
        for (size_t a = k + 1; a < r; a++)
            eliminate_row(m, r, P, k, a, v, q, f, t);
    }
    if (d->determined) {
        d->order = vsum;
        if (sign < 0)
            mpq_neg(d->leading, d->leading);
    } else
        mpq_set_ui(d->leading, 0, 1);
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
    mpq_t t;
    for (size_t i = 0; i < 2 * P; i++)
        mpq_init(q[i]);
    mpq_init(t);
    eliminate(d, m, r, P, q, q + P, t);
    for (size_t i = 0; i < r * r * P; i++)
        mpq_clear(m[i]);
    for (size_t i = 0; i < 2 * P; i++)
        mpq_clear(q[i]);
    mpq_clear(t);
    free(m);
    free(q);
    return TKC_SUCCESS;
}

/* ---- N_attn's coefficient matrices -------------------------------------- */

/* Refuse tables that would take minutes: tkc_series_cost units (~1e6 per
 * second of one core, bench/RESULTS.md). */
#define SERIES_DET_COST_MAX 2e8

/* The Taylor table to β^order of each distinct pattern of N's entries
 * (ix), after checking that the whole costs less than SERIES_DET_COST_MAX. */
static int pattern_tables(const tkc_pattern_index *ix, int order,
                          tkc_series **tab, tkc_error *err)
{
    size_t n = tkc_pattern_index_size(ix);
    double cost = 0;
    for (size_t p = 0; p < n; p++)
        cost += tkc_series_cost(tkc_pattern_index_get(ix, p), order);
    if (cost > SERIES_DET_COST_MAX)
        return tkc_fail(err, TKC_ERANGE,
                        "exact series to beta^%d would take ~%.1e operations",
                        order, cost);
    for (size_t p = 0; p < n; p++)
        if (!(tab[p] = tkc_series_alloc(order, err)) ||
            tkc_series_compute(tab[p], tkc_pattern_index_get(ix, p), err))
            return err ? err->status : TKC_ENOMEM;
    return TKC_SUCCESS;
}

/* The coefficient matrices N_t (t = 0 .. nterms−1) of N_attn on nm's
 * strings at g = γ², exactly: coef[t·r² + e] for entry e. */
static int attn_coefficients(const tkc_nmatrix *nm, double gamma,
                             size_t nterms, mpq_t *coef, tkc_error *err)
{
    size_t r = nm->r;
    int order = 2 * (int)(nterms - 1);
    tkc_pattern_index *ix = NULL;
    long *id = malloc(r * r * sizeof *id);
    tkc_series **tab = calloc(r * r, sizeof *tab);
    int rc = (!id || !tab)
                 ? tkc_fail(err, TKC_ENOMEM, "out of memory for the series")
                 : tkc_nmatrix_patterns(nm, &ix, id, err);
    if (!rc)
        rc = pattern_tables(ix, order, tab, err);
    if (!rc) {
        mpq_t g;
        mpq_init(g);
        mpq_set_d(g, gamma);            /* exact: γ is a double */
        mpq_mul(g, g, g);
        for (size_t e = 0; e < r * r; e++)
            for (size_t t = 0; t < nterms; t++)
                tkc_series_beta_coeff_q(coef[t * r * r + e], tab[id[e]],
                                        (int)t, g);
        mpq_clear(g);
    }
    for (size_t p = 0; tab && p < r * r; p++)
        tkc_series_free(tab[p]);
    free(tab);
    free(id);
    tkc_pattern_index_free(ix);
    return rc;
}

int tkc_series_det_attn(tkc_series_det *d, const tkc_nmatrix *nm,
                        double gamma, size_t nterms, tkc_error *err)
{
    if (nterms < 1 || 2 * (nterms - 1) > TKC_SERIES_ORDER_MAX)
        return tkc_fail(err, TKC_EINPUT, "series terms must be 1..%d",
                        TKC_SERIES_ORDER_MAX / 2 + 1);
    size_t r = nm->r, n = nterms * r * r;
    mpq_t *coef = malloc(n * sizeof *coef);
    if (!coef)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for the series");
    for (size_t e = 0; e < n; e++)
        mpq_init(coef[e]);
    int rc = attn_coefficients(nm, gamma, nterms, coef, err);
    if (!rc)
        rc = tkc_series_det_leading(d, r, nterms, coef, err);
    for (size_t e = 0; e < n; e++)
        mpq_clear(coef[e]);
    free(coef);
    return rc;
}
