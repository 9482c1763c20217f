/* test_attn.c — the generative form and the Monte Carlo estimator of K_attn,
 * checked against independent values: a dense one-hot evaluation of the
 * integrand, the exact β = 0 and k = 1 values, the β-series of aC/bC,
 * Gauss–Hermite product quadrature for k = 2 pairs, and identities
 * (evenness, symmetry, relabelling); error bars are checked for calibration
 * over many seeds, and the results for independence of the thread count. */
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "attn.h"
#include "attn_spec.h"
#include "tkc/kernel.h"
#include "rng.h"

/* ---- helpers ------------------------------------------------------------- */

static tkc_strings *strings2(const char *x, const char *y)
{
    size_t k = strlen(x);
    tkc_strings *S = tkc_strings_alloc(2, k, NULL);
    for (size_t a = 0; a < k; a++) {
        tkc_strings_row(S, 0)[a] = (unsigned char)x[a];
        tkc_strings_row(S, 1)[a] = (unsigned char)y[a];
    }
    return S;
}

static void spec_mc(tkc_kernel_spec *spec, double beta, double gamma,
                    uint64_t samples, uint64_t seed)
{
    spec_attn(spec, tkc_attn_mc, beta, gamma);
    spec->mc.samples = samples;
    spec->seed = seed;
}

/* MC estimate of K_attn(x, y) straight from the estimator (no cache). */
static int mc_pair(const tkc_kernel_spec *spec, const char *x, const char *y,
                   double *value, double *se)
{
    tkc_strings *S = strings2(x, y);
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_error err;
    int rc = spec->estimator->eval_pairs(spec, S, &p, 1, v, &err);
    if (rc)
        fprintf(stderr, "mc_pair: %s\n", err.message);
    *value = v->value[0];
    *se = v->se[0];
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
    return rc;
}

/* Dense reference integrand: one-hot matrices, naive softmax. */
static double dense_integrand(const char *x, const char *y, double beta,
                              double gamma, const double *zeta_of_char,
                              const double *p)
{
    size_t k = strlen(x);
    double u[64], v[64], su[64], sv[64], nu = 0, nv = 0, f = 0;
    for (size_t a = 0; a < k; a++) {
        u[a] = zeta_of_char[(unsigned char)x[a]] + gamma * p[a];
        v[a] = zeta_of_char[(unsigned char)y[a]] + gamma * p[a];
        nu += su[a] = exp(beta * u[a]);
        nv += sv[a] = exp(beta * v[a]);
    }
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            f += su[a] / nu * sv[b] / nv *
                 ((x[a] == y[b]) + (a == b ? gamma * gamma : 0.0));
    return f;
}

/* ---- the integrand ------------------------------------------------------- */

static void test_exp(void)
{
    /* the integrand's exp against libm over its whole domain [-708, 0] */
    double worst = 0;
    tkc_rng r;
    tkc_rng_stream(&r, 3, TKC_RNG_MC, 0);
    for (int i = 0; i < 200000; i++) {
        double x = i < 100000 ? -708.0 * i / 100000.0
                              : -40.0 * tkc_rng_uniform(&r);
        double rel = fabs(tkc_exp_nonpos(x) - exp(x)) / exp(x);
        worst = rel > worst ? rel : worst;
    }
    CHECK(worst < 1e-15, "exp: worst relative error %g", worst);
    CHECK(tkc_exp_nonpos(0.0) == 1.0, "exp(0) = 1 exactly");
    CHECK(tkc_exp_nonpos(-1e6) == tkc_exp_nonpos(-708.0) &&
              tkc_exp_nonpos(-708.0) > 0,
          "arguments below -708 are floored at exp(-708)");
}

