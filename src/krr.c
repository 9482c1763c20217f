/* krr.c — kernel ridge regression on given strings and labels (tkc/krr.h):
 * the fit (K̂ by the structured path of krr_gram.c or by the general
 * pattern table below, then tkc_spd_solve), the prediction, and the score
 * against a template set. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/krr.h"

#include "krr_gram.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ======================================================================
 * The general path: the distinct canonical patterns of arbitrary pairs of
 * strings, evaluated in one kernel call.  Used in two passes: every pair's
 * pattern is inserted, the table is evaluated, then each pair looks its
 * value up (patterns are recomputed rather than stored: n² ids would cost
 * as much memory as K̂).
 * ====================================================================== */

typedef struct pattern_table {
    tkc_pattern_index *ix;
    double *value;             /* by pattern id, once evaluated             */
    tkc_krr_kernel_info info;
} pattern_table;

static void table_free(pattern_table *tb)
{
    tkc_pattern_index_free(tb->ix);
    free(tb->value);
}

/* Id of the unordered pattern of (x, y); inserted when `insert`. */
static long table_id(pattern_table *tb, const tkc_token *x, const tkc_token *y,
                     size_t k, int insert, tkc_error *err)
{
    tkc_pattern pat;
    tkc_pattern_of_unordered_pair(&pat, x, y, k, NULL);
    if (insert)
        return tkc_pattern_index_insert(tb->ix, &pat, NULL, err);
    long id = tkc_pattern_index_find(tb->ix, &pat);
    if (id < 0)
        tkc_fail(err, TKC_ENUMERIC, "krr: internal error: a pattern missing "
                                    "from its own table");
    return id;
}

/* One representative pair per pattern, all in one kernel call. */
static int table_evaluate(pattern_table *tb, const tkc_kernel_spec *spec,
                          size_t k, tkc_error *err)
{
    size_t np = tkc_pattern_index_size(tb->ix);
    tkc_strings *S = tkc_strings_alloc(2 * np, k, err);
    tb->value = malloc(np * sizeof *tb->value);
    if (!S || !tb->value) {
        tkc_strings_free(S);
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate %zu patterns", np);
    }
    for (size_t p = 0; p < np; p++)
        tkc_pattern_representative(tkc_pattern_index_get(tb->ix, p),
                                   tkc_strings_row(S, 2 * p),
                                   tkc_strings_row(S, 2 * p + 1));
    int st = tkc_krr_eval_representatives(spec, S, tb->value, &tb->info, err);
    tkc_strings_free(S);
    return st;
}

/* K̂ of the model's strings by the table.  Between the passes the lower
 * triangle holds pattern ids (exact in a double). */
static int general_gram(tkc_krr_model *m, double *K, size_t lda,
                        tkc_error *err)
{
    const tkc_strings *X = m->strings;
    size_t n = m->n, k = X->k;
    pattern_table tb = {0};
    double t0 = seconds_now();
    if (!(tb.ix = tkc_pattern_index_alloc(64, err)))
        return TKC_ENOMEM;
    int st = TKC_SUCCESS;
    for (size_t j = 0; j < n && !st; j++)
        for (size_t i = j; i < n; i++) {
            long id = table_id(&tb, tkc_strings_row(X, i), tkc_strings_row(X, j),
                               k, 1, err);
            if (id < 0) {
                st = TKC_ENOMEM;
                break;
            }
            K[i + j * lda] = (double)id;
        }
    if (!st)
        st = table_evaluate(&tb, &m->spec, k, err);
    double t1 = seconds_now();
    if (!st)
        for (size_t j = 0; j < n; j++)
            for (size_t i = j; i < n; i++)
                K[i + j * lda] = K[j + i * lda] = tb.value[(size_t)K[i + j * lda]];
    m->seconds_kernel = t1 - t0;
    m->seconds_fill = seconds_now() - t1;
    m->kernel = tb.info;
    table_free(&tb);
    return st;
}

/* pred[idx[q]] = Σ_i α_i K(x_i, X_idx[q]) for q < nq, the distinct patterns
 * of all those pairs in one kernel call. */
