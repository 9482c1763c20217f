/* krr.c — kernel ridge regression on given strings and labels (tkc/krr.h):
 * the fit (K̂ by the structured path of krr_gram.c or by the general
 * path, gram.c's pattern table; the solve the plan picks, krr_plan.c: the
 * dense one, tkc_spd_solve, or the structured one, krr_structured.c; the
 * kernel replicates), the prediction, and the score against a template set
 * with the kernel's error of its numbers. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/krr.h"

#include "krr_dense_shard.h"
#include "krr_gram.h"
#include "krr_plan.h"
#include "krr_structured.h"

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

/* Dense solves spread over the processes of the spec's shard: no n×n
 * buffer here (krr_dense_shard.h). */
static int shared_dense_solves(tkc_krr_model *m, const double *y,
                               size_t replicates, tkc_error *err)
{
    int st = TKC_SUCCESS;
    for (size_t q = 0; q < replicates && !st; q++) {
        double t1 = seconds_now();
        tkc_spd_solve_info si;
        st = krr_dense_shard_solve(m->gram, q, m->spec.shard, m->lambda, y,
                                   m->alpha + q * m->n, &si, err);
        if (!st)
            record_solve(m, q, &si);
        m->seconds_solve += seconds_now() - t1;
    }
    return st;
}

/* Dense solves of every estimate: K̂ in one n×n buffer, refilled for each
 * (from the gram, or by the general pattern table). */
static int dense_solves(tkc_krr_model *m, const double *y, size_t replicates,
                        tkc_error *err)
{
    size_t n = m->n;
    if (m->gram && krr_dense_shard_active(m->spec.shard))
        return shared_dense_solves(m, y, replicates, err);
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
    int procs = krr_dense_shard_active(m->spec.shard) ? m->spec.shard->size
                                                      : 1;
    if ((st = krr_plan_fit(m->gram, set, o, procs, &m->plan, &s, err)))
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
    int st = krr_plan_general(m->n, o, &m->plan, err);
    /* the first solve learns the error kind and allocates alpha */
    return st ? st : dense_solves(m, y, o->kernel_replicates, err);
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
