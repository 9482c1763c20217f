/* verdict.c — what N's numbers prove: the one producer of verdicts on N
 * (docs/verdicts.md; the contract is tkc/verdict.h).
 *
 * Read top to bottom: the verdict from structure, the verdict from the box
 * certificate, the figures reported beside the verdict (singular values,
 * det N, the precision ladder, Lemma 3.6, the small-β determinant), then the
 * rounds of auto-refine and tkc_nmatrix_decide, which strings them together.
 * Only the certificate (certify.c) and the exact series (series_det.c)
 * prove anything; the doubles computed here (LAPACK's σ's, det N) are for
 * display, and say so. */
#include "tkc/verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lapacke.h>

#include "tkc/certify.h"
#include "tkc/series.h"
#include "tkc/spd.h"
#include "c_locale.h"
#include "ladder.h"
#include "mpmat.h"
#include "permutation.h"
#include "progress.h"
#include "series_det.h"
#include "shard.h"
#include "verdict_rounds.h"

const char *tkc_nmatrix_verdict_name(tkc_nmatrix_verdict_kind v)
{
    switch (v) {
    case TKC_NMATRIX_SINGULAR:
        return "singular";
    case TKC_NMATRIX_NONSINGULAR:
        return "nonsingular";
    default:
        return "undecided";
    }
}

const char *tkc_nmatrix_generic_name(tkc_nmatrix_generic_kind g)
{
    switch (g) {
    case TKC_NMATRIX_GENERIC_NOT_ESTABLISHED:
        return "not established";
    case TKC_NMATRIX_GENERIC_SINGULAR:
        return "singular";
    case TKC_NMATRIX_GENERIC_NONSINGULAR:
        return "nonsingular";
    case TKC_NMATRIX_GENERIC_CONDITION10:
        return "condition (10)";
    default:
        return "not run";
    }
}

void tkc_nmatrix_options_default(tkc_nmatrix_options *opt)
{
    opt->want_cov = TKC_NMATRIX_COV_AUTO;
    opt->prec = 256;
    opt->confidence = 0.999;
    opt->auto_refine = 0;
    opt->budget = 0;            /* the default rule: tkc_nmatrix_budget */
    opt->time_budget = 0;
    opt->ladder = -1;
    opt->generic = 1;
    tkc_generic_options_default(&opt->generic_opt);
}

void tkc_nmatrix_decision_free(tkc_nmatrix_decision *d)
{
    if (!d)
        return;
    free(d->singular_values);
    tkc_generic_verdict_clear(&d->generic_test);
    free(d);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The verdict with the kind of evidence behind it, in the words a table
 * prints: one place, so that every command says the same.  "singular
 * (exact)", "nonsingular (proved)", "nonsingular (99.9% confidence)" (the
 * stated joint confidence), "nonsingular (estimate)", "undecided". */
static void verdict_words(tkc_nmatrix_decision *d)
{
    const char *v = tkc_nmatrix_verdict_name(d->verdict);
    size_t n = sizeof d->verdict_words;
    char pct[32];
    tkc_evidence_percent(pct, sizeof pct, d->confidence);
    if (d->verdict == TKC_NMATRIX_UNDECIDED)
        snprintf(d->verdict_words, n, "%s", v);
    else if (d->evidence_kind == TKC_EVIDENCE_CONFIDENCE)
        snprintf(d->verdict_words, n, "%s (%s confidence)", v, pct);
    else if (d->evidence_kind == TKC_EVIDENCE_ESTIMATE)
        snprintf(d->verdict_words, n, "%s (estimate)", v);
    else
        snprintf(d->verdict_words, n, "%s (%s)", v,
                 d->verdict == TKC_NMATRIX_SINGULAR ? "exact" : "proved");
}

/* ---- from structure ----------------------------------------------------- */

/* Do templates i and i' hold the same regular tokens at the same positions
 * (so that only their wildcard relations tell them apart)? */
static int same_regular_profile(const tkc_template_set *set, size_t i,
                                size_t ip)
{
    for (size_t a = 0; a < set->k; a++) {
        int32_t u = set->t[i].sym[a], v = set->t[ip].sym[a];
        if (TKC_IS_WILDCARD(u) != TKC_IS_WILDCARD(v) ||
            (!TKC_IS_WILDCARD(u) && u != v))
            return 0;
    }
    return 1;
}

/* N has rows proved identical (nmatrix.c's row classes): singular, exactly,
 * for every value of the kernel's parameters. */
