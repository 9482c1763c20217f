/* test_spd.c — the escalating SPD solve against independent computations:
 * an explicit LU inverse, LAPACK's own dposv on the same system, the exact
 * inverse of the Hilbert matrix, Sherman–Morrison for a singular rank-one
 * matrix after escalation; the smallest eigenvalue against closed forms. */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/spd.h"

/* ---- helpers --------------------------------------------------------------- */

static unsigned long long lcg_state = 12345;
static double uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * 0x1.0p-53;
}

/* Full symmetric copy of a lower-triangle matrix plus λI. */
static double *full_plus_ridge(const double *K, size_t n, double lambda)
{
    double *A = malloc(n * n * sizeof *A);
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++)
            A[i + j * n] = A[j + i * n] = K[i + j * n];
    for (size_t i = 0; i < n; i++)
        A[i + i * n] += lambda;
    return A;
}

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

static double max_abs(const double *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

/* A random SPD K = B Bᵀ / n (n×n, both triangles) with B uniform on
 * (−1/2, 1/2), and y uniform on (−1, 1). */
static void random_system(size_t n, double *K, double *y)
{
    double *B = malloc(n * n * sizeof *B);
    for (size_t i = 0; i < n * n; i++)
        B[i] = uniform() - 0.5;
    for (size_t i = 0; i < n; i++) {
        y[i] = uniform() * 2 - 1;
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t l = 0; l < n; l++)
                s += B[i + l * n] * B[j + l * n];
            K[i + j * n] = K[j + i * n] = s / (double)n;
        }
    }
    free(B);
}

/* ---- the solve ---------------------------------------------------------------- */

/* Random SPD K = B Bᵀ / n: the Cholesky solve against x = (K + λI)⁻¹ y with
 * the inverse formed explicitly by LU (dgetrf + dgetri), at two sizes (the
 * vectorized residual's blocks of 4 and its scalar tails). */
static void test_solve_against_lu(size_t n)
{
    double lambda = 0.05;
    double *K = malloc(n * n * sizeof *K);
    double *y = malloc(n * sizeof *y), *x = malloc(n * sizeof *x);
    random_system(n, K, y);
    double *A = full_plus_ridge(K, n, lambda);
    double *Kcopy = full_plus_ridge(K, n, 0.0);
    lapack_int *ipiv = malloc(n * sizeof *ipiv);
    CHECK(LAPACKE_dgetrf(LAPACK_COL_MAJOR, (int)n, (int)n, A, (int)n, ipiv) == 0,
          "dgetrf");
    CHECK(LAPACKE_dgetri(LAPACK_COL_MAJOR, (int)n, A, (int)n, ipiv) == 0,
          "dgetri");
    double *xref = calloc(n, sizeof *xref);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            xref[i] += A[i + j * n] * y[j];

    tkc_spd_solve_info info;
    tkc_error err;
    CHECK(tkc_spd_solve(K, n, n, lambda, y, x, &info, &err) == 0, "solve: %s",
          err.message);
    CHECK(info.escalations == 0 && info.lambda_used == lambda,
          "no escalation on a well-posed system (%u, %g)", info.escalations,
          info.lambda_used);
    CHECK(info.rcond > 0 && info.rcond <= 1, "rcond %g in (0, 1]", info.rcond);
    double rel = max_abs_diff(x, xref, n) / max_abs(xref, n);
    /* LU inverse and Cholesky both err by O(n eps / rcond). */
    CHECK(rel <= 8.0 * (double)n * DBL_EPSILON / info.rcond,
          "Cholesky vs LU inverse: rel diff %.3g, bound %.3g", rel,
          8.0 * (double)n * DBL_EPSILON / info.rcond);
    CHECK(info.ferr >= 0 && info.ferr < 1e-8, "ferr %g small", info.ferr);
    /* Residual against the input, kept beforehand. */
    double *Aused = Kcopy;
    for (size_t i = 0; i < n; i++)
        Aused[i + i * n] += lambda;
    double res = 0;
    for (size_t i = 0; i < n; i++) {
        double s = -y[i];
        for (size_t j = 0; j < n; j++)
            s += Aused[i + j * n] * x[j];
        res = fmax(res, fabs(s));
    }
    CHECK(res <= 64 * (double)n * DBL_EPSILON * (max_abs(y, n) + 1),
          "(K + lambda I) x = y: residual %.3g", res);
    free(K), free(y), free(x), free(A), free(ipiv), free(xref);
    free(Aused);
}

