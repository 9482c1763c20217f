/* tkc/rates.h — Theorem 3.4's rates fitted to measured errors.
 *
 * The theorem bounds the test error of ridge regression on unseen symbols
 * by C·sqrt(log(1/δ)/n) + C·sqrt(1/ρ): the error should fall at least as
 * fast as n^(−1/2) (and ρ^(−1/2)).  Given points (x_i, y_i), x = n or ρ and
 * y a root-mean-square error, two least-squares fits say how it falls:
 *
 *   slope   log y = b0 + b·log x, the exponent b with a Student-t interval
 *           at a stated level (points with y = 0 have no logarithm and are
 *           left out, and counted);
 *   floor   y = a + c/sqrt(x), the shape of the bound: c the rate's
 *           constant, a what does not fall with x.
 *
 * Exactness: floating point (GSL's gsl_fit_linear, t quantiles by
 * gsl_cdf_tdist_Pinv).  The interval assumes independent, equal-variance,
 * normal residuals on the log scale: it is a statement about the fit, not a
 * proof about the rate; curvature (the rate not yet asymptotic over the
 * range of x) shows as a slope off −1/2 with a narrow interval.  Two fits
 * face the curvature:
 *
 *   local   the slope over each window of a few consecutive x values: the
 *           slope as a function of x, each with its own interval;
 *   tail    the asymptotic range: the longest run of the largest x values
 *           over which log y = c0 + c1 u + c2 u² (u = log x centred) shows
 *           no curvature (c2's interval at the level holds 0), and the
 *           slope over it; the whole range's c2 is reported beside it. */
#ifndef TKC_RATES_H
#define TKC_RATES_H

#include <stddef.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_rate_slope {
    size_t points;             /* points used (y > 0)                        */
    size_t skipped;            /* points left out because y = 0              */
    double slope;              /* b in log y = b0 + b log x                  */
    double intercept;          /* b0                                         */
    double slope_se;           /* standard error of b                        */
    double level;              /* of the interval, e.g. 0.95                 */
    double slope_lo, slope_hi; /* b ∓ t_{(1+level)/2, points−2} · slope_se   */
} tkc_rate_slope;

/* The log-log slope of y against x over m points.  x_i > 0 and y_i ≥ 0,
 * finite (TKC_EINPUT naming the point otherwise); level in (0, 1).
 * TKC_ERANGE when fewer than 3 points have y > 0 or their x are all equal
 * (no slope with an interval). */
TKC_API int tkc_rate_slope_fit(const double *x, const double *y, size_t m,
                               double level, tkc_rate_slope *out,
                               tkc_error *err);

/* The slope's interval with an independent error of standard deviation
 * extra_se added in quadrature (the kernel's own error of the slope, say):
 * slope ∓ t·sqrt(slope_se² + extra_se²), t the fit's Student quantile. */
TKC_API void tkc_rate_slope_interval_with(const tkc_rate_slope *s,
                                          double extra_se, double *lo,
                                          double *hi);

typedef struct tkc_rate_floor {
    size_t points;             /* m: every point, y = 0 included             */
    double a, c;               /* y = a + c / sqrt(x)                        */
    double a_se, c_se;         /* their standard errors                      */
} tkc_rate_floor;

/* The fit y = a + c/sqrt(x) over m points (same input rules as above).
 * TKC_ERANGE when m < 3 or the x are all equal. */
TKC_API int tkc_rate_floor_fit(const double *x, const double *y, size_t m,
                               tkc_rate_floor *out, tkc_error *err);

/* The slope over one window of consecutive distinct x values. */
typedef struct tkc_rate_window {
    double x_lo, x_hi;         /* the window's smallest and largest x        */
    double x_center;           /* their geometric mean                       */
    tkc_rate_slope slope;      /* the fit over the window's points           */
} tkc_rate_window;

/* The log-log slope over every run of `width` (>= 2) consecutive distinct
 * x values, each by tkc_rate_slope_fit over the points at those x, into
 * out (room for the number of distinct x), *nout windows in increasing x.
 * A window whose fit has too few points (TKC_ERANGE: fewer than 3 with
 * y > 0) is left out.  Same input rules as tkc_rate_slope_fit. */
TKC_API int tkc_rate_local_slopes(const double *x, const double *y, size_t m,
                                  size_t width, double level,
                                  tkc_rate_window *out, size_t *nout,
                                  tkc_error *err);

typedef struct tkc_rate_tail {
    tkc_rate_slope slope;      /* the linear fit over the tail               */
    size_t xs, xs_total;       /* distinct x in the tail, in all             */
    double x_min;              /* the tail's smallest x                      */
    double curvature;          /* c2 over the whole range (u = log x centred) */
    double curvature_se;
    int curved_throughout;     /* even the shortest tail (min_xs values)
                                  curves at the level: its slope is a local
                                  one, not an asymptotic rate                */
} tkc_rate_tail;

/* The tail fit over m points: tails of the k largest distinct x values,
 * k from all of them down to min_xs (>= 3), the first without significant
 * curvature at `level` (the quadratic needs 4 points or more with y > 0;
 * a tail with fewer is taken as it is).  TKC_ERANGE when fewer than
 * min_xs distinct x have points with y > 0. */
TKC_API int tkc_rate_tail_fit(const double *x, const double *y, size_t m,
                              size_t min_xs, double level, tkc_rate_tail *out,
                              tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
