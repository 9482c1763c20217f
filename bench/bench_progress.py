#!/usr/bin/python3
"""bench_progress.py — what progress costs, and how good the prediction
before a run is.

    /usr/bin/python3 bench/bench_progress.py [BUILD_DIR] [ROUNDS]

(1) The same command with --progress (its line on stderr, a report from the
library at most ~256 times a stage) and with --no-progress, alternating
(A B A B ..., bench/alternate.py), one thread: the ratio of wall times,
round by round.  The peer is tkc itself without progress: what a user
gives up by asking for the line.
(2) tkc_nmatrix_cost's predicted seconds of N's first round (the figure the
progress line and the time note print, an estimate from constants
measured on one machine) against the measured wall time of the run, on
the shipped sets, for mc and for auto.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import alternate  # noqa: E402

TIMING = len(sys.argv) > 1 and sys.argv[1] == "--time"   # one timed run
BUILD = sys.argv[1] if len(sys.argv) > 1 and not TIMING else "build"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 and not TIMING else 5
TKC = os.path.join(BUILD, "tkc")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = os.path.join(ROOT, "data", "templates")

CASES = [
    ("kernel, mc 2e8 evaluations",
     ["kernel", "aCbd", "bCad", "--kernel", "attn", "--estimator", "mc",
      "--samples", "2e8"]),
    ("nmatrix distribution_of_3, trans, mc 2^15",
     ["nmatrix", os.path.join(SETS, "distribution_of_3.tpl"), "--kernel",
      "trans", "--estimator", "mc", "--samples", "32768", "--no-generic"]),
]


def timed(argv):
    """Wall seconds of argv, its output thrown away; as measure() reads it."""
    t = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return f"wall={time.perf_counter() - t:.6f}"


def overhead():
    m = alternate.machine()
    for title, args in CASES:
        entries = [(flag, [sys.executable, __file__, "--time", TKC, *args,
                           flag], None)
                   for flag in ("--progress", "--no-progress")]
        res = alternate.alternate(entries, ROUNDS)
        alternate.header(f"== {title}: --progress vs --no-progress, "
                         f"{ROUNDS} rounds, 1 thread", m, res)
        on = [float(r["wall"]) for r in res["--progress"]]
        off = [float(r["wall"]) for r in res["--no-progress"]]
        print(f"--progress    wall s {alternate.spread(on)}")
        print(f"--no-progress wall s {alternate.spread(off)}")
        print(f"ratio on/off, round by round: "
              f"{alternate.spread([a / b for a, b in zip(on, off)])}")


def prediction():
    sys.path.insert(0, os.path.join(BUILD, "python"))
    os.environ.setdefault("TKC_TEMPLATES", SETS)
    import tkc
    print("== predicted (tkc_nmatrix_cost, an estimate) against measured, "
          "N of trans, its first round, no generic verdict, 1 thread")
    print(f"{'set':28s} {'estimator':10s} {'predicted s':>12s} "
          f"{'measured s':>11s} {'ratio':>6s}")
    # (relational_match_to_sample is left out: with auto it runs mc with the
    # covariance, some 4 minutes)
    for name in ("majority3", "majority5", "aba_abb", "distribution_of_3"):
        for est in ({"estimator": "mc", "samples": 65536},
                    {"estimator": "auto"}):
            opts = dict(kernel="trans", auto_refine=False, generic=False,
                        **est)
            cost = tkc.nmatrix_cost(name, **opts)
            t = time.perf_counter()
            tkc.nmatrix(name, **opts)
            wall = time.perf_counter() - t
            print(f"{name:28s} {est['estimator']:10s} "
                  f"{cost['seconds_first']:12.3g} {wall:11.3g} "
                  f"{cost['seconds_first'] / wall:6.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    if TIMING:
        print(timed(sys.argv[2:]))
    else:
        overhead()
        prediction()
