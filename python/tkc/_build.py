"""Write the C source of tkc's Python extension, tkc._tkc (cffi, API mode).

    /usr/bin/python3 python/tkc/_build.py OUT.c

meson runs this (python/meson.build) and compiles OUT.c against the public
headers and libtkc.  The declarations below are what the Python side reads;
in API mode the C compiler checks each against the real header (a struct
ends in `...;` where Python needs only some of its fields), so nothing here
is a second copy of the ABI that could drift from it: a field renamed in a
header is a compile error, not a wrong offset.  cffi releases the GIL for
the duration of every call, so the long computations (a Gram matrix, a
decision on N, a fit) let other Python threads run.
"""
import sys

import cffi

CDEF = r"""
/* tkc/error.h */
typedef enum tkc_status { TKC_SUCCESS, TKC_EINPUT, TKC_ENOMEM, TKC_ERANGE,
                          TKC_ENUMERIC, TKC_EIO, ... } tkc_status;
typedef struct tkc_error { tkc_status status; char message[...]; } tkc_error;
const char *tkc_status_string(int status);

/* tkc/pattern.h */
#define TKC_K_MAX ...
typedef int32_t tkc_token;
typedef struct tkc_strings { size_t count; size_t k; tkc_token *tok; } tkc_strings;
tkc_strings *tkc_strings_alloc(size_t count, size_t k, tkc_error *err);
void tkc_strings_free(tkc_strings *s);
typedef struct tkc_pair { size_t x, y; } tkc_pair;

/* tkc/kernel.h */
typedef enum tkc_error_kind { TKC_ERROR_EXACT, TKC_ERROR_ROUNDING,
                              TKC_ERROR_STATISTICAL, TKC_ERROR_TRUNCATION,
                              ... } tkc_error_kind;
const char *tkc_error_kind_name(tkc_error_kind kind);
typedef struct tkc_kernel_type { const char *name; const char *description;
                                 ...; } tkc_kernel_type;
typedef struct tkc_attn_estimator_type { const char *name;
                                         const char *description;
                                         ...; } tkc_attn_estimator_type;
typedef struct tkc_activation_type { const char *name; const char *description;
                                     ...; } tkc_activation_type;
const tkc_kernel_type *tkc_kernel_type_lookup(const char *name);
typedef struct tkc_attn_series_options { int order; long prec; ...; }
    tkc_attn_series_options;
typedef struct tkc_attn_qmc_options { uint64_t points; unsigned replicates;
                                      ...; } tkc_attn_qmc_options;
/* tkc/progress.h: reports come on the calling thread, with the GIL
 * released by cffi around the call; the extern "Python" function takes it
 * back for the report (tkc/progress.py). */
typedef struct tkc_progress {
    void (*report)(void *ctx, const char *stage, uint64_t done,
                   uint64_t total);
    void *ctx;
} tkc_progress;
extern "Python" void tkc_py_progress(void *ctx, const char *stage,
                                     uint64_t done, uint64_t total);
typedef struct tkc_kernel_spec {
    const tkc_kernel_type *kernel;
    const tkc_attn_estimator_type *estimator;
    const tkc_activation_type *activation;
    double beta, gamma, b1, b2;
    unsigned mlp_depth;
    uint64_t seed;
    unsigned threads;
    const tkc_progress *progress;
    tkc_attn_qmc_options qmc;
    tkc_attn_series_options series;
    ...;
} tkc_kernel_spec;
void tkc_kernel_spec_default(tkc_kernel_spec *spec);
typedef struct tkc_kernel_values {
    size_t npairs;
    double *value;
    double *se;
    tkc_error_kind error_kind;
    const char *estimator;
    uint64_t samples;
    char note[...];
    ...;
} tkc_kernel_values;
tkc_kernel_values *tkc_kernel_values_alloc(size_t npairs, int want_cov,
                                           tkc_error *err);
void tkc_kernel_values_free(tkc_kernel_values *v);
int tkc_kernel_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err);

/* tkc/kernel_options.h */
typedef uint32_t tkc_kernel_options_given;
typedef enum tkc_option_names { TKC_OPTION_NAMES_CLI, TKC_OPTION_NAMES_KEYWORD,
                                ... } tkc_option_names;
typedef struct tkc_kernel_option { const char *name; const char *metavar;
                                   const char *help; ...; } tkc_kernel_option;
extern const tkc_kernel_option tkc_kernel_options[];
const tkc_kernel_option *tkc_kernel_option_lookup(const char *name);
int tkc_kernel_option_set(tkc_kernel_spec *spec, const char *name,
                          const char *value, tkc_kernel_options_given *given,
                          tkc_error *err);
int tkc_kernel_options_check(const tkc_kernel_spec *spec,
                             tkc_kernel_options_given given,
                             const char *also_read, tkc_option_names names,
                             tkc_error *err);
int tkc_kernel_options_given_has(tkc_kernel_options_given given,
                                 const char *name);

/* tkc/gram.h */
typedef struct tkc_gram_info {
    size_t npatterns;
    double se_max;
    tkc_error_kind error_kind;
    char estimator[...];
    uint64_t samples;
    char note[...];
} tkc_gram_info;
int tkc_gram_matrix(const tkc_kernel_spec *spec, const tkc_strings *X,
                    const tkc_strings *Y, double *K, double *se,
                    tkc_gram_info *info, tkc_error *err);

/* tkc/template.h */
typedef struct tkc_template {
    int32_t *sym;
    size_t nwild;
    char **wild_names;
    double label;
    int label_wildcard;
    double weight;
    int line;
    ...;
} tkc_template;
typedef struct tkc_template_set {
    size_t count;
    size_t k;
    tkc_template *t;
    size_t nsymbols;
    char **symbol_names;
    int cls_appended;
    int symbolic_labels;
    char *source;
    ...;
} tkc_template_set;
typedef struct tkc_parse_options { int append_cls; int allow_overlap; ...; }
    tkc_parse_options;
void tkc_parse_options_default(tkc_parse_options *opt);
int tkc_template_set_parse(const char *text, size_t len, const char *name,
                           const tkc_parse_options *opt,
                           tkc_template_set **out, tkc_error *err);
int tkc_template_set_open(const char *name, const tkc_parse_options *opt,
                          tkc_template_set **out, tkc_error *err);
int tkc_template_set_find(const char *name, char *path, size_t size,
                          tkc_error *err);
const char *tkc_template_sets_dir(void);
void tkc_template_set_free(tkc_template_set *set);
int tkc_template_format(const tkc_template_set *set, size_t i, char *buf,
                        size_t size);
int tkc_template_token_name(const tkc_template_set *set, tkc_token t,
                            char *buf, size_t size);
int tkc_template_token_lookup(const tkc_template_set *set, const char *name,
                              tkc_token *t);
int tkc_template_string_format(const tkc_template_set *set, const tkc_token *x,
                               char *buf, size_t size);
int tkc_template_set_rho(const tkc_template_set *set, size_t alphabet,
                         double *rho, tkc_error *err);
size_t tkc_template_set_max_wildcards(const tkc_template_set *set);

/* tkc/sample.h */
typedef struct tkc_sample { tkc_strings *strings; size_t *template_index;
                            double *label; } tkc_sample;
int tkc_sample_draw(const tkc_template_set *set, size_t n, size_t alphabet,
                    unsigned alphabet_id, double sigma, uint64_t seed,
                    tkc_sample **out, tkc_error *err);
void tkc_sample_free(tkc_sample *s);

/* tkc/series.h, tkc/coeffs.h: the rationals leave C as text (helpers) */
typedef struct tkc_series { int order; int nbeta; int ngamma; ...; } tkc_series;
tkc_series *tkc_series_alloc(int order, tkc_error *err);
void tkc_series_free(tkc_series *s);
int tkc_series_compute_pair(tkc_series *s, const tkc_token *x,
                            const tkc_token *y, size_t k, tkc_error *err);
typedef struct tkc_series_sum_info { int order_used; int smallest_at;
                                     int at_end; } tkc_series_sum_info;
size_t tkc_series_monomials(int total_order);
void tkc_series_monomial(size_t index, int *a, int *b);
int tkc_series_monomial_name(char *buf, size_t size, int a, int b);
typedef struct tkc_coeffs tkc_coeffs;
tkc_coeffs *tkc_coeffs_alloc(const tkc_template_set *set, tkc_error *err);
void tkc_coeffs_free(tkc_coeffs *c);
size_t tkc_coeffs_patterns(const tkc_coeffs *c);
int tkc_coeffs_raise(tkc_coeffs *c, int total_order, const uint8_t *need,
                     unsigned threads, const void *progress, void *st,
                     tkc_error *err);

/* tkc/generic.h */
typedef enum tkc_generic_status { TKC_GENERIC_NOT_ESTABLISHED,
                                  TKC_GENERIC_PROVED, ... } tkc_generic_status;
typedef enum tkc_generic_method { TKC_GENERIC_AUTO, TKC_GENERIC_EXHAUSTIVE,
                                  TKC_GENERIC_CYCLES, ... } tkc_generic_method;
typedef struct tkc_generic_options { tkc_generic_method method; int max_order;
                                     double work_budget; unsigned threads;
                                     ...; } tkc_generic_options;
void tkc_generic_options_default(tkc_generic_options *opt);
typedef struct tkc_generic_verdict {
    tkc_generic_status status;
    tkc_generic_method method;
    int sign;
    size_t r;
    size_t patterns;
    int norders;
    int orders[...];
    size_t order_patterns[...];
    double order_work[...];
    int order;
    int deciding_a, deciding_b;
    long deciding_index;
    size_t *witness;
    char witness_text[...];
    char weight_text[...];
    char method_text[...];
    char text[...];
    char attn_text[...];
    char next[...];
    double work;
    double seconds;
    double cpu_seconds;
    ...;
} tkc_generic_verdict;
void tkc_generic_verdict_clear(tkc_generic_verdict *v);

/* tkc/evidence.h */
typedef enum tkc_evidence_kind { TKC_EVIDENCE_PROVED, TKC_EVIDENCE_CONFIDENCE,
                                 TKC_EVIDENCE_ESTIMATE, ... } tkc_evidence_kind;
const char *tkc_evidence_kind_name(tkc_evidence_kind kind);

/* tkc/nmatrix.h, tkc/verdict.h */
typedef struct tkc_nmatrix {
    size_t r, k;
    tkc_strings *strings;
    double *N;
    double *se;
    tkc_error_kind error_kind;
    char estimator[...];
    uint64_t samples;
    size_t nclasses;
    const char *invariant;
    ...;
} tkc_nmatrix;
void tkc_nmatrix_free(tkc_nmatrix *nm);
int tkc_nmatrix_identical_rows(const tkc_nmatrix *nm, size_t *i, size_t *ip);
int tkc_nmatrix_strings(const tkc_template_set *set, tkc_strings **out,
                        tkc_error *err);
typedef enum tkc_nmatrix_verdict_kind { TKC_NMATRIX_UNDECIDED,
                                        TKC_NMATRIX_SINGULAR,
                                        TKC_NMATRIX_NONSINGULAR, ... }
    tkc_nmatrix_verdict_kind;
const char *tkc_nmatrix_verdict_name(tkc_nmatrix_verdict_kind v);
typedef enum tkc_lemma36_status { TKC_LEMMA36_NOT_APPLICABLE,
                                  TKC_LEMMA36_VIOLATED, TKC_LEMMA36_HOLDS,
                                  TKC_LEMMA36_NOT_ESTABLISHED, ... }
    tkc_lemma36_status;
typedef enum tkc_series_det_status { TKC_SERIES_DET_NOT_RUN,
                                     TKC_SERIES_DET_UNDETERMINED,
                                     TKC_SERIES_DET_DETERMINED, ... }
    tkc_series_det_status;
typedef enum tkc_nmatrix_generic_kind { TKC_NMATRIX_GENERIC_NOT_RUN,
                                        TKC_NMATRIX_GENERIC_NOT_ESTABLISHED,
                                        TKC_NMATRIX_GENERIC_SINGULAR,
                                        TKC_NMATRIX_GENERIC_NONSINGULAR,
                                        TKC_NMATRIX_GENERIC_CONDITION10, ... }
    tkc_nmatrix_generic_kind;
const char *tkc_nmatrix_generic_name(tkc_nmatrix_generic_kind g);
typedef struct tkc_nmatrix_options {
    long prec;
    double confidence;
    int auto_refine;
    uint64_t budget;
    double time_budget;
    int ladder;
    int generic;
    tkc_generic_options generic_opt;
    ...;
} tkc_nmatrix_options;
void tkc_nmatrix_options_default(tkc_nmatrix_options *opt);
#define TKC_NMATRIX_LADDER ...
typedef struct tkc_nmatrix_decision {
    tkc_nmatrix_verdict_kind verdict;
    tkc_evidence_kind evidence_kind;
    char verdict_words[...];
    double sigma_min;
    double eig_min;
    double sigma_min_lower;
    double inv_norm;
    double inv_norm_upper;
    double cond;
    double *singular_values;
    double det_mantissa;
    long det_exponent;
    long ladder_prec[...];
    double ladder_sigma_min[...];
    char ladder_text[...];
    double radius_scale;
    double confidence;
    double radius_norm;
    tkc_lemma36_status lemma36;
    char lemma36_test[...];
    char lemma36_method[...];
    char lemma36_text[...];
    char method[...];
    char evidence[...];
    char settle[...];
    tkc_series_det_status series_det_status;
    long series_det_beta_power;
    char series_det_leading[...];
    char series_det_text[...];
    tkc_nmatrix_generic_kind generic;
    char generic_words[...];
    char generic_text[...];
    tkc_generic_verdict generic_test;
    uint64_t samples;
    uint64_t samples_total;
    unsigned rounds;
    int stopped_early;
    double seconds;
    ...;
} tkc_nmatrix_decision;
void tkc_nmatrix_decision_free(tkc_nmatrix_decision *d);
int tkc_nmatrix_decide(const tkc_template_set *set, const tkc_kernel_spec *spec,
                       const tkc_nmatrix_options *opt, tkc_nmatrix **nm,
                       tkc_nmatrix_decision **out, tkc_error *err);
typedef struct tkc_nmatrix_cost {
    size_t r, k;
    double entries, distinct;
    int distinct_exact;
    double kernel_entries, bytes;
    const char *peak_phase;
    double bytes_kept;
    uint64_t evaluations_first, evaluations_max;
    unsigned rounds_max;
    double values_first, values_max, covariance_ops_first,
           covariance_ops_max, certificate_ops, seconds_first, seconds_max;
    ...;
} tkc_nmatrix_cost;
int tkc_nmatrix_cost_predict(const tkc_template_set *set,
                             const tkc_kernel_spec *spec,
                             const tkc_nmatrix_options *opt,
                             tkc_nmatrix_cost *cost, tkc_error *err);

/* tkc/spd.h, tkc/krr.h */
static const double TKC_KRR_LAMBDA_DEFAULT;
typedef struct tkc_spd_solve_info {
    double lambda;
    double lambda_used;
    unsigned escalations;
    double rcond;
    double ferr;
    double berr;
    char note[...];
    ...;
} tkc_spd_solve_info;
typedef struct tkc_krr_kernel_info {
    size_t npatterns;
    double se_max;
    tkc_error_kind error_kind;
    char estimator[...];
} tkc_krr_kernel_info;
typedef enum tkc_krr_solver {
    TKC_KRR_SOLVER_AUTO, TKC_KRR_SOLVER_DENSE, TKC_KRR_SOLVER_STRUCTURED
} tkc_krr_solver;
const char *tkc_krr_solver_name(tkc_krr_solver s);
typedef struct tkc_krr_options {
    double lambda;
    tkc_krr_solver solver;
    unsigned kernel_replicates;
    double memory_bytes;
    double tolerance;
    unsigned max_iterations;
    ...;
} tkc_krr_options;
typedef struct tkc_krr_plan {
    size_t n, templates;
    double shared_pairs;
    double dense_bytes, dense_flops;
    double structured_bytes, structured_flops;
    double factor_nnz;
    double memory_bytes;
    tkc_krr_solver chosen;
    int structured_factored;
    char reason[...];
    ...;
} tkc_krr_plan;
typedef struct tkc_krr_limits {
    size_t dense_n_max;
    size_t structured_n_max;
    double structured_alphabet_min;
    ...;
} tkc_krr_limits;
int tkc_krr_plan_expected(const tkc_template_set *set, size_t n,
                          size_t alphabet, const tkc_krr_options *o,
                          tkc_krr_plan *plan, tkc_krr_limits *limits,
                          tkc_error *err);
typedef enum tkc_krr_kernel_error {
    TKC_KRR_KERNEL_ERROR_NONE, TKC_KRR_KERNEL_ERROR_REPLICATES,
    TKC_KRR_KERNEL_ERROR_PERTURBATION, TKC_KRR_KERNEL_ERROR_NOT_COMPUTED, ...
} tkc_krr_kernel_error;
const char *tkc_krr_kernel_error_name(tkc_krr_kernel_error e);
typedef struct tkc_krr_structured_report {
    int factored;
    double shift;
    unsigned iterations;
    double backward_error;
    int converged;
    double capacitance_rcond;
    double peak_bytes;
    ...;
} tkc_krr_structured_report;
typedef struct tkc_krr_model {
    size_t n;
    size_t replicates;
    double *alpha;
    tkc_spd_solve_info solve;
    tkc_krr_plan plan;
    tkc_krr_structured_report structured;
    double residual;
    int residual_computed;
    tkc_krr_kernel_error kernel_error;
    unsigned replicate_escalations;
    double train_mse;
    double *replicate_train_mse;
    tkc_krr_kernel_info kernel;
    double kernel_diag_max;
    double seconds_kernel, seconds_fill, seconds_solve;
    ...;
} tkc_krr_model;
void tkc_krr_options_default(tkc_krr_options *o);
int tkc_krr_fit(const tkc_kernel_spec *spec, const tkc_template_set *set,
                const tkc_strings *X, const size_t *template_index,
                const double *y, const tkc_krr_options *o,
                tkc_krr_model **out, tkc_error *err);
void tkc_krr_model_free(tkc_krr_model *m);
int tkc_krr_predict(const tkc_krr_model *m, const tkc_strings *X, double *pred,
                    tkc_error *err);
int tkc_krr_predict_replicate(const tkc_krr_model *m, size_t q,
                              const tkc_strings *X, double *pred,
                              tkc_error *err);
double tkc_krr_replicate_sd(const double *v, size_t replicates);
typedef struct tkc_krr_score {
    size_t ntemplates;
    size_t replicates;
    double *template_prediction;
    double *template_prediction_kernel_se;
    double *template_sq_error;
    double test_mse_population;
    double test_mse_population_kernel_se;
    double *replicate_prediction;
    double *replicate_mse_population;
    double label_mean;
    double label_variance;
    ...;
} tkc_krr_score;
int tkc_krr_score_templates(const tkc_krr_model *m, const tkc_template_set *set,
                            tkc_krr_score **out, tkc_error *err);
void tkc_krr_score_free(tkc_krr_score *s);

/* tkc/rates.h */
typedef struct tkc_rate_slope {
    size_t points, skipped;
    double slope, intercept, slope_se, level, slope_lo, slope_hi;
    ...;
} tkc_rate_slope;
int tkc_rate_slope_fit(const double *x, const double *y, size_t m,
                       double level, tkc_rate_slope *out, tkc_error *err);
void tkc_rate_slope_interval_with(const tkc_rate_slope *s, double extra_se,
                                  double *lo, double *hi);
typedef struct tkc_rate_floor {
    size_t points;
    double a, c, a_se, c_se;
    ...;
} tkc_rate_floor;
int tkc_rate_floor_fit(const double *x, const double *y, size_t m,
                       tkc_rate_floor *out, tkc_error *err);
typedef struct tkc_rate_window {
    double x_lo, x_hi, x_center;
    tkc_rate_slope slope;
    ...;
} tkc_rate_window;
int tkc_rate_local_slopes(const double *x, const double *y, size_t m,
                          size_t width, double level, tkc_rate_window *out,
                          size_t *nout, tkc_error *err);
typedef struct tkc_rate_tail {
    tkc_rate_slope slope;
    size_t xs, xs_total;
    double x_min, curvature, curvature_se;
    int curved_throughout;
    ...;
} tkc_rate_tail;
int tkc_rate_tail_fit(const double *x, const double *y, size_t m,
                      size_t min_xs, double level, tkc_rate_tail *out,
                      tkc_error *err);

/* helpers of this module (below) */
void tkc_py_gsl_handler_off(void);
char *tkc_py_series_coeff(const tkc_series *s, int i, int j);
char *tkc_py_coeffs_entry(const tkc_coeffs *c, size_t i, size_t j, size_t m);
void tkc_py_free_text(char *text);
int tkc_py_series_sum(const tkc_series *s, double beta, const char *gamma2,
                      long prec, double *value, double *se,
                      tkc_series_sum_info *info, tkc_error *err);
int tkc_py_decide_matrices(const tkc_coeffs *c, size_t r, int total_order,
                           const tkc_generic_options *opt,
                           tkc_generic_verdict *v, tkc_error *err);
"""

