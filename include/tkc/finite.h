/* tkc/finite.h — finite-width random-features networks whose kernels tend
 * to K_attn, K_trans and the MLP kernel (docs/mathematics.md): the check
 * that tkc's formulas are the limits of actual networks, with error
 * ~ d^(-1/2).
 *
 * Transformer (one layer, [CLS]/last-position query), width d, H heads,
 * m MLP units:
 *   token and positional embeddings e_t, q_a ∈ ℝ^d, entries N(0, 1/d);
 *   h_a(x) = e_{x_a} + γ q_a;
 *   head η: query direction w_η ~ N(0, I_d), logits β⟨h_a, w_η⟩,
 *           o_η = Σ_a smax_a V_η h_a, V_η entries N(0, 1/d);
 *   attention features z = (o_1, …, o_H)/√H, empirical K_attn = ⟨z(x), z(y)⟩;
 *   MLP features φ(⟨z, ω_j⟩), ω_j ~ N(0, I_{Hd}), empirical
 *   K_trans = (1/m) Σ_j φ(⟨z(x), ω_j⟩) φ(⟨z(y), ω_j⟩).
 * With explicit_weights = 0 the matrices V_η and the vectors ω_j are drawn
 * *in law* for the strings at hand: for a fixed finite set of inputs the rows
 * of V_η [h̄(x_1) … h̄(x_n)] are i.i.d. N(0, Gram(h̄)/d), and the vectors
 * (⟨z(x_i), ω_j⟩)_i are i.i.d. N(0, Gram(z)), so sampling those Gaussians
 * gives exactly the joint law of the network's features at O(n²) per head
 * instead of O(d²).  Likewise the logits β⟨h_a, w_η⟩ are drawn from
 * N(0, β² Gram(h)) and Σ_rows o_η oᵀ_η from its Wishart law (Bartlett), so a
 * head costs O((nk)²) whatever d.  explicit_weights = 1 draws every weight
 * (for small d; the tests check the two agree in distribution).  Token and
 * positional embeddings are always explicit.
 *
 * MLP on concatenated one-hot inputs: h⁰ = onehot(x)/√k, then for each of
 * spec->mlp_depth hidden layers h^l = φ(W^l h^{l−1})/√d with W^l entries
 * N(0, 1); empirical kernel ⟨h^L(x), h^L(y)⟩.  In law (explicit_weights =
 * 0): the d pre-activation vectors of a layer are i.i.d. N(0, Gram(h^{l−1})).
 *
 * Everything is seeded: each part of a network (the embeddings, each head,
 * the transformer's MLP layer; each hidden layer of the MLP) draws from its
 * own random stream (rng.c), keyed by the seed.  Same seed, same digits. */
#ifndef TKC_FINITE_H
#define TKC_FINITE_H

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_finite_spec {
    size_t d;                 /* width: embeddings, value maps, MLP layers   */
    size_t heads;             /* H                                           */
    size_t units;             /* m, MLP units of the transformer             */
    int explicit_weights;     /* draw V_η, ω_j (1) or their products (0)     */
    unsigned long seed;
} tkc_finite_spec;

/* Empirical Gram matrices over all strings of S (row-major S->count²):
 * attn (nullable) receives ⟨z(x_i), z(x_j)⟩, trans (nullable) the MLP-layer
 * kernel with spec->activation; spec->beta, spec->gamma as in K_attn. */
TKC_API int tkc_finite_transformer_gram(const tkc_kernel_spec *spec,
                                        const tkc_finite_spec *fs,
                                        const tkc_strings *S, double *attn,
                                        double *trans, tkc_error *err);

/* Empirical Gram matrix of the depth-spec->mlp_depth MLP of width fs->d on
 * concatenated one-hot inputs (fs->heads, fs->units unused). */
TKC_API int tkc_finite_mlp_gram(const tkc_kernel_spec *spec,
                                const tkc_finite_spec *fs,
                                const tkc_strings *S, double *gram,
                                tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
