/* krr.c — kernel ridge regression on template tasks (paper Prop. 3.1):
 * the SPD solve with ridge escalation, the assembly of K̂ through the
 * pattern cache, and fit/predict/score on unseen symbols. */
#include <float.h>
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/krr.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ======================================================================
 * The solve
 *
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
 * long double (x87, not vectorized: the same accuracy at a higher cost).  Compiled as ISO C
 * (-std=c17: no floating-point contraction); -ffast-math would break the
 * error-free transformations, as it breaks any compensated algorithm.
 * ====================================================================== */

#define KRR_MAX_ESCALATIONS 40
#define KRR_REFINE_STEPS 3
#define KRR_BLOCK 64

/* Strict lower triangle ← strict upper (K after a failed factorization),
 * blocked for the cache. */
static void restore_lower(double *K, size_t n, size_t lda)
{
    for (size_t jb = 0; jb < n; jb += KRR_BLOCK)
        for (size_t ib = jb; ib < n; ib += KRR_BLOCK) {
            size_t jend = jb + KRR_BLOCK < n ? jb + KRR_BLOCK : n;
            size_t iend = ib + KRR_BLOCK < n ? ib + KRR_BLOCK : n;
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
                                "krr solve: K[%zu,%zu] = %g is not finite", i,
                                j, K[i + j * lda]);
    return tkc_fail(err, TKC_EINPUT,
                    "krr solve: a column sum of |K| overflows (entries too "
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
#define KRR_HAVE_DOT2 1

#define KRR_AVX2 __attribute__((target("avx2,fma")))

/* (hi, lo) ← (hi, lo) + a, error-free in hi (Knuth's TwoSum). */
KRR_AVX2 static inline void two_sum_acc(double *hi, double *lo, double a)
{
    double t = *hi + a, b = t - *hi;
    *lo += (*hi - (t - b)) + (a - b);
    *hi = t;
}

KRR_AVX2 static inline __m256d two_sum_err(__m256d a, __m256d b, __m256d *t)
{
    __m256d s = _mm256_add_pd(a, b), bb = _mm256_sub_pd(s, a);
    *t = s;
    return _mm256_add_pd(_mm256_sub_pd(a, _mm256_sub_pd(s, bb)),
                         _mm256_sub_pd(b, bb));
}

/* The same residual in doubled precision: r = rh + rl kept as an unevaluated
 * sum per row, every product split exactly by FMA, every sum by TwoSum.
 * ax holds |x|; rh (= r on return) and rl are n doubles. */
KRR_AVX2 static void residual_dot2(const double *K, size_t n, size_t lda,
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
static double next_ridge(double lambda, double floor_)
{
    double next = 10.0 * lambda;
    return next > floor_ ? next : floor_;
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
#ifdef KRR_HAVE_DOT2
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
                   tkc_krr_solve_info *info, double *r1_over_x1)
{
    double last = INFINITY;
    for (int step = 0; step <= KRR_REFINE_STEPS; step++) {
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
        if (step == KRR_REFINE_STEPS || rmax == 0 || !(rmax < 0.5 * last) ||
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
                                tkc_krr_solve_info *info, double *rcond)
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
#ifdef KRR_HAVE_DOT2
    w->dot2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return w->d && w->cs && w->s && w->dx && w->ax && w->scratch && w->cwork &&
           w->iwork;
}

int tkc_krr_solve(double *K, size_t n, size_t lda, double lambda,
                  const double *y, double *x, tkc_krr_solve_info *info,
                  tkc_error *err)
{
    memset(info, 0, sizeof *info);
    info->lambda = lambda;
    if (n == 0 || lda < n || n > (size_t)INT32_MAX || lda > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr solve: bad size n = %zu, lda = %zu",
                        n, lda);
    if (!(lambda >= 0) || !isfinite(lambda))
        return tkc_fail(err, TKC_EINPUT,
                        "krr solve: ridge lambda must be finite and >= 0, got %g",
                        lambda);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return tkc_fail(err, TKC_EINPUT, "krr solve: y[%zu] = %g is not finite",
                            i, y[i]);
    solve_work w;
    if (!solve_work_alloc(&w, n)) {
        solve_work_free(&w);
        return tkc_fail(err, TKC_ENOMEM, "krr solve: out of memory (n = %zu)", n);
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
    for (unsigned attempt = 0; attempt <= KRR_MAX_ESCALATIONS; attempt++) {
        if (attempt)
            restore_lower(K, n, lda);          /* the factor overwrote K */
        lapack_int li = attempt_solve(K, n, lda, lam, y, x, &w, info, &rcond);
        if (li < 0) {
            lapack_failed = 1;
            st = tkc_fail(err, TKC_ENUMERIC,
                          "krr solve: LAPACK failed at lambda = %g", lam);
            break;
        }
        if (li == 0) {
            info->lambda_used = lam;
            info->escalations = attempt;
            info->rcond = rcond;
            if (attempt)
                snprintf(info->note, sizeof info->note,
                         "%s; ridge raised from %g to %g in %u step%s", why,
                         lambda, lam, attempt, attempt > 1 ? "s" : "");
            st = TKC_SUCCESS;
            break;
        }
        if (attempt == 0)
            describe_failure(li, n, lam, rcond, why, sizeof why);
        lam = next_ridge(lam, floor_);
    }
    if (st && !lapack_failed)
        tkc_fail(err, TKC_ENUMERIC,
                 "krr solve: %s; still failing after %d ridge raises "
                 "(lambda = %g)", why, KRR_MAX_ESCALATIONS, lam);
    if (st) {                               /* give K back as it came */
        restore_lower(K, n, lda);
        for (size_t i = 0; i < n; i++)
            K[i + i * lda] = w.d[i];
    }
    solve_work_free(&w);
    return st;
}

/* ======================================================================
 * Assembly through the pattern cache
 *
 * For strings x = sub(z_i, s), y = sub(z_j, s') drawn from templates, the
 * regular tokens are the templates' own and substituted tokens are fresh, so
 * the pattern of (x, y) is fixed by (z_i, z_j) and by the partial matching
 * {(a, b) : s(a) = s'(b)} of their wildcards.  That triple is the key.
 * Pairs without coincidences (almost all of them when A is large) have key
 * (z_i, z_j): the base table, which is also N.  Pairs that share a token are
 * found through an inverted index (token → strings) sorted once.
 * ====================================================================== */

typedef struct krr_key {
    uint32_t ti, tj;            /* templates of the row and column string   */
    uint8_t m[TKC_K_MAX];       /* m[a] = b + 1 when s(a) = s'(b), else 0     */
} krr_key;

typedef struct krr_entry {
    tkc_token token;
    uint32_t string;
} krr_entry;

struct tkc_krr_gram {
    const tkc_template_set *set;
    size_t n, r, wmax;
    uint32_t *tmpl;             /* n: template of each training string      */
    tkc_token *subs;            /* n × wmax: token of each wildcard         */
    krr_entry *entries;         /* substituted tokens, sorted by token      */
    size_t nentries;
    double *base;               /* r × r: no coincidences (= N)             */
    double *diag;               /* r: K(x, x)                               */
    /* open-addressing table of coincidence keys */
    krr_key *keys;
    double *key_value;
    size_t nkeys, keys_cap;
    long *slot;                 /* hash slots → key index, -1 empty         */
    size_t nslots;
    size_t npatterns;
    double se_max;
    tkc_error_kind error_kind;
    char estimator[32];
};

static uint64_t key_hash(const krr_key *k, size_t w)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ k->ti) * 1099511628211ULL;
    h = (h ^ k->tj) * 1099511628211ULL;
    for (size_t a = 0; a < w; a++)
        h = (h ^ k->m[a]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int key_equal(const krr_key *a, const krr_key *b, size_t w)
{
    return a->ti == b->ti && a->tj == b->tj && !memcmp(a->m, b->m, w);
}

static long key_find(const tkc_krr_gram *g, const krr_key *k)
{
    size_t mask = g->nslots - 1;
    for (size_t h = key_hash(k, g->wmax) & mask;; h = (h + 1) & mask) {
        long s = g->slot[h];
        if (s < 0 || key_equal(&g->keys[s], k, g->wmax))
            return s;
    }
}

static int key_grow(tkc_krr_gram *g, tkc_error *err)
{
    size_t nslots = g->nslots ? 2 * g->nslots : 64;
    size_t cap = nslots / 2;
    long *slot = malloc(nslots * sizeof *slot);
    krr_key *keys = realloc(g->keys, cap * sizeof *keys);
    if (!slot || !keys) {
        free(slot);
        if (keys)
            g->keys = keys;
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot grow the pattern-key table");
    }
    g->keys = keys;
    g->keys_cap = cap;
    for (size_t s = 0; s < nslots; s++)
        slot[s] = -1;
    free(g->slot);
    g->slot = slot;
    g->nslots = nslots;
    for (size_t i = 0; i < g->nkeys; i++) {
        size_t h = key_hash(&g->keys[i], g->wmax) & (nslots - 1);
        while (slot[h] >= 0)
            h = (h + 1) & (nslots - 1);
        slot[h] = (long)i;
    }
    return TKC_SUCCESS;
}

static int key_insert(tkc_krr_gram *g, const krr_key *k, tkc_error *err)
{
    if (g->nkeys + 1 > g->keys_cap) {
        int st = key_grow(g, err);
        if (st)
            return st;
    }
    if (key_find(g, k) >= 0)
        return TKC_SUCCESS;
    size_t mask = g->nslots - 1;
    size_t h = key_hash(k, g->wmax) & mask;
    while (g->slot[h] >= 0)
        h = (h + 1) & mask;
    g->keys[g->nkeys] = *k;
    g->slot[h] = (long)g->nkeys++;
    return TKC_SUCCESS;
}

/* Key of the pair (row string i, column string j). */
static void pair_key(const tkc_krr_gram *g, size_t i, size_t j, krr_key *k)
{
    memset(k, 0, sizeof *k);
    k->ti = g->tmpl[i];
    k->tj = g->tmpl[j];
    size_t wi = g->set->t[k->ti].nwild, wj = g->set->t[k->tj].nwild;
    const tkc_token *si = g->subs + i * g->wmax, *sj = g->subs + j * g->wmax;
    for (size_t a = 0; a < wi; a++)
        for (size_t b = 0; b < wj; b++)
            if (si[a] == sj[b])
                k->m[a] = (uint8_t)(b + 1);
}

static int entry_compare(const void *pa, const void *pb)
{
    const krr_entry *a = pa, *b = pb;
    if (a->token != b->token)
        return a->token < b->token ? -1 : 1;
    return (a->string > b->string) - (a->string < b->string);
}

/* Visit every ordered pair (i > j) of training strings that share a
 * substituted token, once per shared token. */
typedef int (*pair_visit)(tkc_krr_gram *g, size_t i, size_t j, double *K,
                          size_t lda, tkc_error *err);

static int for_coincident_pairs(tkc_krr_gram *g, pair_visit visit, double *K,
                                size_t lda, tkc_error *err)
{
    size_t e = 0;
    while (e < g->nentries) {
        size_t end = e + 1;
        while (end < g->nentries && g->entries[end].token == g->entries[e].token)
            end++;
        for (size_t p = e + 1; p < end; p++)          /* sorted: string[p] > */
            for (size_t q = e; q < p; q++) {
                int st = visit(g, g->entries[p].string, g->entries[q].string,
                               K, lda, err);
                if (st)
                    return st;
            }
        e = end;
    }
    return TKC_SUCCESS;
}

static int visit_collect(tkc_krr_gram *g, size_t i, size_t j, double *K,
                         size_t lda, tkc_error *err)
{
    (void)K, (void)lda;
    krr_key k;
    pair_key(g, i, j, &k);
    return key_insert(g, &k, err);
}

static int visit_fill(tkc_krr_gram *g, size_t i, size_t j, double *K,
                      size_t lda, tkc_error *err)
{
    krr_key k;
    pair_key(g, i, j, &k);
    long s = key_find(g, &k);
    if (s < 0)
        return tkc_fail(err, TKC_EINPUT,
                        "krr: the Gram cache does not cover training pair "
                        "(%zu, %zu); was it built from this sample?", i, j);
    K[i + j * lda] = K[j + i * lda] = g->key_value[s];
    return TKC_SUCCESS;
}

/* Token of each wildcard of string x drawn from template t. */
static int read_substitution(const tkc_template_set *set, size_t t,
                             const tkc_token *x, tkc_token *subs, size_t wmax,
                             size_t which, tkc_error *err)
{
    const tkc_template *z = &set->t[t];
    for (size_t w = 0; w < wmax; w++)
        subs[w] = -1;
    for (size_t a = 0; a < set->k; a++) {
        int32_t v = z->sym[a];
        if (!TKC_IS_WILDCARD(v)) {
            if (x[a] != v)
                return tkc_fail(err, TKC_EINPUT,
                                "krr: string %zu does not match its template %zu "
                                "(position %zu)", which, t, a);
            continue;
        }
        size_t w = TKC_WILDCARD_INDEX(v);
        if (x[a] < (tkc_token)set->nsymbols || (subs[w] >= 0 && subs[w] != x[a]))
            return tkc_fail(err, TKC_EINPUT,
                            "krr: string %zu does not match its template %zu "
                            "(position %zu)", which, t, a);
        subs[w] = x[a];
    }
    return TKC_SUCCESS;
}

static int gram_index_sample(tkc_krr_gram *g, const tkc_sample *train,
                             tkc_error *err)
{
    size_t n = g->n, total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t t = train->template_index[i];
        if (t >= g->r)
            return tkc_fail(err, TKC_EINPUT,
                            "krr: training string %zu has template %zu of %zu",
                            i, t, g->r);
        g->tmpl[i] = (uint32_t)t;
        int st = read_substitution(g->set, t, tkc_strings_row(train->strings, i),
                                   g->subs + i * g->wmax, g->wmax, i, err);
        if (st)
            return st;
        total += g->set->t[t].nwild;
    }
    g->entries = malloc((total ? total : 1) * sizeof *g->entries);
    if (!g->entries)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the token index");
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < g->set->t[g->tmpl[i]].nwild; w++)
            g->entries[g->nentries++] =
                (krr_entry){g->subs[i * g->wmax + w], (uint32_t)i};
    qsort(g->entries, g->nentries, sizeof *g->entries, entry_compare);
    return TKC_SUCCESS;
}

/* Representative strings of a key: wildcard a of z_ti ↦ fresh token a;
 * wildcard b of z_tj ↦ the same token when matched, else fresh wmax + b. */
static int key_strings(const tkc_template_set *set, const krr_key *k,
                       size_t wmax, int self, tkc_token *x, tkc_token *y,
                       tkc_error *err)
{
    tkc_token mi[TKC_K_MAX], mj[TKC_K_MAX];
    tkc_token fresh = (tkc_token)set->nsymbols;
    for (size_t a = 0; a < set->t[k->ti].nwild; a++)
        mi[a] = fresh + (tkc_token)a;
    for (size_t b = 0; b < set->t[k->tj].nwild; b++)
        mj[b] = fresh + (tkc_token)(wmax + b);
    for (size_t a = 0; a < set->t[k->ti].nwild; a++)
        if (k->m[a])
            mj[k->m[a] - 1] = mi[a];
    int st = tkc_template_substitute(set, k->ti, mi, x, err);
    if (!st)
        st = self ? (memcpy(y, x, set->k * sizeof *x), 0)
                  : tkc_template_substitute(set, k->tj, mj, y, err);
    return st;
}

/* Evaluate base (r(r+1)/2), diagonal (r) and coincidence keys in one call. */
static int gram_evaluate(tkc_krr_gram *g, const tkc_kernel_spec *spec,
                         tkc_error *err)
{
    size_t r = g->r, nbase = r * (r + 1) / 2;
    size_t npairs = nbase + r + g->nkeys;
    tkc_strings *S = tkc_strings_alloc(2 * npairs, g->set->k, err);
    tkc_pair *pairs = malloc(npairs * sizeof *pairs);
    tkc_kernel_values *v = tkc_kernel_values_alloc(npairs, 0, err);
    g->key_value = malloc((g->nkeys ? g->nkeys : 1) * sizeof *g->key_value);
    int st = TKC_SUCCESS;
    if (!S || !pairs || !v || !g->key_value) {
        st = (err && err->status) ? (int)err->status
                                  : tkc_fail(err, TKC_ENOMEM,
                                             "krr: cannot allocate %zu pairs",
                                             npairs);
        goto done;
    }
    size_t p = 0;
    for (size_t i = 0; i < r && !st; i++)
        for (size_t j = 0; j <= i && !st; j++, p++) {
            krr_key k = {.ti = (uint32_t)i, .tj = (uint32_t)j};
            st = key_strings(g->set, &k, g->wmax, 0, tkc_strings_row(S, 2 * p),
                             tkc_strings_row(S, 2 * p + 1), err);
        }
    for (size_t i = 0; i < r && !st; i++, p++) {
        krr_key k = {.ti = (uint32_t)i, .tj = (uint32_t)i};
        st = key_strings(g->set, &k, g->wmax, 1, tkc_strings_row(S, 2 * p),
                         tkc_strings_row(S, 2 * p + 1), err);
    }
    for (size_t q = 0; q < g->nkeys && !st; q++, p++)
        st = key_strings(g->set, &g->keys[q], g->wmax, 0,
                         tkc_strings_row(S, 2 * p), tkc_strings_row(S, 2 * p + 1),
                         err);
    if (st)
        goto done;
    for (size_t q = 0; q < npairs; q++)
        pairs[q] = (tkc_pair){2 * q, 2 * q + 1};
    st = tkc_kernel_eval_pairs(spec, S, pairs, npairs, v, err);
    if (st)
        goto done;
    p = 0;
    g->se_max = 0;
    for (size_t q = 0; q < npairs; q++) {
        if (!isfinite(v->value[q])) {
            st = tkc_fail(err, TKC_ENUMERIC,
                          "krr: kernel returned a non-finite value for pair %zu",
                          q);
            goto done;
        }
        if (v->se[q] > g->se_max)
            g->se_max = v->se[q];
    }
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j <= i; j++, p++)
            g->base[i * r + j] = g->base[j * r + i] = v->value[p];
    for (size_t i = 0; i < r; i++, p++)
        g->diag[i] = v->value[p];
    for (size_t q = 0; q < g->nkeys; q++, p++)
        g->key_value[q] = v->value[p];
    g->npatterns = npairs;
    g->error_kind = v->error_kind;
    snprintf(g->estimator, sizeof g->estimator, "%s",
             v->estimator ? v->estimator : spec->kernel->name);
done:
    tkc_strings_free(S);
    free(pairs);
    tkc_kernel_values_free(v);
    return st;
}

void tkc_krr_gram_free(tkc_krr_gram *g)
{
    if (!g)
        return;
    free(g->tmpl);
    free(g->subs);
    free(g->entries);
    free(g->base);
    free(g->diag);
    free(g->keys);
    free(g->key_value);
    free(g->slot);
    free(g);
}

int tkc_krr_gram_build(const tkc_template_set *set, const tkc_sample *train,
                       const tkc_kernel_spec *spec, tkc_krr_gram **out,
                       tkc_error *err)
{
    *out = NULL;
    size_t n = train->strings->count;
    if (n == 0 || n > UINT32_MAX || train->strings->k != set->k)
        return tkc_fail(err, TKC_EINPUT,
                        "krr: training sample has %zu strings of length %zu "
                        "(templates have length %zu)", n, train->strings->k,
                        set->k);
    int st = tkc_kernel_spec_validate(spec, err);
    if (st)
        return st;
    tkc_krr_gram *g = calloc(1, sizeof *g);
    if (!g)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the Gram cache");
    g->set = set;
    g->n = n;
    g->r = set->count;
    g->wmax = tkc_template_set_max_wildcards(set);
    if (g->wmax == 0)
        g->wmax = 1;                       /* keeps strides non-zero */
    g->tmpl = malloc(n * sizeof *g->tmpl);
    g->subs = malloc(n * g->wmax * sizeof *g->subs);
    g->base = malloc(g->r * g->r * sizeof *g->base);
    g->diag = malloc(g->r * sizeof *g->diag);
    if (!g->tmpl || !g->subs || !g->base || !g->diag)
        st = tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the Gram cache");
    if (!st)
        st = gram_index_sample(g, train, err);
    if (!st)
        st = key_grow(g, err);
    if (!st)
        st = for_coincident_pairs(g, visit_collect, NULL, 0, err);
    if (!st)
        st = gram_evaluate(g, spec, err);
    if (st) {
        tkc_krr_gram_free(g);
        return st;
    }
    *out = g;
    return TKC_SUCCESS;
}

int tkc_krr_gram_fill(const tkc_krr_gram *g, double *K, size_t lda,
                      tkc_error *err)
{
    if (lda < g->n)
        return tkc_fail(err, TKC_EINPUT, "krr: lda %zu < n %zu", lda, g->n);
    /* Column j is a gather from row tmpl[j] of the base table: contiguous
     * writes, both triangles, no transpose. */
    for (size_t j = 0; j < g->n; j++) {
        double *col = K + j * lda;
        const double *brow = g->base + (size_t)g->tmpl[j] * g->r;
        for (size_t i = 0; i < g->n; i++)
            col[i] = brow[g->tmpl[i]];
        col[j] = g->diag[g->tmpl[j]];
    }
    return for_coincident_pairs((tkc_krr_gram *)g, visit_fill, K, lda, err);
}

double tkc_krr_gram_cross(const tkc_krr_gram *g, size_t i, size_t j)
{
    return g->base[i * g->r + j];
}

int tkc_krr_gram_nmatrix_sigma(const tkc_krr_gram *g, double *sigma_min,
                               double *sigma_max, double *eig_min,
                               tkc_error *err)
{
    size_t r = g->r;
    double *A = malloc(r * r * sizeof *A), *w = malloc(r * sizeof *w);
    if (!A || !w) {
        free(A), free(w);
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    }
    memcpy(A, g->base, r * r * sizeof *A);
    lapack_int info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)r, A,
                                    (lapack_int)r, w);
    double lo = INFINITY, hi = 0, emin = info == 0 ? w[0] : NAN;
    for (size_t i = 0; info == 0 && i < r; i++) {
        lo = fmin(lo, fabs(w[i]));
        hi = fmax(hi, fabs(w[i]));
    }
    free(A), free(w);
    if (info != 0)
        return tkc_fail(err, TKC_ENUMERIC, "krr: dsyev on N failed (info %d)",
                        (int)info);
    *sigma_min = lo;
    *sigma_max = hi;
    *eig_min = emin;
    return TKC_SUCCESS;
}

