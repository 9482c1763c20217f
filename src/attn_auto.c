/* attn_auto.c — `auto`, the K_attn estimator that reaches
 * spec->automatic.target_se (every entry) at the least cost, within a
 * budget of spec->automatic.max_evals integrand evaluations for its run,
 * by calling the others directly (their type tables, cvmc's run for the
 * variances it measures, a QMC run that grows).
 *
 * Costs come from a model, not a clock, so that the choice, and so the
 * digits, depend on the inputs only: an evaluation costs
 * SAMPLE_SECONDS_PER_PAIR_POSITION per pair and position (cvmc's control
 * about as much again), cvmc sets up with the β⁴ table of every pair, and
 * a series table costs SERIES_SECONDS_PER_UNIT per tkc_series_cost unit.
 * The budget of its run is max_evals evaluations, and for a list of more
 * than TKC_ATTN_AUTO_ENTRIES_FULL entries max_evals × 1024 integrand values
 * (an evaluation gives one value per entry): long lists, such as the 10⁴
 * entries of a 144-template N, get proportionally fewer evaluations, so
 * that one default serves one pair and N alike (tkc_attn_auto_budget).
 * The run the budget allows sets the scale: auto's
 * trials — the pilots, and a series attempt it drops — cost at most a
 * tenth of it (TRIAL_SHARE): the pilots are planned first (plan_trials),
 * the series gets what they leave.
 *
 * (1) The series (optimal truncation at spec->series.prec bits), pair by
 * pair while its tables stay within their share: used when every pair's
 * truncation estimate is within the target.
 * (2) Two pilots under a seed of their own (derived from the seed and
 * TKC_RNG_AUTO_PILOT), so that the run they choose does not reuse the draws
 * that chose it: cvmc when its set-up leaves room in a quarter of the
 * trials' allowance (it measures on the same draws the variance of plain
 * Monte Carlo and of the β² and β⁴ controls), else mc, of max_evals/40
 * evaluations (AUTO_PILOT at most); and qmc (spec->qmc.replicates
 * replicates) of as many at most, grown from half its points so that
 * it measures the rate at which QMC's error falls.  Each route's
 * evaluations for the target follow from its pilot: Monte Carlo's error
 * falls like n^{-1/2}, QMC's at its measured rate.  A pilot that reached
 * the target is returned.
 * (3) Otherwise the route predicted to reach the target at the least cost;
 * when none is predicted to within the budget, the one predicted to come
 * closest.  QMC grows one run (attn_qmc.h) until the target or the budget,
 * the rate measured between its sizes predicting the next; no point is
 * computed twice.  The run's digits are those of the estimator it names,
 * called directly with the same seed and the size auto chose.
 *
 * out->estimator names the estimator of the values, out->note what auto
 * chose and why, and whether the target was reached: never cut. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "progress.h"
#include "attn_cvmc.h"
#include "attn_qmc.h"
#include "registry.h"
#include "rng.h"
#include "tkc/series.h"

#define AUTO_PILOT ((uint64_t)1 << 13)      /* largest pilot, evaluations  */
/* The model: seconds per tkc_series_cost unit (bench_series: ~1e-7 on one
 * core, rounded up), and per evaluation, pair and position (measured
 * ~0.8e-9 for mc, ~2e-9 for cvmc with its control, on 10⁴ pairs of length
 * 11; rounded up). */
#define SERIES_SECONDS_PER_UNIT 1.2e-7
#define SAMPLE_SECONDS_PER_PAIR_POSITION 3e-9
/* The trials' share of the run the budget allows. */
#define TRIAL_SHARE 0.1
/* Auto asks the series for a truncation estimate this far below its
 * target before it stops growing the table (within the series' share). */
#define SERIES_GOAL 1e-3

/* What auto knows while it decides: the target, the budget, the model
 * seconds of an evaluation, and what the trials may still cost. */
typedef struct auto_plan {
    double target;
    uint64_t budget;        /* evaluations of the run                       */
    double eval_s;          /* model seconds per evaluation (mc, qmc)      */
    double cv_setup;        /* model seconds of cvmc's β⁴ tables           */
    uint64_t pilot_mc;      /* evaluations of the mc pilot, or 0           */
    uint64_t pilot_cv;      /* evaluations of the cvmc pilot, or 0         */
    uint64_t pilot_qmc;     /* points per replicate of the qmc pilot, or 0 */
    double series_share;    /* model seconds the series attempt may cost   */
    tkc_attn_auto_report rep;
} auto_plan;

