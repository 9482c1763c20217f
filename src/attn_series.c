/* attn_series.c — the `series` estimator of K_attn: the exact β-series
 * (series.c) summed in MPFR.
 *
 * The series is asymptotic (docs/series.md): its terms first shrink, then grow
 * factorially.  With spec->series.order = 0 the order is chosen by optimal
 * truncation: tables of growing order (8, 12, 16, ...) until the smallest
 * term lies inside the table, or its estimate is below a goal, within a
 * cost budget; the sum stops just before the smallest term and the estimate
 * of the error is that term.  spec->series.order = D > 0 (even) sums
 * exactly to β^D and reports the next term.  The sums are taken in MPFR at
 * spec->series.prec bits.
 *
 * Where the series is not useful — the smallest term comes before β^4,
 * the estimate exceeds SERIES_REL_MAX of the value, or the sum lies
 * outside the range K_attn takes for the pair (tkc_attn_bounds) — the
 * estimator refuses (TKC_ERANGE) and says which estimator to use instead.
 * Error kind: TRUNCATION; se = the truncation estimate, the first nonzero
 * term omitted (plus MPFR rounding). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attn.h"
#include "progress.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "tkc/series.h"
#include "registry.h"

/* Largest relative truncation estimate the estimator accepts. */
#define SERIES_REL_MAX 1e-2
/* The automatic order grows while the smallest term is the table's last,
 * until the estimate is below the goal or the next table would exceed the
 * budget (in tkc_series_cost units, ~1e7 per second of one core).  The
 * estimator's own goal is SERIES_GOAL_OWN (1e-3 of auto's default target:
 * far below what anyone asks for); auto passes 1e-3 of its target.  A
 * fixed order is not limited. */
#define SERIES_COST_BUDGET 5e5
#define SERIES_GOAL_OWN 1e-7

int tkc_attn_series_pair(const tkc_kernel_spec *spec, double goal,
                         double *units_left, const tkc_token *x,
                         const tkc_token *y, size_t k, double *value,
                         double *se, int *order_used, tkc_error *err)
{
    tkc_pattern pat;
    tkc_pattern_of_unordered_pair(&pat, x, y, k, NULL);
    int fixed = spec->series.order;
    int D = fixed > 0 ? fixed + 2 : TKC_ATTN_SERIES_FIRST_ORDER;
    tkc_series_sum_info info;
    for (int first = 1;; first = 0) {
        double cost = tkc_series_cost(&pat, D);
        if (units_left && cost > *units_left) {
            if (!first)
                break;          /* the sum of the last table stands */
            return tkc_fail(err, TKC_ERANGE, "K_attn series: the table of "
                            "order %d costs %.3g units, over the %.3g left",
                            D, cost, *units_left);
        }
        if (units_left)
            *units_left -= cost;
        tkc_series *s = tkc_series_alloc(D, err);
        if (!s)
            return err ? err->status : TKC_ENOMEM;
        int rc = tkc_series_compute(s, &pat, err);
        if (!rc)
            rc = tkc_series_sum(s, spec->beta, spec->gamma, spec->series.prec, fixed,
                                value, se, NULL, &info, err);
        tkc_series_free(s);
        if (rc)
            return rc;
        if (fixed > 0 || !info.at_end || D + 4 > TKC_SERIES_ORDER_MAX ||
            *se <= goal ||
            tkc_series_cost(&pat, D + 4) > SERIES_COST_BUDGET)
            break;
        D += 4;
    }
    *order_used = info.order_used;
    double lo, hi;
    tkc_attn_bounds(x, y, k, spec->gamma, &lo, &hi);
    if (info.smallest_at < 2 || !(*se <= SERIES_REL_MAX * fabs(*value)) ||
        !tkc_attn_clamp_to_bounds(value, lo, hi))
        return tkc_fail(err, TKC_ERANGE,
                        "K_attn series: at beta = %g, gamma = %g the "
                        "asymptotic beta-series is not useful for this pair "
                        "(sum %.6g at order %d, in [%.10g, %.10g] for K_attn; "
                        "error estimate %.3g, %.2g of the value); use "
                        "--estimator mc, qmc, cvmc or auto",
                        spec->beta, spec->gamma, *value, info.order_used,
                        lo, hi, *se,
                        *value != 0 ? *se / fabs(*value) : INFINITY);
    return TKC_SUCCESS;
}

static int series_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                             const tkc_pair *pairs, size_t npairs,
                             tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_series_type, spec,
                                                S, pairs, npairs, out,
                                                &answered, err);
    if (rc || answered)
        return rc;
    int lo = 1 << 30, hi = 0;
    tkc_progress_count count;
    tkc_progress_count_begin(&count, spec->progress, npairs,
                             "K_attn series, patterns");
    for (size_t i = 0; i < npairs; i++) {
        int used = 0;
        rc = tkc_attn_series_pair(spec, SERIES_GOAL_OWN, NULL,
                                  tkc_strings_row(S, pairs[i].x),
                                  tkc_strings_row(S, pairs[i].y), S->k,
                                  &out->value[i], &out->se[i], &used, err);
        if (rc)
            return rc;
        lo = used < lo ? used : lo;
        hi = used > hi ? used : hi;
        tkc_progress_count_step(&count, i + 1);
    }
    if (out->cov) {
        /* truncation errors are not random: no correlation is claimed */
        memset(out->cov, 0, npairs * npairs * sizeof *out->cov);
        for (size_t i = 0; i < npairs; i++)
            out->cov[i * npairs + i] = out->se[i] * out->se[i];
    }
    out->error_kind = TKC_ERROR_TRUNCATION;
    out->samples = 0;
    char orders[32];
    snprintf(orders, sizeof orders, lo == hi ? "%d" : "%d..%d", lo, hi);
    snprintf(out->note, sizeof out->note,
             "%s truncation of the exact beta-series at order %s, MPFR %ld "
             "bits; error = first omitted term",
             spec->series.order > 0 ? "fixed" : "optimal", orders,
             spec->series.prec);
    return TKC_SUCCESS;
}

/* ---- options: order (even; 0 = optimal truncation), prec ------------------- */

static int series_check_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    int order = spec->series.order;
    if (order < 0 || order % 2 || order > TKC_SERIES_ORDER_MAX - 2)
        return tkc_fail(err, TKC_EINPUT, "K_attn series: order must be 0 "
                        "(optimal truncation) or an even power of beta in "
                        "2..%d (K_attn is even in beta; the next term, the "
                        "error estimate, needs the table's last row), got %d",
                        TKC_SERIES_ORDER_MAX - 2, order);
    return tkc_attn_check_option("series", "prec", (uint64_t)spec->series.prec,
                                 53, (uint64_t)1 << 20, err);
}

/* Deterministic: nothing to scale (evaluations, scale, raise_to NULL). */
const tkc_attn_estimator_type tkc_attn_series_type = {
    "series", "exact beta-series (GMP), optimal truncation in MPFR",
    series_eval_pairs, series_check_options, NULL, NULL, NULL};