static void structural_evidence(const tkc_template_set *set,
                                const tkc_nmatrix *nm, tkc_nmatrix_decision *d)
{
    size_t i, ip;
    tkc_nmatrix_identical_rows(nm, &i, &ip);
    d->verdict = TKC_NMATRIX_SINGULAR;
    d->evidence_kind = TKC_EVIDENCE_PROVED;
    d->confidence = 1;
    d->radius_scale = 1;
    int n = snprintf(d->evidence, sizeof d->evidence, "rows %zu,%zu identical: %s",
                     i + 1, ip + 1,
                     same_regular_profile(set, i, ip)
                         ? "templates differ only in wildcard relations"
                         : "equal pair invariants in every column");
    if (nm->r - nm->nclasses > 1 && n > 0 && (size_t)n < sizeof d->evidence)
        snprintf(d->evidence + n, sizeof d->evidence - (size_t)n,
                 " (%zu distinct rows of %zu: rank <= %zu)", nm->nclasses,
                 nm->r, nm->nclasses);
    snprintf(d->method, sizeof d->method,
             "structure: the kernel depends only on %s", nm->invariant);
}

/* ---- from the certificate ----------------------------------------------- */

/* The radii of N's boxes for the certificate, by the boxes' evidence. */
static tkc_radius_kind radius_kind_of(tkc_evidence_kind evidence)
{
    switch (evidence) {
    case TKC_EVIDENCE_CONFIDENCE:
        return TKC_RADIUS_CONFIDENCE;
    case TKC_EVIDENCE_ESTIMATE:
        return TKC_RADIUS_ESTIMATE;
    default:
        return TKC_RADIUS_RIGOROUS;
    }
}

/* Distinct estimates among N's entries: pairs with equal unordered
 * patterns are one estimate (the kernel layer evaluates each pattern once).
 * The count the Bonferroni correction needs. */
static int distinct_entries(const tkc_nmatrix *nm, size_t *count,
                            tkc_error *err)
{
    tkc_pattern_index *ix;
    int rc = tkc_nmatrix_patterns(nm, &ix, NULL, err);
    if (rc)
        return rc;
    *count = tkc_pattern_index_size(ix);
    tkc_pattern_index_free(ix);
    return TKC_SUCCESS;
}

/* Statistical radii for a joint confidence over the distinct estimates:
 * radius = z·se; z = 1 for the other kinds of error. */
static int radii(const tkc_nmatrix *nm, double confidence, double *z,
                 tkc_error *err)
{
    *z = 1;
    if (nm->error_kind != TKC_ERROR_STATISTICAL)
        return TKC_SUCCESS;
    size_t m;
    int rc = distinct_entries(nm, &m, err);
    return rc ? rc : tkc_certify_bonferroni_z(z, confidence, m, err);
}

/* The certificate on N's boxes (built at the round's confidence: the
 * radii already hold jointly, whatever their evidence). */
static int certify_once(const tkc_nmatrix *nm, const tkc_nmatrix_options *opt,
                        const tkc_progress *progress, tkc_certificate *cert,
                        tkc_error *err)
{
    tkc_certify_input in = {.r = nm->r,
                            .mid = nm->box_mid,
                            .radius = nm->box_rad,
                            .kind = radius_kind_of(nm->box_evidence),
                            .confidence = nm->box_confidence,
                            .prec = (mpfr_prec_t)opt->prec,
                            .row_names = NULL,
                            .progress = progress};
    return tkc_certify(cert, &in, err);
}

/* What produced the entries, in a few words. */
static void source_words(const tkc_nmatrix *nm, double confidence, char *buf,
                         size_t size)
{
    char pct[32];
    switch (nm->error_kind) {
    case TKC_ERROR_STATISTICAL:
        tkc_evidence_percent(pct, sizeof pct, confidence);
        snprintf(buf, size, "%s %llu samples, %s confidence", nm->estimator,
                 (unsigned long long)nm->samples, pct);
        break;
    case TKC_ERROR_TRUNCATION:
        snprintf(buf, size, "%s, truncation estimate", nm->estimator);
        break;
    case TKC_ERROR_EXACT:
        snprintf(buf, size, "exact entries");
        break;
    default:
        snprintf(buf, size, "closed form, rigorous bounds");
    }
}

/* Undecided: how far the radii must shrink, in samples when they are
 * statistical, else the certificate's own advice. */
static void settle_words(const tkc_nmatrix *nm, const tkc_certificate *c,
                         tkc_nmatrix_decision *d)
{
    if (nm->error_kind == TKC_ERROR_STATISTICAL && isfinite(c->shrink_factor))
        snprintf(d->settle, sizeof d->settle,
                 "radii must shrink %.2gx -> about %.3gx more samples "
                 "(%.2g integrand evaluations in all: --auto-refine, or the "
                 "estimator's sample size)",
                 c->shrink_factor, c->samples_factor,
                 ceil((double)nm->samples * c->samples_factor * 1.1));
    else
        snprintf(d->settle, sizeof d->settle, "%s", c->advice);
}

