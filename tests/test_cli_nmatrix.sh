#!/usr/bin/env bash
# test_cli_nmatrix.sh — `tkc nmatrix`: verdicts with their evidence, the JSON
# contract of docs/json.md (checked against independent facts: symmetry, sorted
# singular values, σ_min against the bound), exit codes and messages.
set -u
. "$(dirname "$0")/check.sh"

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

# --no-cls: no [CLS] appended; with no regular token at all every entry is
# κ(0) and N is still exactly singular.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel mlp --no-cls --json >"$tmp/o.json"
check "no-cls templates" json "$tmp/o.json" 'j["templates"] == ["α α", "α β"] and not j["cls_appended"]'
check "no-cls singular" json "$tmp/o.json" 'j["verdict"] == "singular"'

# MLP, αβα/αββ: the same, in text: the verdict line names the rows.
out=$("$TKC_EXE" nmatrix "$tmp/aba.tpl" --kernel mlp)
check "mlp aba text singular" grep -q "verdict: singular (exact): rows 1,2 identical" <<<"$out"

# MLP, templates differing in a regular token: proved nonsingular.
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
check "mlp regular proved" json "$tmp/o.json" \
  'j["verdict_words"] == "nonsingular (proved)" and j["certificate"]["evidence_kind"] == "proved"'
out=$("$TKC_EXE" nmatrix "$tmp/regular.tpl" --kernel mlp)
check "mlp regular text proved" grep -Eq "^verdict: nonsingular \(proved\): sigma_min >= [0-9.e+-]+, \|\|N\^-1\|\| <= [0-9.e+-]+ \(both proved\); closed form, rigorous bounds" <<<"$out"

# Transformer, same/different, Monte Carlo: nonsingular at its confidence,
# N symmetric within errors, singular values descending.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans --estimator mc --beta 3 --samples 16384 \
  --auto-refine --json >"$tmp/o.json"
check "trans sd exit 0" [ $? -eq 0 ]
check "trans sd nonsingular" json "$tmp/o.json" 'j["verdict"] == "nonsingular"'
check "trans sd confidence" json "$tmp/o.json" 'j["certificate"]["confidence"] == 0.999'
check "trans sd never proved on Monte Carlo" json "$tmp/o.json" \
  'j["verdict_words"] == "nonsingular (99.9% confidence)" and j["certificate"]["evidence_kind"] == "confidence" == j["sigma_min_lower_bound_evidence"]'
check "trans sd statistical" json "$tmp/o.json" 'j["certificate"]["error_kind"] == "statistical"'
check "trans sd symmetric" json "$tmp/o.json" \
  'abs(j["N"][0][1] - j["N"][1][0]) <= 4 * math.hypot(j["stderr"][0][1], j["stderr"][1][0]) + 1e-15'
check "trans sd sorted" json "$tmp/o.json" 'j["singular_values"] == sorted(j["singular_values"], reverse=True)'
check "trans sd ladder" json "$tmp/o.json" \
  '[l["prec"] for l in j["certificate"]["precision_ladder"]] == [53, 128, 256, 512]'
check "trans sd lemma 3.6" json "$tmp/o.json" 'j["certificate"]["lemma_3_6"]["status"] in ("holds", "not established")'
# The generic verdict, beside the point's (docs/generic.md): the same
# whatever β, γ and the estimator, since it is about almost every (β, γ).
check "trans sd generic" json "$tmp/o.json" \
  'j["generic"]["verdict"] == "nonsingular" and j["generic"]["deciding_monomial"]["name"] == "β^4" and j["generic"]["tightest_cycle"]["cycles"] == "(1 2)"'
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator series --beta 0.25 --gamma 2 --json >"$tmp/a.json"
check "attn sd generic: condition (10)" json "$tmp/a.json" \
  'j["generic"]["verdict"] == "condition (10)" and j["generic"]["condition_10"] == "proved" and "for almost every (β, γ)" in j["generic"]["statement"]'