/* The trials, planned before any runs: pilots of P = max_evals/40
 * evaluations (at most AUTO_PILOT), the variance pilot by cvmc when its
 * set-up and draws (two evaluations' cost each, with the control) fit in a
 * quarter of the trials' allowance, else by mc; the qmc pilot with the
 * largest power of two of points per replicate within P evaluations (none
 * when one point per replicate is over); and the series gets what the
 * pilots leave of the allowance. */
static void plan_trials(auto_plan *plan, unsigned replicates)
{
    double allowance = TRIAL_SHARE * plan->rep.run_allowed;
    uint64_t P = plan->budget / 40 < AUTO_PILOT ? plan->budget / 40 : AUTO_PILOT;
    P = P < 4 ? 4 : P - P % 2;
    double quarter = allowance / 4, c = plan->eval_s, pilots = 0;
    uint64_t P_cv = plan->cv_setup < quarter
                        ? (uint64_t)((quarter - plan->cv_setup) / (2 * c))
                        : 0;
    P_cv = P_cv < P ? P_cv - P_cv % 2 : P;
    if (P_cv >= 64) {
        plan->pilot_cv = P_cv;
        pilots += plan->cv_setup + 2 * (double)P_cv * c;
    } else {
        plan->pilot_mc = P;
        pilots += (double)P * c;
    }
    if (2 * (uint64_t)replicates <= P) {
        plan->pilot_qmc = 1;
        while (4 * plan->pilot_qmc * replicates <= P)
            plan->pilot_qmc <<= 1;
        pilots += 2 * (double)(plan->pilot_qmc * replicates) * c;
    }
    plan->series_share = fmax(0.0, allowance - pilots);
}

uint64_t tkc_attn_auto_budget(const tkc_kernel_spec *spec, size_t entries)
{
    uint64_t b = spec->automatic.max_evals;
    if (entries > TKC_ATTN_AUTO_ENTRIES_FULL)
        b = (uint64_t)((double)b * TKC_ATTN_AUTO_ENTRIES_FULL /
                       (double)entries);
    return b < 4 ? 4 : b;
}

/* The worst entry's standard error (or truncation estimate). */
static double se_max(const tkc_kernel_values *v)
{
    double m = 0;
    for (size_t i = 0; i < v->npairs; i++)
        m = fmax(m, v->se[i]);
    return m;
}

/* Model seconds of the tables of order `order` of every pair. */
static double tables_seconds(const tkc_strings *S, const tkc_pair *pairs,
                             size_t np, int order)
{
    double units = 0;
    for (size_t i = 0; i < np; i++) {
        tkc_pattern pat;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, pairs[i].x),
                                      tkc_strings_row(S, pairs[i].y), S->k,
                                      NULL);
        units += tkc_series_cost(&pat, order);
    }
    return units * SERIES_SECONDS_PER_UNIT;
}

/* ---- (1) the series ---------------------------------------------------- */

/* The series for every pair, if each is within target and the tables stay
 * within the series' share: 1 when used (out filled), 0 when not, with the
 * reason in why. */
static int try_series(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t np, auto_plan *plan,
                      tkc_kernel_values *out, char *why, size_t size)
{
    double share = plan->series_share;
    double first = tables_seconds(S, pairs, np, TKC_ATTN_SERIES_FIRST_ORDER);
    if (first > share) {
        snprintf(why, size, "series not tried: its first tables cost %.2g s "
                 "by the model, over what the pilots leave of a tenth of the "
                 "run the budget allows (%.2g s)", first, share);
        return 0;
    }
    tkc_kernel_spec sp = *spec;
    sp.series.order = 0;
    double units = share / SERIES_SECONDS_PER_UNIT, units0 = units;
    plan->rep.series = TKC_ATTN_AUTO_SERIES_DROPPED;
    for (size_t i = 0; i < np; i++) {
        int used;
        tkc_error e;
        double before = units;
        int rc = tkc_attn_series_pair(&sp, SERIES_GOAL * plan->target, &units,
                                      tkc_strings_row(S, pairs[i].x),
                                      tkc_strings_row(S, pairs[i].y), S->k,
                                      &out->value[i], &out->se[i], &used, &e);
        plan->rep.trials = (units0 - units) * SERIES_SECONDS_PER_UNIT;
        if (rc || !(out->se[i] <= plan->target)) {
            snprintf(why, size, "series dropped at entry %zu: %s", i,
                     rc && units == before ? "its table over what is left "
                                             "of its share of the trials"
                     : rc ? "not useful there (beta too large)"
                          : "truncation estimate over the target");
            return 0;
        }
    }
    plan->rep.series = TKC_ATTN_AUTO_SERIES_USED;
    plan->rep.trials = 0;       /* not a trial: the run */
    if (out->cov) {
        memset(out->cov, 0, np * np * sizeof *out->cov);
        for (size_t i = 0; i < np; i++)
            out->cov[i * np + i] = out->se[i] * out->se[i];
    }
    out->error_kind = TKC_ERROR_TRUNCATION;
    out->samples = 0;
    out->estimator = tkc_attn_series_type.name;
    snprintf(why, size, "series: truncation estimate %.2g <= target %.2g, no "
             "sampling needed", se_max(out), plan->target);
    return 1;
}

