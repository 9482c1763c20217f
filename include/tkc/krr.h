/* tkc/krr.h — kernel ridge regression on given strings and labels (paper
 * Prop. 3.1, eq. 5):
 *
 *     f̂(x) = Σ_i α_i K(x_i, x),   (K̂ + λI) α = y,   K̂_ij = K(x_i, x_j)
 *
 * The fit takes training strings and real labels; drawing them is
 * sample.c's job (tkc/sample.h), done by the caller.  λ is absolute, as in
 * eq. (5) and Theorem 3.4 (a constant, not scaled with n).
 *
 * Two ways to solve, one α (to ≤ 1e-9 relative, tests/test_krr.c):
 *   dense       K̂ as one n×n matrix, tkc_spd_solve (tkc/spd.h): Cholesky
 *               with an escalating ridge, condition estimate, refined
 *               answer, error bounds; O(n³) time, 8n² bytes.
 *   structured  (template strings only) K̂ = U N Uᵀ + D + S: the rank-r
 *               block part, the diagonal, the sparse pairs that share a
 *               symbol; Woodbury over CHOLMOD's sparse Cholesky of
 *               D + S + λI, as the preconditioner of conjugate gradients
 *               on K̂ + λI whose residual is checked in extended precision
 *               (src/krr_structured.h).  O(n r² + fill) when few pairs share
 *               a symbol, i.e. at large ρ.
 * TKC_KRR_SOLVER_AUTO chooses by predicted cost and memory and says why
 * (tkc_krr_model.plan; src/krr_plan.c).
 *
 * The kernel's own error.  With a Monte Carlo kernel, K̂ is an estimate,
 * and so is everything computed from it.  The fit is repeated on the same
 * strings and labels with independent kernel estimates (replicates: the
 * kernel call with independent seeds; a series' truncation error by
 * moving each value to an edge of its radius with a random sign); the
 * spread of a number over
 * the replicates is its kernel error (the standard deviation of one fit's
 * number over kernel seeds).  Replicate 0 is the fit itself.
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
 *   general     any strings: K̂ is tkc_gram_matrix's (tkc/gram.h), every
 *               pair's canonical pattern through its pattern table, the
 *               distinct ones evaluated in one call (O(n² k²) pattern
 *               work): the same digits.
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

/* ---- options and the choice of a path -------------------------------------- */

typedef enum tkc_krr_solver {
    TKC_KRR_SOLVER_AUTO = 0,   /* by predicted cost and memory               */
    TKC_KRR_SOLVER_DENSE,      /* one n×n matrix, tkc_spd_solve              */
    TKC_KRR_SOLVER_STRUCTURED  /* U N Uᵀ + D + S (template strings only)     */
} tkc_krr_solver;

TKC_API const char *tkc_krr_solver_name(tkc_krr_solver s);

typedef struct tkc_krr_options {
    double lambda;             /* ridge, absolute (TKC_KRR_LAMBDA_DEFAULT)   */
    tkc_krr_solver solver;     /* AUTO                                       */
    unsigned kernel_replicates;/* kernel estimates, the fit's included: 4;
                                  1 computes no kernel error (reported as
                                  not computed); closed forms use 1          */
    double memory_bytes;       /* what the solve may use; 0: the machine's
                                  physical memory                            */
    double tolerance;          /* structured: normwise backward error to
                                  reach, ‖r‖∞ / (‖K̂+λI‖∞‖α‖∞ + ‖y‖∞); 0
                                  (default): until the residual computed in
                                  extended precision stops falling (the
                                  rounding floor)                            */
    unsigned max_iterations;   /* structured: conjugate-gradient steps (1000) */
} tkc_krr_options;

TKC_API void tkc_krr_options_default(tkc_krr_options *o);

/* What each path would cost and which one a fit takes, with the reason in
 * words.  Flops and bytes are predictions: dense n³/3 flops and 8n² bytes;
 * structured from the pairs that share a symbol and CHOLMOD's analysis of
 * D + S (its predicted factor and flop count), or before any data exist
 * from the expected number of such pairs (tkc_krr_plan_expected). */
