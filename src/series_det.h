/* series_det.h (internal) — the exact small-β leading term of det N_attn(β)
 * (series_det.c): Lemma 3.7's route to nonsingularity, in exact rational
 * arithmetic from the Taylor coefficients of tkc/series.h.
 *
 * N(β) = Σ_i N_i t^i with t = β², of which the caller knows N_0 …
 * N_{nterms-1}: exact rational r×r matrices, coef[(i*r + a)*r + b] =
 * (N_i)_ab.  tkc_series_det_leading computes, exactly, det N(β) =
 * leading · t^order + O(t^(order+1)), valid whatever the unknown terms
 * N_nterms, … are.
 * Method: Gaussian elimination over the power series Q[[t]] with full
 * pivoting on the least t-valuation.  Every entry of the trailing matrix has
 * valuation >= the pivot's, so the elimination keeps all entries exact mod
 * t^nterms; the determinant is ± the product of the pivots, so its order
 * (Σ of pivot valuations) and leading coefficient (Π of their leading
 * coefficients) are exact as soon as every pivot has valuation < nterms —
 * the order itself may exceed nterms.  If at some step the whole trailing
 * s×s matrix is 0 mod t^nterms (e.g. exactly equal rows), determined = 0
 * and order_lower_bound = (Σ valuations so far) + s·nterms: det =
 * O(t^order_lower_bound); more Taylor terms are needed, or the matrix is
 * singular.  A nonzero leading coefficient proves N(β) nonsingular for all
 * small enough β > 0 (N is smooth in β, so Taylor's theorem gives det N(β)
 * = leading·β^(2·order)·(1 + O(β²)); the β-series being only asymptotic
 * does not matter here).  Cost O(r³ nterms²) rational operations.
 * Everything is exact (GMP rationals); reentrant. */
#ifndef TKC_SERIES_DET_H
#define TKC_SERIES_DET_H

#include <stddef.h>
#include <gmp.h>

#include "tkc/error.h"
#include "tkc/nmatrix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_series_det {
    int determined;
    unsigned long order;              /* power of t = β² (β power 2·order)   */
    mpq_t leading;
    unsigned long order_lower_bound;  /* when !determined                     */
} tkc_series_det;

void tkc_series_det_init(tkc_series_det *d);
void tkc_series_det_clear(tkc_series_det *d);
int tkc_series_det_leading(tkc_series_det *d, size_t r, size_t nterms,
                           const mpq_t *coef, tkc_error *err);

/* The same for the attention matrix N_attn on the strings of nm (whatever
 * nm's kernel: N_attn is what Lemma 3.7 is about) at γ = gamma, from its
 * Taylor terms β^0 .. β^(2(nterms−1)): each distinct pair pattern's table
 * (tkc_series_compute) once, then the coefficient matrices at γ² exactly
 * (a double γ is an exact rational).  TKC_ERANGE when the tables would cost
 * more than about 2e8 tkc_series_cost units; TKC_EINPUT when nterms is 0 or
 * beyond TKC_SERIES_ORDER_MAX / 2 + 1. */
int tkc_series_det_attn(tkc_series_det *d, const tkc_nmatrix *nm,
                        double gamma, size_t nterms, tkc_error *err);

/* "det N(β) = -3/64·β^4 + O(β^6): N is nonsingular for all small enough
 * β > 0", or the undetermined statement. */
int tkc_series_det_snprint(char *buf, size_t size, const tkc_series_det *d);

#ifdef __cplusplus
}
#endif
#endif
