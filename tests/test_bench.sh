#!/usr/bin/env bash
# test_bench.sh — the benchmark harness still runs and reports what makes a
# figure reproducible (no speed is asserted: speed is measured only in
# bench/, by hand): tkc and every peer (numpy, PyTorch float64, numba)
# alternate over at least 3 rounds, the peers' thread settings and the load
# are recorded, OpenBLAS's forced core type is removed from the peers'
# environment, and tkc's distance from the arithmetic floor is printed.
set -u
. "$(dirname "$0")/check.sh"
BUILD=${TKC_BUILD:?TKC_BUILD not set}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
check() { if eval "$1"; then ok; else bad "$2"; fi; }

out=$(OPENBLAS_CORETYPE=Haswell bash "$root/bench/run_attn.sh" "$BUILD" 20000 3 2>&1)
check '[ $? -eq 0 ]' "run_attn.sh runs: $out"
check 'grep -q "alternating (A B A B), 3 rounds" <<<"$out"' "3 rounds said"
check '[ "$(grep -cE "^(k3|k11) +[123] " <<<"$out")" = 6 ]' "a row per pair and round: $out"
check 'grep -q "numpy/tkc.*torch/tkc.*numba/tkc" <<<"$out"' "three peers: $out"
check 'grep -q "threads openblas:1" <<<"$out" && grep -q "threads torch:1" <<<"$out" && grep -q "threads numba:1" <<<"$out"' "peers on one thread: $out"
check 'grep -q "unset: OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE (were OPENBLAS_CORETYPE=Haswell" <<<"$out"' "forced core type removed: $out"
check 'grep -q "load around the runs: up to" <<<"$out"' "load recorded"
check 'grep -qE "^k11 +tkc .* x the floor" <<<"$out"' "distance from the floor: $out"
check 'grep -q "values agree" <<<"$out"' "values compared"
out=$(bash "$root/bench/run_trans.sh" "$BUILD" 200 16 32 3 2>&1)
check '[ $? -eq 0 ] && grep -q "alternating (A B A B), 3 rounds" <<<"$out" && grep -q "numpy/tkc" <<<"$out"' "run_trans.sh: $out"

out=$(TKC_TEMPLATES=$root/data/templates /usr/bin/python3 "$root/bench/bench_gram.py" --build "$BUILD" --rounds 3 --n 20 max_evals=4096 2>&1)
check '[ $? -eq 0 ] && grep -q "alternating (A B A B), 3 rounds" <<<"$out"' "bench_gram.py runs: $out"
check 'grep -q "matrices agree digit for digit" <<<"$out" && grep -q "ratio Python / C" <<<"$out"' "bench_gram.py: the same matrix, the ratio: $out"

summary
