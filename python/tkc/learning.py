"""`tkc krr` in process: kernel ridge regression on unseen symbols, learning
curves over n or the alphabet, error bars over data seeds, the kernels side
by side, and Theorem 3.4's sweeps with their rate fits (docs/krr.md).

    out = tkc.krr("same_different", n=[50, 200], seeds=3, beta=4, gamma=2)

returns what `tkc krr same_different --n 50,200 --seeds 3 --beta 4
--gamma 2 --json` prints (docs/json.md), digit for digit for the same seed
(tests/python/test_krr_curves.py): one fit gives one flat dict, several
{"file", "runs", "curve", "fit" (sweeps)}.  Each run composes the library
as the command does (src/cli/cmd_krr.c): draw the training strings and a
test draw on a disjoint alphabet (tkc_sample_draw), fit through the set
(tkc_krr_fit), predict the test strings with every kernel estimate, score
against the templates; N's figures per kernel from tkc_nmatrix_decide (no
ladder, no generic test).  The statistics over runs are the command's
(src/cli/cmd_krr_print.c): a point's mean and standard error over data
seeds, and its kernel error — the statistic recomputed from each kernel
estimate, their spread (the seeds share the kernel seed).  Non-finite
numbers stay inf, and what the command prints as null is None.
"""
import numpy as np

from tkc import _native, rates
from tkc._native import InputError, call, ffi, lib, text
from tkc._krr import (DEFAULTS, fit_c, krr_options, model_figures,
                      plan_figures, predict_replicates, score_c,
                      score_figures)
from tkc.templates import as_templates
from tkc.verdicts import _decide

TEST_SEED_MIX = 0x9E3779B97F4A7C15   # the test draw's seed: seed ^ this
_COMPARE = ("trans", "mlp", "mlpxx")


def krr(templates, n=None, alphabet=None, *, alpha=None, noise=None,
        seed=None, seeds=None, test_n=1000, solver="auto",
        kernel_replicates=None, memory=None, tolerance=0.0,
        max_iterations=None, compare=False, sweep=None, cls=True,
        **options):
    """`tkc krr FILE --json` in process.

    n, alphabet: an int or a list (a list of one of them gives a learning
      curve; `--n`, `--alphabet`); alpha the ridge (`--lambda`, default
      1e-3); noise (`--noise`), seed (`--seed`: data and Monte Carlo),
      seeds (`--seeds`: data seeds seed..seed+seeds−1), test_n, solver,
      kernel_replicates, memory (GB), tolerance, max_iterations as in
      TemplateKernelRidge; compare runs trans, mlp and mlpxx; sweep "n"
      or "rho" with the command's defaults (n: noise 0.5, alphabet
      100000, n 25..1600; rho: n 1000, alphabets w·2^0..6; 5 seeds) and
      the rate fits; cls=False is `--no-cls`.  The rest are the kernel
      options.  A (n, alphabet) that fits no solver is refused up front,
      with the n and the alphabet that would fit."""
    tset = as_templates(templates, cls=cls)
    if tset.labels != "real":
        raise InputError(f"{tset.file} has symbolic labels (a next-token "
                         "task); kernel ridge regression needs real labels")
    if seed is not None:
        options["seed"] = seed
    spec, _ = _native.kernel_spec(options)
    opt = krr_options(DEFAULTS["alpha"] if alpha is None else alpha, solver,
                      kernel_replicates, memory, tolerance, max_iterations)
    ns, alphabets, noise, seeds = _settle(tset, _list(n, "n"),
                                          _list(alphabet, "alphabet"), noise,
                                          seeds, sweep)
    for nv in ns:
        for a in alphabets:
            _check_plan(tset, nv, a, opt)
    kernels = _COMPARE if compare else (text(spec.kernel.name),)
    xs = ns if len(ns) > 1 else alphabets
    runs, nm = [], []
    for name in kernels:
        kspec = ffi.new("tkc_kernel_spec *")
        kspec[0] = spec[0]
        kspec.kernel = lib.tkc_kernel_type_lookup(name.encode())
        runs.append([[_run(tset, kspec, opt, ns[0] if len(ns) == 1 else x,
                           alphabets[0] if len(ns) > 1 else x, spec.seed + s,
                           noise, test_n)
                      for s in range(seeds)] for x in xs])
        nm.append(_nmatrix(tset, kspec))
    out = dict(file=tset.file)
    if len(kernels) * len(xs) * seeds == 1:
        out.update(_run_figures(tset, runs[0][0][0], kernels[0], nm[0]))
        return out
    out["runs"] = [_run_figures(tset, r, name, nm[k])
                   for k, name in enumerate(kernels)
                   for row in runs[k] for r in row]
    out["curve"] = [_point(runs[k][x], name, _replicates(runs[k]))
                    for k, name in enumerate(kernels)
                    for x in range(len(xs))]
    if sweep:
        xv = [r[0]["rho"] if sweep == "rho" else float(r[0]["n"])
              for r in runs[0]]
        out["fit"] = [_rate_fits(runs[k], xv, name, sweep, nm[k])
                      for k, name in enumerate(kernels)]
    return out