static void from_certificate(const tkc_nmatrix *nm, const tkc_certificate *c,
                             double confidence, tkc_nmatrix_decision *d)
{
    char src[128];
    source_words(nm, confidence, src, sizeof src);
    /* the boxes' evidence decides the word; a confidence is the stated
     * joint one (each auto-refine round holds a share of it) */
    d->evidence_kind = c->evidence;
    d->confidence = c->evidence == TKC_EVIDENCE_CONFIDENCE ? confidence
                    : c->evidence == TKC_EVIDENCE_PROVED;
    d->radius_scale = nm->box_z;
    d->radius_norm = c->radius_norm2_upper;
    snprintf(d->method, sizeof d->method, "%s", c->method);
    switch (c->verdict) {
    case TKC_VERDICT_NONSINGULAR:
        d->verdict = TKC_NMATRIX_NONSINGULAR;
        d->sigma_min_lower = c->sigma_min_lower;
        d->inv_norm_upper = c->sigma_min_lower > 0 ? 1 / c->sigma_min_lower
                                                   : INFINITY;
        snprintf(d->evidence, sizeof d->evidence, "%s, %s", src,
                 c->rump_alpha < 1 ? "Rump test" : "Weyl bound");
        break;
    case TKC_VERDICT_SINGULAR:
        d->verdict = TKC_NMATRIX_SINGULAR;
        snprintf(d->evidence, sizeof d->evidence, "rows %zu,%zu: %s",
                 c->row_i + 1, c->row_j + 1, c->reason);
        break;
    default:
        d->verdict = TKC_NMATRIX_UNDECIDED;
        snprintf(d->evidence, sizeof d->evidence, "%s: radii too wide to certify",
                 src);
        settle_words(nm, c, d);
    }
}

/* ---- the figures beside the verdict ------------------------------------- */

/* σ's of the computed N in double (LAPACK dgesdd): for display; the proved
 * statements come from tkc_certify. */
static int singular_values(const tkc_nmatrix *nm, double *sv, tkc_error *err)
{
    size_t r = nm->r;
    double *a = malloc(r * r * sizeof *a);
    if (!a)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's SVD");
    memcpy(a, nm->N, r * r * sizeof *a);
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)r,
                                     (lapack_int)r, a, (lapack_int)r, sv, NULL,
                                     (lapack_int)r, NULL, (lapack_int)r);
    free(a);
    if (info != 0)
        return tkc_fail(err, TKC_ENUMERIC, "LAPACK dgesdd failed on N (info %d)",
                        (int)info);
    return TKC_SUCCESS;
}

/* det N = mantissa · 2^exponent by MPFR LU at prec bits (a 144×144 kernel
 * matrix's determinant is far below the double range). */
static int determinant(const tkc_nmatrix *nm, long prec,
                       tkc_nmatrix_decision *d, tkc_error *err)
{
    size_t r = nm->r;
    tkc_mpmat *A = tkc_mpmat_alloc(r, r, (mpfr_prec_t)prec, err);
    if (!A)
        return err ? err->status : TKC_ENOMEM;
    int rc = tkc_mpmat_set_d(A, nm->N, r, err);
    if (!rc) {
        mpfr_t det;
        mpfr_init2(det, 64);
        rc = tkc_mpmat_det(det, A, err);
        d->det_mantissa = 0;
        d->det_exponent = 0;
        if (!rc && !mpfr_zero_p(det))
            d->det_mantissa = mpfr_get_d_2exp(&d->det_exponent, det, MPFR_RNDN);
        mpfr_clear(det);
    }
    tkc_mpmat_free(A);
    return rc;
}

/* σ_min at 53, 128, 256, 512 bits: stable, or shrinking with the precision
 * (then the midpoint is numerically singular).  A failure here (e.g. Jacobi
 * not converging) is reported in the text, not fatal. */
static void ladder(const tkc_nmatrix *nm, int want, tkc_nmatrix_decision *d)
{
    if (!want) {
        snprintf(d->ladder_text, sizeof d->ladder_text,
                 "skipped for r = %zu > %d (--ladder to force)", nm->r,
                 TKC_NMATRIX_LADDER_MAX_R);
        return;
    }
    tkc_sigma_ladder lad;
    tkc_error e;
    if (tkc_certify_ladder(&lad, nm->r, nm->N, &e)) {
        snprintf(d->ladder_text, sizeof d->ladder_text, "failed: %.200s", e.message);
        return;
    }
    for (int l = 0; l < TKC_NMATRIX_LADDER && l < TKC_LADDER_RUNGS; l++) {
        d->ladder_prec[l] = (long)lad.prec[l];
        d->ladder_sigma_min[l] = lad.sigma_min[l];
    }
    snprintf(d->ladder_text, sizeof d->ladder_text, "%s", lad.text);
}

