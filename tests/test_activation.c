/* test_activation.c — the closed-form duals against Gauss–Hermite
 * quadrature, plain Monte Carlo and special values; gradients against finite
 * differences; the type table; bad input. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "activation.h"

/* Covariance triples exercised everywhere: generic, strongly correlated,
 * anticorrelated, unequal variances, the K_attn-like range (~0.3 .. 1.5). */
static const double triples[][3] = {
    {1.0, 1.0, 0.3},   {0.75, 0.5, 0.6},  {1.3, 0.4, -0.5},
    {0.375, 0.625, 0.2}, {2.0, 2.0, 1.999}, {0.9, 1.1, 0.0},
    {0.5, 0.5, 0.5},
};
#define NTRIPLES (sizeof triples / sizeof triples[0])

static tkc_kernel_spec spec_with(double b1, double b2)
{
    tkc_kernel_spec s;
    memset(&s, 0, sizeof s);
    s.b1 = b1;
    s.b2 = b2;
    return s;
}

static void test_lookup(void)
{
    CHECK(tkc_activation_lookup("cos") == tkc_activation_cos, "lookup cos");
    CHECK(tkc_activation_lookup("relu") == tkc_activation_relu, "lookup relu");
    CHECK(tkc_activation_lookup("erf") == tkc_activation_erf, "lookup erf");
    CHECK(tkc_activation_lookup("tanh") == NULL, "unknown name gives NULL");
    CHECK(tkc_activation_lookup(NULL) == NULL, "NULL name gives NULL");
    size_t n = 0;
    while (tkc_activation_types[n])
        n++;
    CHECK(n == 3, "three activations listed, got %zu", n);
}

/* Smooth φ: closed form and quadrature agree to ~1e-12. */
static void test_smooth_vs_quadrature(void)
{
    const double b[][2] = {{1, 0.5}, {0.7, 0}, {1.6, -1.2}, {1, M_PI / 4}};
    char what[128];
    for (size_t t = 0; t < NTRIPLES; t++) {
        const double *v = triples[t];
        for (size_t j = 0; j < sizeof b / sizeof b[0]; j++) {
            tkc_kernel_spec s = spec_with(b[j][0], b[j][1]);
            double kc, kq, kerr;
            tkc_error err;
            int rc1 = tkc_activation_cos->dual(v[0], v[1], v[2], &s, &kc, NULL, &err);
            int rc2 = tkc_activation_dual_quadrature(tkc_activation_cos, v[0], v[1], v[2],
                                                     &s, 64, &kq, &kerr, &err);
            snprintf(what, sizeof what, "cos b1=%g b2=%g (A,B,C)=(%g,%g,%g)",
                     b[j][0], b[j][1], v[0], v[1], v[2]);
            CHECK(rc1 == 0 && rc2 == 0, "%s: status %d %d", what, rc1, rc2);
            CHECK_CLOSE(kc, kq, 1e-12, what);
        }
        tkc_kernel_spec s = spec_with(1, 0.5);
        double ke, kq, kerr;
        CHECK(tkc_activation_erf->dual(v[0], v[1], v[2], &s, &ke, NULL, NULL) == 0,
              "erf dual status");
        CHECK(tkc_activation_dual_quadrature(tkc_activation_erf, v[0], v[1], v[2], &s,
                                             160, &kq, &kerr, NULL) == 0,
              "erf quadrature status");
        snprintf(what, sizeof what, "erf (A,B,C)=(%g,%g,%g)", v[0], v[1], v[2]);
        CHECK_CLOSE(ke, kq, 1e-12, what);
    }
}

/* relu has a kink: quadrature converges algebraically.  Looser bound, and
 * the quadrature's own error estimate must cover the actual error. */
static void test_relu_vs_quadrature(void)
{
    char what[128];
    for (size_t t = 0; t < NTRIPLES; t++) {
        const double *v = triples[t];
        double kc, kq, kerr;
        CHECK(tkc_activation_relu->dual(v[0], v[1], v[2], NULL, &kc, NULL, NULL) == 0,
              "relu dual status");
        CHECK(tkc_activation_dual_quadrature(tkc_activation_relu, v[0], v[1], v[2],
                                             NULL, 200, &kq, &kerr, NULL) == 0,
              "relu quadrature status");
        snprintf(what, sizeof what, "relu (A,B,C)=(%g,%g,%g)", v[0], v[1], v[2]);
        CHECK_CLOSE(kc, kq, 2e-3 * fmax(v[0], v[1]), what);
        /* Near |ρ| = 1 the kinks of φ(a) and φ(b) bound a wedge of angle
         * acos ρ that the rule cannot resolve nor its estimate see. */
        if (fabs(v[2]) < 0.9 * sqrt(v[0] * v[1]))
            CHECK(fabs(kc - kq) <= 4 * kerr + 1e-12,
              "%s: quadrature error %.3g not covered by its estimate %.3g", what,
              fabs(kc - kq), kerr);
    }
}

