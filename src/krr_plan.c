/* krr_plan.c — which solve a ridge regression takes (tkc/krr.h's
 * tkc_krr_plan): each path's predicted memory and flops, and the choice
 * between them by the options' budget, said in words.  Dense: n³/3 flops
 * and 8n² bytes.  Structured: from the pairs that share a symbol and
 * CHOLMOD's analysis of D + S (krr_structured.h), or, before any data
 * exist, from the expected number of such pairs under tkc_sample_draw
 * (tkc_krr_plan_expected, with the limits at the budget). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tkc/krr.h"

#include "krr_plan.h"

/* Below this many flops (n ≈ 1400) the dense solve takes a fraction of a
 * second: auto keeps it, for LAPACK's own condition estimate and bounds
 * and the digits small fits always had. */
#define DENSE_SMALL_FLOPS 1e9
/* A flop of sparse and vector work costs about this many of dense
 * Cholesky's (blocked BLAS-3): the weight of the structured path's
 * predicted flops against the dense path's (bench/bench_krr_scale measures
 * the crossover this implies). */
#define SPARSE_FLOP_WEIGHT 8.0
/* The structured solve iterates on S with only the diagonal of D + S in
 * the preconditioner while each string shares a symbol with at most this
 * many others on average: about 200 CG steps (krr_structured.c's model);
 * beyond, a rising share of the pairs are exceptions and K̂ is no longer
 * the block matrix the method is for. */
#define DIAGONAL_DEGREE_MAX 64.0

const char *tkc_krr_solver_name(tkc_krr_solver s)
{
    switch (s) {
    case TKC_KRR_SOLVER_DENSE: return "dense";
    case TKC_KRR_SOLVER_STRUCTURED: return "structured";
    default: return "auto";
    }
}

static double physical_memory(void)
{
    double m = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    return m > 0 ? m : 4e9;
}

/* What the data take beside the solve: the training strings (the
 * sample's and the model's copy), the gram's index of symbols. */
static double data_bytes(const tkc_template_set *set, double n)
{
    double k = (double)set->k,
           w = (double)tkc_template_set_max_wildcards(set);
    return n * (8.0 * k + 16.0 * w + 16.0);
}

static double budget_of(const tkc_krr_options *o)
{
    return o->memory_bytes > 0 ? o->memory_bytes : physical_memory();
}

static void plan_dense(tkc_krr_plan *p, size_t n)
{
    double dn = (double)n;
    p->dense_bytes = 8.0 * dn * dn + 96.0 * dn;
    p->dense_flops = dn * dn * dn / 3.0 + 10.0 * dn * dn;
}

static void plan_structured(tkc_krr_plan *p, const krr_structured_cost *c,
                            int factored)
{
    p->structured_bytes = c->bytes;
    p->structured_flops = c->flops;
    p->factor_nnz = c->factor_nnz;
    p->structured_factored = factored;
}

static int fits(double bytes, const tkc_krr_plan *p)
{
    return bytes <= p->memory_bytes;
}

/* Pick between the candidates whose figures are in p (structured_bytes 0:
 * no structured candidate) and say why. */
