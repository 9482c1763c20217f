/* tkc/certify.h — the box certificate (certify.c): verdicts on the
 * nonsingularity of a matrix known only to within entry radii
 * (docs/verdicts.md).
 *
 * The verdict is one of
 *   SINGULAR     exact, from structure: two exactly equal rows/columns or a
 *                zero row/column, all with zero radii.  The rows are named.
 *   NONSINGULAR  every matrix Ñ with |Ñ_ij − mid_ij| <= radius_ij is
 *                nonsingular, proved with MPFR under directed rounding, with a
 *                proved lower bound on σ_min(Ñ) over the whole box.
 *   UNDECIDED    neither; the certificate says what would settle it (radii
 *                smaller by a stated factor → that factor squared times more
 *                Monte Carlo samples; a better estimator; more precision; or
 *                the exact small-β series determinant).
 * Soundness comes first: a near-singular or singular box is UNDECIDED,
 * never NONSINGULAR.
 *
 * The proof is about the box; what it says about the TRUE matrix is only
 * as strong as the radii (tkc/evidence.h), and the certificate's `evidence`
 * says which: rigorous radii give a proof ("nonsingular (proved)"),
 * statistical ones a statement at their joint confidence ("nonsingular
 * (99.9% confidence)"), estimated ones an estimate ("nonsingular
 * (estimate)").  The lower bound on σ_min(N) and the upper bound on ‖N⁻¹‖
 * carry the same evidence.
 *
 * Typical use (verdict.c does this for N, with the kernel layer's boxes):
 *     tkc_certify_input in = { .r = r, .mid = N, .radius = se,
 *         .kind = TKC_RADIUS_STATISTICAL, .confidence = 0.99 };
 *     tkc_certificate cert;
 *     if (tkc_certify(&cert, &in, err))
 *         ...error...;
 * Structural singularity that needs the kernel's invariants (rows equal
 * for every parameter) is nmatrix.c's; the precision ladder is
 * ladder.c, Lemma 3.6 permutation.c, the exact small-β determinant
 * series_det.c, all reported by tkc_nmatrix_decide (tkc/verdict.h).
 * All functions are reentrant; nothing is global. */
#ifndef TKC_CERTIFY_H
#define TKC_CERTIFY_H

#include <stddef.h>
#include <mpfr.h>

#include "tkc/error.h"
#include "tkc/progress.h"
#include "tkc/evidence.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_verdict {
    TKC_VERDICT_UNDECIDED = 0,
    TKC_VERDICT_NONSINGULAR,
    TKC_VERDICT_SINGULAR
} tkc_verdict;

/* What the entry radii are, and so the evidence of the verdict. */
typedef enum tkc_radius_kind {
    TKC_RADIUS_RIGOROUS = 0,  /* every true entry within its radius, proved
                                 (0 = exact; rounding bounds; ball
                                 arithmetic): evidence proved               */
    TKC_RADIUS_ESTIMATE,      /* estimated radii (series truncation,
                                 first-order propagation): estimate         */
    TKC_RADIUS_STATISTICAL,   /* standard errors, turned into radii z·se at
                                 the joint `confidence`: confidence         */
    TKC_RADIUS_CONFIDENCE     /* radii that hold all at once with
                                 probability `confidence` already (the
                                 kernel layer's boxes): confidence          */
} tkc_radius_kind;

typedef struct tkc_certify_input {
    size_t r;                 /* matrix order, >= 1                            */
    const double *mid;        /* r×r row-major midpoints (finite)              */
    const double *radius;     /* r×r row-major, >= 0; NULL means all zero.
                                 STATISTICAL: the standard errors, turned into
                                 radii z·se (see tkc_certify_bonferroni_z)      */
    tkc_radius_kind kind;
    double confidence;        /* STATISTICAL, CONFIDENCE: joint confidence
                                 in (0, 1)                                     */
    size_t n_estimates;       /* STATISTICAL: number of estimated quantities
                                 for the Bonferroni correction; 0 means r*r    */
    mpfr_prec_t prec;         /* working precision in bits; 0 means 128        */
    const char *const *row_names; /* optional, r names used in messages        */
    const tkc_progress *progress; /* optional: its O(r³) steps are reported
                                 (tkc/progress.h)                             */
} tkc_certify_input;