static void test_integrand(void)
{
    const char *xs[] = {"abcab", "aCbCa", "xyzzy"};
    const char *ys[] = {"bcaab", "bCaCx", "zzyxw"};
    double beta = 1.3, gamma = 0.7;
    tkc_strings *S = tkc_strings_alloc(6, 5, NULL);
    tkc_pair pairs[6];
    for (int i = 0; i < 3; i++) {
        for (int a = 0; a < 5; a++) {
            tkc_strings_row(S, 2 * i)[a] = (unsigned char)xs[i][a];
            tkc_strings_row(S, 2 * i + 1)[a] = (unsigned char)ys[i][a];
        }
        pairs[i] = (tkc_pair){2 * i, 2 * i + 1};
    }
    pairs[3] = (tkc_pair){0, 0};   /* self terms */
    pairs[4] = (tkc_pair){3, 3};
    pairs[5] = (tkc_pair){1, 4};   /* across pairs */
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, pairs, 6, beta, gamma, NULL);
    tkc_attn_work *w = tkc_attn_work_alloc(L, NULL);
    /* tokens in order of first appearance along the pairs */
    const char *order = "abcCxyzw";
    size_t dim = tkc_attn_layout_dim(L);
    CHECK(dim == 5 + strlen(order), "dimension %zu", dim);
    tkc_ziggurat zg;
    tkc_ziggurat_init(&zg);
    tkc_rng r;
    tkc_rng_stream(&r, 5, TKC_RNG_MC, 0);
    double maxerr = 0;
    for (int t = 0; t < 50; t++) {
        double z[32], zm[32], zeta[256] = {0}, pm[5], zetam[256] = {0};
        double f[6], fp[6], fm[6], fneg[6];
        for (size_t d = 0; d < dim; d++) {
            z[d] = 3 * tkc_rng_normal(&zg, &r);
            zm[d] = -z[d];
        }
        for (size_t j = 0; order[j]; j++) {
            zeta[(unsigned char)order[j]] = z[5 + j];
            zetam[(unsigned char)order[j]] = -z[5 + j];
        }
        for (int a = 0; a < 5; a++)
            pm[a] = -z[a];
        tkc_attn_integrand(L, w, z, f);
        tkc_attn_integrand(L, w, zm, fneg);
        tkc_attn_integrand_antithetic(L, w, z, fp, fm);
        const char *X[6] = {xs[0], xs[1], xs[2], xs[0], ys[1], ys[0]};
        const char *Y[6] = {ys[0], ys[1], ys[2], xs[0], ys[1], xs[2]};
        for (int i = 0; i < 6; i++) {
            double ref = dense_integrand(X[i], Y[i], beta, gamma, zeta, z);
            double refm = dense_integrand(X[i], Y[i], beta, gamma, zetam, pm);
            double e = fmax(fmax(fabs(f[i] - ref), fabs(fp[i] - ref)),
                            fmax(fabs(fneg[i] - refm), fabs(fm[i] - refm)));
            maxerr = fmax(maxerr, e);
        }
    }
    CHECK(maxerr < 1e-13, "integrand vs dense one-hot formula: max error %g",
          maxerr);

    /* a batch gives the numbers of single calls */
    size_t rows = tkc_attn_work_batch(w);
    CHECK(rows >= 1, "batch rows %zu", rows);
    enum { NB = 5 };
    double Z[NB * 32], bp[NB * 6], bm[NB * 6], fp1[6], fm1[6], berr = 0;
    for (size_t d = 0; d < NB * dim; d++)
        Z[d] = 2 * tkc_rng_normal(&zg, &r);
    size_t nb = rows < NB ? rows : NB;
    tkc_attn_integrand_antithetic_batch(L, w, nb, Z, bp, bm);
    for (size_t i = 0; i < nb; i++) {
        tkc_attn_integrand_antithetic(L, w, Z + i * dim, fp1, fm1);
        for (int j = 0; j < 6; j++)
            berr = fmax(berr, fmax(fabs(bp[i * 6 + j] - fp1[j]),
                                   fabs(bm[i * 6 + j] - fm1[j])));
    }
    CHECK(berr < 1e-15, "batch vs single draws: %g", berr);

    /* large β: the max-shifted softmax stays finite where exp overflows */
    tkc_attn_layout *Lb = tkc_attn_layout_alloc(S, pairs, 6, 900.0, gamma, NULL);
    double z[32], fp[6], fm[6];
    for (size_t d = 0; d < dim; d++)
        z[d] = (d % 3 == 0 ? 2.5 : -1.7) + 0.1 * (double)d;
    tkc_attn_integrand_antithetic(Lb, w, z, fp, fm);
    int finite = 1;
    for (int i = 0; i < 6; i++)
        finite &= isfinite(fp[i]) && isfinite(fm[i]) && fp[i] >= 0 &&
                  fp[i] <= 1 + gamma * gamma + 1e-12;
    CHECK(finite, "integrand finite and in [0, 1 + γ²] at β = 900");
    /* β = 0: the integrand is the exact value at every draw */
    tkc_attn_layout *L0 = tkc_attn_layout_alloc(S, pairs, 6, 0.0, gamma, NULL);
    double f0[6];
    tkc_attn_integrand(L0, w, z, f0);
    double e0 = 0;
    for (int i = 0; i < 6; i++)
        e0 = fmax(e0, fabs(f0[i] - tkc_attn_layout_beta0(L0, i)));
    CHECK(e0 < 1e-15, "β = 0 integrand equals the closed form (%g)", e0);
    CHECK_CLOSE(tkc_attn_layout_beta0(L0, 0), 9.0 / 25 + gamma * gamma / 5,
                1e-15, "β = 0 value of abcab/bcaab: 9/25 + γ²/5");
    tkc_attn_layout_free(L0);
    tkc_attn_layout_free(Lb);
    tkc_attn_work_free(w);
    tkc_attn_layout_free(L);
    tkc_strings_free(S);
}

