"""Kernel values and Gram matrices in one call each (tkc/kernel.h,
tkc/gram.h), and the kernel as scikit-learn's KernelRidge takes it."""
import numpy as np

from tkc import _native
from tkc._native import InputError, call, ffi, lib, text
from tkc.progress import reporting


def kernel(x, y, progress=None, **params):
    """One kernel value K(x, y) with its error, as `tkc kernel X Y --json`
    prints it (docs/json.md): kernel, estimator, value, stderr, error_kind,
    samples, x, y, k, beta, gamma, activation, b1, b2, seed, note.
    params: the kernel options (docs/cli.md), as keywords: kernel,
    estimator, act, beta, gamma, b1, b2, depth, seed, threads, samples,
    points, replicates, order, prec, cv_order, target_se, max_evals.
    progress: None, True or a callable (tkc.progress)."""
    spec, _ = _native.kernel_spec(params)
    vocab = _native.Vocabulary()
    ids = _native.encode([x, y], vocab, "x, y")
    S = _native.c_strings(ids)
    v = ffi.gc(_values(1), lib.tkc_kernel_values_free)
    pair = ffi.new("tkc_pair *", (0, 1))
    with reporting(progress) as p:
        spec.progress = p.c
        call(lib.tkc_kernel_eval_pairs, spec, S, pair, 1, v)
    names = {i: str(t) for t, i in vocab.ids.items()}
    out = dict(kernel=text(spec.kernel.name),
               estimator=text(v.estimator) or None,
               value=v.value[0], stderr=v.se[0],
               error_kind=text(lib.tkc_error_kind_name(v.error_kind)),
               samples=v.samples,
               x=[names[i] for i in ids[0]], y=[names[i] for i in ids[1]],
               k=ids.shape[1], beta=spec.beta, gamma=spec.gamma)
    if spec.activation != ffi.NULL:
        out.update(activation=text(spec.activation.name), b1=spec.b1,
                   b2=spec.b2)
    out.update(seed=spec.seed, note=text(v.note))
    return out


def _values(npairs):
    err = _native.new_error()
    v = lib.tkc_kernel_values_alloc(npairs, 0, err)
    if v == ffi.NULL:
        _native.raise_for(err.status or lib.TKC_ENOMEM, err)
    return v


def gram(xs, ys=None, info=False, progress=None, **params):
    """The Gram matrix K[i, j] = K(xs[i], ys[j]) and its errors, (K, se),
    float64 ndarrays of shape (len(xs), len(ys)).

    Every distinct pair pattern is evaluated once, all of them in one call
    of the C library (tkc_gram_matrix, tkc/gram.h), so Monte Carlo entries
    share their random numbers (common random numbers) and equal patterns
    get equal values.  ys=None: ys = xs, each unordered pair once, K
    symmetric.  Strings: sequences of tokens (str or int), or plain strings
    read as the command line reads X and Y ("aab": one symbol per
    character; "a b [CLS]": split on whitespace); xs and ys share one
    vocabulary.  params: the kernel options, as in tkc.kernel.  The same
    seed gives the same digits; a 1 × 1 Gram has tkc.kernel's digits.
    info=True also returns a dict describing the kernel call: patterns,
    se_max, error_kind, estimator, samples, note.  progress: None, True or
    a callable (tkc.progress)."""
    spec, _ = _native.kernel_spec(params)
    vocab = _native.Vocabulary()
    X = _native.c_strings(_native.encode(xs, vocab, "xs"))
    Y = ffi.NULL if ys is None else _native.c_strings(
        _native.encode(ys, vocab, "ys"))
    if Y != ffi.NULL and Y.k != X.k:
        raise InputError(f"xs holds strings of length {X.k} and ys of length "
                         f"{Y.k}: kernels compare strings of equal length")
    nx, ny = X.count, X.count if Y == ffi.NULL else Y.count
    K = np.empty((nx, ny))
    se = np.empty((nx, ny))
    gi = ffi.new("tkc_gram_info *")
    with reporting(progress) as p:
        spec.progress = p.c
        call(lib.tkc_gram_matrix, spec, X, Y, ffi.from_buffer("double[]", K),
             ffi.from_buffer("double[]", se), gi)
    if not info:
        return K, se
    return K, se, dict(patterns=gi.npatterns, se_max=gi.se_max,
                       error_kind=text(lib.tkc_error_kind_name(gi.error_kind)),
                       estimator=text(gi.estimator), samples=gi.samples,
                       note=text(gi.note))


def gram_diag(xs, **params):
    """[K(x, x) for x in xs] and their errors, in one call (common random
    numbers), as (values, se)."""
    spec, _ = _native.kernel_spec(params)
    S = _native.c_strings(_native.encode(xs, _native.Vocabulary(), "xs"))
    n = S.count
    pairs = ffi.new("tkc_pair[]", [(i, i) for i in range(n)])
    v = ffi.gc(_values(n), lib.tkc_kernel_values_free)
    call(lib.tkc_kernel_eval_pairs, spec, S, pairs, n, v)
    return _native.as_array(v.value, n), _native.as_array(v.se, n)


def _gp_kernel_base():
    try:
        from sklearn.gaussian_process.kernels import Kernel
        return Kernel
    except ImportError:          # scikit-learn is optional for the rest
        return object


class TemplateKernel(_gp_kernel_base()):
    """A tkc kernel as scikit-learn takes one:
    `sklearn.kernel_ridge.KernelRidge(kernel=tkc.TemplateKernel(beta=4,
    gamma=2))`.  A subclass of scikit-learn's kernel class, so KernelRidge
    calls it once with whole matrices — one tkc.gram, common random numbers
    — rather than once per pair of rows.  The rows of X are strings (their
    entries tokens; KernelRidge passes numeric arrays, so write tokens as
    numbers).  The parameters are the kernel options (None: the library's
    default); it has no hyperparameters to optimize and no gradient."""

    def __init__(self, kernel=None, estimator=None, act=None, beta=None,
                 gamma=None, b1=None, b2=None, depth=None, seed=None,
                 threads=None, samples=None, points=None, replicates=None,
                 order=None, prec=None, cv_order=None, target_se=None,
                 max_evals=None):
        _native.keep_arguments(self, locals())

    def _options(self):
        return {name: getattr(self, name)
                for name in _native.kernel_option_names()}

    def __call__(self, X, Y=None, eval_gradient=False):
        if eval_gradient:
            raise InputError("TemplateKernel has no gradient (and no "
                             "hyperparameters to optimize)")
        return gram(_rows(X), None if Y is None else _rows(Y),
                    **self._options())[0]

    def diag(self, X):
        return gram_diag(_rows(X), **self._options())[0]

    def is_stationary(self):
        return False

    @property
    def requires_vector_input(self):
        return False

    def __repr__(self):
        set_ = ", ".join(f"{k}={v!r}" for k, v in self._options().items()
                         if v is not None)
        return f"TemplateKernel({set_})"


def _rows(X):
    return list(X) if not isinstance(X, np.ndarray) else X
