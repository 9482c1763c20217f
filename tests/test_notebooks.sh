#!/usr/bin/env bash
# test_notebooks.sh — the notebooks run top to bottom (quick mode) and write
# every expected figure as a valid, non-blank PNG; the checked-in notebooks
# are their sources' output and carry no outputs.  (The Python module they
# use is tested by tests/python.)
set -u
. "$(dirname "$0")/check.sh"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
check() { if eval "$1"; then ok; else bad "$2"; fi; }

if [ ! -x /usr/bin/jupyter ]; then
    echo "skipped: /usr/bin/jupyter not installed"
    exit 77
fi

# The figures each notebook must write (notebooks/figures/NAME.png).
expected=(
    structure_same_different structure_spectrum
    nonsingularity_sigma_min_beta_gamma nonsingularity_ladder nonsingularity_kernels
    learning_curves
    rates_vs_n rates_vs_rho rates_local_slopes krr_dense_peers
    estimators_error_vs_samples estimators_error_vs_cpu estimators_series_asymptotic
)

# Checked-in notebooks: generated from notebooks/src, without outputs.
check '$PY "$root/notebooks/make_notebooks.py" --check' "notebooks differ from their sources"
check '$PY - "$root"/notebooks/[0-9][0-9]_*.ipynb <<"PYEOF"
import json, sys
for p in sys.argv[1:]:
    nb = json.load(open(p))
    assert nb["cells"][0]["cell_type"] == "markdown", p
    for c in nb["cells"]:
        assert not c.get("outputs") and c.get("execution_count") is None, p
PYEOF' "a checked-in notebook has outputs or no title cell"

# Run every notebook in quick mode into a scratch figure folder.
figs=$(mktemp -d "${TMPDIR:-/tmp}/tkc-test-figures.XXXXXX")
trap 'rm -rf "$figs" "$tmp"' EXIT
TKC_QUICK=1 TKC_FIGURES=$figs bash "$root/notebooks/run.sh" --quick
check '[ $? -eq 0 ]' "notebooks/run.sh --quick failed"

# Every expected figure: PNG signature and chunk CRCs, size, not blank.
for name in "${expected[@]}"; do
    f=$figs/$name.png
    check '[ -f "$f" ]' "missing figure $name.png"
    [ -f "$f" ] || continue
    check '$PY - "$f" <<"PYEOF"
import struct, sys, zlib
import matplotlib.image as mpimg
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks = 8, []
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
    assert zlib.crc32(kind + body) == crc, "bad CRC in " + kind.decode()
    chunks.append(kind)
    pos += 12 + n
assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
w, h = struct.unpack(">II", data[16:24])
assert w >= 300 and h >= 200, (w, h)
img = mpimg.imread(path)[..., :3]
# non-trivial: many colours and a fair share of non-white pixels
assert len(set(map(tuple, (img.reshape(-1, 3) * 255).astype(int)))) > 50
assert (img.mean(axis=2) < 0.9).mean() > 0.01
PYEOF' "$name.png is not a valid non-trivial PNG"
done
extra=$(cd "$figs" && ls *.png 2>/dev/null | sed 's/\.png$//' | grep -vxF -f <(printf '%s\n' "${expected[@]}") || true)
check '[ -z "$extra" ]' "unexpected figures (add them to the list): $extra"

summary