static void plan_choose(tkc_krr_plan *p, tkc_krr_solver asked)
{
    int dense_ok = fits(p->dense_bytes, p);
    int str_ok = p->structured_bytes > 0 && fits(p->structured_bytes, p);
    double gb = 1e-9, weighted = SPARSE_FLOP_WEIGHT * p->structured_flops;
    const char *how = p->structured_factored
                          ? "Woodbury over the sparse Cholesky of D + S + lambda I"
                          : "CG on S with the diagonal of D + S in the "
                            "preconditioner";
    p->chosen = TKC_KRR_SOLVER_AUTO;
    if (asked == TKC_KRR_SOLVER_DENSE && dense_ok) {
        p->chosen = TKC_KRR_SOLVER_DENSE;
        snprintf(p->reason, sizeof p->reason, "dense: asked for (%.3g GB, "
                 "%.3g flops)", p->dense_bytes * gb, p->dense_flops);
    } else if (asked == TKC_KRR_SOLVER_STRUCTURED && str_ok) {
        p->chosen = TKC_KRR_SOLVER_STRUCTURED;
        snprintf(p->reason, sizeof p->reason, "structured (%s): asked for "
                 "(predicted %.3g GB, %.3g flops; %.3g exceptional pairs)", how,
                 p->structured_bytes * gb, p->structured_flops,
                 p->shared_pairs);
    } else if (asked != TKC_KRR_SOLVER_AUTO) {
        snprintf(p->reason, sizeof p->reason, "%s: does not fit: needs %.3g GB, "
                 "the budget is %.3g GB", tkc_krr_solver_name(asked),
                 (asked == TKC_KRR_SOLVER_DENSE ? p->dense_bytes
                                                : p->structured_bytes) * gb,
                 p->memory_bytes * gb);
    } else if (dense_ok && p->dense_flops <= DENSE_SMALL_FLOPS) {
        p->chosen = TKC_KRR_SOLVER_DENSE;
        snprintf(p->reason, sizeof p->reason, "dense: predicted %.3g flops, "
                 "below %.0e where the structured path pays off",
                 p->dense_flops, DENSE_SMALL_FLOPS);
    } else if (dense_ok && (!str_ok || p->dense_flops <= weighted)) {
        p->chosen = TKC_KRR_SOLVER_DENSE;
        if (str_ok)
            snprintf(p->reason, sizeof p->reason, "dense: %.3g flops against "
                     "the structured path's %.3g (x%g for sparse work; %.3g "
                     "exceptional pairs, predicted factor %.3g nonzeros)",
                     p->dense_flops, p->structured_flops, SPARSE_FLOP_WEIGHT,
                     p->shared_pairs, p->factor_nnz);
        else
            snprintf(p->reason, sizeof p->reason, "dense: %.3g GB; the "
                     "structured path does not fit (%.3g exceptional pairs%s)",
                     p->dense_bytes * gb, p->shared_pairs,
                     p->structured_bytes > 0 ? ", its factor too large" : "");
    } else if (str_ok) {
        p->chosen = TKC_KRR_SOLVER_STRUCTURED;
        snprintf(p->reason, sizeof p->reason, "structured (%s): predicted "
                 "%.3g flops (x%g for sparse work) and %.3g GB, against dense "
                 "%.3g flops and %.3g GB%s", how, p->structured_flops,
                 SPARSE_FLOP_WEIGHT, p->structured_bytes * gb, p->dense_flops,
                 p->dense_bytes * gb, dense_ok ? "" : " (does not fit)");
    } else {
        snprintf(p->reason, sizeof p->reason, "no path fits %.3g GB: dense "
                 "needs %.3g GB; structured %s", p->memory_bytes * gb,
                 p->dense_bytes * gb,
                 p->structured_bytes > 0 ? "needs more" :
                 "needs fewer strings sharing a symbol");
    }
}

/* The plan of a fit through gram g; *s receives the structured solver when
 * it is the choice (and only then). */
