/* tkc/certify.h — verdicts on the nonsingularity of a matrix known only to
 * within entry radii (SPEC §4), and the conditions of Lemmas 3.6 / 3.7.
 *
 * The verdict is one of
 *   SINGULAR     exact, from structure: two rows with equal keys (the caller
 *                knows why, e.g. equal regular-token profiles for an
 *                inner-product kernel), or two exactly equal rows/columns or a
 *                zero row/column with zero radii.  The rows are named.
 *   NONSINGULAR  every matrix Ñ with |Ñ_ij − mid_ij| <= radius_ij is
 *                nonsingular, proved with MPFR under directed rounding, with a
 *                proved lower bound on σ_min(Ñ) over the whole box.
 *   UNDECIDED    neither; the certificate says what would settle it (radii
 *                smaller by a stated factor → that factor squared times more
 *                Monte Carlo samples; a better estimator; more precision; or
 *                the exact small-β series determinant).
 * Soundness comes first: a near-singular or singular box is UNDECIDED,
 * never NONSINGULAR.  For statistical radii "proved" means: proved for the
 * box, and the box holds the true matrix with the stated joint confidence.
 *
 * Typical use (the N matrix):
 *     tkc_certify_input in = { .r = r, .mid = N, .radius = se,
 *         .kind = TKC_RADIUS_STATISTICAL, .confidence = 0.99 };
 *     tkc_certificate cert;
 *     if (tkc_certify_singular_keys(&cert, r, keys, "equal ...", names, err))
 *         ...error...;
 *     if (cert.verdict != TKC_VERDICT_SINGULAR && tkc_certify(&cert, &in, err))
 *         ...error...;
 *     tkc_sigma_ladder lad;  tkc_certify_ladder(&lad, r, N, err);
 * All functions are reentrant; nothing is global. */
#ifndef TKC_CERTIFY_H
#define TKC_CERTIFY_H

#include <stddef.h>
#include <gmp.h>
#include <mpfr.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_verdict {
    TKC_VERDICT_UNDECIDED = 0,
    TKC_VERDICT_NONSINGULAR,
    TKC_VERDICT_SINGULAR
} tkc_verdict;

/* What the entry radii mean (say it in the output). */
typedef enum tkc_radius_kind {
    TKC_RADIUS_ROUNDING = 0,  /* closed form: rounding error only (0 = exact) */
    TKC_RADIUS_TRUNCATION,    /* series: truncation estimate (+ rounding)     */
    TKC_RADIUS_STATISTICAL    /* Monte Carlo: caller gives standard errors     */
} tkc_radius_kind;

typedef struct tkc_certify_input {
    size_t r;                 /* matrix order, >= 1                            */
    const double *mid;        /* r×r row-major midpoints (finite)              */
    const double *radius;     /* r×r row-major, >= 0; NULL means all zero.
                                 STATISTICAL: the standard errors, turned into
                                 radii z·se (see tkc_certify_bonferroni_z)      */
    tkc_radius_kind kind;
    double confidence;        /* STATISTICAL: joint confidence in (0, 1)       */
    size_t n_estimates;       /* STATISTICAL: number of estimated quantities
                                 for the Bonferroni correction; 0 means r*r    */
    mpfr_prec_t prec;         /* working precision in bits; 0 means 128        */
    const char *const *row_names; /* optional, r names used in messages        */
} tkc_certify_input;

