/* krr.c — kernel ridge regression on given strings and labels (tkc/krr.h):
 * the fit (K̂ by the structured path of krr_gram.c or by the general
 * path, gram.c's pattern table; the plan that picks the dense solve, tkc_spd_solve,
 * or the structured one, krr_structured.c; the kernel replicates), the
 * prediction, and the score against a template set with the kernel's error
 * of its numbers. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tkc/krr.h"

#include "krr_gram.h"
#include "krr_structured.h"

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

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ======================================================================
 * Options, names
 * ====================================================================== */

void tkc_krr_options_default(tkc_krr_options *o)
{
    *o = (tkc_krr_options){.lambda = TKC_KRR_LAMBDA_DEFAULT,
                           .solver = TKC_KRR_SOLVER_AUTO,
                           .kernel_replicates = 4,
                           .memory_bytes = 0,
                           .tolerance = 0,
                           .max_iterations = 1000};
}

const char *tkc_krr_solver_name(tkc_krr_solver s)
{
    switch (s) {
    case TKC_KRR_SOLVER_DENSE: return "dense";
    case TKC_KRR_SOLVER_STRUCTURED: return "structured";
    default: return "auto";
    }
}

const char *tkc_krr_kernel_error_name(tkc_krr_kernel_error e)
{
    switch (e) {
    case TKC_KRR_KERNEL_ERROR_REPLICATES: return "kernel replicates";
    case TKC_KRR_KERNEL_ERROR_PERTURBATION: return "perturbation within radii";
    case TKC_KRR_KERNEL_ERROR_NOT_COMPUTED: return "not computed";
    default: return "none (closed form)";
    }
}

double tkc_krr_replicate_sd(const double *v, size_t replicates)
{
    if (replicates < 2)
        return 0;
    double m = 0, q = 0;
    for (size_t i = 0; i < replicates; i++)
        m += v[i];
    m /= (double)replicates;
    for (size_t i = 0; i < replicates; i++)
        q += (v[i] - m) * (v[i] - m);
    return sqrt(q / (double)(replicates - 1));
}

static tkc_krr_kernel_error kernel_error_of(tkc_error_kind kind,
                                            size_t replicates)
{
    if (tkc_krr_replicates_needed(kind, 2) == 1)
        return TKC_KRR_KERNEL_ERROR_NONE;
    if (replicates < 2)
        return TKC_KRR_KERNEL_ERROR_NOT_COMPUTED;
    return kind == TKC_ERROR_TRUNCATION ? TKC_KRR_KERNEL_ERROR_PERTURBATION
                                        : TKC_KRR_KERNEL_ERROR_REPLICATES;
}

/* ======================================================================
 * The general path: K̂ and predictions of arbitrary strings through gram.c's
 * table of distinct canonical patterns (gram_table.h), evaluated in one
 * kernel call per estimate: K̂ is tkc_gram_matrix's, digit for digit.
 * ====================================================================== */

/* The table's kernel call as kernel estimate *ctx (a size_t). */
static int eval_estimate(const void *ctx, const tkc_kernel_spec *spec,
                         const tkc_strings *S, double *value, double *se,
                         tkc_gram_info *info, tkc_error *err)
{
    return tkc_krr_eval_representatives(spec, S, *(const size_t *)ctx, value,
                                        se, info, err);
}

/* K̂ of the model's strings (n×n, symmetric: either layout), estimate q. */
static int general_gram(tkc_krr_model *m, size_t q, double *K,
                        tkc_krr_kernel_info *info, tkc_error *err)
{
    tkc_gram_info gi;
    double t0 = seconds_now();
    int st = tkc_gram_matrix_by(&m->spec, m->strings, NULL, K, NULL, &gi,
                                eval_estimate, &q, err);
    m->seconds_kernel += seconds_now() - t0;     /* the fill included */
    if (!st)
        tkc_krr_kernel_info_of(&gi, info);
    return st;
}

/* pred[idx[j]] = Σ_i α_i K(x_i, X_idx[j]) for j < nq with estimate q's α
 * and kernel, the distinct patterns of all those pairs in one kernel
 * call (the table walked as tkc_gram_matrix(training, X_idx) walks it;
 * the patterns are looked up again rather than stored: n·nq ids). */