/* Hilbert matrix H_ij = 1/(i+j+1), κ ≈ 1.5e10 at n = 8, whose inverse is
 * known in closed form (integers): the error must be within the
 * rcond-implied bound, and within dposvx's own forward error bound. */
static double binom(int n, int k)
{
    double b = 1;
    for (int i = 1; i <= k; i++)
        b = b * (n - k + i) / i;
    return b;
}

static void test_solve_hilbert(void)
{
    enum { n = 8 };
    double K[n * n] = {0}, y[n], x[n];
    long double xref[n] = {0};
    for (int i = 0; i < n; i++) {
        y[i] = (i % 2) ? 1.0 : -0.5;
        for (int j = 0; j < n; j++)
            K[i + j * n] = 1.0 / (i + j + 1);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            /* (H⁻¹)_ij = (−1)^{i+j} (i+j+1) C(n+i, n−j−1) C(n+j, n−i−1) C(i+j, i)² */
            long double c = ((i + j) % 2 ? -1.0L : 1.0L) * (i + j + 1) *
                            binom(n + i, n - j - 1) * binom(n + j, n - i - 1) *
                            binom(i + j, i) * binom(i + j, i);
            xref[i] += c * y[j];
        }
    tkc_spd_solve_info info;
    CHECK(tkc_spd_solve(K, n, n, 0.0, y, x, &info, NULL) == 0, "Hilbert solve");
    CHECK(info.escalations == 0, "Hilbert 8 needs no ridge (rcond %g)",
          info.rcond);
    CHECK(info.rcond > 1e-12 && info.rcond < 1e-8,
          "Hilbert 8 rcond %g near 1/kappa_1 = 3e-11", info.rcond);
    double num = 0, den = 0;
    for (int i = 0; i < n; i++) {
        num = fmax(num, fabsl(x[i] - xref[i]));
        den = fmax(den, fabsl(xref[i]));
    }
    /* Entries of H are rounded: relative perturbation eps, so error
     * ≲ κ·eps = eps / rcond. */
    CHECK(num / den <= 16.0 * n * DBL_EPSILON / info.rcond,
          "Hilbert: rel error %.3g vs rcond bound %.3g", num / den,
          16.0 * n * DBL_EPSILON / info.rcond);
    /* The forward error bound is about the stored (rounded) matrix: check
     * it against long-double Gaussian elimination of that matrix, whose own
     * error is ~κ·2⁻⁶⁴ ≈ 1e-9. */
    long double A[n][n + 1];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            A[i][j] = 1.0 / (i + j + 1);       /* the same doubles */
        A[i][n] = y[i];
    }
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int i = c + 1; i < n; i++)
            if (fabsl(A[i][c]) > fabsl(A[p][c]))
                p = i;
        for (int j = 0; j <= n; j++) {
            long double t = A[c][j];
            A[c][j] = A[p][j];
            A[p][j] = t;
        }
        for (int i = c + 1; i < n; i++) {
            long double f = A[i][c] / A[c][c];
            for (int j = c; j <= n; j++)
                A[i][j] -= f * A[c][j];
        }
    }
    long double xl[n], e1 = 0, x1 = 0;
    for (int i = n - 1; i >= 0; i--) {
        long double t = A[i][n];
        for (int j = i + 1; j < n; j++)
            t -= A[i][j] * xl[j];
        xl[i] = t / A[i][i];
    }
    for (int i = 0; i < n; i++) {
        e1 += fabsl(x[i] - xl[i]);
        x1 += fabsl(xl[i]);
    }
    CHECK((double)(e1 / x1) <= info.ferr + 1e-8,
          "Hilbert: error %.3g vs the stored matrix within ferr %.3g",
          (double)(e1 / x1), info.ferr);
    CHECK(info.ferr < 1e-3, "refinement makes ferr small (%.3g)", info.ferr);
}