size_t tkc_krr_gram_patterns(const tkc_krr_gram *g) { return g->npatterns; }
double tkc_krr_gram_se_max(const tkc_krr_gram *g) { return g->se_max; }
tkc_error_kind tkc_krr_gram_error_kind(const tkc_krr_gram *g)
{
    return g->error_kind;
}
const char *tkc_krr_gram_estimator(const tkc_krr_gram *g)
{
    return g->estimator;
}

/* ======================================================================
 * Predict on unseen symbols
 * ====================================================================== */

static int token_in_training(const tkc_krr_gram *g, tkc_token t)
{
    size_t lo = 0, hi = g->nentries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->entries[mid].token < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->nentries && g->entries[lo].token == t;
}

/* Σ_{i : z(x_i) = s} α_i for every template s. */
static int alpha_sums(const tkc_krr_gram *g, const double *alpha, double **out,
                      tkc_error *err)
{
    double *asum = calloc(g->r, sizeof *asum);
    if (!asum)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    for (size_t i = 0; i < g->n; i++)
        asum[g->tmpl[i]] += alpha[i];
    *out = asum;
    return TKC_SUCCESS;
}

static double template_prediction(const tkc_krr_gram *g, const double *asum,
                                  size_t t)
{
    const double *brow = g->base + t * g->r;
    double s = 0;
    for (size_t u = 0; u < g->r; u++)
        s += brow[u] * asum[u];
    return s;
}

