"""Issue 12's ridge regression from Python: tkc.krr against `tkc krr --json`
(digit for digit: curves, sweeps and their rate fits, the solver and its
plan, every kernel error), the estimator's solver choice and kernel
replicates against independent computations (numpy's spread, scikit-learn's
KernelRidge on tkc.gram's K), and tkc.rates against closed forms."""
import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge

import tkc
from conftest import cli, plain, same

ABA = tkc.find("aba_abb")
SD = tkc.Templates("same_different")


def flags(**opts):
    return [w for k, v in opts.items()
            for w in (f"--{k.replace('_', '-')}", v)]


@pytest.mark.parametrize("args,opts", [
    # one run (a flat object), the transformer sampled
    (dict(n=30), dict(beta=4, gamma=2, b1=0.5, estimator="mc",
                      samples=8192)),
    # a learning curve over seeds: mean, ±data, ±kernel per point
    (dict(n=[50, 200], seeds=2), dict(beta=4, gamma=2, b1=0.5,
                                      estimator="mc", samples=20000)),
    # a sweep over n with a closed form (kernel error: none) and its fits
    (dict(sweep="n", n=[50, 100, 200], seeds=2), dict(kernel="mlpxx")),
    # the three kernels side by side against rho, QMC replicates
    (dict(sweep="rho", n=40, seeds=2, compare=True),
     dict(estimator="qmc", points=256)),
    # the structured solver, asked for, with two kernel estimates
    (dict(n=[60, 120], solver="structured", kernel_replicates=2),
     dict(beta=4, gamma=2, estimator="qmc", points=512)),
])
def test_krr_is_the_command(args, opts):
    cmd = []
    for k, v in args.items():
        if v is True:
            cmd.append(f"--{k}")
        elif isinstance(v, list):
            cmd += [f"--{k.replace('_', '-')}", ",".join(map(str, v))]
        else:
            cmd += [f"--{k.replace('_', '-')}", v]
    js = cli("krr", ABA, *cmd, *flags(**opts))
    py = tkc.krr(ABA, **args, **opts)
    assert same(plain(py), js) == []


def test_krr_refuses_what_fits_no_solver():
    with pytest.raises(tkc.InputError, match="fits no solver"):
        tkc.krr(SD, n=10**6, alphabet=3, memory=1, kernel="mlpxx")
    with pytest.raises(tkc.InputError, match="solver"):
        tkc.krr(SD, n=10, solver="fast")


def test_plan_limits():
    """The dense path fits n with 8n² bytes within the budget; at a
    large alphabet the structured path is planned for n = 10⁶."""
    p = tkc.krr_plan(SD, 10**6, 10**9, memory=4)
    assert p["dense_n_max"] == int(np.floor(np.sqrt(4e9 / 8)))
    assert p["solver"] == "structured"
    assert p["structured_n_max"] >= 10**6
    assert p["solver_plan"]["dense_bytes"] >= 8e12
    assert tkc.krr_plan(SD, 100, 1000)["solver"] == "dense"


# ---------------------------------------------------------------- estimator

def draw(n, alphabet=1000, seed=1, test=False):
    s = SD.sample(n, alphabet, seed=seed, test=test)
    return s.strings, s.labels


def test_dense_and_structured_agree():
    """Issue 12's acceptance from Python: the two solvers, same strings,
    a closed form, ρ small enough that many pairs share a symbol."""
    X, y = draw(300, alphabet=40)
    Xt, _ = draw(50, alphabet=40, seed=2, test=True)
    fits = {s: tkc.TemplateKernelRidge(kernel="mlpxx", templates=SD,
                                       solver=s).fit(X, y)
            for s in ("dense", "structured")}
    d, s = fits["dense"], fits["structured"]
    assert d.fit_info_["solver"] == "dense"
    assert s.fit_info_["solver"] == "structured"
    assert s.fit_info_["structured"]["converged"]
    np.testing.assert_allclose(s.dual_coef_, d.dual_coef_, rtol=1e-9,
                               atol=1e-9 * np.abs(d.dual_coef_).max())
    np.testing.assert_allclose(s.predict(Xt), d.predict(Xt), rtol=1e-9)
    with pytest.raises(tkc.InputError, match="template set"):
        tkc.TemplateKernelRidge(kernel="mlpxx", solver="structured").fit(X, y)