/* Plain Monte Carlo with many samples: each closed form within 4 se. */
static void test_monte_carlo(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    CHECK(r != NULL, "rng alloc");
    if (!r)
        return;
    gsl_rng_set(r, 20231015);
    const size_t n = 400000;
    tkc_kernel_spec s = spec_with(1.2, 0.4);
    char what[128];
    for (size_t t = 0; t < 3; t++) {
        const double *v = triples[t];
        double sa = sqrt(v[0]), c = v[2] / sa, sb = sqrt(v[1] - c * c);
        for (size_t a = 0; tkc_activation_types[a]; a++) {
            const tkc_activation_type *act = tkc_activation_types[a];
            double sum = 0, sum2 = 0, k;
            gsl_rng_set(r, 1000 + t);
            for (size_t i = 0; i < n; i++) {
                double z1 = gsl_ran_gaussian_ziggurat(r, 1);
                double z2 = gsl_ran_gaussian_ziggurat(r, 1);
                double f = act->phi(sa * z1, &s) * act->phi(c * z1 + sb * z2, &s);
                sum += f;
                sum2 += f * f;
            }
            double mean = sum / n, se = sqrt((sum2 / n - mean * mean) / (n - 1));
            CHECK(act->dual(v[0], v[1], v[2], &s, &k, NULL, NULL) == 0, "dual status");
            snprintf(what, sizeof what, "%s MC (A,B,C)=(%g,%g,%g)", act->name, v[0],
                     v[1], v[2]);
            CHECK_WITHIN_SE(mean, k, se, 4, what);
        }
    }
    gsl_rng_free(r);
}

/* Exact special values. */
static void test_special_values(void)
{
    tkc_kernel_spec s = spec_with(0, 0.3);
    double k, g[3];
    /* b1 = 0: φ ≡ cos(b2). */
    CHECK(tkc_activation_cos->dual(0.7, 0.2, 0.1, &s, &k, g, NULL) == 0, "cos b1=0");
    CHECK_CLOSE(k, cos(0.3) * cos(0.3), 1e-15, "cos b1=0 is cos^2(b2)");
    /* relu: E relu(a)^2 = A/2;  C = 0 gives (E relu)^2 = AB/(2π). */
    CHECK(tkc_activation_relu->dual(1.7, 1.7, 1.7, NULL, &k, NULL, NULL) == 0, "relu");
    CHECK_CLOSE(k, 0.85, 1e-15, "relu E relu(a)^2 = A/2");
    CHECK(tkc_activation_relu->dual(1.5, 0.6, 0, NULL, &k, NULL, NULL) == 0, "relu");
    CHECK_CLOSE(k, sqrt(0.9) / (2 * M_PI), 1e-15, "relu independent");
    CHECK(tkc_activation_relu->dual(0, 0.6, 0, NULL, &k, g, NULL) == 0, "relu A=0");
    CHECK(k == 0, "relu with A = 0 is 0");
    /* erf: independent gives 0 (odd φ). */
    CHECK(tkc_activation_erf->dual(1.5, 0.6, 0, NULL, &k, NULL, NULL) == 0, "erf");
    CHECK(k == 0, "erf independent is 0");
}

typedef int (*dual_fn)(double, double, double, const tkc_kernel_spec *, double *,
                       double[3], tkc_error *);

static void check_gradient(const char *name, dual_fn f, const tkc_kernel_spec *s,
                           const double v[3])
{
    double k, g[3];
    char what[160];
    CHECK(f(v[0], v[1], v[2], s, &k, g, NULL) == 0, "%s gradient status", name);
    for (int i = 0; i < 3; i++) {
        double h = 1e-6, p[3] = {v[0], v[1], v[2]}, m[3] = {v[0], v[1], v[2]}, kp = NAN, km = NAN;
        p[i] += h;
        m[i] -= h;
        CHECK(f(p[0], p[1], p[2], s, &kp, NULL, NULL) == 0 &&
                  f(m[0], m[1], m[2], s, &km, NULL, NULL) == 0,
              "%s fd status", name);
        snprintf(what, sizeof what, "%s dK/d%c at (%g,%g,%g)", name, "ABC"[i], v[0],
                 v[1], v[2]);
        CHECK_CLOSE(g[i], (kp - km) / (2 * h), 1e-7, what);
    }
}

