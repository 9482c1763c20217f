/* tkc/nmatrix.h — the r×r matrix N of a template set (paper eq. 7–8,
 * SPEC §4): N_ij = K(sub(z_i, s), sub(z_j, s')) for substitution maps s, s'
 * whose images are disjoint from each other and from the templates' regular
 * tokens.  By token symmetry N does not depend on which such maps are used.
 *
 * Besides the numbers, N carries its *structural* evidence: rows i ≠ i' are
 * identical, exactly, when for every j the pairs (x_i, y_j) and (x_i', y_j)
 * have equal keys under the kernel's pair invariant (below).  Then N
 * is singular for every value of the kernel's parameters — the MLP's
 * failure on templates told apart only by wildcard relations.
 *
 * Entries come from ONE tkc_kernel_eval_pairs call, so Monte Carlo entries
 * (and the transformer kernel's self terms) share their random numbers. */
#ifndef TKC_NMATRIX_H
#define TKC_NMATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The covariance of the r² entries has r⁴ doubles; by default it is
 * computed only up to this r (32: 8 MB). */
#define TKC_NMATRIX_COV_MAX_R 32
enum { TKC_NMATRIX_COV_AUTO = -1, TKC_NMATRIX_COV_NO = 0,
       TKC_NMATRIX_COV_YES = 1 };

typedef struct tkc_nmatrix {
    size_t r, k;
    /* 2r strings: row i < r is x_i = sub(z_i, s), row r + j is
     * y_j = sub(z_j, s').  s maps wildcard w to nsymbols + w, s' to
     * nsymbols + W + w with W the largest number of wildcards. */
    tkc_strings *strings;
    double *N;                  /* r×r row-major                             */
    double *se;                 /* r×r error radii (see error_kind)          */
    double *cov;                /* r²×r² covariance of the entries, or NULL  */
    tkc_error_kind error_kind;
    char estimator[32];         /* estimator actually used ("closed form")   */
    uint64_t samples;           /* samples used; 0 for closed forms          */
    char note[256];             /* the kernel layer's note                   */
    /* structural evidence */
    size_t *row_class;          /* r: smallest row proved identical to row i */
    size_t nclasses;            /* distinct classes; < r ⇒ singular, exactly */
    const char *invariant;      /* what the proof uses, in words             */
} tkc_nmatrix;

/* Build N for the set under spec (spec->kernel: attn, trans, mlp, mlpxx).
 * want_cov: TKC_NMATRIX_COV_AUTO computes the covariance when
 * r <= TKC_NMATRIX_COV_MAX_R.  EINPUT for an empty set or a bad spec. */
int tkc_nmatrix_build(const tkc_template_set *set,
                      const tkc_kernel_spec *spec, int want_cov,
                      tkc_nmatrix **out, tkc_error *err);
void tkc_nmatrix_free(tkc_nmatrix *nm);

/* The 2r strings of N (x_i then y_j) for a set, with the maps above. */
int tkc_nmatrix_strings(const tkc_template_set *set, tkc_strings **out,
                        tkc_error *err);

/* Keys of pairs (at most TKC_NMATRIX_KEY_MAX bytes): two pairs with equal
 * keys have exactly equal kernel values by the kernel's own invariance (not
 * by a numerical accident).  Coarser keys prove more:
 *   mlp    the number of positions holding equal tokens (every input has
 *          norm² k, so the kernel is a function of ⟨x, y⟩ alone) — which is
 *          why it cannot tell apart templates that differ only in wildcard
 *          relations (SPEC §4);
 *   mlpxx  that, ⟨XXᵀ, YYᵀ⟩_F and the two norms ‖XXᵀ‖² (unordered);
 *   other  the canonical unordered pattern (every token-symmetric kernel;
 *          for trans it fixes the self terms' patterns too).
 * *what (nullable) receives the words for the key.  Returns its length. */
#define TKC_NMATRIX_KEY_MAX (2 * TKC_K_MAX + 16)
size_t tkc_nmatrix_pair_key(const tkc_kernel_spec *spec, const tkc_token *x,
                            const tkc_token *y, size_t k, uint8_t *key,
                            const char **what);

/* Structural evidence alone (no kernel evaluation): fills row_class (r
 * entries) and returns the number of classes in *nclasses. */
int tkc_nmatrix_row_classes(const tkc_kernel_spec *spec,
                            const tkc_strings *strings, size_t r,
                            size_t *row_class, size_t *nclasses,
                            tkc_error *err);

/* The first pair of identical rows (i < i'), 0-based; 0 when none. */
int tkc_nmatrix_identical_rows(const tkc_nmatrix *nm, size_t *i, size_t *ip);

/* ---- the verdict (SPEC §4) ---------------------------------------------- */

