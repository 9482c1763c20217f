/* test_rates.c — Theorem 3.4's fits: points on an exact power law (and on
 * an exact a + c/sqrt(x)) give their exponent and coefficients back with
 * vanishing intervals; noisy points are checked against the textbook
 * least-squares formulas computed here in long double, with Student-t
 * quantiles in closed form (ν = 1: tan(π(p − 1/2)); ν = 2:
 * sqrt(2a²/(1 − a²)), a = 2p − 1); the curvature fits on an exact
 * log-quadratic law and on a broken power law, whose local slopes and
 * asymptotic tail are known; bad input is refused by name. */
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

/* log y = 1 − 0.4 u − 0.05 u² (u = log x, any centring): the curvature
 * is −0.05 exactly; a power law has none, its tail is the whole range. */
static void test_curvature_exact(void)
{
    double x[30], y[30], z[30];
    for (size_t i = 0; i < 30; i++) {
        x[i] = 10 * pow(2.0, (double)(i / 3));
        double u = log(x[i]);
        y[i] = exp(1 - 0.4 * u - 0.05 * u * u);
        z[i] = 2 * pow(x[i], -0.5);
    }
    tkc_rate_tail t;
    tkc_error err;
    CHECK(tkc_rate_tail_fit(x, y, 30, 3, 0.95, &t, &err) == 0, "tail: %s",
          err.message);
    CHECK_CLOSE(t.curvature, -0.05, 1e-10, "curvature of an exact quadratic");
    CHECK(t.curvature_se < 1e-10 && t.xs_total == 10, "no residual (%.3g), 10 x",
          t.curvature_se);
    CHECK(tkc_rate_tail_fit(x, z, 30, 3, 0.95, &t, &err) == 0, "tail: %s",
          err.message);
    CHECK(t.xs == 10 && !t.curved_throughout && t.x_min == 10 &&
              fabs(t.slope.slope + 0.5) < 1e-12 && fabs(t.curvature) < 1e-12,
          "a power law: the tail is everything (%zu values from %g), slope "
          "%.17g", t.xs, t.x_min, t.slope.slope);
    double lo, hi;
    tkc_rate_slope s;
    CHECK(tkc_rate_slope_fit(x, y, 30, 0.95, &s, &err) == 0, "slope");
    tkc_rate_slope_interval_with(&s, 0, &lo, &hi);
    CHECK_CLOSE(lo, s.slope_lo, 1e-14, "no extra error: the same interval");
    CHECK_CLOSE(hi, s.slope_hi, 1e-14, "the same upper end");
    tkc_rate_slope_interval_with(&s, s.slope_se, &lo, &hi);
    CHECK_CLOSE(hi - lo, sqrt(2.0) * (s.slope_hi - s.slope_lo),
                1e-12 * (hi - lo), "an extra error equal to se: sqrt(2) wider");
}

/* A broken power law: y ∝ x^-0.2 below 1000, ∝ x^-0.5 above, continuous,
 * 3 seeds at −1%, 0, +1% (the same at every x, so no slope of their
 * own), x = 25·2^i up to 1.6e6.  Local
 * slopes inside each piece find its exponent; the tail without curvature
 * starts near the break and finds −1/2; the whole range is curved. */
static void test_broken_power_law(void)
{
    double x[51], y[51];
    for (size_t i = 0; i < 51; i++) {
        x[i] = 25 * pow(2.0, (double)(i / 3));
        double v = x[i] <= 1000 ? pow(x[i], -0.2)
                                : pow(1000, -0.2) * pow(x[i] / 1000, -0.5);
        y[i] = v * (1 + 0.01 * ((double)(i % 3) - 1));
    }
    tkc_rate_window w[17];
    size_t nw;
    tkc_error err;
    CHECK(tkc_rate_local_slopes(x, y, 51, 3, 0.95, w, &nw, &err) == 0 &&
              nw == 15, "15 windows of 3 (%zu): %s", nw, err.message);
    size_t inside = 0;
    for (size_t i = 0; i < nw; i++) {
        double want = w[i].x_hi <= 1000 ? -0.2 : w[i].x_lo >= 1000 ? -0.5 : NAN;
        if (isnan(want))
            continue;
        inside++;
        CHECK(w[i].slope.slope_lo <= want && want <= w[i].slope.slope_hi &&
                  w[i].slope.slope_hi - w[i].slope.slope_lo < 0.1,
              "window %g..%g: slope %.3f [%.3f, %.3f], the piece's %.1f",
              w[i].x_lo, w[i].x_hi, w[i].slope.slope, w[i].slope.slope_lo,
              w[i].slope.slope_hi, want);
        CHECK_CLOSE(w[i].x_center, sqrt(w[i].x_lo * w[i].x_hi), 1e-9 * w[i].x_center,
                    "window centre");
    }
    CHECK(inside == 13, "13 windows inside one piece (%zu)", inside);
    tkc_rate_tail t;
    CHECK(tkc_rate_tail_fit(x, y, 51, 3, 0.95, &t, &err) == 0, "tail: %s",
          err.message);
    CHECK(t.x_min >= 800 && t.x_min <= 1600 && !t.curved_throughout &&
              t.slope.slope_lo <= -0.5 && -0.5 <= t.slope.slope_hi,
          "tail from %g (%zu values): slope %.3f [%.3f, %.3f]", t.x_min, t.xs,
          t.slope.slope, t.slope.slope_lo, t.slope.slope_hi);
    CHECK(t.curvature < -3 * t.curvature_se, "the whole range curves down: "
          "%.3g +- %.2g", t.curvature, t.curvature_se);
    tkc_rate_slope s;
    CHECK(tkc_rate_slope_fit(x, y, 51, 0.95, &s, &err) == 0 &&
              s.slope_lo > -0.5 && s.slope_hi < -0.2,
          "the whole-range slope %.3f [%.3f, %.3f] is neither piece's: what the "
          "tail fit is for", s.slope, s.slope_lo, s.slope_hi);
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
    tkc_rate_tail t;
    tkc_rate_window win[4];
    size_t nw;
    CHECK(tkc_rate_tail_fit(x, w, 4, 2, 0.95, &t, &err) == TKC_EINPUT,
          "tail: min_xs 2 refused");
    CHECK(tkc_rate_tail_fit(x, y, 4, 3, 0.95, &t, &err) == TKC_ERANGE,
          "tail: 2 distinct x with y > 0 (%s)", err.message);
    CHECK(tkc_rate_local_slopes(x, w, 4, 1, 0.95, win, &nw, &err) == TKC_EINPUT,
          "local slopes: width 1 refused");
    CHECK(tkc_rate_local_slopes(bad, w, 4, 2, 0.95, win, &nw, &err) == TKC_EINPUT &&
              strstr(err.message, "x[1]"), "local slopes: x named");
}

int main(void)
{
    test_exact_laws();
    test_noisy_against_textbook();
    test_curvature_exact();
    test_broken_power_law();
    test_refusals();
    return check_summary();
}
