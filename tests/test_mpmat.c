/* test_mpmat.c — MPFR linear algebra against exact and independent values:
 * Hilbert matrices (exact determinant and integer inverse), random integer
 * matrices (GMP Bareiss determinant), a 64×64 determinant far below the
 * double range, singular values of diag / orthogonal×diag / LAPACK dgesvd. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mpmat.h"

static unsigned long lcg_state = 12345;
static long rnd_int(long lo, long hi)   /* fixed-seed, uniform in [lo, hi] */
{
    lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
    return lo + (long)((lcg_state >> 33) % (unsigned long)(hi - lo + 1));
}
static double rnd_unit(void) { return (double)rnd_int(0, 1L << 30) / (1L << 30); }

/* Exact determinant of an integer matrix by Bareiss fraction-free
 * elimination (the independent reference). */
static void bareiss_det(mpz_t det, const long *a, size_t n)
{
    mpz_t *m = malloc(n * n * sizeof *m), prev, t;
    for (size_t k = 0; k < n * n; k++)
        mpz_init_set_si(m[k], a[k]);
    mpz_init_set_ui(prev, 1);
    mpz_init(t);
    int sign = 1;
    mpz_set_ui(det, 0);
    for (size_t k = 0; k < n; k++) {
        size_t p = k;
        while (p < n && mpz_sgn(m[p * n + k]) == 0)
            p++;
        if (p == n)
            goto out;
        if (p != k) {
            for (size_t j = 0; j < n; j++)
                mpz_swap(m[p * n + j], m[k * n + j]);
            sign = -sign;
        }
        for (size_t i = k + 1; i < n; i++) {
            for (size_t j = k + 1; j < n; j++) {
                mpz_mul(m[i * n + j], m[i * n + j], m[k * n + k]);
                mpz_mul(t, m[i * n + k], m[k * n + j]);
                mpz_sub(m[i * n + j], m[i * n + j], t);
                mpz_divexact(m[i * n + j], m[i * n + j], prev);
            }
        }
        mpz_set(prev, m[k * n + k]);
    }
    mpz_set(det, m[(n - 1) * n + n - 1]);
    if (sign < 0)
        mpz_neg(det, det);
out:
    for (size_t k = 0; k < n * n; k++)
        mpz_clear(m[k]);
    free(m);
    mpz_clear(prev);
    mpz_clear(t);
}

