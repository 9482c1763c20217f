/* test_estimators.c — what the K_attn estimators promise together, beyond
 * each one's own tests: every estimate is a value K_attn can take (the
 * range of the integrand, from the bilinear form on two probability
 * vectors, checked against brute force over draws); cvmc keeps its control
 * only where the control helps, and otherwise returns mc's own digits; a
 * grown QMC run gives the digits of a run of its final size; auto reaches
 * the target where a sampler can, says so whole when it cannot, and keeps
 * its trials within a tenth of the run its budget allows; the transformer
 * kernel obeys Cauchy–Schwarz; the series' error estimate is never below
 * the first omitted term that does not vanish, and orders are even. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "attn_spec.h"
#include "attn.h"
#include "attn_qmc.h"
#include "rng.h"
#include "tkc/kernel.h"
#include "tkc/series.h"

static tkc_strings *strings_of(size_t n, const char *const *rows)
{
    size_t k = strlen(rows[0]);
    tkc_strings *S = tkc_strings_alloc(n, k, NULL);
    for (size_t r = 0; r < n; r++)
        for (size_t a = 0; a < k; a++)
            tkc_strings_row(S, r)[a] = (unsigned char)rows[r][a];
    return S;
}

/* One pair through an estimator's own table. */
static int eval_pair(const tkc_kernel_spec *spec, const char *x,
                     const char *y, tkc_kernel_values *v, tkc_error *err)
{
    const char *rows[2] = {x, y};
    tkc_strings *S = strings_of(2, rows);
    tkc_pair p = {0, 1};
    int rc = spec->estimator->eval_pairs(spec, S, &p, 1, v, err);
    tkc_strings_free(S);
    return rc;
}

/* ---- the range K_attn takes ---------------------------------------------- */

/* The bounds against the integrand itself: over many draws at large β
 * (softmax near one-hot, so the extremes are approached) every value lies
 * in [lo, hi] and both ends are nearly reached when they are entries of
 * M that a one-hot pair of weights picks. */
static void test_bounds(void)
{
    struct { const char *x, *y; double gamma, lo, hi; } c[] = {
        {"aa", "aa", 0.5, 1.0, 1.25},       /* every token shared        */
        {"ab", "cd", 0.0, 0.0, 0.0},        /* nothing shared, γ = 0     */
        {"ab", "cd", 2.0, 0.0, 4.0},
        {"aCbd", "bCad", 1.0, 0.0, 2.0},    /* C shared at one position  */
        {"abc", "bca", 0.7, 0.0, 1.0},      /* shared, never at a = b    */
    };
    for (size_t n = 0; n < sizeof c / sizeof *c; n++) {
        const char *rows[2] = {c[n].x, c[n].y};
        tkc_strings *S = strings_of(2, rows);
        size_t k = S->k;
        double lo, hi;
        tkc_attn_bounds(tkc_strings_row(S, 0), tkc_strings_row(S, 1), k,
                        c[n].gamma, &lo, &hi);
        CHECK(fabs(lo - c[n].lo) < 1e-15 && fabs(hi - c[n].hi) < 1e-15,
              "bounds of %s/%s at gamma %g: [%g, %g]", c[n].x, c[n].y,
              c[n].gamma, lo, hi);
        tkc_pair p = {0, 1};
        tkc_attn_layout *L = tkc_attn_layout_alloc(S, &p, 1, 30.0, c[n].gamma,
                                                   NULL);
        tkc_attn_work *W = tkc_attn_work_alloc(L, NULL);
        size_t dim = tkc_attn_layout_dim(L);
        double z[64], f, fmin_ = INFINITY, fmax_ = -INFINITY;
        tkc_ziggurat zig;
        tkc_ziggurat_init(&zig);
        tkc_rng rng;
        tkc_rng_stream(&rng, 7, TKC_RNG_MC, n);
        for (int d = 0; d < 20000; d++) {
            for (size_t t = 0; t < dim; t++)
                z[t] = tkc_rng_normal(&zig, &rng);
            tkc_attn_integrand(L, W, z, &f);
            fmin_ = fmin(fmin_, f);
            fmax_ = fmax(fmax_, f);
        }
        double slack = 1e-12 * (1 + hi);
        CHECK(fmin_ >= lo - slack && fmax_ <= hi + slack,
              "integrand of %s/%s in [%g, %g]: seen [%.17g, %.17g]", c[n].x,
              c[n].y, lo, hi, fmin_, fmax_);
        /* for x != y the two softmaxes move apart, and near one-hot
         * weights reach both ends (x = y gives one softmax twice: not) */
        CHECK(!strcmp(c[n].x, c[n].y) ||
                  (fmin_ <= lo + 0.05 * (hi - lo) + 1e-12 &&
                   fmax_ >= hi - 0.05 * (hi - lo) - 1e-12),
              "bounds of %s/%s attained near one-hot softmax: seen [%g, %g] "
              "of [%g, %g]", c[n].x, c[n].y, fmin_, fmax_, lo, hi);
        tkc_attn_work_free(W);
        tkc_attn_layout_free(L);
        tkc_strings_free(S);
    }
    /* a constant integrand (x = y = "aa", γ = 0: K = 1 for every β) gives
     * exactly the bound, not a rounding past it */
    tkc_kernel_spec spec;
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    const tkc_attn_estimator_type *e[] = {tkc_attn_mc, tkc_attn_qmc,
                                          tkc_attn_cvmc};
    for (int i = 0; i < 3; i++) {
        spec_attn(&spec, e[i], 1.7, 0.0);
        spec.mc.samples = spec.cvmc.samples = 4096;
        spec.qmc.points = 128;
        tkc_error err;
        CHECK(eval_pair(&spec, "aa", "aa", v, &err) == 0 &&
                  v->value[0] == 1.0,
              "%s on a constant integrand: %.17g", e[i]->name, v->value[0]);
    }
    tkc_kernel_values_free(v);
}