def plan(templates, n, alphabet, solver="auto", memory=None, cls=True):
    """tkc_krr_plan_expected: before any sampling, the solve `tkc krr`
    would take for n strings at this alphabet and why, each path's
    predicted bytes and flops, and the limits at the budget: a dict with
    solver, solver_reason, structured_factored, solver_plan (as a run's),
    dense_n_max, structured_n_max, structured_alphabet_min."""
    tset = as_templates(templates, cls=cls)
    p, lim = _plan(tset, n, alphabet, krr_options(solver=solver,
                                                  memory=memory))
    return dict(solver=text(lib.tkc_krr_solver_name(p.chosen)),
                solver_reason=text(p.reason),
                structured_factored=bool(p.structured_factored),
                solver_plan=plan_figures(p), dense_n_max=lim.dense_n_max,
                structured_n_max=lim.structured_n_max,
                structured_alphabet_min=lim.structured_alphabet_min)


# ---------------------------------------------------------------- settings

def _list(v, name):
    if v is None:
        return []
    v = [v] if isinstance(v, (int, np.integer)) else list(v)
    if not v or any(not isinstance(x, (int, np.integer)) or x < 1 for x in v):
        raise InputError(f"{name}: positive integers, got {v!r}")
    return [int(x) for x in v]


def _settle(tset, ns, alphabets, noise, seeds, sweep):
    """The command's defaults by mode (cmd_krr.c's settle_lists)."""
    w = max(tset.max_wildcards, 1)
    if sweep == "n":
        ns = ns if len(ns) >= 2 else [25, 50, 100, 200, 400, 800, 1600]
        alphabets = alphabets or [100000]
        noise = 0.5 if noise is None else noise
        if len(alphabets) > 1:
            raise InputError("sweep n takes one alphabet")
    elif sweep == "rho":
        alphabets = alphabets if len(alphabets) >= 2 else \
            [w << i for i in range(7)]
        ns = ns or [1000]
        if len(ns) > 1:
            raise InputError("sweep rho takes one n")
    elif sweep is None:
        if not ns:
            raise InputError("n is required")
        alphabets = alphabets or [1000]
        if len(ns) > 1 and len(alphabets) > 1:
            raise InputError("give a list for n or for alphabet, not both")
    else:
        raise InputError(f"sweep expects 'n' or 'rho', got {sweep!r}")
    seeds = (5 if sweep else 1) if seeds is None else seeds
    if not isinstance(seeds, (int, np.integer)) or not 1 <= seeds <= 10000:
        raise InputError(f"seeds must be in 1..10000, got {seeds!r}")
    for a in alphabets:
        if a < w:
            raise InputError(f"alphabet {a} is smaller than the {w} "
                             "wildcards of some template")
    return ns, alphabets, 0.0 if noise is None else float(noise), int(seeds)


def _plan(tset, n, alphabet, opt):
    p = ffi.new("tkc_krr_plan *")
    lim = ffi.new("tkc_krr_limits *")
    call(lib.tkc_krr_plan_expected, tset._set, n, alphabet, opt, p, lim)
    return p, lim


def _check_plan(tset, n, alphabet, opt):
    """Refuse an (n, alphabet) that no solver fits (cmd_krr.c's
    check_plans), saying what would fit."""
    p, lim = _plan(tset, n, alphabet, opt)
    if p.chosen != lib.TKC_KRR_SOLVER_AUTO:
        return
    rho = tset.rho(alphabet)
    alt = ""
    if opt.solver != lib.TKC_KRR_SOLVER_DENSE:
        alt = (f"; the structured path needs few strings sharing a symbol "
               f"(here {2 * p.shared_pairs / p.n:.3g} other strings each, "
               f"expected) and its arrays to fit: it fits n <= "
               f"{lim.structured_n_max} at this alphabet, and this n at "
               f"alphabet >= {lim.structured_alphabet_min:.3g} (rho >= "
               f"{lim.structured_alphabet_min * rho / alphabet:.3g})")
    raise InputError(f"n {n} at alphabet {alphabet} (rho {rho:.4g}) fits no "
                     f"solver in {p.memory_bytes * 1e-9:.3g} GB: the dense "
                     f"path needs a {p.dense_bytes * 1e-9:.3g} GB kernel "
                     f"matrix (it fits n <= {lim.dense_n_max}){alt}")


# ---------------------------------------------------------------- one run

