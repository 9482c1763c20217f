/* spd.c — (K + λI) x = y for symmetric positive semidefinite K: Cholesky
 * with an escalating ridge, condition estimate, refinement with
 * doubled-precision residuals, error bounds (see tkc/spd.h for the contract
 * and the ridge policy). */
#include <float.h>
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/spd.h"

#include "spd_ridge.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ======================================================================
 * dposvx's algorithm (Cholesky, condition estimate, iterative refinement,
 * error bounds) in ONE n×n buffer: K comes full (both triangles); the
 * lower Cholesky factor overwrites the lower triangle and the strict upper
 * triangle keeps K, so residuals and escalation need no second matrix
 * (n = 20000 is 3.2 GB a copy) and no copy is made.
 *
 * Cost.  Beyond dpotrf's n³/3 flops everything here is O(n²) and bound by
 * memory bandwidth, so what matters is how many sweeps of the n²/2-entry
 * triangles are made and how fast each is: one scan of the input (finite
 * check, diagonal, column sums for ‖K + λI‖₁ in one pass), dpocon (a few
 * triangular solves, about as many sweeps as all the rest), two
 * triangular solves per refinement step (cblas_dtrsv: dpotrs with one
 * right-hand side goes through dtrsm, which is slower), one residual sweep
 * per step.
 *
 * Residuals are computed in extra precision: the product K x is formed
 * exactly (FMA: a·b = p + e with e = fma(a, b, −p)) and summed with
 * error-free transformations (Ogita–Rump–Oishi "Dot2"), i.e. as if in
 * twice the working precision and then rounded, so refinement converges to
 * about eps/rcond instead of stalling at the residual's own rounding, and
 * the error bounds below are computed from a residual whose own rounding
 * is negligible.  This is mixed-precision refinement as in LAPACK's
 * dporfsx/xblas; dporfs computes the residual in working precision with
 * dsymv, which is faster but leaves a rounding term (n+1)·eps·|K||x| in
 * the error bound: for a K̂ at n = 4000 with rcond 4e-6 that term alone
 * makes ferr 2e-7 where the doubled-precision residual gives 3.5e-13, so a
 * double residual with extra precision kept as an escalation would
 * escalate in exactly the cases that matter; the extra-precise sweep is
 * made fast instead.  With AVX2+FMA (checked at run time) it is
 * vectorized: 2.3–4 times faster than long double, 1.7–5 times a dsymv's
 * time (bench/RESULTS.md, krr); without them the residual falls back to
 * long double (x87, not vectorized: the same accuracy at a higher cost).
 * Compiled as ISO C (-std=c17: no floating-point contraction); -ffast-math
 * would break the error-free transformations, as it breaks any compensated
 * algorithm.
 * ====================================================================== */

#define SPD_BLOCK 64

/* Strict lower triangle ← strict upper (K after a failed factorization),
 * blocked for the cache. */
static void restore_lower(double *K, size_t n, size_t lda)
{
    for (size_t jb = 0; jb < n; jb += SPD_BLOCK)
        for (size_t ib = jb; ib < n; ib += SPD_BLOCK) {
            size_t jend = jb + SPD_BLOCK < n ? jb + SPD_BLOCK : n;
            size_t iend = ib + SPD_BLOCK < n ? ib + SPD_BLOCK : n;
            for (size_t j = jb; j < jend; j++)
                for (size_t i = ib > j + 1 ? ib : j + 1; i < iend; i++)
                    K[i + j * lda] = K[j + i * lda];
        }
}

/* One pass over the input: the diagonal d, the off-diagonal absolute
 * column sums cs (from the strict upper triangle, which the residual uses),
 * and whether every entry of both triangles is finite (the factor is made
 * from the lower one).  A non-finite entry in the upper triangle shows as
 * a non-finite column sum; the lower one is tested by comparison, which
 * vectorizes (an OR of flags, no floating-point reduction). */
