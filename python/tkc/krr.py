"""Kernel ridge regression on strings as a scikit-learn estimator, over the
C library's fit, prediction and score (tkc/krr.h, docs/krr.md)."""
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted

from tkc import _native
from tkc._native import InputError, call, ffi, lib, text
from tkc.templates import Templates, as_templates

_D = _native.spec_defaults()
_ALPHA = float(lib.TKC_KRR_LAMBDA_DEFAULT)
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
    The rest are the kernel options (docs/cli.md), kernel-level ones at the
    library's defaults and each estimator's own at None (not given).

    X: a sequence of strings (tokens, or plain strings read as the command
    line reads them), or a 2-D array whose rows are strings (equal entries
    are equal symbols).  y: real labels.  Deterministic for a seed.
    """

    def __init__(self, alpha=_ALPHA, kernel=_D["kernel"], templates=None,
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
        if not (isinstance(self.alpha, (int, float, np.number)) and
                np.isfinite(self.alpha) and self.alpha >= 0):
            raise InputError(f"alpha must be a finite number >= 0, got "
                             f"{self.alpha!r}")
        spec = self._spec()
        tset = (None if self.templates is None
                else as_templates(self.templates))
        vocab = tset.vocabulary() if tset else _native.Vocabulary()
        ids = _native.encode(tokens, vocab, "X")
        S = _native.c_strings(ids)
        y = np.ascontiguousarray(y, dtype=np.float64)
        out = ffi.new("tkc_krr_model **")
        call(lib.tkc_krr_fit, spec, tset._set if tset else ffi.NULL, S,
             ffi.NULL, ffi.from_buffer("double[]", y), self._options(), out)
        self._model = ffi.gc(out[0], lib.tkc_krr_model_free)
        self._tset = tset            # the model borrows the set: keep it
        self._vocab = vocab
        self._fit_data = (ids, y)
        m = self._model
        self.dual_coef_ = _native.as_array(m.alpha, m.n)
        self.fit_info_ = dict(
            lambda_used=m.solve.lambda_used, escalations=m.solve.escalations,
            escalation_note=text(m.solve.note), rcond=m.solve.rcond,
            ferr=m.solve.ferr, berr=m.solve.berr, train_mse=m.train_mse,
            patterns=m.kernel.npatterns,
            kernel_error_kind=text(lib.tkc_error_kind_name(
                m.kernel.error_kind)),
            kernel_se_max=m.kernel.se_max,
            kernel_estimator=text(m.kernel.estimator),
            kernel_diag_max=m.kernel_diag_max,
            seconds=m.seconds_kernel + m.seconds_fill + m.seconds_solve)
        return self

    # ------------------------------------------------------------ predict
    def predict(self, X):
        """f̂ on the strings X (their length the training strings')."""
        check_is_fitted(self, "dual_coef_")
        tokens = self._tokens(X, reset=False)
        ids = _native.encode(tokens, self._vocab.copy(), "X")
        S = _native.c_strings(ids)
        pred = np.empty(len(tokens))
        call(lib.tkc_krr_predict, self._model, S,
             ffi.from_buffer("double[]", pred))
        return pred

    def score_templates(self):
        """The exact expected test error on unseen symbols, Σ_z µ(z)
        (f̂(z) − f*(z))², of a model fit with `templates` (by token
        symmetry f̂ is constant on each template's unseen strings): a dict
        with test_mse_population, label_mean, label_variance and
        per_template (template, label, weight, prediction, test_mse), as
        `tkc krr` reports them."""
        check_is_fitted(self, "dual_coef_")
        if self._tset is None:
            raise InputError("score_templates needs a model fit with "
                             "templates=... (the set its strings come from)")
        out = ffi.new("tkc_krr_score **")
        call(lib.tkc_krr_score_templates, self._model, self._tset._set, out)
        s = ffi.gc(out[0], lib.tkc_krr_score_free)
        z = self._tset._set.t
        per = [dict(template=self._tset.spell_template(t), label=z[t].label,
                    weight=z[t].weight,
                    prediction=s.template_prediction[t],
                    test_mse=s.template_sq_error[t])
               for t in range(s.ntemplates)]
        return dict(test_mse_population=s.test_mse_population,
                    label_mean=s.label_mean, label_variance=s.label_variance,
                    per_template=per)

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_model", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_fit_data" in state:     # fit again: the same digits for a seed
            ids, y = state["_fit_data"]
            S = _native.c_strings(ids)
            out = ffi.new("tkc_krr_model **")
            call(lib.tkc_krr_fit, self._spec(),
                 self._tset._set if self._tset else ffi.NULL, S, ffi.NULL,
                 ffi.from_buffer("double[]", y), self._options(), out)
            self._model = ffi.gc(out[0], lib.tkc_krr_model_free)

    def _options(self):
        """The fit's tkc_krr_options: the ridge alpha, one kernel estimate
        (the fit itself; its α is the same with more)."""
        o = ffi.new("tkc_krr_options *")
        lib.tkc_krr_options_default(o)
        setattr(o, "lambda", float(self.alpha))   # a keyword in Python
        o.kernel_replicates = 1
        return o

    def _more_tags(self):
        return {"requires_y": True}


__all__ = ["TemplateKernelRidge", "Templates"]
