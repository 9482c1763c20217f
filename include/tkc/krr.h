/* tkc/krr.h — kernel ridge regression on template tasks (paper Prop. 3.1,
 * SPEC §6): train on n strings drawn from a template set, test on strings
 * whose symbols were never seen in training.
 *
 *     f̂(x) = yᵀ (K̂ + λI)⁻¹ k(x),   K̂_ij = K(x_i, x_j),   k(x)_i = K(x_i, x)
 *
 * K̂ is assembled through the pattern cache: the pattern of a pair of strings
 * drawn from templates is fixed by the two templates and by which substituted
 * tokens coincide, so each distinct pattern is evaluated once, all of them in
 * ONE call of tkc_kernel_eval_pairs (common random numbers), and the n×n
 * matrix is filled by table look-up.
 *
 * The solve is a Cholesky factorization with condition estimate and error
 * bounds (dposvx's algorithm).  Ridge policy: λ is absolute, as in the
 * paper's eq. (5) and Theorem 3.4 (a constant, not scaled with n), default
 * 1e-3: the kernels here have K(x, x) = O(1), and 1e-3 keeps K̂ + λI
 * factorable when strings repeat while staying far below the gap
 * K(x, x) − N_zz that carries generalization; when K̂ + λI is not
 * numerically positive definite (rcond < machine epsilon or a non-positive
 * pivot) the ridge is raised — first to the rounding floor n·eps·max K̂_ii,
 * then tenfold per step — and every escalation is reported.  Precision is
 * raised where it helps: residuals of the refinement are computed in doubled
 * precision (exact FMA products summed by error-free transformations,
 * Ogita–Rump–Oishi Dot2, vectorized with AVX2; long double where AVX2/FMA
 * is missing), so the answer is accurate to ~eps/rcond and the error bounds
 * carry no rounding term of the residual itself; more precision
 * cannot rescue rcond < eps (the entries themselves carry rounding or Monte
 * Carlo error larger than that), which is why the ridge is what escalates.
 * Beyond dpotrf the solve costs a few O(n²) memory sweeps.
 * No NaN is ever returned: the solve either succeeds with a reported ridge
 * or fails with TKC_ENUMERIC. */
#ifndef TKC_KRR_H
#define TKC_KRR_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "tkc/sample.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the SPD solve with escalation -------------------------------------- */

typedef struct tkc_krr_solve_info {
    double lambda;             /* ridge asked for                            */
    double lambda_used;        /* ridge of the accepted solve                */
    unsigned escalations;      /* ridge raises needed (0: as asked)          */
    double rcond;              /* reciprocal 1-norm condition of K + λ_used I */
    double ferr;               /* forward error bound ‖x − x̂‖₁/‖x̂‖₁:
                                  ‖(K+λI)⁻¹‖₁ ‖r‖₁ / ‖x̂‖₁, r the residual  */
    double berr;               /* componentwise backward error               */
    char note[256];            /* what was escalated and why, or ""          */
    double seconds_factor;     /* wall time in dpotrf (all attempts); the
                                  rest of the solve is O(n²)                */
} tkc_krr_solve_info;

/* Solve (K + λI) x = y for symmetric positive semidefinite K (n×n,
 * column-major, leading dimension lda, BOTH triangles filled) —
 * dposvx's algorithm in one buffer: Cholesky (dpotrf), condition estimate
 * (dpocon), solve (two dtrsv), iterative
 * refinement with doubled-precision residuals, forward and backward error
 * bounds.  No second n×n matrix is allocated.
 * On success the lower triangle of K holds the Cholesky factor of
 * K + λ_used I and its strict upper triangle still holds K; on failure K
 * is given back as it came.  x has n entries.  Escalation: see the file
 * comment; at most 40 raises, then TKC_ENUMERIC. */
int tkc_krr_solve(double *K, size_t n, size_t lda, double lambda,
                  const double *y, double *x, tkc_krr_solve_info *info,
                  tkc_error *err);

/* ---- assembly through the pattern cache ---------------------------------- */

/* The kernel values a training sample needs, keyed by template pairs and
 * coincidences of substituted tokens.  Built once per sample. */
typedef struct tkc_krr_gram tkc_krr_gram;

/* Evaluate every distinct pattern of the sample's pairs (training × training,
 * and training × unseen symbols) with ONE call of tkc_kernel_eval_pairs. */
int tkc_krr_gram_build(const tkc_template_set *set, const tkc_sample *train,
                       const tkc_kernel_spec *spec, tkc_krr_gram **out,
                       tkc_error *err);
void tkc_krr_gram_free(tkc_krr_gram *g);
/* Fill K̂ (n×n column-major, leading dimension lda, both triangles). */
int tkc_krr_gram_fill(const tkc_krr_gram *g, double *K, size_t lda,
                      tkc_error *err);