/* ---- (2) the pilots ------------------------------------------------------ */

/* Per-evaluation variances (worst entry) of the routes, from the pilots:
 * [0] plain Monte Carlo, [1] and [2] cvmc with the β² and β⁴ control
 * (INFINITY when not measured); QMC's error at its pilot's evaluations and
 * the rate at which it fell there (error ∝ n^-rate, rate in [1/2, 1]). */
typedef struct pilots {
    double var[3];
    double reduction[3];
    double qmc_evals;               /* 0 when no QMC pilot                 */
    uint64_t qmc_points;
    double qmc_se, qmc_rate;
    const char *variance_by;        /* "cvmc" or "mc"                      */
} pilots;

/* The variance pilot (as planned: cvmc or mc).  out receives its values;
 * *reached when every entry is within target (and, for cvmc, its control
 * both helps and keeps every entry in range). */
static int variance_pilot(const tkc_kernel_spec *pilot_spec,
                          const tkc_strings *S, const tkc_pair *pairs,
                          size_t np, auto_plan *plan, pilots *pl,
                          tkc_kernel_values *out, int *reached,
                          tkc_error *err)
{
    int rc;
    if (plan->pilot_cv) {
        tkc_cvmc_variances v;
        if ((rc = tkc_attn_cvmc_run(pilot_spec, S, pairs, np, plan->pilot_cv,
                                    4, out, &v, err)))
            return rc;
        plan->rep.trials += plan->cv_setup +
                            2 * (double)out->samples * plan->eval_s;
        pl->variance_by = "cvmc";
        for (int m = 0; m < 3; m++) {
            pl->var[m] = v.var_max[m];
            pl->reduction[m] = v.reduction_min[m];
        }
        *reached = v.bad_entry == np && v.reduction_min[2] > 1 &&
                   se_max(out) <= plan->target;
        return TKC_SUCCESS;
    }
    tkc_kernel_spec sp = *pilot_spec;
    sp.estimator = &tkc_attn_mc_type;
    sp.mc.samples = plan->pilot_mc;
    if ((rc = tkc_attn_mc_type.eval_pairs(&sp, S, pairs, np, out, err)))
        return rc;
    plan->rep.trials += (double)out->samples * plan->eval_s;
    pl->variance_by = "mc";
    double se = se_max(out);
    pl->var[0] = se * se * (double)out->samples;
    pl->var[1] = pl->var[2] = INFINITY;
    pl->reduction[0] = 1;
    pl->reduction[1] = pl->reduction[2] = 0;
    *reached = se <= plan->target;
    return TKC_SUCCESS;
}

/* The rate of a QMC error that fell from se0 to se1 as the points went
 * from n0 to n1: between 1/2 (Monte Carlo's) and 1 (smooth integrands). */
static double qmc_rate(double n0, double se0, double n1, double se1)
{
    if (!(se1 > 0 && se1 < se0 && n1 > n0))
        return 0.5;
    return fmin(1.0, fmax(0.5, log(se0 / se1) / log(n1 / n0)));
}

/* The qmc pilot, when planned: one run grown from half its points to all
 * of them (attn_qmc.h: no point twice), so that it measures the rate at
 * which QMC's error falls as well as the error. */