/* |x − y| <= tol·|y| with y exact (mpfr at high precision). */
static int rel_close(const mpfr_t x, const mpfr_t y, double tol)
{
    mpfr_t d;
    mpfr_init2(d, 1024);
    mpfr_sub(d, x, y, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    int ok;
    if (mpfr_zero_p(y))
        ok = mpfr_zero_p(x);
    else {
        mpfr_div(d, d, y, MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        ok = mpfr_cmp_d(d, tol) <= 0;
    }
    mpfr_clear(d);
    return ok;
}

static void test_hilbert(void)
{
    for (size_t n = 3; n <= 12; n += 3) {
        tkc_mpmat *h = tkc_mpmat_alloc(n, n, 256, NULL);
        mpq_t q;
        mpq_init(q);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                mpq_set_ui(q, 1, i + j + 1);
                mpfr_set_q(TKC_MPMAT(h, i, j), q, MPFR_RNDN);
            }
        /* det H_n = c_n^4 / c_{2n}, c_m = Π_{i<m} i! */
        mpz_t cn, c2n, f;
        mpz_inits(cn, c2n, f, NULL);
        mpz_set_ui(cn, 1);
        mpz_set_ui(c2n, 1);
        for (unsigned long i = 1; i < 2 * n; i++) {
            mpz_fac_ui(f, i);
            if (i < n)
                mpz_mul(cn, cn, f);
            mpz_mul(c2n, c2n, f);
        }
        mpz_pow_ui(cn, cn, 4);
        mpq_set_num(q, cn);
        mpq_set_den(q, c2n);
        mpq_canonicalize(q);
        mpfr_t det, exact;
        mpfr_init2(det, 256);
        mpfr_init2(exact, 1024);
        mpfr_set_q(exact, q, MPFR_RNDN);
        CHECK(tkc_mpmat_det(det, h, NULL) == TKC_SUCCESS, "hilbert det rc");
        CHECK(rel_close(det, exact, 1e-50), "det H_%zu: %s", n,
              mpfr_get_str(NULL, NULL, 10, 20, det, MPFR_RNDN));
        /* exact integer inverse: (−1)^{i+j}(i+j+1) C(n+i, n−j−1) C(n+j, n−i−1) C(i+j, i)^2 */
        tkc_mpmat *inv = tkc_mpmat_alloc(n, n, 256, NULL);
        CHECK(tkc_mpmat_inv(inv, h, NULL) == TKC_SUCCESS, "hilbert inv rc");
        int bad = 0;
        mpz_t e, b;
        mpz_inits(e, b, NULL);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                mpz_set_ui(e, i + j + 1);
                mpz_bin_uiui(b, n + i, n - j - 1);
                mpz_mul(e, e, b);
                mpz_bin_uiui(b, n + j, n - i - 1);
                mpz_mul(e, e, b);
                mpz_bin_uiui(b, i + j, i);
                mpz_mul(e, e, b);
                mpz_mul(e, e, b);
                if ((i + j) % 2)
                    mpz_neg(e, e);
                mpfr_set_z(exact, e, MPFR_RNDN);
                bad += !rel_close(TKC_MPMAT(inv, i, j), exact, 1e-40);
            }
        CHECK(bad == 0, "inverse of H_%zu: %d entries off", n, bad);
        /* cond2: σ_max/σ_min consistent with the singular values */
        mpfr_t cond;
        mpfr_init2(cond, 256);
        CHECK(tkc_mpmat_cond2(cond, h, NULL) == TKC_SUCCESS, "cond rc");
        /* known: cond2(H_6) ≈ 1.495105864e7, cond2(H_12) ≈ 1.7e16 */
        if (n == 6)
            CHECK_CLOSE(mpfr_get_d(cond, MPFR_RNDN) / 1.495105864e7, 1, 1e-8,
                        "cond2(H_6)");
        /* and det = product of singular values (|det| for symmetric PD) */
        mpfr_t *s = malloc(n * sizeof *s), p;
        mpfr_init2(p, 256);
        mpfr_set_ui(p, 1, MPFR_RNDN);
        for (size_t k = 0; k < n; k++) {
            mpfr_init2(s[k], 256);
        }
        CHECK(tkc_mpmat_singular_values(s, h, NULL) == TKC_SUCCESS, "sv rc");
        for (size_t k = 0; k < n; k++) {
            mpfr_mul(p, p, s[k], MPFR_RNDN);
            if (k)
                CHECK(mpfr_cmp(s[k - 1], s[k]) >= 0, "descending");
            mpfr_clear(s[k]);
        }
        free(s);
        mpfr_set_q(exact, q, MPFR_RNDN);
        CHECK(rel_close(p, exact, 1e-40), "Π σ = det H_%zu", n);
        mpz_clears(cn, c2n, f, e, b, NULL);
        mpfr_clears(det, exact, cond, p, (mpfr_ptr)0);
        mpq_clear(q);
        tkc_mpmat_free(h);
        tkc_mpmat_free(inv);
    }
}

