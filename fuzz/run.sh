#!/bin/bash
# fuzz/run.sh SECONDS [BUILD_DIR] — build the parser's libFuzzer target with
# clang (ASan + UBSan) and run it for SECONDS on a corpus seeded with the
# shipped template sets and the regression inputs.  Crashing inputs land in
# BUILD_DIR/fuzz-artifacts/; copy them to tests/fuzz_regressions/ once
# fixed, where test_template replays them.
set -eu
secs=${1:?usage: fuzz/run.sh SECONDS [BUILD_DIR]}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-/tmp/build-tkc-fuzz}
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$src" -Dfuzz=true >/dev/null
fi
ninja -C "$build" fuzz/fuzz_template_parse >/dev/null
corpus=$build/fuzz-corpus
mkdir -p "$corpus" "$build/fuzz-artifacts"
cp "$src"/data/templates/*.tpl "$src"/tests/fuzz_regressions/* "$corpus"/
exec "$build/fuzz/fuzz_template_parse" -max_total_time="$secs" -max_len=4096 \
    -timeout=10 -rss_limit_mb=1024 -dict="$src/fuzz/template.dict" \
    -artifact_prefix="$build/fuzz-artifacts/" -print_final_stats=1 "$corpus"