int krr_plan_fit(tkc_krr_gram *g, const tkc_template_set *g_set,
                 const tkc_krr_options *o, int procs, tkc_krr_plan *p,
                 krr_structured **s, tkc_error *err)
{
    size_t n = tkc_krr_gram_size(g), ns = tkc_krr_gram_shared_pairs(g);
    *s = NULL;
    memset(p, 0, sizeof *p);
    p->n = n;
    p->templates = tkc_krr_gram_templates(g);
    p->shared_pairs = (double)ns;
    p->memory_bytes = budget_of(o);
    plan_dense(p, n);
    /* shared by procs processes: each holds and factors 1/procs of K̂ */
    p->dense_bytes = p->dense_bytes / procs + data_bytes(g_set, (double)n);
    p->dense_flops /= procs;
    int want = o->solver != TKC_KRR_SOLVER_DENSE &&
               !(o->solver == TKC_KRR_SOLVER_AUTO && fits(p->dense_bytes, p) &&
                 p->dense_flops <= DENSE_SMALL_FLOPS);
    /* The structured candidates: A factored (CHOLMOD's analysis predicts
     * its fill), or its diagonal with CG iterating on S; the cheaper of
     * those that fit. */
    krr_structured_cost cd, cf;
    krr_structured_cost_diagonal(n, p->templates, ns, &cd);
    cd.bytes += data_bytes(g_set, (double)n);
    int diag_ok = want && fits(cd.bytes, p) &&
                  2.0 * (double)ns / (double)n <= DIAGONAL_DEGREE_MAX;
    if (want && fits(cd.bytes, p)) {     /* the pattern of S fits at least */
        int st = krr_structured_alloc(g, KRR_A_FACTOR, s, err);
        if (st == TKC_ENOMEM)
            *s = NULL;
        else if (st)
            return st;
        if (*s) {
            krr_structured_cost_of(*s, &cf);
            cf.bytes += data_bytes(g_set, (double)n);
            if (!fits(cf.bytes, p) || (diag_ok && cd.flops < cf.flops)) {
                krr_structured_free(*s);
                *s = NULL;
            } else {
                plan_structured(p, &cf, 1);
            }
        }
    }
    if (!*s && diag_ok)
        plan_structured(p, &cd, 0);
    plan_choose(p, o->solver);
    if (p->chosen != TKC_KRR_SOLVER_STRUCTURED) {
        krr_structured_free(*s);
        *s = NULL;
    } else if (!*s) {
        int st = krr_structured_alloc(g, KRR_A_DIAGONAL, s, err);
        if (st)
            return st;
    }
    if (p->chosen == TKC_KRR_SOLVER_AUTO)
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu: %s", n, p->reason);
    return TKC_SUCCESS;
}

/* P(two strings of templates s and t share a substituted symbol) under
 * tkc_sample_draw: uniform injective maps into an alphabet of A. */
static double share_probability(size_t ws, size_t wt, double A)
{
    double disjoint = 1;
    for (size_t k = 0; k < wt; k++)
        disjoint *= (A - (double)ws - (double)k) / (A - (double)k);
    return 1 - (disjoint > 0 ? disjoint : 0);
}

/* E P(share) of two independent draws: Σ_st µ_s µ_t p_st. */
static double mean_share_probability(const tkc_template_set *set, double A)
{
    double p = 0;
    for (size_t s = 0; s < set->count; s++)
        for (size_t t = 0; t < set->count; t++)
            p += set->t[s].weight * set->t[t].weight *
                 share_probability(set->t[s].nwild, set->t[t].nwild, A);
    return p;
}

/* The structured path's expected cost for n strings at alphabet A: 0
 * when the strings are expected to share symbols with more than
 * DIAGONAL_DEGREE_MAX others each. */
static int expected_structured(const tkc_template_set *set, double n,
                               double A, krr_structured_cost *c, int *factored)
{
    double ns = 0.5 * n * (n - 1) * mean_share_probability(set, A);
    double degree = 2 * ns / n;
    size_t sn = (size_t)n, sns = (size_t)ns;
    if (degree > DIAGONAL_DEGREE_MAX)
        return 0;
    if (degree < 1) {
        /* No giant component: small trees and cycles, the factor about
         * the nonzeros of D + S, a few flops per nonzero. */
        krr_structured_cost_factor(sn, set->count, sns, n + ns, 4 * (n + ns), c);
        *factored = 1;
    } else {
        krr_structured_cost_diagonal(sn, set->count, sns, c);
        *factored = 0;
    }
    c->bytes += data_bytes(set, n);
    return 1;
}