static int numbers(const tkc_nmatrix *nm, const tkc_nmatrix_options *opt,
                   const tkc_progress *progress, tkc_nmatrix_decision *d,
                   tkc_error *err)
{
    size_t r = nm->r;
    tkc_progress_stage(progress, 0, 0, "singular values, det N and the "
                       "least eigenvalue, r = %zu", r);
    if (!(d->singular_values = malloc(r * sizeof *d->singular_values)))
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's numbers");
    int rc = singular_values(nm, d->singular_values, err);
    if (!rc)
        rc = determinant(nm, opt->prec, d, err);
    /* N is symmetric (one estimate per unordered pattern): its lower
     * triangle, read column-major, is N itself */
    if (!rc)
        rc = tkc_spd_eigenvalue_min(nm->N, r, r, &d->eig_min, err);
    if (rc)
        return rc;
    d->sigma_min = d->singular_values[r - 1];
    d->inv_norm = d->sigma_min > 0 ? 1 / d->sigma_min : INFINITY;
    d->cond = d->sigma_min > 0 ? d->singular_values[0] / d->sigma_min : INFINITY;
    int want_ladder = tkc_nmatrix_ladder_runs(opt, r);
    if (want_ladder)
        tkc_progress_stage(progress, 0, 0, "the precision ladder of σ_min");
    ladder(nm, want_ladder, d);
    return TKC_SUCCESS;
}

/* ---- Lemma 3.6 ---------------------------------------------------------- */

int tkc_nmatrix_ladder_runs(const tkc_nmatrix_options *opt, size_t r)
{
    return opt->ladder < 0 ? r <= TKC_NMATRIX_LADDER_MAX_R : opt->ladder != 0;
}

/* Do two specs ask the estimator for the same accuracy? */
static int same_accuracy(const tkc_kernel_spec *a, const tkc_kernel_spec *b)
{
    return a->mc.samples == b->mc.samples && a->qmc.points == b->qmc.points &&
           a->qmc.replicates == b->qmc.replicates &&
           a->cvmc.samples == b->cvmc.samples &&
           a->automatic.target_se == b->automatic.target_se &&
           a->automatic.max_evals == b->automatic.max_evals;
}

/* N_attn for Lemma 3.6: nm itself for attn (*own = NULL), else a second
 * evaluation of the attention kernel with the same estimator and seed.
 * The exhaustive test (small r) is cheap: it gets at least the default
 * accuracy even when the verdict was reached from a cheap round (for attn
 * a new N only then: the same spec would give nm's numbers again). */
static int attn_matrix(const tkc_template_set *set, const tkc_kernel_spec *spec,
                       const tkc_nmatrix *nm, tkc_nmatrix **own,
                       tkc_error *err)
{
    *own = NULL;
    if (spec->kernel == tkc_kernel_attn && nm->r > TKC_PERM_EXHAUSTIVE_MAX)
        return TKC_SUCCESS;
    tkc_kernel_spec s = *spec;
    s.kernel = tkc_kernel_attn;
    tkc_progress_nest stage;
    s.progress = tkc_progress_nest_in(&stage, spec->progress, "Lemma 3.6: "
                                      "N_attn");
    if (nm->r <= TKC_PERM_EXHAUSTIVE_MAX && s.estimator->raise_to) {
        tkc_kernel_spec def;
        tkc_kernel_spec_default(&def);
        s.estimator->raise_to(&s, &def);
    }
    if (spec->kernel == tkc_kernel_attn && same_accuracy(&s, spec))
        return TKC_SUCCESS;
    return tkc_nmatrix_build(set, &s, TKC_NMATRIX_COV_NO, own, err);
}

/* Lemma 3.6's permutation condition on N_attn, for attn and trans (not
 * applicable to the MLPs). */
static int lemma36(const tkc_template_set *set, const tkc_kernel_spec *spec,
                   const tkc_nmatrix *nm, double confidence,
                   tkc_nmatrix_decision *d, tkc_error *err)
{
    d->lemma36 = TKC_LEMMA36_NOT_APPLICABLE;
    if (!spec->kernel->uses_attn)
        return TKC_SUCCESS;
    tkc_nmatrix *own;
    int rc = attn_matrix(set, spec, nm, &own, err);
    if (rc)
        return rc;
    const tkc_nmatrix *a = own ? own : nm;
    size_t n = a->r * a->r;
    double z, *rad = malloc(n * sizeof *rad);
    if (!rad)
        rc = tkc_fail(err, TKC_ENOMEM, "out of memory for N_attn's radii");
    if (!rc)
        rc = radii(a, confidence, &z, err);
    if (!rc)
        rc = tkc_certify_radii_from_se(rad, a->se, n, z, err);
    tkc_perm_condition pc;
    if (!rc)
        rc = tkc_certify_permutation_condition(&pc, a->r, a->N, rad, err);
    if (!rc) {
        d->lemma36 = pc.status == TKC_PERM_ESTABLISHED ? TKC_LEMMA36_HOLDS
                     : pc.status == TKC_PERM_VIOLATED
                         ? TKC_LEMMA36_VIOLATED
                         : TKC_LEMMA36_NOT_ESTABLISHED;
        snprintf(d->lemma36_test, sizeof d->lemma36_test, "%s", pc.test);
        snprintf(d->lemma36_method, sizeof d->lemma36_method, "%s", pc.method);
        snprintf(d->lemma36_text, sizeof d->lemma36_text, "%s", pc.text);
    }
    free(rad);
    tkc_nmatrix_free(own);
    return rc;
}

