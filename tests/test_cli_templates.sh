#!/bin/bash
# test_cli_templates.sh — `tkc templates check|sample`: output, JSON, exit
# codes (0 ok, 2 bad input or overlapping templates), reproducible samples
# and disjoint train/test alphabets.
set -u
TKC=${TKC_EXE:?}
DATA=${TKC_DATA:?}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok()  { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
expect() {  # expect DESCRIPTION CONDITION...
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; fi
}
run() {     # run ARGS...: sets rc, out, err
    "$TKC" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
json() {    # json EXPR: evaluate a Python expression on the JSON in $out
    printf '%s' "$out" | $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

SD=$DATA/templates/same_different.tpl

# ---- check ----------------------------------------------------------------
run templates check "$SD" --alphabet 10
expect "check exit 0" test "$rc" = 0
expect "count" grep -q '^templates: 2$' "$tmp/out"
expect "k with [CLS]" grep -q '^length k: 3 (with \[CLS\] appended)$' "$tmp/out"
expect "wildcards per template" grep -q '^wildcards per template: 1 template with 1, 1 template with 2, max 2$' "$tmp/out"
expect "disjoint" grep -q '^disjoint: yes' "$tmp/out"
expect "rho" grep -q '^rho: 5 (alphabet 10' "$tmp/out"
expect "[CLS] note on stderr" grep -q 'CLS\] appended' "$tmp/err"

run templates check "$SD" --no-cls
expect "--no-cls exit 0" test "$rc" = 0
expect "--no-cls k" grep -q '^length k: 2$' "$tmp/out"
expect "--no-cls: no note" test -z "$err"

run templates check "$SD" --alphabet 7 --json
expect "json exit 0" test "$rc" = 0
expect "json count, k, rho" test "$(json '(d["count"], d["k"], d["rho"], d["cls_appended"], d["disjoint"])')" = "(2, 3, 3.5, True, True)"
expect "json templates" test "$(json '[t["template"] for t in d["templates"]]')" = "['α α [CLS]', 'α β [CLS]']"
expect "json labels" test "$(json '[t["label"] for t in d["templates"]]')" = "[1, -1]"

run templates check "$DATA/templates/raven.tpl" --json
expect "raven symbolic" test "$(json '(d["labels"], d["count"], d["rho"])')" = "('symbolic', 37, None)"

# overlapping templates: exit 2, both lines and a witness
printf '# overlap\n+1 α β\n-1 S β\n' >"$tmp/ov.tpl"
run templates check "$tmp/ov.tpl"
expect "overlap exit 2" test "$rc" = 2
expect "overlap lines" grep -q '^  line 2: α β \[CLS\]$' "$tmp/out"
expect "overlap lines" grep -q '^  line 3: S β \[CLS\]$' "$tmp/out"
expect "overlap witness" grep -q '^  both match: S t1 \[CLS\]' "$tmp/out"
run templates check "$tmp/ov.tpl" --json
expect "overlap json" test "$(json '(d["disjoint"], d["overlap"]["lines"], d["overlap"]["witness"], d["overlap"]["identical"])')" = "(False, [2, 3], ['S', 't1', '[CLS]'], False)"
printf '+1 α β γ\n-1 γ α β\n' >"$tmp/dup.tpl"
run templates check "$tmp/dup.tpl"
expect "identical exit 2" test "$rc" = 2
expect "identical said" grep -q 'identical up to renaming' "$tmp/out"

# malformed input: file:line:col, exit 2, nothing on stdout
check_error() {  # check_error CONTENT(printf format) WHERE PHRASE
    printf "$1" >"$tmp/e.tpl"
    run templates check "$tmp/e.tpl"
    expect "error exit 2 for $2" test "$rc" = 2
    expect "error location $2" grep -qF "$tmp/e.tpl:$2: " "$tmp/err"
    expect "error phrase $3" grep -qF "$3" "$tmp/err"
    expect "nothing on stdout for $2" test -z "$out"
}
check_error '' 1:1 'at least one template'
check_error '+1 a\\qb\n' 1:5 'unknown escape'
check_error '+1 αα\nnan αβ\n' 2:1 'finite real label'
check_error '+1 [w=0] αα\n' 1:7 '0 < w <= 1'
check_error '+1 [w=0.2] αα\n-1 [w=0.2] αβ\n' 2:4 'sum to 0.4'
check_error '+1 αα\n-1 αββ\n' 2:4 'expected 3 like line 1'
check_error 'β αα\n' 1:1 'does not appear'
check_error '+1 a\377\n' 1:5 'invalid UTF-8'
$PY -c "import sys; sys.stdout.write('+1 ' + 'ab ' * 3500000 + '\n')" >"$tmp/e.tpl"
run templates check "$tmp/e.tpl"
expect "10 MB line exit 2" test "$rc" = 2
expect "10 MB line message" grep -qF "e.tpl:1:196: template has more than 64 symbols" "$tmp/err"

# usage
run templates check
expect "no file: exit 2" test "$rc" = 2
run templates check "$tmp/nonexistent.tpl"
expect "missing file: exit 2" test "$rc" = 2
run templates check "$SD" --bogus
expect "unknown option: exit 2" test "$rc" = 2
run templates check "$SD" --alphabet 1
expect "alphabet too small: exit 2" test "$rc" = 2
run templates frobnicate "$SD"
expect "unknown subcommand: exit 2" test "$rc" = 2
run templates --help
expect "--help exit 0" test "$rc" = 0
expect "--help text" grep -q 'tkc templates check FILE' "$tmp/out"

# ---- sample ---------------------------------------------------------------
run templates sample "$SD" -n 50 --alphabet 10 --seed 7
expect "sample exit 0" test "$rc" = 0
first=$out
expect "50 lines" test "$(printf '%s\n' "$out" | wc -l)" = 50
run templates sample "$SD" -n 50 --alphabet 10 --seed 7
expect "same seed, same output" test "$out" = "$first"
run templates sample "$SD" -n 50 --alphabet 10 --seed 8
expect "another seed, another output" test "$out" != "$first"
train_tokens=$(printf '%s\n' "$first" | cut -f2 | tr ' ' '\n' | grep '^t' | sort -u)
run templates sample "$SD" -n 50 --alphabet 10 --seed 7 --test
test_tokens=$(printf '%s\n' "$out" | cut -f2 | tr ' ' '\n' | grep '^t' | sort -u)
expect "train tokens t1..t10" test -z "$(printf '%s\n' "$train_tokens" | grep -vxE 't([1-9]|10)')"
expect "test tokens t11..t20" test -z "$(printf '%s\n' "$test_tokens" | grep -vxE 't(1[1-9]|20)')"
expect "train and test disjoint" test -z "$(comm -12 <(echo "$train_tokens") <(echo "$test_tokens"))"
expect "labels +1 for αα, -1 for αβ" test -z "$(printf '%s\n' "$first" | awk -F'\t' '{split($2, x, " "); if (($1 == 1) != (x[1] == x[2])) print}')"

run templates sample "$SD" -n 20 --alphabet 10 --seed 3 --noise 0.5 --json
expect "sample json" test "$(json '(d["n"], len(d["samples"]), d["split"], len(d["samples"][0]["tokens"]))')" = "(20, 20, 'train', 3)"
expect "noisy labels" test "$(json 'all(abs(abs(s["label"]) - 1) > 0 for s in d["samples"])')" = "True"

run templates sample "$DATA/templates/raven.tpl" -n 20 --alphabet 5 --seed 1 --json
expect "symbolic labels are tokens of the string" test "$(json 'all(s["label"] in s["tokens"] for s in d["samples"])')" = "True"

run templates sample "$SD" -n 5
expect "sample needs --alphabet" test "$rc" = 2
run templates sample "$SD" -n 5 --alphabet 1
expect "sample: alphabet too small" test "$rc" = 2
run templates sample "$tmp/ov.tpl" -n 5 --alphabet 5
expect "sample refuses overlapping sets" test "$rc" = 2
run templates sample "$SD" -n 5 --alphabet 5 --noise nan
expect "sample: bad noise" test "$rc" = 2

# ---- a set by its bare name (src/template_find.c) ---------------------------
# the search order: the path itself, $TKC_TEMPLATES, the installed sets, the
# source tree's
mkdir -p "$tmp/sets" "$tmp/more" "$tmp/cwd"
printf '+1 a b\n-1 b a\n' > "$tmp/sets/mine.tpl"
printf '+1 x x\n-1 x y\n+1 y y\n' > "$tmp/more/mine.tpl"
run_bare() { (cd "$tmp/cwd" && TKC_TEMPLATES=$1 "$TKC" "${@:2}") >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
run_bare "$tmp/sets" templates check mine --json
expect "bare name from TKC_TEMPLATES" test "$rc:$(json 'd["count"], d["file"]')" = "0:2 $tmp/sets/mine.tpl"
run_bare "$tmp/sets" templates check mine.tpl --json
expect "bare name with .tpl" test "$rc:$(json 'd["count"]')" = "0:2"
run_bare "$tmp/more:$tmp/sets" templates check mine --json
expect "TKC_TEMPLATES in order" test "$(json 'd["count"]')" = 3
run_bare "::$tmp/sets" templates check mine --json
expect "empty entries skipped" test "$(json 'd["count"]')" = 2
cp "$tmp/more/mine.tpl" "$tmp/cwd/mine"
run_bare "$tmp/sets" templates check mine --json
expect "a file of that name first" test "$(json 'd["count"], d["file"]')" = "3 mine"
rm "$tmp/cwd/mine"
run_bare "$tmp/sets" templates check ./mine
expect "a name with a slash is a path" test "$rc" = 2
expect "... which names itself" grep -q "^tkc templates: ./mine: cannot open" "$tmp/err"
run_bare "$tmp/sets" nmatrix majority7
expect "unknown set: exit 2" test "$rc" = 2
expect "... naming where it looked" grep -q "majority7: no such file, and no template set of that name in $tmp/sets:" "$tmp/err"
run_bare "$DATA/templates" nmatrix same_different --kernel mlp --json
expect "nmatrix by bare name" test "$rc:$(json 'd["verdict"]')" = "0:singular"
run_bare "$DATA/templates" series aba_abb --order 2 --json
expect "series FILE by bare name" test "$rc:$(json 'd["total_order"]')" = "0:2"
run_bare "$DATA/templates" krr same_different --n 20 --kernel mlpxx --json
expect "krr by bare name" test "$rc" = 0
# a build not installed finds the shipped sets in its source tree; a set of
# the same name earlier in the order still wins
run_bare "" templates check majority3 --json
expect "shipped set from the source tree, without TKC_TEMPLATES" \
    test "$rc:$(json 'd["file"]')" = "0:$DATA/templates/majority3.tpl"
cp "$tmp/more/mine.tpl" "$tmp/sets/majority3.tpl"
run_bare "$tmp/sets" templates check majority3 --json
expect "... after TKC_TEMPLATES" test "$(json 'd["count"]')" = 3

echo "$passed passed, $failed failed"
test "$failed" = 0