static void test_gradients(void)
{
    tkc_kernel_spec s = spec_with(1.3, 0.7);
    for (size_t t = 0; t < NTRIPLES; t++) {
        if (fabs(triples[t][2]) > 0.99 * sqrt(triples[t][0] * triples[t][1]))
            continue;  /* relu's C-boundary: one-sided only */
        check_gradient("cos", tkc_activation_cos->dual, &s, triples[t]);
        check_gradient("relu", tkc_activation_relu->dual, &s, triples[t]);
        check_gradient("erf", tkc_activation_erf->dual, &s, triples[t]);
    }
}

/* An activation without a closed form goes through quadrature, gradient
 * included: a copy of cos without its dual must reproduce the closed form. */
static double cos_copy_phi(double t, const tkc_kernel_spec *spec)
{
    return tkc_activation_cos->phi(t, spec);
}

static void test_dual_eval_without_closed_form(void)
{
    const tkc_activation_type bare = {"cos-bare", "cos without dual", cos_copy_phi, NULL, NULL};
    tkc_kernel_spec s = spec_with(0.9, 0.2);
    for (size_t t = 0; t < 4; t++) {
        const double *v = triples[t];
        double kc, gc[3], kq, gq[3];
        CHECK(tkc_activation_dual_eval(tkc_activation_cos, v[0], v[1], v[2], &s, &kc, gc,
                                       NULL) == 0, "closed dual_eval");
        CHECK(tkc_activation_dual_eval(&bare, v[0], v[1], v[2], &s, &kq, gq, NULL) == 0,
              "quadrature dual_eval");
        CHECK_CLOSE(kq, kc, 1e-12, "quadrature value via dual_eval");
        for (int i = 0; i < 3; i++)
            CHECK_CLOSE(gq[i], gc[i], 1e-6, "quadrature gradient via dual_eval");
    }
}

/* A kept rule gives the same digits as the one-shot call. */
static void test_quadrature_workspace(void)
{
    tkc_kernel_spec s = spec_with(0.8, 0.1);
    tkc_dual_quadrature *q = tkc_dual_quadrature_alloc(48, NULL);
    CHECK(q != NULL && tkc_dual_quadrature_nodes(q) == 48, "workspace alloc");
    if (!q)
        return;
    for (size_t t = 0; t < NTRIPLES; t++) {
        const double *v = triples[t];
        double k1 = NAN, k2 = NAN;   /* a failed call leaves NaN: the checks fail */
        CHECK(tkc_dual_quadrature_eval(q, tkc_activation_erf, v[0], v[1], v[2], &s, &k1,
                                       NULL) == 0 &&
                  tkc_activation_dual_quadrature(tkc_activation_erf, v[0], v[1], v[2], &s, 48,
                                                 &k2, NULL, NULL) == 0,
              "workspace status");
        CHECK(k1 == k2, "workspace and one-shot agree exactly");
    }
    CHECK(tkc_dual_quadrature_alloc(0, NULL) == NULL, "0 nodes refused");
    tkc_dual_quadrature_free(q);
}

static void test_bad_input(void)
{
    tkc_kernel_spec s = spec_with(1, 0);
    tkc_error err;
    double k;
    for (size_t a = 0; tkc_activation_types[a]; a++) {
        const tkc_activation_type *act = tkc_activation_types[a];
        tkc_error_clear(&err);
        CHECK(act->dual(-0.1, 1, 0, &s, &k, NULL, &err) == TKC_EINPUT &&
                  strstr(err.message, "negative"),
              "%s: negative variance refused: '%s'", act->name, err.message);
        CHECK(act->dual(NAN, 1, 0, &s, &k, NULL, &err) == TKC_EINPUT,
              "%s: NaN refused", act->name);
    }
    CHECK(tkc_activation_relu->dual(1, 1, 1.5, NULL, &k, NULL, &err) == TKC_ERANGE,
          "relu: C beyond sqrt(AB) refused");
    CHECK(tkc_activation_dual_quadrature(tkc_activation_erf, 1, 1, 0, NULL, 1, &k, NULL,
                                         &err) == TKC_EINPUT,
          "quadrature: 1 node refused");
    CHECK(tkc_activation_cos->dual(1, 1, 0, NULL, &k, NULL, &err) == TKC_EINPUT,
          "cos needs a spec");
}

int main(void)
{
    test_lookup();
    test_smooth_vs_quadrature();
    test_relu_vs_quadrature();
    test_monte_carlo();
    test_special_values();
    test_gradients();
    test_dual_eval_without_closed_form();
    test_quadrature_workspace();
    test_bad_input();
    return check_summary();
}
