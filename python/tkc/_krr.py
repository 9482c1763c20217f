"""Ridge regression through the C library (tkc/krr.h) as Python objects:
the options by their Python names, the fit, the predictions of every kernel
estimate, and the figures of a fit and of a score keyed as `tkc krr --json`
keys them (docs/json.md).  The estimator (ridge.py) and `tkc krr` in
process (learning.py) share them; neither needs scikit-learn here."""
import numpy as np

from tkc import _native
from tkc._native import InputError, call, ffi, lib, text

def _options_default():
    o = ffi.new("tkc_krr_options *")
    lib.tkc_krr_options_default(o)
    return o


# The library's defaults (tkc_krr_options_default), by the Python names.
DEFAULTS = dict(alpha=getattr(_options_default(), "lambda"),
                kernel_replicates=_options_default().kernel_replicates,
                max_iterations=_options_default().max_iterations)
_SOLVERS = {"auto": lib.TKC_KRR_SOLVER_AUTO,
            "dense": lib.TKC_KRR_SOLVER_DENSE,
            "structured": lib.TKC_KRR_SOLVER_STRUCTURED}


def krr_options(alpha=DEFAULTS["alpha"], solver="auto", kernel_replicates=None,
                memory=None, tolerance=0.0, max_iterations=None):
    """tkc_krr_options from the Python names (None: the library's
    default); tkc.InputError naming a bad one."""
    o = _options_default()
    if not (isinstance(alpha, (int, float, np.number)) and
            not isinstance(alpha, bool) and np.isfinite(alpha) and
            alpha >= 0):
        raise InputError(f"alpha must be a finite number >= 0, got {alpha!r}")
    setattr(o, "lambda", float(alpha))       # a keyword in Python
    if solver not in _SOLVERS:
        raise InputError(f"solver must be one of {', '.join(_SOLVERS)}, got "
                         f"{solver!r}")
    o.solver = _SOLVERS[solver]
    for name, value, lo, hi in (("kernel_replicates", kernel_replicates, 1,
                                 1024),
                                ("max_iterations", max_iterations, 1,
                                 2**32 - 1)):
        if value is None:
            continue
        if not isinstance(value, (int, np.integer)) or \
                isinstance(value, bool) or not lo <= value <= hi:
            raise InputError(f"{name} must be an integer in {lo}..{hi}, got "
                             f"{value!r}")
        setattr(o, name, int(value))
    if memory is not None:
        if not (isinstance(memory, (int, float, np.number)) and
                1e-3 <= memory <= 1e6):
            raise InputError(f"memory must be in 1e-3..1e6 GB, got "
                             f"{memory!r}")
        o.memory_bytes = float(memory) * 1e9
    if not (isinstance(tolerance, (int, float, np.number)) and
            0 <= tolerance <= 1):
        raise InputError(f"tolerance must be in 0..1, got {tolerance!r}")
    o.tolerance = float(tolerance)
    return o


def fit_c(spec, tset, S, template_index, y, options):
    """tkc_krr_fit on the tkc_strings S and labels y (an ndarray or a C
    double *) through the Templates tset (None: the general path); the
    model, freed with its Python object."""
    out = ffi.new("tkc_krr_model **")
    if isinstance(y, np.ndarray):
        y = ffi.from_buffer("double[]", y)
    call(lib.tkc_krr_fit, spec, tset._set if tset else ffi.NULL, S,
         template_index, y, options, out)
    return ffi.gc(out[0], lib.tkc_krr_model_free)


def _kernel_se(m, value):
    """A kernel error, or None when one estimate was fit (not computed)."""
    return (None if m.kernel_error == lib.TKC_KRR_KERNEL_ERROR_NOT_COMPUTED
            else value)


def replicate_sd(m, values):
    """tkc_krr_replicate_sd over axis 0 of values (replicates × ...), or
    None when not computed."""
    v = np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)
    flat = v.reshape(-1, v.shape[-1])
    sd = np.array([lib.tkc_krr_replicate_sd(ffi.from_buffer("double[]", r),
                                            len(r)) for r in flat])
    return _kernel_se(m, sd.reshape(v.shape[:-1]) if v.ndim > 1
                      else float(sd[0]))