typedef struct tkc_certificate {
    tkc_verdict verdict;
    tkc_radius_kind kind;
    double confidence;        /* joint confidence of the box: 1 unless STATISTICAL */
    double z;                 /* STATISTICAL: radius = z·se per entry; else 0  */
    mpfr_prec_t prec;         /* working precision used                        */
    char method[640];         /* how the verdict was reached, in words         */
    char reason[640];         /* the evidence (SINGULAR: rows and why)         */
    char advice[512];         /* UNDECIDED: what would settle it; else ""      */
    size_t row_i, row_j;      /* SINGULAR: the two rows (0-based, i < j)       */

    /* Proved lower bound on σ_min(Ñ) over the box, rounded down (0 unless
     * NONSINGULAR; may underflow to 0 in double: see the text form). */
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

/* "nonsingular" | "singular" | "undecided" (the JSON words of SPEC §7). */
const char *tkc_verdict_name(tkc_verdict v);
/* "rounding" | "truncation" | "statistical". */
const char *tkc_radius_kind_name(tkc_radius_kind k);

/* The per-entry normal quantile for a joint confidence over m estimates
 * (Bonferroni): z = Φ⁻¹(1 − (1 − confidence)/(2m)), nudged up by a few ulps.
 * Asymptotic (CLT) like every Monte Carlo error bar.  TKC_EINPUT if
 * confidence is not in (0, 1) or m == 0. */
int tkc_certify_bonferroni_z(double *z, double confidence, size_t m,
                             tkc_error *err);

/* radius[k] = z·se[k] rounded up (for callers that need the radii
 * themselves, e.g. tkc_certify_permutation_condition on Monte Carlo A). */
int tkc_certify_radii_from_se(double *radius, const double *se, size_t count,
                              double z, tkc_error *err);

/* The verdict for the box [mid ± radius] (see tkc_certify_input): first the
 * exact-structure check (equal rows/columns, zero rows/columns, all with zero
 * radii), then Rump's test and the Weyl/Cholesky test, both in MPFR at
 * in->prec with directed rounding; NONSINGULAR if either proves it, with
 * σ_min lower bound the larger of theirs.  Overwrites *cert.  Errors
 * (TKC_EINPUT: bad sizes, non-finite or negative entries, bad confidence;
 * TKC_ENOMEM) leave cert UNDECIDED with the message in err. */
int tkc_certify(tkc_certificate *cert, const tkc_certify_input *in,
                tkc_error *err);

/* Exact singularity from structure: rows whose keys are equal strings are
 * equal rows for a reason the caller knows (`why`, e.g. "same regular
 * tokens at the same positions: every inner-product kernel gives equal
 * rows").  If two keys are equal, sets *cert to SINGULAR naming the first
 * such pair (row names if given) and returns TKC_SUCCESS; otherwise sets
 * *cert to UNDECIDED with an empty method (so tkc_certify can follow).
 * keys[i] must be non-NULL. */
int tkc_certify_singular_keys(tkc_certificate *cert, size_t r,
                              const char *const *keys, const char *why,
                              const char *const *row_names, tkc_error *err);

/* One line for people, e.g. "nonsingular (certified): σ_min >= 3.1e-4 ...". */
int tkc_certificate_snprint(char *buf, size_t size, const tkc_certificate *c);

/* ---- the precision ladder --------------------------------------------- */

#define TKC_LADDER_RUNGS 4
typedef enum tkc_ladder_trend {
    TKC_LADDER_STABLE = 0,    /* σ_min at 256 and 512 bits agree to 1e-10      */
    TKC_LADDER_SHRINKING,     /* σ_min(512) < 2^-64 σ_min(256): it is rounding
                                 noise; the midpoint is (numerically) singular */
    TKC_LADDER_UNCLEAR
} tkc_ladder_trend;

typedef struct tkc_sigma_ladder {
    mpfr_prec_t prec[TKC_LADDER_RUNGS];      /* 53, 128, 256, 512 */
    double sigma_min[TKC_LADDER_RUNGS];      /* rounded to double          */
    char sigma_min_text[TKC_LADDER_RUNGS][32]; /* decimal, any exponent      */
    double sigma_max;                        /* at 512 bits                */
    tkc_ladder_trend trend;
    char text[256];                          /* e.g. "stable: 1.2e-3 at ..." */
} tkc_sigma_ladder;

/* σ_min of the r×r midpoint (exact doubles) by one-sided Jacobi at 53, 128,
 * 256 and 512 bits (tkc_mpmat_singular_values), and the trend.  Cost grows
 * as r³ (about 2.5 s for r = 64 on one core, mostly the 512-bit rung), so
 * callers may want it behind an option for large r. */
int tkc_certify_ladder(tkc_sigma_ladder *lad, size_t r, const double *mid,
                       tkc_error *err);

/* ---- Lemma 3.6: the permutation condition ------------------------------ */

typedef enum tkc_perm_status {
    TKC_PERM_NOT_ESTABLISHED = 0,
    TKC_PERM_ESTABLISHED,     /* Σ_i A_ii ≠ Σ_i A_iτ(i) for every τ ≠ id and
                                 every A in the box                          */
    TKC_PERM_VIOLATED         /* exactly: zero radii and a τ ≠ id with equal
                                 sums (the witness)                           */
} tkc_perm_status;

#define TKC_PERM_EXHAUSTIVE_MAX 8
typedef struct tkc_perm_condition {
    tkc_perm_status status;
    char method[256];
    /* Proved lower bound (rounded down) of min over τ ≠ id of the separation
     * |Σ_i (A_ii − A_iτ(i))| − Σ_{i: τ(i)≠i} (rad_ii + rad_iτ(i)); > 0 when
     * ESTABLISHED (for the cycle test: of the smallest cycle weight). */
    double margin;
    size_t witness[TKC_PERM_EXHAUSTIVE_MAX]; /* exhaustive: the worst τ        */
    char witness_text[128];                  /* τ in cycle notation, 0-based  */
    char text[320];
} tkc_perm_condition;

/* A (r×r row-major, the K_attn matrix N) with radii (NULL = exact; for
 * Monte Carlo A pass z·se from tkc_certify_radii_from_se and report the
 * confidence).
 * r <= 8: exhaustive over all r! permutations, each sum difference bounded
 * with MPFR directed rounding (mpfr_sum), exact as a decision on the box.
 * r > 8: a sound sufficient test — identity is the unique maximum (or
 * unique minimum) assignment for every matrix in the box.  Since every
 * τ ≠ id splits into cycles of length >= 2, that holds iff every cycle of
 * the complete digraph with weights w_ij = lower bound of (A_ii − A_ij)
 * (resp. (A_ij − A_ii)), i ≠ j, has positive weight: decided by
 * Floyd–Warshall in MPFR rounded down.  Otherwise NOT_ESTABLISHED (the
 * condition may still hold; Lemma 3.7 gives it for almost every β, γ). */
int tkc_certify_permutation_condition(tkc_perm_condition *out, size_t r,
                                      const double *a, const double *radius,
                                      tkc_error *err);

/* ---- Lemma 3.7 / small β: the exact leading term of det N(β) ----------- */

/* N(β) = Σ_i N_i t^i with t = β², of which the caller knows N_0 …
 * N_{nterms-1}: exact rational r×r matrices, coef[(i*r + a)*r + b] =
 * (N_i)_ab.  Computes, exactly, det N(β) = leading · t^order +
 * O(t^(order+1)), valid whatever the unknown terms N_nterms, … are.
 * Method: Gaussian elimination over the power series Q[[t]] with full
 * pivoting on the least t-valuation.  Every entry of the trailing matrix has
 * valuation >= the pivot's, so the elimination keeps all entries exact mod
 * t^nterms; the determinant is ± the product of the pivots, so its order
 * (Σ of pivot valuations) and leading coefficient (Π of their leading
 * coefficients) are exact as soon as every pivot has valuation < nterms —
 * the order itself may exceed nterms.  If at some step the whole trailing
 * s×s matrix is 0 mod t^nterms (e.g. exactly equal rows), determined = 0
 * and order_lower_bound = (Σ valuations so far) + s·nterms: det =
 * O(t^order_lower_bound); more Taylor terms are needed, or the matrix is
 * singular.  A nonzero leading coefficient proves N(β) nonsingular for all
 * small enough β > 0 (N is smooth in β, so Taylor's theorem gives det N(β)
 * = leading·β^(2·order)·(1 + O(β²)); the β-series being only asymptotic
 * does not matter here).  Cost O(r³ nterms²) rational operations. */
typedef struct tkc_series_det {
    int determined;
    unsigned long order;              /* power of t = β² (β power 2·order)   */
    mpq_t leading;
    unsigned long order_lower_bound;  /* when !determined                     */
} tkc_series_det;

void tkc_series_det_init(tkc_series_det *d);
void tkc_series_det_clear(tkc_series_det *d);
int tkc_series_det_leading(tkc_series_det *d, size_t r, size_t nterms,
                           const mpq_t *coef, tkc_error *err);
/* "det N(β) = -3/64·β^4 + O(β^6): N is nonsingular for all small enough
 * β > 0", or the undetermined statement. */
int tkc_series_det_snprint(char *buf, size_t size, const tkc_series_det *d);

#ifdef __cplusplus
}
#endif
#endif