"$PY" -c "
import json
g = [json.load(open(f))['generic'] for f in ('$tmp/o.json', '$tmp/a.json')]
assert g[0]['deciding_monomial'] == g[1]['deciding_monomial'] and g[0]['tightest_cycle'] == g[1]['tightest_cycle']
" && ok || bad "generic the same at beta 3 (mc) and 0.25 (series)"
out=$("$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans --estimator mc --samples 1024)
check "trans sd generic text" grep -q "^for almost every parameter: nonsingular (proved): N_trans nonsingular for almost every (β, γ, b1, b2), proved (Lemma 3.7 from the exact coefficients through β^4; Lemma 3.6)" <<<"$out"
check "trans sd generic method" grep -q "^  exhaustive over all 2! = 2 permutations: .*; total orders 0, 2, 4 over 3 pair patterns" <<<"$out"
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel mlp --json >"$tmp/m.json"
check "mlp sd generic singular" json "$tmp/m.json" \
  'j["generic"]["verdict"] == "singular" and j["generic"]["statement"].startswith("singular for every parameter, exact: rows 1,2 identical")'
"$TKC_EXE" nmatrix "$tmp/regular.tpl" --kernel mlpxx --json >"$tmp/m.json"
check "mlpxx generic from the proved point" json "$tmp/m.json" \
  'j["verdict_words"] == "nonsingular (proved)" and j["generic"]["verdict"] == "nonsingular" and j["generic"]["statement"].startswith("nonsingular for almost every (b1, b2), proved: det N is real-analytic")'
"$TKC_EXE" nmatrix "$tmp/regular.tpl" --kernel mlpxx --b1 1e-9 --json >"$tmp/m.json"
check "mlpxx generic not established without a proved point" json "$tmp/m.json" \
  'j["verdict"] == "undecided" and j["generic"]["verdict"] == "not established" and j["generic"]["statement"].startswith("not established by tkc")'
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel trans --estimator mc --samples 1024 --no-generic --json >"$tmp/m.json"
check "--no-generic: null" json "$tmp/m.json" 'j["generic"] is None'

# Undecided at the defaults with few samples: the verdict says what would
# settle it, in samples.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --estimator mc --samples 4096 --json >"$tmp/o.json"
check "undecided settle" json "$tmp/o.json" \
  'j["verdict"] == "nonsingular" or (j["verdict"] == "undecided" and "more samples" in j["certificate"]["settle"])'
check "undecided bound 0" json "$tmp/o.json" 'j["verdict"] == "nonsingular" or j["sigma_min_lower_bound"] == 0'

# Small β, exactly: det N_attn(β) for same/different, against the leading
# term of the determinant assembled here from `tkc series` coefficients of
# the four pairs (Fractions, γ = 1).
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator mc --samples 1024 --json >"$tmp/o.json"
for p in "a a C|c c C" "a a C|c d C" "a b C|c c C" "a b C|c d C"; do
    "$TKC_EXE" series "${p%|*}" "${p#*|}" --order 4 --json
done >"$tmp/series.jsonl"
check "small-beta det vs series" "$PY" - "$tmp/o.json" "$tmp/series.jsonl" <<'PYEOF'
import json, sys
from fractions import Fraction as F
j = json.load(open(sys.argv[1]))["certificate"]["small_beta_det"]
tabs = [json.loads(l) for l in open(sys.argv[2])]
def poly(t):  # c_i(γ² = 1) for i = 0, 1, 2
    c = [F(0)] * 3
    for e in t["coefficients"]:
        c[e["beta_power"] // 2] += F(e["value"])
    return c
def mul(a, b):
    out = [F(0)] * 3
    for i in range(3):
        for k in range(3 - i):
            out[i + k] += a[i] * b[k]
    return out
n11, n12, n21, n22 = map(poly, tabs)
det = [p - q for p, q in zip(mul(n11, n22), mul(n12, n21))]
lead = next(i for i, c in enumerate(det) if c != 0)
ok = j["determined"] and j["beta_power"] == 2 * lead and F(j["leading_coefficient"]) == det[lead]
sys.exit(0 if ok else 1)
PYEOF

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
# Each estimator reads its own options; --prec is also the certificate's.
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator qmc --samples 1024 2>"$tmp/err"
check "qmc refuses --samples" [ $? -eq 2 ]
check "qmc refusal names --points" grep -q -- "qmc reads --points" "$tmp/err"
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator mc --samples 4096 --prec 128 \
    --json >"$tmp/o.json" 2>"$tmp/err"
check "mc with --prec (the certificate's)" [ $? -eq 0 ]
check "certified at --prec bits" json "$tmp/o.json" '"MPFR 128 bits" in j["certificate"]["method"]'
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator qmc --points 512 --replicates 8 \
    --json >"$tmp/o.json"
check "qmc --points --replicates" json "$tmp/o.json" 'j["certificate"]["samples"] == 2 * 512 * 8'

# The predicted time (nmatrix_cost.c): on stderr before the run, never on
# stdout, even with --json; the run itself is cut by a CPU limit of 1 s.
# 2e9 evaluations of N's 3 distinct entries, k = 3: about 36 s here.
{ (ulimit -t 1; exec "$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator mc \
    --samples 2e9 --json >"$tmp/o.json" 2>"$tmp/e.txt"); } 2>/dev/null
check "time predicted on stderr" grep -q "r = 2, kernel attn: about [0-9]* s (an estimate for this machine: 6e+09 integrand values" "$tmp/e.txt"
check "time predicted: nothing on stdout" [ ! -s "$tmp/o.json" ]
# a short run says nothing of its time
"$TKC_EXE" nmatrix "$tmp/sd.tpl" --kernel attn --estimator mc --samples 4096 \
    >"$tmp/o.txt" 2>"$tmp/e.txt"
check "short run: no time said" [ ! -s "$tmp/e.txt" ]

summary