/* ---- exact cases ----------------------------------------------------------- */

static void test_exact_cases(void)
{
    tkc_kernel_spec spec;
    double v, se;
    spec_mc(&spec, 2.0, 0.6, 1000, 1);
    CHECK(!mc_pair(&spec, "a", "a", &v, &se), "k = 1");
    CHECK_CLOSE(v, 1 + 0.36, 1e-15, "k = 1, x = y: 1 + γ²");
    CHECK(!mc_pair(&spec, "a", "b", &v, &se), "k = 1");
    CHECK_CLOSE(v, 0.36, 1e-15, "k = 1, x ≠ y: γ²");
    spec.beta = 0;
    CHECK(!mc_pair(&spec, "abca", "cabb", &v, &se), "β = 0");
    CHECK_CLOSE(v, 5.0 / 16 + 0.36 / 4, 1e-15, "β = 0: matches/k² + γ²/k");
    /* k = 1 with β ≠ 0 through the sampling path: the integrand is constant */
    tkc_strings *S = strings2("aab", "abb");
    tkc_pair p = {0, 0};
    spec.beta = 1.0;
    spec.gamma = 0.0;
    tkc_kernel_values *vals = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_strings_row(S, 0)[1] = 'a';
    tkc_strings_row(S, 0)[2] = 'a';
    CHECK(!tkc_attn_mc->eval_pairs(&spec, S, &p, 1, vals, NULL), "aaa");
    CHECK_CLOSE(vals->value[0], 1.0, 1e-14, "K(aaa, aaa) at γ = 0 is 1");
    CHECK(vals->se[0] < 1e-14, "and its error is 0");
    tkc_kernel_values_free(vals);
    tkc_strings_free(S);
}

/* ---- against the β-series of aC/bC ------------------------------------------ */

static void test_series(void)
{
    /* x = aC, y = bC, γ² = 1/4: 3/8 + 9/64 β² − 45/256 β⁴ + 1179/4096 β⁶ −
     * 9705/16384 β⁸; at β = 0.2 the next term is ~1e-7, far below the SE. */
    double b = 0.2, b2 = b * b;
    double series = 3.0 / 8 + b2 * (9.0 / 64 + b2 * (-45.0 / 256 +
                    b2 * (1179.0 / 4096 - b2 * 9705.0 / 16384)));
    tkc_kernel_spec spec;
    double v, se;
    spec_mc(&spec, b, 0.5, 1 << 18, 11);
    CHECK(!mc_pair(&spec, "aC", "bC", &v, &se), "series pair");
    CHECK(se > 0 && se < 1e-4, "se %g", se);
    CHECK_WITHIN_SE(v, series, sqrt(se * se + 1e-14), 4.0, "MC vs β-series at β = 0.2");
}

/* ---- Gauss–Hermite product quadrature for k = 2 pairs ----------------------- */

/* E[f(Z)] over Z ~ N(0, I_dim) with an n-point rule per coordinate. */
static double gauss_hermite(const tkc_attn_layout *L, tkc_attn_work *w,
                            size_t n)
{
    gsl_integration_fixed_workspace *q =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0, 1, 0, 0);
    CHECK(q != NULL, "GSL Hermite rule");
    if (!q)
        return NAN;
    const double *node = gsl_integration_fixed_nodes(q);
    const double *wt = gsl_integration_fixed_weights(q);
    size_t dim = tkc_attn_layout_dim(L), idx[16] = {0};
    double z[16], sum = 0, f;
    for (;;) {
        double weight = 1;
        for (size_t d = 0; d < dim; d++) {
            z[d] = M_SQRT2 * node[idx[d]];
            weight *= wt[idx[d]] / sqrt(M_PI);
        }
        tkc_attn_integrand(L, w, z, &f);
        sum += weight * f;
        size_t d = 0;
        while (d < dim && ++idx[d] == n)
            idx[d++] = 0;
        if (d == dim)
            break;
    }
    gsl_integration_fixed_free(q);
    return sum;
}

