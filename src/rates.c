/* rates.c — Theorem 3.4's fits: the log-log slope of an error against n or
 * ρ with a t interval, and the shape y = a + c/sqrt(x) (tkc/rates.h).  Both
 * are ordinary least squares on transformed points, by gsl_fit_linear. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>

#include "tkc/rates.h"

/* x_i > 0 and y_i ≥ 0, finite; counts the points with y > 0 and says
 * whether the x of the points counted (all of them, or those with y > 0)
 * take at least two values. */
static int check_points(const char *what, const double *x, const double *y,
                        size_t m, int positive_only, size_t *used,
                        int *x_varies, tkc_error *err)
{
    if (m && (!x || !y))
        return tkc_fail(err, TKC_EINPUT, "%s: x or y is NULL", what);
    *used = 0;
    *x_varies = 0;
    double x0 = 0;
    for (size_t i = 0; i < m; i++) {
        if (!(x[i] > 0) || !isfinite(x[i]))
            return tkc_fail(err, TKC_EINPUT,
                            "%s: x[%zu] = %g must be finite and > 0", what, i,
                            x[i]);
        if (!(y[i] >= 0) || !isfinite(y[i]))
            return tkc_fail(err, TKC_EINPUT,
                            "%s: y[%zu] = %g must be finite and >= 0", what,
                            i, y[i]);
        if (positive_only && y[i] == 0)
            continue;
        if ((*used)++ == 0)
            x0 = x[i];
        else if (x[i] != x0)
            *x_varies = 1;
    }
    return TKC_SUCCESS;
}

/* Least squares v = c0 + c1 u over q points (u not all equal): the
 * coefficients and their variances. */
static int fit_line(const double *u, const double *v, size_t q, double *c0,
                    double *c1, double *var0, double *var1, tkc_error *err)
{
    double cov01, sumsq;
    int st = gsl_fit_linear(u, 1, v, 1, q, c0, c1, var0, &cov01, var1, &sumsq);
    if (st || !isfinite(*c0) || !isfinite(*c1))
        return tkc_fail(err, TKC_ENUMERIC, "least squares over %zu points "
                        "failed (GSL: %s)", q, st ? gsl_strerror(st)
                                                  : "non-finite fit");
    return TKC_SUCCESS;
}

int tkc_rate_slope_fit(const double *x, const double *y, size_t m,
                       double level, tkc_rate_slope *out, tkc_error *err)
{
    *out = (tkc_rate_slope){0};
    if (!(level > 0 && level < 1))
        return tkc_fail(err, TKC_EINPUT,
                        "rate slope: level must be in (0, 1), got %g", level);
    size_t q;
    int varies;
    int st = check_points("rate slope", x, y, m, 1, &q, &varies, err);
    if (st)
        return st;
    out->points = q;
    out->skipped = m - q;
    out->level = level;
    if (q < 3 || !varies)
        return tkc_fail(err, TKC_ERANGE,
                        "rate slope: %zu points with y > 0%s; a slope with an "
                        "interval needs 3 at two values of x or more",
                        q, q >= 3 ? ", all at one x" : "");
    double *lx = malloc(q * sizeof *lx), *ly = malloc(q * sizeof *ly);
    if (!lx || !ly) {
        free(lx), free(ly);
        return tkc_fail(err, TKC_ENOMEM, "rate slope: out of memory");
    }
    for (size_t i = 0, j = 0; i < m; i++)
        if (y[i] > 0) {
            lx[j] = log(x[i]);
            ly[j++] = log(y[i]);
        }
    double var0, var1;
    st = fit_line(lx, ly, q, &out->intercept, &out->slope, &var0, &var1, err);
    double t = gsl_cdf_tdist_Pinv(0.5 + 0.5 * level, (double)(q - 2));
    if (!st && !isfinite(t))
        st = tkc_fail(err, TKC_ENUMERIC, "rate slope: Student t quantile "
                      "for level %g and %zu points is not finite", level, q);
    if (st) {
        free(lx), free(ly);
        return st;
    }
    out->slope_se = sqrt(var1);
    out->slope_lo = out->slope - t * out->slope_se;
    out->slope_hi = out->slope + t * out->slope_se;
    free(lx), free(ly);
    return TKC_SUCCESS;
}

int tkc_rate_floor_fit(const double *x, const double *y, size_t m,
                       tkc_rate_floor *out, tkc_error *err)
{
    *out = (tkc_rate_floor){0};
    size_t q;
    int varies;
    int st = check_points("rate floor", x, y, m, 0, &q, &varies, err);
    if (st)
        return st;
    out->points = m;
    if (m < 3 || !varies)
        return tkc_fail(err, TKC_ERANGE,
                        "rate floor: %zu points%s; a + c/sqrt(x) with "
                        "standard errors needs 3 at two values of x or more",
                        m, m >= 3 ? ", all at one x" : "");
    double *ix = malloc(m * sizeof *ix);
    if (!ix)
        return tkc_fail(err, TKC_ENOMEM, "rate floor: out of memory");
    for (size_t i = 0; i < m; i++)
        ix[i] = 1.0 / sqrt(x[i]);
    double var0, var1;
    st = fit_line(ix, y, m, &out->a, &out->c, &var0, &var1, err);
    free(ix);
    if (st)
        return st;
    out->a_se = sqrt(var0);
    out->c_se = sqrt(var1);
    return TKC_SUCCESS;
}