int tkc_krr_predict(const tkc_krr_gram *g, const double *alpha,
                    const tkc_sample *test, double *pred, tkc_error *err)
{
    size_t m = test->strings->count;
    if (test->strings->k != g->set->k)
        return tkc_fail(err, TKC_EINPUT, "krr: test strings have length %zu, "
                        "templates %zu", test->strings->k, g->set->k);
    tkc_token subs[TKC_K_MAX];
    /* Every test string must use symbols never seen in training: then its
     * pattern with training string i is the base pattern (z_i, z). */
    for (size_t j = 0; j < m; j++) {
        size_t t = test->template_index[j];
        if (t >= g->r)
            return tkc_fail(err, TKC_EINPUT, "krr: test string %zu has "
                            "template %zu of %zu", j, t, g->r);
        int st = read_substitution(g->set, t, tkc_strings_row(test->strings, j),
                                   subs, g->wmax, j, err);
        if (st)
            return st;
        for (size_t w = 0; w < g->set->t[t].nwild; w++)
            if (token_in_training(g, subs[w]))
                return tkc_fail(err, TKC_EINPUT,
                                "krr: test string %zu reuses training symbol %d; "
                                "test symbols must be unseen", j, (int)subs[w]);
    }
    double *asum = NULL;
    int st = alpha_sums(g, alpha, &asum, err);
    if (st)
        return st;
    for (size_t j = 0; j < m; j++)
        pred[j] = template_prediction(g, asum, test->template_index[j]);
    free(asum);
    return TKC_SUCCESS;
}

