#!/bin/bash
# fuzz/run.sh SECONDS [BUILD_DIR] — build the libFuzzer targets with clang
# (ASan + UBSan) and run each for SECONDS:
#   fuzz_template_parse  on a corpus seeded with the shipped template sets
#                        and tests/fuzz_regressions/;
#   fuzz_cli_args        on a corpus seeded with tests/fuzz_regressions_cli/.
# Crashing inputs land in BUILD_DIR/fuzz-artifacts/<target>/; copy them,
# once fixed, to the target's regression folder, where test_template and
# test_cli_args replay them.  FUZZ_TARGETS (space-separated) runs fewer.
set -eu
secs=${1:?usage: fuzz/run.sh SECONDS [BUILD_DIR]}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-/tmp/build-tkc-fuzz}
targets=${FUZZ_TARGETS:-fuzz_template_parse fuzz_cli_args}
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$src" -Dfuzz=true >/dev/null
fi
status=0
for t in $targets; do
    ninja -C "$build" "fuzz/$t" >/dev/null
    corpus=$build/fuzz-corpus/$t
    artifacts=$build/fuzz-artifacts/$t
    mkdir -p "$corpus" "$artifacts"
    case $t in
    fuzz_template_parse)
        cp "$src"/data/templates/*.tpl "$src"/tests/fuzz_regressions/* "$corpus"/
        extra=(-max_len=4096 -dict="$src/fuzz/template.dict") ;;
    fuzz_cli_args)
        cp "$src"/tests/fuzz_regressions_cli/* "$corpus"/
        extra=(-max_len=1024 -dict="$src/fuzz/cli_args.dict") ;;
    *)
        echo "fuzz/run.sh: unknown target $t" >&2
        exit 2 ;;
    esac
    echo "== $t, $secs s" >&2
    "$build/fuzz/$t" -max_total_time="$secs" "${extra[@]}" -timeout=10 \
        -rss_limit_mb=1024 -artifact_prefix="$artifacts/" \
        -print_final_stats=1 "$corpus" || status=$?
done
exit $status