static int qmc_pilot(const tkc_kernel_spec *pilot_spec, const tkc_strings *S,
                     const tkc_pair *pairs, size_t np, auto_plan *plan,
                     pilots *pl, tkc_kernel_values *out, int *reached,
                     tkc_error *err)
{
    *reached = 0;
    if (!plan->pilot_qmc)
        return TKC_SUCCESS;
    tkc_attn_qmc_run *run = tkc_attn_qmc_run_alloc(pilot_spec, S, pairs, np,
                                                   err);
    if (!run)
        return err ? err->status : TKC_ENOMEM;
    uint64_t pts = plan->pilot_qmc;
    double se_half = 0;
    int rc = TKC_SUCCESS;
    if (pts >= 2 && !(rc = tkc_attn_qmc_run_to(run, pts / 2, 1, out, err)))
        se_half = se_max(out);
    if (!rc)
        rc = tkc_attn_qmc_run_to(run, pts, pilot_spec->threads, out, err);
    tkc_attn_qmc_run_free(run);
    if (rc)
        return rc;
    plan->rep.trials += (double)out->samples * plan->eval_s;
    pl->qmc_points = pts;
    pl->qmc_se = se_max(out);
    pl->qmc_evals = (double)out->samples;
    pl->qmc_rate = pts >= 2 ? qmc_rate((double)pts / 2, se_half, (double)pts,
                                       pl->qmc_se)
                            : 0.5;
    *reached = pl->qmc_se <= plan->target;
    return TKC_SUCCESS;
}

/* ---- (3) the run --------------------------------------------------------- */

typedef enum { ROUTE_MC, ROUTE_CV2, ROUTE_CV4, ROUTE_QMC, NROUTES } route;

/* Evaluations each route needs for the target (INFINITY: not measured, or
 * a control that does not help), its model cost at that size or the
 * budget, and the error predicted at the budget: Monte Carlo's falls like
 * n^{-1/2}, QMC's at the rate its pilot measured. */
static void predict(const auto_plan *plan, const pilots *pl,
                    double n[NROUTES], double cost[NROUTES],
                    double se_at_budget[NROUTES], double cv_setup)
{
    double t = plan->target, B = (double)plan->budget;
    n[ROUTE_MC] = pl->var[0] / (t * t);
    n[ROUTE_CV2] = pl->reduction[1] > 1 ? pl->var[1] / (t * t) : INFINITY;
    n[ROUTE_CV4] = pl->reduction[2] > 1 ? pl->var[2] / (t * t) : INFINITY;
    n[ROUTE_QMC] = pl->qmc_evals > 0
                       ? pl->qmc_evals * pow(fmax(pl->qmc_se / t, 1.0),
                                             1 / pl->qmc_rate)
                       : INFINITY;
    for (int r = 0; r < NROUTES; r++) {
        int cv = r == ROUTE_CV2 || r == ROUTE_CV4;
        cost[r] = fmin(n[r], B) * plan->eval_s * (cv ? 2 : 1) +
                  (cv ? cv_setup : 0);
        se_at_budget[r] = t * pow(n[r] / B, r == ROUTE_QMC ? pl->qmc_rate
                                                           : 0.5);
    }
}

/* The cheapest route predicted to reach the target within the budget;
 * when none is, the one predicted to come closest (the smallest error at
 * the budget). */
static route choose(const auto_plan *plan, const double n[NROUTES],
                    const double cost[NROUTES],
                    const double se_at_budget[NROUTES],
                    int *predicted_to_reach)
{
    route best = ROUTE_MC;
    *predicted_to_reach = 0;
    for (int r = 0; r < NROUTES; r++)
        if (n[r] <= (double)plan->budget &&
            (!*predicted_to_reach || cost[r] < cost[best])) {
            best = (route)r;
            *predicted_to_reach = 1;
        }
    if (*predicted_to_reach)
        return best;
    for (int r = 0; r < NROUTES; r++)
        if (se_at_budget[r] < se_at_budget[best])
            best = (route)r;
    return best;
}

/* Evaluations for the run: what the target needs, within the budget, even
 * and at least 4 (mc's and cvmc's least). */
static uint64_t run_size(double n, uint64_t budget)
{
    uint64_t m = n < (double)budget ? (uint64_t)ceil(n) : budget;
    m += m % 2;
    return m < 4 ? 4 : m;
}

