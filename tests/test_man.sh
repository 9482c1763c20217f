#!/bin/bash
# test_man.sh — the man pages (man/make_man.py, written at build time from
# --help) are in step with tkc: one page per command of `tkc --help`, each
# naming the command's summary, its usage lines as the SYNOPSIS, every
# option its --help lists, the template search path; and each renders
# without a warning from groff.
set -u
. "$(dirname "$0")/check.sh"
TKC=${TKC_EXE:?} MAN=${TKC_MAN:?}
check() { if eval "$1"; then ok; else bad "$2"; fi; }

render() {   # the page as text, hyphenation and adjustment off
    MANWIDTH=200 groff -man -Tutf8 -rHY=0 -dAD=l -P-c -ww "$1" 2>"$MAN.warn.$$" |
        col -b 2>/dev/null || true
}

commands=$("$TKC" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}')
check '[ -n "$commands" ]' "tkc --help lists no commands"
for c in "" $commands; do
    name=tkc${c:+-$c}
    page=$MAN/$name.1
    check '[ -f "$page" ]' "no page $name.1 for '\''tkc $c'\'' (list it in man/meson.build)"
    [ -f "$page" ] || continue
    text=$(render "$page")
    check '[ ! -s "$MAN.warn.$$" ]' "$name.1: groff warns: $(cat "$MAN.warn.$$")"
    help=$("$TKC" $c --help)
    # every option of --help is in the page
    for opt in $(printf '%s\n' "$help" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
        check 'grep -qF -- "$opt" <<< "$text"' "$name.1 lacks $opt"
    done
    # the usage lines are the SYNOPSIS, the summary the NAME
    first=$(printf '%s\n' "$help" | head -1 | sed 's/^usage: //')
    check 'grep -qF -- "$first" <<< "$text"' "$name.1: synopsis differs from --help: $first"
    if [ -n "$c" ]; then
        summary=$("$TKC" --help | awk -v c="$c" '$1 == c {$1 = ""; sub(/^ +/, ""); print}')
        check 'grep -qF -- "$name - $summary" <<< "$text"' "$name.1: NAME is not '\''$summary'\''"
    fi
    check 'grep -q "TKC_TEMPLATES" <<< "$text"' "$name.1: no template search path"
done
extra=$(cd "$MAN" && ls *.1 | sed 's/\.1$//' | grep -vxF -e tkc $(printf -- '-e tkc-%s ' $commands))
check '[ -z "$extra" ]' "pages for no command: $extra"
rm -f "$MAN.warn.$$"
summary
