#!/usr/bin/env bash
# run_trans.sh — K_trans pieces: tkc against its numpy peer, alternating
# within one call (A B A B, at least 3 rounds), with the load and the
# peer's thread settings.  See run_trans.py.
# usage: bench/run_trans.sh [BUILD_DIR] [TRIPLES] [NODES] [D] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/run_trans.py" "${1:-$here/../build}" "${2:-2000}" \
    "${3:-64}" "${4:-256}" "${5:-3}"
