"""tkc, the template kernel calculator, in Python: the kernels of
transformers and MLPs on template tasks (arXiv 2310.09753), their Gram
matrices, the matrix N and its verdicts, the exact β-series, and kernel
ridge regression as a scikit-learn estimator — in process, over the C
library libtkc (docs/python.md).

    import tkc
    K, se = tkc.gram(["aab", "abb", "cca"], kernel="trans", beta=4, gamma=2)
    model = tkc.TemplateKernelRidge(beta=4, gamma=2).fit(X, y)
    tkc.check("same_different")["kernels"][2]["verdict"]

Keyword options are the command line's (docs/cli.md): kernel, estimator,
act, beta, gamma, b1, b2, depth, seed, threads, samples, points,
replicates, order, prec, cv_order, target_se, max_evals.  Errors are
tkc.Error (tkc.InputError, also a ValueError, for bad input) with the C
library's message.  The GIL is released while the C library computes.
"""
from tkc._native import Error, InputError
from tkc.kernels import TemplateKernel, gram, gram_diag, kernel
from tkc.series import series
from tkc.templates import Sample, Templates, find, sets_dir
from tkc.verdicts import check, nmatrix, nmatrix_cost
from tkc import rates
from tkc.learning import krr, plan as krr_plan

try:                       # scikit-learn is needed by the estimator only
    from tkc.ridge import TemplateKernelRidge
except ImportError as _e:  # pragma: no cover - Debian ships python3-sklearn
    _why = str(_e)

    def TemplateKernelRidge(*args, **kwargs):
        raise Error(f"TemplateKernelRidge needs scikit-learn: {_why}")

__all__ = ["Error", "InputError", "Templates", "Sample", "TemplateKernel",
           "TemplateKernelRidge", "check", "find", "gram", "gram_diag",
           "kernel", "krr", "krr_plan", "nmatrix", "nmatrix_cost", "rates",
           "series",
           "sets_dir"]
