/* trans_arb.h (internal) — the transformer kernel's dual step as enclosures:
 *
 *   K_trans(x, y) = dual_φ(K_attn(x, x), K_attn(y, y), K_attn(x, y))
 *
 * from K_attn boxes value ± rad.  The dual is enclosed rigorously
 * (dual_arb.h) over every covariance triple in the three boxes, so each
 * output box holds K_trans whenever the three input boxes hold their K_attn
 * values.  The evidence of the output is therefore exactly the evidence of
 * the input radii, and the caller states it: K_attn radii from Monte Carlo
 * at joint confidence c (say Bonferroni radii for all entries at once) give
 * outputs that hold jointly at confidence c — never "proved"; exact K_attn
 * values with rounding radii give proved outputs; series truncation radii
 * give estimates.
 *
 * A pair whose three entries are one (ix[p][0] = ix[p][1] = ix[p][2]: the
 * self term K_trans(x, x)) uses the diagonal form of the dual, of one box. */
#ifndef TKC_TRANS_ARB_H
#define TKC_TRANS_ARB_H

#include <arb.h>

#include "enclosure.h"
#include "trans.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[p] (npairs of them) := the enclosure of K_trans for output pair p,
 * whose K_attn entries are ix[p] (as in tkc_trans_from_attn) among the
 * nentries boxes value[e] ± rad[e]; `radii` is the evidence those boxes rest
 * on, carried to every output.  Activation, b1, b2: spec.  prec: working
 * precision in bits (dual_arb.h). */
int tkc_trans_arb_enclose(const tkc_kernel_spec *spec, const double *value,
                          const double *rad, size_t nentries,
                          tkc_evidence radii, const tkc_trans_index *ix,
                          size_t npairs, slong prec, tkc_enclosure *out,
                          tkc_error *err);

/* The ball step, the end of tkc_trans_from_attn (whose double step filled
 * out's value, se, kind): from the K_attn values `attn` it
 *   - fills out's boxes when asked for (out->box_mid): K_attn boxes
 *     value ± radius by attn's error kind (tkc_enclosure_radii: z·se at the
 *     joint confidence out->box_confidence over the attn->npairs K_attn
 *     estimates when statistical), then the ball dual of each triple, with
 *     the evidence of those radii;
 *   - replaces value and se by the enclosures when K_attn is exact or
 *     rounding (then se is a rigorous bound, as TKC_ERROR_ROUNDING says).
 * Without a ball dual (a user's activation) nothing is proved: exact or
 * rounding K_attn give kind TKC_ERROR_TRUNCATION (first-order propagation,
 * an estimate) and the boxes are value ± radius with evidence estimate. */
int tkc_trans_arb_from_attn(const tkc_kernel_spec *spec,
                            const tkc_kernel_values *attn,
                            const tkc_trans_index *ix, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
