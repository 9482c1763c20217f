/* attn_auto.c — `auto`, the K_attn estimator that takes the fastest route
 * to spec->automatic.target_se, calling the others directly (their type
 * tables, and cvmc's run for the variances it measures):
 * (1) The series (at spec->series.prec bits), when the optimal-truncation
 * estimate of every pair is within the target, and it is cheap (its first
 * tables cost under SERIES_CHEAP_SECONDS by tkc_series_cost) or cheaper
 * than the sampling the pilot predicts (long pair lists of long strings,
 * as in N, are faster to sample).  (2)
 * Otherwise one pilot run of cvmc (which measures the variance of plain
 * Monte Carlo and of the order-2 and order-4 controls) and a pilot of qmc
 * (spec->qmc.replicates replicates) with as many integrand evaluations;
 * each route's sample count for the target follows from its pilot error
 * under n^{-1/2} scaling (a conservative model for QMC), and the cheapest
 * one runs.  spec->automatic.max_evals is the budget of integrand
 * evaluations of that run (at most AUTO_SAMPLES_MAX; the pilots, at most
 * AUTO_PILOT evaluations each, come on top): auto never spends more, and
 * says when the target was not reached within it.
 * The pilots run under a seed of their own (derived from the seed and
 * TKC_RNG_AUTO_PILOT), so the run they choose does not reuse the draws that
 * chose it: its digits are those of the estimator it names, called
 * directly with the same seed (unless the cvmc pilot itself is returned,
 * having reached the target).  out->estimator names the estimator used,
 * out->note why. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "rng.h"
#include "tkc/series.h"
#include "attn_cvmc.h"
#include "registry.h"

#define AUTO_PILOT ((uint64_t)1 << 13)      /* pilot samples              */
#define AUTO_SAMPLES_MAX ((uint64_t)1 << 24)
/* Seconds per tkc_series_cost unit (bench_series: ~1.2e-7 on one core),
 * and the series cost below which auto tries the series before sampling. */
#define SERIES_SECONDS_PER_UNIT 1.2e-7
#define SERIES_CHEAP_SECONDS 0.05
/* Seconds per cvmc sample per pair and position (measured ~2e-9 for
 * 820 pairs of length 11; rounded up). */
#define SAMPLE_SECONDS_PER_PAIR_POSITION 3e-9
/* Auto asks the series for a truncation estimate this far below its
 * target before it stops growing the table. */
#define SERIES_GOAL 1e-3

/* The series for every pair, if each is within target; 1 if used. */
static int try_series(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t np, tkc_kernel_values *out,
                      double *worst)
{
    *worst = 0;
    double target = spec->automatic.target_se;
    tkc_kernel_spec sp = *spec;
    sp.series.order = 0;
    for (size_t i = 0; i < np; i++) {
        int used;
        tkc_error e;
        if (tkc_attn_series_pair(&sp, SERIES_GOAL * target,
                                 tkc_strings_row(S, pairs[i].x),
                                 tkc_strings_row(S, pairs[i].y), S->k,
                                 &out->value[i], &out->se[i], &used, &e) ||
            !(out->se[i] <= target)) {
            *worst = INFINITY;
            return 0;
        }
        *worst = fmax(*worst, out->se[i]);
    }
    if (out->cov) {
        memset(out->cov, 0, np * np * sizeof *out->cov);
        for (size_t i = 0; i < np; i++)
            out->cov[i * np + i] = out->se[i] * out->se[i];
    }
    out->error_kind = TKC_ERROR_TRUNCATION;
    out->samples = 0;
    out->estimator = "series";
    return 1;
}

/* Samples (integrand evaluations) to reach target at this variance per
 * evaluation, uncapped (callers compare costs first, then cap). */
static double samples_needed(double var_per_sample, double target,
                             uint64_t pilot)
{
    double n = var_per_sample / (target * target);
    return n < (double)pilot ? (double)pilot : n;
}

static uint64_t samples_capped(double n, uint64_t budget)
{
    return n < (double)budget ? (uint64_t)ceil(n) : budget;
}

/* The most evaluations auto's chosen run may spend: max_evals (so that
 * callers that refine by raising it keep control), at most
 * AUTO_SAMPLES_MAX. */
static uint64_t auto_budget(const tkc_kernel_spec *spec)
{
    uint64_t b = spec->automatic.max_evals;
    return b < AUTO_SAMPLES_MAX ? b : AUTO_SAMPLES_MAX;
}

/* RQMC to the target: its error falls like n^-a with a between 1/2 and 1
 * (1 for smooth low-dimensional integrands), so from the pilot (pts0, se0)
 * jump to the points that rate predicts, measure the rate between the last
 * two runs, and repeat (at most QMC_ROUNDS runs, points a power of two). */