/* ---- small β, exactly --------------------------------------------------- */

static void series_det_fields(const tkc_series_det *sd, tkc_nmatrix_decision *d)
{
    d->series_det_status = sd->determined ? TKC_SERIES_DET_DETERMINED
                                          : TKC_SERIES_DET_UNDETERMINED;
    d->series_det_beta_power =
        2 * (long)(sd->determined ? sd->order : sd->order_lower_bound);
    d->series_det_leading[0] = 0;
    if (sd->determined && mpz_sizeinbase(mpq_numref(sd->leading), 10) +
                                  mpz_sizeinbase(mpq_denref(sd->leading), 10) +
                                  3 < sizeof d->series_det_leading)
        mpq_get_str(d->series_det_leading, 10, sd->leading);
    tkc_series_det_snprint(d->series_det_text, sizeof d->series_det_text, sd);
}

/* Run by default for attn/trans and small r; a cost refusal is reported,
 * not fatal. */
static int small_beta(const tkc_nmatrix *nm, const tkc_kernel_spec *spec,
                      tkc_nmatrix_decision *d, tkc_error *err)
{
    d->series_det_status = TKC_SERIES_DET_NOT_RUN;
    if (!spec->kernel->uses_attn)
        return TKC_SUCCESS;
    if (nm->r > TKC_NMATRIX_SERIES_MAX_R) {
        snprintf(d->series_det_text, sizeof d->series_det_text,
                 "not computed for r = %zu > %d", nm->r,
                 TKC_NMATRIX_SERIES_MAX_R);
        return TKC_SUCCESS;
    }
    tkc_error e;
    tkc_series_det sd;
    tkc_series_det_init(&sd);
    tkc_progress_stage(spec->progress, 0, 0, "det N_attn at small β, exactly "
                       "(r = %zu)", nm->r);
    /* N_attn(0)_ij = m_ij/k² + γ²/k sees only the shared regular tokens
     * (m_ij of them), so it is often of low rank (rank 1 when they are
     * [CLS] alone) and det N_attn starts late: r + 1 terms reach β^(2r). */
    int rc = tkc_series_det_attn(&sd, nm, spec->gamma, nm->r + 1, &e);
    if (!rc)
        series_det_fields(&sd, d);
    tkc_series_det_clear(&sd);
    if (rc == TKC_ERANGE) {
        snprintf(d->series_det_text, sizeof d->series_det_text,
                 "not computed: %.200s", e.message);
        return TKC_SUCCESS;
    }
    if (rc && err)
        *err = e;
    return rc;
}

/* ---- for almost every parameter ---------------------------------------- */

/* Rows identical by structure: N is singular whatever the parameters. */
static void generic_structure(tkc_nmatrix_decision *d)
{
    d->generic = TKC_NMATRIX_GENERIC_SINGULAR;
    snprintf(d->generic_words, sizeof d->generic_words, "singular (exact)");
    snprintf(d->generic_text, sizeof d->generic_text, "singular for every "
             "parameter, exact: %s; %s", d->evidence, d->method);
}

/* The MLP kernels when structure does not decide: their entries are closed
 * forms with rounding estimates, not enclosures, so no value of det N is
 * proved, and without one analyticity gives nothing. */
static void generic_closed_form(const tkc_kernel_spec *spec,
                                tkc_nmatrix_decision *d)
{
    /* The entries are closed forms, entire in (b1, b2) for cos (a
     * composition of exp and cos), so det N(b1, b2) is real-analytic: one
     * proved nonzero value makes its zero set null.  relu and erf have no
     * continuous parameter, so the point verdict is the whole answer.  Only
     * a proved point verdict (Arb enclosures, tkc/evidence.h) may serve. */
    int cos = spec->activation == tkc_activation_cos;
    int proved = d->verdict == TKC_NMATRIX_NONSINGULAR &&
                 d->evidence_kind == TKC_EVIDENCE_PROVED;
    d->generic = proved ? TKC_NMATRIX_GENERIC_NONSINGULAR
                        : TKC_NMATRIX_GENERIC_NOT_ESTABLISHED;
    snprintf(d->generic_words, sizeof d->generic_words, "%s",
             proved ? "nonsingular (proved)" : "not established");
    if (cos && proved)
        snprintf(d->generic_text, sizeof d->generic_text, "nonsingular for "
                 "almost every (b1, b2), proved: det N is real-analytic in "
                 "(b1, b2) and nonzero at b1 = %g, b2 = %g (the point "
                 "verdict, from rigorous enclosures)", spec->b1, spec->b2);
    else if (cos)
        snprintf(d->generic_text, sizeof d->generic_text, "not established "
                 "by tkc: det N is real-analytic in (b1, b2), so one proved "
                 "nonzero value would give nonsingular for almost every "
                 "(b1, b2), but the point verdict at b1 = %g, b2 = %g is %s",
                 spec->b1, spec->b2, d->verdict_words);
    else
        snprintf(d->generic_text, sizeof d->generic_text, "with φ = %s the %s "
                 "kernel has no continuous parameter: the point verdict is "
                 "the whole answer, %s", spec->activation->name,
                 spec->kernel->name, d->verdict_words);
}