static int general_predict(const tkc_krr_model *m, const tkc_strings *X,
                           const size_t *idx, size_t nq, double *pred,
                           tkc_error *err)
{
    const tkc_strings *T = m->strings;
    size_t k = T->k;
    pattern_table tb = {0};
    if (!(tb.ix = tkc_pattern_index_alloc(64, err)))
        return TKC_ENOMEM;
    int st = TKC_SUCCESS;
    for (size_t q = 0; q < nq && !st; q++)
        for (size_t i = 0; i < m->n && !st; i++)
            if (table_id(&tb, tkc_strings_row(T, i), tkc_strings_row(X, idx[q]),
                         k, 1, err) < 0)
                st = TKC_ENOMEM;
    if (!st)
        st = table_evaluate(&tb, &m->spec, k, err);
    for (size_t q = 0; q < nq && !st; q++) {
        double s = 0;
        for (size_t i = 0; i < m->n; i++) {
            long id = table_id(&tb, tkc_strings_row(T, i),
                               tkc_strings_row(X, idx[q]), k, 0, err);
            if (id < 0) {
                st = TKC_ENUMERIC;
                break;
            }
            s += m->alpha[i] * tb.value[id];
        }
        pred[idx[q]] = s;
    }
    table_free(&tb);
    return st;
}

/* ======================================================================
 * Fit
 * ====================================================================== */

void tkc_krr_model_free(tkc_krr_model *m)
{
    if (!m)
        return;
    free(m->alpha);
    tkc_strings_free(m->strings);
    tkc_krr_gram_free(m->gram);
    free(m);
}

static int check_fit_input(const tkc_kernel_spec *spec, const tkc_strings *X,
                           const double *y, double lambda, tkc_error *err)
{
    if (!X || !y)
        return tkc_fail(err, TKC_EINPUT, "krr: strings or labels are NULL");
    if (X->count == 0 || X->count > (size_t)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr: n must be in [1, %d], got %zu",
                        INT32_MAX, X->count);
    if (X->k < 1 || X->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "krr: strings of length %zu; the "
                        "length must be in 1..%d", X->k, TKC_K_MAX);
    if (!(lambda >= 0) || !isfinite(lambda))
        return tkc_fail(err, TKC_EINPUT, "krr: lambda must be finite and >= 0, "
                        "got %g", lambda);
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
    m->alpha = malloc(m->n * sizeof *m->alpha);
    m->strings = tkc_strings_alloc(m->n, X->k, err);
    if (!m->alpha || !m->strings) {
        tkc_krr_model_free(m);
        tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
        return NULL;
    }
    memcpy(m->strings->tok, X->tok, m->n * X->k * sizeof *X->tok);
    return m;
}

/* The structured path's kernel call; its figures go into the model. */
static int structured_kernel(tkc_krr_model *m, const tkc_template_set *set,
                             const size_t *template_index, tkc_error *err)
{
    double t0 = seconds_now();
    int st = tkc_krr_gram_build(&m->spec, set, m->strings, template_index,
                                &m->gram, err);
    m->seconds_kernel = seconds_now() - t0;
    if (st)
        return st;
    m->kernel = *tkc_krr_gram_kernel_info(m->gram);
    return TKC_SUCCESS;
}

/* Assemble K̂, solve; K̂ is freed before returning (it is the big one). */
static int assemble_and_solve(tkc_krr_model *m, const double *y, double lambda,
                              tkc_error *err)
{
    size_t n = m->n;
    if (n > SIZE_MAX / sizeof(double) / n)
        return tkc_fail(err, TKC_ENOMEM, "krr: n = %zu is too large", n);
    double t0 = seconds_now();
    double *K = malloc(n * n * sizeof *K);
    if (!K)
        return tkc_fail(err, TKC_ENOMEM,
                        "krr: cannot allocate K (%zu x %zu doubles, %.2f GB)", n,
                        n, (double)n * (double)n * 8e-9);
    int st = m->gram ? tkc_krr_gram_fill(m->gram, K, n, err)
                     : general_gram(m, K, n, err);
    double t1 = seconds_now();
    if (m->gram)
        m->seconds_fill = t1 - t0;
    for (size_t i = 0; !st && i < n; i++)
        m->kernel_diag_max = fmax(m->kernel_diag_max, K[i + i * n]);
    if (!st)
        st = tkc_spd_solve(K, n, n, lambda, y, m->alpha, &m->solve, err);
    m->seconds_solve = seconds_now() - t1;
    free(K);
    return st;
}

