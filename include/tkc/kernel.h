/* tkc/kernel.h — the kernel layer: one specification struct (the kernel's
 * parameters and each K_attn estimator's own options), three families of
 * type tables, and the call that evaluates a kernel on a list of pairs.
 *
 * Families (each a GSL-style type table: a name plus function pointers, so
 * that `--kernel trans --estimator qmc --act relu` are three table lookups),
 * every member in the file of its concept and all listed by registry.c:
 *   tkc_kernel_type          attn, trans, mlp, mlpxx    (attn.c, trans.c, mlp.c)
 *   tkc_attn_estimator_type  mc, qmc, series, cvmc, auto          (attn_*.c)
 *   tkc_activation_type      cos, relu, erf                   (activation.c)
 *
 * Every value comes with an error radius and says what kind of error it is.
 * Pair evaluation uses common random numbers: all entries (and, for the
 * transformer kernel, the self terms) come from the same samples, and the
 * covariance of the entries' errors is available on request. */
#ifndef TKC_KERNEL_H
#define TKC_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/evidence.h"
#include "tkc/pattern.h"
#include "tkc/progress.h"
#include "tkc/shard.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an entry's error radius means, and the evidence it gives
 * (tkc/evidence.h): */
typedef enum tkc_error_kind {
    TKC_ERROR_EXACT = 0,     /* value is exact (rational arithmetic): proved  */
    TKC_ERROR_ROUNDING,      /* closed form: se bounds the rounding error
                                rigorously (ball arithmetic, or a counted
                                handful of roundings): proved                */
    TKC_ERROR_STATISTICAL,   /* MC / RQMC: se is one standard error:
                                confidence, once turned into z·se radii      */
    TKC_ERROR_TRUNCATION     /* an estimate: the series' truncation error, or
                                first-order propagation through a dual
                                without a ball form                          */
} tkc_error_kind;

TKC_API const char *tkc_error_kind_name(tkc_error_kind kind);

typedef struct tkc_kernel_spec tkc_kernel_spec;
typedef struct tkc_kernel_values tkc_kernel_values;

/* ---- results ------------------------------------------------------------ */

/* Room for a note: enough for the longest one tkc writes, never cut.  A
 * K_attn estimator's note stays below TKC_ATTN_NOTE_MAX bytes (auto's
 * choice with all its reasons among them), so that the transformer
 * kernel's note, which quotes it, fits whole. */
#define TKC_KERNEL_NOTE_MAX 1024
#define TKC_ATTN_NOTE_MAX (TKC_KERNEL_NOTE_MAX - 160)

struct tkc_kernel_values {
    size_t npairs;
    double *value;              /* npairs                                     */
    double *se;                 /* npairs: error radius (see error_kind)      */
    double *cov;                /* npairs*npairs row-major, or NULL           */
    tkc_error_kind error_kind;
    const char *estimator;      /* name of the estimator actually used        */
    uint64_t samples;           /* integrand evaluations used; 0 for closed
                                   forms and the series                      */
    char note[TKC_KERNEL_NOTE_MAX]; /* e.g. why `auto` chose what it chose    */
    /* Boxes for a certificate, when asked for (tkc_kernel_values_want_boxes):
     * every pair's true value lies in [box_mid − box_rad, box_mid + box_rad],
     * all pairs at once, with evidence box_evidence:
     *   proved      exact values or rigorous bounds (ball arithmetic);
     *   confidence  with probability >= box_confidence jointly: statistical
     *               radii z·se with z Bonferroni over the distinct
     *               estimates, or (trans) the rigorous ball dual of K_attn
     *               boxes chosen that way;
     *   estimate    truncation or first-order radii.
     * box_mid may differ from value in the last digits (trans: the centre
     * of the dual's range over the K_attn boxes, where value is the dual at
     * the K_attn estimates).  NULL when not asked for. */
    double *box_mid, *box_rad;
    double box_confidence;      /* the joint confidence asked for            */
    tkc_evidence_kind box_evidence;
    double box_z;               /* statistical radii: the Bonferroni z on the
                                   standard errors they rest on (trans: of
                                   K_attn); 1 otherwise                      */
};

/* want_cov: also allocate and fill the covariance matrix. */
TKC_API tkc_kernel_values *tkc_kernel_values_alloc(size_t npairs, int want_cov,
        tkc_error *err);
/* Ask for boxes (above) at a joint confidence in (0, 1), the one any
 * statistical radii are to hold at: allocates box_mid and box_rad. */
TKC_API int tkc_kernel_values_want_boxes(tkc_kernel_values *v,
                                         double confidence, tkc_error *err);
TKC_API void tkc_kernel_values_free(tkc_kernel_values *v);

/* ---- type tables -------------------------------------------------------- */

/* Signature shared by kernels and attention estimators: evaluate K on
 * `npairs` pairs of strings S, writing into out (allocated for npairs, with
 * or without covariance).  Implementations may assume pairs are distinct
 * patterns (the dispatcher below deduplicates). */
