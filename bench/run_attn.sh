#!/usr/bin/env bash
# run_attn.sh — K_attn Monte Carlo: tkc against numpy, PyTorch float64 and
# a numba loop, alternating within one call (A B A B, at least 3 rounds),
# with the load and the peers' thread settings, and tkc's distance from the
# arithmetic floor of a sample; then QMC against MC.  See run_attn.py.
# usage: bench/run_attn.sh [BUILD_DIR] [SAMPLES] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/run_attn.py" "${1:-$here/../build}" "${2:-4194304}" "${3:-3}"
