"""The exact Taylor coefficients of K_attn (tkc/series.h, tkc/coeffs.h), as
fractions.Fraction: what `tkc series X Y` and `tkc series FILE` print
(docs/series.md, docs/generic.md).  GMP computes them; they cross into
Python as exact text."""
import math
from fractions import Fraction

from tkc import _native
from tkc._native import InputError, call, ffi, lib, text
from tkc.progress import reporting
from tkc.templates import as_templates
from tkc.verdicts import generic_test

ORDER_DEFAULT = 10             # as the command's --order
_USEFUL_REL = 1e-2             # the command's limit on the sum's error


def _fraction(ptr):
    """A GMP rational's text as a Fraction (the text freed by GMP's free)."""
    try:
        return Fraction(ffi.string(ptr).decode())
    finally:
        lib.tkc_py_free_text(ptr)


def _exact(name, value):
    """An exact rational from a Fraction, an int, a str ("0.25", "3/4") or
    a float read as its shortest decimal (0.1 is 1/10), as the command line
    reads its text."""
    if isinstance(value, float):
        value = repr(value)
    try:
        return Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError(f"{name} expects an exact number (123, 0.25 or p/q), "
                         f"got {value!r}") from None


def series(x, y=None, order=ORDER_DEFAULT, gamma=None, gamma2=None, beta=None,
           prec=256, cls=True, threads=None, progress=None):
    """Exact Taylor coefficients of K_attn at β = γ = 0.

    series(x, y, order=10): the coefficients of β^(2i) γ^(2j) for 2i <= order,
    as `tkc series X Y --json`: x, y, k, order and coefficients, a dict
    {(2i, 2j): Fraction}.  With gamma (or gamma2 = γ²), exactly: gamma2 and
    beta_coefficients {2i: Fraction}, the coefficient of β^(2i) at that γ;
    with beta too, `sum`: the series summed at (β, γ) with optimal
    truncation in MPFR at prec bits — value, error_estimate, order_used,
    optimal_in_table, useful.

    series(templates, order=D): the coefficient matrices of the set's N_attn
    through total order D (2a + 2b <= D), as `tkc series FILE --json`:
    file, templates, k, cls_appended, strings {x, y}, total_order,
    patterns, monomials (each with beta_power, gamma_power, name and
    matrix, r × r lists of Fractions) and condition_10, condition (10) as
    these matrices decide it.  templates as in tkc.nmatrix; threads: worker
    threads (None: every online core; exact, so the same on any);
    progress: None, True or a callable (tkc.progress), for the
    coefficients' patterns."""
    if y is None:
        return _series_set(x, order, cls, threads, progress)
    if isinstance(y, int):
        raise InputError("series(x, y, order): y is a string; for a template "
                         "set give the order by name, series(FILE, order=D)")
    if gamma is not None and gamma2 is not None:
        raise InputError("give gamma or gamma2, not both")
    if beta is not None and gamma is None and gamma2 is None:
        raise InputError("beta needs gamma or gamma2 (the sum is taken at "
                         "one gamma)")
    vocab = _native.Vocabulary()
    ids = _native.encode([x, y], vocab, "x, y")
    k = ids.shape[1]
    S = _native.c_strings(ids)
    s = _alloc_series(order)
    call(lib.tkc_series_compute_pair, s, S.tok, S.tok + k, k)
    names = {i: str(t) for t, i in vocab.ids.items()}
    coefficients = {(2 * i, 2 * j): _fraction(lib.tkc_py_series_coeff(s, i, j))
                    for i in range(s.nbeta)
                    for j in range(min(i + 2, s.ngamma))}
    out = dict(x=[names[i] for i in ids[0]], y=[names[i] for i in ids[1]],
               k=k, order=s.order, coefficients=coefficients)
    if gamma is None and gamma2 is None:
        return out
    g2 = _exact("gamma", gamma) ** 2 if gamma is not None else \
        _exact("gamma2", gamma2)
    if g2 < 0:
        raise InputError(f"gamma2 must be >= 0, got {g2}")
    out["gamma2"] = g2
    out["beta_coefficients"] = {
        bp: sum((c * g2 ** (gp // 2) for (b, gp), c in coefficients.items()
                 if b == bp), Fraction(0))
        for bp in range(0, 2 * s.nbeta, 2)}
    if beta is not None:
        out["sum"] = _sum(s, beta, g2, prec)
    return out


def _alloc_series(order):
    err = _native.new_error()
    s = lib.tkc_series_alloc(order, err)
    if s == ffi.NULL:
        _native.raise_for(err.status or lib.TKC_EINPUT, err)
    return ffi.gc(s, lib.tkc_series_free)


def _sum(s, beta, g2, prec):
    value, se = ffi.new("double *"), ffi.new("double *")
    info = ffi.new("tkc_series_sum_info *")
    call(lib.tkc_py_series_sum, s, float(beta), str(g2).encode(), prec, value,
         se, info)
    useful = info.smallest_at >= 2 and se[0] <= _USEFUL_REL * math.fabs(value[0])
    return dict(beta=float(beta), value=value[0], error_estimate=se[0],
                order_used=info.order_used, optimal_in_table=not info.at_end,
                useful=useful)


def _series_set(templates, order, cls, threads, progress):
    if order % 2:
        raise InputError(f"with a template set the order is the total order "
                         f"2a + 2b: even, got {order}")
    tset = as_templates(templates, cls)
    r = tset.count
    S = ffi.new("tkc_strings **")
    call(lib.tkc_nmatrix_strings, tset._set, S)
    S = ffi.gc(S[0], lib.tkc_strings_free)
    err = _native.new_error()
    c = lib.tkc_coeffs_alloc(tset._set, err)
    if c == ffi.NULL:
        _native.raise_for(err.status or lib.TKC_EINPUT, err)
    c = ffi.gc(c, lib.tkc_coeffs_free)
    nthreads = 0 if threads is None else threads
    with reporting(progress) as p:
        call(lib.tkc_coeffs_raise, c, order, ffi.NULL, nthreads, p.c,
             ffi.NULL)
    gopt = ffi.new("tkc_generic_options *")
    lib.tkc_generic_options_default(gopt)
    gopt.threads = nthreads
    v = ffi.gc(ffi.new("tkc_generic_verdict *"), lib.tkc_generic_verdict_clear)
    call(lib.tkc_py_decide_matrices, c, r, order, gopt, v)
    spell = lambda row: _spell_string(tset, S, row)
    monomials = []
    a, b = ffi.new("int *"), ffi.new("int *")
    buf = ffi.new("char[]", 64)
    for m in range(lib.tkc_series_monomials(order)):
        lib.tkc_series_monomial(m, a, b)
        lib.tkc_series_monomial_name(buf, 64, a[0], b[0])
        matrix = [[_fraction(lib.tkc_py_coeffs_entry(c, i, j, m))
                   for j in range(r)] for i in range(r)]
        monomials.append(dict(beta_power=2 * a[0], gamma_power=2 * b[0],
                              name=text(buf), matrix=matrix))
    condition = dict(statement=text(v.attn_text), method=text(v.method_text))
    condition.update(generic_test(v[0]))
    return dict(file=tset.file,
                templates=[tset.spell_template(i) for i in range(r)],
                k=tset.k, cls_appended=tset.cls_appended,
                strings=dict(x=[spell(i) for i in range(r)],
                             y=[spell(r + i) for i in range(r)]),
                total_order=order, patterns=lib.tkc_coeffs_patterns(c),
                monomials=monomials, condition_10=condition)


def _spell_string(tset, S, row):
    buf = ffi.new("char[]", 8192)
    lib.tkc_template_string_format(tset._set, S.tok + row * S.k, buf, 8192)
    return text(buf)
