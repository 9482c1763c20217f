"""N and its verdicts (tkc/nmatrix.h, tkc/verdict.h): tkc.nmatrix and
tkc.check return what `tkc nmatrix --json` and `tkc check --json` print
(docs/json.md), as plain Python objects — N, its errors and the singular
values as ndarrays, the rest as dicts, lists, numbers and the library's
own words (verdict words are passed through, never spelled here).

The defaults are the commands' own: for both, the certificate works at the
precision `prec` (the series estimator's option, 256 bits by default) and
the generic verdict runs on every online core unless `threads` is given
(it is exact, so the cores cannot change it); check auto-refines within its
budget (a count of integrand evaluations), its first round cheap (16384
integrand evaluations whatever the estimator, auto's target 1e-3) unless
samples, points, target_se or max_evals is given (src/cli/cmd_nmatrix.c,
cmd_check.c; tests/python/test_same_as_cli.py checks the digits against
the commands)."""
import numpy as np

from tkc import _native
from tkc._native import call, ffi, lib, text
from tkc.progress import reporting
from tkc.templates import as_templates

_CHECK_KERNELS = ("mlp", "mlpxx", "trans")
_LEMMA36_WORDS = {"TKC_LEMMA36_VIOLATED": "violated",
                  "TKC_LEMMA36_HOLDS": "holds",
                  "TKC_LEMMA36_NOT_ESTABLISHED": "not established"}


def _options(spec, given, confidence, auto_refine, budget, time_budget,
             ladder, generic):
    """tkc_nmatrix_options as the commands set them."""
    opt = ffi.new("tkc_nmatrix_options *")
    lib.tkc_nmatrix_options_default(opt)
    if confidence is not None:
        opt.confidence = confidence
    if auto_refine is not None:
        opt.auto_refine = int(bool(auto_refine))
    if budget is not None:
        opt.budget = budget
    if time_budget is not None:
        opt.time_budget = time_budget
    if ladder is not None:
        opt.ladder = int(bool(ladder))
    opt.generic = int(bool(generic))
    opt.prec = spec.series.prec
    if not _native.given_has(given, "threads"):
        opt.generic_opt.threads = _native.online_cores()
    return opt


def _decide(tset, spec, opt, progress=ffi.NULL):
    """N and its decision; progress: a tkc_progress * (reporting(...).c)."""
    nm = ffi.new("tkc_nmatrix **")
    d = ffi.new("tkc_nmatrix_decision **")
    spec.progress = progress
    try:
        call(lib.tkc_nmatrix_decide, tset._set, spec, opt, nm, d)
    finally:
        spec.progress = ffi.NULL
    return (ffi.gc(nm[0], lib.tkc_nmatrix_free),
            ffi.gc(d[0], lib.tkc_nmatrix_decision_free))


def _matrix(ptr, r):
    return _native.as_array(ptr, r * r).reshape(r, r)


def _permutation(v, have):
    if not have:
        return None
    return dict(permutation=[v.witness[i] + 1 for i in range(v.r)],
                cycles=text(v.witness_text),
                leading_term=text(v.weight_text) or None)


def generic_test(v):
    """The generic test's fields (docs/generic.md), as the JSON has them."""
    ran, proved = v.r > 0, v.status == lib.TKC_GENERIC_PROVED
    monomial = None
    if ran and proved and v.deciding_a >= 0:
        buf = ffi.new("char[]", 32)
        lib.tkc_series_monomial_name(buf, 32, v.deciding_a, v.deciding_b)
        monomial = dict(beta_power=2 * v.deciding_a,
                        gamma_power=2 * v.deciding_b, name=text(buf))
    return dict(
        condition_10=("proved" if proved else "not established") if ran
        else None,
        orders=[dict(total_order=v.orders[o], patterns=v.order_patterns[o],
                     work=v.order_work[o]) for o in range(v.norders)],
        total_order=v.order if ran else None,
        patterns=v.patterns,
        deciding_monomial=monomial,
        tightest_cycle=_permutation(v, proved and v.witness != ffi.NULL),
        witness=_permutation(v, not proved and v.witness != ffi.NULL),
        stopped=text(v.next) if ran and not proved else None,
        work=v.work, seconds=v.seconds, cpu_seconds=v.cpu_seconds)


def _generic(d):
    if d.generic == lib.TKC_NMATRIX_GENERIC_NOT_RUN:
        return None
    v = d.generic_test
    if v.r:
        method = text(v.method_text)
    elif d.generic == lib.TKC_NMATRIX_GENERIC_SINGULAR:
        method = text(d.method)
    else:
        method = None
    out = dict(verdict=text(lib.tkc_nmatrix_generic_name(d.generic)),
               words=text(d.generic_words), statement=text(d.generic_text),
               method=method)
    out.update(generic_test(v))
    return out