/* K = I: λ → 0 interpolates, f̂(x_i) = (K x)_i = y_i / (1 + λ). */
static void test_identity_interpolates(void)
{
    enum { n = 20 };
    double K[n * n] = {0}, y[n], x[n];
    for (int i = 0; i < n; i++) {
        K[i + i * n] = 1.0;
        y[i] = sin(i + 1.0);
    }
    tkc_spd_solve_info info;
    CHECK(tkc_spd_solve(K, n, n, 1e-12, y, x, &info, NULL) == 0, "identity");
    double d = 0;
    for (int i = 0; i < n; i++)
        d = fmax(d, fabs(x[i] - y[i]));
    CHECK(d <= 2e-12, "identity kernel interpolates: max |f(x_i) - y_i| %.3g", d);
    CHECK_CLOSE(info.rcond, 1.0, 1e-12, "rcond of I");
}

/* Rank one K = 1 1ᵀ with λ = 0 is singular: the ridge is raised, reported,
 * and the answer satisfies the escalated system; never NaN. */
static void test_escalation(void)
{
    enum { n = 12 };
    double K[n * n], y[n], x[n];
    for (int i = 0; i < n * n; i++)
        K[i] = 1.0;
    for (int i = 0; i < n; i++)
        y[i] = (i % 3) - 1.0;
    tkc_spd_solve_info info;
    tkc_error err;
    CHECK(tkc_spd_solve(K, n, n, 0.0, y, x, &info, &err) == 0,
          "singular solve escalates: %s", err.message);
    CHECK(info.escalations >= 1 && info.lambda_used > 0,
          "escalated %u times to %g", info.escalations, info.lambda_used);
    CHECK(strstr(info.note, "ridge raised") != NULL, "note says so: '%s'",
          info.note);
    CHECK(info.lambda == 0.0, "asked-for ridge kept");
    int finite = 1;
    for (int i = 0; i < n; i++)
        finite &= isfinite(x[i]) != 0;
    CHECK(finite, "finite solution");
    /* (11ᵀ + λI)⁻¹ y = (y − 1 (1ᵀy)/(λ + n)) / λ, Sherman–Morrison. */
    double s = 0, lam = info.lambda_used, d = 0;
    for (int i = 0; i < n; i++)
        s += y[i];
    for (int i = 0; i < n; i++)
        d = fmax(d, fabs(x[i] - (y[i] - s / (lam + n)) / lam));
    CHECK(d <= fmax(info.ferr, 1e-12) * 4 * max_abs(x, n),
          "escalated solve = Sherman-Morrison (diff %.3g)", d);
    CHECK_CLOSE(K[0], sqrt(1.0 + lam), 1e-15 * sqrt(1.0 + lam),
                "K holds the Cholesky factor of K + lambda_used I on return");
    CHECK(K[0 + 5 * n] == 1.0 && K[3 + 7 * n] == 1.0,
          "strict upper triangle mirrors K");

    /* The zero matrix: the floor is 1 and the answer y. */
    double Z[4] = {0}, yz[2] = {3, -4}, xz[2];
    CHECK(tkc_spd_solve(Z, 2, 2, 0.0, yz, xz, &info, NULL) == 0, "zero K");
    CHECK(info.lambda_used == 1.0 && xz[0] == 3 && xz[1] == -4,
          "zero K: lambda_used %g, x = (%g, %g)", info.lambda_used, xz[0], xz[1]);

    /* Bad input is refused, not factored. */
    double B[4] = {1, NAN, NAN, 1}, yb[2] = {1, 1}, xb[2];
    CHECK(tkc_spd_solve(B, 2, 2, 0.1, yb, xb, &info, &err) == TKC_EINPUT,
          "NaN entry refused");
    double C[4] = {1, 0, 0, 1};
    CHECK(tkc_spd_solve(C, 2, 2, -1.0, yb, xb, &info, &err) == TKC_EINPUT,
          "negative lambda refused");
    /* An indefinite K (eigenvalues 3, −1) needs ridge > 1: escalation gets
     * there and the answer solves the escalated system. */
    double D[4] = {1, 2, 2, 1}, yd[2] = {1, 0}, xd[2];
    CHECK(tkc_spd_solve(D, 2, 2, 0.0, yd, xd, &info, &err) == 0,
          "indefinite escalates: %s", err.message);
    lam = info.lambda_used;
    double det = (1 + lam) * (1 + lam) - 4;
    CHECK(lam > 1 && fabs(xd[0] - (1 + lam) / det) <= 1e-12 * fabs(xd[0]) &&
              fabs(xd[1] + 2 / det) <= 1e-12 * fabs(xd[1]),
          "indefinite: lambda %g, x = (%g, %g)", lam, xd[0], xd[1]);
}

