/* attn_cvmc.c — `cvmc`, Monte Carlo of K_attn with the exact series as
 * control variate.  Per draw z (the
 * generative form of attn.h, antithetic pairs), the integrand's own
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
 * The draws are laid out by attn.c (tkc_attn_layout: the same coordinates
 * the integrand reads, the same distinct strings and equal-token slots), so
 * the control sees exactly the draw the integrand sees.  Draws come in
 * blocks of BLOCK antithetic pairs, block b from the stream (seed,
 * TKC_RNG_CVMC, b), summed in order: the digits depend on the seed only. */
#include "attn_cvmc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "rng.h"
#include "tkc/series.h"
#include "registry.h"

#define BLOCK 512             /* antithetic pairs per block */
#define CV_ROWS 32                      /* draws per sum of outer products */
#define CV_TERMS 5            /* softmax series to β⁴       */

/* ---- the control: its exact mean, and its value at each draw --------------- */

typedef struct cv_state {
    const tkc_attn_layout *L;
    size_t k;
    double gamma, gamma2;
    double *mean_c;          /* np * 2: E C_2 = c_1(γ²), E C_4 = c_2(γ²)    */
    /* per draw: σ of each distinct string (nstrings * k * CV_TERMS) and its
     * sums per token slot (same size); the logits of one string (k) */
    double *sig, *csum, *w;
} cv_state;