/* ---- cvmc only where its control helps ----------------------------------- */

static void test_cvmc_fallback(void)
{
    tkc_kernel_values *vc = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_kernel_values *vm = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_kernel_spec sc, sm;
    tkc_error err;
    /* β = γ = 1000: the β⁴ control swamps the integrand (it gave -3e27);
     * the answer is mc's, inside [0, 1 + γ²] */
    spec_attn(&sc, tkc_attn_cvmc, 1000, 1000);
    sc.cvmc.samples = 2000;
    sm = sc;
    sm.estimator = tkc_attn_mc;
    sm.mc.samples = 2000;
    CHECK(eval_pair(&sc, "aCbd", "bCad", vc, &err) == 0, "cvmc at 1000: %s",
          err.message);
    CHECK(eval_pair(&sm, "aCbd", "bCad", vm, &err) == 0, "mc at 1000");
    CHECK(vc->value[0] >= 0 && vc->value[0] <= 1 + 1e6 &&
              vc->value[0] == vm->value[0] && vc->se[0] == vm->se[0] &&
              !strcmp(vc->estimator, "mc") &&
              strstr(vc->note, "cvmc fell back to mc") &&
              strstr(vc->note, "outside"),
          "cvmc at beta = gamma = 1000: %s %.17g (mc %.17g); %s",
          vc->estimator, vc->value[0], vm->value[0], vc->note);
    /* β = γ = 1: the control costs variance (0.1-fold): mc, same digits */
    spec_attn(&sc, tkc_attn_cvmc, 1, 1);
    sm = sc;
    sm.estimator = tkc_attn_mc;
    sm.mc.samples = sc.cvmc.samples;
    CHECK(eval_pair(&sc, "aCbd", "bCad", vc, &err) == 0 &&
              eval_pair(&sm, "aCbd", "bCad", vm, &err) == 0,
          "cvmc, mc at 1");
    CHECK(!strcmp(vc->estimator, "mc") && vc->value[0] == vm->value[0] &&
              strstr(vc->note, "changed the variance"),
          "cvmc at beta 1 falls back to mc: %s", vc->note);
    /* β = 0.3: the control cuts the variance; kept */
    sc.beta = 0.3;
    CHECK(eval_pair(&sc, "aCbd", "bCad", vc, &err) == 0 &&
              !strcmp(vc->estimator, "cvmc") && strstr(vc->note, "reduced"),
          "cvmc at beta 0.3 keeps its control: %s", vc->note);
    tkc_kernel_values_free(vc);
    tkc_kernel_values_free(vm);
}

