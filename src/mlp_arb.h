/* tkc/mlp_arb.h — the MLP kernels (tkc/mlp.h) as rigorous balls.
 *
 * The input Gram values are exact rationals, m/k for the one-hot encoding
 * and (k m + r)/(2k²) for the XXᵀ-augmented one (m = #{a : x_a = y_a},
 * r = ⟨XXᵀ, YYᵀ⟩_F), enclosed in balls at the working precision; the depth-L
 * recursion
 *   A ← dual(A, A, A),  B ← dual(B, B, B),  C ← dual(A, B, C)
 * runs in ball arithmetic (tkc/dual_arb.h): the self terms by the diagonal
 * form, the cross term by the general one, which clamps the box to the
 * covariances (so a ball that straddles the relu kink |C| = √(AB) stays
 * valid).  When x and y have equal Gram values (A = B = C as rationals,
 * e.g. x = y) the three are one quantity and the diagonal form is used
 * throughout.  Every result is a proof: no estimate enters. */
#ifndef TKC_MLP_ARB_H
#define TKC_MLP_ARB_H

#include <arb.h>

#include "enclosure.h"
#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* K := K^depth(x, y) from input balls A0 = K⁰(x, x), B0 = K⁰(y, y),
 * C0 = K⁰(x, y) (three independent arguments). */
int tkc_mlp_arb_recursion(arb_t K, const tkc_activation_type *act,
                          const tkc_kernel_spec *spec, unsigned depth,
                          const arb_t A0, const arb_t B0, const arb_t C0,
                          slong prec, tkc_error *err);

/* One value of the mlp / mlpxx kernel (spec->activation, spec->mlp_depth),
 * as a ball.  Same arguments and normalization as tkc_mlp_kernel_onehot /
 * tkc_mlp_kernel_xx. */
int tkc_mlp_arb_onehot(arb_t K, const tkc_kernel_spec *spec,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       slong prec, tkc_error *err);
int tkc_mlp_arb_xx(arb_t K, const tkc_kernel_spec *spec, const tkc_token *x,
                   const tkc_token *y, size_t k, slong prec, tkc_error *err);

typedef int (*tkc_mlp_arb_fn)(arb_t K, const tkc_kernel_spec *spec,
                              const tkc_token *x, const tkc_token *y, size_t k,
                              slong prec, tkc_error *err);

/* Enclosures (proved) of f (tkc_mlp_arb_onehot or tkc_mlp_arb_xx) on the
 * pairs of S; out has npairs entries. */
int tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_fn f, const tkc_kernel_spec *spec,
                              const tkc_strings *S, const tkc_pair *pairs,
                              size_t npairs, slong prec, tkc_enclosure *out,
                              tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
