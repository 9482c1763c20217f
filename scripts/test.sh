#!/usr/bin/env bash
# The whole test suite: the release build, then the same tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer.  Prints one line per build
# and, last, "N passed, N failed" over both.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
run_suite() {   # run_suite BUILD_DIR LABEL [meson test options]
    local dir=$1 label=$2 log
    shift 2
    log=$(mktemp)
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" >"$log" 2>&1
    local ok fail
    ok=$(grep -E '^Ok:' "$log" | awk '{print $2}')
    fail=$(( $(grep -E '^(Fail|Unexpected Pass|Timeout):' "$log" |
               awk '{s += $2} END {print s + 0}') ))
    grep -E '(FAIL|TIMEOUT|ERROR|SKIP)' "$log" | grep -Ev '^(Fail|Skipped):' >&2 || true
    [ -n "$ok" ] || { cat "$log" >&2; ok=0; fail=$((fail + 1)); }
    local skip note=
    skip=$(grep -E '^Skipped:' "$log" | awk '{print $2 + 0}')
    [ "${skip:-0}" -gt 0 ] && note=", $skip SKIPPED (above: what is missing)"
    echo "$label: $ok passed, $fail failed$note" >&2
    passed=$((passed + ok)) failed=$((failed + fail))
    rm -f "$log"
}

# meson test rebuilds the test programs but not the tkc executable the shell
# tests run: build everything first.
ninja -C build >&2 || { echo "0 passed, 1 failed"; exit 1; }
run_suite build "release build"

if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan -Db_sanitize=address,undefined \
        -Db_lundef=false --buildtype=debug >&2
fi
if ninja -C build-asan >&2; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_suite build-asan "sanitizer build" --no-suite notebooks --no-suite bench
else
    echo "sanitizer build: compilation failed" >&2
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
