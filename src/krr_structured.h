/* krr_structured.h (internal) — the structured solve of (K̂ + λI)α = y
 * (krr_structured.c) for the Gram matrix of template strings
 * (krr_gram.h):
 *
 *     K̂ = U N Uᵀ + D + S
 *
 * U the n×r' indicator of the strings' templates (r' the templates that
 * have training strings), N the r'×r' block values, D the diagonal
 * K(x, x) − N_tt (one value per template), S the exceptional pairs, those
 * whose strings share a substituted symbol (K̂_ij − N_{t_i t_j}).
 *
 * Method.  A = D + S + λI is factored by CHOLMOD (sparse Cholesky,
 * fill-reducing ordering); the rank-r' part enters by Woodbury in the
 * symmetric form that never inverts N:
 *
 *     G = Uᵀ A⁻¹ U = L_G L_Gᵀ,   C = I + L_Gᵀ N L_G,
 *     (A + U N Uᵀ)⁻¹ v = A⁻¹ (v − U β),  β = L_G⁻ᵀ C⁻¹ L_Gᵀ N Uᵀ A⁻¹ v.
 *
 * C is symmetric, and positive definite exactly when K̂ + λI is (given
 * A ≻ 0): its eigenvalues are those of A^-½ (K̂ + λI) A^-½ on the range of
 * A^-½ U, so its condition is at most that of the system preconditioned by
 * A, whatever N's (N may be singular, as the MLP's, or indefinite under
 * Monte Carlo noise; N⁻¹ + G, the textbook capacitance, needs neither).
 * This M = A + U N Uᵀ is used as the preconditioner of conjugate gradients
 * on the true operator, whose residual is computed in extended precision
 * (long double) from the kernel values themselves: with the exact A, CG
 * converges in one or two steps (it is iterative refinement); when A is not
 * positive definite it is shifted by σ (Gershgorin) and CG makes up the
 * difference; when A's factor would not fit, A is its diagonal D + λI and
 * CG iterates on S.  The solve stops at a stated normwise backward error
 * (or when the residual stops falling), and reports the residual reached.
 *
 * Ridge.  When K̂ + λI is found not positive definite (C not positive
 * definite with the exact A, or a CG breakdown), λ is raised as tkc_spd_solve
 * raises it: to n·eps·max K_ii, then tenfold, and the raise is reported.
 *
 * Exactness: floating point.  rcond is LAPACK's 1-norm estimate (dlacn2) of
 * (K̂ + λI)⁻¹ through this solver, so ferr is an estimate of a bound, as
 * dposvx's. */
#ifndef TKC_KRR_STRUCTURED_H
#define TKC_KRR_STRUCTURED_H

#include "krr_gram.h"

typedef struct krr_structured krr_structured;

/* How A enters the preconditioner. */
typedef enum {
    KRR_A_FACTOR,              /* CHOLMOD factor of D + S + λI (+ σI)       */
    KRR_A_DIAGONAL             /* D + λI (+ σI): S only in the operator      */
} krr_a_mode;

/* Sizes and predicted costs (after krr_structured_alloc). */
typedef struct krr_structured_cost {
    size_t n, templates;       /* strings; templates with strings (r')      */
    size_t shared_pairs;       /* |S|                                        */
    double factor_nnz;         /* nnz(L) predicted by CHOLMOD (0: diagonal)  */
    double factor_flops;       /* CHOLMOD's flop count of the factorization  */
    double bytes;              /* predicted peak memory of the solve         */
    double flops;              /* predicted flops of one solve (factor,
                                  Woodbury, CG at the predicted iterations)  */
} krr_structured_cost;

typedef struct krr_structured_info {
    krr_a_mode mode;
    double shift;              /* σ added to A in the preconditioner         */
    unsigned iterations;       /* conjugate-gradient steps                   */
    double residual;           /* ‖y − (K̂ + λ_used I)α‖₂ / ‖y‖₂              */
    double backward_error;     /* ‖r‖∞ / (‖K̂ + λI‖∞ ‖α‖∞ + ‖y‖∞)             */
    double capacitance_rcond;  /* reciprocal 1-norm condition of C (dpocon)  */
    int converged;             /* backward error at the tolerance, or the
                                  residual stopped falling at the rounding
                                  floor; 0: the iteration limit             */
    double peak_bytes;         /* CHOLMOD's peak plus this solver's arrays   */
} krr_structured_info;

/* The solver's structure for gram g (which must outlive it; its shared
 * pairs are indexed by column if they were not): U, the pattern of S, and
 * for KRR_A_FACTOR CHOLMOD's analysis (fill-reducing ordering, the
 * predicted factor).  TKC_ENOMEM when the pattern does not fit. */
int krr_structured_alloc(tkc_krr_gram *g, krr_a_mode mode,
                         krr_structured **out, tkc_error *err);
void krr_structured_free(krr_structured *s);

void krr_structured_cost_of(const krr_structured *s, krr_structured_cost *c);

/* Predicted costs without building anything: the diagonal mode needs only
 * |S|; the factored one also nnz(L) and the factorization's flops. */
void krr_structured_cost_diagonal(size_t n, size_t templates,
                                  size_t shared_pairs, krr_structured_cost *c);
void krr_structured_cost_factor(size_t n, size_t templates,
                                size_t shared_pairs, double factor_nnz,
                                double factor_flops, krr_structured_cost *c);

/* Solve (K̂_q + λI) α = y for kernel estimate q of the gram, to normwise
 * backward error `tolerance` within max_iterations CG steps.  Fills the
 * ridge part of *solve (lambda, lambda_used, escalations, note, rcond,
 * ferr, berr, seconds_factor) and *info.  TKC_ENUMERIC when 40 raises of
 * the ridge do not make K̂ + λI positive definite. */
int krr_structured_solve(krr_structured *s, size_t q, double lambda,
                         const double *y, double tolerance,
                         unsigned max_iterations, double *alpha,
                         tkc_spd_solve_info *solve, krr_structured_info *info,
                         tkc_error *err);

#endif
