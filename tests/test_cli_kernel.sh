#!/usr/bin/env bash
# test_cli_kernel.sh — `tkc kernel`: values against closed forms, JSON
# fields, estimators agreeing, reproducibility, and bad input (exit 2).
set -u
. "$(dirname "$0")/check.sh"
TKC=${TKC_EXE:?TKC_EXE not set}
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# field NAME JSON: a top-level scalar or flat array of tkc's one-line JSON
# (awk rather than python: this machine is shared, process start-up counts)
field() { awk -v k="\"$1\":" '{ i = index($0, k); if (!i) exit 1
    s = substr($0, i + length(k))
    if (substr(s, 1, 1) == "[") { print substr(s, 1, index(s, "]")); exit }
    if (substr(s, 1, 1) == "\"") { s = substr(s, 2); print substr(s, 1, index(s, "\"") - 1); exit }
    match(s, /^[^,}]*/); print substr(s, 1, RLENGTH) }' <<<"$2"; }
# within A B SE N: |A - B| <= N * SE
within() { awk -v a="$1" -v b="$2" -v s="$3" -v n="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= n * s) }'; }
# hyp A B: sqrt(A² + B²)
hyp() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.17g", sqrt(a * a + b * b) }'; }

# β = 0: #{(a,b): x_a = y_b}/k² + γ²/k, exactly; ab/ba at γ = 1: 2/4 + 1/2
out=$($TKC kernel ab ba --kernel attn --estimator mc --beta 0 --gamma 1 --json)
check '[ $? -eq 0 ]' "beta = 0 run"
check 'within "$(field value "$out")" 1.0 1e-15 1' "beta = 0 value: $out"
check '[ "$(field error_kind "$out")" = rounding ]' "beta = 0 error kind: $out"
check '[ "$(field kernel "$out")" = attn ] && [ "$(field estimator "$out")" = mc ]' "names: $out"
# k = 1: softmax of one element is 1, K = 1(x = y) + γ²
out=$($TKC kernel α α --kernel attn --beta 3 --gamma 0.5 --json)
check 'within "$(field value "$out")" 1.25 1e-15 1' "k = 1 value: $out"

# β-series of aC/bC (docs/series.md) at β = 0.25, γ² = 1/4; truncation ~1e-6
series=$(awk 'BEGIN { b = 0.0625; printf "%.17g", 3/8 + 9/64*b - 45/256*b*b + 1179/4096*b^3 - 9705/16384*b^4 }')
for est in "mc --samples 65536" "qmc --points 1024"; do
    out=$($TKC kernel aC bC --kernel attn --estimator $est --beta 0.25 --gamma 0.5 --json)
    v=$(field value "$out"); se=$(field stderr "$out")
    check 'within "$v" "$series" "$(awk -v s="$se" "BEGIN { print s + 2e-6 }")" 4' "$est vs series: $v +/- $se vs $series"
    check '[ "$(field error_kind "$out")" = statistical ] && [ "$(field samples "$out")" -gt 0 ]' "$est error kind, samples: $out"
done

# MC and QMC agree on a k = 5 pair at β = 1
m=$($TKC kernel abcab cabdd --kernel attn --estimator mc --samples 65536 --seed 3 --json)
q=$($TKC kernel abcab cabdd --kernel attn --estimator qmc --points 1024 --seed 4 --json)
check 'within "$(field value "$m")" "$(field value "$q")" "$(hyp "$(field stderr "$m")" "$(field stderr "$q")")" 4' "mc vs qmc: $m / $q"

# reproducible, whatever the thread count; symmetric and spelling-blind exactly
a=$($TKC kernel abcab cabdd --kernel attn --estimator mc --samples 20000 --seed 9 --json)
b=$($TKC kernel abcab cabdd --kernel attn --estimator mc --samples 20000 --seed 9 --threads 2 --json)
c=$($TKC kernel "c a b d d" "a b c a b" --kernel attn --estimator mc --samples 20000 --seed 9 --json)
d=$($TKC kernel "x1 y2 z3 x1 y2" "z3 x1 y2 w w" --kernel attn --estimator mc --samples 20000 --seed 9 --json)
check '[ "$(field value "$a")" = "$(field value "$b")" ]' "threads change the digits: $a / $b"
check '[ "$(field value "$a")" = "$(field value "$c")" ]' "K(x,y) != K(y,x): $a / $c"
check '[ "$(field value "$a")" = "$(field value "$d")" ]' "relabelling changes the value: $a / $d"
check '[ "$(field x "$d")" = "[\"x1\",\"y2\",\"z3\",\"x1\",\"y2\"]" ]' "symbols echoed: $(field x "$d")"
e=$($TKC kernel abcab cabdd --kernel attn --estimator mc --samples 20000 --seed 10 --json)
check '[ "$(field value "$a")" != "$(field value "$e")" ]' "seed has no effect"
# UTF-8 compact form = spaced form
g1=$($TKC kernel ααβ βαγ --kernel attn --estimator mc --samples 8192 --json)
g2=$($TKC kernel "α α β" "β α γ" --kernel attn --estimator mc --samples 8192 --json)
check '[ "$(field value "$g1")" = "$(field value "$g2")" ] && [ "$(field k "$g1")" = 3 ]' "UTF-8 compact vs spaced: $g1 / $g2"
# human output
check '$TKC kernel ab ba --kernel attn --estimator mc --samples 4096 | grep -q "standard error"' "text output"
check '$TKC kernel --help | grep -q "usage: tkc kernel"' "--help"

# bad input: exit 2 with a message naming the problem
expect2() {   # expect2 PATTERN ARGS...
    local pat=$1; shift
    local err; err=$($TKC kernel "$@" 2>&1 >/dev/null); local rc=$?
    if [ $rc -eq 2 ] && grep -qi -- "$pat" <<<"$err"; then ok; else bad "tkc kernel $* -> rc $rc: $err"; fi
}
expect2 "equal length" ab abc --kernel attn
expect2 "two strings" ab
expect2 "third" ab ba cd
expect2 "empty" "" ""
expect2 "beta" ab ba --beta nan
expect2 "beta" ab ba --beta
expect2 "unknown option" ab ba --frobnicate 3
expect2 "unknown estimator" ab ba --estimator best
expect2 "samples" ab ba --kernel attn --estimator mc --samples 2
# every estimator named; each reads its own options and refuses the others'
expect2 "mc, qmc, series, cvmc, auto" ab ba --estimator best
check '$TKC kernel --help | grep -q "mc|qmc|series|cvmc|auto"' "help lists every estimator"
expect2 "not read by the qmc estimator (it is read by mc, cvmc)" ab ba --kernel attn --estimator qmc --samples 1000
expect2 "not read by the auto estimator" ab ba --kernel attn --samples 1000
expect2 "not read by the mc estimator" ab ba --kernel attn --estimator mc --target-se 1e-3
expect2 "not read by the cvmc estimator" ab ba --kernel attn --estimator cvmc --order 4
expect2 "not read by the series estimator" ab ba --kernel attn --estimator series --cv-order 2
expect2 "kernel mlp uses no K_attn estimator (it is a closed form); estimators and their options apply to attn, trans" ab ba --kernel mlp --samples 1000
expect2 "kernel mlpxx uses no K_attn estimator" ab ba --kernel mlpxx --target-se 1e-3
expect2 "even" ab ba --kernel attn --estimator series --order 5
expect2 "order" ab ba --kernel attn --estimator cvmc --cv-order 3
expect2 "points" ab ba --kernel attn --estimator qmc --points 0
# auto reads its candidates' --replicates and --prec; the series its --order
check '$TKC kernel ab ba --kernel attn --estimator auto --replicates 8 --prec 128 --max-evals 4096 --json >/dev/null' "auto takes --replicates --prec --max-evals"
check '$TKC kernel aab bca --kernel attn --estimator series --beta 0.25 --order 6 --prec 128 --json | grep -q "fixed truncation"' "series takes --order --prec"
expect2 "more than 64" "$(printf 'a%.0s ' {1..65})" "$(printf 'b%.0s ' {1..65})"

summary
