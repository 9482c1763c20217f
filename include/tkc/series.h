/* tkc/series.h — exact Taylor coefficients of K_attn at β = γ = 0.
 *
 * K_attn is even in β and in γ; its β-series is asymptotic (docs/series.md):
 *
 *     K_attn = Σ_i β^{2i} c_i(γ²),   c_i(g) = Σ_j c_{ij} g^j,  c_{ij} ∈ ℚ,
 *
 * with deg c_i ≤ i + 1.  tkc_series_compute fills the table c_{ij} for
 * 2i ≤ order exactly (GMP rationals; no floating point anywhere).
 *
 * Method (details in series.c): the heat-kernel identity
 *     E[F(βw)] = exp(β² Δ_Σ / 2) F |_0
 * with Δ_Σ split into the u-side, the v-side and the cross part, so that the
 * expectation factorizes over the cross "links" (shared tokens and positions);
 * the derivatives of the softmax at 0 along token classes are exact integers
 * over k^{D+1}, computed through a Poisson (Touchard) representation and
 * cached by their token-symmetric shape.
 *
 * Cost grows like Σ_l C(L_c + l − 1, l) · C(L_s + D/2 − l, D/2 − l) · k
 * (tkc_series_cost), L_c = shared tokens + k, L_s = tokens of one string
 * + k: polynomial in k of degree ~D for fixed D, and ~8x per step of 2 in D
 * at k = 11.  Measured on one core (bench/RESULTS.md): k <= 6 at D = 10 in
 * at most 0.3 s; the length-11 pairs of distribution-of-3 at D = 6, 8, 10,
 * 12 in 0.01, 0.1, 0.8, 6 s. */
#ifndef TKC_SERIES_H
#define TKC_SERIES_H

#include <stddef.h>

#include <gmp.h>
#include <mpfr.h>

#include "tkc/error.h"
#include "tkc/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one limit on orders, everywhere: a table reaches at most β^40
 * (beyond it the cost is prohibitive for any k > 2 and the asymptotic
 * series is useless anyway).  A sum with an error estimate needs the next
 * term, so the series estimator and fixed-order sums stop at β^38
 * (TKC_SERIES_ORDER_MAX − 2).  Orders are even (K_attn is even in β): an
 * odd one is refused, not rounded. */
#define TKC_SERIES_ORDER_MAX 40

typedef struct tkc_series {
    int order;        /* D: largest power of β (even)                            */
    int nbeta;        /* D/2 + 1 rows: β^0, β^2, ..., β^D                        */
    int ngamma;       /* D/2 + 2 columns: γ^0, γ^2, ..., γ^{D+2}                 */
    mpq_t *c;         /* c[i * ngamma + j]: coefficient of β^{2i} γ^{2j}          */
} tkc_series;

/* A zero table for orders 0..order (even, 0 ≤ order ≤ TKC_SERIES_ORDER_MAX;
 * EINPUT otherwise). */
TKC_API tkc_series *tkc_series_alloc(int order, tkc_error *err);
TKC_API void tkc_series_free(tkc_series *s);

/* The coefficient of β^{2i} γ^{2j} (i < nbeta, j < ngamma). */
static inline mpq_ptr tkc_series_coeff(const tkc_series *s, int i, int j)
{
    return s->c[(size_t)i * (size_t)s->ngamma + (size_t)j];
}

/* Fill s (of its own order) with the exact coefficients for the pair whose
 * canonical pattern is pat.  The table depends only on the unordered pattern;
 * exact symmetry in (x, y) is a tested property. */
TKC_API int tkc_series_compute(tkc_series *s, const tkc_pattern *pat,
                               tkc_error *err);

/* Same, for a raw pair of token strings of length k (relabelled internally). */
TKC_API int tkc_series_compute_pair(tkc_series *s, const tkc_token *x,
                                    const tkc_token *y, size_t k,
                                    tkc_error *err);

/* ---- total order: the graded coefficients ------------------------------ */

/* The monomials β^{2a} γ^{2b} of a total order D (even): 2a + 2b <= D and
 * b <= a + 1 (the others vanish identically, deg c_a <= a + 1), in the
 * graded order: by total degree a + b, lowest first; within a degree by
 * increasing power of γ (β^{2n}, β^{2n−2}γ², ...).  Index 0 is β^0γ^0.
 * tkc_series_monomials(D) is their number (1, 3, 5, 8, 11, 15, ... for
 * D = 0, 2, 4, ...), 0 when D is odd, negative or above
 * TKC_SERIES_ORDER_MAX; a longer list extends a shorter one. */
TKC_API size_t tkc_series_monomials(int total_order);
/* The monomial at index: β^{2a} γ^{2b}. */
TKC_API void tkc_series_monomial(size_t index, int *a, int *b);
/* The index of β^{2a} γ^{2b}, or -1 when b > a + 1 (identically zero). */
TKC_API long tkc_series_monomial_index(int a, int b);

/* Spell β^{2a} γ^{2b}: "β^6γ^4", "β^2", "γ^2", "β^0"; returns the length
 * snprintf would have written. */
TKC_API int tkc_series_monomial_name(char *buf, size_t size, int a, int b);

/* The coefficients of a total order for one pattern (the engine under
 * tkc/coeffs.h, with a derivative cache per thread) are internal; the
 * coefficient matrices of a template set are tkc/coeffs.h. */

/* c_i(g) for a rational g = γ²: exact. */
TKC_API void tkc_series_beta_coeff_q(mpq_t out, const tkc_series *s, int i,
                                     const mpq_t g);
/* c_i(g) in MPFR (rounded to nearest at out's precision, Horner). */
TKC_API void tkc_series_beta_coeff_fr(mpfr_t out, const tkc_series *s, int i,
                                      const mpfr_t g);

/* The series summed at (β, γ) in MPFR at `prec` bits: terms
 * t_i = c_i(γ²) β^{2i}, i < s->nbeta.
 *   fixed_order > 0 (even): the sum of the terms of order ≤ fixed_order
 *     (the table must reach fixed_order + 2);
 *   fixed_order = 0: optimal truncation inside the table: i* = the index
 *     ≥ 1 of the smallest nonzero |t_i|; the sum of t_0 .. t_{i*-1}.
 * The error estimate is the first nonzero term omitted, never a vanishing
 * one; when the table holds none (order 0, or nothing but zeros past the
 * sum) it is the distance from the sum to the far end of [0, 1 + γ²], the
 * range K_attn lies in: the only thing the table then says.
 * *value and *se as doubles (se also covers MPFR rounding); value_fr
 * (nullable, its own precision) receives the MPFR sum.  info (nullable):
 * order_used = largest β power summed, smallest_at = i* (nbeta when no
 * nonzero term follows t_0), at_end = 1 when the smallest term is the
 * table's last or beyond (a longer table may do better). */
typedef struct tkc_series_sum_info {
    int order_used;
    int smallest_at;
    int at_end;
} tkc_series_sum_info;

TKC_API int tkc_series_sum(const tkc_series *s, double beta, double gamma,
                           long prec, int fixed_order, double *value,
                           double *se, mpfr_t value_fr,
                           tkc_series_sum_info *info, tkc_error *err);

/* A rough count of the inner operations tkc_series_compute will do for this
 * pattern at this order: lets callers (the series estimator, auto) keep the
 * order affordable.  Monotone in order. */
TKC_API double tkc_series_cost(const tkc_pattern *pat, int order);
/* The same count for tkc_series_compute_graded through total order D. */
TKC_API double tkc_series_cost_graded(const tkc_pattern *pat, int total_order);

#ifdef __cplusplus
}
#endif
#endif
