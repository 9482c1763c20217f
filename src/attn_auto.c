/* attn_auto.c — two estimators of K_attn built on the exact series:
 *
 * `cvmc`, Monte Carlo with the series as control variate.  Per draw z (the
 * generative form of tkc/attn.h, antithetic pairs), the integrand's own
 * Taylor polynomial in β is known in closed form: with d = u − mean(u) and
 * m_n = mean(d^n), log smax_a(βu) = β d_a − log mean exp(β d) − log k, and
 * the last term is the cumulant series β² m_2/2 + β³ m_3/6 + β⁴ κ_4/24 + …
 * (κ_4 = m_4 − 3 m_2²); exponentiating gives smax_a = Σ_n β^n σ_a,n / k
 * to any order (likewise τ_b,n for v).  So the antithetic average of the
 * integrand is
 *     f = K0 + β² C_2(z) + β⁴ C_4(z) + O(β⁶),
 *     C_n = Σ_ab M_ab Σ_{i+j=n} σ_a,i τ_b,j / k²,
 * and E C_n = c_{n/2}(γ²), the exact coefficients (series.c).  With the
 * control of order q ∈ {2, 4} the estimate is
 *     K0 + Σ_{n ≤ q} β^n c_{n/2} + mean(f − K0 − Σ_{n ≤ q} β^n C_n):
 * unbiased (the control's coefficient is fixed at 1, not fitted), with
 * variance O(β^{2q+4}) instead of O(β⁴).  Every run measures, on the same
 * draws, the variance of plain Monte Carlo and of both controls, and
 * reports the reduction in the note.  Options: spec->cvmc.samples
 * integrand evaluations, the control's order spec->cvmc.order (2 or 4).
 * Draws come in blocks of BLOCK antithetic pairs, block b from the stream
 * (seed, TKC_RNG_CVMC, b), summed in order: the digits depend on the seed
 * only.
 *
 * `auto`: the fastest route to spec->automatic.target_se.  (1) The series
 * (at spec->series.prec bits), when the
 * optimal-truncation estimate of every pair is within the target, and it is
 * cheap (its first tables cost under SERIES_CHEAP_SECONDS by
 * tkc_series_cost) or cheaper than the sampling the pilot predicts (long
 * pair lists of long strings, as in N, are faster to sample).  (2)
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

#include "tkc/attn.h"
#include "tkc/kernel.h"
#include "tkc/rng.h"
#include "tkc/series.h"

#define BLOCK 512                           /* antithetic pairs per block */
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

/* ---- control variate: strings, their Gaussian coordinates, the pairs ------ */

#define CV_TERMS 5            /* softmax series to β⁴ */

typedef struct cv_pairs {
    size_t k, np, ns;        /* ns distinct strings among the pairs          */
    int *coord;              /* ns * k: coordinate of ζ at each position     */
    int *slot;               /* ns * k: distinct-token slot of each position */
    size_t *px, *py;         /* np: string of each side                      */
    size_t *moff;            /* np + 1: offsets into mx, my                  */
    int *mx, *my;            /* slot pairs holding equal tokens, per pair    */
    double *mean_c;          /* np * 2: E C_2 = c_1(γ²), E C_4 = c_2(γ²)    */
    double gamma, gamma2;
    /* per draw: σ (ns * k * CV_TERMS) and its sums per slot (same size) */
    double *sig, *csum, *w;
} cv_pairs;

static void cv_pairs_free(cv_pairs *cv)
{
    free(cv->coord);
    free(cv->slot);
    free(cv->px);
    free(cv->py);
    free(cv->moff);
    free(cv->mx);
    free(cv->my);
    free(cv->mean_c);
    free(cv->sig);
    free(cv->csum);
    free(cv->w);
}

/* c_1(γ²), c_2(γ²) of one pair, exactly then rounded. */
static int low_coeffs(const tkc_token *x, const tkc_token *y, size_t k,
                      double gamma, double *c, tkc_error *err)
{
    tkc_series *s = tkc_series_alloc(4, err);
    if (!s)
        return err ? err->status : TKC_ENOMEM;
    int rc = tkc_series_compute_pair(s, x, y, k, err);
    if (!rc) {
        mpfr_t g, ci;
        mpfr_inits2(128, g, ci, (mpfr_ptr)0);
        mpfr_set_d(g, gamma, MPFR_RNDN);
        mpfr_sqr(g, g, MPFR_RNDN);
        for (int i = 1; i <= 2; i++) {
            tkc_series_beta_coeff_fr(ci, s, i, g);
            c[i - 1] = mpfr_get_d(ci, MPFR_RNDN);
        }
        mpfr_clears(g, ci, (mpfr_ptr)0);
    }
    tkc_series_free(s);
    return rc;
}