static double gh_truth(const char *x, const char *y, double beta, double gamma,
                       size_t n, double *quad_err)
{
    tkc_strings *S = strings2(x, y);
    tkc_pair p = {0, 1};
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, &p, 1, beta, gamma, NULL);
    tkc_attn_work *w = tkc_attn_work_alloc(L, NULL);
    double hi = gauss_hermite(L, w, n), lo = gauss_hermite(L, w, n - 4);
    *quad_err = fabs(hi - lo);
    tkc_attn_work_free(w);
    tkc_attn_layout_free(L);
    tkc_strings_free(S);
    return hi;
}

static void test_quadrature(void)
{
    struct { const char *x, *y; double beta, gamma; size_t n; } c[] = {
        {"ab", "ba", 1.0, 0.5, 20},
        {"aC", "bC", 1.0, 0.5, 14},
        {"ab", "ab", 1.5, 0.8, 20},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double qerr, truth = gh_truth(c[i].x, c[i].y, c[i].beta, c[i].gamma,
                                      c[i].n, &qerr);
        tkc_kernel_spec spec;
        double v, se;
        spec_mc(&spec, c[i].beta, c[i].gamma, 1 << 17, 100 + i);
        CHECK(!mc_pair(&spec, c[i].x, c[i].y, &v, &se), "pair");
        CHECK(qerr < 0.1 * se, "quadrature converged: %g vs se %g", qerr, se);
        char what[80];
        snprintf(what, sizeof what, "MC vs Gauss-Hermite, %s/%s beta=%g",
                 c[i].x, c[i].y, c[i].beta);
        CHECK_WITHIN_SE(v, truth, se, 4.0, what);
    }
}

/* ---- calibration: z-scores over 200 seeds ----------------------------------- */

static void test_calibration(void)
{
    double qerr, truth = gh_truth("ab", "ba", 1.0, 0.5, 20, &qerr);
    enum { SEEDS = 200 };
    double s1 = 0, s2 = 0;
    for (int s = 0; s < SEEDS; s++) {
        tkc_kernel_spec spec;
        double v, se;
        spec_mc(&spec, 1.0, 0.5, 1000, 7000 + (uint64_t)s);
        mc_pair(&spec, "ab", "ba", &v, &se);
        double z = (v - truth) / se;
        s1 += z;
        s2 += z * z;
    }
    double mean = s1 / SEEDS, var = s2 / SEEDS - mean * mean;
    /* mean of 200 N(0,1): sd 0.071; sample variance: sd 0.1 */
    printf("MC z-scores over %d seeds: mean %.3f, variance %.3f\n", SEEDS, mean, var);
    CHECK(fabs(mean) < 0.3, "z-score mean %g", mean);
    CHECK(var > 0.65 && var < 1.4, "z-score variance %g", var);
}

/* ---- identities ------------------------------------------------------------- */

