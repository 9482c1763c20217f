#!/usr/bin/env bash
# test_abi.sh — libtkc exports exactly its public API:
#  (a) the defined dynamic symbols of the shared library (nm -D
#      --defined-only; the toolchain's own, named with a leading
#      underscore, aside) are the committed list tests/abi/libtkc.symbols
#      — the diff is printed, so the list changes only on purpose;
#  (b) every listed symbol is declared in the public headers, as the
#      umbrella include/tkc/tkc.h preprocesses for a user;
#  (c) every declaration marked TKC_API in include/tkc is exported.
# After a deliberate change of the API:  nm -D --defined-only
#   build/libtkc.so | awk '$3 !~ /^_/ {print $3}' | sort > tests/abi/libtkc.symbols
set -u
. "$(dirname "$0")/check.sh"
LIB=${TKC_LIB:?TKC_LIB not set}
CC=${TKC_CC:-cc}
INC=${TKC_INCLUDE:?TKC_INCLUDE not set}
LIST=${TKC_TESTS:?TKC_TESTS not set}/abi/libtkc.symbols

# (a) the exported symbols against the committed list
nm -D --defined-only "$LIB" | awk '$3 !~ /^_/ {print $3}' | sort -u >"$tmp/exported"
if diff -u "$LIST" "$tmp/exported" >"$tmp/diff"; then ok; else
    bad "exported symbols differ from tests/abi/libtkc.symbols (- listed, + exported):"
    cat "$tmp/diff" >&2
fi
[ -s "$tmp/exported" ] && ok || bad "nm found no symbols in $LIB"

# (b) each declared in the public headers (preprocessed: no comments)
if $CC -E -P -I "$INC" "$INC/tkc/tkc.h" >"$tmp/public.i" 2>"$tmp/cc.err"; then ok; else
    bad "the public headers do not preprocess on their own:"; cat "$tmp/cc.err" >&2
fi
while read -r sym; do
    grep -Eq "(^|[^A-Za-z0-9_])$sym[[:space:]]*(\(|\[|;)" "$tmp/public.i" ||
        bad "$sym is exported but no public header declares it"
done <"$LIST"
ok

# (c) each TKC_API declaration exported
grep -hoE 'TKC_API [^(;]*[^A-Za-z0-9_](tkc_[A-Za-z0-9_]+)[[:space:]]*(\(|\[|;)' "$INC"/tkc/*.h |
    grep -oE 'tkc_[A-Za-z0-9_]+[[:space:]]*(\(|\[|;)$' | grep -oE 'tkc_[A-Za-z0-9_]+' |
    sort -u >"$tmp/declared"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
[ -z "$missing" ] && ok || bad "declared TKC_API but not exported: $missing"
[ "$(wc -l <"$tmp/declared")" -eq "$(wc -l <"$tmp/exported")" ] && ok ||
    bad "$(wc -l <"$tmp/declared") TKC_API declarations, $(wc -l <"$tmp/exported") exported symbols"

summary