/* QMC to the target: one run grown, in powers of two, to the points the
 * rate measured last predicts (the pilot's first, then between the run's
 * last two sizes), until the target or the budget. */
static int qmc_grown(const tkc_kernel_spec *spec, const tkc_strings *S,
                     const tkc_pair *pairs, size_t np, const auto_plan *plan,
                     const pilots *pl, tkc_kernel_values *out, tkc_error *err)
{
    uint64_t R = spec->qmc.replicates;
    uint64_t max_pts = plan->budget / (2 * R);
    if (max_pts < 1)
        max_pts = 1;
    tkc_attn_qmc_run *run = tkc_attn_qmc_run_alloc(spec, S, pairs, np, err);
    if (!run)
        return err ? err->status : TKC_ENOMEM;
    double a = pl->qmc_rate, pts = (double)pl->qmc_points, se = pl->qmc_se;
    int rc = TKC_SUCCESS;
    for (;;) {
        double want = pts * pow(se / plan->target, 1.0 / a);
        uint64_t next = tkc_attn_qmc_run_points(run);
        next = next ? 2 * next : 1;
        while ((double)next < want && next < max_pts)
            next <<= 1;
        next = next < max_pts ? next : max_pts;
        if ((rc = tkc_attn_qmc_run_to(run, next, spec->threads, out, err)))
            break;
        double se_new = se_max(out);
        if (se_new <= plan->target || next >= max_pts)
            break;
        a = qmc_rate(pts, se, (double)next, se_new);
        pts = (double)next;
        se = se_new;
    }
    tkc_attn_qmc_run_free(run);
    return rc;
}

static int run_route(const tkc_kernel_spec *spec, const tkc_strings *S,
                     const tkc_pair *pairs, size_t np, const auto_plan *plan,
                     const pilots *pl, route r, const double n[NROUTES],
                     tkc_kernel_values *out, tkc_error *err)
{
    tkc_kernel_spec sp = *spec;
    switch (r) {
    case ROUTE_QMC:
        return qmc_grown(spec, S, pairs, np, plan, pl, out, err);
    case ROUTE_CV2:
    case ROUTE_CV4:
        sp.estimator = &tkc_attn_cvmc_type;
        sp.cvmc.samples = run_size(n[r], plan->budget);
        sp.cvmc.order = r == ROUTE_CV2 ? 2 : 4;
        return tkc_attn_cvmc_type.eval_pairs(&sp, S, pairs, np, out, err);
    default:
        sp.estimator = &tkc_attn_mc_type;
        sp.mc.samples = run_size(n[r], plan->budget);
        return tkc_attn_mc_type.eval_pairs(&sp, S, pairs, np, out, err);
    }
}

/* Why route r, in a few words. */
static void route_words(route r, const pilots *pl, const double n[NROUTES],
                        int predicted_to_reach, char *buf, size_t size)
{
    static const char *const names[NROUTES] = {
        "plain Monte Carlo", "the beta^2 control variate",
        "the beta^4 control variate", "randomized QMC"};
    const char *how = predicted_to_reach ? "the cheapest route predicted to "
                                           "reach the target"
                                         : "no route predicted to reach the "
                                           "target within the budget; the "
                                           "closest";
    if (r == ROUTE_CV2 || r == ROUTE_CV4)
        snprintf(buf, size, "%s: %s (its pilot cut the variance %.3g-fold, "
                 "%.3g evaluations for the target)", how, names[r],
                 pl->reduction[r == ROUTE_CV2 ? 1 : 2], n[r]);
    else
        snprintf(buf, size, "%s: %s (%.3g evaluations for the target by its "
                 "pilot; %s)", how, names[r], n[r],
                 r == ROUTE_QMC ? pl->qmc_rate > 0.75
                                      ? "its error falls nearly like 1/n here"
                                      : "its error falls faster than Monte "
                                        "Carlo's here"
                 : pl->reduction[2] > 1 || pl->reduction[1] > 1
                     ? "the control variates cost more"
                     : pl->var[1] < INFINITY ? "the control variates do not "
                                               "cut the variance here"
                                             : "cvmc's set-up over its share");
}

