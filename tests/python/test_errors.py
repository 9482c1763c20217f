"""Bad input is a tkc.Error (tkc.InputError, also a ValueError) carrying the
C library's message, which names what and where."""
import numpy as np
import pytest

import tkc


def message(fn, *args, **kw):
    with pytest.raises(tkc.InputError) as e:
        fn(*args, **kw)
    assert isinstance(e.value, ValueError) and e.value.status == "bad input"
    return e.value.message


def test_unequal_lengths():
    assert "xs[1] has 2 symbols" in message(tkc.gram, ["abc", "ab"])
    assert "equal length" in message(tkc.gram, ["abc"], ["ab"])


def test_options():
    assert "unknown kernel option 'betta'" in message(tkc.gram, ["ab"],
                                                      betta=2)
    assert message(tkc.gram, ["ab"], estimator="best") == \
        "unknown estimator 'best' (mc, qmc, series, cvmc, auto)"
    assert message(tkc.gram, ["ab"], kernel="attn", estimator="mc",
                   samples=0) == "samples must be in [1, 1099511627776], got 0"
    assert "beta expects a finite number, got 'nan'" in message(
        tkc.gram, ["ab"], beta=float("nan"))
    assert message(tkc.kernel, "ab", "ba", kernel="attn", estimator="mc",
                   target_se=1e-3).startswith(
        "target_se is not read by the mc estimator (it is read by auto); "
        "mc reads samples")


def test_templates():
    m = message(tkc.Templates, ["+1 α α", "-1 α"])
    assert m.startswith("<templates>:2:")
    assert "no such file, and no template set of that name" in message(
        tkc.Templates, "majority7")
    assert "majority7" in message(tkc.nmatrix, "majority7")
    assert message(tkc.Templates, "./no/such.tpl") == \
        "./no/such.tpl: cannot open: No such file or directory"


def test_labels_and_strings():
    with pytest.raises(ValueError):
        tkc.TemplateKernelRidge().fit(["ab", "ba"], [1.0, np.nan])
    with pytest.raises(tkc.InputError):
        tkc.gram([])
    with pytest.raises(TypeError, match="token argument must be a string"):
        tkc.gram([[{"a": 1}, "b"]])
    assert "length must be in 1..64" in message(tkc.gram, ["a" * 65])


def test_series_errors():
    assert "even" in message(tkc.series, "aba_abb", order=5)
    assert "beta needs gamma" in message(tkc.series, "ab", "ba", beta=0.1)


def test_status_of_numerical_failure_is_not_input():
    # the series refuses where it is not useful: outside the valid range
    with pytest.raises(tkc.Error) as e:
        tkc.kernel("aCbd", "bCad", kernel="attn", estimator="series", beta=3)
    assert e.value.status in ("outside the valid range", "bad input")
