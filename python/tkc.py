"""tkc.py — a thin Python binding for the tkc command line.

Each function runs the `tkc` executable with `--json` and returns the parsed
JSON object (docs/json.md), matrices turned into numpy arrays where that helps.
The JSON contracts of docs/json.md are the stable interface: going through
them needs no mirroring of C structs or an ABI (ctypes/cffi would have to track
every header change, and crashes in C would take the notebook kernel down),
and the cost of a process per call (a few milliseconds) is small next to the
Monte Carlo work behind most calls.  Where a notebook needs many kernel values
(an n x n Gram matrix) it asks tkc once per canonical pair pattern, as the C
library's pattern cache does, so the number of processes stays small.

Standard library and numpy only (Debian's python3-numpy).

The executable: $TKC_EXE, else `build/tkc` under the repository root (the
folder holding `data/templates`, found from $TKC_ROOT or upwards from this
file and from the working directory).
"""

import json
import os
import resource
import subprocess
import time
from fractions import Fraction

import numpy as np

__all__ = [
    "TkcError", "root", "exe", "data", "run", "templates_check",
    "templates_sample", "kernel", "series", "series_value", "nmatrix",
    "check", "krr", "is_wildcard", "regular_tokens", "canonical_pair", "gram",
]


class TkcError(RuntimeError):
    """tkc exited with an unexpected status; carries the command and stderr."""

    def __init__(self, argv, status, stderr):
        self.argv, self.status, self.stderr = argv, status, stderr
        msg = stderr.strip() or "(no message)"
        super().__init__(f"{' '.join(argv)}: exit {status}: {msg}")


def _find_root():
    env = os.environ.get("TKC_ROOT")
    if env:
        return os.path.abspath(env)
    for start in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
        d = start
        while True:
            if os.path.isdir(os.path.join(d, "data", "templates")):
                return d
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    raise TkcError(["tkc"], -1, "cannot find the tkc repository root "
                   "(set TKC_ROOT to the folder holding data/templates)")


def root():
    """The repository root (the folder holding data/templates)."""
    return _find_root()


def exe():
    """Path of the tkc executable: $TKC_EXE, else ROOT/build/tkc."""
    path = os.environ.get("TKC_EXE") or os.path.join(root(), "build", "tkc")
    if not os.access(path, os.X_OK):
        raise TkcError([path], -1, "tkc executable not found; build it "
                       "(meson setup build && ninja -C build) or set TKC_EXE")
    return path


def data(name):
    """Path of a shipped template set: data('same_different') -> .../same_different.tpl."""
    if not name.endswith(".tpl"):
        name += ".tpl"
    return os.path.join(root(), "data", "templates", name)


def _flag(name):
    return "--" + name.replace("_", "-")


def _options(opts):
    """Keyword options -> command-line flags: beta=0.5 -> --beta 0.5,
    flag=True -> --flag, None/False are left out, lists are comma-joined."""
    argv = []
    for key, val in opts.items():
        if val is None or val is False:
            continue
        if val is True:
            argv.append(_flag(key))
        elif isinstance(val, (list, tuple)):
            argv += [_flag(key), ",".join(str(v) for v in val)]
        else:
            argv += [_flag(key), repr(val) if isinstance(val, float) else str(val)]
    return argv