# The helpers: exact rationals as text (GMP's mpq_t stays on this side),
# and GSL's process-wide error handler, which this module turns off at
# import as the tkc program does in main (libtkc checks GSL's return codes,
# so a GSL failure is a tkc.Error, not an abort of the interpreter).
SOURCE = r"""
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <gsl/gsl_errno.h>
#include <tkc/tkc.h>

static void tkc_py_gsl_handler_off(void)
{
    gsl_set_error_handler_off();
}

/* Free text that GMP allocated, with GMP's own free function. */
static void tkc_py_free_text(char *text)
{
    void (*free_fn)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &free_fn);
    if (text)
        free_fn(text, strlen(text) + 1);
}

static char *tkc_py_series_coeff(const tkc_series *s, int i, int j)
{
    return mpq_get_str(NULL, 10, tkc_series_coeff(s, i, j));
}

static char *tkc_py_coeffs_entry(const tkc_coeffs *c, size_t i, size_t j,
                                 size_t m)
{
    return mpq_get_str(NULL, 10, tkc_coeffs_entry(c, i, j)[m]);
}

/* The series summed at (beta, gamma) with gamma = sqrt(gamma2) rounded as
 * `tkc series --gamma2 G2 --beta B` rounds it (mpq_get_d). */
static int tkc_py_series_sum(const tkc_series *s, double beta,
                             const char *gamma2, long prec, double *value,
                             double *se, tkc_series_sum_info *info,
                             tkc_error *err)
{
    mpq_t g;
    mpq_init(g);
    if (mpq_set_str(g, gamma2, 10) != 0) {
        mpq_clear(g);
        return tkc_fail(err, TKC_EINPUT, "gamma2: '%s' is not a rational",
                        gamma2);
    }
    mpq_canonicalize(g);
    double gamma = sqrt(mpq_get_d(g));
    mpq_clear(g);
    return tkc_series_sum(s, beta, gamma, prec, 0, value, se, NULL, info, err);
}

/* Condition (10) on the coefficient matrices through total_order (what
 * `tkc series FILE` prints): nothing raised. */
static int tkc_py_decide_matrices(const tkc_coeffs *c, size_t r,
                                  int total_order,
                                  const tkc_generic_options *opt,
                                  tkc_generic_verdict *v, tkc_error *err)
{
    const mpq_t **entry = malloc(r * r * sizeof *entry);
    if (!entry)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for %zu entries",
                        r * r);
    for (size_t e = 0; e < r * r; e++)
        entry[e] = tkc_coeffs_entry(c, e / r, e % r);
    int st = tkc_generic_decide_matrices(r, total_order,
                                         (const mpq_t *const *)entry, opt, v,
                                         err);
    free(entry);
    return st;
}
"""


def builder():
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("tkc._tkc", SOURCE)
    return ffi


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: _build.py OUT.c")
    builder().emit_c_code(sys.argv[1])