static int scan_input(const double *K, size_t n, size_t lda, double *d,
                      double *cs, tkc_error *err)
{
    int bad = 0;
    memset(cs, 0, n * sizeof *cs);
    for (size_t j = 0; j < n; j++) {
        const double *col = K + j * lda;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t i = 0;
        for (; i + 4 <= j; i += 4) {
            double a0 = fabs(col[i]), a1 = fabs(col[i + 1]);
            double a2 = fabs(col[i + 2]), a3 = fabs(col[i + 3]);
            s0 += a0, s1 += a1, s2 += a2, s3 += a3;
            cs[i] += a0, cs[i + 1] += a1, cs[i + 2] += a2, cs[i + 3] += a3;
        }
        for (; i < j; i++) {
            double a = fabs(col[i]);
            s0 += a;
            cs[i] += a;
        }
        cs[j] += (s0 + s1) + (s2 + s3);
        d[j] = col[j];
        int badj = !(fabs(col[j]) <= DBL_MAX);
        for (i = j + 1; i < n; i++)
            badj |= !(fabs(col[i]) <= DBL_MAX);
        bad |= badj;
    }
    for (size_t i = 0; i < n && !bad; i++)
        bad = !(cs[i] <= DBL_MAX);
    if (!bad)
        return TKC_SUCCESS;
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(K[i + j * lda]))
                return tkc_fail(err, TKC_EINPUT,
                                "spd solve: K[%zu,%zu] = %g is not finite", i,
                                j, K[i + j * lda]);
    return tkc_fail(err, TKC_EINPUT,
                    "spd solve: a column sum of |K| overflows (entries too "
                    "large to factor)");
}

/* r = y − (K + λI) x and s = |K + λI| |x| + |y|, with K from the strict
 * upper triangle and the diagonal d.  Long-double version: the portable
 * fallback.  rl is scratch (n long doubles). */