/* ======================================================================
 * Fit
 * ====================================================================== */

void tkc_krr_options_default(tkc_krr_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->n = 1000;
    opt->test_n = 1000;
    opt->alphabet = 1000;
    opt->lambda = 1e-3;
    opt->noise = 0;
    opt->seed = 1;
    tkc_kernel_spec_default(&opt->kernel);
}

void tkc_krr_result_free(tkc_krr_result *r)
{
    if (!r)
        return;
    free(r->template_prediction);
    free(r->template_test_mse);
    free(r->template_train_count);
    free(r->template_test_count);
    free(r);
}

static int validate_options(const tkc_template_set *set,
                            const tkc_krr_options *opt, double *rho,
                            tkc_error *err)
{
    if (set->symbolic_labels)
        return tkc_fail(err, TKC_EINPUT,
                        "%s: some labels are wildcards (a next-token task); "
                        "kernel ridge regression needs real labels",
                        set->source ? set->source : "template set");
    if (opt->n == 0 || opt->n > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr: n must be in [1, %d], got %zu",
                        INT32_MAX, opt->n);
    if (opt->test_n == 0)
        return tkc_fail(err, TKC_EINPUT, "krr: test-n must be at least 1");
    if (!(opt->lambda >= 0) || !isfinite(opt->lambda))
        return tkc_fail(err, TKC_EINPUT, "krr: lambda must be finite and >= 0, "
                        "got %g", opt->lambda);
    if (!(opt->noise >= 0) || !isfinite(opt->noise))
        return tkc_fail(err, TKC_EINPUT, "krr: noise must be finite and >= 0, "
                        "got %g", opt->noise);
    int st = tkc_template_set_rho(set, opt->alphabet, rho, err);
    if (st)
        return st;
    return tkc_kernel_spec_validate(&opt->kernel, err);
}