#define QMC_ROUNDS 4
static int qmc_adaptive(const tkc_kernel_spec *spec, const tkc_strings *S,
                        const tkc_pair *pairs, size_t npairs, uint64_t pts0,
                        double se0, tkc_kernel_values *out, tkc_error *err)
{
    const tkc_attn_estimator_type *qmc = &tkc_attn_qmc_type;
    double target = spec->automatic.target_se;
    tkc_kernel_spec sp = *spec;
    sp.estimator = qmc;
    uint64_t max_pts = auto_budget(spec) / (2 * sp.qmc.replicates);
    if (max_pts < 1)
        max_pts = 1;
    double a = 1.0;          /* optimistic first; measured after */
    uint64_t pts = pts0;
    double se = se0;
    for (int round = 0; round < QMC_ROUNDS; round++) {
        double want = (double)pts * pow(se / target, 1.0 / a);
        uint64_t next = pts;
        while ((double)next < want && next < max_pts)
            next <<= 1;
        if (next == pts)
            next = pts < max_pts ? 2 * pts : pts;
        sp.qmc.points = next;
        int rc = qmc->eval_pairs(&sp, S, pairs, npairs, out, err);
        if (rc)
            return rc;
        double se_new = 0;
        for (size_t i = 0; i < npairs; i++)
            se_new = fmax(se_new, out->se[i]);
        if (se_new <= target || next >= max_pts)
            break;
        if (se_new > 0 && se_new < se)
            a = fmin(1.0, fmax(0.5, log(se / se_new) /
                                         log((double)next / (double)pts)));
        else
            a = 0.5;
        pts = next;
        se = se_new;
    }
    return TKC_SUCCESS;
}

static int auto_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_auto_type, spec,
                                                S, pairs, npairs, out,
                                                &answered, err);
    if (rc || answered)
        return rc;
    double target = spec->automatic.target_se;
    char why[160];
    double worst;
    /* The series' least cost (its first table, for every pair) in seconds:
     * cheap means try it before any sampling; else only when the pilot says
     * sampling would take longer. */
    double series_s = 0;
    for (size_t i = 0; i < npairs; i++) {
        tkc_pattern pat;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, pairs[i].x),
                                      tkc_strings_row(S, pairs[i].y), S->k, NULL);
        series_s += SERIES_SECONDS_PER_UNIT * tkc_series_cost(&pat, 8);
    }
    int series_tried = series_s <= SERIES_CHEAP_SECONDS;
    if (series_tried && try_series(spec, S, pairs, npairs, out, &worst)) {
        snprintf(out->note, sizeof out->note,
                 "auto: series (truncation estimate %.2g <= target %.2g; no "
                 "sampling needed)", worst, target);
        return TKC_SUCCESS;
    }
    /* pilot: cvmc measures plain and both controls' variances */
    tkc_cvmc_variances pilot;
    tkc_kernel_spec sp = *spec;
    sp.seed = tkc_rng_derived_seed(spec->seed, TKC_RNG_AUTO_PILOT, 0);
    uint64_t budget = auto_budget(spec);
    uint64_t P = budget < AUTO_PILOT ? budget : AUTO_PILOT;
    if ((rc = tkc_attn_cvmc_run(&sp, S, pairs, npairs, P, 4, out, &pilot, err)))
        return rc;
    /* a model, not a clock, so that the choice (and the digits) depend on
     * the inputs only */
    double s_per_sample = SAMPLE_SECONDS_PER_PAIR_POSITION * (double)npairs *
                          (double)S->k;
    int q = pilot.var_max[1] < pilot.var_max[2] ? 2 : 4, qi = q / 2;
    double n_cv = samples_needed(pilot.var_max[qi], target, P);
    double n_mc = samples_needed(pilot.var_max[0], target, P);
    const char *series_why = "series not within target";
    if (!series_tried) {
        if (series_s < s_per_sample * fmin(n_cv, n_mc)) {
            tkc_cvmc_variances keep = pilot;
            if (try_series(spec, S, pairs, npairs, out, &worst)) {
                snprintf(out->note, sizeof out->note,
                         "auto: series (truncation estimate %.2g <= target "
                         "%.2g; sampling predicted slower)", worst,
                         target);
                return TKC_SUCCESS;
            }
            /* out holds a failed series attempt: redo the pilot's values */
            if ((rc = tkc_attn_cvmc_run(&sp, S, pairs, npairs, P, 4, out, &pilot,
                               err)))
                return rc;
            pilot = keep;
        } else {
            series_why = "series slower than sampling here";
        }
    }
    /* the pilot itself may already be good enough */
    double pilot_se = 0;
    for (size_t i = 0; i < npairs; i++)
        pilot_se = fmax(pilot_se, out->se[i]);
    if (pilot_se <= target) {
        snprintf(out->note, sizeof out->note,
                 "auto: cvmc (%s; the control-variate pilot of %llu samples "
                 "reached se %.2g <= target %.2g, variance reduced %.3g-fold)",
                 series_why, (unsigned long long)out->samples, pilot_se,
                 target, pilot.reduction_min[2]);
        return TKC_SUCCESS;
    }
    double n_q = INFINITY;
    uint64_t q_pts = 0;
    double q_se = INFINITY;
    {
        unsigned R = spec->qmc.replicates;
        sp.estimator = &tkc_attn_qmc_type;
        uint64_t pts = 1;      /* a power of two, ~P evaluations */
        while (4 * pts * R <= P)
            pts <<= 1;
        sp.qmc.points = q_pts = pts;
        tkc_error e;
        if (!tkc_attn_qmc_type.eval_pairs(&sp, S, pairs, npairs, out, &e)) {
            q_se = 0;
            for (size_t i = 0; i < npairs; i++)
                q_se = fmax(q_se, out->se[i]);
            /* evaluations used: samples × replicates, each an antithetic
             * pair (2 evaluations), like cvmc's pilot */
            double evals = (double)out->samples ? (double)out->samples
                                                : (double)P;
            n_q = samples_needed(q_se * q_se * evals, target, P);
        }
    }
    /* cost ∝ samples (cvmc's controls cost about the integrand's O(k²)
     * again: counted as 2 evaluations) */
    double c_cv = 2.0 * n_cv, c_mc = n_mc, c_q = n_q;
    if (c_cv <= c_mc && c_cv <= c_q) {
        snprintf(why, sizeof why, "the beta^%d control variate cuts the "
                 "variance %.3g-fold", q, pilot.reduction_min[qi]);
        sp = *spec;
        rc = tkc_attn_cvmc_run(&sp, S, pairs, npairs, samples_capped(n_cv, budget), q,
                      out, &pilot, err);
    } else if (c_q < c_mc) {
        snprintf(why, sizeof why, "randomized QMC pilot error %.2g beats "
                 "Monte Carlo", q_se);
        rc = qmc_adaptive(spec, S, pairs, npairs, q_pts, q_se, out, err);
    } else {
        snprintf(why, sizeof why, "control variate gains only %.3g-fold at "
                 "beta = %g", pilot.reduction_min[qi], spec->beta);
        sp = *spec;
        sp.estimator = &tkc_attn_mc_type;
        sp.mc.samples = samples_capped(n_mc, budget);
        rc = tkc_attn_mc_type.eval_pairs(&sp, S, pairs, npairs, out, err);
    }
    if (rc)
        return rc;
    double se_max = 0;
    for (size_t i = 0; i < npairs; i++)
        se_max = fmax(se_max, out->se[i]);
    char note[512];
    snprintf(note, sizeof note, "auto: %s (%s; %s); se %.2g vs target %.2g%s",
             out->estimator, series_why, why, se_max, target,
             se_max > target ? " NOT reached: sample budget" : "");
    note[sizeof out->note - 1] = '\0';     /* fits: the parts are short */
    memcpy(out->note, note, sizeof out->note);
    return TKC_SUCCESS;
}

