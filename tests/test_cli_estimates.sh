#!/usr/bin/env bash
# test_cli_estimates.sh — what the command line prints is an estimate the
# mathematics allows, with an error that does not understate: K_attn within
# [0, 1 + γ²] even where a control variate blows up, cvmc falling back to
# mc (and saying so) where its control does not help, auto reaching its
# target where a sampler can and saying so whole where it cannot, the
# series' error estimate at least the true error, orders validated.
set -u
. "$(dirname "$0")/check.sh"
TKC=${TKC_EXE:?TKC_EXE not set}
check() { if eval "$1"; then ok; else bad "$2"; fi; }
# jq-like: the Python expression E over the JSON object j
jget() { $PY -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
jtrue() { [ "$(jget "$1" "$2")" = True ]; }

# The issue's example: cvmc at β = γ = 1000 gave -3.3e27 ± 3.3e27.  Now the
# control is refused there and the value is mc's, inside [0, 1 + γ²].
out=$($TKC kernel aCbd bCad --kernel attn --estimator cvmc --samples 2000 --beta 1000 --gamma 1000 --json)
check '[ $? -eq 0 ]' "cvmc at 1000 runs"
check 'jtrue "$out" "0 <= j[\"value\"] <= 1 + 1000**2 and j[\"estimator\"] == \"mc\""' "cvmc at 1000 in range, by mc: $out"
check 'jtrue "$out" "\"cvmc fell back to mc\" in j[\"note\"]"' "cvmc says it fell back: $out"
mc=$($TKC kernel aCbd bCad --kernel attn --estimator mc --samples 2000 --beta 1000 --gamma 1000 --json)
check '[ "$(jget "$out" "j[\"value\"]")" = "$(jget "$mc" "j[\"value\"]")" ]' "cvmc's fallback has mc's digits"
# At β = γ = 1 the control costs variance: mc, and the note says by how much.
out=$($TKC kernel aCbd bCad --kernel attn --estimator cvmc --json)
check 'jtrue "$out" "j[\"estimator\"] == \"mc\" and \"changed the variance\" in j[\"note\"]"' "cvmc at 1 falls back: $out"

# auto reaches the default target 1e-4 where QMC can (it stopped at 2.3e-4).
out=$($TKC kernel aC bC --kernel attn --json)
check 'jtrue "$out" "j[\"stderr\"] <= 1e-4 and \": reached\" in j[\"note\"]"' "auto reaches its target: $out"
# When it cannot, it says so, and the transformer kernel's note keeps the
# whole of it (it was cut at 120 characters).
out=$($TKC kernel aCbd bCad --kernel trans --max-evals 2000 --json)
check 'jtrue "$out" "\"NOT reached within the budget of its run, 2000 evaluations (--max-evals)\" in j[\"note\"] and j[\"note\"].endswith(\"errors by the delta method\")"' "trans note whole: $out"
# Its trials stay small: on a long pair the series is not tried at all.
out=$($TKC kernel abcdefghijk bcdeafghAjB --kernel attn --max-evals 4096 --json)
check 'jtrue "$out" "\"series not tried\" in j[\"note\"]"' "auto does not try the series on long strings: $out"

# The series' error estimate.  Order 0 gave 3.9e-77 for a true error 1.4e-3.
s0=$($TKC series aC bC --order 0 --gamma 1/2 --beta 0.1 --json 2>/dev/null)
s12=$($TKC series aC bC --order 12 --gamma 1/2 --beta 0.1 --json 2>/dev/null)
check 'jtrue "$s0" "j[\"sum\"][\"error_estimate\"] >= abs(j[\"sum\"][\"value\"] - $(jget "$s12" "j[\"sum\"][\"value\"]")) > 1e-3"' "order 0 estimate: $s0"
check 'jtrue "$s0" "j[\"sum\"][\"useful\"] is False"' "order 0 not useful: $s0"
# A first omitted term that vanishes (c_1 of aab/aca at γ² = 2/3) does not
# make the estimate vanish (it gave 6e-20 for an error of 4e-4).
ss=$($TKC series aab aca --order 8 --gamma2 2/3 --beta 0.3 --json 2>/dev/null)
q=$($TKC kernel aab aca --kernel attn --estimator qmc --points 16384 --beta 0.3 --gamma 0.816496580927726 --json)
check 'jtrue "$ss" "j[\"sum\"][\"error_estimate\"] + 4 * $(jget "$q" "j[\"stderr\"]") >= abs(j[\"sum\"][\"value\"] - $(jget "$q" "j[\"value\"]")) > 1e-5"' "vanishing term: $ss vs $q"
# Orders are even, not rounded: --order 3 ran as 2.
$TKC series aC bC --order 3 --gamma 1/2 --beta 0.1 >/dev/null 2>&1
rc=$?
check '[ $rc -eq 2 ]' "series --order 3 refused (rc $rc)"
msg=$($TKC series aC bC --order 3 2>&1 >/dev/null)
check 'grep -q "even" <<<"$msg"' "odd order says why: $msg"
# One limit: the table reaches beta^40, a sum with its error beta^38.
msg=$($TKC kernel aC bC --kernel attn --estimator series --order 40 2>&1 >/dev/null)
check 'grep -q "\[0, 38\]" <<<"$msg"' "kernel --order 40 refused with the limit: $msg"

summary