int tkc_attn_auto_eval(const tkc_kernel_spec *spec, const tkc_strings *S,
                       const tkc_pair *pairs, size_t np,
                       tkc_kernel_values *out, tkc_attn_auto_report *rep,
                       tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_auto_type, spec,
                                                S, pairs, np, out, &answered,
                                                err);
    auto_plan plan = {.target = spec->automatic.target_se,
                      .budget = tkc_attn_auto_budget(spec, np)};
    if (rep)
        memset(rep, 0, sizeof *rep);
    if (rc || answered)
        return rc;
    plan.eval_s = SAMPLE_SECONDS_PER_PAIR_POSITION * (double)np * (double)S->k;
    plan.rep.run_allowed = (double)plan.budget * plan.eval_s;
    plan.cv_setup = tables_seconds(S, pairs, np, 4);
    plan_trials(&plan, spec->qmc.replicates);
    char series_why[200], why[400], note[TKC_ATTN_NOTE_MAX];
    tkc_progress_stage(spec->progress, 0, 0, "auto: the series first, %zu "
                       "pattern%s", np, np == 1 ? "" : "s");
    if (try_series(spec, S, pairs, np, &plan, out, series_why,
                   sizeof series_why)) {
        snprintf(out->note, sizeof out->note, "auto: %s", series_why);
        if (rep)
            *rep = plan.rep;
        return TKC_SUCCESS;
    }
    tkc_kernel_spec ps = *spec;
    ps.seed = tkc_rng_derived_seed(spec->seed, TKC_RNG_AUTO_PILOT, 0);
    tkc_progress_nest pilot_stage, run_stage;
    ps.progress = tkc_progress_nest_in(&pilot_stage, spec->progress,
                                       "auto: pilots");
    pilots pl = {.qmc_rate = 0.5};
    int reached;
    if ((rc = variance_pilot(&ps, S, pairs, np, &plan, &pl, out, &reached,
                             err)))
        return rc;
    if (!reached &&
        (rc = qmc_pilot(&ps, S, pairs, np, &plan, &pl, out, &reached, err)))
        return rc;
    if (reached) {
        snprintf(note, sizeof note, "auto: %s; its %s pilot of %llu "
                 "evaluations (seed derived from the seed) reached se %.2g "
                 "<= target %.2g", series_why, out->estimator,
                 (unsigned long long)out->samples, se_max(out), plan.target);
    } else {
        double n[NROUTES], cost[NROUTES], se_b[NROUTES];
        int to_reach;
        predict(&plan, &pl, n, cost, se_b, plan.cv_setup);
        route r = choose(&plan, n, cost, se_b, &to_reach);
        route_words(r, &pl, n, to_reach, why, sizeof why);
        tkc_kernel_spec rs = *spec;
        rs.progress = tkc_progress_nest_in(&run_stage, spec->progress,
                                           "auto: run");
        if ((rc = run_route(&rs, S, pairs, np, &plan, &pl, r, n, out, err)))
            return rc;
        double se = se_max(out);
        char budget[160] = "";
        if (se > plan.target)
            snprintf(budget, sizeof budget, ": NOT reached within the budget "
                     "of its run, %llu evaluations (--max-evals%s)",
                     (unsigned long long)plan.budget,
                     np > TKC_ATTN_AUTO_ENTRIES_FULL
                         ? ", times 1024 / entries for a list this long"
                         : "");
        snprintf(note, sizeof note, "auto: %s; %s pilot; %s; se %.2g vs "
                 "target %.2g%s", series_why, pl.variance_by, why, se,
                 plan.target, se > plan.target ? budget : ": reached");
    }
    /* the note ends with its estimator's own when there is room */
    char own[TKC_KERNEL_NOTE_MAX];
    memcpy(own, out->note, sizeof own);
    snprintf(out->note, sizeof out->note, "%s", note);
    size_t len = strlen(out->note);
    if (len + 4 + strlen(out->estimator) + strlen(own) < TKC_ATTN_NOTE_MAX)
        snprintf(out->note + len, sizeof out->note - len, "; %s: %.*s",
                 out->estimator, TKC_ATTN_NOTE_MAX, own);
    if (rep)
        *rep = plan.rep;
    return TKC_SUCCESS;
}

static int auto_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    return tkc_attn_auto_eval(spec, S, pairs, npairs, out, NULL, err);
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
    "auto", "cheapest of series, control-variate MC, MC, QMC for target_se",
    auto_eval_pairs, auto_check_options, auto_evaluations, auto_scale,
    auto_raise_to};
