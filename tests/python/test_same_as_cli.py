"""Python's results equal the command line's --json digit for digit, for
the same options and seed: kernel values, Gram entries, the series and its
coefficient matrices, N and its verdicts, check, samples, and a ridge fit
on the same data."""
from fractions import Fraction

import numpy as np
import pytest

import tkc
from conftest import cli, plain, same

PAIR = ("aCbd", "bCad")


@pytest.mark.parametrize("kernel", ["attn", "trans"])
@pytest.mark.parametrize("estimator", ["mc", "qmc", "series", "cvmc", "auto"])
def test_kernel_sampled(kernel, estimator):
    size = {"mc": dict(samples=20000), "cvmc": dict(samples=20000),
            "qmc": dict(points=512), "series": {}, "auto": {}}[estimator]
    opts = dict(kernel=kernel, estimator=estimator, beta=0.5, gamma=0.7,
                seed=7, **size)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in opts.items()]
    flags = [w for f in flags for w in f.split("=", 1)]
    js = cli("kernel", *PAIR, *flags)
    assert same(plain(tkc.kernel(*PAIR, **opts)), js) == []


@pytest.mark.parametrize("kernel", ["mlp", "mlpxx"])
@pytest.mark.parametrize("act", ["cos", "relu", "erf"])
def test_kernel_closed_forms(kernel, act):
    js = cli("kernel", "abcC", "abdC", "--kernel", kernel, "--act", act,
             "--depth", 2)
    py = tkc.kernel("abcC", "abdC", kernel=kernel, act=act, depth=2)
    assert same(plain(py), js) == []


def test_gram_entry_is_the_kernel_value():
    # a 1 x 1 Gram has the digits of `tkc kernel` (the representative pair
    # is a relabelling, which the estimators do not see)
    opts = dict(kernel="trans", estimator="mc", samples=4096, beta=4,
                gamma=2, seed=3)
    js = cli("kernel", "a b [CLS]", "c c [CLS]", "--kernel", "trans",
             "--estimator", "mc", "--samples", 4096, "--beta", 4, "--gamma",
             2, "--seed", 3)
    K, se = tkc.gram(["a b [CLS]"], ["c c [CLS]"], **opts)
    assert (K[0, 0], se[0, 0]) == (js["value"], js["stderr"])


def test_series_pair():
    js = cli("series", "aC", "bC", "--order", 8, "--gamma", "1/2", "--beta",
             0.25)
    py = tkc.series("aC", "bC", 8, gamma=Fraction(1, 2), beta=0.25)
    assert py["coefficients"] == {(c["beta_power"], c["gamma_power"]):
                                  Fraction(c["value"])
                                  for c in js["coefficients"]}
    assert py["gamma2"] == Fraction(js["gamma2"])
    assert py["beta_coefficients"] == {b["beta_power"]: Fraction(b["value"])
                                       for b in js["beta_coefficients"]}
    assert [float(py["beta_coefficients"][b["beta_power"]])
            for b in js["beta_coefficients"]] == \
        [b["approx"] for b in js["beta_coefficients"]]
    assert same(plain(py["sum"]), js["sum"]) == []
    assert same(plain({k: py[k] for k in ("x", "y", "k", "order")}),
                {k: js[k] for k in ("x", "y", "k", "order")}) == []


def test_series_set():
    js = cli("series", "aba_abb", "--order", 6)
    py = tkc.series("aba_abb", order=6)
    for m in js["monomials"]:
        m["matrix"] = [[Fraction(q) for q in row] for row in m["matrix"]]
    assert same(plain(py), js) == []


NMATRIX_CASES = [
    ("same_different", ["--kernel", "attn", "--estimator", "mc",
                        "--samples", 40000]),
    ("same_different", ["--kernel", "mlp"]),
    ("aba_abb", ["--kernel", "mlpxx"]),
    ("majority3", ["--kernel", "trans", "--estimator", "qmc", "--points",
                   4096, "--beta", 4, "--gamma", 2]),
    ("abab_aabb", ["--kernel", "trans", "--estimator", "mc", "--samples",
                   4096, "--auto-refine", "--seed", 5]),
]


def _keywords(flags):
    """Command-line flags as keywords: --auto-refine -> auto_refine=True."""
    out, i = {}, 0
    while i < len(flags):
        key = flags[i][2:].replace("-", "_")
        if i + 1 < len(flags) and not str(flags[i + 1]).startswith("--"):
            value = flags[i + 1]
            out[key] = float(value) if isinstance(value, float) else value
            i += 2
        else:
            out[key] = True
            i += 1
    return out


@pytest.mark.parametrize("name,flags", NMATRIX_CASES)
def test_nmatrix(name, flags):
    js = cli("nmatrix", name, *flags)
    py = tkc.nmatrix(name, **_keywords(flags))
    assert same(plain(py), js) == []
    assert py["N"].shape == (len(js["N"]),) * 2


