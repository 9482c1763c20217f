/* mlp_arb.h (internal) — the MLP kernels (mlp.h) as rigorous balls.
 *
 * The input Gram values are exact rationals, m/k for the one-hot encoding
 * and (k m + r)/(2k²) for the XXᵀ-augmented one (m = #{a : x_a = y_a},
 * r = ⟨XXᵀ, YYᵀ⟩_F), enclosed in balls at the working precision; the depth-L
 * recursion
 *   A ← dual(A, A, A),  B ← dual(B, B, B),  C ← dual(A, B, C)
 * runs in ball arithmetic (dual_arb.h): the self terms by the diagonal
 * form, the cross term by the general one, which clamps the box to the
 * covariances (so a ball that straddles the relu kink |C| = √(AB) stays
 * valid).  When x and y have equal Gram values (A = B = C as rationals,
 * e.g. x = y) the three are one quantity and the diagonal form is used
 * throughout.  Every result is a proof: no estimate enters. */
#ifndef TKC_MLP_ARB_H
#define TKC_MLP_ARB_H

#include <arb.h>

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The exact input Gram counts the recursion starts from. */
/* #{a : x_a = y_a}, the concatenated one-hot inner product. */
unsigned tkc_onehot_matches(const tkc_token *x, const tkc_token *y, size_t k);
/* ⟨XXᵀ, YYᵀ⟩_F = #{(a, b) : 1(x_a = x_b) = 1(y_a = y_b) = 1}. */
unsigned tkc_incidence_inner(const tkc_token *x, const tkc_token *y, size_t k);

/* K := K^depth(x, y) from input balls A0 = K⁰(x, x), B0 = K⁰(y, y),
 * C0 = K⁰(x, y) (three independent arguments). */
int tkc_mlp_arb_recursion(arb_t K, const tkc_activation_type *act,
                          const tkc_kernel_spec *spec, unsigned depth,
                          const arb_t A0, const arb_t B0, const arb_t C0,
                          slong prec, tkc_error *err);

/* The input Grams of (x, y) as numerators over one denominator: g = the
 * numerators of K⁰(x, x), K⁰(y, y), K⁰(x, y); den depends on k alone
 *   one-hot   (k, k, m) / k,
 *   XXᵀ       (k m_xx + r_xx, k m_yy + r_yy, k m + r) / (2k²)
 * with m = #{a : x_a = y_a} and r = ⟨XXᵀ, YYᵀ⟩_F (mlp.h). */
typedef void (*tkc_mlp_grams_fn)(const tkc_token *x, const tkc_token *y,
                                 size_t k, unsigned long g[3],
                                 unsigned long *den);
void tkc_mlp_grams_onehot(const tkc_token *x, const tkc_token *y, size_t k,
                          unsigned long g[3], unsigned long *den);
void tkc_mlp_grams_xx(const tkc_token *x, const tkc_token *y, size_t k,
                      unsigned long g[3], unsigned long *den);

/* K := the depth-spec->mlp_depth kernel (spec->activation) from the input
 * Grams a/den, b/den, c/den.  The kernel is a function of these three
 * alone: callers may cache on (a, b, c), and on (b, a, c) too (it is
 * symmetric in x, y). */
int tkc_mlp_arb_grams(arb_t K, const tkc_kernel_spec *spec, unsigned long a,
                      unsigned long b, unsigned long c, unsigned long den,
                      slong prec, tkc_error *err);

/* One value of the mlp / mlpxx kernel (spec->activation, spec->mlp_depth),
 * as a ball.  Same arguments and normalization as tkc_mlp_kernel_onehot /
 * tkc_mlp_kernel_xx. */
int tkc_mlp_arb_onehot(arb_t K, const tkc_kernel_spec *spec,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       slong prec, tkc_error *err);
int tkc_mlp_arb_xx(arb_t K, const tkc_kernel_spec *spec, const tkc_token *x,
                   const tkc_token *y, size_t k, slong prec, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
