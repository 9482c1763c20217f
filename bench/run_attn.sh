#!/usr/bin/env bash
# run_attn.sh — K_attn estimators against the numpy peer, one core.
# usage: bench/run_attn.sh [BUILD_DIR] [MC_SAMPLES] [REPEATS]
# Prints samples per second, time to SE = 1e-4 for a k = 3 and a k = 11
# pair (tkc vs numpy, and the ratio), and QMC against MC.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
samples=${2:-4194304}
repeats=${3:-3}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
bench=$build/bench/bench_attn
[ -x "$bench" ] || { echo "run_attn.sh: $bench not built" >&2; exit 2; }

tkc_out=$("$bench" "$samples" "$repeats")
py_k3=$(/usr/bin/python3 "$here/attn_numpy.py" abc bcd 1 1 "$samples" 1 "$repeats")
py_k11=$(/usr/bin/python3 "$here/attn_numpy.py" abcdefghijk bcdeafghAjB 1 1 "$samples" 1 "$repeats")

/usr/bin/python3 - "$tkc_out" "$py_k3" "$py_k11" <<'PY'
import sys
def kv(line):
    return dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
def kvp(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)
lines = sys.argv[1].splitlines()
mc = {kv(l)["pair"]: kv(l) for l in lines if l.startswith("mc ")}
qmc = {kv(l)["pair"]: kv(l) for l in lines if l.startswith("qmc ")}
tgt = {kv(l)["pair"]: kv(l) for l in lines if l.startswith("qmc_target ")}
peer = {"k3": kvp(sys.argv[2]), "k11": kvp(sys.argv[3])}
print("K_attn Monte Carlo, one core (best-of-runs CPU seconds), beta = 1, gamma = 1")
print(f"{'pair':5} {'impl':6} {'samples/s':>12} {'se':>10} {'value':>14} {'t(se=1e-4) s':>13}")
for p in ("k3", "k11"):
    rows = []
    for name, d in (("tkc", mc[p]), ("numpy", peer[p])):
        n, cpu, se = float(d["samples"]), float(d["cpu"]), float(d["se"])
        t = cpu * (se / 1e-4) ** 2
        rows.append(t)
        print(f"{p:5} {name:6} {n / cpu:12.4g} {se:10.3g} {float(d['value']):14.8f} {t:13.4g}")
    print(f"{p:5} speed-up of tkc at equal standard error: {rows[1] / rows[0]:.1f}x")
print()
print("QMC vs MC, beta = 0.5, gamma = 1 (smooth), 16 replicates, antithetic")
for p in ("k3", "k11"):
    q, t = qmc[p], tgt[p]
    print(f"{p:5} budget {int(q['budget'])} evaluations: se MC {float(q['se_mc']):.3g}, "
          f"se QMC {float(q['se_qmc']):.3g} (values {float(q['value_mc']):.7f} / {float(q['value_qmc']):.7f})")
    eq, em = int(t["evals_qmc"]), int(t["evals_mc"])
    print(f"{p:5} se = 1e-5: QMC {eq} evaluations (se {float(t['se_qmc']):.3g}, {float(t['cpu_qmc']):.3g} s), "
          f"MC ~{em} ({float(t['cpu_mc_est']):.3g} s): QMC needs {em / eq:.1f}x fewer points")
PY