typedef int (*tkc_pairs_fn)(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err);

typedef struct tkc_kernel_type {
    const char *name;           /* "attn", "trans", "mlp", "mlpxx"            */
    const char *description;
    tkc_pairs_fn eval_pairs;
    int uses_attn;              /* built on K_attn: reads spec->estimator     */
} tkc_kernel_type;

TKC_API extern const tkc_kernel_type *const tkc_kernel_attn;
TKC_API extern const tkc_kernel_type *const tkc_kernel_trans;
TKC_API extern const tkc_kernel_type *const tkc_kernel_mlp;
TKC_API extern const tkc_kernel_type *const tkc_kernel_mlpxx;
/* NULL-terminated list, and lookup by name (NULL when unknown). */
TKC_API extern const tkc_kernel_type *const tkc_kernel_types[];
TKC_API const tkc_kernel_type *tkc_kernel_type_lookup(const char *name);

/* A K_attn estimator.  Each reads its own options in the spec (below) and
 * checks them; the sampling ones also say how large a run is and how to
 * make it larger, which is all that auto-refine (tkc/verdict.h) needs. */
typedef struct tkc_attn_estimator_type {
    const char *name;           /* "mc", "qmc", "series", "cvmc", "auto"      */
    const char *description;
    tkc_pairs_fn eval_pairs;    /* evaluates K_attn                           */
    /* Check this estimator's options in spec; EINPUT names the field. */
    int (*check_options)(const tkc_kernel_spec *spec, tkc_error *err);
    /* Sampling estimators (NULL for the deterministic series):
     * evaluations   integrand evaluations a run at spec spends (auto: the
     *               most its chosen run may spend);
     * scale         spec changed so that a run spends `factor` (>= 1) times
     *               as many, its standard errors shrinking about
     *               sqrt(factor)-fold (auto also divides its target by
     *               sqrt(factor));
     * raise_to      spec at least as accurate as `floor` (the larger sample
     *               size; auto: also the smaller target). */
    uint64_t (*evaluations)(const tkc_kernel_spec *spec);
    void (*scale)(tkc_kernel_spec *spec, double factor);
    void (*raise_to)(tkc_kernel_spec *spec, const tkc_kernel_spec *floor);
} tkc_attn_estimator_type;

TKC_API extern const tkc_attn_estimator_type *const tkc_attn_mc;
TKC_API extern const tkc_attn_estimator_type *const tkc_attn_qmc;
TKC_API extern const tkc_attn_estimator_type *const tkc_attn_series;
TKC_API extern const tkc_attn_estimator_type *const tkc_attn_cvmc;
TKC_API extern const tkc_attn_estimator_type *const tkc_attn_auto;
TKC_API extern const tkc_attn_estimator_type *const tkc_attn_estimator_types[];
TKC_API const tkc_attn_estimator_type *tkc_attn_estimator_lookup(
        const char *name);

/* The dual in ball arithmetic (Arb): rigorous enclosures over boxes of
 * covariance triples.  Internal to libtkc (src/dual_arb.h); a user-defined
 * activation leaves it NULL, and then nothing computed through its dual is
 * ever "proved" (tkc/evidence.h). */
struct tkc_activation_ball;

/* An activation φ and its dual: E[φ(a) φ(b)] for (a, b) centred Gaussian
 * with variances A, B and covariance C. */
typedef struct tkc_activation_type {
    const char *name;           /* "cos", "relu", "erf"                        */
    const char *description;
    double (*phi)(double t, const tkc_kernel_spec *spec);
    /* Closed form of the dual in double precision; grad (nullable)
     * receives ∂K/∂A, ∂K/∂B, ∂K/∂C for first-order error propagation. */
    int (*dual)(double A, double B, double C, const tkc_kernel_spec *spec,
                double *K, double grad[3], tkc_error *err);
    const struct tkc_activation_ball *ball;     /* nullable, see above        */
} tkc_activation_type;

TKC_API extern const tkc_activation_type *const tkc_activation_cos;
TKC_API extern const tkc_activation_type *const tkc_activation_relu;
TKC_API extern const tkc_activation_type *const tkc_activation_erf;
TKC_API extern const tkc_activation_type *const tkc_activation_types[];
TKC_API const tkc_activation_type *tkc_activation_lookup(const char *name);

/* ---- the estimators' options --------------------------------------------
 *
 * One struct per K_attn estimator, read by that estimator only (auto also
 * reads its candidates' options named below).  Units are stated: an
 * "evaluation" is one value of the integrand at one Gaussian draw; every
 * sampling estimator uses each draw z with its antithetic image -z, two
 * evaluations. */

/* Largest sample size of any estimator: 2^40 integrand evaluations. */
#define TKC_ATTN_SAMPLES_MAX ((uint64_t)1 << 40)