static void residual_ld(const double *K, size_t n, size_t lda, const double *d,
                        double lambda, const double *y, const double *x,
                        double *r, double *s, long double *rl)
{
    for (size_t i = 0; i < n; i++) {
        rl[i] = (long double)y[i] - ((long double)d[i] + lambda) * x[i];
        s[i] = fabs(y[i]) + fabs(d[i] + lambda) * fabs(x[i]);
    }
    for (size_t j = 0; j < n; j++) {
        const double *col = K + j * lda;
        long double rj = 0;
        double sj = 0, xj = x[j], axj = fabs(x[j]);
        for (size_t i = 0; i < j; i++) {
            rj += (long double)col[i] * x[i];
            rl[i] -= (long double)col[i] * xj;
            sj += fabs(col[i]) * fabs(x[i]);
            s[i] += fabs(col[i]) * axj;
        }
        rl[j] -= rj;
        s[j] += sj;
    }
    for (size_t i = 0; i < n; i++)
        r[i] = (double)rl[i];
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define SPD_HAVE_DOT2 1

#define SPD_AVX2 __attribute__((target("avx2,fma")))

/* (hi, lo) ← (hi, lo) + a, error-free in hi (Knuth's TwoSum). */
SPD_AVX2 static inline void two_sum_acc(double *hi, double *lo, double a)
{
    double t = *hi + a, b = t - *hi;
    *lo += (*hi - (t - b)) + (a - b);
    *hi = t;
}

SPD_AVX2 static inline __m256d two_sum_err(__m256d a, __m256d b, __m256d *t)
{
    __m256d s = _mm256_add_pd(a, b), bb = _mm256_sub_pd(s, a);
    *t = s;
    return _mm256_add_pd(_mm256_sub_pd(a, _mm256_sub_pd(s, bb)),
                         _mm256_sub_pd(b, bb));
}

/* The same residual in doubled precision: r = rh + rl kept as an unevaluated
 * sum per row, every product split exactly by FMA, every sum by TwoSum.
 * ax holds |x|; rh (= r on return) and rl are n doubles. */
SPD_AVX2 static void residual_dot2(const double *K, size_t n, size_t lda,
                                   const double *d, double lambda,
                                   const double *y, const double *x,
                                   const double *ax, double *r, double *s,
                                   double *rl)
{
    const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    for (size_t i = 0; i < n; i++) {
        double a = d[i] + lambda, p = a * x[i], e = fma(a, x[i], -p);
        r[i] = y[i];
        rl[i] = -e;
        two_sum_acc(&r[i], &rl[i], -p);
        s[i] = fabs(y[i]) + fabs(a) * ax[i];
    }
    for (size_t j = 0; j < n; j++) {
        const double *col = K + j * lda;
        double xj = x[j], axj = ax[j];
        __m256d vxj = _mm256_set1_pd(xj), vaxj = _mm256_set1_pd(axj);
        __m256d dh = _mm256_setzero_pd(), dl = dh, ds = dh;
        size_t i = 0;
        for (; i + 4 <= j; i += 4) {
            __m256d a = _mm256_loadu_pd(col + i), xi = _mm256_loadu_pd(x + i);
            /* row j: Σ_i K_ij x_i */
            __m256d p = _mm256_mul_pd(a, xi), pe = _mm256_fmsub_pd(a, xi, p);
            __m256d e = two_sum_err(dh, p, &dh);
            dl = _mm256_add_pd(dl, _mm256_add_pd(e, pe));
            /* rows i < j: r_i −= K_ij x_j */
            __m256d q = _mm256_mul_pd(a, vxj), qe = _mm256_fmsub_pd(a, vxj, q);
            __m256d rh = _mm256_loadu_pd(r + i), rh2;
            __m256d e2 = two_sum_err(rh, -q, &rh2);
            _mm256_storeu_pd(r + i, rh2);
            _mm256_storeu_pd(rl + i, _mm256_add_pd(_mm256_loadu_pd(rl + i),
                                                   _mm256_sub_pd(e2, qe)));
            /* |K||x| */
            __m256d aa = _mm256_and_pd(a, absmask);
            ds = _mm256_fmadd_pd(aa, _mm256_loadu_pd(ax + i), ds);
            _mm256_storeu_pd(s + i, _mm256_fmadd_pd(aa, vaxj,
                                                    _mm256_loadu_pd(s + i)));
        }
        double h[4], l[4], sa[4];
        _mm256_storeu_pd(h, dh);
        _mm256_storeu_pd(l, dl);
        _mm256_storeu_pd(sa, ds);
        double sj = (sa[0] + sa[1]) + (sa[2] + sa[3]);
        for (int k = 0; k < 4; k++) {
            two_sum_acc(&r[j], &rl[j], -h[k]);
            rl[j] -= l[k];
        }
        for (; i < j; i++) {
            double a = col[i], p = a * x[i], pe = fma(a, x[i], -p);
            two_sum_acc(&r[j], &rl[j], -p);
            rl[j] -= pe;
            double q = a * xj, qe = fma(a, xj, -q);
            two_sum_acc(&r[i], &rl[i], -q);
            rl[i] -= qe;
            sj += fabs(a) * ax[i];
            s[i] += fabs(a) * axj;
        }
        s[j] += sj;
    }
    for (size_t i = 0; i < n; i++)
        r[i] += rl[i];
}
#endif

/* The ridge after a failed attempt at `lambda`: first the rounding floor
 * n·eps·max K_ii (below it the factorization cannot tell K from K + λI),
 * then tenfold.  Growth by 10 keeps the final ridge within a factor 10 of
 * the smallest that works, at the cost of a few factorizations in the cases
 * that need it (duplicate strings, exactly singular K̂ with λ = 0). */
double tkc_spd_next_ridge(double lambda, double floor_)
{
    double next = 10.0 * lambda;
    return next > floor_ ? next : floor_;
}

void tkc_spd_ridge_note(char *note, size_t size, const char *why,
                        double lambda0, double lambda, unsigned steps)
{
    snprintf(note, size, "%s; ridge raised from %g to %g in %u step%s", why,
             lambda0, lambda, steps, steps > 1 ? "s" : "");
}

typedef struct solve_work {
    double *d, *cs, *s, *dx, *ax;
    double *cwork;                 /* 3n doubles for dpocon               */
    lapack_int *iwork;             /* n ints for dpocon                   */
    long double *scratch;          /* n long doubles (≥ n doubles)        */
    int dot2;                      /* the AVX2+FMA residual is usable */
} solve_work;

static void solve_work_free(solve_work *w)
{
    free(w->d), free(w->cs), free(w->s), free(w->dx), free(w->ax);
    free(w->scratch), free(w->cwork), free(w->iwork);
}

/* r = y − (K + λI) x in extra precision (see the section comment). */
static void residual(const double *K, size_t n, size_t lda, double lam,
                     const double *y, const double *x, double *r,
                     solve_work *w)
{
#ifdef SPD_HAVE_DOT2
    if (w->dot2) {
        for (size_t i = 0; i < n; i++)
            w->ax[i] = fabs(x[i]);
        residual_dot2(K, n, lda, w->d, lam, y, x, w->ax, r, w->s,
                      (double *)w->scratch);
        return;
    }
#endif
    residual_ld(K, n, lda, w->d, lam, y, x, r, w->s, w->scratch);
}

/* x ← (L Lᵀ)⁻¹ x with L the lower factor: two triangular solves. */
static void chol_solve(const double *L, size_t n, size_t lda, double *x)
{
    cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                L, (int)lda, x, 1);
    cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasNonUnit, (int)n,
                L, (int)lda, x, 1);
}

