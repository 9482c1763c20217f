#!/usr/bin/env bash
# bench_mpi.sh — tkc over 1 and 2 MPI ranks (docs/cluster.md), alternating
# P = 1, P = 2 in every round, the ratio printed; the per-rank inputs of the
# scale model in bench/RESULTS.md ("On a cluster (MPI)") printed by name.
# Run by hand on a quiet machine (never in the tests' timing):
#
#   bash bench/bench_mpi.sh [BUILD_DIR] [SAMPLES] [KRR_N] [ROUNDS]
#
# Workloads (both print the same digits at P = 1 and 2, checked here):
#   sample   `tkc nmatrix majority5 --estimator mc --samples SAMPLES`:
#            majority-5's N by Monte Carlo, the point verdict's kernel
#            (default 2^20 samples)
#   dense    `tkc krr aba_abb --n KRR_N --alphabet 20 --kernel mlp --solver
#            dense`: a dense ridge fit, K̂ from closed-form pattern values, so
#            the time is the fill and the Cholesky (default n = 4000)
# Each run's wall time includes mpirun's start; `tkc kernel` on 4 samples
# at the same P measures that start (t_launch) and is subtracted.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
samples=${2:-1048576}
krr_n=${3:-4000}
rounds=${4:-3}
tkc=$build/tkc
PY=/usr/bin/python3
export TKC_TEMPLATES=${TKC_TEMPLATES:-$PWD/data/templates}
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# wall NP NAME ARGS...: seconds of `mpirun -np NP tkc ARGS`, output kept.
wall() {
    local np=$1 name=$2
    shift 2
    local t0 t1
    t0=$(date +%s.%N)
    mpirun --oversubscribe -np "$np" "$tkc" "$@" >"$out/$name.$np.json" ||
        { echo "bench_mpi: tkc $* on $np ranks failed" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

echo "bench_mpi: P = 1 and 2 alternating (A B A B), $rounds rounds; $(nproc) cores;" \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "threads: $(mpirun --oversubscribe -np 1 nproc) core(s) per rank as mpirun binds it;" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
printf '%-6s %-7s %3s %10s\n' round work P seconds
: >"$out/times"
for r in $(seq "$rounds"); do
    for np in 1 2; do
        t=$(wall "$np" launch kernel ab ab --kernel attn --estimator mc --samples 4 --json)
        echo "launch $np $t" >>"$out/times"
        printf '%-6s %-7s %3s %10.3f\n' "$r" launch "$np" "$t"
        t=$(wall "$np" sample nmatrix majority5 --estimator mc --samples "$samples" \
                 --json)
        echo "sample $np $t" >>"$out/times"
        printf '%-6s %-7s %3s %10.3f\n' "$r" sample "$np" "$t"
        t=$(wall "$np" dense krr aba_abb --n "$krr_n" --alphabet 20 --kernel mlp \
                 --solver dense --kernel-replicates 1 --json)
        echo "dense $np $t" >>"$out/times"
        printf '%-6s %-7s %3s %10.3f\n' "$r" dense "$np" "$t"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$out" "$samples" "$krr_n" <<'EOF'
import json, statistics, sys
out, samples, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = {}
for line in open(out + "/times"):
    w, p, s = line.split()
    t.setdefault((w, int(p)), []).append(float(s))
med = {k: statistics.median(v) for k, v in t.items()}
def js(w, p): return json.load(open(f"{out}/{w}.{p}.json"))
# the digits: sampling identical, the dense fit to its refinement
a, b = js("sample", 1), js("sample", 2)
same = a["N"] == b["N"] and a["stderr"] == b["stderr"]
ka, kb = js("dense", 1), js("dense", 2)
close = abs(ka["train_mse"] - kb["train_mse"]) <= 1e-9 * abs(ka["train_mse"])
print(f"digits: sample N {'identical' if same else 'DIFFER'} at P = 1, 2; "
      f"dense train_mse {'agrees' if close else 'DIFFERS'} (1e-9)")
for w in ("sample", "dense"):
    t1 = med[(w, 1)] - med[("launch", 1)]
    t2 = med[(w, 2)] - med[("launch", 2)]
    print(f"{w:7s} median less launch: P=1 {t1:.3f} s, P=2 {t2:.3f} s, "
          f"P=1/P=2 = {t1 / t2:.2f} (efficiency {t1 / (2 * t2):.2f})")
r = len(a["templates"])
t1 = med[("sample", 1)] - med[("launch", 1)]
t2 = med[("sample", 2)] - med[("launch", 2)]
print("model inputs (bench/RESULTS.md, On a cluster):")
print(f"  t_launch(1), t_launch(2) = {med[('launch', 1)]:.3f}, {med[('launch', 2)]:.3f} s")
print(f"  c_s  = {t1 / samples:.4g} s per sample of majority-5's N (r = {r}) on one rank")
print(f"  e_s(2) = {t1 / (2 * t2):.3f}  sampling efficiency at P = 2")
d1 = med[("dense", 1)] - med[("launch", 1)]
d2 = med[("dense", 2)] - med[("launch", 2)]
print(f"  F_1  = {n ** 3 / 3 / d1 / 1e9:.3g} GFLOP/s per rank (n^3/3 over the whole fit, n = {n}, P = 1)")
print(f"  e_d(2) = {d1 / (2 * d2):.3f}  dense-fit efficiency at P = 2")
EOF