static void test_integer_det(void)
{
    int bad = 0, count = 0;
    for (int trial = 0; trial < 60; trial++) {
        size_t n = 2 + (size_t)rnd_int(0, 12);
        long *a = malloc(n * n * sizeof *a);
        double *d = malloc(n * n * sizeof *d);
        for (size_t k = 0; k < n * n; k++)
            a[k] = rnd_int(-9, 9);
        if (trial % 5 == 0 && n > 2)        /* exactly singular ones too */
            for (size_t j = 0; j < n; j++)
                a[(n - 1) * n + j] = 2 * a[j] - a[n + j];
        for (size_t k = 0; k < n * n; k++)
            d[k] = (double)a[k];
        mpz_t ex;
        mpz_init(ex);
        bareiss_det(ex, a, n);
        tkc_mpmat *m = tkc_mpmat_alloc(n, n, 160, NULL);
        tkc_mpmat_set_d(m, d, n, NULL);
        mpfr_t det, exact;
        mpfr_init2(det, 160);
        mpfr_init2(exact, 1024);
        mpfr_set_z(exact, ex, MPFR_RNDN);
        tkc_mpmat_det(det, m, NULL);
        if (mpz_sgn(ex) == 0) {
            /* rounding may leave a tiny value; it must be tiny */
            bad += !(mpfr_zero_p(det) || mpfr_get_exp(det) < -100);
        } else
            bad += !rel_close(det, exact, 1e-35);
        count++;
        mpz_clear(ex);
        mpfr_clears(det, exact, (mpfr_ptr)0);
        tkc_mpmat_free(m);
        free(a);
        free(d);
    }
    CHECK(bad == 0, "integer determinants vs Bareiss: %d of %d wrong", bad,
          count);
}

/* 64×64 A = L·U with L unit lower (entries −1, 0, 1) and U upper with
 * integer·2^-20 entries: A is exact in double, det A = Π U_kk ~ 1e-340,
 * below the smallest double. */
static void test_underflow(void)
{
    enum { N = 64 };
    static double L[N * N], U[N * N], A[N * N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            L[i * N + j] = i == j ? 1 : i > j ? (double)rnd_int(-1, 1) * 0.5 : 0;
            U[i * N + j] = i == j ? ldexp((double)rnd_int(1, 9), -20)
                         : i < j ? ldexp((double)rnd_int(-3, 3), -20) : 0;
        }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double s = 0;                     /* exact: small dyadics */
            for (size_t k = 0; k < N; k++)
                s += L[i * N + k] * U[k * N + j];
            A[i * N + j] = s;
        }
    mpfr_t exact, det;
    mpfr_init2(exact, 1024);
    mpfr_init2(det, 200);
    mpfr_set_ui(exact, 1, MPFR_RNDN);
    for (size_t k = 0; k < N; k++)
        mpfr_mul_d(exact, exact, U[k * N + k], MPFR_RNDN);   /* exact */
    tkc_mpmat *m = tkc_mpmat_alloc(N, N, 200, NULL);
    CHECK(tkc_mpmat_set_d(m, A, N, NULL) == TKC_SUCCESS, "set");
    CHECK(tkc_mpmat_det(det, m, NULL) == TKC_SUCCESS, "det rc");
    CHECK(rel_close(det, exact, 1e-30), "64x64 det vs exact Π U_kk");
    char buf[64];
    tkc_mpfr_snprint(buf, sizeof buf, det, 6);
    long e10 = 0;
    const char *ep = strchr(buf, 'e');
    if (ep)
        e10 = strtol(ep + 1, NULL, 10);
    CHECK(e10 < -324 && e10 > -400, "det text %s is below the double range",
          buf);
    double mant;
    long e2;
    mant = mpfr_get_d_2exp(&e2, det, MPFR_RNDN);
    CHECK(mant >= 0.5 && mant < 1 && e2 < -1074, "mantissa %g exponent %ld",
          mant, e2);
    /* the double route underflows: LAPACK LU and Π of pivots in double */
    static double B[N * N];
    lapack_int ipiv[N];
    memcpy(B, A, sizeof B);
    CHECK(LAPACKE_dgetrf(LAPACK_ROW_MAJOR, N, N, B, N, ipiv) >= 0, "dgetrf");
    double pd = 1;
    for (size_t k = 0; k < N; k++)
        pd *= B[k * N + k];
    CHECK(pd == 0, "the double determinant underflows to 0 (got %g)", pd);
    mpfr_clears(exact, det, (mpfr_ptr)0);
    tkc_mpmat_free(m);
}