typedef struct tkc_attn_mc_options {
    uint64_t samples;           /* integrand evaluations, 4 .. 2^40 (an odd
                                   count is rounded up to a whole pair)      */
} tkc_attn_mc_options;

typedef struct tkc_attn_qmc_options {
    uint64_t points;            /* Sobol points per replicate, 1 .. 2^30 (two
                                   evaluations each, with the antithetic)    */
    unsigned replicates;        /* independently shifted replicates, 2..65536 */
} tkc_attn_qmc_options;

typedef struct tkc_attn_series_options {
    int order;                  /* largest power of β summed: even, 2 ..
                                   TKC_SERIES_ORDER_MAX − 2 (tkc/series.h:
                                   the next term is the error); 0 = optimal
                                   truncation.  An odd order is an error.    */
    long prec;                  /* MPFR bits of the sum, 53 .. 2^20          */
} tkc_attn_series_options;

/* cvmc uses its control only where it helps: when the measured variance
 * reduction is <= 1 at some entry, or an entry falls outside the range
 * K_attn takes, the call falls back to mc (same seed and samples; the
 * note says why). */
typedef struct tkc_attn_cvmc_options {
    uint64_t samples;           /* integrand evaluations, as mc's            */
    int order;                  /* the control: the β² or β⁴ series, 2 | 4   */
} tkc_attn_cvmc_options;

typedef struct tkc_attn_auto_options {
    double target_se;           /* the error auto aims for, every entry: a
                                   standard error, or the series' truncation
                                   estimate; > 0                             */
    uint64_t max_evals;         /* integrand evaluations its chosen run may
                                   spend, 4 .. 2^40, and for a list of more
                                   than 1024 entries max_evals × 1024
                                   integrand values (one per entry per
                                   evaluation).  Its trials (pilots, a
                                   series attempt it drops) cost at most a
                                   tenth of that run more.  Auto also reads
                                   qmc.replicates (its QMC candidate) and
                                   series.prec (its series candidate).       */
} tkc_attn_auto_options;

/* ---- the specification -------------------------------------------------- */

struct tkc_kernel_spec {
    const tkc_kernel_type *kernel;
    const tkc_attn_estimator_type *estimator;   /* for attn and trans         */
    const tkc_activation_type *activation;      /* for trans, mlp, mlpxx      */
    double beta;                /* softmax inverse temperature                */
    double gamma;               /* size of positional embeddings              */
    double b1, b2;              /* φ(t) = cos(b1 t + b2)                      */
    unsigned mlp_depth;         /* hidden layers of the MLP kernels           */
    uint64_t seed;
    unsigned threads;           /* worker threads; results do not depend on it */
    tkc_shard *shard;           /* the processes this computation is shared
                                   by (tkc/shard.h), or NULL: this one alone;
                                   results do not depend on it either        */
    const tkc_progress *progress; /* how far a call has got is reported
                                   here (tkc/progress.h), or NULL: nothing
                                   is; results do not depend on it          */
    /* each estimator's own options */
    tkc_attn_mc_options mc;
    tkc_attn_qmc_options qmc;
    tkc_attn_series_options series;
    tkc_attn_cvmc_options cvmc;
    tkc_attn_auto_options automatic;            /* the `auto` estimator's     */
};

/* Defaults: trans kernel, auto estimator, cos, β = 1, γ = 1, b1 = 1,
 * b2 = 0.5, depth 1, seed 1, 1 thread, no shard, no progress; mc 2^16 samples; qmc 2^16 points
 * × 16 replicates; series order 0 (optimal truncation) at 256 bits; cvmc
 * 2^16 samples with the β⁴ control; auto target 1e-4 within 2^21
 * evaluations (qmc's default run: where qmc reaches the target, auto
 * can). */
TKC_API void tkc_kernel_spec_default(tkc_kernel_spec *spec);
/* Check the kernel-level fields (finite, in range) and, for a kernel built
 * on K_attn, the estimator's options; names the field. */
TKC_API int tkc_kernel_spec_validate(const tkc_kernel_spec *spec,
                                     tkc_error *err);

/* ---- evaluation --------------------------------------------------------- */

/* Evaluate spec->kernel on the pairs, each distinct unordered pattern once
 * (the pattern cache), duplicates copied.  out must be allocated for npairs
 * (with covariance, and boxes, if wanted).  A kernel type fills the boxes
 * itself when its values are not the centres of its boxes (trans);
 * otherwise they are value ± radius by the error kind. */
TKC_API int tkc_kernel_eval_pairs(const tkc_kernel_spec *spec,
                                  const tkc_strings *S, const tkc_pair *pairs,
                                  size_t npairs, tkc_kernel_values *out,
                                  tkc_error *err);

/* One value: K(x, y) for strings of length k. */
TKC_API int tkc_kernel_eval(const tkc_kernel_spec *spec, const tkc_token *x,
                            const tkc_token *y, size_t k, double *value,
                            double *se, tkc_error_kind *kind, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