/* Index of string row r among the distinct rows rep[0 .. *ns-1]. */
static size_t intern_row(const tkc_strings *S, size_t *rep, size_t *ns,
                         size_t r)
{
    for (size_t s = 0; s < *ns; s++)
        if (!memcmp(tkc_strings_row(S, rep[s]), tkc_strings_row(S, r),
                    S->k * sizeof(tkc_token)))
            return s;
    rep[*ns] = r;
    return (*ns)++;
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
    cv->gamma = spec->gamma;
    cv->gamma2 = spec->gamma * spec->gamma;
    size_t *rep = malloc(2 * np * sizeof *rep);
    tkc_token *seen = malloc(2 * np * k * sizeof *seen);
    cv->px = malloc(np * sizeof *cv->px);
    cv->py = malloc(np * sizeof *cv->py);
    cv->moff = malloc((np + 1) * sizeof *cv->moff);
    cv->mean_c = malloc(2 * np * sizeof *cv->mean_c);
    if (!rep || !seen || !cv->px || !cv->py || !cv->moff || !cv->mean_c)
        goto nomem;
    size_t nseen = 0;
    for (size_t i = 0; i < np; i++) {
        cv->px[i] = intern_row(S, rep, &cv->ns, pairs[i].x);
        cv->py[i] = intern_row(S, rep, &cv->ns, pairs[i].y);
    }
    size_t ns = cv->ns;
    cv->coord = malloc(ns * k * sizeof *cv->coord);
    cv->slot = malloc(ns * k * sizeof *cv->slot);
    cv->sig = malloc(ns * k * CV_TERMS * sizeof *cv->sig);
    cv->csum = malloc(ns * k * CV_TERMS * sizeof *cv->csum);
    cv->w = malloc(k * sizeof *cv->w);
    if (!cv->coord || !cv->slot || !cv->sig || !cv->csum || !cv->w)
        goto nomem;
    int *done = calloc(ns, sizeof *done);
    if (!done)
        goto nomem;
    for (size_t i = 0; i < np; i++)          /* first-appearance order */
        for (int side = 0; side < 2; side++) {
            size_t st = side ? cv->py[i] : cv->px[i];
            if (done[st])
                continue;
            done[st] = 1;
            const tkc_token *x = tkc_strings_row(S, rep[st]);
            int nslot = 0;
            for (size_t a = 0; a < k; a++) {
                size_t t = 0;
                while (t < nseen && seen[t] != x[a])
                    t++;
                if (t == nseen)
                    seen[nseen++] = x[a];
                cv->coord[st * k + a] = (int)(k + t);
                size_t b = 0;                /* slot of the first equal position */
                while (x[b] != x[a])
                    b++;
                cv->slot[st * k + a] = b < a ? cv->slot[st * k + b] : nslot++;
            }
        }
    free(done);
    /* equal-token slot pairs of each pair */
    cv->moff[0] = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t m = 0;
        for (size_t i = 0; i < np; i++) {
            const tkc_token *x = tkc_strings_row(S, rep[cv->px[i]]);
            const tkc_token *y = tkc_strings_row(S, rep[cv->py[i]]);
            const int *sx = cv->slot + cv->px[i] * k, *sy = cv->slot + cv->py[i] * k;
            for (size_t a = 0; a < k; a++) {
                int first_a = 1;
                for (size_t c = 0; c < a; c++)
                    first_a &= x[c] != x[a];
                if (!first_a)
                    continue;
                for (size_t b = 0; b < k; b++) {
                    int first_b = 1;
                    for (size_t c = 0; c < b; c++)
                        first_b &= y[c] != y[b];
                    if (!first_b || x[a] != y[b])
                        continue;
                    if (pass) {
                        cv->mx[m] = sx[a];
                        cv->my[m] = sy[b];
                    }
                    m++;
                }
            }
            if (!pass)
                cv->moff[i + 1] = m;
        }
        if (!pass) {
            cv->mx = malloc((m + 1) * sizeof *cv->mx);
            cv->my = malloc((m + 1) * sizeof *cv->my);
            if (!cv->mx || !cv->my)
                goto nomem;
        }
    }
    for (size_t i = 0; i < np; i++) {
        int rc = low_coeffs(tkc_strings_row(S, pairs[i].x),
                            tkc_strings_row(S, pairs[i].y), k, spec->gamma,
                            &cv->mean_c[2 * i], err);
        if (rc) {
            free(rep);
            free(seen);
            cv_pairs_free(cv);
            return rc;
        }
    }
    free(rep);
    free(seen);
    return TKC_SUCCESS;