/* Singular values against exact diag, Householder×diag×Householder, and
 * LAPACK dgesvd (including a rectangular case). */
static void test_svd(void)
{
    enum { N = 7 };
    const double dv[N] = {3.5, 1e-3, 2.0, 7.25, 1e-9, 0.5, 1.0};
    const double sorted[N] = {7.25, 3.5, 2.0, 1.0, 0.5, 1e-3, 1e-9};
    double a[N * N] = {0};
    for (size_t i = 0; i < N; i++)
        a[i * N + (i * 3) % N] = dv[i] * (i % 2 ? -1 : 1);  /* permuted, signs */
    tkc_mpmat *m = tkc_mpmat_alloc(N, N, 128, NULL);
    tkc_mpmat_set_d(m, a, N, NULL);
    mpfr_t s[N];
    for (size_t k = 0; k < N; k++)
        mpfr_init2(s[k], 128);
    CHECK(tkc_mpmat_singular_values(s, m, NULL) == TKC_SUCCESS, "svd rc");
    for (size_t k = 0; k < N; k++)
        CHECK(mpfr_cmp_d(s[k], sorted[k]) == 0, "diag σ_%zu = %g exactly", k,
              mpfr_get_d(s[k], MPFR_RNDN));
    /* Q1 D Q2 with Householder Q = I − 2 v vᵀ / vᵀv, formed at 1024 bits */
    tkc_mpmat *q1 = tkc_mpmat_alloc(N, N, 1024, NULL), *q2 = tkc_mpmat_alloc(N, N, 1024, NULL);
    tkc_mpmat *dd = tkc_mpmat_alloc(N, N, 1024, NULL), *t = tkc_mpmat_alloc(N, N, 1024, NULL);
    tkc_mpmat *prod = tkc_mpmat_alloc(N, N, 1024, NULL);
    long v1[N], v2[N], n1 = 0, n2 = 0;
    for (size_t i = 0; i < N; i++) {
        v1[i] = rnd_int(-5, 5);
        v2[i] = rnd_int(-5, 5);
        n1 += v1[i] * v1[i];
        n2 += v2[i] * v2[i];
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            mpfr_set_si(TKC_MPMAT(q1, i, j), -2 * v1[i] * v1[j], MPFR_RNDN);
            mpfr_div_si(TKC_MPMAT(q1, i, j), TKC_MPMAT(q1, i, j), n1, MPFR_RNDN);
            mpfr_add_ui(TKC_MPMAT(q1, i, j), TKC_MPMAT(q1, i, j), i == j, MPFR_RNDN);
            mpfr_set_si(TKC_MPMAT(q2, i, j), -2 * v2[i] * v2[j], MPFR_RNDN);
            mpfr_div_si(TKC_MPMAT(q2, i, j), TKC_MPMAT(q2, i, j), n2, MPFR_RNDN);
            mpfr_add_ui(TKC_MPMAT(q2, i, j), TKC_MPMAT(q2, i, j), i == j, MPFR_RNDN);
            mpfr_set_d(TKC_MPMAT(dd, i, j), i == j ? dv[i] : 0, MPFR_RNDN);
        }
    tkc_mpmat_mul(t, q1, dd, NULL);
    tkc_mpmat_mul(prod, t, q2, NULL);
    tkc_mpmat *p256 = tkc_mpmat_alloc(N, N, 256, NULL);
    tkc_mpmat_copy(p256, prod, NULL);
    mpfr_t s2[N], ref;
    mpfr_init2(ref, 256);
    for (size_t k = 0; k < N; k++)
        mpfr_init2(s2[k], 256);
    CHECK(tkc_mpmat_singular_values(s2, p256, NULL) == TKC_SUCCESS, "svd2 rc");
    for (size_t k = 0; k < N; k++) {
        mpfr_set_d(ref, sorted[k], MPFR_RNDN);
        CHECK(rel_close(s2[k], ref, 1e-50), "Q1 D Q2: σ_%zu = %.17g vs %g", k,
              mpfr_get_d(s2[k], MPFR_RNDN), sorted[k]);
        mpfr_clear(s2[k]);
    }
    mpfr_clear(ref);
    /* vs LAPACK dgesvd on well-conditioned random matrices, square and 9×5 */
    for (int shape = 0; shape < 3; shape++) {
        size_t r = shape == 1 ? 9 : shape == 2 ? 5 : 8;
        size_t c = shape == 1 ? 5 : shape == 2 ? 9 : 8, mn = r < c ? r : c;
        double *x = malloc(r * c * sizeof *x), *y = malloc(r * c * sizeof *y);
        double sl[9], superb[9];
        for (size_t k = 0; k < r * c; k++)
            x[k] = y[k] = rnd_unit() - 0.5 + (k % (c + 1) == 0 ? 2 : 0);
        CHECK(LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)r,
                             (lapack_int)c, y, (lapack_int)c, sl, NULL, 1,
                             NULL, 1, superb) == 0, "dgesvd");
        tkc_mpmat *mm = tkc_mpmat_alloc(r, c, 113, NULL);
        tkc_mpmat_set_d(mm, x, c, NULL);
        mpfr_t sv[9];
        for (size_t k = 0; k < mn; k++)
            mpfr_init2(sv[k], 113);
        CHECK(tkc_mpmat_singular_values(sv, mm, NULL) == TKC_SUCCESS, "sv");
        for (size_t k = 0; k < mn; k++) {
            CHECK_CLOSE(mpfr_get_d(sv[k], MPFR_RNDN), sl[k], 1e-12 * sl[0],
                        "vs dgesvd");
            mpfr_clear(sv[k]);
        }
        tkc_mpmat_free(mm);
        free(x);
        free(y);
    }
    for (size_t k = 0; k < N; k++)
        mpfr_clear(s[k]);
    tkc_mpmat_free(m);
    tkc_mpmat_free(q1);
    tkc_mpmat_free(q2);
    tkc_mpmat_free(dd);
    tkc_mpmat_free(t);
    tkc_mpmat_free(prod);
    tkc_mpmat_free(p256);
}

