/* tkc/spd.h — solving (K + λI) x = y for a symmetric positive semidefinite
 * K (a kernel's Gram matrix, say), with a ridge that escalates when K + λI
 * is not numerically positive definite.  Kernel ridge regression
 * (tkc/krr.h) is its main user; nothing here knows about kernels.
 *
 * The algorithm is LAPACK's dposvx (Cholesky, condition estimate, iterative
 * refinement, forward and backward error bounds) done in ONE n×n buffer.
 * The residuals of the refinement are computed in doubled precision: exact
 * FMA products summed by error-free transformations (Ogita–Rump–Oishi
 * Dot2), vectorized with AVX2 when the CPU has it, long double otherwise.
 * So the answer is accurate to about eps/rcond and the error bounds carry no
 * rounding term of the residual itself.
 *
 * Ridge policy.  λ is absolute.  When K + λI is not numerically positive
 * definite (a non-positive pivot, or rcond < machine epsilon) the ridge is
 * raised: first to the rounding floor n·eps·max K_ii, then tenfold per
 * step, at most 40 times.  Every raise is reported (info->escalations,
 * info->note).  More precision cannot rescue rcond < eps when the entries
 * themselves carry rounding or Monte Carlo error larger than that, which is
 * why the ridge is what escalates.
 *
 * No NaN is ever returned: the solve either succeeds with the ridge it used
 * or fails with TKC_ENUMERIC.  Exactness: floating point; ferr and berr are
 * dposvx's bounds (ferr uses the condition ESTIMATE of dpocon, so it is an
 * estimate of a bound, as LAPACK's). */
#ifndef TKC_SPD_H
#define TKC_SPD_H

#include <stddef.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_spd_solve_info {
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
} tkc_spd_solve_info;

/* Solve (K + λI) x = y for symmetric positive semidefinite K (n×n,
 * column-major, leading dimension lda, BOTH triangles filled).  No second
 * n×n matrix is allocated.  On success the lower triangle of K holds the
 * Cholesky factor of K + λ_used I and its strict upper triangle still holds
 * K; on failure K is given back as it came.  x has n entries.
 * TKC_EINPUT for a non-finite entry of K or y, λ < 0, or a bad size;
 * TKC_ENUMERIC when 40 raises of the ridge do not make K + λI factorable. */
TKC_API int tkc_spd_solve(double *K, size_t n, size_t lda, double lambda,
                          const double *y, double *x, tkc_spd_solve_info *info,
                          tkc_error *err);

/* The smallest eigenvalue of a symmetric K (n×n, leading dimension lda,
 * lower triangle read): how far K is from positive definite, negative when
 * it is indefinite.  LAPACK dsyev on a copy: floating point, an estimate
 * (backward stable: exact for a matrix within about n·eps·‖K‖₂ of K), not
 * a certificate.  TKC_EINPUT for a non-finite entry. */
TKC_API int tkc_spd_eigenvalue_min(const double *K, size_t n, size_t lda,
                                   double *lambda_min, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
