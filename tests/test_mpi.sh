#!/usr/bin/env bash
# test_mpi.sh — `mpirun -np P tkc ...` (docs/cluster.md): the digits of one
# process for the same seed, whatever P; rank 0 alone prints; a bad input
# seen by one rank only, or a rank killed mid-run, ends every rank (exit 2,
# one message; the launcher's error for a killed rank) and nothing hangs:
# every run has a timeout, and a timeout fails.  Registered by
# tests/meson.build only when tkc is built with MPI.
set -u
. "$(dirname "$0")/check.sh"

# Root in CI and containers: Open MPI asks for both; 2 cores here, so
# more ranks than cores.  Leaks are Open MPI's own under the sanitizers.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
MPIRUN=${MPIRUN:-mpirun}
LIMIT=240                          # seconds: a hang fails, it does not stall

mpi() { local np=$1; shift; timeout "$LIMIT" "$MPIRUN" --oversubscribe -np "$np" "$@"; }

# same A B: two JSON outputs equal but for wall-clock seconds.
same() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if "seconds" not in k}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
EOF
}

# alike NAME NP ARGS...: tkc ARGS alone and under mpirun -np NP, same JSON.
alike() {
    local name=$1 np=$2
    shift 2
    "$TKC_EXE" "$@" >"$tmp/one.json" 2>"$tmp/one.err"
    local rc1=$?
    mpi "$np" "$TKC_EXE" "$@" >"$tmp/many.json" 2>"$tmp/many.err"
    local rc2=$?
    check "$name: exit $rc1 alone, $rc2 on $np ranks" [ "$rc1" -eq "$rc2" ]
    check "$name: the JSON of one process on $np ranks" \
        same "$tmp/one.json" "$tmp/many.json"
}

alike "nmatrix mc" 2 nmatrix majority3 --estimator mc --samples 200000 --json
alike "nmatrix mc" 3 nmatrix majority3 --estimator mc --samples 200000 --json
alike "nmatrix qmc" 2 nmatrix majority3 --estimator qmc --points 4096 \
    --replicates 5 --json
# auto-refine: undecided at 2048 samples, the rounds and their N global
alike "nmatrix auto-refine" 2 nmatrix "$TKC_DATA/templates/aba_abb.tpl" \
    --estimator mc --samples 2048 --beta 4 --gamma 2 --auto-refine --json
alike "nmatrix auto" 2 nmatrix majority3 --json
alike "check" 2 check majority3 --estimator mc --samples 100000 --json
alike "kernel" 2 kernel abca bbcd --kernel attn --estimator mc \
    --samples 300000 --seed 9 --json

# Rank 0 alone prints: one JSON object, not two.
mpi 2 "$TKC_EXE" kernel abca bbcd --estimator qmc --points 2048 --json \
    >"$tmp/o.json"
check "one JSON object from 2 ranks" [ "$(grep -c '^{' "$tmp/o.json")" -eq 1 ]

# A bad input seen by rank 1 only (two programs, one job: MPMD): exit 2 on
# all, rank 0 prints rank 1's message once, and no output.
printf '1 α α\n-1 α β\n' >"$tmp/good.tpl"
printf '1 α α\n-1 α\n' >"$tmp/bad.tpl"
# two_files RANK0_FILE RANK1_FILE: nmatrix on each rank's own file; the
# exit code, stdout in o.txt, stderr in e.txt.
two_files() {
    local args=(--estimator mc --samples 400000 --json)
    timeout "$LIMIT" "$MPIRUN" --oversubscribe \
        -np 1 "$TKC_EXE" nmatrix "$1" "${args[@]}" : \
        -np 1 "$TKC_EXE" nmatrix "$2" "${args[@]}" >"$tmp/o.txt" 2>"$tmp/e.txt"
}
two_files "$tmp/good.tpl" "$tmp/bad.tpl"
rc=$?
check "bad input on rank 1: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "bad input on rank 1: no output" [ ! -s "$tmp/o.txt" ]
check "bad input on rank 1: its message, once, from rank 0" \
    [ "$(grep -c '^tkc nmatrix: process 1 of 2: .*bad.tpl:2:' "$tmp/e.txt")" -eq 1 ]