static void test_identities(void)
{
    tkc_kernel_spec spec;
    double v1, s1, v2, s2;
    /* β → -β maps the antithetic pair onto itself: equal up to rounding */
    spec_mc(&spec, 1.2, 0.9, 20000, 3);
    mc_pair(&spec, "abcab", "cabdd", &v1, &s1);
    spec.beta = -1.2;
    mc_pair(&spec, "abcab", "cabdd", &v2, &s2);
    CHECK_CLOSE(v1, v2, 1e-13, "even in β, same seed");
    /* γ → -γ: statistically */
    spec_mc(&spec, 1.2, 0.9, 1 << 16, 4);
    mc_pair(&spec, "abcab", "cabdd", &v1, &s1);
    spec.gamma = -0.9;
    spec.seed = 5;
    mc_pair(&spec, "abcab", "cabdd", &v2, &s2);
    CHECK_WITHIN_SE(v1, v2, hypot(s1, s2), 4.0, "even in γ");
    /* symmetry and relabelling, estimator called directly */
    spec.gamma = 0.9;
    spec.seed = 6;
    mc_pair(&spec, "cabdd", "abcab", &v2, &s2);
    CHECK_WITHIN_SE(v1, v2, hypot(s1, s2), 4.0, "K(x, y) = K(y, x)");
    spec.seed = 8;
    mc_pair(&spec, "qrsqr", "sqrtt", &v2, &s2);
    CHECK_WITHIN_SE(v1, v2, hypot(s1, s2), 4.0, "invariant under relabelling");
    /* through the kernel layer (cache by unordered pattern): exact */
    tkc_strings *S = tkc_strings_alloc(4, 5, NULL);
    const char *w[4] = {"abcab", "cabdd", "qrsqr", "sqrtt"};
    for (int i = 0; i < 4; i++)
        for (int a = 0; a < 5; a++)
            tkc_strings_row(S, i)[a] = (unsigned char)w[i][a];
    tkc_pair pairs[3] = {{0, 1}, {1, 0}, {3, 2}};
    tkc_kernel_values *v = tkc_kernel_values_alloc(3, 1, NULL);
    CHECK(!tkc_kernel_eval_pairs(&spec, S, pairs, 3, v, NULL), "eval pairs");
    CHECK(v->value[0] == v->value[1] && v->value[0] == v->value[2] &&
              v->se[0] == v->se[2] && v->cov[1] == v->cov[0],
          "kernel layer: symmetric and relabelling-invariant exactly");
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
}

/* ---- thread independence ---------------------------------------------------- */

static void test_threads(void)
{
    tkc_strings *S = tkc_strings_alloc(3, 4, NULL);
    const char *w[3] = {"abca", "bbcd", "dcxa"};
    for (int i = 0; i < 3; i++)
        for (int a = 0; a < 4; a++)
            tkc_strings_row(S, i)[a] = (unsigned char)w[i][a];
    tkc_pair pairs[5] = {{0, 1}, {0, 2}, {1, 2}, {0, 0}, {2, 2}};
    tkc_kernel_spec spec;
    spec_mc(&spec, 1.0, 1.0, 40000 + 1234, 77);
    tkc_kernel_values *v[3];
    for (unsigned t = 0; t < 3; t++) {
        spec.threads = t + 1;
        v[t] = tkc_kernel_values_alloc(5, 1, NULL);
        CHECK(!tkc_attn_mc->eval_pairs(&spec, S, pairs, 5, v[t], NULL),
              "threads %u", t + 1);
    }
    for (unsigned t = 1; t < 3; t++)
        CHECK(!memcmp(v[0]->value, v[t]->value, 5 * sizeof(double)) &&
                  !memcmp(v[0]->se, v[t]->se, 5 * sizeof(double)) &&
                  !memcmp(v[0]->cov, v[t]->cov, 25 * sizeof(double)),
              "same digits with %u threads as with 1", t + 1);
    CHECK(v[0]->samples == 40000 + 1234, "samples %llu",
          (unsigned long long)v[0]->samples);
    for (unsigned t = 0; t < 3; t++)
        tkc_kernel_values_free(v[t]);
    tkc_strings_free(S);
}

/* ---- covariance: predicted vs observed spread of differences ---------------- */

static void test_covariance(void)
{
    /* entries K(x,y), K(x,x), K(y,y) on common random numbers; the variance
     * of A + B - 2C (what K_trans-like combinations need) predicted from the
     * covariance must match its spread over seeds. */
    tkc_strings *S = strings2("abcd", "abdd");
    tkc_pair pairs[3] = {{0, 0}, {1, 1}, {0, 1}};
    enum { SEEDS = 150 };
    double c[3] = {1, 1, -2}, s1 = 0, s2 = 0, pred = 0;
    int psd = 1;
    for (int s = 0; s < SEEDS; s++) {
        tkc_kernel_spec spec;
        spec_mc(&spec, 1.5, 0.5, 2000, 900 + (uint64_t)s);
        tkc_kernel_values *v = tkc_kernel_values_alloc(3, 1, NULL);
        tkc_attn_mc->eval_pairs(&spec, S, pairs, 3, v, NULL);
        double comb = 0, var = 0;
        for (int i = 0; i < 3; i++) {
            comb += c[i] * v->value[i];
            for (int j = 0; j < 3; j++) {
                var += c[i] * c[j] * v->cov[3 * i + j];
                if (fabs(v->cov[3 * i + j]) >
                    sqrt(v->cov[4 * i] * v->cov[4 * j]) * (1 + 1e-12))
                    psd = 0;
            }
        }
        s1 += comb;
        s2 += comb * comb;
        pred += var;
        tkc_kernel_values_free(v);
    }
    double mean = s1 / SEEDS, obs = (s2 / SEEDS - mean * mean) * SEEDS / (SEEDS - 1);
    pred /= SEEDS;
    CHECK(psd, "correlations within [-1, 1]");
    /* sample variance of 150 normals: relative sd ~0.12 */
    printf("var(A + B - 2C): observed %g, predicted %g\n", obs, pred);
    CHECK(obs > 0.6 * pred && obs < 1.5 * pred,
          "var(A + B - 2C): observed %g, predicted from covariance %g", obs, pred);
    tkc_strings_free(S);
}