/* ---- a QMC run grows to the digits of one run of its final size ----------- */

static void test_qmc_growth(void)
{
    const char *rows[3] = {"aCbd", "bCad", "abCC"};
    tkc_strings *S = strings_of(3, rows);
    tkc_pair p[3] = {{0, 1}, {0, 2}, {1, 1}};
    tkc_kernel_spec spec;
    spec_attn(&spec, tkc_attn_qmc, 1.2, 0.8);
    spec.qmc.replicates = 5;
    spec.qmc.points = 96;
    tkc_kernel_values *once = tkc_kernel_values_alloc(3, 1, NULL);
    tkc_kernel_values *grown = tkc_kernel_values_alloc(3, 1, NULL);
    tkc_error err;
    CHECK(tkc_attn_qmc->eval_pairs(&spec, S, p, 3, once, &err) == 0, "qmc");
    tkc_attn_qmc_run *run = tkc_attn_qmc_run_alloc(&spec, S, p, 3, &err);
    CHECK(run && tkc_attn_qmc_run_to(run, 7, 1, grown, &err) == 0 &&
              tkc_attn_qmc_run_to(run, 40, 2, grown, &err) == 0 &&
              tkc_attn_qmc_run_to(run, 96, 3, grown, &err) == 0,
          "grown qmc run: %s", err.message);
    int same = grown->samples == once->samples;
    for (size_t i = 0; i < 3; i++)
        same &= grown->value[i] == once->value[i] && grown->se[i] == once->se[i];
    for (size_t i = 0; i < 9; i++)
        same &= grown->cov[i] == once->cov[i];
    CHECK(same, "7 -> 40 -> 96 points: the digits of 96 at once (%.17g vs "
          "%.17g)", grown->value[0], once->value[0]);
    CHECK(tkc_attn_qmc_run_to(run, 95, 1, grown, &err) == TKC_EINPUT,
          "a run does not shrink");
    tkc_attn_qmc_run_free(run);
    tkc_kernel_values_free(once);
    tkc_kernel_values_free(grown);
    tkc_strings_free(S);
}

/* ---- auto ----------------------------------------------------------------- */

