#!/usr/bin/env bash
# notebooks/run.sh — execute every notebook headless and write its figures.
#
#   notebooks/run.sh [--quick] [NAME...]
#
# Runs each notebooks/NN_*.ipynb top to bottom with Debian's Jupyter
# (`/usr/bin/jupyter nbconvert --to notebook --execute`) into a temporary
# folder, so the checked-in notebooks (kept without outputs) are not touched.
# Figures go to $TKC_FIGURES as PNG: by default notebooks/figures/, and
# notebooks/figures/quick/ (ignored by git) in quick mode, so a quick run
# never replaces the checked-in figures of a full run.
# --quick (or TKC_QUICK=1) runs small sizes for CI: a minute or two in all.
# NAME restricts the run to notebooks whose file name contains it.
# The notebooks compute in process with the Python module of the build
# (build/python, on PYTHONPATH); they start no process.
# Environment: TKC_FIGURES, TKC_NB_OUT (keep the executed notebooks there
# instead of a temporary folder).
# Exit status: 0 when every notebook ran, 1 when one failed, 2 on bad setup.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
quick=${TKC_QUICK:-0}
names=()
for a in "$@"; do
    case $a in
        --quick) quick=1 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "run.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
        *) names+=("$a") ;;
    esac
done

jupyter=/usr/bin/jupyter
export TKC_ROOT=$root
if [ "$quick" = 1 ]; then
    export TKC_FIGURES=${TKC_FIGURES:-$here/figures/quick}
else
    export TKC_FIGURES=${TKC_FIGURES:-$here/figures}
fi
export TKC_QUICK=$quick
export MPLBACKEND=Agg            # headless: figures are only written as PNG
export PYTHONPATH=$root/build/python${PYTHONPATH:+:$PYTHONPATH}
export TKC_TEMPLATES=${TKC_TEMPLATES:-$root/data/templates}
if [ ! -f "$root/build/python/tkc/__init__.py" ]; then
    echo "run.sh: no tkc build (its Python module build/python);" \
         "build it first (meson setup build && ninja -C build)" >&2
    exit 2
fi
if [ ! -x "$jupyter" ]; then
    echo "run.sh: $jupyter not found (Debian packages jupyter-nbconvert," \
         "python3-ipykernel)" >&2
    exit 2
fi
mkdir -p "$TKC_FIGURES" || exit 2

if [ -n "${TKC_NB_OUT:-}" ]; then
    out=$TKC_NB_OUT; mkdir -p "$out" || exit 2
else
    out=$(mktemp -d "${TMPDIR:-/tmp}/tkc-notebooks.XXXXXX") || exit 2
    trap 'rm -rf "$out"' EXIT
fi
timeout=$([ "$quick" = 1 ] && echo 600 || echo 7200)

notebooks=()
for nb in "$here"/[0-9][0-9]_*.ipynb; do
    base=$(basename "$nb")
    if [ ${#names[@]} -gt 0 ]; then
        keep=0
        for n in "${names[@]}"; do [[ $base == *"$n"* ]] && keep=1; done
        [ $keep = 1 ] || continue
    fi
    notebooks+=("$nb")
done
if [ ${#notebooks[@]} -eq 0 ]; then
    echo "run.sh: no notebook matches ${names[*]:-(none in $here)}" >&2
    exit 2
fi

echo "running ${#notebooks[@]} notebooks ($([ "$quick" = 1 ] && echo quick || echo full) mode);" \
     "figures in $TKC_FIGURES"
failed=0
for nb in "${notebooks[@]}"; do
    base=$(basename "$nb" .ipynb)
    start=$SECONDS
    if (cd "$here" && "$jupyter" nbconvert --to notebook --execute \
            --ExecutePreprocessor.kernel_name=python3 \
            --ExecutePreprocessor.timeout="$timeout" \
            --output-dir "$out" --output "$base" "$nb") >"$out/$base.log" 2>&1; then
        echo "ok    $base ($((SECONDS - start)) s)"
    else
        echo "FAIL  $base ($((SECONDS - start)) s):"
        tail -n 30 "$out/$base.log" | sed -e "s/\x1b\[[0-9;]*m//g" -e "s/^/    /"
        failed=$((failed + 1))
    fi
done
if [ $failed -gt 0 ]; then
    echo "$failed of ${#notebooks[@]} notebooks failed"
    exit 1
fi
echo "all ${#notebooks[@]} notebooks ran"
