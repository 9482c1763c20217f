"""What every part of the module shares: the C library (tkc._tkc, built by
cffi from _build.py), errors, token strings, and kernel options by name.

Strings.  A string is a sequence of tokens (str or int; numbers from a
numeric array are tokens too), or a plain str read as the command line reads
its X and Y: split on whitespace when it holds any, else one symbol per
character ("aab", "a b [CLS]").  Tokens are compared for equality only — the
kernels depend on nothing else — so a Vocabulary maps them to the library's
integer ids in order of first appearance.

Options.  Keyword arguments are the command line's kernel options
(beta=4 is --beta 4, target_se=1e-3 is --target-se 1e-3); each is given to
the library's own table (tkc/kernel_options.h) as the text the command line
would read, so a value sets the same bits either way.
"""
import numbers
import os

import numpy as np

from tkc._tkc import ffi, lib

# GSL aborts the process on an error by default; libtkc checks every GSL
# return code itself, so, as the tkc program does in main, the module turns
# that process-wide handler off once, at import.
lib.tkc_py_gsl_handler_off()


class Error(Exception):
    """An error from tkc: `status` names its kind ("bad input", "out of
    memory", "outside the valid range", "numerical failure",
    "input/output error"), `message` is the C library's message (it names
    what went wrong and where)."""

    def __init__(self, message, status="bad input"):
        super().__init__(message)
        self.message = message
        self.status = status


class InputError(Error, ValueError):
    """Bad input (status "bad input" or "outside the valid range"): also a
    ValueError, as Python and scikit-learn expect for bad arguments."""


def raise_for(rc, err):
    """Raise the tkc.Error of a nonzero status, with the C message."""
    if rc == lib.TKC_SUCCESS:
        return
    message = ffi.string(err.message).decode("utf-8", "replace")
    status = ffi.string(lib.tkc_status_string(rc)).decode()
    cls = InputError if rc in (lib.TKC_EINPUT, lib.TKC_ERANGE) else Error
    raise cls(message or status, status)


def new_error():
    return ffi.new("tkc_error *")


def text(chars):
    """A C string (char array or pointer) as str; '' for NULL."""
    if chars == ffi.NULL:
        return ""
    return ffi.string(chars).decode("utf-8", "replace")


def call(fn, *args):
    """fn(*args, err): raise tkc.Error unless it succeeds."""
    err = new_error()
    raise_for(fn(*args, err), err)


# ------------------------------------------------------------------ strings

def tokens_of(s):
    """The tokens of one string (see the module's comment)."""
    if isinstance(s, str):
        return s.split() if any(c.isspace() for c in s) else list(s)
    if isinstance(s, np.ndarray):
        s = s.tolist()
    try:
        return [token(t) for t in s]
    except TypeError as e:
        if "token" in str(e):
            raise
        raise InputError(f"a string is a str or a sequence of tokens, "
                         f"got {type(s).__name__}") from None


def token(t):
    """A token: a str or a number (numpy scalars as Python numbers)."""
    if isinstance(t, np.generic):
        t = t.item()
    if isinstance(t, (str, numbers.Number)) and not isinstance(t, bool):
        return t
    # The words scikit-learn's checks look for in a TypeError on bad data.
    raise TypeError(f"token argument must be a string or a number, "
                    f"not '{type(t).__name__}'")


class Vocabulary:
    """Tokens to the library's ids, in order of first appearance; `reserved`
    names take ids 0, 1, ... first (a template set's regular tokens, so that
    strings line up with its symbol table)."""

    def __init__(self, reserved=()):
        self.ids = {}
        for name in reserved:
            self.ids.setdefault(name, len(self.ids))

    def copy(self):
        v = Vocabulary()
        v.ids = dict(self.ids)
        return v

    def encode(self, tokens):
        ids = self.ids
        return [ids[t] if t in ids else self.add(t) for t in tokens]

    def add(self, t):
        self.ids[t] = len(self.ids)
        return self.ids[t]


