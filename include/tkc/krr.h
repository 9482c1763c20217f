/* tkc/krr.h — kernel ridge regression on given strings and labels (paper
 * Prop. 3.1, eq. 5):
 *
 *     f̂(x) = Σ_i α_i K(x_i, x),   (K̂ + λI) α = y,   K̂_ij = K(x_i, x_j)
 *
 * The fit takes training strings and real labels; drawing them is
 * sample.c's job (tkc/sample.h), done by the caller.  λ is absolute, as in
 * eq. (5) and Theorem 3.4 (a constant, not scaled with n); the solve is
 * tkc_spd_solve (tkc/spd.h): Cholesky with an escalating ridge, condition
 * estimate, refined answer, error bounds, never NaN.
 *
 * Two ways to K̂, one answer (the same kernel values, so the same α):
 *   structured  the strings are substitutions of the templates of a set
 *               (fresh symbols, distinct per wildcard).  The pattern of a
 *               pair is then fixed by the two templates and by which
 *               substituted symbols coincide, so each distinct pattern is
 *               evaluated once, all of them in ONE tkc_kernel_eval_pairs
 *               call (common random numbers), and K̂ is filled by table
 *               look-up (krr_gram.c).  Strings whose symbols were
 *               never seen in training are predicted in O(r) from N.
 *   general     any strings: every pair's canonical pattern goes through a
 *               pattern index, the distinct ones are evaluated in one call,
 *               and K̂ is filled from the table (O(n² k²) pattern work).
 *
 * Scoring against a template set (the population error on unseen symbols,
 * the prediction per template, the label moments) is a call of its own. */
#ifndef TKC_KRR_H
#define TKC_KRR_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "tkc/spd.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel values K̂ is made of come from ONE tkc_kernel_eval_pairs call
 * (common random numbers): how many patterns it evaluated, the largest
 * error radius of an entry, its kind, and the estimator actually used
 * (`auto` says which it chose). */
typedef struct tkc_krr_kernel_info {
    size_t npatterns;
    double se_max;
    tkc_error_kind error_kind;
    char estimator[32];
} tkc_krr_kernel_info;

/* The structured path's Gram matrix (krr_gram.c), opaque. */
typedef struct tkc_krr_gram tkc_krr_gram;

/* ---- fit and predict ------------------------------------------------------ */

/* The ridge tkc uses when none is given.  The kernels here have
 * K(x, x) = O(1); 1e-3 keeps K̂ + λI factorable when strings repeat while
 * staying far below the gap K(x, x) − N_zz that carries generalization. */
#define TKC_KRR_LAMBDA_DEFAULT 1e-3

typedef struct tkc_krr_model {
    size_t n;                  /* training strings                           */
    double *alpha;             /* n dual coefficients                        */
    tkc_spd_solve_info solve;  /* ridge asked and used, rcond, ferr, berr    */
    /* mean (f̂(x_i) − y_i)² over the training strings: K̂α = y − λα, so
     * the residual is λ_used·α (to the solve's ferr). */
    double train_mse;
    tkc_krr_kernel_info kernel;   /* the kernel values K̂ was made of      */
    double kernel_diag_max;    /* max_i K(x_i, x_i)                          */
    double seconds_kernel, seconds_fill, seconds_solve;
    /* The model's own (read, do not write): */
    tkc_kernel_spec spec;
    tkc_strings *strings;      /* copy of the training strings               */
    const tkc_template_set *set;  /* structured fits: the set (borrowed)    */
    tkc_krr_gram *gram;        /* structured fits; NULL for general ones     */
} tkc_krr_model;

/* Fit f̂ to n = X->count strings with real labels y (n finite values) at
 * ridge λ >= 0.  set (nullable) selects the structured path and must
 * outlive the model: the strings must then be substitutions of its
 * templates whose substituted symbols are fresh (tokens >= set->nsymbols)
 * and distinct per wildcard, template_index[i] (nullable: found by
 * matching) naming string i's template; TKC_EINPUT names the first string
 * that is not.  Without a set every string is allowed and the general path
 * is taken.  With a closed-form kernel both paths give the same α to rounding
 * (tests/test_krr.c); with a Monte Carlo one each path's kernel call draws
 * its own numbers.  K̂ (n² doubles) exists only during the call.
 * TKC_EINPUT for bad input (named), TKC_ENOMEM when K̂ does not fit,
 * TKC_ENUMERIC from the solve. */
TKC_API int tkc_krr_fit(const tkc_kernel_spec *spec,
                        const tkc_template_set *set, const tkc_strings *X,
                        const size_t *template_index, const double *y,
                        double lambda, tkc_krr_model **out, tkc_error *err);
TKC_API void tkc_krr_model_free(tkc_krr_model *m);

/* f̂ on the strings X (same length as the training strings) into pred
 * (X->count values).  With a structured model, strings on symbols never
 * seen in training cost O(r) each and use
 * N from the fit's own kernel call; every other string goes through the
 * general path: Σ_i α_i K(x_i, x) with the distinct patterns of all such
 * pairs evaluated in one further kernel call (for Monte Carlo kernels that
 * call draws its own random numbers). */
TKC_API int tkc_krr_predict(const tkc_krr_model *m, const tkc_strings *X,
                            double *pred, tkc_error *err);

/* ---- scoring against a template set -------------------------------------- */

/* On strings whose symbols were never seen in training, f̂ is constant on
 * each template (token symmetry), so the expected test error needs no test
 * sample: Σ_z µ(z) (f̂(z) − f*(z))², exact given f̂. */
typedef struct tkc_krr_score {
    size_t ntemplates;
    double *template_prediction;   /* r: f̂ on template t's unseen strings  */
    double *template_sq_error;     /* r: (f̂(z_t) − f*(z_t))²               */
    double test_mse_population;    /* Σ_t µ(t) template_sq_error[t]         */
    double label_mean;             /* E_µ f*(z)                              */
    double label_variance;         /* Var_µ f*(z): the best constant's error */
} tkc_krr_score;

/* Score m against the templates of set (real labels; TKC_EINPUT for
 * symbolic ones).  A structured model is scored against the set it was fit
 * with; a general one against any set of the training strings' length and
 * symbol table. */
TKC_API int tkc_krr_score_templates(const tkc_krr_model *m,
                                    const tkc_template_set *set,
                                    tkc_krr_score **out, tkc_error *err);
TKC_API void tkc_krr_score_free(tkc_krr_score *s);

#ifdef __cplusplus
}
#endif
#endif