static void test_auto(void)
{
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_kernel_spec spec;
    tkc_error err;
    /* the default target where a sampler reaches it within the default
     * budget (with 2^16 evaluations auto stopped at 2.3e-4) */
    spec_attn(&spec, tkc_attn_auto, 1, 1);
    CHECK(eval_pair(&spec, "aC", "bC", v, &err) == 0 && v->se[0] <= 1e-4 &&
              strstr(v->note, ": reached"),
          "auto reaches 1e-4 on aC/bC: se %g (%s)", v->se[0], v->note);
    /* when no route can, it says so, whole */
    spec.automatic.max_evals = 2000;
    CHECK(eval_pair(&spec, "aCbd", "bCad", v, &err) == 0 && v->se[0] > 1e-4,
          "a small budget");
    const char *tail = "within the budget of its run, 2000 evaluations "
                       "(--max-evals)";
    CHECK(strstr(v->note, "NOT reached") && strstr(v->note, tail),
          "the note says why, whole: %s", v->note);
    tkc_kernel_values_free(v);

    /* trials: a tenth of the run its budget allows at most, by its model;
     * on a list of long pairs the series is not even tried (its tables
     * would cost far more) */
    const char *rows[4] = {"abcdefghijk", "bcdeafghAjB", "kjihgfedcba",
                           "AbcdefghijB"};
    tkc_strings *S = strings_of(4, rows);
    tkc_pair p[5] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 0}};
    tkc_kernel_values *w = tkc_kernel_values_alloc(5, 0, NULL);
    tkc_attn_auto_report rep;
    spec_attn(&spec, tkc_attn_auto, 1, 1);
    spec.automatic.max_evals = 1 << 14;
    CHECK(tkc_attn_auto_eval(&spec, S, p, 5, w, &rep, &err) == 0, "auto: %s",
          err.message);
    CHECK(rep.run_allowed > 0 && rep.trials > 0 &&
              rep.trials <= rep.run_allowed / 10 &&
              rep.series == TKC_ATTN_AUTO_SERIES_NOT_TRIED &&
              strstr(w->note, "series not tried"),
          "trials %g of a run of %g (model s), series %d: %s", rep.trials,
          rep.run_allowed, rep.series, w->note);
    /* at small β on a short pair the series is cheap: tried and used */
    const char *rows2[2] = {"aab", "bca"};
    tkc_strings *S2 = strings_of(2, rows2);
    tkc_kernel_values *w1 = tkc_kernel_values_alloc(1, 0, NULL);
    spec_attn(&spec, tkc_attn_auto, 0.25, 0.5);
    CHECK(tkc_attn_auto_eval(&spec, S2, p, 1, w1, &rep, &err) == 0 &&
              rep.series == TKC_ATTN_AUTO_SERIES_USED &&
              !strcmp(w1->estimator, "series"),
          "auto at beta 0.25 uses the series: %s", w1->note);
    /* where the series is tried and dropped, its attempt is a trial */
    spec.beta = 1;
    CHECK(tkc_attn_auto_eval(&spec, S2, p, 1, w1, &rep, &err) == 0 &&
              rep.series == TKC_ATTN_AUTO_SERIES_DROPPED && rep.trials > 0 &&
              rep.trials <= rep.run_allowed / 10,
          "series dropped: trials %g of %g: %s", rep.trials, rep.run_allowed,
          w1->note);
    tkc_kernel_values_free(w1);
    /* long lists: max_evals × 1024 integrand values */
    spec.automatic.max_evals = 1 << 20;
    CHECK(tkc_attn_auto_budget(&spec, 1) == 1 << 20 &&
              tkc_attn_auto_budget(&spec, 1024) == 1 << 20 &&
              tkc_attn_auto_budget(&spec, 4096) == 1 << 18,
          "auto's budget for long lists");
    tkc_kernel_values_free(w);
    tkc_strings_free(S);
    tkc_strings_free(S2);
}

/* ---- the transformer kernel: Cauchy–Schwarz ------------------------------- */

/* K_trans(x, y)² <= K_trans(x, x) K_trans(y, y) for every activation, on
 * estimates from one call (the self terms share the draws). */
static void test_trans_cauchy_schwarz(void)
{
    const char *rows[3] = {"aCbd", "bCad", "ddaC"};
    tkc_strings *S = strings_of(3, rows);
    tkc_pair p[6] = {{0, 1}, {0, 0}, {1, 1}, {0, 2}, {2, 2}, {1, 2}};
    tkc_kernel_values *v = tkc_kernel_values_alloc(6, 0, NULL);
    const tkc_activation_type *acts[] = {tkc_activation_cos,
                                         tkc_activation_relu,
                                         tkc_activation_erf};
    for (int a = 0; a < 3; a++) {
        tkc_kernel_spec spec;
        tkc_kernel_spec_default(&spec);
        spec.kernel = tkc_kernel_trans;
        spec.estimator = tkc_attn_mc;
        spec.activation = acts[a];
        spec.mc.samples = 4096;
        spec.b1 = 2.5;
        tkc_error err;
        CHECK(tkc_kernel_eval_pairs(&spec, S, p, 6, v, &err) == 0,
              "trans %s: %s", acts[a]->name, err.message);
        double xy = v->value[0], xx = v->value[1], yy = v->value[2];
        double xz = v->value[3], zz = v->value[4], yz = v->value[5];
        CHECK(xy * xy <= xx * yy * (1 + 1e-12) &&
                  xz * xz <= xx * zz * (1 + 1e-12) &&
                  yz * yz <= yy * zz * (1 + 1e-12),
              "%s: Cauchy-Schwarz", acts[a]->name);
    }
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
}

/* ---- the series' error estimate ------------------------------------------ */

