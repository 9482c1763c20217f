#!/usr/bin/env bash
# test_cli_progress.sh — progress on stderr (src/cli/cli_progress.c): shown
# with --progress once a run passes 2 s, with what is being done, how far
# the library's stage has got (tkc/progress.h), the time spent and the time
# left; on a terminal one line redrawn in place, cut to its width; never on
# stdout (the JSON stays one strict object); nothing with --no-progress,
# nor by default when stderr is not a terminal; every command accepts both
# flags.
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

# Runs of a few seconds: 2e8 integrand evaluations (1e7 under the
# sanitizers, which run some 20x slower: TKC_SANITIZED, tests/meson.build).
if [ "${TKC_SANITIZED:-0}" = 1 ]; then evals=1e7; nm_evals=3e6; else evals=2e8; nm_evals=6e7; fi

# The line names the kernel and estimator, how far the estimator has got,
# the seconds spent and left; stdout is the JSON alone.
long=(kernel aCbd bCad --kernel attn --estimator mc --samples $evals --json)
"$TKC_EXE" "${long[@]}" --progress >"$tmp/o.json" 2>"$tmp/err"
check "long run exit 0" [ $? -eq 0 ]
check "stdout strict JSON with --progress" strict_json "$tmp/o.json"
check "progress names what, how far, the time and the time left" \
    grep -Eq '^tkc kernel: K_attn\(X, Y\), k = 4, by mc: K_attn mc, 1 pattern [0-9]+%: [0-9]+s, ~[0-9]+s left$' "$tmp/err"
check "no terminal codes when stderr is not a terminal" \
    bash -c "! grep -q $'\r' '$tmp/err'"
"$TKC_EXE" "${long[@]}" --no-progress >"$tmp/o2.json" 2>"$tmp/err"
check "--no-progress: stderr empty" [ ! -s "$tmp/err" ]
check "the same JSON without progress" cmp -s "$tmp/o.json" "$tmp/o2.json"

# nmatrix and check: the library's stages inside the command's phase, with
# their counts; the same output as without progress.
quick=(--estimator mc --samples $nm_evals --no-auto-refine --no-generic)
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans "${quick[@]}" --progress \
    >"$tmp/n1" 2>"$tmp/err"
check "nmatrix: a counted K_attn stage in its phase" \
    grep -Eq '^tkc nmatrix: trans, r = 2(, N: (<= )?~[0-9]+s predicted)?: (Lemma 3.6: N_attn: )?K_attn mc, [0-9]+ patterns [0-9]+%: [0-9]+s' "$tmp/err"
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans "${quick[@]}" >"$tmp/n2" 2>&1
check "nmatrix: the same output without progress" cmp -s "$tmp/n1" "$tmp/n2"
"$TKC_EXE" check "$tmp/sd.tpl" "${quick[@]}" --progress >/dev/null 2>"$tmp/err"
check "check: the kernel and its stage" \
    grep -Eq '^tkc check: (attention|MLP|transformer) \([123] of 3(, N: (<= )?~[0-9]+s predicted)?\): .*K_attn mc, [0-9]+ patterns [0-9]+%' "$tmp/err"

# On a terminal (script(1) gives one): one line redrawn in place (\r), cut
# to the terminal's width with "…", the count and times kept, and cleared
# at the end; stdout untouched.
if command -v script >/dev/null; then
    script -qec "stty cols 60; '$TKC_EXE' nmatrix '$tmp/sd.tpl' --kernel trans ${quick[*]} >'$tmp/n3'" \
        /dev/null >"$tmp/tty" 2>&1
    check "terminal: exit 0, the same stdout" cmp -s "$tmp/n1" "$tmp/n3"
    "$PY" - "$tmp/tty" <<'PYEOF'
import re, sys
raw = open(sys.argv[1], 'rb').read().decode('utf-8')
lines = [l.replace('\x1b[K', '') for l in raw.split('\r')]
shown = [l for l in lines if l.startswith('tkc nmatrix: ')]
assert shown, raw
for l in shown:
    assert len(l) <= 59, (len(l), l)                       # one row
    assert re.search(r'(\d+%|\[\d+/\d+\]): \d+s(, ~\d+s left)?$', l), l
assert any('…' in l for l in shown), shown                  # cut, marked
assert raw.rstrip('\n').endswith('\r\x1b[K') or '\r\x1b[K' in raw  # cleared
PYEOF
    check "terminal: one row each, cut with …, count and times kept" [ $? -eq 0 ]
fi

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