def _draw(tset, n, alphabet, test, noise, seed):
    out = ffi.new("tkc_sample **")
    call(lib.tkc_sample_draw, tset._set, n, alphabet, 1 if test else 0,
         noise, seed & (2**64 - 1), out)
    return ffi.gc(out[0], lib.tkc_sample_free)


def _sum_sq(d):
    """Σ d_i² summed in order, as the command sums it."""
    s = 0.0
    for v in (d * d).tolist():
        s += v
    return s


def _run(tset, spec, opt, n, alphabet, seed, noise, test_n):
    """Draw, fit, predict, score: one run (cmd_krr.c's run_one)."""
    rho = tset.rho(alphabet)
    train = _draw(tset, n, alphabet, False, noise, seed)
    test = _draw(tset, test_n, alphabet, True, 0.0, seed ^ TEST_SEED_MIX)
    m = fit_c(spec, tset, train.strings, train.template_index, train.label,
              opt)
    labels = _native.as_array(test.label, test_n)
    pred = predict_replicates(m, test.strings, test_n)
    test_mse = [_sum_sq(p - labels) / test_n for p in pred]
    r = tset.count
    count = [np.bincount(_native.as_array(s.template_index, s.strings.count,
                                          np.uintp).astype(np.intp),
                         minlength=r) for s in (train, test)]
    return dict(n=n, alphabet=alphabet, rho=rho, seed=seed, test_n=test_n,
                model=m, score=score_c(m, tset), test_mse=test_mse,
                train_count=count[0], test_count=count[1])


def _nmatrix(tset, spec):
    """N's decision at the fit's kernel options, as `tkc krr` makes it."""
    o = ffi.new("tkc_nmatrix_options *")
    lib.tkc_nmatrix_options_default(o)
    o.ladder = 0
    o.generic = 0
    return _decide(tset, spec, o)[1]


def _inv_norm(d):
    return (float("inf") if d.verdict == lib.TKC_NMATRIX_SINGULAR
            else d.inv_norm)


def _run_figures(tset, r, kernel, d):
    """One run as `tkc krr --json` prints it (json_result)."""
    m, fig = r["model"], model_figures(r["model"])
    sc = score_figures(m, tset, r["score"])
    computed = m.kernel_error != lib.TKC_KRR_KERNEL_ERROR_NOT_COMPUTED
    out = dict(kernel=kernel, estimator=fig.pop("estimator"), n=r["n"],
               alphabet=r["alphabet"], rho=r["rho"], seed=r["seed"],
               train_mse=fig.pop("train_mse"),
               train_mse_kernel_se=fig.pop("train_mse_kernel_se"),
               test_mse=r["test_mse"][0],
               test_mse_kernel_se=_sd(r["test_mse"]) if computed else None,
               test_mse_population=sc["test_mse_population"],
               test_mse_population_kernel_se=sc[
                   "test_mse_population_kernel_se"],
               kernel_error_method=fig.pop("kernel_error_method"),
               kernel_replicates=fig.pop("kernel_replicates"),
               test_n=r["test_n"], label_mean=sc["label_mean"],
               label_variance=sc["label_variance"])
    out.update(fig)
    out.update(nmatrix_verdict=text(lib.tkc_nmatrix_verdict_name(d.verdict)),
               nmatrix_sigma_min=d.sigma_min, nmatrix_inv_norm=_inv_norm(d),
               nmatrix_eig_min=d.eig_min,
               nmatrix_resolved=d.verdict == lib.TKC_NMATRIX_NONSINGULAR)
    out["per_template"] = [dict(p, train_count=int(r["train_count"][t]),
                                test_count=int(r["test_count"][t]))
                           for t, p in enumerate(sc["per_template"])]
    return out


# ---------------------------------------------------------------- statistics

def _sd(v):
    v = np.ascontiguousarray(v, dtype=np.float64)
    return lib.tkc_krr_replicate_sd(ffi.from_buffer("double[]", v), len(v))


def _mean_se(v):
    """Mean and standard error summed in order (cmd_krr_print.c)."""
    s = 0.0
    for x in v:
        s += x
    s /= len(v)
    q = 0.0
    for x in v:
        q += (x - s) * (x - s)
    return s, (np.sqrt(q / (len(v) - 1) / len(v)) if len(v) > 1 else None)


def _train_of(r, q):
    return r["model"].replicate_train_mse[q]


def _test_of(r, q):
    return r["test_mse"][q]


def _pop_of(r, q):
    return r["score"].replicate_mse_population[q]


def _replicates(runs):
    """The kernel estimates every run of a kernel has (cmd_krr_print.c's
    replicates_of)."""
    return min(r["model"].replicates for row in runs for r in row)