/* ---- the pattern cache: no pattern estimated twice -------------------------- */

static size_t counted_calls, counted_pairs;
static const tkc_strings *counted_S;
static int counting_eval(const tkc_kernel_spec *spec, const tkc_strings *S,
                         const tkc_pair *pairs, size_t npairs,
                         tkc_kernel_values *out, tkc_error *err)
{
    counted_calls++;
    counted_pairs += npairs;
    counted_S = S;
    return tkc_attn_mc->eval_pairs(spec, S, pairs, npairs, out, err);
}
static tkc_attn_estimator_type counting = {"count", "test", counting_eval,
                                           NULL, NULL, NULL, NULL};

static void test_cache(void)
{
    /* all 16 ordered pairs of 4 strings: patterns (x,x) ×1 (all four
     * strings here share one self pattern), and the unordered cross pairs */
    tkc_strings *S = tkc_strings_alloc(4, 3, NULL);
    const char *w[4] = {"abc", "bcd", "xyz", "yzw"};   /* 0~2, 1~3 relabelled */
    for (int i = 0; i < 4; i++)
        for (int a = 0; a < 3; a++)
            tkc_strings_row(S, i)[a] = (unsigned char)w[i][a];
    tkc_pair pairs[16];
    for (int i = 0; i < 16; i++)
        pairs[i] = (tkc_pair){(size_t)i / 4, (size_t)i % 4};
    tkc_kernel_spec spec;
    spec_mc(&spec, 1.0, 1.0, 5000, 1);
    counting.check_options = tkc_attn_mc->check_options;
    spec.estimator = &counting;
    tkc_kernel_values *v = tkc_kernel_values_alloc(16, 0, NULL);
    CHECK(!tkc_kernel_eval_pairs(&spec, S, pairs, 16, v, NULL), "eval");
    /* distinct unordered patterns: self (abc,abc); (abc,bcd) ~ (xyz,yzw);
     * disjoint (abc,xyz) ~ (abc,yzw) ~ (bcd,xyz) ~ (bcd,yzw); (bcd,abc)
     * unordered = (abc,bcd).  So 3. */
    CHECK(counted_calls == 1 && counted_pairs == 3,
          "one call on 3 distinct patterns, got %zu calls, %zu pairs",
          counted_calls, counted_pairs);
    CHECK(counted_S == S, "the estimator sees the original strings");
    CHECK(v->value[1] == v->value[4] && v->value[1] == v->value[11] &&
              v->value[2] == v->value[7] && v->value[0] == v->value[15],
          "duplicates copied");
    CHECK(v->value[2] > 0 && v->value[2] < v->value[1],
          "disjoint pair smaller than overlapping pair");
    CHECK(!strcmp(v->estimator, "mc") && v->error_kind == TKC_ERROR_STATISTICAL,
          "estimator and error kind reported");
    /* the whole list relabelled (t -> 1000 - 3t) gives the same digits:
     * estimators number tokens by first appearance */
    tkc_strings *R = tkc_strings_alloc(4, 3, NULL);
    for (size_t j = 0; j < 12; j++)
        R->tok[j] = 1000 - 3 * S->tok[j];
    tkc_kernel_values *vr = tkc_kernel_values_alloc(16, 1, NULL);
    tkc_kernel_values *v2 = tkc_kernel_values_alloc(16, 1, NULL);
    spec.estimator = tkc_attn_mc;
    CHECK(!tkc_kernel_eval_pairs(&spec, S, pairs, 16, v2, NULL) &&
              !tkc_kernel_eval_pairs(&spec, R, pairs, 16, vr, NULL),
          "eval");
    CHECK(!memcmp(v2->value, vr->value, 16 * sizeof(double)) &&
              !memcmp(v2->cov, vr->cov, 256 * sizeof(double)),
          "relabelled list: same digits");
    tkc_kernel_values_free(vr);
    tkc_kernel_values_free(v2);
    tkc_strings_free(R);
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
}

