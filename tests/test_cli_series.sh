#!/usr/bin/env bash
# test_cli_series.sh — `tkc series`: exact coefficients in text and JSON
# against the β = 0 closed form and the aC/bC example, exact evaluation at a
# rational γ, the optimal-truncation sum against Monte Carlo (`tkc kernel`),
# the warning outside the useful range, and bad input (exit 2); with a
# template FILE, the coefficient matrices of N_attn against the pair-by-pair
# tables of `tkc series X Y` on the strings it names.
set -u
. "$(dirname "$0")/check.sh"
TKC=${TKC_EXE:?TKC_EXE not set}
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# coef JSON BETA_POWER GAMMA_POWER: the exact value string of one coefficient
coef() { $PY -c 'import json,sys
d=json.loads(sys.argv[1])
print([c["value"] for c in d["coefficients"] if c["beta_power"]==int(sys.argv[2]) and c["gamma_power"]==int(sys.argv[3])][0])' "$@"; }
# bcoef JSON BETA_POWER: the exact coefficient of β^BETA_POWER at the given γ
bcoef() { $PY -c 'import json,sys
d=json.loads(sys.argv[1])
print([c["value"] for c in d["beta_coefficients"] if c["beta_power"]==int(sys.argv[2])][0])' "$@"; }
sumf() { $PY -c 'import json,sys; print(json.loads(sys.argv[2])["sum"][sys.argv[1]])' "$1" "$2"; }
field() { $PY -c 'import json,sys; v=json.loads(sys.argv[2])[sys.argv[1]]; print(json.dumps(v) if isinstance(v,(list,dict)) else v)' "$1" "$2"; }
within() { $PY -c 'import sys; a,b,s,n=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= n*s else 1)' "$@"; }

# β = 0 row: #{(a, b): x_a = y_b}/k² + γ²/k; aab/bca has 3 matches, k = 3
out=$($TKC series aab bca --order 4 --json)
check '[ $? -eq 0 ]' "series run"
check '[ "$(coef "$out" 0 0)" = 1/3 ] && [ "$(coef "$out" 0 2)" = 1/3 ]' "beta^0 row: $out"
# deg c_i ≤ i + 1 in γ²: nothing listed beyond
check '$PY -c "import json,sys; sys.exit(any(c[\"gamma_power\"] > c[\"beta_power\"] + 2 for c in json.loads(sys.argv[1])[\"coefficients\"]))" "$out"' "gamma powers within degree"
check '[ "$(field order "$out")" = 4 ] && [ "$(field k "$out")" = 3 ]' "order, k"
# every coefficient is an exact p/q (or integer) string
check '$PY -c "import json,sys,fractions; [fractions.Fraction(c[\"value\"]) for c in json.loads(sys.argv[1])[\"coefficients\"]]" "$out"' "values parse as fractions"

# docs/mathematics.md: aC/bC at γ = 1/2 (γ² = 1/4): 3/8, 9/64, -45/256, 1179/4096, -9705/16384
out=$($TKC series aC bC --order 8 --gamma 1/2 --json)
want=(3/8 9/64 -45/256 1179/4096 -9705/16384)
for i in 0 1 2 3 4; do
    check '[ "$(bcoef "$out" $((2 * i)))" = "${want[$i]}" ]' "aC/bC example beta^$((2 * i)): $(bcoef "$out" $((2 * i)))"
done
# the same through --gamma2 and a decimal γ
out2=$($TKC series aC bC --order 8 --gamma2 0.25 --json)
check '[ "$(bcoef "$out2" 8)" = -9705/16384 ]' "--gamma2 0.25"
out3=$($TKC series aC bC --order 8 --gamma 0.5 --json)
check '[ "$(bcoef "$out3" 6)" = 1179/4096 ]' "--gamma 0.5"

# symmetry: (x, y) and (y, x) give identical tables; relabelling too
a=$($TKC series abab aabb --order 6 --json)
b=$($TKC series aabb abab --order 6 --json)
c=$($TKC series xyxy xxyy --order 6 --json)
check '[ "$(field coefficients "$a")" = "$(field coefficients "$b")" ]' "symmetric in (x, y)"
check '[ "$(field coefficients "$a")" = "$(field coefficients "$c")" ]' "relabelling"

# optimal-truncation sum at β = 0.25 against Monte Carlo of `tkc kernel`
s=$($TKC series aab bca --order 16 --gamma 0.5 --beta 0.25 --json)
sv=$(sumf value "$s"); se=$(sumf error_estimate "$s")
check '[ "$(sumf useful "$s")" = True ]' "sum useful at beta 0.25: $s"
m=$($TKC kernel aab bca --kernel attn --estimator mc --beta 0.25 --gamma 0.5 --samples 400000 --seed 5 --json)
check '[ -n "$m" ]' "tkc kernel --estimator mc ran"
mv=$(field value "$m"); me=$(field stderr "$m")
check 'within "$mv" "$sv" "$($PY -c "import math; print(math.hypot($me, $se))")" 4' "series sum $sv vs mc $mv +/- $me"
# and the series estimator of tkc kernel gives the same sum
k=$($TKC kernel aab bca --kernel attn --estimator series --beta 0.25 --gamma 0.5 --json)
check 'within "$(field value "$k")" "$sv" 1e-6 1' "kernel --estimator series: $k"
check '[ "$(field error_kind "$k")" = truncation ]' "series error kind: $k"
# outside the useful range the estimator refuses, exit 2, naming others
msg=$($TKC kernel aC bC --kernel attn --estimator series --beta 1 --gamma 0.5 2>&1 >/dev/null)
rc=$?
check '[ $rc -eq 2 ] && echo "$msg" | grep -q "estimator mc"' "refusal at beta 1 (rc $rc): $msg"

# auto says what it picked: the series at small β, a sampler at large β
a=$($TKC kernel aab bca --kernel attn --estimator auto --beta 0.25 --gamma 0.5 --json)
check '[ "$(field estimator "$a")" = series ] && [ "$(field error_kind "$a")" = truncation ]' "auto at beta 0.25: $a"
check 'echo "$(field note "$a")" | grep -q "auto: series"' "auto note: $a"
a=$($TKC kernel aab bca --kernel attn --estimator auto --beta 2 --gamma 0.5 --target-se 1e-3 --json)
check '[ "$(field estimator "$a")" != series ] && [ "$(field error_kind "$a")" = statistical ]' "auto at beta 2: $a"
check 'within "$(field stderr "$a")" 0 1e-3 1.25' "auto at beta 2 meets its target: $a"
c=$($TKC kernel aab bca --kernel attn --estimator cvmc --beta 0.25 --gamma 0.5 --samples 65536 --json)
check 'within "$(field value "$c")" "$sv" "$($PY -c "import math; print(math.hypot($(field stderr "$c"), $se))")" 4' "cvmc vs series sum: $c"

# β = 1: the sum warns loudly on stderr
err=$($TKC series aC bC --gamma 0.5 --beta 1 2>&1 >/dev/null)
check 'echo "$err" | grep -q WARNING' "warning at beta 1: $err"

# A template FILE: every entry's graded coefficients (2a + 2b <= 6) equal
# the pair-by-pair table of order 6 for the strings the JSON names; A is
# symmetric; condition (10) is decided through β^4γ^2 (majority-3).
tpl=$(mktemp)
printf '1 α α α\n1 α α β\n1 α β α\n-1 α β β\n' >"$tpl"
out=$($TKC series "$tpl" --order 6 --json)
check '[ $? -eq 0 ]' "series FILE run"
$PY - "$TKC" "$out" <<'PYEOF'
import json, subprocess, sys
f = json.loads(sys.argv[2])
x, y, r = f["strings"]["x"], f["strings"]["y"], len(f["strings"]["x"])
mono = [(m["beta_power"], m["gamma_power"]) for m in f["monomials"]]
assert mono == [(0, 0), (2, 0), (0, 2), (4, 0), (2, 2), (6, 0), (4, 2), (2, 4)], mono
bad = 0
for i in range(r):
    for j in range(r):
        t = json.loads(subprocess.run([sys.argv[1], "series", x[i], y[j], "--order", "6", "--json"],
                                      capture_output=True, text=True, check=True).stdout)
        table = {(c["beta_power"], c["gamma_power"]): c["value"] for c in t["coefficients"]}
        for m, (a, b) in zip(f["monomials"], mono):
            if m["matrix"][i][j] != table.get((a, b), "0") or m["matrix"][i][j] != m["matrix"][j][i]:
                print(f"entry {i},{j} at beta^{a} gamma^{b}: {m['matrix'][i][j]} vs table "
                      f"{table.get((a, b))}, transpose {m['matrix'][j][i]}")
                bad += 1
c = f["condition_10"]
assert c["condition_10"] == "proved" and c["deciding_monomial"]["name"] == "β^4γ^2", c
assert f["total_order"] == 6 and f["patterns"] <= r * (r + 1) // 2, f["patterns"]
sys.exit(1 if bad else 0)
PYEOF
check '[ $? -eq 0 ]' "series FILE matrices = pair-by-pair tables, symmetric, decided at beta^4 gamma^2"
# through total order 4 the same set is not decided, and says what is next
out=$($TKC series "$tpl" --order 4)
check 'echo "$out" | grep -q "^from these matrices: condition (10) for almost every (β, γ): not established .*next: total order 6"' "series FILE order 4: $out"
check 'echo "$out" | grep -q "^β^2γ^2:$"' "series FILE text names the monomials"
for args in "--order 3" "--gamma 1" "--beta 0.1" "--threads 0"; do
    msg=$($TKC series "$tpl" $args 2>&1 >/dev/null)
    rc=$?
    check '[ $rc -eq 2 ] && [ -n "$msg" ]' "bad FILE input '$args' (rc $rc): $msg"
done
msg=$($TKC series aC bC --no-cls 2>&1 >/dev/null)
check '[ $? -eq 2 ] && echo "$msg" | grep -q "apply to a template FILE"' "--no-cls with X Y: $msg"
rm -f "$tpl"

# bad input: exit 2 with a message
for args in "aC bCd" "aC" "" "aC bC --order 41" "aC bC --order x" "aC bC --gamma 0.x" \
            "aC bC --gamma2 -1" "aC bC --beta 0.25" "aC bC --frobnicate" "aC bC cC"; do
    msg=$($TKC series $args 2>&1 >/dev/null)
    rc=$?
    check '[ $rc -eq 2 ] && [ -n "$msg" ]' "bad input '$args' (rc $rc): $msg"
done
out=$($TKC series --help)
check '[ $? -eq 0 ] && echo "$out" | grep -q "usage: tkc series"' "--help"

summary
