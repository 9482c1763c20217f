"""tkc.TemplateKernelRidge as a scikit-learn estimator: the library's own
checks (sklearn.utils.estimator_checks), and what it learns checked against
things known independently; tkc.TemplateKernel inside KernelRidge."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.kernel_ridge import KernelRidge
from sklearn.utils.estimator_checks import parametrize_with_checks

import tkc

SD = tkc.Templates("same_different")


# Every check applies: rows of a 2-D array are strings whose equal entries
# are equal symbols.  (check_regressor_data_not_an_array skips itself when
# pandas is not installed.)  The default kernel is the transformer's with a
# sampled estimator, mlpxx a closed form.
@parametrize_with_checks([tkc.TemplateKernelRidge(),
                          tkc.TemplateKernelRidge(kernel="mlpxx", alpha=0.1)])
def test_sklearn_checks(estimator, check):
    check(estimator)


def data(n, alphabet=1000, seed=1, test=False, templates=SD):
    s = templates.sample(n, alphabet, seed=seed, test=test)
    return s.strings, s.labels


def test_learns_same_different_on_unseen_symbols():
    """Theorem 3.4's setting: trained on one alphabet, tested on another.
    The transformer kernel (N nonsingular) gets the sign right on unseen
    symbols; the MLP kernel (N singular, exactly: it cannot tell αα from
    αβ on new symbols) predicts the same for both templates."""
    X, y = data(200)
    Xt, yt = data(200, seed=2, test=True)
    trans = tkc.TemplateKernelRidge(beta=4, gamma=2, estimator="qmc",
                                    points=1024).fit(X, y)
    assert np.all(np.sign(trans.predict(Xt)) == yt)
    mlp = tkc.TemplateKernelRidge(kernel="mlp").fit(X, y)
    p = mlp.predict(Xt)
    assert np.ptp(p) < 1e-9 * np.abs(p).max()


def test_structured_and_general_paths_agree():
    # a closed form: the same kernel values, so the same fit to rounding
    X, y = data(80, alphabet=6)
    Xt, _ = data(30, alphabet=6, seed=3)
    a = tkc.TemplateKernelRidge(kernel="mlpxx").fit(X, y)
    b = tkc.TemplateKernelRidge(kernel="mlpxx", templates=SD).fit(X, y)
    np.testing.assert_allclose(a.predict(Xt), b.predict(Xt), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, rtol=1e-8)


def test_population_error_is_the_test_error():
    # f̂ is constant on each template's unseen strings, so the mean squared
    # error over test strings is Σ_t (n_t/n) err_t; with a large sample it
    # approaches the population error Σ_t µ(t) err_t (µ uniform here)
    X, y = data(60)
    m = tkc.TemplateKernelRidge(templates=SD, beta=4, gamma=2,
                                estimator="qmc", points=512).fit(X, y)
    score = m.score_templates()
    Xt, yt = data(4000, seed=5, test=True)
    pred = m.predict(Xt)
    by_template = {tuple(p["template"].split()): p for p in
                   score["per_template"]}
    assert len(by_template) == 2
    which = SD.sample(4000, 1000, seed=5, test=True).templates
    for t, p in enumerate(score["per_template"]):
        assert np.all(pred[which == t] == p["prediction"])
    mse = np.mean((pred - yt) ** 2)
    errs = [p["test_mse"] for p in score["per_template"]]
    share = np.mean(which == 0)
    assert mse == pytest.approx(share * errs[0] + (1 - share) * errs[1],
                                rel=1e-12)
    # the two shares are binomial(4000, 1/2): within 5 standard errors
    assert abs(mse - score["test_mse_population"]) <= \
        5 * abs(errs[0] - errs[1]) * 0.5 / np.sqrt(4000) + 1e-15


def test_kernel_ridge_with_template_kernel():
    """scikit-learn's KernelRidge with tkc's kernel: one Gram per call
    (not one per pair of rows), and the fit tkc's own solve gives."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(50, 4)).astype(float)
    y = rng.standard_normal(50)
    Xt = rng.integers(0, 7, size=(20, 4)).astype(float)
    calls = []
    kern = tkc.TemplateKernel(kernel="mlpxx", act="relu")
    original = tkc.kernels.gram

    def counting(*a, **k):
        calls.append(1)
        return original(*a, **k)

    tkc.kernels.gram = counting
    try:
        sk = KernelRidge(alpha=1e-2, kernel=kern).fit(X, y)
        p_sk = sk.predict(Xt)
    finally:
        tkc.kernels.gram = original
    assert len(calls) == 2                      # fit: K(X, X); predict: K(Xt, X)
    ours = tkc.TemplateKernelRidge(kernel="mlpxx", act="relu",
                                   alpha=1e-2).fit(X, y)
    np.testing.assert_allclose(p_sk, ours.predict(Xt), rtol=1e-9, atol=1e-12)
    assert clone(kern).get_params() == kern.get_params()


def test_predictions_depend_on_the_call_only_for_sampled_kernels():
    """Common random numbers: a sampled kernel's prediction for a string
    depends, within its error, on the other strings predicted with it; a
    closed form's does not."""
    X, y = data(40, alphabet=5)
    Xt, _ = data(6, alphabet=5, seed=7)
    sampled = dict(estimator="mc", samples=16384, beta=4, gamma=2)
    for kernel, opts, exact in [("mlpxx", {}, True),
                                ("trans", sampled, False)]:
        m = tkc.TemplateKernelRidge(kernel=kernel, **opts).fit(X, y)
        together = m.predict(Xt)
        alone = np.array([m.predict([x])[0] for x in Xt])
        assert np.array_equal(together, alone) == exact
        # another estimate of the same thing: the kernel's errors (~1e-3
        # here) times the dual coefficients, large at a small ridge
        np.testing.assert_allclose(together, alone, atol=0.25)


def test_pickle_and_clone_keep_the_digits():
    X, y = data(30, alphabet=5)
    m = tkc.TemplateKernelRidge(templates=SD, estimator="mc",
                                samples=2048).fit(X, y)
    m2 = pickle.loads(pickle.dumps(m))
    assert np.array_equal(m.predict(X), m2.predict(X))
    assert m2.score_templates() == m.score_templates()
    c = clone(m).fit(X, y)
    assert np.array_equal(c.dual_coef_, m.dual_coef_)