/* The statement of a test that proved condition (10): for trans with
 * φ ≠ cos, that N_trans is not covered; then the deciding monomial and the
 * tightest permutation or cycle. */
static void lemmas_text(const tkc_kernel_spec *spec,
                        const tkc_generic_verdict *v, tkc_nmatrix_decision *d)
{
    char *t = d->generic_text, mono[32];
    size_t size = sizeof d->generic_text, n;
    int attn = spec->kernel == tkc_kernel_attn;
    int uncovered = !attn && d->generic != TKC_NMATRIX_GENERIC_NONSINGULAR;
    if (uncovered)
        n = (size_t)snprintf(t, size, "N_trans with φ = %s: not established; "
                             "%s", spec->activation->name, v->attn_text);
    else
        n = (size_t)snprintf(t, size, "%s", attn ? v->attn_text : v->text);
    if (v->witness && n < size &&
        tkc_series_monomial_name(mono, sizeof mono, v->deciding_a,
                                 v->deciding_b) >= 0)
        n += (size_t)snprintf(t + n, size - n, "; deciding monomial %s: d_τ = "
                              "%s + … for the tightest %s τ = %s", mono,
                              v->weight_text,
                              v->method == TKC_GENERIC_CYCLES ? "cycle"
                                                              : "permutation",
                              v->witness_text);
    if (uncovered && n < size)
        snprintf(t + n, size - n, "; Lemma 3.6 is proved for φ(t) = "
                 "cos(b1 t + b2) only");
}

/* attn and trans: Lemma 3.7 from the exact coefficients of N_attn, then
 * Lemma 3.6 for trans with φ = cos (tkc/generic.h). */
static int generic_lemmas(const tkc_template_set *set,
                          const tkc_kernel_spec *spec,
                          const tkc_nmatrix_options *opt,
                          tkc_nmatrix_decision *d, tkc_error *err)
{
    tkc_generic_options go = opt->generic_opt;
    go.threads = go.threads ? go.threads : spec->threads;
    go.activation = spec->activation;
    tkc_progress_nest stage;
    const tkc_progress *p = tkc_progress_nest_in(&stage, spec->progress,
                                                 "generic verdict");
    if (p)
        go.progress = p;
    tkc_generic_verdict *v = &d->generic_test;
    int rc = tkc_generic_decide_set(set, &go, v, err);
    if (rc)
        return rc;
    int proved = v->status == TKC_GENERIC_PROVED;
    d->generic = !proved ? TKC_NMATRIX_GENERIC_NOT_ESTABLISHED
                 : spec->kernel == tkc_kernel_attn
                     ? TKC_NMATRIX_GENERIC_CONDITION10
                 : spec->activation == tkc_activation_cos
                     ? TKC_NMATRIX_GENERIC_NONSINGULAR
                     : TKC_NMATRIX_GENERIC_NOT_ESTABLISHED; /* Lemma 3.6: cos */
    snprintf(d->generic_words, sizeof d->generic_words, "%s",
             d->generic == TKC_NMATRIX_GENERIC_NONSINGULAR
                 ? "nonsingular (proved)"
             : d->generic == TKC_NMATRIX_GENERIC_CONDITION10
                 ? "condition (10) (proved)"
                 : "not established");
    if (proved)
        lemmas_text(spec, v, d);
    else
        snprintf(d->generic_text, sizeof d->generic_text, "%s: %s",
                 spec->kernel == tkc_kernel_attn ? v->attn_text : v->text,
                 v->next);
    return TKC_SUCCESS;
}

/* The generic verdict of the kernel (opt->generic): structure first, as
 * for the point verdict; then the lemmas for the kernels on K_attn. */
static int generic(const tkc_template_set *set, const tkc_kernel_spec *spec,
                   const tkc_nmatrix *nm, const tkc_nmatrix_options *opt,
                   tkc_nmatrix_decision *d, tkc_error *err)
{
    if (!opt->generic)
        return TKC_SUCCESS;
    if (nm->nclasses < nm->r) {
        generic_structure(d);
        return TKC_SUCCESS;
    }
    if (!spec->kernel->uses_attn) {
        generic_closed_form(spec, d);
        return TKC_SUCCESS;
    }
    return generic_lemmas(set, spec, opt, d, err);
}

/* ---- the rounds --------------------------------------------------------- */