static int general_predict(const tkc_krr_model *m, size_t q,
                           const tkc_strings *X, const size_t *idx, size_t nq,
                           double *pred, tkc_error *err)
{
    const tkc_strings *T = m->strings;
    const double *alpha = m->alpha + q * m->n;
    size_t k = T->k;
    tkc_gram_table tb;
    int st = tkc_gram_table_init(&tb, err);
    for (size_t j = 0; j < nq && !st; j++)
        for (size_t i = 0; i < m->n && !st; i++)
            if (tkc_gram_table_insert(&tb, tkc_strings_row(T, i),
                                      tkc_strings_row(X, idx[j]), k, err) < 0)
                st = TKC_ENOMEM;
    if (!st)
        st = tkc_gram_table_evaluate(&tb, &m->spec, k, eval_estimate, &q, err);
    for (size_t j = 0; j < nq && !st; j++) {
        double s = 0;
        for (size_t i = 0; i < m->n; i++) {
            long id = tkc_gram_table_find(&tb, tkc_strings_row(T, i),
                                          tkc_strings_row(X, idx[j]), k, err);
            if (id < 0) {
                st = TKC_ENUMERIC;
                break;
            }
            s += alpha[i] * tb.value[id];
        }
        pred[idx[j]] = s;
    }
    tkc_gram_table_clear(&tb);
    return st;
}

