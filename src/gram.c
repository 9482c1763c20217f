/* gram.c — Gram matrices of lists of strings (tkc/gram.h) through a table
 * of their distinct pair patterns: insert each pair's pattern while walking
 * the matrix (each gets a dense id in order of first insertion), evaluate
 * the table in one kernel call on one representative pair per pattern,
 * then look each entry up.  Between the two passes the matrix itself holds
 * the pattern ids (exact in a double), so nothing of size |X|·|Y| is
 * allocated besides K.
 *
 * Kernel ridge regression's general path (krr.c) builds its K̂ here
 * (tkc_gram_matrix_by, with its kernel estimate's evaluator) and predicts
 * through the same table (gram_table.h), so a fit's K̂ has this matrix's
 * digits. */
#include "gram_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the kernel call ------------------------------------------------------ */

int tkc_gram_eval_representatives(const tkc_kernel_spec *spec,
                                  const tkc_strings *S, double *value,
                                  double *se, tkc_gram_info *info,
                                  tkc_error *err)
{
    size_t np = S->count / 2;
    tkc_pair *pairs = malloc((np ? np : 1) * sizeof *pairs);
    tkc_kernel_values *v = tkc_kernel_values_alloc(np, 0, err);
    int st = TKC_SUCCESS;
    if (!pairs || !v) {
        st = tkc_fail(err, TKC_ENOMEM, "gram: cannot allocate %zu pairs", np);
        goto done;
    }
    for (size_t p = 0; p < np; p++)
        pairs[p] = (tkc_pair){2 * p, 2 * p + 1};
    if ((st = tkc_kernel_eval_pairs(spec, S, pairs, np, v, err)))
        goto done;
    info->se_max = 0;
    for (size_t p = 0; p < np; p++) {
        if (!isfinite(v->value[p])) {
            st = tkc_fail(err, TKC_ENUMERIC, "gram: the %s kernel gave a "
                          "non-finite value for pattern %zu", spec->kernel->name,
                          p);
            goto done;
        }
        value[p] = v->value[p];
        if (se)
            se[p] = v->se[p];
        info->se_max = fmax(info->se_max, v->se[p]);
    }
    info->npatterns = np;
    info->error_kind = v->error_kind;
    info->samples = v->samples;
    snprintf(info->estimator, sizeof info->estimator, "%s",
             v->estimator && v->estimator[0] ? v->estimator
                                             : spec->kernel->name);
    snprintf(info->note, sizeof info->note, "%s", v->note);
done:
    free(pairs);
    tkc_kernel_values_free(v);
    return st;
}

/* ---- the table ------------------------------------------------------------ */

int tkc_gram_table_init(tkc_gram_table *tb, tkc_error *err)
{
    memset(tb, 0, sizeof *tb);
    tb->ix = tkc_pattern_index_alloc(64, err);
    return tb->ix ? TKC_SUCCESS : TKC_ENOMEM;
}

void tkc_gram_table_clear(tkc_gram_table *tb)
{
    tkc_pattern_index_free(tb->ix);
    free(tb->value);
    free(tb->se);
    memset(tb, 0, sizeof *tb);
}

long tkc_gram_table_insert(tkc_gram_table *tb, const tkc_token *x,
                           const tkc_token *y, size_t k, tkc_error *err)
{
    tkc_pattern pat;
    tkc_pattern_of_unordered_pair(&pat, x, y, k, NULL);
    return tkc_pattern_index_insert(tb->ix, &pat, NULL, err);
}

long tkc_gram_table_find(const tkc_gram_table *tb, const tkc_token *x,
                         const tkc_token *y, size_t k, tkc_error *err)
{
    tkc_pattern pat;
    tkc_pattern_of_unordered_pair(&pat, x, y, k, NULL);
    long id = tkc_pattern_index_find(tb->ix, &pat);
    if (id < 0)
        tkc_fail(err, TKC_ENUMERIC, "gram: internal error: a pattern missing "
                                    "from its own table");
    return id;
}

