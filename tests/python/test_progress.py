"""progress= (tkc.progress): the library's stages reach a Python callable,
counted from 0 to their total in the stages' units, on the calling thread;
the numbers are those of a call without progress; an exception raised by
the callable comes back when the call returns; progress=True draws the
command line's line on stderr and clears it."""
import threading

import numpy as np
import pytest

import tkc
import tkc.progress


class Recorder:
    def __init__(self):
        self.events = []
        self.threads = set()

    def __call__(self, stage, done, total):
        self.events.append((stage, done, total))
        self.threads.add(threading.get_ident())

    def counted(self, needle):
        """The events of stages containing needle: each run of counts
        starts at 0, never goes back and ends at its total."""
        runs, last = [], None
        for stage, done, total in self.events:
            if needle not in stage:
                continue
            if done == 0 or last is None:
                runs.append([])
            runs[-1].append((done, total))
            last = done
        assert runs, (needle, self.events[:20])
        for run in runs:
            counts = [d for d, _ in run]
            assert counts[0] == 0 and counts == sorted(counts), run
            assert run[-1][0] == run[-1][1] > 0, run
        return runs


def test_check_reports_its_stages_and_keeps_its_numbers():
    rec = Recorder()
    opts = dict(beta=4, gamma=2, estimator="mc", samples=64, budget=2**22)
    quiet = tkc.check("same_different", **opts)
    told = tkc.check("same_different", progress=rec, **opts)
    for a, b in zip(quiet["kernels"], told["kernels"]):
        assert np.array_equal(a["N"], b["N"])
        assert a["verdict_words"] == b["verdict_words"]
        untimed = lambda c: {k: v for k, v in c.items() if k != "seconds"}
        assert untimed(a["certificate"]) == untimed(b["certificate"])
    stages = [s for s, _, _ in rec.events]
    assert any(s.startswith("round 1 of ≤ ") for s in stages), stages[:20]
    assert any(s.startswith("certificate: ") for s in stages)
    rec.counted("K_attn mc")
    rec.counted("generic verdict: coefficients to order")
    assert rec.threads == {threading.get_ident()}


def test_gram_counts_the_evaluations():
    rec = Recorder()
    xs = ["aab", "abb", "cca"]
    K0, se0 = tkc.gram(xs, kernel="trans", estimator="mc", samples=2**16)
    K, se, info = tkc.gram(xs, kernel="trans", estimator="mc", samples=2**16,
                           info=True, progress=rec)
    assert np.array_equal(K, K0) and np.array_equal(se, se0)
    (run,) = rec.counted("K_attn mc")
    assert run[-1][1] == info["samples"] == 2**16


def test_series_of_a_set_counts_patterns():
    rec = Recorder()
    out = tkc.series("same_different", order=4, progress=rec)
    runs = rec.counted("coefficients to order 4")
    assert runs[-1][-1][1] == out["patterns"]


def test_an_exception_comes_back_after_the_call():
    calls = []

    def failing(stage, done, total):
        calls.append(stage)
        raise KeyError("stop")

    with pytest.raises(KeyError):
        tkc.kernel("aCbd", "bCad", kernel="attn", estimator="mc",
                   samples=2**14, progress=failing)
    assert len(calls) == 1       # not called again once it has failed


def test_bad_progress_is_refused():
    with pytest.raises(TypeError):
        tkc.kernel("ab", "ba", kernel="mlp", progress="yes")


def test_the_line(monkeypatch, capsys):
    now = [100.0]
    monkeypatch.setattr(tkc.progress.time, "monotonic", lambda: now[0])
    line = tkc.progress._Line()
    line("K_attn mc, 3 patterns", 0, 4000)
    now[0] = 101.0
    line("K_attn mc, 3 patterns", 1000, 4000)
    assert capsys.readouterr().err == ""          # nothing before 2 s
    now[0] = 103.0
    line("K_attn mc, 3 patterns", 2000, 4000)     # half in 3 s: 3 s left
    assert capsys.readouterr().err == (
        "\rtkc: K_attn mc, 3 patterns 50%: 3s, ~3s left\033[K")
    line.close()
    assert capsys.readouterr().err == "\r\033[K"


def test_nmatrix_cost_matches_the_run():
    # what the first round will spend, counted before it runs: the mc
    # samples asked for, on the set's r and k; the seconds are estimates
    args = dict(kernel="trans", estimator="mc", samples=4096,
                auto_refine=False)
    cost = tkc.nmatrix_cost("same_different", **args)
    out = tkc.nmatrix("same_different", **args)
    assert (cost["r"], cost["k"]) == (2, 3)
    assert cost["evaluations_first"] == cost["evaluations_max"] == 4096
    assert cost["rounds_max"] == 1
    assert cost["bytes"] > cost["bytes_kept"] > 0 and cost["peak_phase"]
    assert cost["seconds_max"] >= cost["seconds_first"] > 0
    assert out["N"].shape == (2, 2)
