"""Kernel ridge regression on strings as a scikit-learn estimator, over the
C library's fit, prediction and score (tkc/krr.h, docs/krr.md; the
figures through _krr.py, as `tkc krr --json` keys them)."""
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted

from tkc import _native
from tkc._krr import (DEFAULTS, fit_c, krr_options, model_figures,
                      predict_replicates, replicate_sd, score_figures)
from tkc._native import InputError, call, ffi, lib
from tkc.templates import Templates, as_templates

_D = _native.spec_defaults()
# The kernel options an estimator's constructor takes, in the library's
# order (the estimators' own default to None: not given).
_OPTIONS = _native.kernel_option_names()


class TemplateKernelRidge(RegressorMixin, BaseEstimator):
    """Kernel ridge regression f̂(x) = Σ_i α_i K(x_i, x), (K̂ + αI) a = y,
    with a kernel of tkc (paper Prop. 3.1, eq. 5).

    alpha: the ridge, absolute as in eq. (5) and as scikit-learn's
      KernelRidge calls it (default 1e-3, tkc's); the solve raises it when
      K̂ + αI will not factor, and says so (fit_info_).
    templates: None, or the template set the strings are drawn from (a
      tkc.Templates, a path or a set name): then the fit takes the
      structured path of `tkc krr` (each distinct pattern once, unseen
      strings predicted from N in O(r)) and score_templates gives the exact
      error on unseen symbols.  The strings must then be substitutions of
      its templates whose wildcards took fresh symbols.
    solver: "auto" (by predicted cost and memory; fit_info_["solver_reason"]
      says why), "dense" or "structured" (templates only) — `--solver`.
    kernel_replicates: kernel estimates fit on the same data, the fit's
      included (default 4, the library's; 1 computes no kernel error):
      every number's kernel error is their spread — `--kernel-replicates`.
    memory: GB the solve may use (None: the machine's) — `--memory`.
    tolerance, max_iterations: the structured solve's normwise backward
      error to stop at (0: the rounding floor) and its CG steps.
    The rest are the kernel options (docs/cli.md), kernel-level ones at the
    library's defaults and each estimator's own at None (not given).

    X: a sequence of strings (tokens, or plain strings read as the command
    line reads them), or a 2-D array whose rows are strings (equal entries
    are equal symbols).  y: real labels.  Deterministic for a seed.
    """

    def __init__(self, alpha=DEFAULTS["alpha"], kernel=_D["kernel"],
                 templates=None, solver="auto",
                 kernel_replicates=DEFAULTS["kernel_replicates"],
                 memory=None, tolerance=0.0,
                 max_iterations=DEFAULTS["max_iterations"],
                 estimator=_D["estimator"], act=_D["act"], beta=_D["beta"],
                 gamma=_D["gamma"], b1=_D["b1"], b2=_D["b2"],
                 depth=_D["depth"], seed=_D["seed"], threads=_D["threads"],
                 samples=None, points=None, replicates=None, order=None,
                 prec=None, cv_order=None, target_se=None, max_evals=None):
        _native.keep_arguments(self, locals())

    # ------------------------------------------------------------ inputs
    def _tokens(self, X, reset):
        """X as lists of tokens; arrays go through scikit-learn's checks
        (2-D, finite, n_features_in_)."""
        if isinstance(X, str):
            raise InputError("X is one string; give a sequence of strings")
        if hasattr(X, "__array__") or hasattr(X, "iloc") or hasattr(X, "tocsr"):
            X = self._validate_data(X, reset=reset, dtype=None)
            return [row for row in X]
        X = [_native.tokens_of(s) for s in X]
        if reset:
            self.n_features_in_ = len(X[0]) if X else 0
        elif X and len(X[0]) != self.n_features_in_:
            raise InputError(f"X has {len(X[0])} features, but "
                             f"{type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input")
        if not X:
            raise InputError("X holds no strings (0 samples); at least 1 "
                             "is required")
        return X

    def _spec(self):
        params = {name: getattr(self, name) for name in _OPTIONS}
        return _native.kernel_spec(params)[0]

    # ------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit to strings X and real labels y."""
        if y is None:
            raise InputError(f"{type(self).__name__} requires y to be "
                             "passed, but the target y is None")
        tokens = self._tokens(X, reset=True)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim != 1:
            if y.ndim == 2 and y.shape[1] == 1:
                from sklearn.utils.validation import column_or_1d
                y = column_or_1d(y, warn=True)
            else:
                raise InputError("y should be a 1d array (one label per "
                                 f"string), got shape {y.shape}")
        if len(y) != len(tokens):
            raise InputError(f"Found input variables with inconsistent "
                             f"numbers of samples: [{len(tokens)}, {len(y)}]")
        options = self._options()
        spec = self._spec()
        tset = (None if self.templates is None
                else as_templates(self.templates))
        vocab = tset.vocabulary() if tset else _native.Vocabulary()
        ids = _native.encode(tokens, vocab, "X")
        S = _native.c_strings(ids)
        y = np.ascontiguousarray(y, dtype=np.float64)
        self._model = fit_c(spec, tset, S, ffi.NULL, y, options)
        self._tset = tset            # the model borrows the set: keep it
        self._vocab = vocab
        self._fit_data = (ids, y)
        m = self._model
        self.dual_coef_ = _native.as_array(m.alpha, m.n)
        self.fit_info_ = model_figures(m)
        return self

    # ------------------------------------------------------------ predict
    def predict(self, X, return_kernel_se=False):
        """f̂ on the strings X (their length the training strings').  With
        return_kernel_se, (f̂, its kernel error): the spread of each
        prediction over the fit's kernel estimates (predict_replicates),
        0 for a closed form, None when one estimate was fit."""
        if return_kernel_se:
            reps = self.predict_replicates(X)
            return reps[0], replicate_sd(self._model, reps)
        check_is_fitted(self, "dual_coef_")
        S, m = self._strings(X)
        pred = np.empty(m)
        call(lib.tkc_krr_predict, self._model, S,
             ffi.from_buffer("double[]", pred))
        return pred

    def predict_replicates(self, X):
        """f̂ of each kernel estimate on the strings X: an array
        (kernel_replicates × len(X)), row 0 predict(X)."""
        check_is_fitted(self, "dual_coef_")
        S, m = self._strings(X)
        return predict_replicates(self._model, S, m)

    def _strings(self, X):
        tokens = self._tokens(X, reset=False)
        ids = _native.encode(tokens, self._vocab.copy(), "X")
        return _native.c_strings(ids), len(tokens)

    def score_templates(self):
        """The expected test error on unseen symbols, Σ_z µ(z)
        (f̂(z) − f*(z))², of a model fit with `templates` (by token
        symmetry f̂ is constant on each template's unseen strings): exact
        given f̂, and f̂ carries the kernel's error.  A dict as `tkc krr`
        reports it: test_mse_population and its kernel error,
        label_mean, label_variance, kernel_replicates,
        replicate_mse_population (each kernel estimate's) and per_template
        (template, label, weight, prediction, prediction_kernel_se,
        test_mse)."""
        check_is_fitted(self, "dual_coef_")
        if self._tset is None:
            raise InputError("score_templates needs a model fit with "
                             "templates=... (the set its strings come from)")
        return score_figures(self._model, self._tset)

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_model", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_fit_data" in state:     # fit again: the same digits for a seed
            ids, y = state["_fit_data"]
            self._model = fit_c(self._spec(), self._tset,
                                _native.c_strings(ids), ffi.NULL, y,
                                self._options())

    def _options(self):
        return krr_options(self.alpha, self.solver, self.kernel_replicates,
                           self.memory, self.tolerance, self.max_iterations)

    def _more_tags(self):
        return {"requires_y": True}


__all__ = ["TemplateKernelRidge", "Templates"]
