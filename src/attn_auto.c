/* attn_auto.c — two estimators of K_attn built on the exact series:
 *
 * `cvmc`, Monte Carlo with the series as control variate.  Per draw z (the
 * generative form of tkc/attn.h, antithetic pairs), the integrand's own
 * Taylor polynomial to β² is known in closed form: with d = u − mean(u),
 * σ² = mean(d²) (likewise e, τ² for v),
 *     smax_a(βu) = (1 + β d_a + β²(d_a² − σ²)/2)/k + O(β³),
 * so the antithetic average of the integrand is
 *     f = K0 + β² C(z) + O(β⁴),
 *     C = Σ_ab M_ab [d_a e_b + (d_a² − σ²)/2 + (e_b² − τ²)/2] / k²,
 * and E C = c_1(γ²), the exact β² coefficient (series.c).  The estimate is
 * K0 + β² c_1 + mean(f − K0 − β² C): unbiased (the coefficient of the
 * control is fixed at 1, not fitted), with variance O(β⁸) instead of O(β⁴).
 * The run also measures the plain Monte Carlo variance of the same draws
 * and reports the variance reduction in the note.  Draws come in blocks of
 * BLOCK antithetic pairs, block b from the stream (seed, b), summed in
 * order: the digits depend on the seed only.
 *
 * `auto`: the fastest route to spec->target_se.  (1) The series, when the
 * optimal-truncation estimate of every pair is within the target.  (2)
 * Otherwise one pilot run of cvmc (which measures both the control-variate
 * and the plain variance) and, when the qmc estimator is linked in, a pilot
 * of qmc with as many integrand evaluations; each route's sample count for
 * the target follows from its pilot error under n^{-1/2} scaling (a
 * conservative model for QMC), and the cheapest one runs, capped at
 * AUTO_SAMPLES_MAX.  out->estimator names the estimator used, out->note why. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/attn.h"
#include "tkc/kernel.h"
#include "tkc/rng.h"
#include "tkc/series.h"

#define BLOCK 512                           /* antithetic pairs per block */
#define AUTO_PILOT ((uint64_t)1 << 13)      /* pilot samples              */
#define AUTO_SAMPLES_MAX ((uint64_t)1 << 24)

/* ---- control variate: per pair, the tokens as Gaussian coordinates ------ */

typedef struct cv_pairs {
    size_t k, np;
    int *cx, *cy;            /* np * k: coordinate of ζ_{x_a}, ζ_{y_b}      */
    int *eq;                 /* np * k * k: 1(x_a = y_b)                    */
    double *mx, *my;         /* np * k: Σ_b M_ab, Σ_a M_ab                  */
    double *mean_c;          /* np: E C = c_1(γ²), exact up to rounding     */
    double gamma, gamma2, beta;
} cv_pairs;

static void cv_pairs_free(cv_pairs *cv)
{
    free(cv->cx);
    free(cv->cy);
    free(cv->eq);
    free(cv->mx);
    free(cv->my);
    free(cv->mean_c);
}

/* c_1(γ²) of one pair, exactly then rounded. */
static int beta2_coeff(const tkc_token *x, const tkc_token *y, size_t k,
                       double gamma, double *c1, tkc_error *err)
{
    tkc_series *s = tkc_series_alloc(2, err);
    if (!s)
        return err ? err->status : TKC_ENOMEM;
    int rc = tkc_series_compute_pair(s, x, y, k, err);
    if (!rc) {
        mpfr_t g, c;
        mpfr_inits2(128, g, c, (mpfr_ptr)0);
        mpfr_set_d(g, gamma, MPFR_RNDN);
        mpfr_sqr(g, g, MPFR_RNDN);
        tkc_series_beta_coeff_fr(c, s, 1, g);
        *c1 = mpfr_get_d(c, MPFR_RNDN);
        mpfr_clears(g, c, (mpfr_ptr)0);
    }
    tkc_series_free(s);
    return rc;
}

/* Coordinates as tkc/attn.h lays them out: positions 0..k-1, then tokens
 * in order of first appearance along the pair list, x before y.  (Were the
 * layouts to differ, the control would still be unbiased — any standard
 * normal coordinates have the same law — and only the reduction, which is
 * measured and reported, would suffer.) */
