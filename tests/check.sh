# check.sh — what every shell test shares, sourced after `set -u`: the
# counters and check(), a scratch folder removed at exit, and summary(),
# the last line "N passed, N failed" and the exit status the suite reads.
PY=/usr/bin/python3
pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAILED: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