/* The series of x/y summed at (β, γ) from a table of `order`. */
static int series_sum(const char *x, const char *y, int order, double beta,
                      double gamma, int fixed, double *value, double *se,
                      tkc_error *err)
{
    tkc_token tx[TKC_K_MAX], ty[TKC_K_MAX];
    size_t k = strlen(x);
    for (size_t a = 0; a < k; a++) {
        tx[a] = (unsigned char)x[a];
        ty[a] = (unsigned char)y[a];
    }
    tkc_series *s = tkc_series_alloc(order, err);
    int rc = s ? tkc_series_compute_pair(s, tx, ty, k, err) : TKC_EINPUT;
    if (!rc)
        rc = tkc_series_sum(s, beta, gamma, 256, fixed, value, se, NULL, NULL,
                            err);
    tkc_series_free(s);
    return rc;
}

/* Never below the first omitted term that does not vanish, nor below
 * what a table without one implies. */
static void test_series_estimate(void)
{
    double v = NAN, se = NAN, truth = NAN, e_truth = NAN;  /* NaN fails the checks */
    tkc_error err;
    /* order 0: the sum is K(β = 0); the error is the β² term and beyond
     * (it was reported as 4e-77) */
    CHECK(series_sum("aC", "bC", 0, 0.1, 0.5, 0, &v, &se, &err) == 0 &&
              series_sum("aC", "bC", 12, 0.1, 0.5, 0, &truth, &e_truth,
                         &err) == 0,
          "aC/bC sums: %s", err.message);
    CHECK(e_truth < 1e-8 && se >= fabs(v - truth) && fabs(v - truth) > 1e-3,
          "order 0: estimate %g vs true error %g", se, fabs(v - truth));
    /* c_1(γ²) of aab/aca vanishes at γ² = 2/3: the first omitted term is
     * (nearly) zero, the error is not (it was reported as 6e-20) */
    double gamma = sqrt(2.0 / 3.0);
    CHECK(series_sum("aab", "aca", 8, 0.3, gamma, 0, &v, &se, &err) == 0,
          "aab/aca: %s", err.message);
    tkc_kernel_spec spec;
    spec_attn(&spec, tkc_attn_qmc, 0.3, gamma);
    spec.qmc.points = 1 << 14;
    tkc_kernel_values *q = tkc_kernel_values_alloc(1, 0, NULL);
    CHECK(eval_pair(&spec, "aab", "aca", q, &err) == 0, "qmc");
    CHECK(se + 4 * q->se[0] >= fabs(v - q->value[0]) &&
              fabs(v - q->value[0]) > 1e-5,
          "vanishing first term: estimate %g vs error %g (qmc se %g)", se,
          fabs(v - q->value[0]), q->se[0]);
    /* the same with a fixed order: the term after the sum vanishes */
    CHECK(series_sum("aab", "aca", 8, 0.3, gamma, 2, &v, &se, &err) == 0 &&
              se + 4 * q->se[0] >= fabs(v - q->value[0]),
          "fixed order 2: estimate %g vs error %g", se, fabs(v - q->value[0]));
    tkc_kernel_values_free(q);
    /* ab/ba at γ = 1 has M = all ones: every term past β^0 vanishes; the
     * table alone cannot tell, so the range [0, 2] bounds the error */
    CHECK(series_sum("ab", "ba", 10, 0.3, 1.0, 0, &v, &se, &err) == 0 &&
              v == 1 && fabs(se - 1) < 1e-12,
          "all terms vanish: %g +- %g", v, se);
    /* orders are even, and not rounded */
    CHECK(!tkc_series_alloc(3, &err) && err.status == TKC_EINPUT &&
              strstr(err.message, "even"),
          "odd table order refused: %s", err.message);
    CHECK(series_sum("aC", "bC", 8, 0.1, 0.5, 3, &v, &se, &err) == TKC_EINPUT &&
              strstr(err.message, "even"),
          "odd order summed refused: %s", err.message);
}

int main(void)
{
    test_bounds();
    test_cvmc_fallback();
    test_qmc_growth();
    test_auto();
    test_trans_cauchy_schwarz();
    test_series_estimate();
    return check_summary();
}