static tkc_krr_result *result_alloc(size_t r)
{
    tkc_krr_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->ntemplates = r;
    res->template_prediction = calloc(r, sizeof(double));
    res->template_test_mse = calloc(r, sizeof(double));
    res->template_train_count = calloc(r, sizeof(size_t));
    res->template_test_count = calloc(r, sizeof(size_t));
    if (!res->template_prediction || !res->template_test_mse ||
        !res->template_train_count || !res->template_test_count) {
        tkc_krr_result_free(res);
        return NULL;
    }
    return res;
}

static void label_moments(const tkc_template_set *set, tkc_krr_result *res)
{
    double mean = 0, var = 0;
    for (size_t t = 0; t < set->count; t++)
        mean += set->t[t].weight * set->t[t].label;
    for (size_t t = 0; t < set->count; t++) {
        double d = set->t[t].label - mean;
        var += set->t[t].weight * d * d;
    }
    res->label_mean = mean;
    res->label_variance = var;
}

/* Assemble K̂, solve; K̂ is freed before returning (it is the big one). */
static int fit_solve(const tkc_krr_gram *g, const tkc_sample *train,
                     tkc_krr_result *res, double *alpha, tkc_error *err)
{
    size_t n = g->n;
    if (n > SIZE_MAX / sizeof(double) / n)
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu is too large", n);
    double t0 = seconds_now();
    double *K = malloc(n * n * sizeof *K);
    if (!K)
        return tkc_fail(err, TKC_ENOMEM,
                        "krr: cannot allocate K (%zu x %zu doubles, %.2f GB)", n,
                        n, (double)n * (double)n * 8e-9);
    int st = tkc_krr_gram_fill(g, K, n, err);
    double t1 = seconds_now();
    if (!st)
        st = tkc_krr_solve(K, n, n, res->solve.lambda, train->label, alpha,
                           &res->solve, err);
    res->seconds_fill = t1 - t0;
    res->seconds_solve = seconds_now() - t1;
    free(K);
    return st;
}

