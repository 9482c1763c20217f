"""Theorem 3.4's rates fitted to measured errors (tkc/rates.h): the
log-log slope with its Student-t interval, the fit y = a + c/sqrt(x), the
local slopes over windows of consecutive x, and the tail without
curvature.  Each is the C library's fit (GSL's least squares), returned as
a dict with the keys `tkc krr --sweep --json` prints for it (docs/json.md);
the interval is a statement about the fit (independent, equal-variance,
normal residuals on the log scale), not a proof about the rate.

x and y are sequences of equal length: x_i > 0 (n or ρ), y_i >= 0 (an
RMSE), finite.  Points with y = 0 have no logarithm and are left out of
the slopes (and counted)."""
import numpy as np

from tkc._native import InputError, call, ffi, lib


def _points(x, y):
    x = np.ascontiguousarray(x, dtype=np.float64).ravel()
    y = np.ascontiguousarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise InputError(f"rates: {x.size} x values and {y.size} y values")
    return (ffi.from_buffer("double[]", x), ffi.from_buffer("double[]", y),
            x.size, x, y)


def _slope_dict(s):
    return dict(points=s.points, skipped=s.skipped, slope=s.slope,
                intercept=s.intercept, slope_se=s.slope_se, level=s.level,
                slope_ci=[s.slope_lo, s.slope_hi])


def fit_slope(x, y, level=0.95):
    """(ok, tkc_rate_slope *): the fit, zeros where it failed (as
    `tkc krr` keeps them)."""
    px, py, m, *_ = _points(x, y)
    out = ffi.new("tkc_rate_slope *")
    return lib.tkc_rate_slope_fit(px, py, m, float(level), out,
                                  ffi.NULL) == 0, out


def fit_tail(x, y, min_xs=3, level=0.95):
    """(ok, tkc_rate_tail *), as fit_slope."""
    px, py, m, *_ = _points(x, y)
    out = ffi.new("tkc_rate_tail *")
    return lib.tkc_rate_tail_fit(px, py, m, int(min_xs), float(level), out,
                                 ffi.NULL) == 0, out


def slope(x, y, level=0.95):
    """log y = intercept + slope·log x by least squares: dict with points,
    skipped (y = 0), slope, intercept, slope_se, level and slope_ci (the
    Student-t interval at the level).  tkc.InputError when fewer than 3
    points have y > 0 or their x are all equal."""
    px, py, m, *_ = _points(x, y)
    out = ffi.new("tkc_rate_slope *")
    call(lib.tkc_rate_slope_fit, px, py, m, float(level), out)
    return _slope_dict(out)


def interval_with(fit, extra_se):
    """A slope's interval with an independent error of standard deviation
    extra_se (the slope's kernel error, say) added in quadrature:
    slope ∓ t·sqrt(slope_se² + extra_se²), t the fit's quantile.  fit is a
    dict from slope() (or a tail's "slope")."""
    s = ffi.new("tkc_rate_slope *")
    s.points, s.skipped = fit["points"], fit["skipped"]
    s.slope, s.intercept, s.slope_se = fit["slope"], fit["intercept"], \
        fit["slope_se"]
    s.level = fit["level"]
    s.slope_lo, s.slope_hi = fit["slope_ci"]
    return slope_interval_with(s, extra_se)


def slope_interval_with(s, extra_se):
    """interval_with on a tkc_rate_slope *."""
    lo, hi = ffi.new("double *"), ffi.new("double *")
    lib.tkc_rate_slope_interval_with(s, float(extra_se), lo, hi)
    return [lo[0], hi[0]]


def floor(x, y):
    """y = a + c/sqrt(x) by least squares over every point (y = 0
    included): dict with points, a, c, a_se, c_se."""
    px, py, m, *_ = _points(x, y)
    out = ffi.new("tkc_rate_floor *")
    call(lib.tkc_rate_floor_fit, px, py, m, out)
    return dict(points=out.points, a=out.a, c=out.c, a_se=out.a_se,
                c_se=out.c_se)


def local_slopes(x, y, width=3, level=0.95):
    """The slope over every run of `width` consecutive distinct x, in
    increasing x: a list of dicts with x_lo, x_hi, x_center (their
    geometric mean) and the slope's fields (as slope() gives them).
    Windows with fewer than 3 points with y > 0 are left out."""
    px, py, m, xs, _ = _points(x, y)
    room = max(len(np.unique(xs)), 1)
    out = ffi.new("tkc_rate_window[]", room)
    n = ffi.new("size_t *")
    call(lib.tkc_rate_local_slopes, px, py, m, int(width), float(level), out,
         n)
    return [dict(x_lo=w.x_lo, x_hi=w.x_hi, x_center=w.x_center,
                 **_slope_dict(w.slope)) for w in out[0:n[0]]]


def tail(x, y, min_xs=3, level=0.95):
    """The asymptotic range: the longest run of the largest distinct x
    (at least min_xs of them) over which log y = c0 + c1 u + c2 u² shows no
    curvature at the level, and the slope over it.  dict with x_min,
    values (distinct x in the tail), values_total, curved_throughout (even
    the shortest tail curves: its slope is a local one), curvature and
    curvature_se (c2 over the whole range, u = log x centred), and slope
    (a dict as slope() gives it)."""
    px, py, m, *_ = _points(x, y)
    out = ffi.new("tkc_rate_tail *")
    call(lib.tkc_rate_tail_fit, px, py, m, int(min_xs), float(level), out)
    return dict(x_min=out.x_min, values=out.xs, values_total=out.xs_total,
                curved_throughout=bool(out.curved_throughout),
                curvature=out.curvature, curvature_se=out.curvature_se,
                slope=_slope_dict(out.slope))


__all__ = ["floor", "interval_with", "local_slopes", "slope", "tail"]
