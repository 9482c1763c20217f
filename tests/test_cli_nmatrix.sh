#!/usr/bin/env bash
# test_cli_nmatrix.sh — `tkc nmatrix`: verdicts with their evidence, the JSON
# contract of SPEC §7 (checked against independent facts: symmetry, sorted
# singular values, σ_min against the bound), exit codes and messages.
set -u
PY=/usr/bin/python3
pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAILED: $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '1 α α\n-1 α β\n' >"$tmp/sd.tpl"
printf '1 α β α\n-1 α β β\n' >"$tmp/aba.tpl"
printf '1 α A\n-1 α B\n' >"$tmp/regular.tpl"
printf '1 α α\n-1 α β\n1 α\n' >"$tmp/ragged.tpl"

# json FILE PYTHON-EXPR: evaluate EXPR with j = the parsed object; true/false.
json() { "$PY" -c "import json,sys,math; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }

# MLP, same/different: exactly singular, the rows named, N constant.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel mlp --json >"$tmp/o.json"
check "mlp sd exit 0" [ $? -eq 0 ]
check "mlp sd singular" json "$tmp/o.json" 'j["verdict"] == "singular"'
check "mlp sd rows 1,2" json "$tmp/o.json" 'j["certificate"]["identical_rows"] == [1, 2]'
check "mlp sd N constant" json "$tmp/o.json" 'len({x for r in j["N"] for x in r}) == 1'
check "mlp sd contract keys" json "$tmp/o.json" \
  'all(k in j for k in ["templates","N","stderr","singular_values","sigma_min_lower_bound","verdict","certificate"])'
check "mlp sd bound 0" json "$tmp/o.json" 'j["sigma_min_lower_bound"] == 0'
check "mlp sd templates" json "$tmp/o.json" 'len(j["templates"]) == 2 and "[CLS]" in j["templates"][0]'

# MLP, αβα/αββ: the same, in text: the verdict line names the rows.
out=$("$TKC_EXE" nmatrix "$tmp/aba.tpl" --kernel mlp)
check "mlp aba text singular" grep -q "verdict: singular (exact): rows 1,2 identical" <<<"$out"

# MLP, templates differing in a regular token: certified nonsingular.
"$TKC_EXE" nmatrix "$tmp/regular.tpl" --kernel mlp --json >"$tmp/o.json"
check "mlp regular nonsingular" json "$tmp/o.json" 'j["verdict"] == "nonsingular"'
check "mlp regular N symmetric (exact)" json "$tmp/o.json" 'j["N"][0][1] == j["N"][1][0]'
check "mlp regular bound <= sigma_min" json "$tmp/o.json" \
  '0 < j["sigma_min_lower_bound"] <= j["singular_values"][-1]'
# 2×2 [[a, b], [b, a]] has singular values |a+b|, |a-b|: check against them.
check "mlp regular singular values" json "$tmp/o.json" \
  'abs(j["singular_values"][-1] - abs(j["N"][0][0] - j["N"][0][1])) < 1e-12 and abs(j["singular_values"][0] - abs(j["N"][0][0] + j["N"][0][1])) < 1e-12'
check "mlp regular det" json "$tmp/o.json" \
  'abs(j["certificate"]["determinant"]["mantissa"] * 2.0**j["certificate"]["determinant"]["exponent2"] - (j["N"][0][0]**2 - j["N"][0][1]**2)) < 1e-12'
check "mlp regular closed form" json "$tmp/o.json" 'j["certificate"]["error_kind"] == "rounding"'

# Transformer, same/different, Monte Carlo: certified, with its confidence,
# N symmetric within errors, singular values descending.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans --estimator mc --beta 3 --samples 16384 \
  --auto-refine --json >"$tmp/o.json"
check "trans sd exit 0" [ $? -eq 0 ]
check "trans sd nonsingular" json "$tmp/o.json" 'j["verdict"] == "nonsingular"'
check "trans sd confidence" json "$tmp/o.json" 'j["certificate"]["confidence"] == 0.999'
check "trans sd statistical" json "$tmp/o.json" 'j["certificate"]["error_kind"] == "statistical"'
check "trans sd symmetric" json "$tmp/o.json" \
  'abs(j["N"][0][1] - j["N"][1][0]) <= 4 * math.hypot(j["stderr"][0][1], j["stderr"][1][0]) + 1e-15'
check "trans sd sorted" json "$tmp/o.json" 'j["singular_values"] == sorted(j["singular_values"], reverse=True)'
check "trans sd ladder" json "$tmp/o.json" \
  '[l["prec"] for l in j["certificate"]["precision_ladder"]] == [53, 128, 256, 512]'
check "trans sd lemma 3.6" json "$tmp/o.json" 'j["certificate"]["lemma_3_6"]["status"] in ("holds", "not established")'
# Undecided at the defaults with few samples: the verdict says what would
# settle it, in samples.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --estimator mc --samples 4096 --json >"$tmp/o.json"
check "undecided settle" json "$tmp/o.json" \
  'j["verdict"] == "nonsingular" or (j["verdict"] == "undecided" and "more samples" in j["certificate"]["settle"])'
check "undecided bound 0" json "$tmp/o.json" 'j["verdict"] == "nonsingular" or j["sigma_min_lower_bound"] == 0'

# --confidence changes the stated level.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --estimator mc --samples 4096 --confidence 0.99 \
  --json >"$tmp/o.json"
check "confidence 0.99" json "$tmp/o.json" 'j["certificate"]["confidence"] == 0.99'

# Help and bad usage: exit 2 with a message naming the problem.
"$TKC_EXE" nmatrix --help >/dev/null
check "help exit 0" [ $? -eq 0 ]
"$TKC_EXE" nmatrix 2>"$tmp/err"
check "no file exit 2" [ $? -eq 2 ]
"$TKC_EXE" nmatrix "$tmp/missing.tpl" 2>"$tmp/err"
check "missing file exit 2" [ $? -eq 2 ]
check "missing file named" grep -q "missing.tpl" "$tmp/err"
"$TKC_EXE" nmatrix "$tmp/ragged.tpl" 2>"$tmp/err"
check "bad set exit 2" [ $? -eq 2 ]
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --confidence 1.5 2>"$tmp/err"
check "bad confidence exit 2" [ $? -eq 2 ]
check "bad confidence named" grep -q -- "--confidence" "$tmp/err"
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --frobnicate 2>"$tmp/err"
check "unknown option exit 2" [ $? -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
