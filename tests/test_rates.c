/* test_rates.c — Theorem 3.4's fits: points on an exact power law (and on
 * an exact a + c/sqrt(x)) give their exponent and coefficients back with
 * vanishing intervals; noisy points are checked against the textbook
 * least-squares formulas computed here in long double, with Student-t
 * quantiles in closed form (ν = 1: tan(π(p − 1/2)); ν = 2:
 * sqrt(2a²/(1 − a²)), a = 2p − 1); bad input is refused by name. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "tkc/rates.h"

/* Points on y = 3 x^(−1/2) and y = 0.2 + 1.5/sqrt(x) at the n of a sweep,
 * each repeated as seeds would be. */
static void test_exact_laws(void)
{
    static const double ns[] = {25, 50, 100, 200, 400, 800, 1600};
    double x[21], y[21], z[21];
    for (size_t i = 0; i < 21; i++) {
        x[i] = ns[i / 3];
        y[i] = 3 * pow(x[i], -0.5);
        z[i] = 0.2 + 1.5 / sqrt(x[i]);
    }
    tkc_rate_slope s;
    tkc_error err;
    CHECK(tkc_rate_slope_fit(x, y, 21, 0.95, &s, &err) == 0, "slope: %s",
          err.message);
    CHECK_CLOSE(s.slope, -0.5, 1e-13, "exponent of an exact power law");
    CHECK_CLOSE(s.intercept, log(3.0), 1e-12, "its constant");
    CHECK(s.slope_hi - s.slope_lo < 1e-12 && s.slope_lo <= s.slope &&
              s.slope <= s.slope_hi,
          "interval [%.17g, %.17g] collapses", s.slope_lo, s.slope_hi);
    CHECK(s.points == 21 && s.skipped == 0 && s.level == 0.95, "counts");
    tkc_rate_floor f;
    CHECK(tkc_rate_floor_fit(x, z, 21, &f, &err) == 0, "floor: %s", err.message);
    CHECK_CLOSE(f.a, 0.2, 1e-13, "floor a of an exact a + c/sqrt(x)");
    CHECK_CLOSE(f.c, 1.5, 1e-12, "coefficient c");
    CHECK(f.a_se < 1e-13 && f.c_se < 1e-12 && f.points == 21,
          "standard errors vanish (%.3g, %.3g)", f.a_se, f.c_se);
    /* Exact zeros have no logarithm: left out and counted. */
    y[4] = y[10] = 0;
    CHECK(tkc_rate_slope_fit(x, y, 21, 0.95, &s, &err) == 0, "with zeros");
    CHECK(s.points == 19 && s.skipped == 2, "2 zeros skipped (%zu, %zu)",
          s.points, s.skipped);
    CHECK_CLOSE(s.slope, -0.5, 1e-13, "exponent without the zeros");
}

/* Least squares v = c0 + c1 u in long double: coefficients, their standard
 * errors. */
typedef struct line {
    long double c0, c1, se0, se1;
} line;

static line textbook_fit(const double *u, const double *v, size_t q)
{
    long double mu = 0, mv = 0, suu = 0, suv = 0, sse = 0;
    for (size_t i = 0; i < q; i++)
        mu += u[i], mv += v[i];
    mu /= q, mv /= q;
    for (size_t i = 0; i < q; i++) {
        suu += (u[i] - mu) * (u[i] - mu);
        suv += (u[i] - mu) * (v[i] - mv);
    }
    line L;
    L.c1 = suv / suu;
    L.c0 = mv - L.c1 * mu;
    for (size_t i = 0; i < q; i++) {
        long double e = v[i] - L.c0 - L.c1 * u[i];
        sse += e * e;
    }
    long double s2 = sse / (q - 2);
    L.se1 = sqrtl(s2 / suu);
    L.se0 = sqrtl(s2 * (1.0L / q + mu * mu / suu));
    return L;
}

/* Noisy points with 1 and 2 degrees of freedom, where the t quantile has a
 * closed form, and 12 points for the floor fit. */
