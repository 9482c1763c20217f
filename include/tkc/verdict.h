/* tkc/verdict.h — what N's numbers prove (verdict.c, docs/verdicts.md): the
 * one producer of verdicts on N.
 *
 * tkc_nmatrix_decide builds N (tkc/nmatrix.h) and decides it, in this
 * order: structure (rows identical by the kernel's invariant: singular,
 * exactly, for every parameter); the box certificate on the entries' radii
 * (tkc/certify.h), resampling with more samples while undecided when asked;
 * then the figures beside the verdict: singular values, det N, the
 * precision ladder (ladder.c), Lemma 3.6's permutation condition on
 * N_attn (permutation.c) and the exact small-β determinant
 * (series_det.c); and the generic verdict, what holds for almost every
 * parameter rather than at the spec's point (Lemmas 3.7 and 3.6 from the
 * exact Taylor coefficients, tkc/generic.h).  Verdict words name their
 * evidence (tkc/evidence.h): "singular (exact)" from structure; from the
 * certificate "nonsingular (proved)" when every radius is a rigorous
 * enclosure, "nonsingular (99.9% confidence)" when some are statistical
 * (the stated joint confidence), "nonsingular (estimate)" when some are
 * estimates; the bounds on σ_min and ‖N⁻¹‖ carry the verdict's evidence.
 * The generic verdict says "proved" only from exact arithmetic. */
#ifndef TKC_VERDICT_H
#define TKC_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/generic.h"
#include "tkc/kernel.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_nmatrix_verdict_kind {
    TKC_NMATRIX_UNDECIDED = 0,
    TKC_NMATRIX_SINGULAR,       /* exact, from structure                      */
    TKC_NMATRIX_NONSINGULAR     /* for every matrix in the entries' boxes     */
} tkc_nmatrix_verdict_kind;

TKC_API const char *tkc_nmatrix_verdict_name(tkc_nmatrix_verdict_kind v);

typedef struct tkc_nmatrix_options {
    int want_cov;               /* TKC_NMATRIX_COV_*                          */
    long prec;                  /* MPFR bits for the certificate              */
    double confidence;          /* for statistical radii, e.g. 0.999          */
    int auto_refine;            /* resample until decided or over budget      */
    uint64_t budget;            /* integrand evaluations auto-refine may use;
                                   0: the default rule below                 */
    double time_budget;         /* a wall-clock limit on auto-refine, seconds;
                                   0 = none.  Off by default: with it, the
                                   rounds depend on the machine's speed, and
                                   the decision says it stopped early       */
    int ladder;                 /* precision ladder: -1 auto (r <= 64), 0, 1  */
    int generic;                /* the generic verdict: 1 on, 0 off           */
    /* Its options (tkc/generic.h); here threads = 0 means the spec's
     * threads, and the activation is the spec's. */
    tkc_generic_options generic_opt;
} tkc_nmatrix_options;

/* The default budget of auto-refine, a count so that the same inputs give
 * the same rounds on any machine under any load: 2^26 integrand
 * evaluations, and at most 2^31 integrand values — evaluations × N's
 * r(r+1)/2 entries up to symmetry — so that a large N gets proportionally
 * fewer (r = 144: 205 700 evaluations; `tkc check` on that set, the
 * largest shipped, stays within 90 s on 2 cores). */
#define TKC_NMATRIX_BUDGET_EVALS ((uint64_t)1 << 26)
#define TKC_NMATRIX_BUDGET_VALUES ((uint64_t)1 << 31)

/* Defaults: cov auto, 256 bits, confidence 0.999, no auto-refine, budget
 * by the rule above, no time limit, ladder auto, the generic verdict on with
 * tkc_generic_options_default (threads 0: the spec's). */
TKC_API void tkc_nmatrix_options_default(tkc_nmatrix_options *opt);

/* Lemma 3.6's permutation condition on N_attn (attn and trans). */
typedef enum tkc_lemma36_status {
    TKC_LEMMA36_NOT_APPLICABLE = -1,    /* the MLP kernels                    */
    TKC_LEMMA36_VIOLATED = 0,
    TKC_LEMMA36_HOLDS = 1,
    TKC_LEMMA36_NOT_ESTABLISHED = 2     /* the radii decide neither way       */
} tkc_lemma36_status;