/* ======================================================================
 * The plan: which solve, by predicted cost and memory
 * ====================================================================== */

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
static int plan_fit(tkc_krr_gram *g, const tkc_template_set *g_set,
                    const tkc_krr_options *o, tkc_krr_plan *p,
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
    p->dense_bytes += data_bytes(g_set, (double)n);
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

void tkc_krr_model_free(tkc_krr_model *m)
{
    if (!m)
        return;
    free(m->alpha);
    free(m->replicate_train_mse);
    tkc_strings_free(m->strings);
    tkc_krr_gram_free(m->gram);
    free(m);
}

static int check_fit_input(const tkc_kernel_spec *spec, const tkc_strings *X,
                           const double *y, const tkc_krr_options *o,
                           tkc_error *err)
{
    if (!X || !y)
        return tkc_fail(err, TKC_EINPUT, "krr: strings or labels are NULL");
    if (X->count == 0 || X->count > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr: n must be in [1, %d], got %zu",
                        INT32_MAX, X->count);
    if (X->k < 1 || X->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr: strings of length %zu; the "
                        "length must be in 1..%d", X->k, TKC_K_MAX);
    if (!(o->lambda >= 0) || !isfinite(o->lambda))
        return tkc_fail(err, TKC_EINPUT, "krr: lambda must be finite and >= 0, "
                        "got %g", o->lambda);
    if (o->kernel_replicates < 1 || o->kernel_replicates > 1024)
        return tkc_fail(err, TKC_EINPUT, "krr: kernel replicates must be in "
                        "1..1024, got %u", o->kernel_replicates);
    if (!(o->tolerance >= 0) || !(o->memory_bytes >= 0) ||
        !isfinite(o->memory_bytes) || o->max_iterations < 1)
        return tkc_fail(err, TKC_EINPUT, "krr: tolerance and memory must be "
                        ">= 0 and the iterations >= 1");
    if ((unsigned)o->solver > TKC_KRR_SOLVER_STRUCTURED)
        return tkc_fail(err, TKC_EINPUT, "krr: unknown solver %d", (int)o->solver);
    for (size_t i = 0; i < X->count; i++)
        if (!isfinite(y[i]))
            return tkc_fail(err, TKC_EINPUT, "krr: label y[%zu] = %g is not "
                            "finite", i, y[i]);
    return tkc_kernel_spec_validate(spec, err);
}

static tkc_krr_model *model_alloc(const tkc_kernel_spec *spec,
                                  const tkc_strings *X, tkc_error *err)
{
    tkc_krr_model *m = calloc(1, sizeof *m);
    if (!m) {
        tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
        return NULL;
    }
    m->n = X->count;
    m->spec = *spec;
    m->strings = tkc_strings_alloc(m->n, X->k, err);
    if (!m->strings) {
        tkc_krr_model_free(m);
        tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
        return NULL;
    }
    memcpy(m->strings->tok, X->tok, m->n * X->k * sizeof *X->tok);
    return m;
}

static int alloc_alpha(tkc_krr_model *m, size_t replicates, tkc_error *err)
{
    m->replicates = replicates;
    m->alpha = malloc(replicates * m->n * sizeof *m->alpha);
    m->replicate_train_mse = calloc(replicates, sizeof *m->replicate_train_mse);
    return m->alpha && m->replicate_train_mse
               ? TKC_SUCCESS
               : tkc_fail(err, TKC_ENOMEM, "krr: out of memory (alpha)");
}

/* The solve of estimate q into m->alpha + q n; estimate 0's figures go
 * into the model, a replicate's ridge raises are counted. */
static void record_solve(tkc_krr_model *m, size_t q,
                         const tkc_spd_solve_info *info)
{
    if (q == 0)
        m->solve = *info;
    else
        m->replicate_escalations += info->escalations;
    /* K̂α = y − λα: the training residual is λα (to the solve's ferr). */
    const double *alpha = m->alpha + q * m->n;
    double s = 0;
    for (size_t i = 0; i < m->n; i++) {
        double d = info->lambda_used * alpha[i];
        s += d * d;
    }
    m->replicate_train_mse[q] = s / (double)m->n;
}

/* Dense solves of every estimate: K̂ in one n×n buffer, refilled for each
 * (from the gram, or by the general pattern table). */
static int dense_solves(tkc_krr_model *m, const double *y, size_t replicates,
                        tkc_error *err)
{
    size_t n = m->n;
    if (n > SIZE_MAX / sizeof(double) / n)
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu is too large", n);
    double *K = malloc(n * n * sizeof *K);
    if (!K)
        return tkc_fail(err, TKC_ENOMEM,
                        "krr: cannot allocate K (%zu x %zu doubles, %.2f GB)", n,
                        n, (double)n * (double)n * 8e-9);
    int st = TKC_SUCCESS;
    for (size_t q = 0; q < replicates && !st; q++) {
        double t0 = seconds_now();
        tkc_krr_kernel_info info;
        if (m->gram) {
            st = tkc_krr_gram_fill(m->gram, q, K, n, err);
            m->seconds_fill += seconds_now() - t0;
        } else {
            st = general_gram(m, q, K, &info, err);
            if (!st && q == 0) {
                m->kernel = info;
                replicates = tkc_krr_replicates_needed(info.error_kind,
                                                       replicates);
                if ((st = alloc_alpha(m, replicates, err)))
                    break;
            }
        }
        double t1 = seconds_now();
        for (size_t i = 0; !st && q == 0 && !m->gram && i < n; i++)
            m->kernel_diag_max = fmax(m->kernel_diag_max, K[i + i * n]);
        tkc_spd_solve_info si;
        if (!st)
            st = tkc_spd_solve(K, n, n, m->lambda, y, m->alpha + q * n, &si, err);
        if (!st)
            record_solve(m, q, &si);
        m->seconds_solve += seconds_now() - t1;
    }
    free(K);
    return st;
}

static int structured_solves(tkc_krr_model *m, krr_structured *s,
                             const double *y, const tkc_krr_options *o,
                             tkc_error *err)
{
    int st = TKC_SUCCESS;
    for (size_t q = 0; q < m->replicates && !st; q++) {
        double t0 = seconds_now();
        tkc_spd_solve_info si;
        krr_structured_info info;
        st = krr_structured_solve(s, q, m->lambda, y, o->tolerance,
                                  o->max_iterations, m->alpha + q * m->n, &si,
                                  &info, err);
        m->seconds_solve += seconds_now() - t0;
        if (st)
            break;
        record_solve(m, q, &si);
        if (q == 0)
            m->structured = (tkc_krr_structured_report){
                info.mode == KRR_A_FACTOR, info.shift, info.iterations,
                info.backward_error, info.converged, info.capacitance_rcond,
                info.peak_bytes};
    }
    return st;
}

/* ‖y − (K̂ + λ_used I)α‖₂ / ‖y‖₂ of the fit, from the gram's values. */
static int fit_residual(tkc_krr_model *m, const double *y, tkc_error *err)
{
    size_t n = m->n;
    long double *r = malloc(n * sizeof *r);
    if (!r)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory (residual)");
    int st = tkc_krr_gram_residual(m->gram, 0, m->solve.lambda_used, y, m->alpha,
                                   r, NULL, err);
    long double r2 = 0, y2 = 0;
    for (size_t i = 0; !st && i < n; i++) {
        r2 += r[i] * r[i];
        y2 += (long double)y[i] * y[i];
    }
    m->residual = (double)(y2 > 0 ? sqrtl(r2 / y2) : sqrtl(r2));
    m->residual_computed = !st;
    free(r);
    return st;
}

/* Through a template set: the gram (every kernel estimate), the plan, the
 * solves. */
static int fit_structured(tkc_krr_model *m, const tkc_template_set *set,
                          const size_t *template_index, const double *y,
                          const tkc_krr_options *o, tkc_error *err)
{
    double t0 = seconds_now();
    int st = tkc_krr_gram_build(&m->spec, set, m->strings, template_index,
                                o->kernel_replicates, &m->gram, err);
    m->seconds_kernel = seconds_now() - t0;
    if (st)
        return st;
    m->kernel = *tkc_krr_gram_kernel_info(m->gram, 0);
    for (size_t i = 0; i < m->n; i++)
        m->kernel_diag_max = fmax(m->kernel_diag_max,
                                  tkc_krr_gram_self(m->gram, 0,
                                                    tkc_krr_gram_template(m->gram, i)));
    if ((st = alloc_alpha(m, tkc_krr_gram_replicates(m->gram), err)))
        return st;
    krr_structured *s = NULL;
    if ((st = plan_fit(m->gram, set, o, &m->plan, &s, err)))
        return st;
    if (s)
        st = structured_solves(m, s, y, o, err);
    else
        st = dense_solves(m, y, m->replicates, err);
    krr_structured_free(s);
    if (!st)
        st = fit_residual(m, y, err);
    return st;
}

static int fit_general(tkc_krr_model *m, const double *y,
                       const tkc_krr_options *o, tkc_error *err)
{
    memset(&m->plan, 0, sizeof m->plan);
    m->plan.n = m->n;
    m->plan.memory_bytes = budget_of(o);
    plan_dense(&m->plan, m->n);
    m->plan.chosen = TKC_KRR_SOLVER_DENSE;
    snprintf(m->plan.reason, sizeof m->plan.reason,
             "dense: strings without a template set (the only path)");
    if (o->solver == TKC_KRR_SOLVER_STRUCTURED)
        return tkc_fail(err, TKC_EINPUT, "krr: the structured solve needs a "
                        "template set (strings as substitutions of templates)");
    if (!fits(m->plan.dense_bytes, &m->plan))
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu: the dense path needs "
                        "%.3g GB, the budget is %.3g GB", m->n,
                        m->plan.dense_bytes * 1e-9, m->plan.memory_bytes * 1e-9);
    /* the first solve learns the error kind and allocates alpha */
    return dense_solves(m, y, o->kernel_replicates, err);
}