def predict_replicates(m, S, count):
    """f̂ of each of model m's kernel estimates on the tkc_strings S."""
    out = np.empty((m.replicates, count))
    for q in range(m.replicates):
        call(lib.tkc_krr_predict_replicate, m, q, S,
             ffi.from_buffer("double[]", out[q]))
    return out


def plan_figures(p):
    """A tkc_krr_plan's predicted costs, as `tkc krr --json`'s
    solver_plan."""
    return dict(shared_pairs=p.shared_pairs, dense_bytes=p.dense_bytes,
                dense_flops=p.dense_flops,
                structured_bytes=p.structured_bytes,
                structured_flops=p.structured_flops,
                factor_nnz=p.factor_nnz, memory_bytes=p.memory_bytes)


def model_figures(m):
    """A fit's figures, keyed as one run of `tkc krr --json` keys them:
    the solve (ridge asked and used, rcond, ferr, berr), the solver and
    why, its plan and (structured fits) what the structured solve did, the
    kernel call, and the kernel error of the training error."""
    p, s = m.plan, m.structured
    out = dict(
        estimator=text(m.kernel.estimator), train_mse=m.train_mse,
        train_mse_kernel_se=replicate_sd(
            m, _native.as_array(m.replicate_train_mse, m.replicates)),
        kernel_error_method=text(lib.tkc_krr_kernel_error_name(
            m.kernel_error)),
        kernel_replicates=m.replicates, rcond=m.solve.rcond,
        # "lambda" is a keyword in Python, not in a dict
        **{"lambda": getattr(m.solve, "lambda")},
        lambda_used=m.solve.lambda_used, escalations=m.solve.escalations,
        escalation_note=text(m.solve.note),
        replicate_escalations=m.replicate_escalations, ferr=m.solve.ferr,
        berr=m.solve.berr, solver=text(lib.tkc_krr_solver_name(p.chosen)),
        solver_reason=text(p.reason),
        residual=m.residual if m.residual_computed else None,
        solver_plan=plan_figures(p))
    if p.chosen == lib.TKC_KRR_SOLVER_STRUCTURED:
        out["structured"] = dict(
            factored=bool(s.factored), shift=s.shift, iterations=s.iterations,
            backward_error=s.backward_error, converged=bool(s.converged),
            capacitance_rcond=s.capacitance_rcond, peak_bytes=s.peak_bytes)
    out.update(patterns=m.kernel.npatterns,
               kernel_error_kind=text(lib.tkc_error_kind_name(
                   m.kernel.error_kind)),
               kernel_se_max=m.kernel.se_max,
               kernel_diag_max=m.kernel_diag_max,
               seconds=m.seconds_kernel + m.seconds_fill + m.seconds_solve)
    return out


def score_c(m, tset):
    """tkc_krr_score_templates of model m against tset (freed with it)."""
    out = ffi.new("tkc_krr_score **")
    call(lib.tkc_krr_score_templates, m, tset._set, out)
    return ffi.gc(out[0], lib.tkc_krr_score_free)


def score_figures(m, tset, score=None):
    """The score of model m against tset, keyed as `tkc krr --json` keys
    it (per_template without the sample counts)."""
    s = score if score is not None else score_c(m, tset)
    r, z = s.ntemplates, tset._set.t
    per = [dict(template=tset.spell_template(t), label=z[t].label,
                weight=z[t].weight, prediction=s.template_prediction[t],
                prediction_kernel_se=_kernel_se(
                    m, s.template_prediction_kernel_se[t]),
                test_mse=s.template_sq_error[t]) for t in range(r)]
    return dict(test_mse_population=s.test_mse_population,
                test_mse_population_kernel_se=_kernel_se(
                    m, s.test_mse_population_kernel_se),
                kernel_replicates=s.replicates,
                replicate_mse_population=_native.as_array(
                    s.replicate_mse_population, s.replicates).tolist(),
                label_mean=s.label_mean, label_variance=s.label_variance,
                per_template=per)