/* Auto-refine's state: the next round's spec, its budget of integrand
 * evaluations, the rounds allowed, the confidence of each, and why
 * refining stopped (empty while it goes on; stopped_early when a
 * wall-clock limit stopped it). */
typedef struct rounds {
    tkc_kernel_spec spec;
    uint64_t budget;
    unsigned max;
    double conf;
    double t0;
    int stopped_early;
    char stop[240];
} rounds;

/* Auto-refine's counts, shared with the cost prediction (nmatrix_cost.c):
 * the contracts are in verdict_rounds.h. */
const tkc_attn_estimator_type *tkc_nmatrix_sampler(const tkc_kernel_spec *spec)
{
    const tkc_attn_estimator_type *e = spec->estimator;
    return spec->kernel->uses_attn && e && e->evaluations && e->scale ? e
                                                                      : NULL;
}

uint64_t tkc_nmatrix_budget(const tkc_template_set *set,
                            const tkc_nmatrix_options *opt)
{
    if (opt->budget)
        return opt->budget;
    double entries = (double)set->count * ((double)set->count + 1) / 2;
    double b = fmin((double)TKC_NMATRIX_BUDGET_EVALS,
                    (double)TKC_NMATRIX_BUDGET_VALUES / entries);
    return b < 4 ? 4 : (uint64_t)b;
}

unsigned tkc_nmatrix_max_rounds(const tkc_kernel_spec *spec, uint64_t budget,
                                const tkc_nmatrix_options *opt)
{
    const tkc_attn_estimator_type *e = tkc_nmatrix_sampler(spec);
    unsigned n = 1;
    for (uint64_t s = e ? e->evaluations(spec) : 0;
         e && opt->auto_refine && s > 0 && s <= budget / 4; s *= 4)
        n++;
    return n;
}

/* The opt-in wall-clock limit (opt->time_budget > 0): would the next round,
 * f times the last one's time, end past it?  Then the run stops early, and
 * says so: its rounds depend on the machine and its load.  Processes that
 * share the run (tkc/shard.h) take process 0's clock, so that they stop at
 * the same round. */
static int over_time(rounds *ro, double began, double f, double base,
                     double next, const tkc_nmatrix_options *opt,
                     tkc_error *err, int *rc)
{
    if (!(opt->time_budget > 0))
        return 0;
    double spent = now_seconds() - ro->t0, round = now_seconds() - began;
    double over = spent + round * f > opt->time_budget;
    if ((*rc = tkc_shard_broadcast(ro->spec.shard, 0, &over, 1, err)) || !over)
        return 0;
    ro->stopped_early = 1;
    snprintf(ro->stop, sizeof ro->stop,
             "auto-refine STOPPED EARLY at %.0f evaluations by the "
             "wall-clock limit: the next round (%.0f) would pass "
             "--time-budget %g s (rounds then depend on the machine's speed "
             "and load)", base, next, opt->time_budget);
    return 1;
}

/* After an undecided round that began at `began`: set up the next one (the
 * evaluations the certificate asks for, at least ×4), or return 0 with the
 * reason in ro->stop when the rounds or the budget are spent (or 0 with
 * *rc set when the processes sharing the run fail to agree on the
 * clock). */
static int next_round(rounds *ro, unsigned done, double began,
                      const tkc_certificate *cert,
                      const tkc_nmatrix_options *opt, tkc_error *err, int *rc)
{
    *rc = TKC_SUCCESS;
    const tkc_attn_estimator_type *e = tkc_nmatrix_sampler(&ro->spec);
    if (!e)
        return 0;
    if (done >= ro->max) {
        snprintf(ro->stop, sizeof ro->stop,
                 "auto-refine stopped after its %u rounds (the confidence "
                 "is split over them)", ro->max);
        return 0;
    }
    double f = isfinite(cert->samples_factor) && cert->samples_factor > 4
                   ? ceil(cert->samples_factor * 1.1) : 4;
    /* In integrand evaluations, whatever the estimator counts. */
    double base = (double)e->evaluations(&ro->spec);
    double next = base * f;
    if (next > (double)ro->budget) {
        snprintf(ro->stop, sizeof ro->stop,
                 "auto-refine stopped at %.0f evaluations: the next round "
                 "(%.0f) exceeds the budget of %llu (--budget)",
                 base, next, (unsigned long long)ro->budget);
        return 0;
    }
    if (over_time(ro, began, f, base, next, opt, err, rc) || *rc)
        return 0;
    tkc_kernel_spec spec = ro->spec;
    e->scale(&spec, f);
    tkc_error why;
    if (e->check_options(&spec, &why)) {
        snprintf(ro->stop, sizeof ro->stop, "auto-refine stopped at %.0f "
                 "evaluations: %.150s", base, why.message);
        return 0;
    }
    ro->spec = spec;
    return 1;
}

/* Build N and certify it, round after round while auto-refine may go on.
 * *nm is the last round's N (the caller's to free, also on error). */