int tkc_krr_fit(const tkc_kernel_spec *spec, const tkc_template_set *set,
                const tkc_strings *X, const size_t *template_index,
                const double *y, const tkc_krr_options *o, tkc_krr_model **out,
                tkc_error *err)
{
    *out = NULL;
    tkc_krr_options def;
    if (!o) {
        tkc_krr_options_default(&def);
        o = &def;
    }
    int st = check_fit_input(spec, X, y, o, err);
    if (st)
        return st;
    tkc_krr_model *m = model_alloc(spec, X, err);
    if (!m)
        return TKC_ENOMEM;
    m->set = set;
    m->lambda = o->lambda;
    st = set ? fit_structured(m, set, template_index, y, o, err)
             : fit_general(m, y, o, err);
    if (st) {
        tkc_krr_model_free(m);
        return st;
    }
    m->kernel_error = kernel_error_of(m->kernel.error_kind, m->replicates);
    m->train_mse = m->replicate_train_mse[0];
    *out = m;
    return TKC_SUCCESS;
}

/* ======================================================================
 * Predict
 * ====================================================================== */

/* f̂ on strings of template t whose symbols are unseen: Σ_u N_tu Σ_{t_i=u} α_i. */
static double unseen_prediction(const tkc_krr_gram *g, size_t q, size_t r,
                                const double *asum, size_t t)
{
    double s = 0;
    for (size_t u = 0; u < r; u++)
        s += tkc_krr_gram_cross(g, q, t, u) * asum[u];
    return s;
}