def encode(strings, vocab, what="strings"):
    """A list of strings as an int32 array (count × k), one common length."""
    rows = [vocab.encode(tokens_of(s)) for s in strings]
    if not rows:
        raise InputError(f"{what}: no strings")
    k = len(rows[0])
    for i, r in enumerate(rows):
        if len(r) != k:
            raise InputError(f"{what}[{i}] has {len(r)} symbols and "
                             f"{what}[0] has {k}: kernels compare strings of "
                             f"equal length")
    if not 1 <= k <= lib.TKC_K_MAX:
        raise InputError(f"{what}: strings of length {k}; the length must be "
                         f"in 1..{lib.TKC_K_MAX}")
    if len(vocab.ids) > 2**31 - 1:
        raise InputError(f"{what}: more than 2^31 - 1 distinct tokens")
    return np.asarray(rows, dtype=np.int32).reshape(len(rows), k)


def c_strings(ids):
    """A tkc_strings holding the rows of an int32 array (freed with it)."""
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    err = new_error()
    S = lib.tkc_strings_alloc(ids.shape[0], ids.shape[1], err)
    if S == ffi.NULL:
        raise_for(err.status or lib.TKC_ENOMEM, err)
    S = ffi.gc(S, lib.tkc_strings_free)
    np.frombuffer(ffi.buffer(S.tok, ids.size * 4), dtype=np.int32)[:] = \
        ids.ravel()
    return S


def as_array(ptr, n, dtype=np.float64):
    """A copy of n C values at ptr as an ndarray."""
    if n == 0:
        return np.empty(0, dtype=dtype)
    size = np.dtype(dtype).itemsize
    return np.frombuffer(ffi.buffer(ptr, n * size), dtype=dtype).copy()


# ------------------------------------------------------------------ options

def option_text(name, value):
    """A keyword's value as the command line's text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        raise InputError(f"{name} expects a number or a name, got {value!r}")
    if isinstance(value, float):
        return repr(value)          # shortest text that reads back exactly
    if isinstance(value, (int, str)):
        return str(value)
    raise InputError(f"{name} expects a number or a name, got "
                     f"{type(value).__name__} {value!r}")


def kernel_spec(params, also_read=None):
    """(tkc_kernel_spec *, given) from keyword options; None means "not
    given" (the library's default)."""
    spec = ffi.new("tkc_kernel_spec *")
    lib.tkc_kernel_spec_default(spec)
    given = ffi.new("tkc_kernel_options_given *")
    for name, value in params.items():
        if value is None:
            continue
        if lib.tkc_kernel_option_lookup(name.encode()) == ffi.NULL:
            raise InputError(f"unknown kernel option '{name}' (the options: "
                             f"{', '.join(kernel_option_names())})")
        call(lib.tkc_kernel_option_set, spec, name.encode(),
             option_text(name, value).encode(), given)
    call(lib.tkc_kernel_options_check, spec, given[0],
         also_read.encode() if also_read else ffi.NULL,
         lib.TKC_OPTION_NAMES_KEYWORD)
    return spec, given[0]


def kernel_option_names():
    """The kernel options' keyword names, in the library's order."""
    names, i = [], 0
    while True:
        o = lib.tkc_kernel_options[i]
        if o.name == ffi.NULL:
            return names
        names.append(text(o.name).replace("-", "_"))
        i += 1


def given_has(given, name):
    return bool(lib.tkc_kernel_options_given_has(given, name.encode()))


def keep_arguments(obj, arguments):
    """A constructor's arguments as the attributes of their names, nothing
    else (scikit-learn's convention): keep_arguments(self, locals())."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(obj, name, value)


def spec_defaults():
    """The library's kernel-level defaults by keyword name (the estimators'
    own options default to None: "not given")."""
    spec = ffi.new("tkc_kernel_spec *")
    lib.tkc_kernel_spec_default(spec)
    return dict(kernel=text(spec.kernel.name),
                estimator=text(spec.estimator.name),
                act=text(spec.activation.name), beta=spec.beta,
                gamma=spec.gamma, b1=spec.b1, b2=spec.b2,
                depth=spec.mlp_depth, seed=spec.seed, threads=spec.threads)


def online_cores():
    """sysconf(_SC_NPROCESSORS_ONLN), as the command line reads it."""
    n = os.sysconf("SC_NPROCESSORS_ONLN")
    return n if n > 0 else 1