static int run_rounds(const tkc_template_set *set,
                      const tkc_nmatrix_options *opt, rounds *ro,
                      tkc_nmatrix **nm, tkc_certificate *cert,
                      tkc_nmatrix_decision *d, tkc_error *err)
{
    for (;;) {
        double began = now_seconds();
        /* the round's spec reports as "round j of at most m: ..." */
        tkc_progress_nest stage;
        tkc_kernel_spec spec = ro->spec;
        if (ro->max > 1)
            spec.progress = tkc_progress_nest_in(&stage, ro->spec.progress,
                                                 "round %u of ≤ %u",
                                                 d->rounds + 1, ro->max);
        int rc = tkc_nmatrix_build_boxed(set, &spec, opt->want_cov, ro->conf,
                                         nm, err);
        if (rc)
            return rc;
        d->rounds++;
        d->samples_total += (*nm)->samples;
        if ((*nm)->nclasses < (*nm)->r)
            return TKC_SUCCESS;             /* structure decides: no rounds */
        if ((rc = certify_once(*nm, opt, spec.progress, cert, err)))
            return rc;
        if (cert->verdict != TKC_VERDICT_UNDECIDED || !opt->auto_refine ||
            (*nm)->error_kind != TKC_ERROR_STATISTICAL ||
            !next_round(ro, d->rounds, began, cert, opt, err, &rc))
            return rc;
        tkc_nmatrix_free(*nm);
        *nm = NULL;
    }
}

/* The verdict of the last round, from structure or from its certificate. */
static void conclude(const tkc_template_set *set, const tkc_nmatrix *nm,
                     const tkc_certificate *cert, const rounds *ro,
                     const tkc_nmatrix_options *opt, tkc_nmatrix_decision *d)
{
    if (nm->nclasses < nm->r) {
        structural_evidence(set, nm, d);
    } else {
        from_certificate(nm, cert, opt->confidence, d);
        if (d->verdict == TKC_NMATRIX_UNDECIDED && ro->stop[0])
            snprintf(d->settle + strlen(d->settle),
                     sizeof d->settle - strlen(d->settle), "; %s", ro->stop);
    }
    if (ro->max > 1 && nm->error_kind == TKC_ERROR_STATISTICAL) {
        size_t len = strlen(d->method);
        snprintf(d->method + len, sizeof d->method - len,
                 "; per-round confidence %.6g over up to %u auto-refine rounds",
                 ro->conf, ro->max);
    }
    verdict_words(d);
    d->samples = nm->samples;
    d->stopped_early = ro->stopped_early;
}

static int decide(const tkc_template_set *set, const tkc_kernel_spec *spec,
                  const tkc_nmatrix_options *opt, tkc_nmatrix **nm_out,
                  tkc_nmatrix_decision **out, tkc_error *err)
{
    *nm_out = NULL;
    *out = NULL;
    if (!(opt->confidence > 0 && opt->confidence < 1) || opt->prec < 53)
        return tkc_fail(err, TKC_EINPUT,
                        "confidence must be in (0, 1) and precision >= 53 bits");
    tkc_nmatrix_decision *d = calloc(1, sizeof *d);
    if (!d)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for the verdict");
    /* Each round's box holds the truth with 1 − α/R, so the one reported
     * holds it with 1 − α whichever round stops (union bound). */
    rounds ro = {.spec = *spec, .t0 = now_seconds()};
    ro.budget = tkc_nmatrix_budget(set, opt);
    ro.max = tkc_nmatrix_max_rounds(spec, ro.budget, opt);
    ro.conf = 1 - (1 - opt->confidence) / ro.max;
    tkc_nmatrix *nm = NULL;
    tkc_certificate cert;
    int rc = run_rounds(set, opt, &ro, &nm, &cert, d, err);
    if (!rc) {
        conclude(set, nm, &cert, &ro, opt, d);
        if (!(rc = numbers(nm, opt, spec->progress, d, err)) &&
            !(rc = lemma36(set, &ro.spec, nm, opt->confidence, d, err)) &&
            !(rc = small_beta(nm, &ro.spec, d, err)))
            rc = generic(set, &ro.spec, nm, opt, d, err);
    }
    if (rc) {
        tkc_nmatrix_free(nm);
        tkc_nmatrix_decision_free(d);
        return rc;
    }
    d->seconds = now_seconds() - ro.t0;
    *nm_out = nm;
    *out = d;
    return TKC_SUCCESS;
}

/* The verdict's text holds numbers: written in the C locale (c_locale.h). */
int tkc_nmatrix_decide(const tkc_template_set *set,
                       const tkc_kernel_spec *spec,
                       const tkc_nmatrix_options *opt, tkc_nmatrix **nm_out,
                       tkc_nmatrix_decision **out, tkc_error *err)
{
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    int rc = decide(set, spec, opt, nm_out, out, err);
    tkc_c_locale_leave(&g);
    return rc;
}
