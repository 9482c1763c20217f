#!/usr/bin/python3
"""run_attn.py — K_attn Monte Carlo: tkc against the peers a user would
pick today (numpy, PyTorch float64, a numba loop), alternating in one call,
and tkc's distance from the arithmetic floor of a sample on this machine.

usage: run_attn.py BUILD_DIR [SAMPLES [ROUNDS]]   (bench/run_attn.sh)

Each round runs, per pair (k = 3: abc/bcd; k = 11: abcdefghijk/bcdeafghAjB;
β = γ = 1): tkc, numpy, tkc, torch, tkc, numba (every peer right after a
tkc run, A B A B), and bench_floor once.  All sides implement the same
estimator (antithetic Monte Carlo of the generative form), so they have the
same variance per sample; a side's time to a standard error of 1e-4 is its
CPU time × (se / 1e-4)², and a ratio is peer / tkc of that, taken within
the round, reported as median [min, max] over the rounds.

The floor of a sample: (k + T)/2 normal draws, k + 1 exps and k + 1
divisions (T distinct tokens; bench_floor.c says why), at the throughput
bench_floor measures in the same round.  tkc / floor is how far tkc is from
doing nothing but that arithmetic.
"""
import os
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import alternate as alt  # noqa: E402

PAIRS = {"k3": ("abc", "bcd"), "k11": ("abcdefghijk", "bcdeafghAjB")}
PEERS = ("numpy", "torch", "numba")
PY = "/usr/bin/python3"
SEED = 1


def versions(env):
    code = ("import numpy, torch, numba; "
            "print(numpy.__version__, torch.__version__, numba.__version__)")
    out = subprocess.run([PY, "-c", code], env=env, capture_output=True,
                         text=True).stdout.split()
    return dict(zip(PEERS, out)) if len(out) == 3 else {}


def t_at(d, target=1e-4):
    return float(d["cpu"]) * (float(d["se"]) / target) ** 2


def floor_ns(fl, k, T):
    exp_ns = min(float(fl["exp_libm_ns"]), float(fl["exp_tkc_ns"]))
    return ((k + T) / 2 * float(fl["normal_ns"]) + (k + 1) * exp_ns +
            (k + 1) * float(fl["div_ns"]))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build")
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 22
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    bench = os.path.join(build, "bench", "bench_attn")
    floor = os.path.join(build, "bench", "bench_floor")
    for b in (bench, floor):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"run_attn.py: {b} not built")
    env = alt.peer_env()
    m = alt.machine()
    entries = [("floor", [floor], None)]
    for p, (x, y) in PAIRS.items():
        for peer in PEERS:
            entries.append((f"{p}/tkc-{peer}",
                            [bench, "mc", p, str(samples), str(SEED)], None))
            entries.append((f"{p}/{peer}",
                            [PY, os.path.join(here, f"attn_{peer}.py"), x, y,
                             "1", "1", str(samples), str(SEED)], env))
    res = alt.alternate(entries, rounds)

    alt.header(f"K_attn Monte Carlo, one core, beta = gamma = 1: tkc and its "
               f"peers alternating (A B A B), {rounds} rounds of {samples} "
               f"samples", m, res)
    v = versions(env)
    print("peers: " + ", ".join(
        f"{peer} {v.get(peer, '?')} (threads {res['k3/' + peer][0].get('threads', '?')})"
        for peer in PEERS))
    print("peer environment: " + alt.peer_env_words())
    print("tkc: bench_attn mc on one thread, its own environment")
    print()
    print(f"{'pair':5} {'round':>5} {'load':>5} {'tkc ns/sample':>14} "
          f"{'floor ns':>9} {'tkc/floor':>9} " +
          " ".join(f"{peer + '/tkc':>10}" for peer in PEERS))
    summary = {}
    for p, (x, y) in PAIRS.items():
        k, T = len(x), len(set(x + y))
        for r in range(rounds):
            tkc_runs = [res[f"{p}/tkc-{peer}"][r] for peer in PEERS]
            ns = statistics.median(float(d["cpu"]) / int(d["samples"]) * 1e9
                                   for d in tkc_runs)
            fl = floor_ns(res["floor"][r], k, T)
            ratios = [t_at(res[f"{p}/{peer}"][r]) /
                      t_at(res[f"{p}/tkc-{peer}"][r]) for peer in PEERS]
            load = max(d["load_after"] for d in tkc_runs)
            print(f"{p:5} {r + 1:5d} {load:5.2f} {ns:14.3g} {fl:9.3g} "
                  f"{ns / fl:9.2f} " + " ".join(f"{q:10.2f}" for q in ratios))
            summary.setdefault(p, {"floor": [], "ns": []})
            summary[p]["floor"].append(ns / fl)
            summary[p]["ns"].append(ns)
            for peer, q in zip(PEERS, ratios):
                summary[p].setdefault(peer, []).append(q)
    print()
    print("median [min, max] over the rounds (ratio = peer time / tkc time "
          "at equal standard error):")
    for p in PAIRS:
        s = summary[p]
        print(f"{p:5} tkc {alt.spread(s['ns'])} ns/sample, "
              f"{alt.spread(s['floor'])} x the floor; " +
              "; ".join(f"{peer} {alt.spread(s[peer])}x" for peer in PEERS))
    values = {p: [float(d["value"]) for peer in PEERS
                  for d in res[f"{p}/{peer}"] + res[f"{p}/tkc-{peer}"]]
              for p in PAIRS}
    print("values agree: " + "; ".join(
        f"{p} {min(v):.5f} .. {max(v):.5f}" for p, v in values.items()))
    sys.stdout.flush()

    # QMC against MC, tkc alone (no peer has randomized QMC of K_attn)
    print()
    print("QMC vs MC, beta = 0.5, gamma = 1 (smooth), 16 replicates, antithetic")
    out = subprocess.run([bench, "qmc"], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        d = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
        if line.startswith("qmc "):
            print(f"{d['pair']:5} budget {d['budget']} evaluations: se MC "
                  f"{float(d['se_mc']):.3g}, se QMC {float(d['se_qmc']):.3g}")
        elif line.startswith("qmc_target "):
            eq, em = int(d["evals_qmc"]), int(d["evals_mc"])
            print(f"{d['pair']:5} se = 1e-5: QMC {eq} evaluations "
                  f"({float(d['cpu_qmc']):.3g} s), MC ~{em} "
                  f"({float(d['cpu_mc_est']):.3g} s): {em / eq:.1f}x fewer")


if __name__ == "__main__":
    main()