/* The strings the O(r) path predicts, into pred; the others' indices into
 * idx (*nq of them). */
static int predict_unseen(const tkc_krr_model *m, size_t q,
                          const tkc_strings *X, double *pred, size_t *idx,
                          size_t *nq, tkc_error *err)
{
    size_t r = m->set->count;
    const double *alpha = m->alpha + q * m->n;
    double *asum = calloc(r, sizeof *asum);
    if (!asum)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    for (size_t i = 0; i < m->n; i++)
        asum[tkc_krr_gram_template(m->gram, i)] += alpha[i];
    *nq = 0;
    for (size_t j = 0; j < X->count; j++) {
        size_t t;
        if (tkc_krr_gram_unseen_template(m->gram, tkc_strings_row(X, j), &t))
            pred[j] = unseen_prediction(m->gram, q, r, asum, t);
        else
            idx[(*nq)++] = j;
    }
    free(asum);
    return TKC_SUCCESS;
}

int tkc_krr_predict_replicate(const tkc_krr_model *m, size_t q,
                              const tkc_strings *X, double *pred,
                              tkc_error *err)
{
    if (!X || !pred)
        return tkc_fail(err, TKC_EINPUT, "krr predict: strings or output NULL");
    if (q >= m->replicates)
        return tkc_fail(err, TKC_EINPUT, "krr predict: kernel estimate %zu of "
                        "%zu", q, m->replicates);
    if (X->k != m->strings->k)
        return tkc_fail(err, TKC_EINPUT, "krr predict: strings of length %zu, "
                        "the model's have %zu", X->k, m->strings->k);
    if (X->count == 0)
        return TKC_SUCCESS;
    size_t *idx = malloc(X->count * sizeof *idx), nq = X->count;
    if (!idx)
        return tkc_fail(err, TKC_ENOMEM, "krr predict: out of memory");
    int st = TKC_SUCCESS;
    if (m->gram)
        st = predict_unseen(m, q, X, pred, idx, &nq, err);
    else
        for (size_t j = 0; j < nq; j++)
            idx[j] = j;
    if (!st && nq)
        st = general_predict(m, q, X, idx, nq, pred, err);
    free(idx);
    return st;
}

int tkc_krr_predict(const tkc_krr_model *m, const tkc_strings *X, double *pred,
                    tkc_error *err)
{
    return tkc_krr_predict_replicate(m, 0, X, pred, err);
}

/* ======================================================================
 * Score against a template set
 * ====================================================================== */

void tkc_krr_score_free(tkc_krr_score *s)
{
    if (!s)
        return;
    free(s->template_prediction);
    free(s->template_prediction_kernel_se);
    free(s->template_sq_error);
    free(s->replicate_prediction);
    free(s->replicate_mse_population);
    free(s);
}

static int check_score_input(const tkc_krr_model *m, const tkc_template_set *set,
                             tkc_error *err)
{
    const char *name = set && set->source ? set->source : "template set";
    if (!set || set->count == 0)
        return tkc_fail(err, TKC_EINPUT, "krr score: the template set is empty");
    if (set->symbolic_labels)
        return tkc_fail(err, TKC_EINPUT,
                        "%s: some labels are wildcards (a next-token task); "
                        "kernel ridge regression needs real labels", name);
    if (set->k != m->strings->k)
        return tkc_fail(err, TKC_EINPUT, "krr score: %s has length %zu, the "
                        "training strings %zu", name, set->k, m->strings->k);
    if (m->set && m->set != set)
        return tkc_fail(err, TKC_EINPUT, "krr score: a model fit through a "
                        "template set is scored against that set");
    return TKC_SUCCESS;
}

/* One string per template, its wildcards on symbols above every token of
 * the training strings (so, never seen in training). */