int tkc_gram_table_evaluate(tkc_gram_table *tb, const tkc_kernel_spec *spec,
                            size_t k, tkc_gram_evaluator ev, const void *ctx,
                            tkc_error *err)
{
    size_t np = tkc_pattern_index_size(tb->ix);
    tkc_strings *S = tkc_strings_alloc(2 * np, k, err);
    tb->value = malloc((np ? np : 1) * sizeof *tb->value);
    tb->se = malloc((np ? np : 1) * sizeof *tb->se);
    int st;
    if (!S || !tb->value || !tb->se) {
        st = tkc_fail(err, TKC_ENOMEM, "gram: cannot allocate %zu patterns", np);
    } else {
        for (size_t p = 0; p < np; p++)
            tkc_pattern_representative(tkc_pattern_index_get(tb->ix, p),
                                       tkc_strings_row(S, 2 * p),
                                       tkc_strings_row(S, 2 * p + 1));
        st = ev ? ev(ctx, spec, S, tb->value, tb->se, &tb->info, err)
                : tkc_gram_eval_representatives(spec, S, tb->value, tb->se,
                                                &tb->info, err);
    }
    tkc_strings_free(S);
    return st;
}

/* ---- the matrix ----------------------------------------------------------- */

static int check_strings(const char *what, const tkc_strings *S, size_t k,
                         tkc_error *err)
{
    if (!S || !S->tok || S->count == 0)
        return tkc_fail(err, TKC_EINPUT, "gram: %s holds no strings", what);
    if (S->k < 1 || S->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "gram: %s holds strings of length "
                        "%zu; the length must be in 1..%d", what, S->k,
                        TKC_K_MAX);
    if (S->k != k)
        return tkc_fail(err, TKC_EINPUT, "gram: X holds strings of length %zu "
                        "and Y of length %zu: kernels compare strings of "
                        "equal length", k, S->k);
    return TKC_SUCCESS;
}

int tkc_gram_matrix_by(const tkc_kernel_spec *spec, const tkc_strings *X,
                       const tkc_strings *Y, double *K, double *se,
                       tkc_gram_info *info, tkc_gram_evaluator ev,
                       const void *ctx, tkc_error *err)
{
    int st;
    if ((st = check_strings("X", X, X ? X->k : 0, err)) ||
        (Y && (st = check_strings("Y", Y, X->k, err))))
        return st;
    if (!K)
        return tkc_fail(err, TKC_EINPUT, "gram: the output K is NULL");
    if ((st = tkc_kernel_spec_validate(spec, err)))
        return st;
    int sym = Y == NULL;
    const tkc_strings *C = sym ? X : Y;
    size_t nx = X->count, ny = C->count, k = X->k;
    tkc_gram_table tb;
    if ((st = tkc_gram_table_init(&tb, err)))
        return st;
    /* pass 1: the patterns, their ids parked in K */
    for (size_t j = 0; j < ny && !st; j++)
        for (size_t i = sym ? j : 0; i < nx; i++) {
            long id = tkc_gram_table_insert(&tb, tkc_strings_row(X, i),
                                            tkc_strings_row(C, j), k, err);
            if (id < 0) {
                st = TKC_ENOMEM;
                break;
            }
            K[i * ny + j] = (double)id;
        }
    if (!st)
        st = tkc_gram_table_evaluate(&tb, spec, k, ev, ctx, err);
    /* pass 2: each entry from its pattern's value */
    for (size_t j = 0; j < ny && !st; j++)
        for (size_t i = sym ? j : 0; i < nx; i++) {
            size_t id = (size_t)K[i * ny + j];
            K[i * ny + j] = tb.value[id];
            if (se)
                se[i * ny + j] = tb.se[id];
            if (sym) {
                K[j * ny + i] = tb.value[id];
                if (se)
                    se[j * ny + i] = tb.se[id];
            }
        }
    if (!st && info)
        *info = tb.info;
    tkc_gram_table_clear(&tb);
    return st;
}

int tkc_gram_matrix(const tkc_kernel_spec *spec, const tkc_strings *X,
                    const tkc_strings *Y, double *K, double *se,
                    tkc_gram_info *info, tkc_error *err)
{
    return tkc_gram_matrix_by(spec, X, Y, K, se, info, NULL, NULL, err);
}
