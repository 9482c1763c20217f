/* test_attn_qmc.c — the randomized QMC estimator of K_attn: against
 * Gauss–Hermite quadrature and the β-series, against Monte Carlo (also
 * above GSL's 40 Sobol dimensions, where padding takes over), calibrated
 * error bars over 200 seeds, thread independence, and its variance
 * advantage over Monte Carlo on a smooth case. */
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "attn.h"
#include "attn_spec.h"
#include "tkc/kernel.h"

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

/* n: Monte Carlo's samples, or QMC's points per replicate. */
static void spec_for(tkc_kernel_spec *spec, const tkc_attn_estimator_type *e,
                     double beta, double gamma, uint64_t n, unsigned reps,
                     uint64_t seed)
{
    spec_attn(spec, e, beta, gamma);
    if (e == tkc_attn_qmc)
        spec->qmc.points = n;
    else
        spec->mc.samples = n;
    spec->qmc.replicates = reps;
    spec->seed = seed;
}

static int eval1(const tkc_kernel_spec *spec, const char *x, const char *y,
                 double *value, double *se, char *note)
{
    tkc_strings *S = strings2(x, y);
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_error err;
    int rc = spec->estimator->eval_pairs(spec, S, &p, 1, v, &err);
    if (rc)
        fprintf(stderr, "eval1: %s\n", err.message);
    *value = v->value[0];
    *se = v->se[0];
    if (note)
        memcpy(note, v->note, sizeof v->note);
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
    return rc;
}

/* Gauss–Hermite product rule, n points per coordinate. */
static double gauss_hermite(const char *x, const char *y, double beta,
                            double gamma, size_t n)
{
    tkc_strings *S = strings2(x, y);
    tkc_pair p = {0, 1};
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, &p, 1, beta, gamma, NULL);
    tkc_attn_work *w = tkc_attn_work_alloc(L, NULL);
    gsl_integration_fixed_workspace *q =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0, 1, 0, 0);
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
    tkc_attn_work_free(w);
    tkc_attn_layout_free(L);
    tkc_strings_free(S);
    return sum;
}

static void test_against_exact(void)
{
    tkc_kernel_spec spec;
    double v, se;
    /* Gauss–Hermite (converged: 20 vs 16 nodes agree to ~1e-12 here) */
    double truth = gauss_hermite("ab", "ba", 1.0, 0.5, 20);
    CHECK_CLOSE(truth, gauss_hermite("ab", "ba", 1.0, 0.5, 16), 1e-9,
                "quadrature converged");
    spec_for(&spec, tkc_attn_qmc, 1.0, 0.5, 4096, 16, 1);
    CHECK(!eval1(&spec, "ab", "ba", &v, &se, NULL), "qmc ab/ba");
    CHECK(se > 0, "se %g", se);
    CHECK_WITHIN_SE(v, truth, se, 4.0, "QMC vs Gauss-Hermite ab/ba");
    /* β-series of docs/mathematics.md at β = 0.2 (truncation ~1e-7) */
    double b2 = 0.04;
    double series = 3.0 / 8 + b2 * (9.0 / 64 + b2 * (-45.0 / 256 +
                    b2 * (1179.0 / 4096 - b2 * 9705.0 / 16384)));
    spec_for(&spec, tkc_attn_qmc, 0.2, 0.5, 4096, 16, 2);
    CHECK(!eval1(&spec, "aC", "bC", &v, &se, NULL), "qmc aC/bC");
    CHECK_WITHIN_SE(v, series, sqrt(se * se + 1e-14), 4.0, "QMC vs β-series");
    /* β = 0 shortcut */
    spec.beta = 0;
    CHECK(!eval1(&spec, "abcd", "dcbd", &v, &se, NULL), "β = 0");
    CHECK_CLOSE(v, 4.0 / 16 + 0.25 / 4, 1e-15, "QMC at β = 0 is exact");
}

static void test_against_mc(void)
{
    /* k = 11 with 22 distinct tokens: 33 Sobol dimensions */
    const char *x = "abcdefghijk", *y = "kjihgfedcbA";
    tkc_kernel_spec spec;
    double vq, sq, vm, sm;
    spec_for(&spec, tkc_attn_qmc, 1.0, 1.0, 2048, 16, 3);
    CHECK(!eval1(&spec, x, y, &vq, &sq, NULL), "qmc k=11");
    spec_for(&spec, tkc_attn_mc, 1.0, 1.0, 1 << 16, 16, 4);
    CHECK(!eval1(&spec, x, y, &vm, &sm, NULL), "mc k=11");
    CHECK_WITHIN_SE(vq, vm, hypot(sq, sm), 4.0, "QMC vs MC, k = 11");
    /* k = 16, 30 distinct tokens: 46 dimensions, past GSL's 40 */
    const char *x2 = "abcdefghijklmnop", *y2 = "pABCDEFGHIJKLMNa";
    char note[TKC_KERNEL_NOTE_MAX];
    spec_for(&spec, tkc_attn_qmc, 1.5, 0.7, 2048, 16, 5);
    CHECK(!eval1(&spec, x2, y2, &vq, &sq, note), "qmc k=16");
    CHECK(strstr(note, "padded") != NULL, "note says padded: %s", note);
    spec_for(&spec, tkc_attn_mc, 1.5, 0.7, 1 << 16, 16, 6);
    CHECK(!eval1(&spec, x2, y2, &vm, &sm, NULL), "mc k=16");
    CHECK(sq > 0 && isfinite(vq), "finite with an error bar above 40 dims");
    CHECK_WITHIN_SE(vq, vm, hypot(sq, sm), 4.0, "QMC vs MC, 46 dimensions");
}

