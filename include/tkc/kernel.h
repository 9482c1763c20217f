/* tkc/kernel.h — the kernel layer: one specification struct, three families
 * of type tables, and the call that evaluates a kernel on a list of pairs.
 *
 * Families (each a GSL-style type table: a name plus function pointers, so
 * that `--kernel trans --estimator qmc --act relu` are three table lookups):
 *   tkc_kernel_type          attn, trans, mlp, mlpxx          (kernel.c)
 *   tkc_attn_estimator_type  mc, qmc, series, auto            (attn_*.c)
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
#include "tkc/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an entry's error radius means. */
typedef enum tkc_error_kind {
    TKC_ERROR_EXACT = 0,     /* value is exact (rational arithmetic)          */
    TKC_ERROR_ROUNDING,      /* closed form: se bounds floating-point rounding */
    TKC_ERROR_STATISTICAL,   /* MC / RQMC: se is one standard error           */
    TKC_ERROR_TRUNCATION     /* series: se is the truncation estimate         */
} tkc_error_kind;

const char *tkc_error_kind_name(tkc_error_kind kind);

typedef struct tkc_kernel_spec tkc_kernel_spec;
typedef struct tkc_kernel_values tkc_kernel_values;

/* ---- results ------------------------------------------------------------ */

struct tkc_kernel_values {
    size_t npairs;
    double *value;              /* npairs                                     */
    double *se;                 /* npairs: error radius (see error_kind)      */
    double *cov;                /* npairs*npairs row-major, or NULL           */
    tkc_error_kind error_kind;
    const char *estimator;      /* name of the estimator actually used        */
    uint64_t samples;           /* samples (points) used; 0 for closed forms  */
    char note[256];             /* e.g. why `auto` chose what it chose        */
};

/* want_cov: also allocate and fill the covariance matrix. */
tkc_kernel_values *tkc_kernel_values_alloc(size_t npairs, int want_cov,
                                           tkc_error *err);
void tkc_kernel_values_free(tkc_kernel_values *v);

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
} tkc_kernel_type;

extern const tkc_kernel_type *const tkc_kernel_attn;
extern const tkc_kernel_type *const tkc_kernel_trans;
extern const tkc_kernel_type *const tkc_kernel_mlp;
extern const tkc_kernel_type *const tkc_kernel_mlpxx;
/* NULL-terminated list, and lookup by name (NULL when unknown). */
extern const tkc_kernel_type *const tkc_kernel_types[];
const tkc_kernel_type *tkc_kernel_type_lookup(const char *name);

typedef struct tkc_attn_estimator_type {
    const char *name;           /* "mc", "qmc", "series", "auto"              */
    const char *description;
    tkc_pairs_fn eval_pairs;    /* evaluates K_attn                           */
} tkc_attn_estimator_type;

extern const tkc_attn_estimator_type *const tkc_attn_mc;
extern const tkc_attn_estimator_type *const tkc_attn_qmc;
extern const tkc_attn_estimator_type *const tkc_attn_series;
extern const tkc_attn_estimator_type *const tkc_attn_auto;
/* Monte Carlo with the exact β² series as control variate (attn_auto.c). */
extern const tkc_attn_estimator_type *const tkc_attn_cvmc;
extern const tkc_attn_estimator_type *const tkc_attn_estimator_types[];
const tkc_attn_estimator_type *tkc_attn_estimator_lookup(const char *name);

/* An activation φ and its dual: E[φ(a) φ(b)] for (a, b) centred Gaussian
 * with variances A, B and covariance C. */
typedef struct tkc_activation_type {
    const char *name;           /* "cos", "relu", "erf"                        */
    const char *description;
    double (*phi)(double t, const tkc_kernel_spec *spec);
    /* Closed form of the dual; grad (nullable) receives ∂K/∂A, ∂K/∂B, ∂K/∂C
     * for first-order error propagation. */
    int (*dual)(double A, double B, double C, const tkc_kernel_spec *spec,
                double *K, double grad[3], tkc_error *err);
} tkc_activation_type;

extern const tkc_activation_type *const tkc_activation_cos;
extern const tkc_activation_type *const tkc_activation_relu;
extern const tkc_activation_type *const tkc_activation_erf;
extern const tkc_activation_type *const tkc_activation_types[];
const tkc_activation_type *tkc_activation_lookup(const char *name);

/* ---- the specification -------------------------------------------------- */

struct tkc_kernel_spec {
    const tkc_kernel_type *kernel;
    const tkc_attn_estimator_type *estimator;   /* for attn and trans         */
    const tkc_activation_type *activation;      /* for trans, mlp, mlpxx      */
    double beta;                /* softmax inverse temperature                */
    double gamma;               /* size of positional embeddings              */
    double b1, b2;              /* φ(t) = cos(b1 t + b2)                      */
    unsigned mlp_depth;         /* hidden layers of the MLP kernels           */
    uint64_t samples;           /* MC samples / QMC points per replicate      */
    unsigned replicates;        /* RQMC replicates                            */
    int order;                  /* series order D (max power of β); 0 = auto  */
    long prec;                  /* MPFR precision in bits for the series      */
    uint64_t seed;
    unsigned threads;           /* worker threads; results do not depend on it */
    double target_se;           /* accuracy `auto` aims for                   */
};

/* Defaults: trans kernel, auto estimator, cos, β = 1, γ = 1, b1 = 1,
 * b2 = 0.5, depth 1, 2^16 samples, 16 replicates, order 0, 256 bits,
 * seed 1, 1 thread, target_se 1e-4. */
void tkc_kernel_spec_default(tkc_kernel_spec *spec);
/* Check every field (finite, non-negative, sizes sane); names the field. */
int tkc_kernel_spec_validate(const tkc_kernel_spec *spec, tkc_error *err);

/* ---- evaluation --------------------------------------------------------- */

/* Evaluate spec->kernel on the pairs, each distinct unordered pattern once
 * (the pattern cache), duplicates copied.  out must be allocated for npairs
 * (with covariance if wanted). */
int tkc_kernel_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err);

/* One value: K(x, y) for strings of length k. */
int tkc_kernel_eval(const tkc_kernel_spec *spec, const tkc_token *x,
                    const tkc_token *y, size_t k, double *value, double *se,
                    tkc_error_kind *kind, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
