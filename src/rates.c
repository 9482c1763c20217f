/* rates.c — Theorem 3.4's fits: the log-log slope of an error against n or
 * ρ with a t interval, the shape y = a + c/sqrt(x), and the fits that face
 * curvature: local slopes over windows of x, and the tail without
 * curvature (tkc/rates.h).  All are ordinary least squares on transformed
 * points, by gsl_fit_linear and gsl_multifit_linear. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
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
    int varies = 0;
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

void tkc_rate_slope_interval_with(const tkc_rate_slope *s, double extra_se,
                                  double *lo, double *hi)
{
    double t = s->points > 2 ? gsl_cdf_tdist_Pinv(0.5 + 0.5 * s->level,
                                                  (double)(s->points - 2))
                             : 0;
    double se = sqrt(s->slope_se * s->slope_se + extra_se * extra_se);
    *lo = s->slope - t * se;
    *hi = s->slope + t * se;
}

int tkc_rate_floor_fit(const double *x, const double *y, size_t m,
                       tkc_rate_floor *out, tkc_error *err)
{
    *out = (tkc_rate_floor){0};
    size_t q;
    int varies = 0;
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

/* ---- curvature ------------------------------------------------------------ */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct x of the points with y > 0, increasing, into xs (*k). */
static int distinct_x(const double *x, const double *y, size_t m, double *xs,
                      size_t *k)
{
    size_t q = 0;
    for (size_t i = 0; i < m; i++)
        if (y[i] > 0)
            xs[q++] = x[i];
    qsort(xs, q, sizeof *xs, compare_double);
    *k = 0;
    for (size_t i = 0; i < q; i++)
        if (*k == 0 || xs[i] != xs[*k - 1])
            xs[(*k)++] = xs[i];
    return TKC_SUCCESS;
}

/* The points with lo <= x <= hi (y > 0 or not) into (wx, wy); their count. */
static size_t select_range(const double *x, const double *y, size_t m,
                           double lo, double hi, double *wx, double *wy)
{
    size_t q = 0;
    for (size_t i = 0; i < m; i++)
        if (x[i] >= lo && x[i] <= hi) {
            wx[q] = x[i];
            wy[q++] = y[i];
        }
    return q;
}

int tkc_rate_local_slopes(const double *x, const double *y, size_t m,
                          size_t width, double level, tkc_rate_window *out,
                          size_t *nout, tkc_error *err)
{
    *nout = 0;
    size_t q, k;
    int varies = 0;
    int st = check_points("local slopes", x, y, m, 1, &q, &varies, err);
    if (st)
        return st;
    if (width < 2)
        return tkc_fail(err, TKC_EINPUT, "local slopes: width %zu < 2", width);
    double *xs = malloc((m ? m : 1) * sizeof *xs);
    double *wx = malloc((m ? m : 1) * sizeof *wx), *wy = malloc((m ? m : 1) * sizeof *wy);
    if (!xs || !wx || !wy) {
        free(xs), free(wx), free(wy);
        return tkc_fail(err, TKC_ENOMEM, "local slopes: out of memory");
    }
    distinct_x(x, y, m, xs, &k);
    for (size_t a = 0; a + width <= k; a++) {
        size_t w = select_range(x, y, m, xs[a], xs[a + width - 1], wx, wy);
        tkc_rate_window win = {xs[a], xs[a + width - 1],
                               sqrt(xs[a] * xs[a + width - 1]), {0}};
        int fs = tkc_rate_slope_fit(wx, wy, w, level, &win.slope, err);
        if (fs == TKC_ERANGE)
            continue;
        if (fs) {
            st = fs;
            break;
        }
        out[(*nout)++] = win;
    }
    free(xs), free(wx), free(wy);
    return st;
}

/* log y = c0 + c1 u + c2 u², u = log x − mean, over the q points with
 * y > 0 of (wx, wy): c2 and its standard error; TKC_ERANGE below 4
 * points or 3 distinct x. */