def run(*args, ok=(0,), **opts):
    """Run `tkc ARGS [options] --json` and return the parsed JSON object.

    Adds two keys of its own: `_cpu_seconds` (user + system CPU time of the
    tkc process, from getrusage; a cost measure that the load of other
    processes on the machine hardly disturbs) and `_wall_seconds`.
    Calls that are timed should not run concurrently (getrusage counts all
    children that finished meanwhile).  Raises TkcError when the exit status
    is not in `ok` or stdout is not JSON.
    """
    argv = [exe()] + [str(a) for a in args] + _options(opts) + ["--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise TkcError(argv, proc.returncode, proc.stderr)
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise TkcError(argv, proc.returncode,
                       f"output is not JSON ({e}): {proc.stdout[:200]!r}")
    out["_cpu_seconds"] = (after.ru_utime - before.ru_utime
                           + after.ru_stime - before.ru_stime)
    out["_wall_seconds"] = wall
    out["_stderr"] = proc.stderr
    return out


def _tokens(s):
    """A token string as tkc reads it: a list stays a list; a string with
    whitespace is split on it; a string without is one symbol per character."""
    if isinstance(s, (list, tuple)):
        return list(s)
    return s.split() if any(c.isspace() for c in s) else list(s)


def _spell(tokens):
    # a lone multi-character symbol gets a space so tkc reads it as one symbol
    return " ".join(tokens) + (" " if len(tokens) == 1 else "")


# ---------------------------------------------------------------- commands

def templates_check(path, **opts):
    """`tkc templates check FILE` (opts: alphabet, no_cls)."""
    return run("templates", "check", path, **opts)


def templates_sample(path, n, alphabet, seed=1, test=False, **opts):
    """`tkc templates sample`: {'samples': [{'tokens', 'label', 'line'}, ...],
    ...}; test=True draws from the test alphabet, disjoint from training's."""
    return run("templates", "sample", path, "-n", n, alphabet=alphabet,
               seed=seed, test=test, **opts)


def kernel(x, y, **opts):
    """`tkc kernel X Y` -> {kernel, estimator, value, stderr, ...}.
    opts: kernel, estimator, act, beta, gamma, b1, b2, depth, seed, threads,
    and the chosen estimator's own (tkc refuses another's): samples (mc,
    cvmc), points and replicates (qmc), order and prec (series), cv_order
    (cvmc), target_se and max_evals (auto; it also reads replicates, prec)."""
    return run("kernel", _spell(_tokens(x)), _spell(_tokens(y)), **opts)


def series(x, y, order, **opts):
    """`tkc series X Y --order D` (D: the largest power of beta; opts: gamma,
    gamma2, beta, prec); adds `terms`: a dict {(i, j): Fraction}
    with the exact coefficient of beta^(2i) gamma^(2j)."""
    out = run("series", _spell(_tokens(x)), _spell(_tokens(y)), order=order,
              **opts)
    out["terms"] = {(c["beta_power"] // 2, c["gamma_power"] // 2):
                    Fraction(c["value"]) for c in out["coefficients"]}
    return out


def series_value(terms, beta, gamma):
    """Coefficients a_i(gamma) of beta^(2i) and partial sums S_D, as floats
    (numpy arrays indexed by i = 0..max).  terms: series(...)['terms']."""
    imax = max(i for i, _ in terms)
    g2 = Fraction(gamma) ** 2 if isinstance(gamma, (int, Fraction)) else gamma ** 2
    coef = [0] * (imax + 1)
    for (i, j), c in terms.items():
        coef[i] += c * g2 ** j
    coef = np.array([float(c) for c in coef])
    terms_b = coef * float(beta) ** (2 * np.arange(imax + 1))
    return coef, np.cumsum(terms_b)


def nmatrix(path, ok=(0, 1), **opts):
    """`tkc nmatrix FILE` -> JSON with N, stderr as numpy arrays."""
    out = run("nmatrix", path, ok=ok, **opts)
    for key in ("N", "stderr"):
        if key in out and out[key] is not None:
            out[key] = np.array(out[key], dtype=float)
    if "singular_values" in out and out["singular_values"] is not None:
        out["singular_values"] = np.array(out["singular_values"], dtype=float)
    return out


def check(path, ok=(0, 1), **opts):
    """`tkc check FILE`: verdicts for mlp, mlpxx and trans side by side."""
    return run("check", path, ok=ok, **opts)


def krr(path, n, **opts):
    """`tkc krr FILE --n N[,N...]` (opts: alphabet, noise, seeds, seed,
    test_n, lambda_ (the ridge), sweep, compare, solver (auto, dense,
    structured), kernel_replicates (kernel estimates per fit, for the
    kernel's error: the *_kernel_se fields), memory (GB), tolerance, kernel
    options)."""
    if "lambda_" in opts:
        opts["lambda"] = opts.pop("lambda_")
    return run("krr", path, n=n, **opts)


# ------------------------------------------------- Gram matrices by pattern

_GREEK = set(range(0x391, 0x3AA)) | set(range(0x3B1, 0x3CA)) | {0x3F5}


def is_wildcard(sym):
    """A template symbol is a wildcard: a Greek letter optionally followed by
    digits, or `$name` (docs/templates.md)."""
    if sym.startswith("$"):
        return len(sym) > 1
    return ord(sym[0]) in _GREEK and (len(sym) == 1 or sym[1:].isdigit())


def canonical_pair(x, y, keep=()):
    """The equality pattern of a pair: tokens relabelled in order of first
    appearance over x then y (tokens in `keep`, the template set's regular
    tokens, keep their spelling, since the kernel sees them as they are
    only through equalities too, but spelling them keeps patterns legible).
    By token symmetry K(x, y) depends only on this."""
    names, cx, cy = {}, [], []
    for src, dst in ((x, cx), (y, cy)):
        for t in src:
            if t in keep:
                dst.append(t)
                continue
            if t not in names:
                names[t] = f"s{len(names) + 1}"
            dst.append(names[t])
    return tuple(cx), tuple(cy)


def regular_tokens(checked):
    """The regular (non-wildcard) tokens of a template set, from
    templates_check(...) output: the tokens a canonical pattern keeps."""
    return {t for z in checked["templates"] for t in z["template"].split()
            if not is_wildcard(t)}


def gram(xs, ys=None, keep=(), cache=None, progress=None, **opts):
    """Kernel matrix [K(x_a, y_b)] and its standard errors, with one
    `tkc kernel` call per distinct canonical pair pattern (K is symmetric,
    so (x, y) and (y, x) share one call).  xs, ys: lists of token lists;
    keep: the template set's regular tokens; cache: a dict to share patterns
    between calls with the same kernel options.  Returns (values, stderr,
    calls) with calls the number of distinct patterns in the cache."""
    sym = ys is None
    ys = xs if sym else ys
    cache = {} if cache is None else cache
    val = np.empty((len(xs), len(ys)))
    err = np.empty_like(val)
    for a, x in enumerate(xs):
        for b, y in enumerate(ys):
            if sym and b < a:
                val[a, b], err[a, b] = val[b, a], err[b, a]
                continue
            key = canonical_pair(x, y, keep)
            rkey = (key[1], key[0])
            if key not in cache and rkey in cache:
                key = rkey
            if key not in cache:
                out = kernel(list(key[0]), list(key[1]), **opts)
                cache[key] = (out["value"], out["stderr"])
                if progress:
                    progress(len(cache))
            val[a, b], err[a, b] = cache[key]
    return val, err, len(cache)
