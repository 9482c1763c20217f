/* tkc/evidence.h — what a box, a bound or a verdict rests on.
 *
 * Every number tkc claims about N (an entry's box, the certificate's
 * verdict, its lower bound on σ_min and upper bound on ‖N⁻¹‖) carries one
 * of three kinds of evidence, the weakest of whatever it was computed from:
 *
 *   PROVED      exact arithmetic or rigorous enclosures only (exact
 *               rationals, ball arithmetic in Arb, MPFR with directed
 *               rounding): true, without condition.
 *   CONFIDENCE  some radius is statistical (Monte Carlo, randomized QMC):
 *               true with probability at least the stated JOINT confidence
 *               (Bonferroni over every estimate it rests on; asymptotic,
 *               by the central limit theorem, like every error bar of a
 *               sampler).
 *   ESTIMATE    some radius is an estimate (series truncation, first-order
 *               error propagation): no probability is claimed.
 *
 * PROVED is the strongest, ESTIMATE the weakest, and a result computed
 * from several inputs has the weakest of theirs.  A verdict word names it:
 * "nonsingular (proved)", "nonsingular (99.9% confidence)", "nonsingular
 * (estimate)"; a structural singularity is "singular (exact)". */
#ifndef TKC_EVIDENCE_H
#define TKC_EVIDENCE_H

#include <stddef.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_evidence_kind {
    TKC_EVIDENCE_PROVED = 0,
    TKC_EVIDENCE_CONFIDENCE,
    TKC_EVIDENCE_ESTIMATE
} tkc_evidence_kind;

/* "proved", "confidence", "estimate" (the JSON words); "?" otherwise. */
TKC_API const char *tkc_evidence_kind_name(tkc_evidence_kind kind);

/* A confidence in (0, 1) as the words print it, "99.9%": the fewest
 * significant digits (at least 4) that do not round it up to "100%", in
 * the C locale.  Returns what snprintf returns. */
TKC_API int tkc_evidence_percent(char *buf, size_t size, double confidence);

#ifdef __cplusplus
}
#endif
#endif