static void test_errors_and_inverse(void)
{
    tkc_error err;
    tkc_mpmat *r = tkc_mpmat_alloc(2, 3, 64, NULL);
    size_t perm[3];
    int sg;
    CHECK(tkc_mpmat_lu_decomp(r, perm, &sg, &err) == TKC_EINPUT, "non-square");
    double bad[6] = {1, 2, NAN, 4, 5, 6};
    CHECK(tkc_mpmat_set_d(r, bad, 3, &err) == TKC_EINPUT &&
              strstr(err.message, "(0, 2)"), "NaN entry named: %s", err.message);
    tkc_mpmat_free(r);
    CHECK(tkc_mpmat_alloc(2, 2, 0, &err) == NULL && err.status == TKC_EINPUT,
          "precision 0 refused");
    /* duplicate rows: exact zero pivot, inverse refused, det exactly 0 */
    double dup[9] = {1, 2, 3, 4, 5, 6, 1, 2, 3};
    tkc_mpmat *d = tkc_mpmat_alloc(3, 3, 128, NULL), *di = tkc_mpmat_alloc(3, 3, 128, NULL);
    tkc_mpmat_set_d(d, dup, 3, NULL);
    CHECK(tkc_mpmat_inv(di, d, &err) == TKC_ENUMERIC, "singular inverse refused");
    mpfr_t det;
    mpfr_init2(det, 128);
    tkc_mpmat_det(det, d, NULL);
    CHECK(mpfr_zero_p(det), "duplicate rows: det exactly 0");
    /* random integer matrix: A·A⁻¹ = I to 1e-30 */
    enum { N = 10 };
    double a[N * N];
    for (size_t k = 0; k < N * N; k++)
        a[k] = (double)rnd_int(-20, 20);
    tkc_mpmat *m = tkc_mpmat_alloc(N, N, 128, NULL), *mi = tkc_mpmat_alloc(N, N, 128, NULL);
    tkc_mpmat *pr = tkc_mpmat_alloc(N, N, 128, NULL);
    tkc_mpmat_set_d(m, a, N, NULL);
    CHECK(tkc_mpmat_inv(mi, m, NULL) == TKC_SUCCESS, "inv rc");
    tkc_mpmat_mul(pr, m, mi, NULL);
    double worst = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double e = fabs(mpfr_get_d(TKC_MPMAT(pr, i, j), MPFR_RNDN) - (i == j));
            worst = e > worst ? e : worst;
        }
    CHECK(worst < 1e-30, "A·A⁻¹ − I: %g", worst);
    /* rank-deficient: the smallest singular value is rounding noise and
     * shrinks with the precision */
    mpfr_t s3[3];
    for (int k = 0; k < 3; k++)
        mpfr_init2(s3[k], 128);
    double rk[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    tkc_mpmat_set_d(d, rk, 3, NULL);
    tkc_mpmat_singular_values(s3, d, NULL);
    CHECK(mpfr_zero_p(s3[2]) || mpfr_get_exp(s3[2]) < -110,
          "rank 2: σ_3 = %g", mpfr_get_d(s3[2], MPFR_RNDN));
    for (int k = 0; k < 3; k++)
        mpfr_clear(s3[k]);
    mpfr_clear(det);
    tkc_mpmat_free(d);
    tkc_mpmat_free(di);
    tkc_mpmat_free(m);
    tkc_mpmat_free(mi);
    tkc_mpmat_free(pr);
}

