#!/bin/bash
# test_install.sh — `meson install --destdir D` puts everything a user needs
# under the prefix: the shared library with its versioned SONAME, the
# headers and the umbrella tkc/tkc.h, tkc.pc whose Requires match what the
# headers include, the tkc program, the man pages, the bash completion, the
# template sets, and the Python module where the chosen Python finds it.
# Then a C program is built with pkg-config against that tree and run, and
# the Python module is imported from it.
set -u
. "$(dirname "$0")/check.sh"
BUILD=${TKC_BUILD:?} PREFIX=${TKC_PREFIX:?} LIBDIR=${TKC_LIBDIR:?}
INCDIR=${TKC_INCLUDEDIR:?} DATADIR=${TKC_DATADIR:?} MANDIR=${TKC_MANDIR:?}
BINDIR=${TKC_BINDIR:?} COMPLETIONS=${TKC_COMPLETIONS:?}
PY=${TKC_PYTHON:-} PYDIR=${TKC_PYDIR:-} CC=${TKC_CC:-cc}
check() { if eval "$1"; then ok; else bad "$2"; fi; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$PREFIX/$1" ;; esac; }

D=$(mktemp -d "${TMPDIR:-/tmp}/tkc-install.XXXXXX")
trap 'rm -rf "$D" "$tmp"' EXIT
meson install -C "$BUILD" --destdir "$D" --no-rebuild --quiet >"$D.log" 2>&1
check '[ $? -eq 0 ]' "meson install failed: $(tail -5 "$D.log")"
rm -f "$D.log"
P=$D$PREFIX lib=$D$(abs "$LIBDIR") inc=$D$(abs "$INCDIR")
share=$D$(abs "$DATADIR") man=$D$(abs "$MANDIR") bin=$D$(abs "$BINDIR")

# the library: libtkc.so -> libtkc.so.0 -> libtkc.so.0.x.y, SONAME libtkc.so.0
check '[ -L "$lib/libtkc.so" ] && [ -e "$lib/libtkc.so" ]' "no libtkc.so link"
soname=$(objdump -p "$lib/libtkc.so" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
check '[[ $soname =~ ^libtkc\.so\.[0-9]+$ ]] && [ -e "$lib/$soname" ]' "SONAME '$soname' is not versioned"
check '[ -f "$lib/libtkc.a" ]' "no static library"
# the headers, all reached from the umbrella
check '[ -f "$inc/tkc/tkc.h" ]' "no tkc/tkc.h"
for h in "$inc"/tkc/*.h; do
    b=$(basename "$h")
    [ "$b" = tkc.h ] && continue
    check 'grep -q "#include \"tkc/$b\"" "$inc/tkc/tkc.h"' "tkc/tkc.h does not include $b"
done
# pkg-config: Requires names what the headers include
pc=$lib/pkgconfig/tkc.pc
check '[ -f "$pc" ]' "no tkc.pc"
requires=$(sed -n 's/^Requires: *//p' "$pc")
for dep in $(cat "$inc"/tkc/*.h | sed -n 's/^#include <\(gmp\|mpfr\)\.h>/\1/p' | sort -u); do
    check 'grep -qw "$dep" <<< "$requires"' "the headers include $dep.h; tkc.pc Requires: '$requires'"
done
export PKG_CONFIG_PATH=$lib/pkgconfig
flags=$(pkg-config --define-variable=prefix="$P" --cflags --libs tkc)
check '[ $? -eq 0 ] && grep -qF -- "-I$inc" <<< "$flags"' "pkg-config tkc: '$flags'"
# the program, its man pages and completion, the template sets
check '[ -x "$bin/tkc" ]' "no tkc program"
for page in tkc tkc-templates tkc-kernel tkc-series tkc-nmatrix tkc-check tkc-krr; do
    check '[ -f "$man/man1/$page.1" ]' "no man page $page.1"
done
check '[ -f "$D$COMPLETIONS/tkc" ] && bash -n "$D$COMPLETIONS/tkc"' "no bash completion in $COMPLETIONS"
sets=$share/tkc/templates
for f in "$TKC_DATA"/templates/*.tpl; do
    check 'cmp -s "$f" "$sets/$(basename "$f")"' "template set $(basename "$f") not installed"
done
check 'grep -qF "$DATADIR" "$D$COMPLETIONS/tkc" || grep -qF "$PREFIX" "$D$COMPLETIONS/tkc"' "the completion does not know the installed sets"

# a C program built against the installed tree, run with its library
cat > "$D/prog.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include <tkc/tkc.h>

int main(int argc, char **argv)
{
    tkc_error err;
    tkc_template_set *set;
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    if (tkc_template_set_open(argc > 1 ? argv[1] : "same_different", &po,
                              &set, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    if (tkc_kernel_option_set(&spec, "kernel", "mlp", NULL, &err))
        return 2;
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d;
    if (tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("%s\n", tkc_nmatrix_verdict_name(d->verdict));
    tkc_nmatrix_decision_free(d);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
    return 0;
}
CEOF
$CC -std=c17 "$D/prog.c" $flags -o "$D/prog" 2>"$D/cc.err"
check '[ $? -eq 0 ]' "the C program does not build: $(cat "$D/cc.err")"
check 'objdump -p "$D/prog" | grep -q "NEEDED *$soname"' "the program does not need $soname"
out=$(LD_LIBRARY_PATH=$lib TKC_TEMPLATES=$sets "$D/prog" same_different 2>&1)
check '[ "$out" = singular ]' "the C program says '$out' (MLP on same/different: singular)"
out=$(LD_LIBRARY_PATH=$lib TKC_TEMPLATES=$sets "$bin/tkc" check majority3 --no-generic --json 2>&1 | head -c 20)
check '[ "${out:0:9}" = "{\"file\":\"" ]' "the installed tkc does not find majority3: $out"

# the Python module, imported from the installed tree only
if [ -n "$PY" ] && [ -n "$PYDIR" ]; then
    site=$D$(abs "$PYDIR")
    check '[ -f "$site/tkc/__init__.py" ] && ls "$site"/tkc/_tkc*.so >/dev/null 2>&1' "no Python module in $PYDIR"
    on_path=$("$PY" -c "import sys; print('$(abs "$PYDIR")' in sys.path)")
    case $PREFIX in
        /usr|/usr/local) check '[ "$on_path" = True ]' "$PYDIR is not on $PY's sys.path" ;;
    esac
    out=$(cd "$D" && env -u PYTHONPATH PYTHONPATH=$site LD_LIBRARY_PATH=$lib \
          TKC_TEMPLATES=$sets "$PY" -c '
import tkc, os
assert tkc.__file__.startswith(os.environ["PYTHONPATH"]), tkc.__file__
K, se = tkc.gram(["aab", "abb", "bba"], kernel="mlpxx")
assert K.shape == (3, 3) and (K == K.T).all()
print(tkc.nmatrix("same_different", kernel="mlp")["verdict"])' 2>&1)
    check '[ "$out" = singular ]' "the installed Python module: $out"
fi
summary