int tkc_krr_fit(const tkc_kernel_spec *spec, const tkc_template_set *set,
                const tkc_strings *X, const size_t *template_index,
                const double *y, double lambda, tkc_krr_model **out,
                tkc_error *err)
{
    *out = NULL;
    int st = check_fit_input(spec, X, y, lambda, err);
    if (st)
        return st;
    tkc_krr_model *m = model_alloc(spec, X, err);
    if (!m)
        return TKC_ENOMEM;
    m->set = set;
    if (set)
        st = structured_kernel(m, set, template_index, err);
    if (!st)
        st = assemble_and_solve(m, y, lambda, err);
    if (st) {
        tkc_krr_model_free(m);
        return st;
    }
    /* K̂α = y − λα: the training residual is λα (to the solve's ferr). */
    double s = 0;
    for (size_t i = 0; i < m->n; i++) {
        double d = m->solve.lambda_used * m->alpha[i];
        s += d * d;
    }
    m->train_mse = s / (double)m->n;
    *out = m;
    return TKC_SUCCESS;
}

/* ======================================================================
 * Predict
 * ====================================================================== */

/* f̂ on strings of template t whose symbols are unseen: Σ_u N_tu Σ_{t_i=u} α_i. */
static double unseen_prediction(const tkc_krr_gram *g, size_t r,
                                const double *asum, size_t t)
{
    double s = 0;
    for (size_t u = 0; u < r; u++)
        s += tkc_krr_gram_cross(g, t, u) * asum[u];
    return s;
}

/* The strings the O(r) path predicts, into pred; the others' indices into
 * idx (*nq of them). */
static int predict_unseen(const tkc_krr_model *m, const tkc_strings *X,
                          double *pred, size_t *idx, size_t *nq,
                          tkc_error *err)
{
    size_t r = m->set->count;
    double *asum = calloc(r, sizeof *asum);
    if (!asum)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    for (size_t i = 0; i < m->n; i++)
        asum[tkc_krr_gram_template(m->gram, i)] += m->alpha[i];
    *nq = 0;
    for (size_t j = 0; j < X->count; j++) {
        size_t t;
        if (tkc_krr_gram_unseen_template(m->gram, tkc_strings_row(X, j), &t))
            pred[j] = unseen_prediction(m->gram, r, asum, t);
        else
            idx[(*nq)++] = j;
    }
    free(asum);
    return TKC_SUCCESS;
}

int tkc_krr_predict(const tkc_krr_model *m, const tkc_strings *X, double *pred,
                    tkc_error *err)
{
    if (!X || !pred)
        return tkc_fail(err, TKC_EINPUT, "krr predict: strings or output NULL");
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
        st = predict_unseen(m, X, pred, idx, &nq, err);
    else
        for (size_t j = 0; j < nq; j++)
            idx[j] = j;
    if (!st && nq)
        st = general_predict(m, X, idx, nq, pred, err);
    free(idx);
    return st;
}

/* ======================================================================
 * Score against a template set
 * ====================================================================== */

void tkc_krr_score_free(tkc_krr_score *s)
{
    if (!s)
        return;
    free(s->template_prediction);
    free(s->template_sq_error);
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

int tkc_krr_score_templates(const tkc_krr_model *m, const tkc_template_set *set,
                            tkc_krr_score **out, tkc_error *err)
{
    *out = NULL;
    int st = check_score_input(m, set, err);
    if (st)
        return st;
    size_t r = set->count;
    tkc_krr_score *s = calloc(1, sizeof *s);
    tkc_strings *R = NULL;
    if (!s || !(s->template_prediction = malloc(r * sizeof(double))) ||
        !(s->template_sq_error = malloc(r * sizeof(double)))) {
        tkc_krr_score_free(s);
        return tkc_fail(err, TKC_ENOMEM, "krr score: out of memory");
    }
    s->ntemplates = r;
    st = unseen_representatives(m, set, &R, err);
    if (!st)
        st = tkc_krr_predict(m, R, s->template_prediction, err);
    tkc_strings_free(R);
    if (st) {
        tkc_krr_score_free(s);
        return st;
    }
    for (size_t t = 0; t < r; t++)
        s->label_mean += set->t[t].weight * set->t[t].label;
    for (size_t t = 0; t < r; t++) {
        double d = set->t[t].label - s->label_mean;
        s->label_variance += set->t[t].weight * d * d;
        double e = s->template_prediction[t] - set->t[t].label;
        s->template_sq_error[t] = e * e;
        s->test_mse_population += set->t[t].weight * e * e;
    }
    *out = s;
    return TKC_SUCCESS;
}