/* Refine x with extra-precise residuals; fill berr, and ‖r‖₁/‖x‖₁ of the
 * last residual for the forward error bound (which needs rcond). */
static void refine(const double *K, size_t n, size_t lda, double lam,
                   const double *y, double *x, solve_work *w,
                   tkc_spd_solve_info *info, double *r1_over_x1)
{
    double last = INFINITY;
    for (int step = 0; step <= SPD_REFINE_STEPS; step++) {
        residual(K, n, lda, lam, y, x, w->dx, w);
        double rmax = 0, xmax = 0, berr = 0, r1 = 0, x1 = 0;
        for (size_t i = 0; i < n; i++) {
            double ri = w->dx[i];
            rmax = fmax(rmax, fabs(ri));
            r1 += fabs(ri);
            x1 += fabs(x[i]);
            xmax = fmax(xmax, fabs(x[i]));
            if (w->s[i] > 0)
                berr = fmax(berr, fabs(ri) / w->s[i]);
        }
        info->berr = berr;
        *r1_over_x1 = x1 > 0 ? r1 / x1 : 0;
        /* Cholesky is backward stable: usually the first residual already
         * shows berr ~ eps and there is nothing to refine. */
        if (step == SPD_REFINE_STEPS || rmax == 0 || !(rmax < 0.5 * last) ||
            berr <= 4 * DBL_EPSILON)
            break;
        last = rmax;
        chol_solve(K, n, lda, w->dx);
        double dmax = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] += w->dx[i];
            dmax = fmax(dmax, fabs(w->dx[i]));
        }
        if (dmax <= DBL_EPSILON * xmax)
            last = 0;                      /* converged: one last residual */
    }
}

/* One attempt at ridge lam: 0 accepted, >0 LAPACK's dposvx-style info
 * (1..n not positive definite, n+1 rcond < eps, n+2 non-finite). */
static lapack_int attempt_solve(double *K, size_t n, size_t lda, double lam,
                                const double *y, double *x, solve_work *w,
                                tkc_spd_solve_info *info, double *rcond)
{
    double anorm = 0;
    for (size_t i = 0; i < n; i++) {
        K[i + i * lda] = w->d[i] + lam;
        anorm = fmax(anorm, w->cs[i] + fabs(w->d[i] + lam));
    }
    double t0 = seconds_now();
    lapack_int li = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, K,
                                        (lapack_int)lda);
    info->seconds_factor += seconds_now() - t0;
    if (li)
        return li;
    li = LAPACKE_dpocon_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, K,
                             (lapack_int)lda, anorm, rcond, w->cwork, w->iwork);
    if (li)
        return -1;
    if (!(*rcond >= DBL_EPSILON))                /* NaN too */
        return (lapack_int)n + 1;
    double r1_over_x1 = 0;
    memcpy(x, y, n * sizeof *x);
    chol_solve(K, n, lda, x);
    refine(K, n, lda, lam, y, x, w, info, &r1_over_x1);
    /* ‖x − x̂‖₁ ≤ ‖(K+λI)⁻¹‖₁ ‖r‖₁, ‖(K+λI)⁻¹‖₁ ≈ 1/(rcond·anorm). */
    info->ferr = r1_over_x1 / (*rcond * anorm);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return (lapack_int)n + 2;
    return 0;
}

static void describe_failure(lapack_int li, size_t n, double lam, double rcond,
                             char *why, size_t size)
{
    if (li > 0 && li <= (lapack_int)n)
        snprintf(why, size,
                 "K+lambda*I not positive definite at lambda = %g (pivot %d)",
                 lam, (int)li);
    else if (li == (lapack_int)n + 1)
        snprintf(why, size, "rcond = %.3g < machine epsilon at lambda = %g",
                 rcond, lam);
    else
        snprintf(why, size, "non-finite solution at lambda = %g", lam);
}

static int solve_work_alloc(solve_work *w, size_t n)
{
    w->d = malloc(n * sizeof(double));
    w->cs = malloc(n * sizeof(double));
    w->s = malloc(n * sizeof(double));
    w->dx = malloc(n * sizeof(double));
    w->ax = malloc(n * sizeof(double));
    w->scratch = malloc(n * sizeof(long double));
    w->cwork = malloc(3 * n * sizeof(double));
    w->iwork = malloc(n * sizeof(lapack_int));
    w->dot2 = 0;
#ifdef SPD_HAVE_DOT2
    w->dot2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return w->d && w->cs && w->s && w->dx && w->ax && w->scratch && w->cwork &&
           w->iwork;
}

