#!/usr/bin/python3
"""run_trans.py — K_trans pieces: tkc (bench_trans) against its numpy peer
(trans_numpy.py), alternating within one call (A B A B, at least 3 rounds),
with the load and the peer's thread settings (alternate.py).

usage: run_trans.py BUILD_DIR [TRIPLES [NODES [D [ROUNDS]]]]

Per round and activation: the 2-D Gauss-Hermite dual E[phi(a) phi(b)] on
the same triples (numpy's hermgauss tensor rule, vectorized), the ratio
numpy / tkc; the closed form's time for scale; one finite-width transformer
with explicit weights (both BLAS-bound: same O(H d²) work), and tkc drawing
it in law (O((nk)²) per head whatever d).
"""
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import alternate as alt  # noqa: E402


def kinds(d, kind):
    return [w for k, w in d["lines"] if k == kind]


def main():
    a = sys.argv[1:]
    build = a[0] if a else os.path.join(here, "..", "build")
    ntr, nodes, d, rounds = (a[1] if len(a) > 1 else "2000",
                             a[2] if len(a) > 2 else "64",
                             a[3] if len(a) > 3 else "256",
                             int(a[4]) if len(a) > 4 else 3)
    bench = os.path.join(build, "bench", "bench_trans")
    if not os.access(bench, os.X_OK):
        raise SystemExit(f"run_trans.py: {bench} not built")
    m = alt.machine()
    res = alt.alternate([("tkc", [bench, ntr, nodes, d], None),
                         ("numpy", ["/usr/bin/python3",
                                    os.path.join(here, "trans_numpy.py"),
                                    ntr, nodes, d], alt.peer_env())], rounds)
    alt.header(f"K_trans pieces, one core: tkc and numpy alternating (A B A B), "
               f"{rounds} rounds", m, res)
    print("peer environment: " + alt.peer_env_words())
    print()
    print(f"2-D Gauss-Hermite dual, {ntr} triples, {nodes} nodes per axis: "
          f"CPU seconds for all triples, median [min, max] over the rounds")
    print(f"{'act':5} {'tkc':>24} {'numpy/tkc':>24} {'closed form':>12} "
          f"{'max|closed-quad|':>17}")
    for act in ("cos", "relu", "erf"):
        t = [next(w for w in kinds(r, "quad") if w["act"] == act)
             for r in res["tkc"]]
        p = [next(w for w in kinds(r, "quad") if w["act"] == act)
             for r in res["numpy"]]
        ratio = [float(b["cpu"]) / float(a_["cpu"]) for a_, b in zip(t, p)]
        print(f"{act:5} {alt.spread([float(w['cpu']) for w in t]):>24} "
              f"{alt.spread(ratio):>24} "
              f"{statistics.median(float(w['closed_cpu']) for w in t):12.3g} "
              f"{float(t[0]['maxdiff']):17.3g}")
    print()
    ex = [next(w for w in kinds(r, "finite") if w["mode"] == "explicit")
          for r in res["tkc"]]
    pe = [kinds(r, "finite")[0] for r in res["numpy"]]
    ratio = [float(b["cpu_per_net"]) / float(a_["cpu_per_net"])
             for a_, b in zip(ex, pe)]
    print(f"finite-width transformer, 2 strings, H = m = d = {d}: CPU seconds "
          f"per network")
    print(f"tkc explicit {alt.spread([float(w['cpu_per_net']) for w in ex])}, "
          f"numpy explicit {alt.spread([float(w['cpu_per_net']) for w in pe])}: "
          f"numpy/tkc {alt.spread(ratio)}")
    for w in kinds(res["tkc"][-1], "finite"):
        if w["mode"] == "in_law":
            print(f"tkc in law d = {w['d']}: {float(w['cpu_per_net']):.3g} s "
                  f"(last round)")


if __name__ == "__main__":
    main()