static void test_noisy_against_textbook(void)
{
    double x[12], y[12], lx[12], ly[12], ix[12];
    for (size_t i = 0; i < 12; i++) {
        x[i] = 20.0 * (double)(i + 1) * (double)(i + 1);
        y[i] = 0.1 + 2 / sqrt(x[i]) * (1 + 0.3 * sin(3.0 * i + 1));
        lx[i] = log(x[i]);
        ly[i] = log(y[i]);
        ix[i] = 1 / sqrt(x[i]);
    }
    double p = 0.975, a = 2 * p - 1;
    double t[2] = {tan(acos(-1.0) * (p - 0.5)), sqrt(2 * a * a / (1 - a * a))};
    for (size_t q = 3; q <= 4; q++) {
        tkc_rate_slope s;
        tkc_error err;
        CHECK(tkc_rate_slope_fit(x, y, q, 0.95, &s, &err) == 0, "slope: %s",
              err.message);
        line L = textbook_fit(lx, ly, q);
        CHECK_CLOSE(s.slope, (double)L.c1, 1e-12 * fabsl(L.c1), "slope vs textbook");
        CHECK_CLOSE(s.intercept, (double)L.c0, 1e-12 * fabsl(L.c0),
                    "intercept vs textbook");
        CHECK_CLOSE(s.slope_se, (double)L.se1, 1e-10 * L.se1, "slope se");
        double half = t[q - 3] * (double)L.se1;
        CHECK_CLOSE(s.slope_hi - s.slope, half, 1e-9 * half,
                    "interval half-width = t quantile (closed form) x se");
        CHECK_CLOSE(s.slope - s.slope_lo, half, 1e-9 * half, "symmetric");
    }
    tkc_rate_floor f;
    tkc_error err;
    CHECK(tkc_rate_floor_fit(x, y, 12, &f, &err) == 0, "floor: %s", err.message);
    line L = textbook_fit(ix, y, 12);
    CHECK_CLOSE(f.a, (double)L.c0, 1e-12, "a vs textbook");
    CHECK_CLOSE(f.c, (double)L.c1, 1e-11 * fabsl(L.c1), "c vs textbook");
    CHECK_CLOSE(f.a_se, (double)L.se0, 1e-10 * L.se0, "se(a)");
    CHECK_CLOSE(f.c_se, (double)L.se1, 1e-10 * L.se1, "se(c)");
    /* A wider level, a wider interval. */
    tkc_rate_slope s95, s99;
    CHECK(tkc_rate_slope_fit(x, y, 12, 0.95, &s95, &err) == 0 &&
              tkc_rate_slope_fit(x, y, 12, 0.99, &s99, &err) == 0 &&
              s99.slope_hi - s99.slope_lo > s95.slope_hi - s95.slope_lo,
          "99%% interval wider than 95%%");
}

static void test_refusals(void)
{
    double x[4] = {10, 20, 40, 80}, y[4] = {1, 0.7, 0, 0};
    tkc_rate_slope s;
    tkc_rate_floor f;
    tkc_error err;
    CHECK(tkc_rate_slope_fit(x, y, 4, 0.95, &s, &err) == TKC_ERANGE &&
              s.points == 2 && s.skipped == 2,
          "2 nonzero points: no slope (%s)", err.message);
    double same[4] = {10, 10, 10, 10}, w[4] = {1, 2, 3, 4};
    CHECK(tkc_rate_slope_fit(same, w, 4, 0.95, &s, &err) == TKC_ERANGE &&
              strstr(err.message, "one x"), "one x: %s", err.message);
    CHECK(tkc_rate_floor_fit(same, w, 4, &f, &err) == TKC_ERANGE, "floor at one x");
    CHECK(tkc_rate_floor_fit(x, w, 2, &f, &err) == TKC_ERANGE, "floor, 2 points");
    double bad[4] = {10, -1, 40, 80};
    CHECK(tkc_rate_slope_fit(bad, w, 4, 0.95, &s, &err) == TKC_EINPUT &&
              strstr(err.message, "x[1]"), "x <= 0 named: %s", err.message);
    double nan_y[4] = {1, NAN, 3, 4};
    CHECK(tkc_rate_floor_fit(x, nan_y, 4, &f, &err) == TKC_EINPUT &&
              strstr(err.message, "y[1]"), "NaN y named: %s", err.message);
    CHECK(tkc_rate_slope_fit(x, w, 4, 1.0, &s, &err) == TKC_EINPUT,
          "level 1 refused");
}

int main(void)
{
    test_exact_laws();
    test_noisy_against_textbook();
    test_refusals();
    return check_summary();
}
