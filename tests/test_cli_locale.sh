#!/usr/bin/env bash
# test_cli_locale.sh — the command line reads and prints numbers the same
# under a comma-decimal locale: every command, text and JSON, run under
# LC_ALL=C and again under LC_ALL and LC_NUMERIC set to de_DE.UTF-8 (or
# another comma locale the machine has), gives the same bytes (timings
# aside), with decimal labels, weights and options given as "0.5".  Skips
# (exit 77, loudly) only when no comma-decimal locale exists
# (scripts/setup.sh generates de_DE.UTF-8).
set -u
. "$(dirname "$0")/check.sh"

loc=
for l in de_DE.UTF-8 de_DE.utf8 fr_FR.UTF-8 fr_FR.utf8; do
    if [ "$(LC_ALL=$l /usr/bin/python3 -c 'import locale; locale.setlocale(locale.LC_ALL, ""); print(locale.localeconv()["decimal_point"])' 2>/dev/null)" = "," ]; then
        loc=$l
        break
    fi
done
if [ -z "$loc" ]; then
    echo "SKIPPED: no comma-decimal locale on this machine (scripts/setup.sh generates de_DE.UTF-8)" >&2
    exit 77
fi

printf '0.5 [w=0.25] α β α\n-1.5e-1 [w=0.75] α β β\n' >"$tmp/aba.tpl"
MC=(--estimator mc --samples 65536 --beta 4 --gamma 2.5 --b1 0.5 --b2 0.25)
commands=(
    "templates check $tmp/aba.tpl --alphabet 20"
    "templates check $tmp/aba.tpl --alphabet 20 --json"
    "templates sample $tmp/aba.tpl -n 4 --alphabet 20 --seed 3 --noise 0.5 --json"
    "kernel aba abb ${MC[*]}"
    "kernel aba abb ${MC[*]} --json"
    "kernel aba abb --kernel mlpxx --act erf --b1 0.75"
    "series aba abb --order 4 --gamma 0.5 --beta 0.25"
    "nmatrix $tmp/aba.tpl --kernel trans ${MC[*]}"
    "nmatrix $tmp/aba.tpl --kernel trans ${MC[*]} --json"
    "check $tmp/aba.tpl ${MC[*]} --no-auto-refine --confidence 0.995"
    "check $tmp/aba.tpl ${MC[*]} --no-auto-refine --json"
)
# timings are the only bytes allowed to differ
untimed() { sed -E 's/"(cpu_)?seconds":[0-9.e+-]+/"\1seconds":T/g; s/[0-9.]+ s\b/T s/g'; }
for c in "${commands[@]}"; do
    read -ra args <<<"$c"
    LC_ALL=C "$TKC_EXE" "${args[@]}" 2>&1 | untimed >"$tmp/c"
    rc_c=${PIPESTATUS[0]}
    LC_ALL=$loc "$TKC_EXE" "${args[@]}" 2>&1 | untimed >"$tmp/l"
    rc_l=${PIPESTATUS[0]}
    LC_ALL= LC_NUMERIC=$loc "$TKC_EXE" "${args[@]}" 2>&1 | untimed >"$tmp/n"
    if [ "$rc_c" = 0 ] && [ "$rc_l" = 0 ] && cmp -s "$tmp/c" "$tmp/l" &&
       cmp -s "$tmp/c" "$tmp/n"; then ok; else
        bad "tkc $c: exit $rc_c (C) vs $rc_l ($loc), or the output differs:"
        diff "$tmp/c" "$tmp/l" | head -5 >&2
        diff "$tmp/c" "$tmp/n" | head -5 >&2
    fi
    grep -q '[0-9],[0-9]' "$tmp/l" && ! grep -q '[0-9],[0-9]' "$tmp/c" &&
        bad "tkc $c: a decimal comma under $loc"
done
summary