nomem:
    free(rep);
    free(seen);
    cv_pairs_free(cv);
    return tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
}

/* σ[a * CV_TERMS + n]: the β^n coefficient of k·smax_a(βw) for logits w:
 * exp of L(β) = β d_a − β² m_2/2 − β³ m_3/6 − β⁴ κ_4/24 by the recurrence
 * n e_n = Σ_j j l_j e_{n−j} of E' = L' E. */
static void smax_series(const double *w, size_t k, double *sig)
{
    double mean = 0;
    for (size_t a = 0; a < k; a++)
        mean += w[a];
    mean /= (double)k;
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t a = 0; a < k; a++) {
        double d = w[a] - mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= (double)k;
    m3 /= (double)k;
    m4 /= (double)k;
    double l[CV_TERMS] = {0, 0, -m2 / 2, -m3 / 6, -(m4 - 3 * m2 * m2) / 24};
    for (size_t a = 0; a < k; a++) {
        double *e = sig + a * CV_TERMS;
        l[1] = w[a] - mean;
        e[0] = 1;
        for (int n = 1; n < CV_TERMS; n++) {
            double t = 0;
            for (int j = 1; j <= n; j++)
                t += j * l[j] * e[n - j];
            e[n] = t / n;
        }
    }
}

/* Per draw: σ of every distinct string and its sums per token slot. */
static void cv_draw(cv_pairs *cv, const double *z)
{
    size_t k = cv->k;
    for (size_t s = 0; s < cv->ns; s++) {
        const int *coord = cv->coord + s * k, *slot = cv->slot + s * k;
        for (size_t a = 0; a < k; a++)
            cv->w[a] = z[coord[a]] + cv->gamma * z[a];
        double *sig = cv->sig + s * k * CV_TERMS, *cs = cv->csum + s * k * CV_TERMS;
        smax_series(cv->w, k, sig);
        memset(cs, 0, k * CV_TERMS * sizeof *cs);
        for (size_t a = 0; a < k; a++)
            for (int n = 0; n < CV_TERMS; n++)
                cs[slot[a] * CV_TERMS + n] += sig[a * CV_TERMS + n];
    }
}

/* Σ_{i+j=n} A_i B_j for n = 2 and 4. */
static void conv24(const double *A, const double *B, double *c2, double *c4)
{
    *c2 += A[0] * B[2] + A[1] * B[1] + A[2] * B[0];
    *c4 += A[0] * B[4] + A[1] * B[3] + A[2] * B[2] + A[3] * B[1] + A[4] * B[0];
}

/* C_2 and C_4 of pair i at this draw (after cv_draw):
 * C_n = Σ_ab M_ab Σ_{i+j=n} σ_a,i τ_b,j / k², with M = XYᵀ + γ² I summed by
 * equal-token slots. */
static void cv_control(const cv_pairs *cv, size_t i, double C[2])
{
    size_t k = cv->k;
    const double *sx = cv->sig + cv->px[i] * k * CV_TERMS;
    const double *sy = cv->sig + cv->py[i] * k * CV_TERMS;
    const double *cx = cv->csum + cv->px[i] * k * CV_TERMS;
    const double *cy = cv->csum + cv->py[i] * k * CV_TERMS;
    double m2 = 0, m4 = 0, d2 = 0, d4 = 0;
    for (size_t m = cv->moff[i]; m < cv->moff[i + 1]; m++)
        conv24(cx + cv->mx[m] * CV_TERMS, cy + cv->my[m] * CV_TERMS, &m2, &m4);
    for (size_t a = 0; a < k; a++)
        conv24(sx + a * CV_TERMS, sy + a * CV_TERMS, &d2, &d4);
    double kk = (double)k * (double)k;
    C[0] = (m2 + cv->gamma2 * d2) / kk;
    C[1] = (m4 + cv->gamma2 * d4) / kk;
}

/* ---- the control-variate Monte Carlo run ---------------------------------- */

typedef struct cv_result {
    /* per-evaluation variances, worst entry: plain MC, control of order
     * 2 and of order 4 */
    double var_max[3];
    double reduction_min[3];            /* smallest plain/this ratio        */
} cv_result;