@pytest.mark.parametrize("name", ["same_different", "aba_abb"])
def test_check(name):
    flags = ["--beta", 4, "--gamma", 2]
    js = cli("check", name, *flags)
    py = tkc.check(name, beta=4, gamma=2)
    assert same(plain(py), js, skip={"seconds", "cpu_seconds", "summary",
                                     "expectations_met"}) == []


def test_check_chosen_accuracy():
    flags = ["--estimator", "mc", "--samples", 20000, "--no-auto-refine"]
    js = cli("check", "same_different", *flags)
    py = tkc.check("same_different", estimator="mc", samples=20000,
                   auto_refine=False)
    assert same(plain(py), js, skip={"seconds", "cpu_seconds", "summary",
                                     "expectations_met"}) == []


@pytest.mark.parametrize("test_split", [False, True])
def test_sample(test_split):
    flags = ["-n", 12, "--alphabet", 20, "--seed", 3, "--noise", 0.25]
    js = cli("templates", "sample", "majority3", *flags,
             *(["--test"] if test_split else []))
    s = tkc.Templates("majority3").sample(12, 20, seed=3, test=test_split,
                                          noise=0.25)
    assert s.strings == [x["tokens"] for x in js["samples"]]
    assert s.labels.tolist() == [x["label"] for x in js["samples"]]


def test_templates_check():
    js = cli("templates", "check", "raven", "--alphabet", 100)
    t = tkc.Templates("raven")
    py = dict(file=t.file, count=t.count, k=t.k, cls_appended=t.cls_appended,
              labels=t.labels, nsymbols=len(t.symbols),
              max_wildcards=t.max_wildcards, templates=t.templates,
              rho=t.rho(100))
    assert same(plain(py), {k: js[k] for k in py}) == []


@pytest.mark.parametrize("kernel,opts", [
    ("mlpxx", {}),
    ("trans", dict(estimator="mc", samples=8192, beta=4, gamma=2, b1=0.5)),
])
def test_ridge_fit_as_krr(kernel, opts):
    """One `tkc krr` run is: draw, fit (structured), predict on a test
    draw, score against the templates; the estimator does the same."""
    n, A, seed, noise = 40, 50, 4, 0.1
    flags = [w for k, v in opts.items()
             for w in (f"--{k.replace('_', '-')}", v)]
    js = cli("krr", "aba_abb", "--n", n, "--alphabet", A, "--seed", seed,
             "--noise", noise, "--kernel", kernel, *flags)
    T = tkc.Templates("aba_abb")
    train = T.sample(n, A, seed=seed, noise=noise)
    test = T.sample(js["test_n"], A, seed=seed ^ 0x9E3779B97F4A7C15,
                    test=True)
    model = tkc.TemplateKernelRidge(kernel=kernel, templates=T, seed=seed,
                                    **opts).fit(train.strings, train.labels)
    info, score = model.fit_info_, model.score_templates()
    labels = np.array([T.templates[t]["label"] for t in test.templates])
    mse = []                        # summed in order, as the command does
    for pred in model.predict_replicates(test.strings):
        s = 0.0
        for d in pred - labels:
            s += d * d
        mse.append(s / len(labels))
    # the fit's figures and the score, every key the command prints for
    # them (the run's own: its sizes, seed and N's figures, aside)
    py = dict(info, test_mse=mse[0],
              test_mse_kernel_se=(np.std(mse, ddof=1) if len(mse) > 1
                                  else 0.0))
    py.update({k: v for k, v in score.items()
               if k not in ("replicate_mse_population",)})
    py["per_template"] = [
        dict(p, train_count=int(sum(train.templates == t)),
             test_count=int(sum(test.templates == t)))
        for t, p in enumerate(score["per_template"])]
    own = {"file", "kernel", "n", "alphabet", "rho", "seed", "test_n",
           "nmatrix_verdict", "nmatrix_sigma_min", "nmatrix_inv_norm",
           "nmatrix_eig_min", "nmatrix_resolved"}
    assert set(js) - set(py) == own
    kse = py.pop("test_mse_kernel_se")          # numpy's spread, to rounding
    assert kse == pytest.approx(js["test_mse_kernel_se"], rel=1e-12)
    assert same(plain(py), {k: js[k] for k in py}) == []


def test_option_messages_are_the_commands():
    """One table of options: the same refusal, spelled each side's way."""
    with pytest.raises(tkc.InputError) as e:
        tkc.kernel("ab", "ba", kernel="attn", estimator="qmc", samples=1000)
    from conftest import cli_error
    status, stderr = cli_error("kernel", "ab", "ba", "--kernel", "attn",
                               "--estimator", "qmc", "--samples", 1000)
    assert status == 2
    assert stderr.strip() == "tkc kernel: " + e.value.message.replace(
        "samples", "--samples").replace("points", "--points").replace(
        "replicates", "--replicates")