static void test_calibration(void)
{
    /* z-scores of 200 seeds; with R = 16 replicates z follows Student's t
     * with 15 degrees of freedom: mean 0, variance 15/13. */
    double truth = gauss_hermite("ab", "ba", 1.0, 0.5, 20);
    enum { SEEDS = 200 };
    double s1 = 0, s2 = 0;
    for (int s = 0; s < SEEDS; s++) {
        tkc_kernel_spec spec;
        double v, se;
        spec_for(&spec, tkc_attn_qmc, 1.0, 0.5, 128, 16, 500 + (uint64_t)s);
        eval1(&spec, "ab", "ba", &v, &se, NULL);
        double z = (v - truth) / se;
        s1 += z;
        s2 += z * z;
    }
    double mean = s1 / SEEDS, var = s2 / SEEDS - mean * mean;
    printf("QMC z-scores over %d seeds: mean %.3f, variance %.3f (t15: 1.154)\n",
           SEEDS, mean, var);
    CHECK(fabs(mean) < 0.35, "z-score mean %g", mean);
    CHECK(var > 0.7 && var < 1.75, "z-score variance %g", var);
}

static void test_efficiency(void)
{
    /* Smooth case, same number of integrand evaluations: QMC's error bar
     * must be well below Monte Carlo's. */
    tkc_kernel_spec spec;
    double vq, sq, vm, sm;
    spec_for(&spec, tkc_attn_qmc, 0.5, 1.0, 4096, 16, 9);
    CHECK(!eval1(&spec, "abc", "cbd", &vq, &sq, NULL), "qmc");
    spec_for(&spec, tkc_attn_mc, 0.5, 1.0, 2 * 4096 * 16, 16, 10);
    CHECK(!eval1(&spec, "abc", "cbd", &vm, &sm, NULL), "mc");
    printf("k = 3, beta = 0.5, 131072 evaluations: se MC %.3g, QMC %.3g\n", sm, sq);
    CHECK(sq < sm / 3, "QMC se %g not well below MC se %g", sq, sm);
    CHECK_WITHIN_SE(vq, vm, hypot(sq, sm), 4.0, "and they agree");
}

static void test_threads_and_cov(void)
{
    tkc_strings *S = tkc_strings_alloc(3, 4, NULL);
    const char *w[3] = {"abca", "bbcd", "dcxa"};
    for (int i = 0; i < 3; i++)
        for (int a = 0; a < 4; a++)
            tkc_strings_row(S, i)[a] = (unsigned char)w[i][a];
    tkc_pair pairs[4] = {{0, 1}, {0, 2}, {0, 0}, {2, 2}};
    tkc_kernel_spec spec;
    spec_for(&spec, tkc_attn_qmc, 1.0, 1.0, 512, 7, 77);
    tkc_kernel_values *v[3];
    for (unsigned t = 0; t < 3; t++) {
        spec.threads = t + 1;
        v[t] = tkc_kernel_values_alloc(4, 1, NULL);
        CHECK(!tkc_attn_qmc->eval_pairs(&spec, S, pairs, 4, v[t], NULL), "eval");
    }
    for (unsigned t = 1; t < 3; t++)
        CHECK(!memcmp(v[0]->value, v[t]->value, 4 * sizeof(double)) &&
                  !memcmp(v[0]->cov, v[t]->cov, 16 * sizeof(double)),
              "same digits with %u threads", t + 1);
    int ok = 1;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            ok &= v[0]->cov[4 * i + j] == v[0]->cov[4 * j + i] &&
                  fabs(v[0]->cov[4 * i + j]) <=
                      sqrt(v[0]->cov[5 * i] * v[0]->cov[5 * j]) * (1 + 1e-12);
    for (int i = 0; i < 4; i++)
        ok &= fabs(v[0]->cov[5 * i] - v[0]->se[i] * v[0]->se[i]) <=
              1e-15 * v[0]->cov[5 * i];
    CHECK(ok, "covariance symmetric, diagonal se², correlations in [-1, 1]");
    CHECK(v[0]->samples == 2 * 512 * 7 && !strcmp(v[0]->estimator, "qmc"),
          "samples and name");
    tkc_error err;
    spec.qmc.points = ((uint64_t)1 << 30) + 1;
    CHECK(tkc_attn_qmc->eval_pairs(&spec, S, pairs, 4, v[0], &err) == TKC_EINPUT &&
              strstr(err.message, "points"),
          "too many points per replicate refused: %s", err.message);
    CHECK(tkc_attn_estimator_lookup("qmc") == tkc_attn_qmc, "lookup");
    for (unsigned t = 0; t < 3; t++)
        tkc_kernel_values_free(v[t]);
    tkc_strings_free(S);
}

int main(void)
{
    test_against_exact();
    test_against_mc();
    test_calibration();
    test_efficiency();
    test_threads_and_cov();
    return check_summary();
}