typedef struct tkc_krr_plan {
    size_t n, templates;
    double shared_pairs;       /* |S|: counted, or expected                  */
    double dense_bytes, dense_flops;
    double structured_bytes, structured_flops;  /* 0 when not analyzed       */
    double factor_nnz;         /* CHOLMOD's predicted nnz(L) (0: none)       */
    double memory_bytes;       /* the budget                                 */
    tkc_krr_solver chosen;     /* DENSE or STRUCTURED; AUTO: neither fits    */
    int structured_factored;   /* structured: A = D + S + λI factored (1), or
                                  only its diagonal, CG iterating on S (0)  */
    char reason[400];
} tkc_krr_plan;

/* Before sampling: the plan for n strings drawn from set with alphabet A
 * (tkc_sample_draw's distribution), from the expected number of pairs that
 * share a symbol, E|S| = Σ_{i<j} P(x_i, x_j share one).  The structured
 * path is planned when each string shares a symbol with fewer than one
 * other on average (2E|S|/n < 1: the sharing graph has no giant component,
 * so the factor of D + S has no fill to speak of); beyond that only CHOLMOD's
 * analysis of the real pairs can tell, and the plan says so.  Also the
 * limits at this budget: the largest n the dense path fits, and for the
 * structured path the largest n at this alphabet and the smallest alphabet
 * at this n.  TKC_EINPUT for a bad size. */
typedef struct tkc_krr_limits {
    size_t dense_n_max;        /* 8n² bytes within the budget                */
    size_t structured_n_max;   /* 2E|S|/n < 1 at this alphabet               */
    double structured_alphabet_min;  /* the same at this n                   */
} tkc_krr_limits;

TKC_API int tkc_krr_plan_expected(const tkc_template_set *set, size_t n,
                                  size_t alphabet, const tkc_krr_options *o,
                                  tkc_krr_plan *plan, tkc_krr_limits *limits,
                                  tkc_error *err);

/* ---- fit and predict ------------------------------------------------------ */

/* The ridge tkc uses when none is given.  The kernels here have
 * K(x, x) = O(1); 1e-3 keeps K̂ + λI factorable when strings repeat while
 * staying far below the gap K(x, x) − N_zz that carries generalization. */
#define TKC_KRR_LAMBDA_DEFAULT 1e-3

/* How the kernel error of a fit's numbers is computed. */
typedef enum tkc_krr_kernel_error {
    TKC_KRR_KERNEL_ERROR_NONE = 0,      /* closed form: rounding only, 0     */
    TKC_KRR_KERNEL_ERROR_REPLICATES,    /* spread over independent kernel
                                           seeds (statistical estimators)    */
    TKC_KRR_KERNEL_ERROR_PERTURBATION,  /* spread over the values moved to
                                           an edge of their truncation radii
                                           with random signs (an estimate:
                                           sqrt(P) times it bounds the
                                           effect to first order, P values)  */
    TKC_KRR_KERNEL_ERROR_NOT_COMPUTED   /* one estimate asked for            */
} tkc_krr_kernel_error;

TKC_API const char *tkc_krr_kernel_error_name(tkc_krr_kernel_error e);

/* What the structured solve did (structured fits). */
typedef struct tkc_krr_structured_report {
    int factored;              /* A = D + S + λI factored by CHOLMOD (1), or
                                  its diagonal (0)                           */
    double shift;              /* σ added to A in the preconditioner (0:
                                  none; A was not positive definite)         */
    unsigned iterations;       /* conjugate-gradient steps                   */
    double backward_error;     /* normwise, reached                          */
    int converged;             /* to the tolerance or the rounding floor     */
    double capacitance_rcond;  /* of C = I + L_Gᵀ N L_G                       */
    double peak_bytes;         /* CHOLMOD's peak and the solver's arrays     */
} tkc_krr_structured_report;