def test_kernel_error_is_the_spread_over_replicates():
    """Every kernel error is the sample standard deviation of the same
    number over the fit's kernel estimates (numpy here, C there)."""
    X, y = draw(80)
    Xt, _ = draw(20, seed=2, test=True)
    m = tkc.TemplateKernelRidge(beta=4, gamma=2, estimator="mc",
                                samples=4096, templates=SD,
                                kernel_replicates=5).fit(X, y)
    reps = m.predict_replicates(Xt)
    assert reps.shape == (5, 20)
    pred, kse = m.predict(Xt, return_kernel_se=True)
    np.testing.assert_array_equal(pred, m.predict(Xt))
    np.testing.assert_allclose(kse, reps.std(axis=0, ddof=1), rtol=1e-12)
    assert np.all(kse > 0)
    sc = m.score_templates()
    assert sc["kernel_replicates"] == 5
    np.testing.assert_allclose(sc["test_mse_population_kernel_se"],
                               np.std(sc["replicate_mse_population"],
                                      ddof=1), rtol=1e-12)
    assert m.fit_info_["kernel_error_method"] == "kernel replicates"
    # one estimate: no kernel error, said as None (never a silent 0)
    one = tkc.TemplateKernelRidge(beta=4, gamma=2, estimator="mc",
                                  samples=4096, templates=SD,
                                  kernel_replicates=1).fit(X, y)
    assert one.fit_info_["train_mse_kernel_se"] is None
    assert one.predict(Xt, return_kernel_se=True)[1] is None
    assert one.score_templates()["test_mse_population_kernel_se"] is None
    np.testing.assert_array_equal(one.dual_coef_, m.dual_coef_)
    # a closed form: rounding only, 0
    mlp = tkc.TemplateKernelRidge(kernel="mlpxx").fit(X, y)
    assert mlp.fit_info_["kernel_replicates"] == 1
    assert mlp.predict(Xt, return_kernel_se=True)[1].max() == 0


def test_predictions_are_kernel_ridges_on_the_gram():
    """Independently: scikit-learn's KernelRidge on tkc.gram's K (the
    same kernel values: the general path builds its K̂ the same way)."""
    X, y = draw(60)
    Xt, _ = draw(15, seed=2, test=True)
    opts = dict(kernel="mlpxx", beta=4, gamma=2)
    K, _ = tkc.gram(X, **opts)
    Kt, _ = tkc.gram(Xt, X, **opts)
    ref = KernelRidge(alpha=1e-3, kernel="precomputed").fit(K, y)
    m = tkc.TemplateKernelRidge(alpha=1e-3, **opts).fit(X, y)
    np.testing.assert_allclose(m.predict(Xt), ref.predict(Kt), rtol=1e-9,
                               atol=1e-12)
    assert m.fit_info_["solver"] == "dense"


# ---------------------------------------------------------------- rates

def test_rates_closed_forms():
    x = np.array([100., 200, 400, 800, 1600, 3200])
    y = 3 * x ** -0.5
    s = tkc.rates.slope(x, y)
    assert s["slope"] == pytest.approx(-0.5, abs=1e-12)
    assert s["intercept"] == pytest.approx(np.log(3), abs=1e-12)
    assert s["points"] == 6 and s["skipped"] == 0
    fl = tkc.rates.floor(x, 0.25 + 2 / np.sqrt(x))
    assert fl["a"] == pytest.approx(0.25, abs=1e-12)
    assert fl["c"] == pytest.approx(2, abs=1e-12)
    loc = tkc.rates.local_slopes(x, y, width=3)
    assert len(loc) == 4
    assert all(w["slope"] == pytest.approx(-0.5, abs=1e-12) for w in loc)
    assert loc[0]["x_center"] == pytest.approx(200)
    t = tkc.rates.tail(x, y)
    assert t["values"] == t["values_total"] == 6
    assert not t["curved_throughout"]
    assert t["slope"]["slope"] == pytest.approx(-0.5, abs=1e-12)


def test_rates_against_least_squares():
    """Noisy points: the slope and its standard error are ordinary least
    squares on the logs (numpy), the interval Student's t at 0.95."""
    rng = np.random.default_rng(3)
    x = np.repeat([100., 300, 1000, 3000, 10000], 4)
    y = 2 * x ** -0.6 * np.exp(0.05 * rng.standard_normal(x.size))
    y[0] = 0.0                                  # no logarithm: skipped
    s = tkc.rates.slope(x, y)
    u, v = np.log(x[1:]), np.log(y[1:])
    b, a = np.polyfit(u, v, 1)
    res = v - (a + b * u)
    se = np.sqrt(res @ res / (u.size - 2) / ((u - u.mean()) @ (u - u.mean())))
    assert s["skipped"] == 1 and s["points"] == x.size - 1
    assert s["slope"] == pytest.approx(b, rel=1e-10)
    assert s["slope_se"] == pytest.approx(se, rel=1e-8)
    t975 = 2.1098155778331806                   # Student t, 17 dof, 0.975
    assert s["slope_ci"][1] - s["slope"] == pytest.approx(t975 * se,
                                                         rel=1e-8)
    lo, hi = tkc.rates.interval_with(s, 0.1)
    assert hi - s["slope"] == pytest.approx(t975 * np.hypot(se, 0.1),
                                            rel=1e-8)
    with pytest.raises(tkc.InputError):
        tkc.rates.slope([1, 2], [1, 1])