/* ---- bad input ---------------------------------------------------------------- */

static void test_bad_input(void)
{
    tkc_kernel_spec spec;
    tkc_error err;
    spec_mc(&spec, NAN, 1, 1000, 1);
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "beta"),
          "NaN beta named: %s", err.message);
    spec_mc(&spec, 1, 1, 0, 1);
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "samples"),
          "zero samples named: %s", err.message);
    spec_mc(&spec, 1, 1, 1000, 1);
    spec.threads = 0;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "threads"),
          "zero threads named: %s", err.message);
    spec.threads = 1;
    /* each estimator checks its own options, and only its own */
    spec.series.order = 5;
    spec.cvmc.order = 3;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_SUCCESS,
          "mc does not read the series' or cvmc's options");
    spec.estimator = tkc_attn_series;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "order") && strstr(err.message, "even"),
          "odd series order refused, not rounded: %s", err.message);
    spec.series.order = 40;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT,
          "series order above 38 refused");
    spec.series.order = 38;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_SUCCESS,
          "series order 38 accepted");
    spec.estimator = tkc_attn_cvmc;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "order"),
          "cvmc control order 3 refused: %s", err.message);
    spec.cvmc.order = 4;
    spec.estimator = tkc_attn_qmc;
    spec.qmc.points = ((uint64_t)1 << 30) + 1;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "points"),
          "qmc points above 2^30 named: %s", err.message);
    spec.qmc.points = 1024;
    spec.estimator = tkc_attn_auto;
    spec.automatic.target_se = 0;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "target_se"),
          "auto target 0 named: %s", err.message);
    spec.automatic.target_se = 1e-3;
    spec.qmc.replicates = 1;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "replicates"),
          "auto checks its QMC candidate's replicates: %s", err.message);
    spec.qmc.replicates = 16;
    spec.kernel = tkc_kernel_mlp;
    spec.automatic.target_se = -1;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_SUCCESS,
          "a kernel not built on K_attn reads no estimator options");
    spec_mc(&spec, 1, 1, 1000, 1);
    tkc_strings *S = strings2("ab", "ba");
    tkc_pair p = {0, 2};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    v->value[0] = 123;
    CHECK(tkc_kernel_eval_pairs(&spec, S, &p, 1, v, &err) == TKC_EINPUT &&
              strstr(err.message, "pair 0"),
          "out-of-range pair named: %s", err.message);
    CHECK(tkc_attn_mc->eval_pairs(&spec, S, &p, 1, v, &err) == TKC_EINPUT,
          "estimator checks pairs too");
    CHECK(v->value[0] == 123, "nothing half-done");
    p.y = 1;
    spec.mc.samples = 3;
    CHECK(tkc_attn_mc->eval_pairs(&spec, S, &p, 1, v, &err) == TKC_EINPUT &&
              strstr(err.message, "samples"),
          "too few samples refused: %s", err.message);
    CHECK(tkc_kernel_values_alloc((size_t)1 << 20, 1, &err) == NULL &&
              err.status == TKC_ENOMEM,
          "absurd covariance refused");
    CHECK(!strcmp(tkc_error_kind_name(TKC_ERROR_STATISTICAL), "statistical"),
          "error kind name");
    CHECK(tkc_kernel_type_lookup("attn") == tkc_kernel_attn &&
              tkc_kernel_type_lookup("nonesuch") == NULL &&
              tkc_attn_estimator_lookup("mc") == tkc_attn_mc,
          "lookups");
    double val, se;
    tkc_error_kind kind;
    spec.mc.samples = 1000;
    tkc_token x[2] = {1, 2}, y[2] = {2, 1};
    CHECK(!tkc_kernel_eval(&spec, x, y, 2, &val, &se, &kind, &err) &&
              kind == TKC_ERROR_STATISTICAL && se > 0 && val > 0,
          "tkc_kernel_eval");
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
}