static int cv_pairs_init(cv_pairs *cv, const tkc_kernel_spec *spec,
                         const tkc_strings *S, const tkc_pair *pairs,
                         size_t np, tkc_error *err)
{
    size_t k = S->k;
    memset(cv, 0, sizeof *cv);
    cv->k = k;
    cv->np = np;
    cv->beta = spec->beta;
    cv->gamma = spec->gamma;
    cv->gamma2 = spec->gamma * spec->gamma;
    cv->cx = malloc(np * k * sizeof *cv->cx);
    cv->cy = malloc(np * k * sizeof *cv->cy);
    cv->eq = malloc(np * k * k * sizeof *cv->eq);
    cv->mx = malloc(np * k * sizeof *cv->mx);
    cv->my = malloc(np * k * sizeof *cv->my);
    cv->mean_c = malloc(np * sizeof *cv->mean_c);
    tkc_token *seen = malloc(2 * np * k * sizeof *seen);
    if (!cv->cx || !cv->cy || !cv->eq || !cv->mx || !cv->my || !cv->mean_c ||
        !seen) {
        free(seen);
        cv_pairs_free(cv);
        return tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
    }
    size_t nseen = 0;
    for (size_t i = 0; i < np; i++)
        for (int side = 0; side < 2; side++) {
            const tkc_token *s = tkc_strings_row(S, side ? pairs[i].y : pairs[i].x);
            int *c = (side ? cv->cy : cv->cx) + i * k;
            for (size_t a = 0; a < k; a++) {
                size_t t = 0;
                while (t < nseen && seen[t] != s[a])
                    t++;
                if (t == nseen)
                    seen[nseen++] = s[a];
                c[a] = (int)(k + t);
            }
        }
    free(seen);
    for (size_t i = 0; i < np; i++) {
        const tkc_token *x = tkc_strings_row(S, pairs[i].x);
        const tkc_token *y = tkc_strings_row(S, pairs[i].y);
        for (size_t a = 0; a < k; a++) {
            cv->mx[i * k + a] = cv->gamma2;
            cv->my[i * k + a] = cv->gamma2;
        }
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++) {
                int e = x[a] == y[b];
                cv->eq[(i * k + a) * k + b] = e;
                cv->mx[i * k + a] += e;
                cv->my[i * k + b] += e;
            }
        int rc = beta2_coeff(x, y, k, spec->gamma, &cv->mean_c[i], err);
        if (rc) {
            cv_pairs_free(cv);
            return rc;
        }
    }
    return TKC_SUCCESS;
}

/* C(z) for pair i (the β² coefficient of the integrand at this draw). */
static double cv_control(const cv_pairs *cv, size_t i, const double *z,
                         double *d, double *e)
{
    size_t k = cv->k;
    const int *cx = cv->cx + i * k, *cy = cv->cy + i * k;
    double mu = 0, mv = 0;
    for (size_t a = 0; a < k; a++) {
        d[a] = z[cx[a]] + cv->gamma * z[a];
        e[a] = z[cy[a]] + cv->gamma * z[a];
        mu += d[a];
        mv += e[a];
    }
    mu /= (double)k;
    mv /= (double)k;
    double su = 0, sv = 0;
    for (size_t a = 0; a < k; a++) {
        d[a] -= mu;
        e[a] -= mv;
        su += d[a] * d[a];
        sv += e[a] * e[a];
    }
    su /= (double)k;
    sv /= (double)k;
    double c = 0;
    const int *eq = cv->eq + i * k * k;
    for (size_t a = 0; a < k; a++) {
        double row = cv->gamma2 * e[a];
        for (size_t b = 0; b < k; b++)
            if (eq[a * k + b])
                row += e[b];
        c += d[a] * row + 0.5 * (d[a] * d[a] - su) * cv->mx[i * k + a] +
             0.5 * (e[a] * e[a] - sv) * cv->my[i * k + a];
    }
    return c / ((double)k * (double)k);
}

/* ---- the control-variate Monte Carlo run ---------------------------------- */

typedef struct cv_result {
    double var_plain_max, var_cv_max;   /* per-sample variances, worst entry */
    double reduction_min;               /* smallest plain/cv variance ratio  */
} cv_result;