/* The largest n (1 .. hi) for which ok(n) holds, ok monotone. */
static size_t largest_n(size_t hi, int (*ok)(const void *, double),
                        const void *ctx)
{
    if (!ok(ctx, 1))
        return 0;
    size_t lo = 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (ok(ctx, (double)mid))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

typedef struct limit_ctx {
    const tkc_template_set *set;
    double n, A, budget;
} limit_ctx;

static int structured_fits_n(const void *ctx, double n)
{
    const limit_ctx *l = ctx;
    krr_structured_cost c;
    int factored;
    return expected_structured(l->set, n, l->A, &c, &factored) &&
           c.bytes <= l->budget;
}

static int structured_fits_alphabet(const void *ctx, double A)
{
    const limit_ctx *l = ctx;
    krr_structured_cost c;
    int factored;
    return expected_structured(l->set, l->n, A, &c, &factored) &&
           c.bytes <= l->budget;
}

/* The smallest alphabet (A .. 2^62) at which the structured path fits n. */
static double smallest_alphabet(const limit_ctx *l)
{
    double lo = l->A, hi = l->A;
    while (!structured_fits_alphabet(l, hi))
        if ((hi *= 2) > 0x1p62)
            return INFINITY;
    if (hi == lo)
        return lo;
    lo = hi / 2;
    while (hi - lo > 0.5) {
        double mid = floor(0.5 * (lo + hi));
        if (structured_fits_alphabet(l, mid))
            hi = mid;
        else
            lo = mid;
        if (mid == lo && mid + 1 >= hi)
            break;
    }
    return hi;
}

int tkc_krr_plan_expected(const tkc_template_set *set, size_t n,
                          size_t alphabet, const tkc_krr_options *o,
                          tkc_krr_plan *p, tkc_krr_limits *lim, tkc_error *err)
{
    tkc_krr_options def;
    if (!o) {
        tkc_krr_options_default(&def);
        o = &def;
    }
    memset(p, 0, sizeof *p);
    if (!set || set->count == 0 || n == 0)
        return tkc_fail(err, TKC_EINPUT, "krr plan: no templates or n = 0");
    double rho;
    int st = tkc_template_set_rho(set, alphabet, &rho, err);
    if (st)
        return st;
    double A = (double)alphabet, dn = (double)n;
    p->n = n;
    p->templates = set->count;
    p->shared_pairs = 0.5 * dn * (dn - 1) * mean_share_probability(set, A);
    p->memory_bytes = budget_of(o);
    plan_dense(p, n);
    p->dense_bytes += data_bytes(set, dn);
    krr_structured_cost c;
    int factored;
    if (expected_structured(set, dn, A, &c, &factored))
        plan_structured(p, &c, factored);
    plan_choose(p, o->solver);
    if (lim) {
        limit_ctx l = {set, dn, A, p->memory_bytes};
        lim->dense_n_max = (size_t)floor(sqrt(p->memory_bytes / 8.0));
        lim->structured_n_max = largest_n((size_t)1 << 40, structured_fits_n, &l);
        lim->structured_alphabet_min = smallest_alphabet(&l);
    }
    return TKC_SUCCESS;
}

/* ======================================================================
 * Fit
 * ====================================================================== */

int krr_plan_general(size_t n, const tkc_krr_options *o, tkc_krr_plan *p,
                     tkc_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->memory_bytes = budget_of(o);
    plan_dense(p, n);
    p->chosen = TKC_KRR_SOLVER_DENSE;
    snprintf(p->reason, sizeof p->reason,
             "dense: strings without a template set (the only path)");
    if (o->solver == TKC_KRR_SOLVER_STRUCTURED)
        return tkc_fail(err, TKC_EINPUT, "krr: the structured solve needs a "
                        "template set (strings as substitutions of templates)");
    if (!fits(p->dense_bytes, p))
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu: the dense path needs "
                        "%.3g GB, the budget is %.3g GB", n,
                        p->dense_bytes * 1e-9, p->memory_bytes * 1e-9);
    return TKC_SUCCESS;
}
