/* test_krr.c — kernel ridge regression: the escalating SPD solve against
 * independent computations (explicit LU inverse, the exact inverse of the
 * Hilbert matrix), K̂ assembled through the pattern cache against direct
 * kernel evaluation pair by pair, and the paper's claims on same/different:
 * the MLP kernel cannot tell the templates apart on unseen symbols (exactly),
 * the transformer kernel can. */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/krr.h"

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

/* ---- the solve ---------------------------------------------------------------- */

/* Random SPD K = B Bᵀ / n: the Cholesky solve against x = (K + λI)⁻¹ y with
 * the inverse formed explicitly by LU (dgetrf + dgetri), at two sizes (the
 * vectorized residual's blocks of 4 and its scalar tails). */
static void test_solve_against_lu(size_t n)
{
    double lambda = 0.05;
    double *B = malloc(n * n * sizeof *B), *K = calloc(n * n, sizeof *K);
    double *y = malloc(n * sizeof *y), *x = malloc(n * sizeof *x);
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

    tkc_krr_solve_info info;
    tkc_error err;
    CHECK(tkc_krr_solve(K, n, n, lambda, y, x, &info, &err) == 0, "solve: %s",
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
    free(B), free(K), free(y), free(x), free(A), free(ipiv), free(xref);
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
    tkc_krr_solve_info info;
    CHECK(tkc_krr_solve(K, n, n, 0.0, y, x, &info, NULL) == 0, "Hilbert solve");
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
    tkc_krr_solve_info info;
    CHECK(tkc_krr_solve(K, n, n, 1e-12, y, x, &info, NULL) == 0, "identity");
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
    tkc_krr_solve_info info;
    tkc_error err;
    CHECK(tkc_krr_solve(K, n, n, 0.0, y, x, &info, &err) == 0,
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
    CHECK(tkc_krr_solve(Z, 2, 2, 0.0, yz, xz, &info, NULL) == 0, "zero K");
    CHECK(info.lambda_used == 1.0 && xz[0] == 3 && xz[1] == -4,
          "zero K: lambda_used %g, x = (%g, %g)", info.lambda_used, xz[0], xz[1]);

    /* Bad input is refused, not factored. */
    double B[4] = {1, NAN, NAN, 1}, yb[2] = {1, 1}, xb[2];
    CHECK(tkc_krr_solve(B, 2, 2, 0.1, yb, xb, &info, &err) == TKC_EINPUT,
          "NaN entry refused");
    double C[4] = {1, 0, 0, 1};
    CHECK(tkc_krr_solve(C, 2, 2, -1.0, yb, xb, &info, &err) == TKC_EINPUT,
          "negative lambda refused");
    /* An indefinite K (eigenvalues 3, −1) needs ridge > 1: escalation gets
     * there and the answer solves the escalated system. */
    double D[4] = {1, 2, 2, 1}, yd[2] = {1, 0}, xd[2];
    CHECK(tkc_krr_solve(D, 2, 2, 0.0, yd, xd, &info, &err) == 0,
          "indefinite escalates: %s", err.message);
    lam = info.lambda_used;
    double det = (1 + lam) * (1 + lam) - 4;
    CHECK(lam > 1 && fabs(xd[0] - (1 + lam) / det) <= 1e-12 * fabs(xd[0]) &&
              fabs(xd[1] + 2 / det) <= 1e-12 * fabs(xd[1]),
          "indefinite: lambda %g, x = (%g, %g)", lam, xd[0], xd[1]);
}

/* ---- template tasks ---------------------------------------------------------- */

static tkc_template_set *parse(const char *text)
{
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "test.tpl", &po, &set, &err))
        fprintf(stderr, "parse: %s\n", err.message);
    return set;
}