/* The run with the control of order q (2 or 4); res gets all three. */
static int cvmc_run(const tkc_kernel_spec *spec, const tkc_strings *S,
                    const tkc_pair *pairs, size_t np, uint64_t samples, int q,
                    tkc_kernel_values *out, cv_result *res, tkc_error *err)
{
    cv_pairs cv;
    int rc = cv_pairs_init(&cv, spec, S, pairs, np, err);
    if (rc)
        return rc;
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, pairs, np, spec->beta,
                                               spec->gamma, err);
    tkc_attn_work *W = L ? tkc_attn_work_alloc(L, err) : NULL;
    size_t dim = L ? tkc_attn_layout_dim(L) : 0;
    int want_cov = out->cov != NULL, used = q == 2 ? 1 : 2;
    size_t ncov = want_cov ? np * np : 0;
    double *z = malloc((dim + 1) * sizeof *z);
    double *fp = malloc(np * sizeof *fp), *fm = malloc(np * sizeof *fm);
    double *g = malloc(np * sizeof *g);
    /* per entry and residual kind r ∈ {plain, order 2, order 4}: Σ r, Σ r²;
     * then Σ r_i r_j of the kind used */
    double *acc = calloc(6 * np + ncov + 1, sizeof *acc);
    if (!L || !W || !z || !fp || !fm || !g || !acc) {
        if (L && W)
            rc = tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
        else
            rc = err ? (int)err->status : TKC_ENOMEM;
        goto done;
    }
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    uint64_t npts = (samples + 1) / 2;
    double *sc = acc + 6 * np;
    double b2 = spec->beta * spec->beta, b4 = b2 * b2;
    for (uint64_t b0 = 0; b0 < npts; b0 += BLOCK) {
        tkc_rng rng;
        tkc_rng_stream(&rng, spec->seed, TKC_RNG_CVMC, b0 / BLOCK);
        uint64_t b1 = b0 + BLOCK < npts ? b0 + BLOCK : npts;
        for (uint64_t s = b0; s < b1; s++) {
            for (size_t t = 0; t < dim; t++)
                z[t] = tkc_rng_normal(&zig, &rng);
            tkc_attn_integrand_antithetic(L, W, z, fp, fm);
            cv_draw(&cv, z);
            for (size_t i = 0; i < np; i++) {
                double C[2], r[3];
                cv_control(&cv, i, C);
                r[0] = 0.5 * (fp[i] + fm[i]) - tkc_attn_layout_beta0(L, i);
                r[1] = r[0] - b2 * C[0];
                r[2] = r[1] - b4 * C[1];
                for (int m = 0; m < 3; m++) {
                    acc[(2 * m) * np + i] += r[m];
                    acc[(2 * m + 1) * np + i] += r[m] * r[m];
                }
                g[i] = r[used];
            }
            if (want_cov)
                for (size_t i = 0; i < np; i++)
                    for (size_t j = i; j < np; j++)
                        sc[i * np + j] += g[i] * g[j];
        }
    }
    double n = (double)npts;
    for (int m = 0; m < 3; m++) {
        res->var_max[m] = 0;
        res->reduction_min[m] = INFINITY;
    }
    for (size_t i = 0; i < np; i++) {
        double var[3], mean[3];
        for (int m = 0; m < 3; m++) {
            double s1 = acc[(2 * m) * np + i], s2 = acc[(2 * m + 1) * np + i];
            mean[m] = s1 / n;
            var[m] = fmax(0.0, (s2 - s1 * mean[m]) / (n - 1));
            /* per evaluation: an antithetic pair is two */
            res->var_max[m] = fmax(res->var_max[m], 2 * var[m]);
            if (var[m] > 0)
                res->reduction_min[m] = fmin(res->reduction_min[m], var[0] / var[m]);
        }
        double known = b2 * cv.mean_c[2 * i] + (used == 2 ? b4 * cv.mean_c[2 * i + 1] : 0);
        out->value[i] = tkc_attn_layout_beta0(L, i) + known + mean[used];
        out->se[i] = sqrt(var[used] / n);
        if (!isfinite(out->value[i]) || !isfinite(out->se[i])) {
            rc = tkc_fail(err, TKC_ENUMERIC, "K_attn cvmc: entry %zu is not "
                          "finite", i);
            goto done;
        }
    }
    if (want_cov) {
        const double *sr = acc + (2 * used) * np;
        for (size_t i = 0; i < np; i++)
            for (size_t j = i; j < np; j++) {
                double c = (sc[i * np + j] - sr[i] * sr[j] / n) / (n - 1) / n;
                if (i == j)
                    c = out->se[i] * out->se[i];
                out->cov[i * np + j] = out->cov[j * np + i] = c;
            }
    }
    out->error_kind = TKC_ERROR_STATISTICAL;
    out->samples = 2 * npts;
    out->estimator = "cvmc";
    snprintf(out->note, sizeof out->note,
             "%llu antithetic pairs with the beta^%d series as control "
             "variate; variance reduced %.3g-fold (worst entry; order 2: "
             "%.3g, order 4: %.3g)",
             (unsigned long long)npts, q, res->reduction_min[used],
             res->reduction_min[1], res->reduction_min[2]);