/* The exact small-β determinant of N_attn (attn and trans, small r). */
typedef enum tkc_series_det_status {
    TKC_SERIES_DET_NOT_RUN = -1,
    TKC_SERIES_DET_UNDETERMINED = 0,    /* zero to the order the terms reach */
    TKC_SERIES_DET_DETERMINED = 1
} tkc_series_det_status;

/* The generic verdict: for almost every parameter, not at one point. */
typedef enum tkc_nmatrix_generic_kind {
    TKC_NMATRIX_GENERIC_NOT_RUN = 0,        /* opt->generic = 0               */
    TKC_NMATRIX_GENERIC_NOT_ESTABLISHED,    /* generic_text says why          */
    TKC_NMATRIX_GENERIC_SINGULAR,           /* for every parameter, exact
                                               (rows identical by structure)  */
    TKC_NMATRIX_GENERIC_NONSINGULAR,        /* trans, φ = cos: for almost
                                               every (β, γ, b1, b2), proved   */
    TKC_NMATRIX_GENERIC_CONDITION10         /* attn: condition (10) for almost
                                               every (β, γ), proved (what
                                               Lemma 3.6 needs; N_attn itself
                                               is not decided)                */
} tkc_nmatrix_generic_kind;

TKC_API const char *tkc_nmatrix_generic_name(tkc_nmatrix_generic_kind g);

#define TKC_NMATRIX_LADDER 4    /* 53, 128, 256, 512 bits                     */
/* The ladder runs one-sided Jacobi at 512 bits: O(r³) MPFR operations per
 * sweep, seconds at r = 64, a minute at r = 144; by default only up to: */
#define TKC_NMATRIX_LADDER_MAX_R 64

typedef struct tkc_nmatrix_decision {
    tkc_nmatrix_verdict_kind verdict;
    /* What the verdict and its bounds rest on (undecided: the boxes'). */
    tkc_evidence_kind evidence_kind;
    /* The verdict with its kind of evidence, as a table prints it:
     * "singular (exact)", "nonsingular (proved)", "nonsingular (99.9%
     * confidence)", "nonsingular (estimate)" or "undecided". */
    char verdict_words[48];
    double sigma_min;           /* of the computed N, approximate             */
    /* The smallest eigenvalue of the computed N (symmetric: (x_i, y_j) and
     * (x_j, y_i) have one pattern, so one estimate), LAPACK dsyev: an
     * approximation, negative when the computed N is indefinite. */
    double eig_min;
    /* Bounds proved for every matrix M in the boxes, so for N with the
     * verdict's evidence: */
    double sigma_min_lower;     /* σ_min(M) >= (nonsingular), else 0          */
    double inv_norm;            /* ‖N⁻¹‖₂ = 1/σ_min; inf when singular        */
    double inv_norm_upper;      /* ‖M⁻¹‖₂ <= (nonsingular)                    */
    double cond;                /* σ_max / σ_min                              */
    double *singular_values;    /* r, descending (LAPACK, double)             */
    double det_mantissa;        /* det N = mantissa · 2^exponent              */
    long det_exponent;
    long ladder_prec[TKC_NMATRIX_LADDER];
    double ladder_sigma_min[TKC_NMATRIX_LADDER];
    char ladder_text[256];      /* stable / shrinking with the precision      */
    double radius_scale;        /* statistical radii: z·se, the Bonferroni z
                                   (trans: on K_attn's se); else 1           */
    double confidence;          /* the stated joint confidence of a
                                   confidence verdict; 1 when proved or
                                   exact, 0 for an estimate                  */
    double radius_norm;         /* ‖radii‖₂ <=: the perturbation covered      */
    tkc_lemma36_status lemma36;
    char lemma36_test[160];     /* which test decided it, in a few words     */
    char lemma36_method[256];
    char lemma36_text[320];
    char method[1024];          /* how the verdict was reached, in words      */
    char evidence[768];         /* one line, for a table                      */
    char settle[1024];           /* undecided: what would settle it            */
    /* Small β, exactly (Lemma 3.7's route): det N_attn(β) = leading ·
     * β^series_det_beta_power + O(β^(power+2)), from the exact Taylor
     * coefficients at the set's γ (attn/trans, r <= TKC_NMATRIX_SERIES_MAX_R). */
    tkc_series_det_status series_det_status;
    long series_det_beta_power; /* determined: 2·order; else a lower bound   */
    char series_det_leading[512]; /* exact rational "p/q"                    */
    char series_det_text[320];
    /* For almost every parameter (opt->generic): the kind, its words for a
     * table ("nonsingular (proved)"), the statement with its proof, and for
     * attn and trans the test itself (orders, deciding monomial, tightest
     * cycle, times; status NOT_ESTABLISHED and zeros for the others). */
    tkc_nmatrix_generic_kind generic;
    char generic_words[48];
    char generic_text[2400];
    tkc_generic_verdict generic_test;
    uint64_t samples;           /* samples of the final N; 0 = closed form    */
    uint64_t samples_total;     /* over all auto-refine rounds                */
    unsigned rounds;
    int stopped_early;          /* the wall-clock limit (time_budget) ended
                                   auto-refine: another machine may go on    */
    double seconds;
} tkc_nmatrix_decision;