static int cvmc_run(const tkc_kernel_spec *spec, const tkc_strings *S,
                    const tkc_pair *pairs, size_t np, uint64_t samples,
                    tkc_kernel_values *out, cv_result *res, tkc_error *err)
{
    cv_pairs cv;
    int rc = cv_pairs_init(&cv, spec, S, pairs, np, err);
    if (rc)
        return rc;
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, pairs, np, spec->beta,
                                               spec->gamma, err);
    tkc_attn_work *W = L ? tkc_attn_work_alloc(L, err) : NULL;
    size_t dim = L ? tkc_attn_layout_dim(L) : 0, k = S->k;
    int want_cov = out->cov != NULL;
    size_t ncov = want_cov ? np * np : 0;
    double *z = malloc((dim + 1) * sizeof *z);
    double *fp = malloc(np * sizeof *fp), *fm = malloc(np * sizeof *fm);
    double *g = malloc(np * sizeof *g), *d = malloc(k * sizeof *d),
           *e = malloc(k * sizeof *e);
    /* sums of the residual r, r², plain p, p²; and Σ r_i r_j */
    double *acc = calloc(4 * np + ncov + 1, sizeof *acc);
    if (!L || !W || !z || !fp || !fm || !g || !d || !e || !acc) {
        if (L && W)
            rc = tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
        else
            rc = err ? (int)err->status : TKC_ENOMEM;
        goto done;
    }
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    uint64_t npts = (samples + 1) / 2;
    double *sr = acc, *sr2 = acc + np, *sp = acc + 2 * np, *sp2 = acc + 3 * np,
           *sc = acc + 4 * np;
    double b2 = spec->beta * spec->beta;
    for (uint64_t b0 = 0; b0 < npts; b0 += BLOCK) {
        tkc_rng rng;
        tkc_rng_seed(&rng, spec->seed, b0 / BLOCK);
        uint64_t b1 = b0 + BLOCK < npts ? b0 + BLOCK : npts;
        for (uint64_t s = b0; s < b1; s++) {
            for (size_t q = 0; q < dim; q++)
                z[q] = tkc_rng_normal(&zig, &rng);
            tkc_attn_integrand_antithetic(L, W, z, fp, fm);
            for (size_t i = 0; i < np; i++) {
                double p = 0.5 * (fp[i] + fm[i]) - tkc_attn_layout_beta0(L, i);
                double r = p - b2 * cv_control(&cv, i, z, d, e);
                g[i] = r;
                sr[i] += r;
                sr2[i] += r * r;
                sp[i] += p;
                sp2[i] += p * p;
            }
            if (want_cov)
                for (size_t i = 0; i < np; i++)
                    for (size_t j = i; j < np; j++)
                        sc[i * np + j] += g[i] * g[j];
        }
    }
    double n = (double)npts;
    res->var_plain_max = res->var_cv_max = 0;
    res->reduction_min = INFINITY;
    for (size_t i = 0; i < np; i++) {
        double mr = sr[i] / n, mp = sp[i] / n;
        double vr = fmax(0.0, (sr2[i] - sr[i] * mr) / (n - 1));
        double vp = fmax(0.0, (sp2[i] - sp[i] * mp) / (n - 1));
        out->value[i] = tkc_attn_layout_beta0(L, i) + b2 * cv.mean_c[i] + mr;
        out->se[i] = sqrt(vr / n);
        if (!isfinite(out->value[i]) || !isfinite(out->se[i])) {
            rc = tkc_fail(err, TKC_ENUMERIC, "K_attn cvmc: entry %zu is not "
                          "finite", i);
            goto done;
        }
        /* per-sample variances, in units of one integrand evaluation */
        res->var_plain_max = fmax(res->var_plain_max, 2 * vp);
        res->var_cv_max = fmax(res->var_cv_max, 2 * vr);
        if (vr > 0)
            res->reduction_min = fmin(res->reduction_min, vp / vr);
    }
    if (want_cov)
        for (size_t i = 0; i < np; i++)
            for (size_t j = i; j < np; j++) {
                double c = (sc[i * np + j] - sr[i] * sr[j] / n) / (n - 1) / n;
                if (i == j)
                    c = out->se[i] * out->se[i];
                out->cov[i * np + j] = out->cov[j * np + i] = c;
            }
    out->error_kind = TKC_ERROR_STATISTICAL;
    out->samples = 2 * npts;
    out->estimator = "cvmc";
    snprintf(out->note, sizeof out->note,
             "%llu antithetic pairs with the beta^2 series as control variate; "
             "variance reduced %.3g-fold (worst entry)",
             (unsigned long long)npts, res->reduction_min);