static void cv_free(cv_state *cv)
{
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

static int cv_init(cv_state *cv, const tkc_attn_layout *L,
                   const tkc_kernel_spec *spec, const tkc_strings *S,
                   const tkc_pair *pairs, size_t np, tkc_error *err)
{
    size_t k = S->k, ns = tkc_attn_layout_nstrings(L);
    memset(cv, 0, sizeof *cv);
    cv->L = L;
    cv->k = k;
    cv->gamma = spec->gamma;
    cv->gamma2 = spec->gamma * spec->gamma;
    cv->mean_c = malloc((2 * np + 1) * sizeof *cv->mean_c);
    cv->sig = malloc((ns * k * CV_TERMS + 1) * sizeof *cv->sig);
    cv->csum = malloc((ns * k * CV_TERMS + 1) * sizeof *cv->csum);
    cv->w = malloc(k * sizeof *cv->w);
    if (!cv->mean_c || !cv->sig || !cv->csum || !cv->w) {
        cv_free(cv);
        return tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
    }
    for (size_t i = 0; i < np; i++) {
        int rc = low_coeffs(tkc_strings_row(S, pairs[i].x),
                            tkc_strings_row(S, pairs[i].y), k, spec->gamma,
                            &cv->mean_c[2 * i], err);
        if (rc) {
            cv_free(cv);
            return rc;
        }
    }
    return TKC_SUCCESS;
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
static void cv_draw(cv_state *cv, const double *z)
{
    size_t k = cv->k, ns = tkc_attn_layout_nstrings(cv->L);
    for (size_t s = 0; s < ns; s++) {
        const int *coord = tkc_attn_layout_coords(cv->L, s);
        const int *slot = tkc_attn_layout_slots(cv->L, s);
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
static void cv_control(const cv_state *cv, size_t i, double C[2])
{
    size_t k = cv->k, px, py;
    const int *mx, *my;
    size_t nm = tkc_attn_layout_pair(cv->L, i, &px, &py, &mx, &my);
    const double *sx = cv->sig + px * k * CV_TERMS;
    const double *sy = cv->sig + py * k * CV_TERMS;
    const double *cx = cv->csum + px * k * CV_TERMS;
    const double *cy = cv->csum + py * k * CV_TERMS;
    double m2 = 0, m4 = 0, d2 = 0, d4 = 0;
    for (size_t m = 0; m < nm; m++)
        conv24(cx + mx[m] * CV_TERMS, cy + my[m] * CV_TERMS, &m2, &m4);
    for (size_t a = 0; a < k; a++)
        conv24(sx + a * CV_TERMS, sy + a * CV_TERMS, &d2, &d4);
    double kk = (double)k * (double)k;
    C[0] = (m2 + cv->gamma2 * d2) / kk;
    C[1] = (m4 + cv->gamma2 * d4) / kk;
}

/* ---- the run ----------------------------------------------------------------- */

/* The sums of one run: per entry and residual kind r ∈ {plain, order 2,
 * order 4}, Σ r and Σ r²; then Σ r_i r_j of the kind used. */
typedef struct cv_sums {
    size_t np;
    int used;                /* residual kind of the estimate: 1 or 2      */
    uint64_t npts;           /* antithetic pairs                           */
    double *acc, *cross;
} cv_sums;

static int cv_sum(const tkc_kernel_spec *spec, cv_state *cv, cv_sums *sums,
                  int want_cov, tkc_error *err)
{
    const tkc_attn_layout *L = cv->L;
    size_t np = sums->np, dim = tkc_attn_layout_dim(L);
    tkc_attn_work *W = tkc_attn_work_alloc(L, err);
    double *z = malloc((dim + 1) * sizeof *z);
    double *fp = malloc((np + 1) * sizeof *fp), *fm = malloc((np + 1) * sizeof *fm);
    /* g of up to CV_ROWS draws, for their outer products in one pass */
    double *g = malloc(CV_ROWS * (np + 1) * sizeof *g);
    size_t rows = 0;
    int rc = TKC_SUCCESS;
    if (!W || !z || !fp || !fm || !g) {
        rc = W ? tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory")
               : (err ? (int)err->status : TKC_ENOMEM);
        goto done;
    }
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    double b2 = spec->beta * spec->beta, b4 = b2 * b2, *acc = sums->acc;
    tkc_progress_count count;
    tkc_attn_count_begin(&count, spec->progress, "cvmc", np, 2 * sums->npts);
    for (uint64_t b0 = 0; b0 < sums->npts; b0 += BLOCK) {
        tkc_rng rng;
        tkc_rng_stream(&rng, spec->seed, TKC_RNG_CVMC, b0 / BLOCK);
        uint64_t b1 = b0 + BLOCK < sums->npts ? b0 + BLOCK : sums->npts;
        for (uint64_t s = b0; s < b1; s++) {
            for (size_t t = 0; t < dim; t++)
                z[t] = tkc_rng_normal(&zig, &rng);
            tkc_attn_integrand_antithetic(L, W, z, fp, fm);
            cv_draw(cv, z);
            for (size_t i = 0; i < np; i++) {
                double C[2], r[3];
                cv_control(cv, i, C);
                r[0] = 0.5 * (fp[i] + fm[i]) - tkc_attn_layout_beta0(L, i);
                r[1] = r[0] - b2 * C[0];
                r[2] = r[1] - b4 * C[1];
                for (int m = 0; m < 3; m++) {
                    acc[(2 * m) * np + i] += r[m];
                    acc[(2 * m + 1) * np + i] += r[m] * r[m];
                }
                g[rows * np + i] = r[sums->used];
            }
            if (want_cov && (++rows == CV_ROWS || s + 1 == b1)) {
                tkc_attn_add_outer_products(sums->cross, 0, g, rows, np);
                rows = 0;
            }
        }
        tkc_progress_count_step(&count, 2 * b1);
    }
done:
    tkc_attn_work_free(W);
    free(z);
    free(fp);
    free(fm);
    free(g);
    return rc;
}

/* Means, standard errors, covariance and the three variances from the
 * sums. */
static int cv_finish(const tkc_kernel_spec *spec, const cv_state *cv,
                     const cv_sums *sums, tkc_kernel_values *out,
                     tkc_cvmc_variances *res, tkc_error *err)
{
    size_t np = sums->np;
    int used = sums->used;
    const double *acc = sums->acc;
    double n = (double)sums->npts;
    double b2 = spec->beta * spec->beta, b4 = b2 * b2;
    for (int m = 0; m < 3; m++) {
        res->var_max[m] = 0;
        res->reduction_min[m] = INFINITY;
    }
    res->bad_entry = np;
    for (size_t i = 0; i < np; i++) {
        double var[3], mean[3];
        for (int m = 0; m < 3; m++) {
            double s1 = acc[(2 * m) * np + i], s2 = acc[(2 * m + 1) * np + i];
            mean[m] = s1 / n;
            var[m] = (s2 - s1 * mean[m]) / (n - 1);
            /* a control that overflows reduces nothing (and NaN must not
             * pass for a zero variance) */
            var[m] = isfinite(mean[m]) && isfinite(var[m]) ? fmax(0.0, var[m])
                                                          : INFINITY;
            /* per evaluation: an antithetic pair is two */
            res->var_max[m] = fmax(res->var_max[m], 2 * var[m]);
            if (var[m] > 0)
                res->reduction_min[m] = fmin(res->reduction_min[m], var[0] / var[m]);
        }
        double known = b2 * cv->mean_c[2 * i] + (used == 2 ? b4 * cv->mean_c[2 * i + 1] : 0);
        out->value[i] = tkc_attn_layout_beta0(cv->L, i) + known + mean[used];
        out->se[i] = sqrt(var[used] / n);
        if (res->bad_entry == np &&
            (!isfinite(out->value[i]) || !isfinite(out->se[i])))
            res->bad_entry = i;
    }
    if (!isfinite(res->var_max[0]))
        return tkc_fail(err, TKC_ENUMERIC, "K_attn cvmc: the integrand's "
                        "variance is not finite");
    if (out->cov) {
        const double *sr = acc + (2 * used) * np;
        for (size_t i = 0; i < np; i++)
            for (size_t j = i; j < np; j++) {
                double c = (sums->cross[i * np + j] - sr[i] * sr[j] / n) /
                           (n - 1) / n;
                if (i == j)
                    c = out->se[i] * out->se[i];
                out->cov[i * np + j] = out->cov[j * np + i] = c;
            }
    }
    return TKC_SUCCESS;
}

int tkc_attn_cvmc_run(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t np, uint64_t samples,
                      int order, tkc_kernel_values *out,
                      tkc_cvmc_variances *res, tkc_error *err)
{
    tkc_attn_layout *L = tkc_attn_layout_alloc(S, pairs, np, spec->beta,
                                               spec->gamma, err);
    if (!L)
        return err ? err->status : TKC_ENOMEM;
    cv_state cv;
    int rc = cv_init(&cv, L, spec, S, pairs, np, err);
    if (rc) {
        tkc_attn_layout_free(L);
        return rc;
    }
    int want_cov = out->cov != NULL;
    cv_sums sums = {np, order == 2 ? 1 : 2, (samples + 1) / 2, NULL, NULL};
    sums.acc = calloc(6 * np + (want_cov ? np * np : 0) + 1, sizeof *sums.acc);
    sums.cross = sums.acc ? sums.acc + 6 * np : NULL;
    if (!sums.acc)
        rc = tkc_fail(err, TKC_ENOMEM, "K_attn cvmc: out of memory");
    if (!rc)
        rc = cv_sum(spec, &cv, &sums, want_cov, err);
    if (!rc)
        rc = cv_finish(spec, &cv, &sums, out, res, err);
    if (!rc && res->bad_entry == np)
        res->bad_entry = tkc_attn_range_check(L, out);
    if (!rc) {
        out->error_kind = TKC_ERROR_STATISTICAL;
        out->samples = 2 * sums.npts;
        out->estimator = tkc_attn_cvmc_type.name;
        snprintf(out->note, sizeof out->note,
                 "%llu antithetic pairs with the beta^%d series as control "
                 "variate; variance reduced %.3g-fold (worst entry; order 2: "
                 "%.3g, order 4: %.3g)",
                 (unsigned long long)sums.npts, order,
                 res->reduction_min[sums.used], res->reduction_min[1],
                 res->reduction_min[2]);
    }
    free(sums.acc);
    cv_free(&cv);
    tkc_attn_layout_free(L);
    return rc;
}

/* The control is used only where it helps: its measured variance
 * reduction must exceed 1 at every entry (with its coefficient fixed at 1
 * it turns into a loss past β ≈ 0.75), and every entry must be a value
 * K_attn can take (a control of size β⁴ C_4 swamps the integrand at large
 * β: at β = γ = 1000 it gave -3e27).  Otherwise the call falls back to mc
 * with the same seed and sample size, whose digits it then returns, and
 * says why in the note. */
static int cvmc_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_cvmc_type, spec,
                                                S, pairs, npairs, out,
                                                &answered, err);
    if (rc || answered)
        return rc;
    tkc_cvmc_variances res;
    int order = spec->cvmc.order;
    if ((rc = tkc_attn_cvmc_run(spec, S, pairs, npairs, spec->cvmc.samples,
                                order, out, &res, err)))
        return rc;
    char why[320];
    double reduction = res.reduction_min[order / 2];
    if (res.bad_entry < npairs) {
        size_t i = res.bad_entry;
        double lo, hi;
        tkc_attn_bounds(tkc_strings_row(S, pairs[i].x),
                        tkc_strings_row(S, pairs[i].y), S->k, spec->gamma,
                        &lo, &hi);
        snprintf(why, sizeof why, "with the beta^%d control entry %zu came "
                 "out at %.3g, outside [%.10g, %.10g], the range K_attn takes "
                 "there", order, i, out->value[i], lo, hi);
    } else if (!(reduction > 1)) {
        snprintf(why, sizeof why, "the beta^%d control changed the variance "
                 "%.3g-fold at the worst entry (a gain needs more than 1)",
                 order, reduction);
    } else {
        return TKC_SUCCESS;
    }
    tkc_kernel_spec sp = *spec;
    sp.estimator = &tkc_attn_mc_type;
    sp.mc.samples = spec->cvmc.samples;
    if ((rc = tkc_attn_mc_type.eval_pairs(&sp, S, pairs, npairs, out, err)))
        return rc;
    char mc_note[sizeof out->note];
    memcpy(mc_note, out->note, sizeof mc_note);
    /* mc's note is short: the whole stays below TKC_ATTN_NOTE_MAX */
    snprintf(out->note, sizeof out->note, "cvmc fell back to mc: %s; mc: %.*s",
             why, TKC_ATTN_NOTE_MAX - (int)sizeof why - 40, mc_note);
    return TKC_SUCCESS;
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

TKC_ATTN_ANTITHETIC_SAMPLES(cvmc)

const tkc_attn_estimator_type tkc_attn_cvmc_type = {
    "cvmc", "Monte Carlo with the exact beta^2 series as control variate",
    cvmc_eval_pairs, cvmc_check_options, cvmc_evaluations, cvmc_scale,
    cvmc_raise_to};