/* K(x, x') for training template i and a string x' of template j whose
 * substituted symbols are disjoint from x's: the matrix N_ij. */
double tkc_krr_gram_cross(const tkc_krr_gram *g, size_t i, size_t j);
/* Eigenvalues of N (the base table) by LAPACK dsyev: smallest and largest
 * |eigenvalue| (its singular values) and the smallest signed eigenvalue
 * (negative when estimator noise made N indefinite). */
int tkc_krr_gram_nmatrix_sigma(const tkc_krr_gram *g, double *sigma_min,
                               double *sigma_max, double *eig_min,
                               tkc_error *err);
/* Distinct patterns evaluated, largest error radius, its kind, estimator. */
size_t tkc_krr_gram_patterns(const tkc_krr_gram *g);
double tkc_krr_gram_se_max(const tkc_krr_gram *g);
tkc_error_kind tkc_krr_gram_error_kind(const tkc_krr_gram *g);
const char *tkc_krr_gram_estimator(const tkc_krr_gram *g);

/* ---- fit and predict ------------------------------------------------------ */

typedef struct tkc_krr_options {
    size_t n;                  /* training samples                           */
    size_t test_n;             /* test strings (unseen symbols)              */
    size_t alphabet;           /* alphabet size A, training and test alike   */
    double lambda;             /* ridge λ ≥ 0 (absolute, eq. 5)              */
    double noise;              /* label noise σ ≥ 0 on training labels       */
    uint64_t seed;             /* data seed (training; test uses seed + 1)   */
    tkc_kernel_spec kernel;
} tkc_krr_options;

/* Defaults: n = 1000, test_n = 1000, A = 1000, λ = 1e-3, σ = 0, seed 1,
 * kernel spec defaults (tkc_kernel_spec_default). */
void tkc_krr_options_default(tkc_krr_options *opt);

typedef struct tkc_krr_result {
    size_t n, test_n, ntemplates;
    size_t alphabet;
    double rho;                /* data diversity A / max_z |W(z)|            */
    double train_mse;          /* vs the (noisy) training labels             */
    double test_mse;           /* mean over test strings of (f̂(x) − f*(z))² */
    /* The exact expected test error on unseen symbols: f̂ is constant on each
     * template's unseen-symbol strings (token symmetry), so
     * Σ_z µ(z) (f̂(z) − f*(z))² needs no test sampling. */
    double test_mse_population;
    double label_mean;         /* E_µ f*(z)                                  */
    double label_variance;     /* Var_µ f*(z): error of the best constant    */
    /* per template (ntemplates each): */
    double *template_prediction;   /* f̂ on the template's unseen strings    */
    double *template_test_mse;     /* (f̂(z) − f*(z))²                       */
    size_t *template_train_count;
    size_t *template_test_count;
    /* the solve */
    tkc_krr_solve_info solve;
    /* the kernel */
    size_t npatterns;          /* distinct patterns evaluated                */
    double kernel_se_max;      /* largest error radius of a kernel entry     */
    tkc_error_kind kernel_error_kind;
    char estimator[32];        /* estimator actually used                    */
    /* The constants of Lemma 3.5 / C.3, from the same kernel values: */
    double nmatrix_sigma_min;  /* smallest singular value of N (floating)    */
    double nmatrix_inv_norm;   /* ‖N⁻¹‖₂; +inf when N is singular to rounding
                                  (σ_min ≤ r·eps·‖N‖₂) — `tkc nmatrix` gives
                                  the certified verdict                      */
    double nmatrix_eig_min;    /* smallest signed eigenvalue of N            */
    /* σ_min(N) > r·kernel_se_max: N's smallest singular value is larger than
     * the entries' errors can move it (Weyl), so the fit learns the kernel,
     * not the estimator's noise.  When 0, test errors at large n reflect
     * the noise (MC kernels can even be indefinite): use more samples or
     * another estimator. */
    int nmatrix_resolved;
    double kernel_diag_max;    /* ‖K‖∞ = max_z K(x, x)                       */
    double seconds_kernel, seconds_fill, seconds_solve;
} tkc_krr_result;

/* Draw the training and test data, assemble K̂, solve, predict, score.
 * TKC_EINPUT for symbolic labels, A too small, n = 0, bad λ/σ. */
int tkc_krr_fit(const tkc_template_set *set, const tkc_krr_options *opt,
                tkc_krr_result **out, tkc_error *err);
void tkc_krr_result_free(tkc_krr_result *r);

/* Predictions f̂(x) = Σ_i α_i K(x_i, x) on the strings of `test`, given the
 * Gram cache of the training sample and the dual coefficients α.  Every test
 * string must use symbols never seen in training (checked, TKC_EINPUT
 * otherwise): then K(x_i, x) = N(z_i, z) and f̂ costs O(r) per string. */
int tkc_krr_predict(const tkc_krr_gram *g, const double *alpha,
                    const tkc_sample *test, double *pred, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