/* Random SPD K = B Bᵀ / n + λI against LAPACK's dposv on the same system:
 * the same answer to the conditioning, and a residual (in long double) no
 * larger than dposv's or the rounding of the answer itself.  The second
 * call pads the leading dimension with NaN, which must never be read. */
static void test_solve_against_dposv(size_t n)
{
    double lambda = 1e-3;
    size_t lda = n + 3;
    double *K = malloc(n * n * sizeof *K);
    double *Kp = malloc(lda * n * sizeof *Kp), *A = malloc(n * n * sizeof *A);
    double *y = malloc(n * sizeof *y), *x = malloc(n * sizeof *x);
    double *xp = malloc(n * sizeof *xp), *xl = malloc(n * sizeof *xl);
    random_system(n, K, y);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < lda; i++)
            Kp[i + j * lda] = i < n ? K[i + j * n] : NAN;
    memcpy(A, K, n * n * sizeof *A);
    for (size_t i = 0; i < n; i++)
        A[i + i * n] += lambda;
    memcpy(xl, y, n * sizeof *xl);
    CHECK(LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (int)n, 1, A, (int)n, xl,
                        (int)n) == 0, "dposv");
    double *Kc = malloc(n * n * sizeof *Kc);
    memcpy(Kc, K, n * n * sizeof *Kc);
    tkc_spd_solve_info info, infop;
    tkc_error err;
    CHECK(tkc_spd_solve(K, n, n, lambda, y, x, &info, &err) == 0, "solve: %s",
          err.message);
    CHECK(tkc_spd_solve(Kp, n, lda, lambda, y, xp, &infop, &err) == 0,
          "solve with lda %zu: %s", lda, err.message);
    CHECK(!memcmp(x, xp, n * sizeof *x) && info.rcond == infop.rcond,
          "leading dimension %zu (NaN padding) gives the same digits", lda);
    double rel = max_abs_diff(x, xl, n) / max_abs(xl, n);
    CHECK(rel <= 8.0 * (double)n * DBL_EPSILON / info.rcond,
          "vs dposv: rel diff %.3g, bound %.3g", rel,
          8.0 * (double)n * DBL_EPSILON / info.rcond);
    long double r_ours = 0, r_lapack = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        long double ro = -(long double)y[i], rl = ro, s = fabs(y[i]);
        for (size_t j = 0; j < n; j++) {
            long double a = (long double)Kc[i + j * n] + (i == j ? lambda : 0);
            ro += a * x[j];
            rl += a * xl[j];
            s += fabsl(a * x[j]);
        }
        r_ours = fmaxl(r_ours, fabsl(ro));
        r_lapack = fmaxl(r_lapack, fabsl(rl));
        scale = fmaxl(scale, s);
    }
    CHECK(r_ours <= fmaxl(r_lapack, 4 * DBL_EPSILON * scale),
          "refined residual %.3Lg <= dposv's %.3Lg (or eps |K||x| = %.3Lg)",
          r_ours, r_lapack, DBL_EPSILON * scale);
    free(K), free(Kp), free(A), free(y), free(x), free(xp), free(xl);
    free(Kc);
}

/* A rank-2 Gram matrix V Vᵀ (n = 30) at λ = 0, as repeated strings make:
 * singular, so the ridge escalates; the answer is finite and solves the
 * escalated system to its error bound. */