/* ---- options: target_se, max_evals ----------------------------------------- */

/* Its own options, and those of its candidates that it reads: the QMC
 * replicates and the series' precision. */
static int auto_check_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    double t = spec->automatic.target_se;
    if (!isfinite(t) || t <= 0)
        return tkc_fail(err, TKC_EINPUT, "K_attn auto: target_se must be "
                        "finite and > 0, got %g", t);
    int rc = tkc_attn_check_option("auto", "max_evals",
                                   spec->automatic.max_evals, 4,
                                   TKC_ATTN_SAMPLES_MAX, err);
    if (!rc)
        rc = tkc_attn_check_option("auto (its qmc candidate)", "replicates",
                                   spec->qmc.replicates, 2, 65536, err);
    if (!rc)
        rc = tkc_attn_check_option("auto (its series candidate)", "prec",
                                   (uint64_t)spec->series.prec, 53,
                                   (uint64_t)1 << 20, err);
    return rc;
}

static uint64_t auto_evaluations(const tkc_kernel_spec *spec)
{
    return spec->automatic.max_evals;
}

/* A larger budget and, so that auto spends it, a smaller target. */
static void auto_scale(tkc_kernel_spec *spec, double factor)
{
    tkc_attn_auto_options *a = &spec->automatic;
    a->max_evals = tkc_attn_size_scaled(a->max_evals, factor);
    a->target_se /= sqrt(factor);
}

/* The larger budget and the smaller target. */
static void auto_raise_to(tkc_kernel_spec *spec, const tkc_kernel_spec *floor)
{
    tkc_attn_auto_options *a = &spec->automatic;
    a->max_evals = tkc_attn_size_raised(a->max_evals, floor->automatic.max_evals);
    a->target_se = fmin(a->target_se, floor->automatic.target_se);
}

const tkc_attn_estimator_type tkc_attn_auto_type = {
    "auto", "fastest of series, control-variate MC, MC, QMC for target_se",
    auto_eval_pairs, auto_check_options, auto_evaluations, auto_scale,
    auto_raise_to};
