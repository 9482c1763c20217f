#!/bin/bash
# test_completion.sh — the bash completion (completion/tkc.bash.in) offers
# the commands of `tkc --help`, each command's options, the registry's
# kernel, estimator and activation names, and template sets by bare name
# from $TKC_TEMPLATES.
set -u
. "$(dirname "$0")/check.sh"
TKC=${TKC_EXE:?} COMPLETION=${TKC_COMPLETION:?} DATA=${TKC_DATA:?}
# complete WORDS...: the completions of the last word
complete_words() {
    TKC_TEMPLATES=$DATA/templates bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _tkc
        printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' _ "$COMPLETION" "$TKC" "$@"
}
expect() {  # expect WORDS... = EXPECTED
    local words=() want
    while [ "$1" != = ]; do words+=("$1"); shift; done
    shift
    want=$(printf "%s\n" "$@" | sort -u | tr "\n" " ")
    got=$(complete_words "${words[@]}")
    if [ "$got" = "$want" ]; then ok; else bad "tkc ${words[*]}<TAB>: got '$got', want '$want'"; fi
}
expect "" = templates kernel series nmatrix check krr --help --version
expect ch = check
expect templates "" = check sample
expect nmatrix --kernel "" = attn trans mlp mlpxx
expect kernel --estimator "" = mc qmc series cvmc auto
expect check --act "" = cos relu erf
expect check --expect-singular "" = mlp mlpxx trans
expect krr --sweep "" = n rho
expect check --no- = --no-auto-refine --no-cls --no-generic --no-ladder --no-progress
expect nmatrix --beta "" =
expect check majority = majority3 majority5
expect check same_ = same_different
got=$(complete_words kernel --t)
case $got in *--target-se*--threads*) ok ;; *) bad "kernel --t: $got" ;; esac
summary