static void test_escalation_rank_deficient(void)
{
    enum { n = 30 };
    double K[n * n], Kc[n * n], y[n], x[n], V[n][2];
    for (int i = 0; i < n; i++) {
        V[i][0] = sin(i + 1.0);
        V[i][1] = cos(0.3 * i);
        y[i] = (i % 5) - 2.0;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            Kc[i + j * n] = K[i + j * n] = V[i][0] * V[j][0] + V[i][1] * V[j][1];
    tkc_spd_solve_info info;
    tkc_error err;
    CHECK(tkc_spd_solve(K, n, n, 0.0, y, x, &info, &err) == 0,
          "rank-deficient solve escalates: %s", err.message);
    CHECK(info.escalations >= 1 && info.lambda_used >= n * DBL_EPSILON,
          "escalated %u times to %g (floor n eps max K_ii)", info.escalations,
          info.lambda_used);
    int finite = 1;
    for (int i = 0; i < n; i++)
        finite &= isfinite(x[i]) != 0;
    CHECK(finite, "no NaN after escalation");
    long double r1 = 0, x1 = 0;
    for (int i = 0; i < n; i++) {
        long double s = -(long double)y[i] + (long double)info.lambda_used * x[i];
        for (int j = 0; j < n; j++)
            s += (long double)Kc[i + j * n] * x[j];
        r1 += fabsl(s);
        x1 += fabsl(x[i]);
    }
    /* ‖r‖₁ ≤ ‖K + λI‖₁ ‖x‖₁ · (a few eps): the backward error is small. */
    CHECK(info.berr <= 16 * DBL_EPSILON, "berr %.3g", info.berr);
    CHECK((double)(r1 / x1) <= 1e-12 * (double)n,
          "escalated system solved: ||r||_1/||x||_1 = %.3g", (double)(r1 / x1));
}

/* A failure gives K back as it came: -1e308 on the diagonal cannot be
 * lifted within 40 tenfold raises before the ridge overflows. */
static void test_failure_restores(void)
{
    double K[4] = {-1e308, 0.5, 0.5, 1}, Kc[4], y[2] = {1, 1}, x[2];
    memcpy(Kc, K, sizeof K);
    tkc_spd_solve_info info;
    tkc_error err;
    CHECK(tkc_spd_solve(K, 2, 2, 0.0, y, x, &info, &err) == TKC_ENUMERIC,
          "hopeless matrix fails with ENUMERIC");
    CHECK(!memcmp(K, Kc, sizeof K), "K given back as it came");
    CHECK(strstr(err.message, "ridge raises") != NULL, "message: %s",
          err.message);
}

/* The smallest eigenvalue against closed forms: the second-difference
 * matrix tridiag(−1, 2, −1) has λ_min = 2 − 2 cos(π/(n+1)); [[1, 2],
 * [2, 1]] has −1.  Only the lower triangle is read. */
static void test_eigenvalue_min(void)
{
    enum { n = 50, lda = 53 };
    double T[lda * n];
    for (int j = 0; j < n; j++)
        for (int i = 0; i < lda; i++)
            T[i + j * lda] = i >= n || i < j ? NAN          /* never read */
                             : i == j ? 2.0 : i == j + 1 ? -1.0 : 0.0;
    double lmin;
    tkc_error err;
    CHECK(tkc_spd_eigenvalue_min(T, n, lda, &lmin, &err) == 0, "eig: %s",
          err.message);
    double exact = 2 - 2 * cos(acos(-1.0) / (n + 1));
    CHECK_CLOSE(lmin, exact, 8 * n * DBL_EPSILON, "tridiag(-1, 2, -1) lambda_min");
    double D[4] = {1, 2, NAN, 1};
    CHECK(tkc_spd_eigenvalue_min(D, 2, 2, &lmin, &err) == 0, "eig 2x2");
    CHECK_CLOSE(lmin, -1.0, 4 * DBL_EPSILON, "indefinite [[1,2],[2,1]]");
    double E[4] = {1, INFINITY, 0, 1};
    CHECK(tkc_spd_eigenvalue_min(E, 2, 2, &lmin, &err) == TKC_EINPUT,
          "non-finite entry refused");
}

int main(void)
{
    test_solve_against_lu(60);
    test_solve_against_lu(600);
    test_solve_against_dposv(7);
    test_solve_against_dposv(257);
    test_solve_hilbert();
    test_identity_interpolates();
    test_escalation();
    test_escalation_rank_deficient();
    test_failure_restores();
    test_eigenvalue_min();
    return check_summary();
}