static int fit_quadratic(const double *wx, const double *wy, size_t w,
                         double *c2, double *c2_se, size_t *used)
{
    size_t q = 0;
    double mean = 0;
    for (size_t i = 0; i < w; i++)
        if (wy[i] > 0) {
            mean += log(wx[i]);
            q++;
        }
    *used = q;
    if (q < 4)
        return TKC_ERANGE;
    mean /= (double)q;
    gsl_matrix *X = gsl_matrix_alloc(q, 3), *cov = gsl_matrix_alloc(3, 3);
    gsl_vector *v = gsl_vector_alloc(q), *c = gsl_vector_alloc(3);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(q, 3);
    int st = TKC_ENOMEM;
    if (X && cov && v && c && ws) {
        size_t j = 0;
        for (size_t i = 0; i < w; i++)
            if (wy[i] > 0) {
                double u = log(wx[i]) - mean;
                gsl_matrix_set(X, j, 0, 1);
                gsl_matrix_set(X, j, 1, u);
                gsl_matrix_set(X, j, 2, u * u);
                gsl_vector_set(v, j++, log(wy[i]));
            }
        double chisq;
        size_t rank;
        int gs = gsl_multifit_linear_tsvd(X, v, 1e-12, c, cov, &chisq, &rank, ws);
        *c2 = gsl_vector_get(c, 2);
        *c2_se = sqrt(gsl_matrix_get(cov, 2, 2));
        st = !gs && rank == 3 && isfinite(*c2) && isfinite(*c2_se) ? TKC_SUCCESS
                                                                   : TKC_ERANGE;
    }
    gsl_matrix_free(X), gsl_matrix_free(cov);
    gsl_vector_free(v), gsl_vector_free(c);
    gsl_multifit_linear_free(ws);
    return st;
}

int tkc_rate_tail_fit(const double *x, const double *y, size_t m,
                      size_t min_xs, double level, tkc_rate_tail *out,
                      tkc_error *err)
{
    *out = (tkc_rate_tail){0};
    size_t q, k;
    int varies = 0;
    int st = check_points("tail fit", x, y, m, 1, &q, &varies, err);
    if (st)
        return st;
    if (!(level > 0 && level < 1) || min_xs < 3)
        return tkc_fail(err, TKC_EINPUT, "tail fit: level must be in (0, 1) "
                        "and min_xs >= 3 (got %g, %zu)", level, min_xs);
    double *xs = malloc((m ? m : 1) * sizeof *xs);
    double *wx = malloc((m ? m : 1) * sizeof *wx), *wy = malloc((m ? m : 1) * sizeof *wy);
    if (!xs || !wx || !wy) {
        free(xs), free(wx), free(wy);
        return tkc_fail(err, TKC_ENOMEM, "tail fit: out of memory");
    }
    distinct_x(x, y, m, xs, &k);
    out->xs_total = k;
    if (k < min_xs) {
        free(xs), free(wx), free(wy);
        return tkc_fail(err, TKC_ERANGE, "tail fit: %zu distinct x with y > 0, "
                        "fewer than %zu", k, min_xs);
    }
    size_t w = select_range(x, y, m, xs[0], xs[k - 1], wx, wy);
    size_t used;
    if (fit_quadratic(wx, wy, w, &out->curvature, &out->curvature_se, &used))
        out->curvature = out->curvature_se = 0;
    /* the longest tail without significant curvature */
    size_t len = min_xs;
    out->curved_throughout = 1;
    for (size_t tl = k; tl >= min_xs; tl--) {
        double c2, se;
        w = select_range(x, y, m, xs[k - tl], xs[k - 1], wx, wy);
        int fq = fit_quadratic(wx, wy, w, &c2, &se, &used);
        double t = fq ? 0 : gsl_cdf_tdist_Pinv(0.5 + 0.5 * level,
                                               (double)(used - 3));
        if (fq || fabs(c2) <= t * se) {
            len = tl;
            out->curved_throughout = 0;
            break;
        }
    }
    out->xs = len;
    out->x_min = xs[k - len];
    w = select_range(x, y, m, xs[k - len], xs[k - 1], wx, wy);
    st = tkc_rate_slope_fit(wx, wy, w, level, &out->slope, err);
    free(xs), free(wx), free(wy);
    return st;
}