TKC_API void tkc_nmatrix_decision_free(tkc_nmatrix_decision *d);

/* The exact small-β determinant (series_det.c) is run by default for
 * attn and trans up to this r (its cost grows like r³ times the tables'). */
#define TKC_NMATRIX_SERIES_MAX_R 6

/* Build N and decide: structure first (singular, exact), then the
 * certificate; with opt->auto_refine, quadruple the samples while undecided
 * and within the budgets.  *nm receives the final N. */
TKC_API int tkc_nmatrix_decide(const tkc_template_set *set,
                               const tkc_kernel_spec *spec,
                               const tkc_nmatrix_options *opt,
                               tkc_nmatrix **nm, tkc_nmatrix_decision **out,
                               tkc_error *err);

/* What tkc_nmatrix_decide will cost, predicted before it allocates
 * anything large (nmatrix_cost.c, docs/verdicts.md).  bytes is the peak of
 * what it allocates, counted from its code phase by phase (the address
 * space a limit counts; the resident set is at most that), peak_phase the
 * phase, bytes_kept what stays allocated with the N and decision it
 * returns.  The work is in counts, the same on any machine: integrand
 * evaluations per entry (0 for closed forms) of the first round and at
 * most over every auto-refine round, times the entries the K_attn
 * estimator sees (values_*; trans: and N_attn again, for Lemma 3.6), the
 * products summed for the entries' covariance (covariance_ops_*, m²/4 per
 * evaluation for m entries), and the certificate's MPFR operations (~r³).
 * The seconds are an ESTIMATE: the counts times per-unit constants
 * measured on one machine; they are for messages and progress only, and
 * nothing tkc decides reads them. */
typedef struct tkc_nmatrix_cost {
    size_t r, k;
    double entries;             /* r²                                        */
    double distinct;            /* distinct estimates among them (unordered
                                   pair patterns)                            */
    int distinct_exact;         /* counted (1), or the bound r(r+1)/2 (0,
                                   past 2^22 pairs)                          */
    double kernel_entries;      /* entries the K_attn estimator sees (trans:
                                   with the self terms)                      */
    double bytes;
    const char *peak_phase;     /* "N's evaluation", "the certificate", ...  */
    double bytes_kept;
    uint64_t evaluations_first; /* per entry, first round; 0: closed form    */
    uint64_t evaluations_max;   /* per entry, over every round, at most      */
    unsigned rounds_max;
    double values_first, values_max;
    double covariance_ops_first; /* mc, cvmc (auto: may choose them) taking
                                   the covariance: products summed      */
    double covariance_ops_max;
    double certificate_ops;
    double seconds_first;       /* ESTIMATE: the first round and the rest
                                   (auto: were it to choose qmc or the
                                   series, as its choice is made at run time) */
    double seconds_max;         /* ESTIMATE: every auto-refine round, and
                                   auto's costliest choice                   */
} tkc_nmatrix_cost;

/* Predict tkc_nmatrix_decide(set, spec, opt)'s cost.  EINPUT for an empty
 * set or a bad spec.  Counting the distinct entries takes 8 bytes a pair of
 * templates (at most 32 MB) and r²/2 pattern computations. */
TKC_API int tkc_nmatrix_cost_predict(const tkc_template_set *set,
                                     const tkc_kernel_spec *spec,
                                     const tkc_nmatrix_options *opt,
                                     tkc_nmatrix_cost *cost, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
