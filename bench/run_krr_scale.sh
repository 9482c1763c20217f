#!/usr/bin/env bash
# run_krr_scale.sh — ridge regression at scale, tkc's structured and dense
# solves and the dense peers (numpy, scikit-learn), in one run.
#
#   bench/run_krr_scale.sh [BUILD_DIR] [PEER_NS]     (build, 1000,2000,4000,8000)
#
# 1. bench_krr_scale on same/different: the agreement of the two solvers at
#    n = 2e4, the crossover n, n = 10^6 (time, peak memory, the dense time
#    extrapolated from n = 1e4 and the ratio), and majority-5 at n = 10^6;
# 2. the figure "how far the dense peers stop": tkc dense and structured
#    times by n (bench_krr_scale peers) and the peers' (bench/krr_peers.py)
#    into bench/krr_peers.csv, which notebooks/src/04_rates.py plots with
#    each method's memory wall on this machine.
# Prints the load average and thread settings: measure on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
peer_ns=${2:-1000,2000,4000,8000}
bench=$build/bench/bench_krr_scale
[ -x "$bench" ] || { echo "run_krr_scale.sh: $bench not built" >&2; exit 2; }
sd=$root/data/templates/same_different.tpl
"$bench" "$sd" all
"$bench" "$root/data/templates/majority5.tpl" million 8 4

csv=$here/krr_peers.csv
{
    echo "# bench/run_krr_scale.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
         "load $(cut -d' ' -f1-3 /proc/loadavg)," \
         "memory_gb $(awk '/MemTotal/ {printf "%.1f", $2 / 1e6}' /proc/meminfo)"
    echo "impl,n,seconds,peak_gb"
    "$bench" "$sd" peers | grep -E '^tkc '
    /usr/bin/python3 "$here/krr_peers.py" --exe "$build/tkc" --file "$sd" --n "$peer_ns"
} > "$csv.tmp"
mv "$csv.tmp" "$csv"
echo "wrote $csv:"
cat "$csv"