static int unseen_representatives(const tkc_krr_model *m,
                                  const tkc_template_set *set,
                                  tkc_strings **out, tkc_error *err)
{
    tkc_token top = (tkc_token)set->nsymbols - 1;
    for (size_t e = 0; e < m->n * m->strings->k; e++)
        top = m->strings->tok[e] > top ? m->strings->tok[e] : top;
    size_t w = tkc_template_set_max_wildcards(set);
    if ((int64_t)top + 1 + (int64_t)w > INT32_MAX)
        return tkc_fail(err, TKC_ERANGE, "krr score: no token ids are left "
                        "above the training strings' for unseen symbols");
    tkc_strings *R = tkc_strings_alloc(set->count, set->k, err);
    if (!R)
        return TKC_ENOMEM;
    tkc_token map[TKC_K_MAX];
    for (size_t a = 0; a < w; a++)
        map[a] = top + 1 + (tkc_token)a;
    for (size_t t = 0; t < set->count; t++) {
        int st = tkc_template_substitute(set, t, map, tkc_strings_row(R, t), err);
        if (st) {
            tkc_strings_free(R);
            return st;
        }
    }
    *out = R;
    return TKC_SUCCESS;
}

/* Σ_t µ(t) (pred_t − f*(z_t))². */
static double population_mse(const tkc_template_set *set, const double *pred)
{
    double s = 0;
    for (size_t t = 0; t < set->count; t++) {
        double e = pred[t] - set->t[t].label;
        s += set->t[t].weight * e * e;
    }
    return s;
}

static tkc_krr_score *score_alloc(size_t r, size_t R)
{
    tkc_krr_score *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ntemplates = r;
    s->replicates = R;
    s->template_prediction = malloc(r * sizeof(double));
    s->template_prediction_kernel_se = malloc(r * sizeof(double));
    s->template_sq_error = malloc(r * sizeof(double));
    s->replicate_prediction = malloc(R * r * sizeof(double));
    s->replicate_mse_population = malloc(R * sizeof(double));
    if (!s->template_prediction || !s->template_prediction_kernel_se ||
        !s->template_sq_error || !s->replicate_prediction ||
        !s->replicate_mse_population) {
        tkc_krr_score_free(s);
        return NULL;
    }
    return s;
}

int tkc_krr_score_templates(const tkc_krr_model *m, const tkc_template_set *set,
                            tkc_krr_score **out, tkc_error *err)
{
    *out = NULL;
    int st = check_score_input(m, set, err);
    if (st)
        return st;
    size_t r = set->count, R = m->replicates;
    tkc_krr_score *s = score_alloc(r, R);
    tkc_strings *Z = NULL;
    if (!s)
        return tkc_fail(err, TKC_ENOMEM, "krr score: out of memory");
    st = unseen_representatives(m, set, &Z, err);
    for (size_t q = 0; q < R && !st; q++)
        st = tkc_krr_predict_replicate(m, q, Z, s->replicate_prediction + q * r,
                                       err);
    tkc_strings_free(Z);
    if (st) {
        tkc_krr_score_free(s);
        return st;
    }
    memcpy(s->template_prediction, s->replicate_prediction, r * sizeof(double));
    for (size_t t = 0; t < r; t++)
        s->label_mean += set->t[t].weight * set->t[t].label;
    double *v = malloc(R * sizeof *v);
    if (!v) {
        tkc_krr_score_free(s);
        return tkc_fail(err, TKC_ENOMEM, "krr score: out of memory");
    }
    for (size_t t = 0; t < r; t++) {
        double d = set->t[t].label - s->label_mean;
        s->label_variance += set->t[t].weight * d * d;
        double e = s->template_prediction[t] - set->t[t].label;
        s->template_sq_error[t] = e * e;
        for (size_t q = 0; q < R; q++)
            v[q] = s->replicate_prediction[q * r + t];
        s->template_prediction_kernel_se[t] = tkc_krr_replicate_sd(v, R);
    }
    for (size_t q = 0; q < R; q++)
        s->replicate_mse_population[q] =
            population_mse(set, s->replicate_prediction + q * r);
    s->test_mse_population = s->replicate_mse_population[0];
    s->test_mse_population_kernel_se =
        tkc_krr_replicate_sd(s->replicate_mse_population, R);
    free(v);
    *out = s;
    return TKC_SUCCESS;
}