done:
    free(acc);
    free(z);
    free(fp);
    free(fm);
    free(g);
    tkc_attn_work_free(W);
    tkc_attn_layout_free(L);
    cv_pairs_free(&cv);
    return rc;
}

static int cvmc_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_cvmc_type, spec,
                                                S, pairs, npairs, out,
                                                &answered, err);
    if (rc || answered)
        return rc;
    cv_result res;
    return cvmc_run(spec, S, pairs, npairs, spec->cvmc.samples,
                    spec->cvmc.order, out, &res, err);
}

/* ---- options: samples = integrand evaluations, the control's order --------- */

static int cvmc_check_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    if (spec->cvmc.order != 2 && spec->cvmc.order != 4)
        return tkc_fail(err, TKC_EINPUT, "K_attn cvmc: the control's order "
                        "must be 2 or 4 (the beta^2 or beta^4 series), got %d",
                        spec->cvmc.order);
    return tkc_attn_check_option("cvmc", "samples", spec->cvmc.samples, 4,
                                 TKC_ATTN_SAMPLES_MAX, err);
}

static uint64_t cvmc_evaluations(const tkc_kernel_spec *spec)
{
    return spec->cvmc.samples + spec->cvmc.samples % 2;
}

static void cvmc_scale(tkc_kernel_spec *spec, double factor)
{
    spec->cvmc.samples = (uint64_t)((double)cvmc_evaluations(spec) * factor);
}

static void cvmc_raise_to(tkc_kernel_spec *spec, const tkc_kernel_spec *floor)
{
    if (spec->cvmc.samples < floor->cvmc.samples)
        spec->cvmc.samples = floor->cvmc.samples;
}

const tkc_attn_estimator_type tkc_attn_cvmc_type = {
    "cvmc", "Monte Carlo with the exact beta^2 series as control variate",
    cvmc_eval_pairs, cvmc_check_options, cvmc_evaluations, cvmc_scale,
    cvmc_raise_to};
const tkc_attn_estimator_type *const tkc_attn_cvmc = &tkc_attn_cvmc_type;

/* ---- auto ------------------------------------------------------------------ */

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
    cv_result pilot;
    tkc_kernel_spec sp = *spec;
    sp.seed = tkc_rng_derived_seed(spec->seed, TKC_RNG_AUTO_PILOT, 0);
    uint64_t budget = auto_budget(spec);
    uint64_t P = budget < AUTO_PILOT ? budget : AUTO_PILOT;
    if ((rc = cvmc_run(&sp, S, pairs, npairs, P, 4, out, &pilot, err)))
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
            cv_result keep = pilot;
            if (try_series(spec, S, pairs, npairs, out, &worst)) {
                snprintf(out->note, sizeof out->note,
                         "auto: series (truncation estimate %.2g <= target "
                         "%.2g; sampling predicted slower)", worst,
                         target);
                return TKC_SUCCESS;
            }
            /* out holds a failed series attempt: redo the pilot's values */
            if ((rc = cvmc_run(&sp, S, pairs, npairs, P, 4, out, &pilot,
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
        rc = cvmc_run(&sp, S, pairs, npairs, samples_capped(n_cv, budget), q,
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
    spec->automatic.max_evals =
        (uint64_t)((double)spec->automatic.max_evals * factor);
    spec->automatic.target_se /= sqrt(factor);
}

static void auto_raise_to(tkc_kernel_spec *spec, const tkc_kernel_spec *floor)
{
    if (spec->automatic.max_evals < floor->automatic.max_evals)
        spec->automatic.max_evals = floor->automatic.max_evals;
    if (spec->automatic.target_se > floor->automatic.target_se)
        spec->automatic.target_se = floor->automatic.target_se;
}

const tkc_attn_estimator_type tkc_attn_auto_type = {
    "auto", "fastest of series, control-variate MC, MC, QMC for target_se",
    auto_eval_pairs, auto_check_options, auto_evaluations, auto_scale,
    auto_raise_to};
const tkc_attn_estimator_type *const tkc_attn_auto = &tkc_attn_auto_type;