static void score(const tkc_template_set *set, const tkc_krr_gram *g,
                  const tkc_sample *train, const tkc_sample *test,
                  const double *alpha, const double *asum, const double *pred,
                  tkc_krr_result *res)
{
    size_t n = train->strings->count, m = test->strings->count;
    /* K̂α = y − λα, so the training residual is λα (to the solve's ferr). */
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = res->solve.lambda_used * alpha[i];
        s += d * d;
        res->template_train_count[train->template_index[i]]++;
    }
    res->train_mse = s / (double)n;
    s = 0;
    for (size_t j = 0; j < m; j++) {
        size_t t = test->template_index[j];
        double d = pred[j] - set->t[t].label;
        s += d * d;
        res->template_test_count[t]++;
    }
    res->test_mse = s / (double)m;
    s = 0;
    for (size_t t = 0; t < set->count; t++) {
        double p = template_prediction(g, asum, t);
        double d = p - set->t[t].label;
        res->template_prediction[t] = p;
        res->template_test_mse[t] = d * d;
        s += set->t[t].weight * d * d;
    }
    res->test_mse_population = s;
}

static int nmatrix_figures(const tkc_krr_gram *g, tkc_krr_result *res,
                           tkc_error *err)
{
    double lo, hi, emin;
    int st = tkc_krr_gram_nmatrix_sigma(g, &lo, &hi, &emin, err);
    if (st)
        return st;
    res->nmatrix_sigma_min = lo;
    res->nmatrix_eig_min = emin;
    res->nmatrix_resolved = lo > (double)g->r * g->se_max;
    res->nmatrix_inv_norm =
        lo <= (double)g->r * DBL_EPSILON * hi ? INFINITY : 1.0 / lo;
    res->kernel_diag_max = 0;
    for (size_t t = 0; t < g->r; t++)
        res->kernel_diag_max = fmax(res->kernel_diag_max, g->diag[t]);
    return TKC_SUCCESS;
}

