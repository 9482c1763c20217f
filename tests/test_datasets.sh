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

# name count k(with [CLS]) labels; one Python run reads every JSON answer
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name count k labels; do
    "$TKC" templates check "$DATA/templates/$name.tpl" --alphabet 100 --json \
        >"$tmp/$name.json" 2>/dev/null
    expect "$name: check exit 0" test "$?" = 0
    echo "$name $count $k $labels True" >>"$tmp/expected"
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
$PY - "$tmp" >"$tmp/got" <<'PY'
import json, sys
d = sys.argv[1]
for line in open(d + "/expected"):
    name = line.split()[0]
    try:
        j = json.load(open("%s/%s.json" % (d, name)))
        print(name, j["count"], j["k"], j["labels"], j["disjoint"])
    except Exception as e:
        print(name, "unreadable:", e)
PY
while read -r expected && read -r got <&3; do
    expect "${expected%% *}: count, k, labels, disjoint: expected '$expected', got '$got'" \
        test "$expected" = "$got"
done <"$tmp/expected" 3<"$tmp/got"
expect "every set answered" test "$(wc -l <"$tmp/got")" = 11

n=$(ls "$DATA"/templates/*.tpl | wc -l)
expect "11 shipped sets (found $n)" test "$n" = 11

echo "$passed passed, $failed failed"
test "$failed" = 0
