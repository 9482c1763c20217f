#!/usr/bin/env bash
# run_trans.sh — K_trans pieces against the numpy peer, one core.
# usage: bench/run_trans.sh [BUILD_DIR] [TRIPLES] [NODES] [D]
# Prints the Gauss-Hermite dual (tkc vs numpy, ratio; the closed form for
# scale) and one finite-width transformer (explicit weights: tkc vs numpy;
# tkc in law, which costs O((nk)^2) per head whatever d).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
ntr=${2:-2000}
nodes=${3:-64}
d=${4:-256}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
bench=$build/bench/bench_trans
[ -x "$bench" ] || { echo "run_trans.sh: $bench not built" >&2; exit 2; }

tkc_out=$("$bench" "$ntr" "$nodes" "$d")
py_out=$(/usr/bin/python3 "$here/trans_numpy.py" "$ntr" "$nodes" "$d")

/usr/bin/python3 - "$tkc_out" "$py_out" <<'PY'
import sys
def rows(text):
    out = []
    for line in text.splitlines():
        kind, *rest = line.split()
        out.append((kind, dict(w.split("=", 1) for w in rest)))
    return out
tkc, py = rows(sys.argv[1]), rows(sys.argv[2])
pq = {d["act"]: d for k, d in py if k == "quad"}
print("2-D Gauss-Hermite dual E[phi(a) phi(b)], CPU seconds for all triples")
print(f"{'act':5} {'tkc':>10} {'numpy':>10} {'numpy/tkc':>10} {'closed':>10} {'|sum diff|':>11} {'max|closed-quad|':>17}")
last = None
for k, d in tkc:
    if k != "quad":
        continue
    last = d
    p = pq[d["act"]]
    t, tp = float(d["cpu"]), float(p["cpu"])
    print(f"{d['act']:5} {t:10.4g} {tp:10.4g} {tp / t:10.2f} {float(d['closed_cpu']):10.3g} "
          f"{abs(float(d['sum']) - float(p['sum'])):11.3g} {float(d['maxdiff']):17.3g}")
print(f"({last['triples']} triples, {last['nodes']} nodes per axis; 'closed' times the closed form"
      f" plus one quadrature in 97 for max|closed-quad|)")
print()
print("finite-width transformer, 2 strings, H = m = d, CPU seconds per network")
pf = [d for k, d in py if k == "finite"][0]
for k, d in tkc:
    if k == "finite":
        print(f"tkc   {d['mode']:8} d={d['d']:>6}: {float(d['cpu_per_net']):.4g} s  "
              f"(K_attn(x,y) {d['attn01']}, K_trans(x,y) {d['trans01']})")
print(f"numpy explicit d={pf['d']:>6}: {float(pf['cpu_per_net']):.4g} s  "
      f"(K_attn(x,y) {pf['attn01']}, K_trans(x,y) {pf['trans01']})")
ex = [d for k, d in tkc if k == "finite" and d["mode"] == "explicit"][0]
il = [d for k, d in tkc if k == "finite" and d["mode"] == "in_law" and d["d"] == ex["d"]][0]
print(f"explicit: numpy/tkc = {float(pf['cpu_per_net']) / float(ex['cpu_per_net']):.2f}; "
      f"in law vs numpy explicit at d={ex['d']}: {float(pf['cpu_per_net']) / float(il['cpu_per_net']):.0f}x faster")
PY