typedef enum tkc_nmatrix_verdict_kind {
    TKC_NMATRIX_UNDECIDED = 0,
    TKC_NMATRIX_SINGULAR,       /* exact, from structure                      */
    TKC_NMATRIX_NONSINGULAR     /* certified for every matrix in the radii    */
} tkc_nmatrix_verdict_kind;

const char *tkc_nmatrix_verdict_name(tkc_nmatrix_verdict_kind v);

typedef struct tkc_nmatrix_options {
    int want_cov;               /* TKC_NMATRIX_COV_*                          */
    long prec;                  /* MPFR bits for the certificate              */
    double confidence;          /* for statistical radii, e.g. 0.999          */
    int auto_refine;            /* resample until decided or over budget      */
    uint64_t budget;            /* largest sample count auto-refine may use   */
    double time_budget;         /* seconds auto-refine may spend; 0 = none    */
    int ladder;                 /* precision ladder: -1 auto (r <= 64), 0, 1  */
} tkc_nmatrix_options;

/* Defaults: cov auto, 256 bits, confidence 0.999, no auto-refine, budget
 * 2^26 samples, no time budget, ladder auto. */
void tkc_nmatrix_options_default(tkc_nmatrix_options *opt);

#define TKC_NMATRIX_LADDER 4    /* 53, 128, 256, 512 bits                     */
/* The ladder runs one-sided Jacobi at 512 bits: O(r³) MPFR operations per
 * sweep, seconds at r = 64, a minute at r = 144; by default only up to: */
#define TKC_NMATRIX_LADDER_MAX_R 64

typedef struct tkc_nmatrix_decision {
    tkc_nmatrix_verdict_kind verdict;
    double sigma_min;           /* of the computed N, approximate             */
    double sigma_min_lower;     /* proved bound (nonsingular), else 0         */
    double inv_norm;            /* ‖N⁻¹‖₂ = 1/σ_min; inf when singular        */
    double inv_norm_upper;      /* proved bound on ‖M⁻¹‖₂ over the radii      */
    double cond;                /* σ_max / σ_min                              */
    double *singular_values;    /* r, descending (LAPACK, double)             */
    double det_mantissa;        /* det N = mantissa · 2^exponent              */
    long det_exponent;
    long ladder_prec[TKC_NMATRIX_LADDER];
    double ladder_sigma_min[TKC_NMATRIX_LADDER];
    char ladder_text[256];      /* stable / shrinking with the precision      */
    double radius_scale;        /* radii = radius_scale · se (quantile)       */
    double confidence;          /* 1 for closed forms                         */
    double radius_norm;         /* ‖radii‖_F, the perturbation certified      */
    int lemma36;                /* -1 not applicable, 0 violated, 1 holds,
                                   2 not established                          */
    char lemma36_method[256];
    char lemma36_text[320];
    char method[1024];          /* how the verdict was reached, in words      */
    char evidence[768];         /* one line, for a table                      */
    char settle[1024];           /* undecided: what would settle it            */
    /* Small β, exactly (Lemma 3.7's route): det N_attn(β) = leading ·
     * β^series_det_beta_power + O(β^(power+2)), from the exact Taylor
     * coefficients at the set's γ (attn/trans, r <= TKC_NMATRIX_SERIES_MAX_R).
     * status: -1 not run, 0 not determined by the terms used, 1 determined. */
    int series_det_status;
    long series_det_beta_power; /* determined: 2·order; else a lower bound   */
    char series_det_leading[512]; /* exact rational "p/q"                    */
    char series_det_text[320];
    uint64_t samples;           /* samples of the final N; 0 = closed form    */
    uint64_t samples_total;     /* over all auto-refine rounds                */
    unsigned rounds;
    double seconds;
} tkc_nmatrix_decision;

void tkc_nmatrix_decision_free(tkc_nmatrix_decision *d);

/* The exact small-β statement above for the attention matrix of the
 * strings of nm (any kernel: N_attn is what Lemma 3.7 is about), with γ from
 * spec and the Taylor terms β^0 .. β^(2(nterms−1)).  d receives the
 * series_det_* fields.  ERANGE when the series would cost too much. */
int tkc_nmatrix_series_det(const tkc_nmatrix *nm, const tkc_kernel_spec *spec,
                           size_t nterms, tkc_nmatrix_decision *d,
                           tkc_error *err);
#define TKC_NMATRIX_SERIES_MAX_R 6

/* Build N and decide: structure first (singular, exact), then the
 * certificate; with opt->auto_refine, quadruple the samples while undecided
 * and within the budgets.  *nm receives the final N. */
int tkc_nmatrix_decide(const tkc_template_set *set,
                       const tkc_kernel_spec *spec,
                       const tkc_nmatrix_options *opt, tkc_nmatrix **nm,
                       tkc_nmatrix_decision **out, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
