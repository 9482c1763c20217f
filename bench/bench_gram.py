#!/usr/bin/python3
"""tkc.gram from Python against the same call in C (bench_gram.c): the
100 × 100 Gram matrix of the transformer kernel on majority-5 strings, the
acceptance of issue 13 (<= 1 s, within 1.2x of C).

    bench/bench_gram.py [--build DIR] [--rounds R] [--n N] [--set NAME]
                        [NAME=VALUE ...]

Alternates A B A B: one call in the C program, one tkc.gram in this
process, R rounds each (the C program is started once per round and times
the call alone, so neither side counts a process start).  Prints each
side's median wall time, the ratio Python / C, and whether the Python call
is within the acceptance.  Both sides compute the same matrix (its entry
sum is compared digit for digit).  Run it on a quiet machine.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(here, "..", "build"))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--alphabet", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", default="majority5")
    ap.add_argument("options", nargs="*", help="kernel options NAME=VALUE")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    sys.path.insert(0, os.path.join(build, "python"))
    os.environ.setdefault("TKC_TEMPLATES", os.path.join(here, "..", "data", "templates"))
    import tkc

    opts = dict(o.split("=", 1) for o in a.options)
    strings = tkc.Templates(a.set).sample(a.n, a.alphabet, seed=a.seed).strings
    c_exe = os.path.join(build, "bench", "bench_gram")
    c_times, py_times = [], []
    for _ in range(a.rounds):
        out = subprocess.run([c_exe, a.set, str(a.n), str(a.alphabet), str(a.seed),
                              "1", *a.options], capture_output=True, text=True,
                             check=True).stdout.split()
        fields = dict(w.split("=") for w in out)
        c_times.append(float(fields["seconds"]))
        t0 = time.perf_counter()
        K, se = tkc.gram(strings, **opts)
        py_times.append(time.perf_counter() - t0)
        total = 0.0                     # summed in C's order: the same digits
        for v in K.ravel().tolist():
            total += v
        assert total == float(fields["sum"]), (total, fields["sum"])
    c, py = statistics.median(c_times), statistics.median(py_times)
    ratio = py / c
    print(f"{a.n} x {a.n} Gram, {a.set}, kernel options {opts or 'defaults'}; "
          f"{fields['patterns']} distinct patterns; {a.rounds} rounds, alternating")
    print(f"C      tkc_gram_matrix  median {c:.4f} s  (all: {', '.join(f'{t:.3f}' for t in c_times)})")
    print(f"Python tkc.gram         median {py:.4f} s  (all: {', '.join(f'{t:.3f}' for t in py_times)})")
    print(f"ratio Python / C: {ratio:.3f}   acceptance (<= 1 s, ratio <= 1.2): "
          f"{'met' if py <= 1.0 and ratio <= 1.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
