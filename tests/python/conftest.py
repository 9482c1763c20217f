"""The Python module's tests (pytest), run by `meson test` (suite python)
with the built module on PYTHONPATH, TKC_EXE the tkc of the same build and
TKC_TEMPLATES the shipped sets."""
import json
import math
import os
import shutil
import subprocess

import pytest

TIMINGS = {"seconds", "cpu_seconds"}


def tkc_exe():
    """The tkc of this build: $TKC_EXE, else tkc on PATH (meson devenv)."""
    exe = os.environ.get("TKC_EXE") or shutil.which("tkc")
    if not exe:
        pytest.skip("no tkc: set TKC_EXE")
    return exe


def cli(*args, ok=(0,)):
    """`tkc ARGS --json`, parsed (the command line of the same build)."""
    exe = tkc_exe()
    p = subprocess.run([exe, *map(str, args), "--json"], capture_output=True,
                       text=True)
    assert p.returncode in ok, p.stderr
    return json.loads(p.stdout)


def cli_error(*args):
    """(exit status, stderr) of a tkc run expected to fail."""
    p = subprocess.run([tkc_exe(), *map(str, args)],
                       capture_output=True, text=True)
    return p.returncode, p.stderr


def plain(x):
    """A Python result as its JSON would hold it: arrays as lists,
    non-finite numbers as null (the writer never prints NaN or inf)."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def same(py, js, path="", skip=TIMINGS):
    """Every key the command prints is in the Python result with the same
    value, digit for digit (timings aside).  Returns the differences."""
    diffs = []
    if isinstance(js, dict):
        if not isinstance(py, dict):
            return [f"{path}: not an object in Python"]
        for k, v in js.items():
            if k in skip:
                continue
            if k not in py:
                diffs.append(f"{path}.{k}: missing in Python")
            else:
                diffs += same(py[k], v, f"{path}.{k}", skip)
        return diffs
    if isinstance(js, list):
        if not isinstance(py, list) or len(py) != len(js):
            return [f"{path}: {py!r} != {js!r}"]
        for i, (a, b) in enumerate(zip(py, js)):
            diffs += same(a, b, f"{path}[{i}]", skip)
        return diffs
    if py != js or isinstance(py, bool) != isinstance(js, bool):
        return [f"{path}: python {py!r} != command {js!r}"]
    return diffs