def _mean_kernel_se(row, nq, f):
    """The kernel error of the mean over seeds of f(run, q)."""
    v = []
    for q in range(nq):
        s = 0.0
        for r in row:
            s += f(r, q)
        v.append(s / len(row))
    return _sd(v)


def _point(row, kernel, nq):
    """One point of the curve: the runs of one x over the seeds, nq the
    kernel estimates every run of the kernel has."""
    m0 = row[0]["model"]
    kerr = nq > 1 or m0.kernel_error == lib.TKC_KRR_KERNEL_ERROR_NONE
    kse = lambda f: _mean_kernel_se(row, nq, f) if kerr else None
    test, test_se = _mean_se([r["test_mse"][0] for r in row])
    pop, pop_se = _mean_se([r["score"].test_mse_population for r in row])
    train, _ = _mean_se([r["model"].train_mse for r in row])
    rcond = float("inf")
    for r in row:
        rcond = min(rcond, r["model"].solve.rcond)
    return dict(kernel=kernel, n=row[0]["n"], alphabet=row[0]["alphabet"],
                rho=row[0]["rho"], seeds=len(row), kernel_replicates=nq,
                train_mse=train, train_mse_kernel_se=kse(_train_of),
                test_mse=test, test_mse_se=test_se,
                test_mse_kernel_se=kse(_test_of), test_mse_population=pop,
                test_mse_population_se=pop_se,
                test_mse_population_kernel_se=kse(_pop_of),
                label_variance=row[0]["score"].label_variance,
                rcond_min=rcond,
                lambda_used_max=max([0.0] + [r["model"].solve.lambda_used
                                             for r in row]),
                escalations=sum(r["model"].solve.escalations for r in row),
                solver=text(lib.tkc_krr_solver_name(m0.plan.chosen)))


def _rate_points(runs, xv, q):
    x = [xv[i] for i, row in enumerate(runs) for _ in row]
    y = [np.sqrt(_pop_of(r, q)) for row in runs for r in row]
    return x, y


def _ci(lo, hi, ok):
    return [lo, hi] if ok else [None, None]


def _rate_fits(runs, xv, kernel, sweep, d):
    """Theorem 3.4's fits of the test RMSE against x over a kernel's runs
    (cmd_krr_print.c's fit_rates): the whole range, the tail, the local
    slopes, a + c/sqrt(x), each slope with its kernel error."""
    x, y = _rate_points(runs, xv, 0)
    slope_ok, s = rates.fit_slope(x, y)
    try:
        fl = rates.floor(x, y)
    except InputError:
        fl = dict(a=0.0, c=0.0)
    tail_ok, t = rates.fit_tail(x, y)
    try:
        local = rates.local_slopes(x, y)
    except InputError:
        local = []
    nq = _replicates(runs)
    sv, tv = [], []
    for q in range(nq):
        xq, yq = _rate_points(runs, xv, q)
        sv.append(rates.fit_slope(xq, yq)[1].slope)
        tv.append(rates.fit_tail(xq, yq)[1].slope.slope)
    slope_kse, tail_kse = _sd(sv), _sd(tv)
    kerr = nq > 1
    ts = ffi.addressof(t, "slope")
    return dict(
        kernel=kernel, variable=sweep, quantity="test RMSE", points=s.points,
        slope=s.slope if slope_ok else None,
        slope_ci95=_ci(s.slope_lo, s.slope_hi, slope_ok),
        kernel_replicates=nq, slope_kernel_se=slope_kse if kerr else None,
        slope_ci95_with_kernel=_ci(*rates.slope_interval_with(s, slope_kse),
                                   slope_ok and kerr),
        tail=dict(x_min=t.x_min, values=t.xs, values_total=t.xs_total,
                  curved_throughout=bool(t.curved_throughout),
                  slope=ts.slope if tail_ok else None,
                  slope_ci95=_ci(ts.slope_lo, ts.slope_hi, tail_ok),
                  slope_kernel_se=tail_kse if kerr else None,
                  slope_ci95_with_kernel=_ci(
                      *rates.slope_interval_with(ts, tail_kse),
                      tail_ok and kerr),
                  curvature=t.curvature, curvature_se=t.curvature_se),
        local_slopes=[dict(x_lo=w["x_lo"], x_hi=w["x_hi"],
                           x_center=w["x_center"], slope=w["slope"],
                           slope_ci95=w["slope_ci"]) for w in local],
        theorem_exponent=-0.5, floor_a=fl["a"], coef_c=fl["c"],
        nmatrix_inv_norm=_inv_norm(d),
        nmatrix=dict(verdict=text(lib.tkc_nmatrix_verdict_name(d.verdict)),
                     inv_norm=_inv_norm(d), inv_norm_upper=d.inv_norm_upper,
                     sigma_min_lower=d.sigma_min_lower,
                     confidence=d.confidence))


__all__ = ["krr", "plan"]