def _lemma36(d):
    if d.lemma36 == lib.TKC_LEMMA36_NOT_APPLICABLE:
        return None
    status = next(w for name, w in _LEMMA36_WORDS.items()
                  if d.lemma36 == getattr(lib, name))
    holds = (None if d.lemma36 == lib.TKC_LEMMA36_NOT_ESTABLISHED
             else d.lemma36 == lib.TKC_LEMMA36_HOLDS)
    return dict(holds=holds, status=status, method=text(d.lemma36_method),
                text=text(d.lemma36_text))


def _small_beta_det(d):
    if d.series_det_status == lib.TKC_SERIES_DET_NOT_RUN and \
            not text(d.series_det_text):
        return None
    determined = d.series_det_status == lib.TKC_SERIES_DET_DETERMINED
    return dict(
        determined=determined,
        beta_power=(d.series_det_beta_power
                    if d.series_det_status != lib.TKC_SERIES_DET_NOT_RUN
                    else None),
        leading_coefficient=(text(d.series_det_leading)
                             if determined and text(d.series_det_leading)
                             else None),
        text=text(d.series_det_text))


def decision(nm, d):
    """N's decision: the keys every `tkc nmatrix` and `tkc check` kernel
    object holds (docs/json.md), the generic verdict included."""
    r = nm.r
    singular = d.verdict == lib.TKC_NMATRIX_SINGULAR
    nonsingular = d.verdict == lib.TKC_NMATRIX_NONSINGULAR
    evidence = text(lib.tkc_evidence_kind_name(d.evidence_kind))
    bound_evidence = evidence if nonsingular else None
    cert = dict(evidence_kind=evidence, method=text(d.method),
                evidence=text(d.evidence))
    if singular:
        i, j = ffi.new("size_t *"), ffi.new("size_t *")
        rows = ([i[0] + 1, j[0] + 1]
                if lib.tkc_nmatrix_identical_rows(nm, i, j) else [])
        cert.update(identical_rows=rows, row_classes=nm.nclasses,
                    invariant=text(nm.invariant))
    if d.verdict == lib.TKC_NMATRIX_UNDECIDED:
        cert["settle"] = text(d.settle)
    cert.update(
        error_kind=text(lib.tkc_error_kind_name(nm.error_kind)),
        confidence=d.confidence, radius_scale=d.radius_scale,
        radius_norm=d.radius_norm,
        inverse_norm_upper_bound=d.inv_norm_upper if nonsingular else None,
        inverse_norm_upper_bound_evidence=bound_evidence,
        condition_number=d.cond,
        determinant=dict(mantissa=d.det_mantissa, exponent2=d.det_exponent),
        precision_ladder=[dict(prec=d.ladder_prec[l],
                               sigma_min=d.ladder_sigma_min[l])
                          for l in range(lib.TKC_NMATRIX_LADDER)
                          if d.ladder_prec[l]],
        precision_ladder_trend=text(d.ladder_text),
        lemma_3_6=_lemma36(d), small_beta_det=_small_beta_det(d),
        samples=d.samples, samples_total=d.samples_total, rounds=d.rounds,
        stopped_early=bool(d.stopped_early), seconds=d.seconds)
    sv = (_native.as_array(d.singular_values, r)
          if d.singular_values != ffi.NULL else np.empty(0))
    return dict(singular_values=sv, sigma_min=d.sigma_min,
                sigma_min_lower_bound=d.sigma_min_lower if nonsingular else 0.0,
                sigma_min_lower_bound_evidence=bound_evidence,
                inverse_norm=None if singular else d.inv_norm,
                verdict=text(lib.tkc_nmatrix_verdict_name(d.verdict)),
                verdict_words=text(d.verdict_words),
                certificate=cert, generic=_generic(d))


def _templates_spelled(tset):
    return [tset.spell_template(i) for i in range(tset.count)]