typedef struct tkc_krr_model {
    size_t n;                  /* training strings                           */
    size_t replicates;         /* kernel estimates fit (1: the fit only)     */
    double *alpha;             /* replicates × n: α of estimate q at
                                  alpha + q·n; q = 0 is the fit              */
    tkc_spd_solve_info solve;  /* the fit's: ridge asked and used, rcond,
                                  ferr, berr (structured: the same figures
                                  through the structured solve)             */
    tkc_krr_plan plan;         /* the path taken and why                     */
    tkc_krr_structured_report structured;  /* structured fits               */
    /* ‖y − (K̂ + λ_used I)α‖₂ / ‖y‖₂ of the fit, in extended precision from
     * the kernel values (fits through a template set, either path);
     * residual_computed 0 for general fits (see solve.berr). */
    double residual;
    int residual_computed;
    tkc_krr_kernel_error kernel_error;
    unsigned replicate_escalations;  /* ridge raises in the replicates      */
    /* mean (f̂(x_i) − y_i)² over the training strings: K̂α = y − λα, so
     * the residual is λ_used·α (to the solve's ferr); replicate_train_mse
     * the same of each kernel estimate ([0] = train_mse). */
    double train_mse;
    double *replicate_train_mse;
    tkc_krr_kernel_info kernel;   /* the kernel values K̂ was made of      */
    double kernel_diag_max;    /* max_i K(x_i, x_i)                          */
    double seconds_kernel, seconds_fill, seconds_solve;
    /* The model's own (read, do not write): */
    tkc_kernel_spec spec;
    double lambda;             /* asked                                      */
    tkc_strings *strings;      /* copy of the training strings               */
    const tkc_template_set *set;  /* structured fits: the set (borrowed)    */
    tkc_krr_gram *gram;        /* structured fits; NULL for general ones     */
} tkc_krr_model;

/* Fit f̂ to n = X->count strings with real labels y (n finite values) with
 * options o (NULL: tkc_krr_options_default; λ >= 0).  set (nullable)
 * selects the template path and must
 * outlive the model: the strings must then be substitutions of its
 * templates whose substituted symbols are fresh (tokens >= set->nsymbols)
 * and distinct per wildcard, template_index[i] (nullable: found by
 * matching) naming string i's template; TKC_EINPUT names the first string
 * that is not.  Without a set every string is allowed and the general path
 * is taken.  With a closed-form kernel both paths give the same α to rounding
 * (tests/test_krr.c); with a Monte Carlo one each path's kernel call draws
 * its own numbers.  Through a set, the solver is chosen as o->solver says
 * (model->plan); without one the dense solve is the only one.  The dense
 * K̂ (n² doubles) exists only during the call.  The kernel replicates
 * (o->kernel_replicates) are fit on the same strings and labels.
 * TKC_EINPUT for bad input (named), TKC_ENOMEM when no path fits the
 * memory (the plan's reason in the message), TKC_ENUMERIC from the solve. */
TKC_API int tkc_krr_fit(const tkc_kernel_spec *spec,
                        const tkc_template_set *set, const tkc_strings *X,
                        const size_t *template_index, const double *y,
                        const tkc_krr_options *o, tkc_krr_model **out,
                        tkc_error *err);
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

/* The same for kernel estimate q < m->replicates (q = 0: tkc_krr_predict):
 * its α and its kernel values. */
TKC_API int tkc_krr_predict_replicate(const tkc_krr_model *m, size_t q,
                                      const tkc_strings *X, double *pred,
                                      tkc_error *err);

/* The kernel error of a number computed from each of m's kernel estimates:
 * the sample standard deviation of v[0..replicates−1] (0 for one
 * estimate). */
TKC_API double tkc_krr_replicate_sd(const double *v, size_t replicates);

/* ---- scoring against a template set -------------------------------------- */

/* On strings whose symbols were never seen in training, f̂ is constant on
 * each template (token symmetry), so the expected test error needs no test
 * sample: Σ_z µ(z) (f̂(z) − f*(z))², exact GIVEN f̂ — f̂ itself carries
 * the kernel's error (the *_kernel_se fields, from the model's kernel
 * replicates) besides the spread over training samples. */
typedef struct tkc_krr_score {
    size_t ntemplates;
    size_t replicates;             /* the model's kernel estimates           */
    double *template_prediction;   /* r: f̂ on template t's unseen strings  */
    double *template_prediction_kernel_se;  /* r: its kernel error           */
    double *template_sq_error;     /* r: (f̂(z_t) − f*(z_t))²               */
    double test_mse_population;    /* Σ_t µ(t) template_sq_error[t]         */
    double test_mse_population_kernel_se;   /* its kernel error              */
    double *replicate_prediction;  /* replicates × r: f̂ of each estimate    */
    double *replicate_mse_population;  /* replicates: the error of each      */
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