typedef struct tkc_certificate {
    tkc_verdict verdict;
    tkc_radius_kind kind;
    /* What the verdict and its bounds rest on (tkc/evidence.h): proved for
     * RIGOROUS radii, confidence for STATISTICAL and CONFIDENCE ones,
     * estimate for ESTIMATE ones; a SINGULAR verdict is exact (proved). */
    tkc_evidence_kind evidence;
    double confidence;        /* of the box holding the true matrix: 1 when
                                 proved, the joint confidence, 0 (none
                                 claimed) for an estimate                      */
    double z;                 /* STATISTICAL: radius = z·se per entry; else 0  */
    mpfr_prec_t prec;         /* working precision used                        */
    char method[640];         /* how the verdict was reached, in words         */
    char reason[640];         /* the evidence (SINGULAR: rows and why)         */
    char advice[512];         /* UNDECIDED: what would settle it; else ""      */
    size_t row_i, row_j;      /* SINGULAR: the two rows (0-based, i < j)       */

    /* Lower bound on σ_min(Ñ) over the box, proved for the box and rounded
     * down (0 unless NONSINGULAR; may underflow to 0 in double: see the
     * text form); for the true matrix it has the certificate's evidence. */
    double sigma_min_lower;
    char sigma_min_lower_text[40];
    double sigma_min_estimate;    /* approximate σ_min of the midpoint          */

    /* The two tests (INFINITY when not run or not applicable):
     * Rump:  α = upper bound of ‖I − R·Ñ‖ over the box, R ≈ mid⁻¹ (∞-norm,
     *        1-norm and the 2-norm bound min(sqrt(α1 α∞), ‖·‖_F) are all
     *        tried; the smallest reported);
     * Weyl:  σ_min(mid) >= sigma_mid_lower (Cholesky of midᵀmid − sI with a
     *        rigorous residual) and ‖Ñ − mid‖₂ <= radius_norm2_upper. */
    double rump_alpha;
    double sigma_mid_lower;
    double radius_norm2_upper;

    /* UNDECIDED: radii divided by any factor > shrink_factor make one of the
     * tests succeed (INFINITY: shrinking radii alone is not enough — the
     * midpoint is not certified at this precision).  STATISTICAL:
     * samples_factor = shrink_factor², the factor on the sample count. */
    double shrink_factor;
    double samples_factor;
} tkc_certificate;

/* "nonsingular" | "singular" | "undecided": the JSON words (docs/json.md). */
TKC_API const char *tkc_verdict_name(tkc_verdict v);
/* "rigorous" | "estimate" | "statistical" | "confidence". */
TKC_API const char *tkc_radius_kind_name(tkc_radius_kind k);

/* The per-entry normal quantile for a joint confidence over m estimates
 * (Bonferroni): z = Φ⁻¹(1 − (1 − confidence)/(2m)), nudged up by a few ulps.
 * Asymptotic (CLT) like every Monte Carlo error bar.  TKC_EINPUT if
 * confidence is not in (0, 1) or m == 0. */
TKC_API int tkc_certify_bonferroni_z(double *z, double confidence, size_t m,
                                     tkc_error *err);

/* radius[k] = z·se[k] rounded up (for callers that need the radii
 * themselves, e.g. tkc_certify_permutation_condition on Monte Carlo A). */
TKC_API int tkc_certify_radii_from_se(double *radius, const double *se,
                                      size_t count, double z, tkc_error *err);

/* The verdict for the box [mid ± radius] (see tkc_certify_input): first the
 * exact-structure check (equal rows/columns, zero rows/columns, all with zero
 * radii), then Rump's test and the Weyl/Cholesky test, both in MPFR at
 * in->prec with directed rounding; NONSINGULAR if either proves it, with
 * σ_min lower bound the larger of theirs.  Overwrites *cert.  Errors
 * (TKC_EINPUT: bad sizes, non-finite or negative entries, bad confidence;
 * TKC_ENOMEM) leave cert UNDECIDED with the message in err. */
TKC_API int tkc_certify(tkc_certificate *cert, const tkc_certify_input *in,
                        tkc_error *err);

/* The way to print a certificate: one line whose first words name the
 * verdict with its evidence, "singular (exact): <the rows and why>",
 * "nonsingular (proved): σ_min >= <bound>", "nonsingular (C% confidence[,
 * z = … per entry]): σ_min >= <bound>", "nonsingular (estimate):
 * σ_min >= <bound>", "undecided: <what would settle it>" (a singular box
 * with statistical or estimated zero radii says so too).
 * Returns what snprintf returns (the length it needed). */
TKC_API int tkc_certificate_snprint(char *buf, size_t size,
                                    const tkc_certificate *c);

#ifdef __cplusplus
}
#endif
#endif