/* K̂ from the pattern cache equals K evaluated pair by pair. */
static void test_gram_against_direct(const char *kernel_name, size_t alphabet)
{
    tkc_template_set *set = parse("+1 α β α\n-1 α β β\n0.5 α α β\n");
    CHECK(set != NULL, "parse");
    if (!set)
        return;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup(kernel_name);
    tkc_sample *s = NULL;
    tkc_error err;
    size_t n = 40;
    CHECK(tkc_sample_draw(set, n, alphabet, 0, 0.0, 7, &s, &err) == 0,
          "sample: %s", err.message);
    tkc_krr_gram *g = NULL;
    CHECK(tkc_krr_gram_build(set, s, &spec, &g, &err) == 0, "gram: %s",
          err.message);
    if (!g || !s) {
        tkc_sample_free(s);
        tkc_template_set_free(set);
        return;
    }
    double *K = malloc(n * n * sizeof *K);
    CHECK(tkc_krr_gram_fill(g, K, n, &err) == 0, "fill");
    double worst = 0;
    size_t coincident = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) {
            double v, se;
            tkc_error_kind kind;
            const tkc_token *xi = tkc_strings_row(s->strings, i);
            const tkc_token *xj = tkc_strings_row(s->strings, j);
            tkc_kernel_eval(&spec, xi, xj, set->k, &v, &se, &kind, NULL);
            worst = fmax(worst, fabs(v - K[i + j * n]));
            worst = fmax(worst, fabs(v - K[j + i * n]));
            for (size_t a = 0; a < set->k; a++)
                for (size_t b = 0; b < set->k; b++)
                    coincident += i != j && xi[a] == xj[b] &&
                                  xi[a] >= (tkc_token)set->nsymbols;
        }
    /* Closed forms are deterministic: the same pattern gives the same digits. */
    CHECK(worst <= 1e-14, "%s, A = %zu: cache vs direct max diff %.3g",
          kernel_name, alphabet, worst);
    if (alphabet <= 4)
        CHECK(coincident > 0, "small alphabet exercises coincident pairs");

    /* Predictions through the cache (f̂ = Σ_t N(z, t) Σ_{i∈t} α_i) against
     * Σ_i α_i K(x_i, x) evaluated string by string. */
    double alpha[40], pred[25];
    for (size_t i = 0; i < n; i++)
        alpha[i] = sin(1.0 + (double)i);
    tkc_sample *t = NULL;
    CHECK(tkc_sample_draw(set, 25, alphabet, 1, 0.0, 8, &t, &err) == 0,
          "test sample");
    CHECK(tkc_krr_predict(g, alpha, t, pred, &err) == 0, "predict: %s",
          err.message);
    double pworst = 0;
    for (size_t j = 0; j < 25; j++) {
        double f = 0;
        for (size_t i = 0; i < n; i++) {
            double v, se;
            tkc_error_kind kind;
            tkc_kernel_eval(&spec, tkc_strings_row(s->strings, i),
                            tkc_strings_row(t->strings, j), set->k, &v, &se,
                            &kind, NULL);
            f += alpha[i] * v;
        }
        pworst = fmax(pworst, fabs(f - pred[j]));
    }
    CHECK(pworst <= 1e-13, "%s: predict vs direct sum, max diff %.3g",
          kernel_name, pworst);
    /* Strings that reuse training symbols are refused, not mispredicted. */
    CHECK(tkc_krr_predict(g, alpha, s, pred, &err) == TKC_EINPUT,
          "predict refuses seen symbols");
    tkc_sample_free(t);
    free(K);
    tkc_krr_gram_free(g);
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

static tkc_krr_result *fit(const tkc_template_set *set, const char *kernel,
                           size_t n, double lambda, double noise)
{
    tkc_krr_options opt;
    tkc_krr_options_default(&opt);
    opt.kernel.kernel = tkc_kernel_type_lookup(kernel);
    opt.n = n;
    opt.test_n = 200;
    opt.alphabet = 500;
    opt.lambda = lambda;
    opt.noise = noise;
    /* β = 4, γ = 2, b1 = 1/2: a well-conditioned N for same/different
     * (‖N⁻¹‖ ≈ 280 against ≈ 3700 at the defaults), so n = 200 suffices. */
    opt.kernel.samples = 1 << 14;
    opt.kernel.estimator = tkc_attn_estimator_lookup("mc");
    opt.kernel.beta = 4;
    opt.kernel.gamma = 2;
    opt.kernel.b1 = 0.5;
    tkc_krr_result *r = NULL;
    tkc_error err;
    CHECK(tkc_krr_fit(set, &opt, &r, &err) == 0, "fit %s: %s", kernel,
          err.message);
    return r;
}