/* Rank-deficient A = x xᵀ (x_i = i/3, rounded): Jacobi must stop once the
 * null columns are noise at tol‖A‖ (it once rotated them for ever and
 * failed on the MLP's exactly singular N).  σ_1 = Σ x_i², the rest ~ 0. */
static void test_svd_rank_deficient(void)
{
    enum { N = 16 };
    const long precs[] = {53, 128};
    for (size_t p = 0; p < 2; p++) {
        tkc_mpmat *m = tkc_mpmat_alloc(N, N, precs[p], NULL);
        mpfr_t s[N], x, sum;
        mpfr_init2(x, precs[p]);
        mpfr_init2(sum, 1024);
        mpfr_set_ui(sum, 1496, MPFR_RNDN);      /* Σ_{i=1}^{16} i² */
        mpfr_div_ui(sum, sum, 9, MPFR_RNDN);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++) {
                mpfr_set_ui(x, (i + 1) * (j + 1), MPFR_RNDN);
                mpfr_div_ui(TKC_MPMAT(m, i, j), x, 9, MPFR_RNDN);
            }
        for (size_t k = 0; k < N; k++)
            mpfr_init2(s[k], precs[p]);
        CHECK(tkc_mpmat_singular_values(s, m, NULL) == TKC_SUCCESS,
              "rank 1 at %ld bits: Jacobi converges", precs[p]);
        CHECK(rel_close(s[0], sum, ldexp(1.0, -(int)precs[p] + 12)),
              "rank 1 at %ld bits: σ_1 = 1496/9 (%.17g)", precs[p],
              mpfr_get_d(s[0], MPFR_RNDN));
        CHECK(mpfr_cmp_d(s[1], 1496.0 / 9 * ldexp(1.0, -(int)precs[p] + 12)) <= 0,
              "rank 1 at %ld bits: σ_2 = %g is noise", precs[p],
              mpfr_get_d(s[1], MPFR_RNDN));
        for (size_t k = 0; k < N; k++)
            mpfr_clear(s[k]);
        mpfr_clears(x, sum, (mpfr_ptr)0);
        tkc_mpmat_free(m);
    }
}

int main(void)
{
    test_hilbert();
    test_integer_det();
    test_underflow();
    test_svd();
    test_svd_rank_deficient();
    test_errors_and_inverse();
    mpfr_free_cache();
    return check_summary();
}
