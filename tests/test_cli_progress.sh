#!/usr/bin/env bash
# test_cli_progress.sh — progress on stderr (src/cli/cli_progress.c): shown
# with --progress once a run passes 2 s, with what is being done and the
# time spent; never on stdout (the JSON stays one strict object); nothing
# with --no-progress, nor by default when stderr is not a terminal; every
# command accepts both flags.
set -u
. "$(dirname "$0")/check.sh"
printf '1 α α\n-1 α β\n' >"$tmp/sd.tpl"
strict_json() {
    "$PY" -c "
import json, sys
def refuse(c): raise ValueError(c)
text = open(sys.argv[1], 'rb').read().decode('utf-8')
obj, end = json.JSONDecoder(parse_constant=refuse).raw_decode(text)
assert isinstance(obj, dict) and text[end:] == '\n'" "$1"
}

# A run of a few seconds (2e8 integrand evaluations): the line names the
# kernel and estimator and the seconds spent; stdout is the JSON alone.
long=(kernel aCbd bCad --kernel attn --estimator mc --samples 2e8 --json)
"$TKC_EXE" "${long[@]}" --progress >"$tmp/o.json" 2>"$tmp/err"
check "long run exit 0" [ $? -eq 0 ]
check "stdout strict JSON with --progress" strict_json "$tmp/o.json"
check "progress names what and the time" \
    grep -Eq '^tkc kernel: K_attn\(X, Y\), k = 4, by mc: [0-9]+s' "$tmp/err"
check "no terminal codes when stderr is not a terminal" \
    bash -c "! grep -q $'\r' '$tmp/err'"
"$TKC_EXE" "${long[@]}" --no-progress >"$tmp/o2.json" 2>"$tmp/err"
check "--no-progress: stderr empty" [ ! -s "$tmp/err" ]
check "the same JSON without progress" cmp -s "$tmp/o.json" "$tmp/o2.json"

# A quick run shows nothing, even with --progress.
"$TKC_EXE" kernel ab ba --kernel mlp --progress 2>"$tmp/err" >/dev/null
check "quick run: nothing shown" [ ! -s "$tmp/err" ]

# Every command takes both flags (and --progress=1 is refused: a flag).
for args in "templates check $tmp/sd.tpl" "templates sample $tmp/sd.tpl -n 4 --alphabet 10" \
            "kernel ab ba --kernel mlp" "series ab ba" "series $tmp/sd.tpl" \
            "nmatrix $tmp/sd.tpl --kernel mlp" \
            "check $tmp/sd.tpl --estimator mc --samples 1024 --no-auto-refine --no-generic" \
            "krr $tmp/sd.tpl --n 10 --kernel mlp"; do
    for flag in --progress --no-progress; do
        "$TKC_EXE" $args $flag >/dev/null 2>"$tmp/err"
        check "$args $flag: exit 0" [ $? -eq 0 ]
    done
done
"$TKC_EXE" kernel ab ba --progress=1 2>"$tmp/err"
check "--progress=1 refused" bash -c "[ $? -eq 2 ] && grep -q 'takes no value' '$tmp/err'"

summary