/* MLP kernel on same/different: N has equal rows, so both templates get the
 * same prediction on unseen symbols, and the test error is the label variance
 * plus (prediction − mean label)², exactly. */
static void test_same_different(void)
{
    tkc_template_set *set = parse("+1 α α\n-1 α β\n");
    CHECK(set != NULL, "parse same/different");
    if (!set)
        return;
    tkc_krr_result *r = fit(set, "mlp", 150, 1e-3, 0.0);
    if (r) {
        double p0 = r->template_prediction[0], p1 = r->template_prediction[1];
        CHECK(fabs(p0 - p1) <= 1e-12 * (1 + fabs(p0)),
              "MLP: same prediction for both templates (%.17g, %.17g)", p0, p1);
        CHECK_CLOSE(r->label_variance, 1.0, 1e-15, "label variance of +-1");
        double expect = r->label_variance + (p0 - r->label_mean) * (p0 - r->label_mean);
        CHECK_CLOSE(r->test_mse_population, expect, 1e-12,
                    "MLP test MSE = variance + bias^2");
        CHECK(r->test_mse_population >= r->label_variance - 1e-12,
              "MLP test MSE %g at least the label variance",
              r->test_mse_population);
        /* The sampled test MSE is the same constant error, template by
         * template, weighted by the test counts. */
        double m = (double)(r->template_test_count[0] + r->template_test_count[1]);
        double sampled = (r->template_test_count[0] * (p0 - 1) * (p0 - 1) +
                          r->template_test_count[1] * (p1 + 1) * (p1 + 1)) / m;
        CHECK_CLOSE(r->test_mse, sampled, 1e-12, "MLP sampled test MSE");
        CHECK(r->train_mse < 1e-3, "MLP fits its training set (%g)",
              r->train_mse);
        CHECK(isinf(r->nmatrix_inv_norm),
              "MLP: N = kappa(1) 1 1^T is singular to rounding (sigma_min %g)",
              r->nmatrix_sigma_min);
        tkc_krr_result_free(r);
    }
    r = fit(set, "trans", 200, 1e-3, 0.0);
    if (r) {
        CHECK(r->test_mse < 0.1 * r->label_variance,
              "transformer generalizes: test MSE %g << variance %g", r->test_mse,
              r->label_variance);
        CHECK(r->kernel_error_kind == TKC_ERROR_STATISTICAL ||
                  r->kernel_error_kind == TKC_ERROR_ROUNDING ||
                  r->kernel_error_kind == TKC_ERROR_TRUNCATION,
              "kernel error kind reported");
        CHECK(r->rho == 250.0, "rho = A / max w = 500/2, got %g", r->rho);
        CHECK(isfinite(r->nmatrix_inv_norm) && r->nmatrix_resolved &&
                  r->nmatrix_eig_min > 0,
              "transformer: N positive definite beyond the entries' errors "
              "(sigma_min %g, se %g)", r->nmatrix_sigma_min, r->kernel_se_max);
        CHECK(r->template_train_count[0] + r->template_train_count[1] == 200,
              "train counts");
        tkc_krr_result_free(r);
    }
    tkc_template_set_free(set);
}

static void test_refusals(void)
{
    tkc_template_set *set = parse("α β γ α\nα α β β\n");
    if (!set || !set->symbolic_labels) {
        tkc_template_set_free(set);
        set = parse("α α β α\nα β α β\n");
    }
    if (set && set->symbolic_labels) {
        tkc_krr_options opt;
        tkc_krr_options_default(&opt);
        tkc_krr_result *r = NULL;
        tkc_error err;
        CHECK(tkc_krr_fit(set, &opt, &r, &err) == TKC_EINPUT && r == NULL,
              "symbolic labels refused");
        CHECK(strstr(err.message, "real labels") != NULL, "message: %s",
              err.message);
    }
    tkc_template_set_free(set);
}

int main(void)
{
    test_solve_against_lu(60);
    test_solve_against_lu(600);
    test_solve_hilbert();
    test_identity_interpolates();
    test_escalation();
    test_gram_against_direct("mlp", 1000);
    test_gram_against_direct("mlp", 3);
    test_gram_against_direct("mlpxx", 3);
    test_same_different();
    test_refusals();
    return check_summary();
}
