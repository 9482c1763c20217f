#!/usr/bin/env bash
# bench_nmatrix.sh — the main job's cost: `tkc check` on the paper's small
# sets at the default parameters, and the transformer N of the 144-template
# distribution-of-3 set (auto-refine within a budget of evaluations), with
# time and samples used.  Peer: numpy's (uncertified, double) SVD and slogdet of the
# same N, for the σ_min agreement and the price of certification.
#
#   bash bench/bench_nmatrix.sh [BUILD_DIR] [BUDGET_EVALUATIONS]
# (the budget: auto-refine's --budget for the 144 set; default its own rule)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
budget=${2:-}
tkc=$build/tkc
PY=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== tkc check at the defaults (beta = 1, gamma = 1, b1 = 1, b2 = 0.5)"
for f in same_different aba_abb majority3 majority5; do
    t0=$(date +%s.%N)
    "$tkc" check "data/templates/$f.tpl" --json >"$out/$f.json"
    t1=$(date +%s.%N)
    "$PY" - "$out/$f.json" "$f" "$t0" "$t1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
k = {x["kernel"]: x for x in j["kernels"]}
t = k["trans"]
print(f'{sys.argv[2]:15s} r = {len(j["templates"]):3d}  MLP {k["mlp"]["verdict"]:11s} '
      f'transformer {t["verdict"]:11s} sigma_min {t["sigma_min"]:.3e} >= {t["sigma_min_lower_bound"]:.2e}  '
      f'{t["certificate"]["samples_total"]} samples ({t["estimator"]}), '
      f'{float(sys.argv[4]) - float(sys.argv[3]):.1f} s wall for all three kernels')
if t["verdict"] == "undecided":
    print("                ", t["certificate"]["settle"])
EOF
done

echo "== distribution_of_3 (144 templates), transformer N, mc + auto-refine, budget ${budget:-the default rule}"
t0=$(date +%s.%N)
# Monte Carlo from 4096 samples, refined within the budget of evaluations
"$tkc" nmatrix data/templates/distribution_of_3.tpl --estimator mc --samples 4096 \
    --auto-refine ${budget:+--budget "$budget"} --json >"$out/d3.json"
t1=$(date +%s.%N)
"$PY" - "$out/d3.json" "$t0" "$t1" <<'EOF'
import json, sys, time
import numpy as np
j = json.load(open(sys.argv[1]))
c = j["certificate"]
wall = float(sys.argv[3]) - float(sys.argv[2])
print(f'verdict {j["verdict"]}; sigma_min {j["singular_values"][-1]:.3e}, '
      f'bound {j["sigma_min_lower_bound"]:.3e}; estimator {j["estimator"]}, '
      f'{c["samples"]} samples in the final N, {c["samples_total"]} in all over '
      f'{c["rounds"]} rounds; {wall:.1f} s wall ({c["seconds"]:.1f} s in tkc_nmatrix_decide)')
if j["verdict"] == "undecided":
    print("settle:", c["settle"])
print("lemma 3.6:", (c["lemma_3_6"] or {}).get("status"), "| ladder:", c["precision_ladder_trend"])
N = np.array(j["N"])
reps = 20
t = time.perf_counter()
for _ in range(reps):
    s = np.linalg.svd(N, compute_uv=False)
    sign, logdet = np.linalg.slogdet(N)
t_np = (time.perf_counter() - t) / reps
print(f'numpy svd+slogdet (double, uncertified): {t_np * 1e3:.2f} ms; sigma_min {s[-1]:.3e} '
      f'(tkc {j["singular_values"][-1]:.3e}, rel. diff {abs(s[-1] - j["singular_values"][-1]) / s[-1]:.1e}); '
      f'log2|det| {logdet / np.log(2):.1f} (tkc {np.log2(abs(c["determinant"]["mantissa"])) + c["determinant"]["exponent2"]:.1f})')
print(f'ratio tkc whole job / numpy linear algebra alone: {c["seconds"] / t_np:.0f}x')
EOF