int tkc_spd_solve(double *K, size_t n, size_t lda, double lambda,
                  const double *y, double *x, tkc_spd_solve_info *info,
                  tkc_error *err)
{
    memset(info, 0, sizeof *info);
    info->lambda = lambda;
    if (n == 0 || lda < n || n > (size_t)INT32_MAX || lda > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "spd solve: bad size n = %zu, lda = %zu",
                        n, lda);
    if (!(lambda >= 0) || !isfinite(lambda))
        return tkc_fail(err, TKC_EINPUT,
                        "spd solve: ridge lambda must be finite and >= 0, got %g",
                        lambda);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return tkc_fail(err, TKC_EINPUT, "spd solve: y[%zu] = %g is not finite",
                            i, y[i]);
    solve_work w;
    if (!solve_work_alloc(&w, n)) {
        solve_work_free(&w);
        return tkc_fail(err, TKC_ENOMEM, "spd solve: out of memory (n = %zu)", n);
    }
    int st = scan_input(K, n, lda, w.d, w.cs, err);
    if (st) {
        solve_work_free(&w);
        return st;
    }
    double dmax = 0;
    for (size_t i = 0; i < n; i++)
        dmax = fmax(dmax, fabs(w.d[i]));
    double floor_ = dmax > 0 ? (double)n * DBL_EPSILON * dmax : 1.0;
    double lam = lambda, rcond = 0;
    char why[160] = "";
    int lapack_failed = 0;
    st = TKC_ENUMERIC;
    for (unsigned attempt = 0; attempt <= SPD_MAX_ESCALATIONS; attempt++) {
        if (attempt)
            restore_lower(K, n, lda);          /* the factor overwrote K */
        lapack_int li = attempt_solve(K, n, lda, lam, y, x, &w, info, &rcond);
        if (li < 0) {
            lapack_failed = 1;
            st = tkc_fail(err, TKC_ENUMERIC,
                          "spd solve: LAPACK failed at lambda = %g", lam);
            break;
        }
        if (li == 0) {
            info->lambda_used = lam;
            info->escalations = attempt;
            info->rcond = rcond;
            if (attempt)
                tkc_spd_ridge_note(info->note, sizeof info->note, why, lambda,
                                   lam, attempt);
            st = TKC_SUCCESS;
            break;
        }
        if (attempt == 0)
            describe_failure(li, n, lam, rcond, why, sizeof why);
        lam = tkc_spd_next_ridge(lam, floor_);
    }
    if (st && !lapack_failed)
        tkc_fail(err, TKC_ENUMERIC,
                 "spd solve: %s; still failing after %d ridge raises "
                 "(lambda = %g)", why, SPD_MAX_ESCALATIONS, lam);
    if (st) {                               /* give K back as it came */
        restore_lower(K, n, lda);
        for (size_t i = 0; i < n; i++)
            K[i + i * lda] = w.d[i];
    }
    solve_work_free(&w);
    return st;
}

int tkc_spd_eigenvalue_min(const double *K, size_t n, size_t lda,
                           double *lambda_min, tkc_error *err)
{
    if (n == 0 || lda < n || n > (size_t)INT32_MAX || lda > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "spd eigenvalue: bad size n = %zu, lda = %zu", n, lda);
    double *A = malloc(n * n * sizeof *A), *w = malloc(n * sizeof *w);
    if (!A || !w) {
        free(A), free(w);
        return tkc_fail(err, TKC_ENOMEM, "spd eigenvalue: out of memory");
    }
    int st = TKC_SUCCESS;
    for (size_t j = 0; j < n && !st; j++)
        for (size_t i = j; i < n; i++) {
            A[i + j * n] = K[i + j * lda];
            if (!isfinite(A[i + j * n])) {
                st = tkc_fail(err, TKC_EINPUT, "spd eigenvalue: K[%zu,%zu] = "
                              "%g is not finite", i, j, A[i + j * n]);
                break;
            }
        }
    lapack_int info = st ? 0
                         : LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'L',
                                         (lapack_int)n, A, (lapack_int)n, w);
    if (!st && info != 0)
        st = tkc_fail(err, TKC_ENUMERIC, "spd eigenvalue: dsyev failed "
                      "(info %d)", (int)info);
    if (!st)
        *lambda_min = w[0];                /* ascending */
    free(A), free(w);
    return st;
}