int tkc_krr_fit(const tkc_template_set *set, const tkc_krr_options *opt,
                tkc_krr_result **out, tkc_error *err)
{
    *out = NULL;
    double rho;
    int st = validate_options(set, opt, &rho, err);
    if (st)
        return st;
    tkc_krr_result *res = result_alloc(set->count);
    if (!res)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    res->n = opt->n;
    res->test_n = opt->test_n;
    res->alphabet = opt->alphabet;
    res->rho = rho;
    res->solve.lambda = opt->lambda;
    label_moments(set, res);

    tkc_sample *train = NULL, *test = NULL;
    tkc_krr_gram *g = NULL;
    double *alpha = malloc(opt->n * sizeof *alpha);
    double *pred = malloc(opt->test_n * sizeof *pred);
    double *asum = NULL;
    if (!alpha || !pred) {
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
        goto done;
    }
    st = tkc_sample_draw(set, opt->n, opt->alphabet, 0, opt->noise, opt->seed,
                         &train, err);
    if (!st)
        st = tkc_sample_draw(set, opt->test_n, opt->alphabet, 1, 0.0,
                             opt->seed ^ 0x9E3779B97F4A7C15ULL, &test, err);
    double t0 = seconds_now();
    if (!st)
        st = tkc_krr_gram_build(set, train, &opt->kernel, &g, err);
    res->seconds_kernel = seconds_now() - t0;
    if (!st)
        st = fit_solve(g, train, res, alpha, err);
    if (!st)
        st = tkc_krr_predict(g, alpha, test, pred, err);
    if (!st)
        st = alpha_sums(g, alpha, &asum, err);
    if (st)
        goto done;
    score(set, g, train, test, alpha, asum, pred, res);
    st = nmatrix_figures(g, res, err);
    if (st)
        goto done;
    res->npatterns = g->npatterns;
    res->kernel_se_max = g->se_max;
    res->kernel_error_kind = g->error_kind;
    snprintf(res->estimator, sizeof res->estimator, "%s", g->estimator);
done:
    free(alpha);
    free(pred);
    free(asum);
    tkc_sample_free(train);
    tkc_sample_free(test);
    tkc_krr_gram_free(g);
    if (st) {
        tkc_krr_result_free(res);
        return st;
    }
    *out = res;
    return TKC_SUCCESS;
}
