/* mlp.h (internal) — the MLP kernels, the contrast to the transformer
 * (docs/mathematics.md): random-features kernels of a depth-L MLP with
 * activation φ (trained in its last layer only) on two encodings of a
 * string x of length k:
 *
 *   mlp    concatenated one-hot vectors, normalized by k:
 *            K⁰(x, y) = #{a : x_a = y_a} / k            (so K⁰(x, x) = 1)
 *   mlpxx  the same augmented by vec(XXᵀ) (the paper's Fig. 25 baseline);
 *          each block is scaled to have norm² ≤ 1 and the two are averaged:
 *            K⁰(x, y) = ½ (#{a : x_a = y_a} / k + ⟨XXᵀ, YYᵀ⟩_F / k²)
 *          with ⟨XXᵀ, YYᵀ⟩_F = #{(a, b) : x_a = x_b and y_a = y_b}, the
 *          number of position pairs on which x and y have the same relation;
 *          K⁰(x, x) = ½ (1 + #{(a, b) : x_a = x_b} / k²) ∈ [½ + 1/(2k), 1].
 *
 * Depth L = spec->mlp_depth hidden layers by the usual recursion
 *   K^{l+1}(x, y) = dual_φ(K^l(x, x), K^l(y, y), K^l(x, y)),  K = K^L
 * (L = 0 gives the input inner product itself).  For mlp, K is an
 * inner-product kernel κ(#matches) — which is why its N is singular for
 * templates told apart only by wildcard relations (docs/mathematics.md).
 *
 * These are closed forms, evaluated in ball arithmetic (mlp_arb.h, Arb at
 * TKC_ARB_PREC bits) from the exact input Gram rationals: error kind
 * TKC_ERROR_ROUNDING, value the double nearest the ball's centre and se a
 * rigorous bound, so that [value − se, value + se] contains the exact
 * kernel value (a proof, tkc/evidence.h).  The kernel is a function of the
 * three input Grams alone, so the kernel types evaluate each distinct
 * triple once. */
#ifndef TKC_MLP_H
#define TKC_MLP_H

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One value of the mlp / mlpxx kernel (spec->activation, spec->mlp_depth):
 * *K and the rigorous bound *se, as above. */
int tkc_mlp_kernel_onehot(const tkc_kernel_spec *spec, const tkc_token *x,
                          const tkc_token *y, size_t k, double *K, double *se,
                          tkc_error *err);
int tkc_mlp_kernel_xx(const tkc_kernel_spec *spec, const tkc_token *x,
                      const tkc_token *y, size_t k, double *K, double *se,
                      tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
