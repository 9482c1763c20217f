#!/bin/bash
# test_datasets.sh — every shipped template set: the generator reproduces
# the checked-in files (and asserts counts and disjointness with its own
# union-find), and `tkc templates check` accepts each with the expected
# count, length and label kind, all pairs disjoint.
set -u
TKC=${TKC_EXE:?}
DATA=${TKC_DATA:?}
PY=/usr/bin/python3
passed=0
failed=0
expect() {
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}

expect "generator --check: checked-in files equal its output" \
    $PY "$DATA/generate_templates.py" --check

# name count k(with [CLS]) labels
while read -r name count k labels; do
    f=$DATA/templates/$name.tpl
    out=$("$TKC" templates check "$f" --alphabet 100 --json 2>/dev/null)
    rc=$?
    expect "$name: check exit 0" test "$rc" = 0
    got=$(printf '%s' "$out" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["count"], d["k"], d["labels"], d["disjoint"])' 2>/dev/null)
    expect "$name: count $count, k $k, $labels labels, disjoint (got: $got)" \
        test "$got" = "$count $k $labels True"
done <<'LIST'
same_different 2 3 real
aba_abb 2 4 real
abab_aabb 2 5 real
majority3 4 4 real
majority5 16 6 real
programming 2 14 real
word_problem 4 15 real
distribution_of_3 144 11 real
relational_match_to_sample 40 10 real
raven 37 10 symbolic
random 16 7 real
LIST

n=$(ls "$DATA"/templates/*.tpl | wc -l)
expect "11 shipped sets (found $n)" test "$n" = 11

echo "$passed passed, $failed failed"
test "$failed" = 0
