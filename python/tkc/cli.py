"""The tkc command line from Python, for what has no in-process counterpart
yet: `tkc krr`'s learning curves, seeds and sweeps (--compare, --seeds,
--sweep), which notebooks 03 and 04 draw.  Everything else is in-process
(tkc.gram, tkc.nmatrix, tkc.TemplateKernelRidge, ...).

run("krr", FILE, n=[50, 200], compare=True, beta=4) runs
`tkc krr FILE --n 50,200 --compare --beta 4 --json` and returns the parsed
JSON (docs/json.md) with `_cpu_seconds` and `_wall_seconds` of the process
added.  The executable: $TKC_EXE, else `tkc` on PATH; template sets by bare
name as the command finds them.
"""
import json
import os
import resource
import shutil
import subprocess
import time

from tkc._native import Error


def exe():
    """The tkc executable: $TKC_EXE, else tkc on PATH."""
    path = os.environ.get("TKC_EXE") or shutil.which("tkc")
    if not path or not os.access(path, os.X_OK):
        raise Error("tkc executable not found: set TKC_EXE or put tkc on PATH",
                    "input/output error")
    return path


def _argv(opts):
    """Keywords as options: beta=0.5 -> --beta 0.5, flag=True -> --flag,
    None and False left out, lists comma-joined, lambda_ -> --lambda."""
    argv = []
    for key, val in opts.items():
        flag = "--" + key.rstrip("_").replace("_", "-")
        if val is None or val is False:
            continue
        if val is True:
            argv.append(flag)
        elif isinstance(val, (list, tuple)):
            argv += [flag, ",".join(str(v) for v in val)]
        else:
            argv += [flag, repr(val) if isinstance(val, float) else str(val)]
    return argv


def run(*args, ok=(0,), **opts):
    """`tkc ARGS [options] --json`, parsed; tkc.Error with the command's
    stderr unless the exit status is in `ok`."""
    argv = [exe()] + [str(a) for a in args] + _argv(opts) + ["--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise Error(f"{' '.join(argv)}: exit {proc.returncode}: "
                    f"{proc.stderr.strip()}")
    out = json.loads(proc.stdout)
    out["_cpu_seconds"] = (after.ru_utime - before.ru_utime
                           + after.ru_stime - before.ru_stime)
    out["_wall_seconds"] = wall
    return out


def krr(templates, n, **opts):
    """`tkc krr FILE --n N[,N...] --json` (opts: alphabet, noise, seeds,
    seed, test_n, lambda_, sweep, compare, and the kernel options)."""
    return run("krr", templates, n=n, **opts)