/* ---- what auto-refine reads: sample sizes and how they scale ----------------- */

static void test_sample_sizes(void)
{
    tkc_kernel_spec s, t, floor;
    tkc_kernel_spec_default(&s);
    s.mc.samples = 1001;
    s.cvmc.samples = 1000;
    s.qmc.points = 100;
    s.qmc.replicates = 8;
    s.automatic.max_evals = 5000;
    s.automatic.target_se = 1e-3;
    CHECK(tkc_attn_mc->evaluations(&s) == 1002 &&
              tkc_attn_cvmc->evaluations(&s) == 1000 &&
              tkc_attn_qmc->evaluations(&s) == 2 * 100 * 8 &&
              tkc_attn_auto->evaluations(&s) == 5000,
          "evaluations in integrand values (antithetic pairs, replicates)");
    const tkc_attn_estimator_type *const sampling[] = {
        tkc_attn_mc, tkc_attn_qmc, tkc_attn_cvmc, tkc_attn_auto};
    for (int e = 0; e < 4; e++) {
        t = s;
        sampling[e]->scale(&t, 4);
        CHECK(sampling[e]->evaluations(&t) == 4 * sampling[e]->evaluations(&s),
              "%s: scale 4 -> 4x the evaluations", sampling[e]->name);
        CHECK(!sampling[e]->check_options(&t, NULL), "%s: scaled options valid",
              sampling[e]->name);
    }
    CHECK(t.automatic.target_se == s.automatic.target_se / 2,
          "auto: scale 4 halves the target");
    CHECK(tkc_attn_series->evaluations == NULL &&
              tkc_attn_series->scale == NULL,
          "the series has no sample size");
    tkc_kernel_spec_default(&floor);
    t = s;
    for (int e = 0; e < 4; e++)
        sampling[e]->raise_to(&t, &floor);
    CHECK(t.mc.samples == 65536 && t.cvmc.samples == 65536 &&
              t.qmc.points == 65536 && t.qmc.replicates == 8 &&
              t.automatic.max_evals == (uint64_t)1 << 21 &&
              t.automatic.target_se == 1e-4,
          "raise_to: the larger sample size, auto's smaller target");
    floor.mc.samples = 10;
    floor.automatic.target_se = 1;
    tkc_attn_mc->raise_to(&t, &floor);
    tkc_attn_auto->raise_to(&t, &floor);
    CHECK(t.mc.samples == 65536 && t.automatic.target_se == 1e-4,
          "raise_to never lowers accuracy");
}

/* tkc_attn_add_outer_products, batched and vectorized, against the sum
 * one row at a time, bit for bit, in both layouts (packed: mc's, full:
 * cvmc's). */
static void test_outer_products(void)
{
    enum { NB = 37, NP = 53 };
    double *G = malloc(NB * NP * sizeof *G);
    double *c = calloc(NP * NP, sizeof *c), *ref = calloc(NP * NP, sizeof *ref);
    tkc_rng rng;
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    tkc_rng_stream(&rng, 7, TKC_RNG_MC, 0);
    for (int packed = 1; packed >= 0 && G && c && ref; packed--) {
        for (size_t e = 0; e < NP * NP; e++)
            c[e] = ref[e] = tkc_rng_normal(&zig, &rng);
        for (size_t e = 0; e < NB * NP; e++)
            G[e] = tkc_rng_normal(&zig, &rng) * 1e3;
        tkc_attn_add_outer_products(c, packed, G, NB, NP);
        for (size_t r = 0; r < NB; r++) {
            double *row = ref;
            for (size_t i = 0; i < NP; i++) {
                for (size_t j = i; j < NP; j++)
                    row[j - i] += G[r * NP + i] * G[r * NP + j];
                row += packed ? NP - i : NP + 1;
            }
        }
        CHECK(!memcmp(c, ref, NP * NP * sizeof *c),
              "outer products (%s): not the row-at-a-time sums, bit for bit",
              packed ? "packed" : "full");
    }
    free(G);
    free(c);
    free(ref);
}

int main(void)
{
    test_exp();
    test_outer_products();
    test_integrand();
    test_exact_cases();
    test_series();
    test_quadrature();
    test_calibration();
    test_identities();
    test_threads();
    test_covariance();
    test_cache();
    test_bad_input();
    test_sample_sizes();
    return check_summary();
}
