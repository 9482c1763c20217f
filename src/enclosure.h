/* enclosure.h (internal) — a value's enclosure as a double box, and the
 * evidence the box rests on.
 *
 * The ball evaluations (dual_arb.h, mlp_arb.h, trans_arb.h) compute in Arb
 * at an explicit working precision; the certificate code works with
 * doubles.  An enclosure is the bridge: mid is the double nearest to the
 * ball's midpoint and rad is rounded up so that the real interval
 * [mid − rad, mid + rad] contains the whole ball, the rounding of mid
 * included.
 *
 * A box is only as good as what it rests on (tkc/evidence.h), and the
 * enclosure says which:
 *   proved      every input was exact or a rigorous enclosure and every
 *               step ball arithmetic (confidence 1);
 *   confidence  some input radius is statistical: the box holds with
 *               probability at least `confidence` — the JOINT confidence of
 *               the family of statistical radii it rests on (for instance
 *               Bonferroni radii chosen so that all K_attn entries of N hold
 *               at once with 99.9%); every value computed from that family
 *               holds, jointly, at that same confidence;
 *   estimate    some input radius is an estimate (series truncation,
 *               first-order propagation): no probability is claimed
 *               (confidence 0).
 * Ball arithmetic never weakens the evidence of its inputs and never
 * strengthens it: outputs carry the evidence of the inputs' radii. */
#ifndef TKC_ENCLOSURE_H
#define TKC_ENCLOSURE_H

#include <arb.h>

#include "tkc/error.h"
#include "tkc/evidence.h"
#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_evidence {
    tkc_evidence_kind kind;
    double confidence;   /* proved: 1; confidence: in (0, 1); estimate: 0 */
} tkc_evidence;

/* The evidence of exact inputs and ball arithmetic. */
#define TKC_EVIDENCE_PROOF ((tkc_evidence){TKC_EVIDENCE_PROVED, 1.0})

typedef struct tkc_enclosure {
    double mid;              /* nearest double to the ball's midpoint       */
    double rad;              /* [mid − rad, mid + rad] ⊇ the ball (reals)   */
    tkc_evidence evidence;
} tkc_enclosure;

/* Checks that ev is one of the three forms above (kind known, confidence 1,
 * strictly inside (0, 1), or 0 respectively). */
int tkc_evidence_validate(tkc_evidence ev, tkc_error *err);

/* x := a ball containing the real interval [mid − rad, mid + rad] (exact
 * midpoint; the radius rounded up to Arb's 30-bit radius format).  mid and
 * rad must be finite, rad ≥ 0. */
int tkc_arb_set_box(arb_t x, double mid, double rad, tkc_error *err);

/* e := the double box of the ball x with evidence ev: mid rounded to
 * nearest, rad = (|mid(x) − mid| + rad(x)) rounded up (subnormals
 * included, so a ball below the double range gets mid 0 and a positive
 * rad).  Fails (TKC_ENUMERIC) if x is not finite and (TKC_ERANGE) if the
 * box would overflow the double range. */
int tkc_enclosure_set_arb(tkc_enclosure *e, const arb_t x, tkc_evidence ev,
                          tkc_error *err);

/* rad[e] := the radius about v->value[e] (all v->npairs of them), *ev its
 * evidence and *z the factor on se, by v's error kind: statistical: z·se
 * rounded up, z the Bonferroni quantile for all npairs estimates at once at
 * `confidence` (in (0, 1)); exact, rounding: se (proved, by the contract of
 * these kinds, tkc/kernel.h); truncation: se (estimate); z = 1 for these. */
int tkc_enclosure_radii(double *rad, tkc_evidence *ev, double *z,
                        const tkc_kernel_values *v, double confidence,
                        tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