done:
    free(acc);
    free(z);
    free(fp);
    free(fm);
    free(g);
    free(d);
    free(e);
    tkc_attn_work_free(W);
    tkc_attn_layout_free(L);
    cv_pairs_free(&cv);
    return rc;
}

static int cvmc_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    int rc = tkc_attn_check_args(spec, S, pairs, npairs, out, err);
    if (rc)
        return rc;
    out->estimator = "cvmc";
    if (npairs == 0 || tkc_attn_exact_shortcut(spec, S, pairs, npairs, out))
        return TKC_SUCCESS;
    if (spec->samples < 4)
        return tkc_fail(err, TKC_EINPUT, "K_attn cvmc: samples must be at "
                        "least 4 for a standard error, got %llu",
                        (unsigned long long)spec->samples);
    cv_result res;
    return cvmc_run(spec, S, pairs, npairs, spec->samples, out, &res, err);
}

const tkc_attn_estimator_type tkc_attn_cvmc_type = {
    "cvmc", "Monte Carlo with the exact beta^2 series as control variate",
    cvmc_eval_pairs};
const tkc_attn_estimator_type *const tkc_attn_cvmc = &tkc_attn_cvmc_type;

/* ---- auto ------------------------------------------------------------------ */

/* The series for every pair, if each is within target; 1 if used. */
static int try_series(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t np, tkc_kernel_values *out,
                      double *worst)
{
    *worst = 0;
    for (size_t i = 0; i < np; i++) {
        tkc_kernel_spec sp = *spec;
        sp.order = 0;
        int used;
        tkc_error e;
        if (tkc_attn_series_pair(&sp, tkc_strings_row(S, pairs[i].x),
                                 tkc_strings_row(S, pairs[i].y), S->k,
                                 &out->value[i], &out->se[i], &used, &e) ||
            !(out->se[i] <= spec->target_se)) {
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
static double samples_needed(double var_per_sample, double target)
{
    double n = var_per_sample / (target * target);
    return n < (double)AUTO_PILOT ? (double)AUTO_PILOT : n;
}

static uint64_t samples_capped(double n)
{
    return n < (double)AUTO_SAMPLES_MAX ? (uint64_t)ceil(n) : AUTO_SAMPLES_MAX;
}

/* RQMC to the target: its error falls like n^-a with a between 1/2 and 1
 * (1 for smooth low-dimensional integrands), so from the pilot (pts0, se0)
 * jump to the points that rate predicts, measure the rate between the last
 * two runs, and repeat (at most QMC_ROUNDS runs, points a power of two). */
#define QMC_ROUNDS 4
static int qmc_adaptive(const tkc_kernel_spec *spec,
                        const tkc_attn_estimator_type *qmc,
                        const tkc_strings *S, const tkc_pair *pairs,
                        size_t npairs, uint64_t pts0, double se0,
                        tkc_kernel_values *out, tkc_error *err)
{
    tkc_kernel_spec sp = *spec;
    sp.estimator = qmc;
    sp.replicates = spec->replicates >= 2 ? spec->replicates : 16u;
    uint64_t max_pts = AUTO_SAMPLES_MAX / (2 * sp.replicates);
    double a = 1.0;          /* optimistic first; measured after */
    uint64_t pts = pts0;
    double se = se0;
    for (int round = 0; round < QMC_ROUNDS; round++) {
        double want = (double)pts * pow(se / spec->target_se, 1.0 / a);
        uint64_t next = pts;
        while ((double)next < want && next < max_pts)
            next <<= 1;
        if (next == pts)
            next = pts < max_pts ? 2 * pts : pts;
        sp.samples = next;
        int rc = qmc->eval_pairs(&sp, S, pairs, npairs, out, err);
        if (rc)
            return rc;
        double se_new = 0;
        for (size_t i = 0; i < npairs; i++)
            se_new = fmax(se_new, out->se[i]);
        if (se_new <= spec->target_se || next >= max_pts)
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
    int rc = tkc_attn_check_args(spec, S, pairs, npairs, out, err);
    if (rc)
        return rc;
    out->estimator = "auto";
    if (npairs == 0 || tkc_attn_exact_shortcut(spec, S, pairs, npairs, out))
        return TKC_SUCCESS;
    char why[160];
    double worst;
    if (try_series(spec, S, pairs, npairs, out, &worst)) {
        snprintf(out->note, sizeof out->note,
                 "auto: series (truncation estimate %.2g <= target %.2g; no "
                 "sampling needed)", worst, spec->target_se);
        return TKC_SUCCESS;
    }
    /* pilot: cvmc measures the control-variate and the plain variance */
    cv_result pilot;
    tkc_kernel_spec sp = *spec;
    if ((rc = cvmc_run(&sp, S, pairs, npairs, AUTO_PILOT, out, &pilot, err)))
        return rc;
    double n_cv = samples_needed(pilot.var_cv_max, spec->target_se);
    double n_mc = samples_needed(pilot.var_plain_max, spec->target_se);
    const tkc_attn_estimator_type *qmc = tkc_attn_estimator_lookup("qmc");
    double n_q = INFINITY;
    uint64_t q_pts = 0;
    double q_se = INFINITY;
    if (qmc) {
        unsigned R = spec->replicates >= 2 ? spec->replicates : 16u;
        sp.estimator = qmc;
        sp.replicates = R;
        uint64_t pts = 1;      /* a power of two, ~AUTO_PILOT evaluations */
        while (4 * pts * R <= AUTO_PILOT)
            pts <<= 1;
        sp.samples = q_pts = pts;
        tkc_error e;
        if (!qmc->eval_pairs(&sp, S, pairs, npairs, out, &e)) {
            q_se = 0;
            for (size_t i = 0; i < npairs; i++)
                q_se = fmax(q_se, out->se[i]);
            /* evaluations used: samples × replicates, each an antithetic
             * pair (2 evaluations), like cvmc's pilot */
            double evals = (double)out->samples ? (double)out->samples
                                                : (double)AUTO_PILOT;
            n_q = samples_needed(q_se * q_se * evals, spec->target_se);
        }
    }
    /* cost ∝ samples (cvmc's control costs ~ the integrand's O(k²) again:
     * counted as 1.5 evaluations) */
    double c_cv = 1.5 * n_cv, c_mc = n_mc, c_q = n_q;
    if (c_cv <= c_mc && c_cv <= c_q) {
        snprintf(why, sizeof why, "control variate cuts the variance %.3g-fold",
                 pilot.reduction_min);
        sp = *spec;
        rc = cvmc_run(&sp, S, pairs, npairs, samples_capped(n_cv), out, &pilot,
                      err);
    } else if (qmc && c_q < c_mc) {
        snprintf(why, sizeof why, "randomized QMC pilot error %.2g beats "
                 "Monte Carlo", q_se);
        rc = qmc_adaptive(spec, qmc, S, pairs, npairs, q_pts, q_se, out, err);
    } else {
        snprintf(why, sizeof why, "control variate gains only %.3g-fold at "
                 "beta = %g", pilot.reduction_min, spec->beta);
        sp = *spec;
        sp.estimator = tkc_attn_estimator_lookup("mc");
        sp.samples = samples_capped(n_mc);
        rc = sp.estimator ? sp.estimator->eval_pairs(&sp, S, pairs, npairs, out, err)
                          : tkc_fail(err, TKC_EINPUT, "K_attn auto: no mc estimator");
    }
    if (rc)
        return rc;
    double se_max = 0;
    for (size_t i = 0; i < npairs; i++)
        se_max = fmax(se_max, out->se[i]);
    snprintf(out->note, sizeof out->note,
             "auto: %s (series not within target; %s); se %.2g vs target %.2g%s",
             out->estimator, why, se_max, spec->target_se,
             se_max > spec->target_se ? " NOT reached: sample cap" : "");
    return TKC_SUCCESS;
}

const tkc_attn_estimator_type tkc_attn_auto_type = {
    "auto", "fastest of series, control-variate MC, MC, QMC for target_se",
    auto_eval_pairs};
const tkc_attn_estimator_type *const tkc_attn_auto = &tkc_attn_auto_type;