def nmatrix(templates, cls=True, confidence=None, auto_refine=None,
            budget=None, time_budget=None, ladder=None, generic=True,
            progress=None, **params):
    """The matrix N of a template set and its verdict, as `tkc nmatrix
    --json` prints it: templates, kernel, estimator, cls_appended, N and
    stderr (ndarrays), singular_values, sigma_min, sigma_min_lower_bound,
    inverse_norm, verdict (and verdict_words, the words with their
    evidence), certificate {...} and generic {...} (docs/json.md).

    templates: a tkc.Templates, a path or bare set name, the text of a
    template file or a list of its lines (cls: append [CLS], for all but a
    Templates).  The N-matrix options are the command's: confidence,
    auto_refine, budget, time_budget, ladder (None: r <= 64), generic.
    progress: None, True or a callable (tkc.progress).
    params: the kernel options, as in tkc.kernel."""
    tset = as_templates(templates, cls)
    spec, given = _native.kernel_spec(params, also_read="prec")
    opt = _options(spec, given, confidence, auto_refine, budget, time_budget,
                   ladder, generic)
    with reporting(progress) as p:
        nm, d = _decide(tset, spec, opt, p.c)
    out = dict(templates=_templates_spelled(tset),
               kernel=text(spec.kernel.name), estimator=text(nm.estimator),
               cls_appended=tset.cls_appended, N=_matrix(nm.N, nm.r),
               stderr=_matrix(nm.se, nm.r))
    out.update(decision(nm, d))
    return out


def nmatrix_cost(templates, cls=True, confidence=None, auto_refine=None,
                 budget=None, time_budget=None, ladder=None, generic=True,
                 **params):
    """What tkc.nmatrix with the same arguments will cost, predicted before
    anything large is allocated (tkc_nmatrix_cost_predict, docs/verdicts.md):
    bytes at the peak and its phase (peak_phase), bytes_kept with the
    result, the work in counts — distinct entries, integrand evaluations
    per entry and values of the first round and at most over every
    auto-refine round (rounds_max), covariance products, the certificate's
    MPFR operations — and seconds_first, seconds_max: ESTIMATES for the
    machine the constants were measured on, for planning only."""
    tset = as_templates(templates, cls)
    spec, given = _native.kernel_spec(params, also_read="prec")
    opt = _options(spec, given, confidence, auto_refine, budget, time_budget,
                   ladder, generic)
    c = ffi.new("tkc_nmatrix_cost *")
    call(lib.tkc_nmatrix_cost_predict, tset._set, spec, opt, c)
    names = ("r", "k", "entries", "distinct", "kernel_entries", "bytes",
             "bytes_kept", "evaluations_first", "evaluations_max",
             "rounds_max", "values_first", "values_max",
             "covariance_ops_first", "covariance_ops_max", "certificate_ops",
             "seconds_first", "seconds_max")
    out = {name: getattr(c, name) for name in names}
    out.update(distinct_exact=bool(c.distinct_exact),
               peak_phase=text(c.peak_phase))
    return out


def check(templates, cls=True, confidence=None, auto_refine=True,
          budget=None, time_budget=None, ladder=None, generic=True,
          progress=None, **params):
    """The MLP, MLP+XXᵀ and transformer verdicts side by side, as `tkc check
    --json` prints them: file, templates, k, cls_appended, and kernels, one
    dict per kernel (mlp, mlpxx, trans) with kernel, estimator, N and
    stderr (ndarrays; the command prints them only in tkc nmatrix) and the
    decision keys of tkc.nmatrix.  The
    command's one-line `summary` and `expectations_met` are the command's
    and not here.  Arguments as tkc.nmatrix; `kernel` is not one of them."""
    if "kernel" in params:
        raise _native.InputError("check runs mlp, mlpxx and trans: kernel is "
                                 "not accepted (tkc.nmatrix for one kernel)")
    tset = as_templates(templates, cls)
    spec, given = _native.kernel_spec(params, also_read="prec")
    opt = _options(spec, given, confidence, auto_refine, budget, time_budget,
                   ladder, generic)
    chose = any(_native.given_has(given, name)
                for name in ("samples", "points", "target_se", "max_evals"))
    if not chose and opt.auto_refine:
        # a cheap first round, 16384 integrand evaluations whatever the
        # estimator (QMC: two per point and replicate); auto-refine takes it
        # from there
        points = max(16384 // (2 * spec.qmc.replicates), 1)
        for name, value in (("samples", "16384"), ("points", str(points)),
                            ("max-evals", "16384"), ("target-se", "1e-3")):
            call(lib.tkc_kernel_option_set, spec, name.encode(),
                 value.encode(), ffi.NULL)
    kernels = []
    with reporting(progress) as p:
        for name in _CHECK_KERNELS:
            s = ffi.new("tkc_kernel_spec *")
            s[0] = spec[0]
            s.kernel = lib.tkc_kernel_type_lookup(name.encode())
            nm, d = _decide(tset, s, opt, p.c)
            entry = dict(kernel=name, estimator=text(nm.estimator),
                         N=_matrix(nm.N, nm.r), stderr=_matrix(nm.se, nm.r))
            entry.update(decision(nm, d))
            kernels.append(entry)
    return dict(file=tset.file, templates=_templates_spelled(tset),
                k=tset.k, cls_appended=tset.cls_appended, kernels=kernels)