# ... and on rank 0 only: its own message.
two_files "$tmp/bad.tpl" "$tmp/good.tpl"
rc=$?
check "bad input on rank 0: exit 2 (got $rc)" [ "$rc" -eq 2 ]
check "bad input on rank 0: its message, once" \
    [ "$(grep -c 'tkc nmatrix: .*bad.tpl' "$tmp/e.txt")" -eq 1 ]

# A rank killed mid-run: the job ends (the launcher's exit code, not 0)
# well within the limit.  The run is long (10^9 samples); rank 1 is found
# among the launcher's children by its environment.
"$MPIRUN" --oversubscribe -np 2 "$TKC_EXE" kernel abca bbcd --kernel attn \
    --estimator mc --samples 1000000000 --json >"$tmp/o.txt" 2>"$tmp/e.txt" &
launcher=$!
victim=
for _ in $(seq 100); do
    for p in $(pgrep -P "$launcher"); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
            grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$p
    done
    [ -n "$victim" ] && break
    sleep 0.2
done
check "rank 1 found" [ -n "$victim" ]
sleep 1
[ -n "$victim" ] && kill -9 "$victim"
waited=0
while kill -0 "$launcher" 2>/dev/null && [ "$waited" -lt "$LIMIT" ]; do
    sleep 1
    waited=$((waited + 1))
done
if kill -0 "$launcher" 2>/dev/null; then
    bad "a killed rank left the job running after ${LIMIT}s"
    kill -9 "$launcher"
fi
wait "$launcher"
rc=$?
check "killed rank: the job fails (exit $rc)" [ "$rc" -ne 0 ]
check "killed rank: no output" [ ! -s "$tmp/o.txt" ]

# krr's dense solve on ScaLAPACK against LAPACK's (tests/test_mpi_krr.c).
# 2 ranks: a 1x2 grid; 4: 2x2, blocks cyclic in both directions.
for np in 2 4; do
    mpi "$np" "$TKC_MPI_KRR" >"$tmp/o.txt" 2>&1
    rc=$?
    check "krr dense over $np ranks: alpha of LAPACK's path (rc $rc: $(cat "$tmp/o.txt"))" \
        [ "$rc" -eq 0 ]
done
# ... and through the command line: the same fit's figures.
for np in 1 2; do
    if [ "$np" -eq 1 ]; then run=(); else run=(mpi 2); fi
    "${run[@]}" "$TKC_EXE" krr "$TKC_DATA/templates/aba_abb.tpl" --n 1500 \
        --alphabet 20 --kernel mlp --solver dense --kernel-replicates 1 \
        --json >"$tmp/krr$np.json"
    check "krr --solver dense on $np rank(s): exit 0" [ $? -eq 0 ]
done
check "krr dense: 2 ranks report the fit of 1 (to 1e-9 relative)" "$PY" - \
    "$tmp/krr1.json" "$tmp/krr2.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
close = lambda x, y: abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1e-300)
ok = all(close(a[k], b[k]) for k in ("train_mse", "test_mse", "rcond",
                                      "lambda_used"))
ok = ok and a["escalations"] == b["escalations"] and b["residual"] < 1e-12
ok = ok and all(close(p["prediction"], q["prediction"])
                for p, q in zip(a["per_template"], b["per_template"]))
sys.exit(0 if ok else 1)
EOF

# The benchmark runs (no speed asserted: bench/ measures, by hand) and
# checks its own digits at P = 1 and 2.
out=$(bash "$TKC_TESTS/../bench/bench_mpi.sh" "$(dirname "$TKC_EXE")" 4096 300 1 2>&1)
check "bench_mpi.sh runs: $out" grep -q "digits: sample N identical at P = 1, 2; dense train_mse agrees" <<<"$out"
check "bench_mpi.sh prints the model's inputs" grep -q "e_d(2) = " <<<"$out"

summary
