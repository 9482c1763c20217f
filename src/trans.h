/* trans.h (internal) — the transformer kernel (docs/mathematics.md): an MLP
 * layer with activation φ on top of attention,
 *
 *   K_trans(x, y) = dual_φ(K_attn(x, x), K_attn(y, y), K_attn(x, y)).
 *
 * The kernel type tkc_kernel_trans (declared in tkc/kernel.h) evaluates the
 * requested pairs together with the self pairs (x, x), (y, y) in ONE call of
 * spec->estimator (common random numbers: every K_attn entry from the same
 * samples), applies the dual of spec->activation, and propagates the K_attn
 * errors.  Each distinct pair pattern is estimated once, on its first pair
 * (x, y), and its self terms on those same two rows: with common random
 * numbers every sample of (A, B, C) is then a Gram matrix, so the estimated
 * triple is positive semidefinite (relu and quadrature need |C| ≤ √(AB)).
 * Error propagation:
 *
 *   statistical K_attn   first order (delta method): Cov K_trans = J Σ Jᵀ,
 *                        J the gradient of the dual, Σ the estimator's
 *                        covariance of the distinct K_attn entries;
 *   truncation           worst-case linear bound Σ |∂K/∂arg| · se(arg) plus
 *                        the dual's own rounding, kind unchanged (an
 *                        estimate either way);
 *   exact, rounding      the ball dual (trans_arb.h) of the K_attn values
 *                        ± se: value and se from the enclosure, a rigorous
 *                        bound, kind ROUNDING.
 *
 * First order is enough when se(K_attn) · |∂²K| ≪ se(K_attn) · |∂K|, i.e.
 * for the small relative errors tkc works with; the bias of the plug-in
 * estimate is O(se²).  It gives the values and their standard errors, not
 * a proof: for a certificate the kernel type also fills the boxes the
 * caller asks for (tkc_kernel_values_want_boxes), from the K_attn boxes at
 * the joint confidence through the ball dual (trans_arb.h). */
#ifndef TKC_TRANS_H
#define TKC_TRANS_H

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* K_trans takes the full covariance of its K_attn entries when there are
 * at most this many (or the caller wants the output's covariance): it
 * costs m²/2 products a sample and m² doubles. */
#define TKC_TRANS_COV_MAX_ENTRIES 1024

/* Which K_attn entries make up output pair p: attn->value[ix[p][0]] is
 * K_attn(x, x), [1] K_attn(y, y), [2] K_attn(x, y). */
typedef size_t tkc_trans_index[3];

/* The dual step alone: from K_attn values (with se, and cov when
 * attn->cov is set and the kind is statistical) to K_trans on npairs
 * outputs — in double, first order, then the ball step
 * (tkc_trans_arb_from_attn: exact or rounding K_attn get the enclosure's
 * value and rigorous se; boxes, when out asks for them).  out is allocated
 * for npairs; its cov (if present) receives the full propagated covariance
 * (diag(se²) for non-statistical kinds). */
int tkc_trans_from_attn(const tkc_kernel_spec *spec,
                        const tkc_kernel_values *attn,
                        const tkc_trans_index *ix, size_t npairs,
                        tkc_kernel_values *out, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
