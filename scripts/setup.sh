#!/usr/bin/env bash
# Install what is missing (Debian 12, as root), then configure and build tkc
# in ./build.  Safe to run again: it installs nothing already present and
# rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential meson ninja-build pkg-config
          libgsl-dev libmpfr-dev libgmp-dev libopenblas-dev liblapacke-dev
          libflint-dev libflint-arb-dev locales
          libsuitesparse-dev
          openmpi-bin libopenmpi-dev libscalapack-openmpi-dev
          python3 python3-dev python3-numpy python3-matplotlib
          python3-nbconvert python3-ipykernel jupyter-nbconvert
          python3-cffi python3-sklearn python3-pytest
          groff-base bsdextrautils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# A comma-decimal locale for the test that numbers read and print the same
# in every locale (tests/test_process.c, tests/test_cli_locale.sh).
if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
    echo "setup: generating the de_DE.UTF-8 locale" >&2
    localedef -i de_DE -f UTF-8 de_DE.UTF-8 >&2
fi

[ -f build/build.ninja ] || meson setup build --buildtype=release >&2
ninja -C build >&2
