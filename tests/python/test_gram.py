"""tkc.gram against independent values: the exact β = 0 kernel, the closed
forms entry by entry, single evaluations within their errors; symmetric and
positive semidefinite within its error; relabelling and common random
numbers."""
import itertools

import numpy as np
import pytest

import tkc

SAME_DIFFERENT = tkc.Templates("same_different")


def strings(n=30, alphabet=8, seed=1, templates=SAME_DIFFERENT):
    return templates.sample(n, alphabet, seed=seed).strings


def test_beta_zero_is_exact():
    # At β = 0 the softmaxes are uniform: K_attn(x, y) = #{(a, b): x_a = y_b}
    # / k² + γ² / k (docs/mathematics.md), counted here by brute force.
    xs = ["aab", "abc", "cba", "bbb", "cab"]
    gamma = 0.75
    K, se = tkc.gram(xs, kernel="attn", estimator="mc", samples=64, beta=0,
                     gamma=gamma)
    for (i, x), (j, y) in itertools.product(enumerate(xs), repeat=2):
        k = len(x)
        matches = sum(a == b for a in x for b in y) / k ** 2
        assert K[i, j] == pytest.approx(matches + gamma ** 2 / k,
                                        rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("kernel", ["mlp", "mlpxx"])
def test_closed_forms_entry_by_entry(kernel):
    xs = strings(12)
    ys = strings(7, seed=2)
    K, se = tkc.gram(xs, ys, kernel=kernel, act="erf", depth=2)
    for i, j in itertools.product(range(len(xs)), range(len(ys))):
        v = tkc.kernel(xs[i], ys[j], kernel=kernel, act="erf", depth=2)
        assert (K[i, j], se[i, j]) == (v["value"], v["stderr"])


def test_sampled_entries_within_their_errors():
    # every entry against its own evaluation (another run of random
    # numbers): the difference is within a few of their joint errors
    xs = strings(8, alphabet=4)
    opts = dict(kernel="trans", estimator="mc", samples=20000, beta=4,
                gamma=2)
    K, se = tkc.gram(xs, **opts)
    z = []
    for i, j in itertools.combinations_with_replacement(range(len(xs)), 2):
        v = tkc.kernel(xs[i], xs[j], seed=11, **opts)
        if se[i, j] > 0:
            z.append((K[i, j] - v["value"]) /
                     np.hypot(se[i, j], v["stderr"]))
    z = np.array(z)
    assert np.all(np.abs(z) < 5), z
    assert len(z) >= 5


@pytest.mark.parametrize("opts", [
    dict(kernel="trans", estimator="qmc", points=256, beta=4, gamma=2),
    dict(kernel="attn", estimator="mc", samples=4096),
    dict(kernel="mlpxx"),
])
def test_symmetric_and_psd_within_error(opts):
    xs = strings(40, alphabet=6, seed=3)
    K, se = tkc.gram(xs, **opts)
    assert np.array_equal(K, K.T) and np.array_equal(se, se.T)
    # Weyl: eigenvalues move by at most ||E||_2 <= ||E||_F for |E| <= z·se;
    # z = 5 covers the 40·41/2 entries' statistical errors.
    radius = np.linalg.norm(5 * se)
    eig = np.linalg.eigvalsh(K)
    assert eig.min() >= -radius - 1e-12 * np.abs(eig).max(), (eig.min(),
                                                              radius)


def test_rectangular_and_its_transpose():
    xs, ys = strings(9), strings(5, seed=4)
    opts = dict(kernel="mlpxx")
    K, _ = tkc.gram(xs, ys, **opts)
    Kt, _ = tkc.gram(ys, xs, **opts)
    assert K.shape == (9, 5) and np.array_equal(K, Kt.T)


def test_relabelling_gives_the_same_digits():
    xs = strings(20, alphabet=5, seed=5)
    rename = {}
    ys = [[rename.setdefault(t, f"sym{len(rename)}") for t in x] for x in xs]
    opts = dict(kernel="trans", estimator="mc", samples=2048, seed=9)
    K1, se1 = tkc.gram(xs, **opts)
    K2, se2 = tkc.gram(ys, **opts)
    assert np.array_equal(K1, K2) and np.array_equal(se1, se2)


def test_common_random_numbers_and_seeds():
    xs = strings(15, alphabet=4, seed=6)
    opts = dict(kernel="trans", estimator="mc", samples=2048)
    K1, _, info = tkc.gram(xs, seed=1, info=True, **opts)
    K2, _ = tkc.gram(xs, seed=1, **opts)
    K3, _ = tkc.gram(xs, seed=2, **opts)
    assert np.array_equal(K1, K2)           # deterministic for a seed
    assert not np.array_equal(K1, K3)
    # equal patterns, equal values: as many distinct values as patterns
    assert len(np.unique(K1)) == info["patterns"]
    assert info["error_kind"] == "statistical" and info["estimator"] == "mc"


def test_tokens_of_any_kind():
    # plain strings one symbol per character, spaced ones split, lists of
    # str or int, numeric rows: only equality matters
    a = tkc.gram(["aab", "a b c"], kernel="mlpxx")[0]
    b = tkc.gram([[1, 1, 2], [1, 2, "z"]], kernel="mlpxx")[0]
    c = tkc.gram(np.array([[5.0, 5.0, 7.0], [5.0, 7.0, 3.0]]),
                 kernel="mlpxx")[0]
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_diag():
    xs = strings(6)
    d, dse = tkc.gram_diag(xs, kernel="mlp")
    K, se = tkc.gram(xs, kernel="mlp")
    assert np.array_equal(d, np.diag(K)) and np.array_equal(dse, np.diag(se))


def test_a_general_fit_uses_this_gram():
    # kernel ridge regression's general path builds K̂ with tkc.gram's own
    # pattern table: the same patterns in the same order, so the same
    # values, and α solves (K + αI) a = y for this K
    xs = strings(30, alphabet=5, seed=8)
    opts = dict(kernel="trans", estimator="mc", samples=4096, beta=4,
                gamma=2, seed=3)
    K, se, info = tkc.gram(xs, info=True, **opts)
    y = np.cos(np.arange(len(xs)))
    model = tkc.TemplateKernelRidge(alpha=0.01, **opts).fit(xs, y)
    fit = model.fit_info_
    assert fit["patterns"] == info["patterns"]
    assert fit["kernel_diag_max"] == np.diag(K).max()
    assert fit["kernel_se_max"] == info["se_max"] == se.max()
    a = np.linalg.solve(K + 0.01 * np.eye(len(xs)), y)
    assert fit["lambda_used"] == 0.01
    np.testing.assert_allclose(model.dual_coef_, a, rtol=1e-9,
                               atol=1e-9 * np.abs(a).max())
