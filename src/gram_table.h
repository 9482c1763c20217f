/* gram_table.h (internal) — the table of distinct pair patterns every
 * Gram matrix of given strings is built through (gram.c): tkc_gram_matrix,
 * and kernel ridge regression's general path (krr.c: its K̂, one per kernel
 * estimate, and its predictions), so that both walk the same patterns in
 * the same order and give the same digits.
 *
 * A table numbers the unordered canonical patterns of the pairs inserted
 * into it (dense ids in order of first insertion), then evaluates them all
 * in one kernel call on one representative pair per pattern (common random
 * numbers), through an evaluator: by default the kernel call itself
 * (tkc_gram_eval_representatives); krr's kernel replicates pass their own,
 * which changes the seed and perturbs truncation errors. */
#ifndef TKC_GRAM_TABLE_H
#define TKC_GRAM_TABLE_H

#include "tkc/gram.h"

typedef struct tkc_gram_table {
    tkc_pattern_index *ix;
    double *value;             /* by pattern id, once evaluated             */
    double *se;                /* by pattern id, once evaluated             */
    tkc_gram_info info;
} tkc_gram_table;

/* How a table's representatives become values: S holds 2·np strings, pair
 * p being rows (2p, 2p + 1); the evaluator fills value and se (np each) and
 * info (npatterns = np), in one kernel call.  ctx is the caller's. */
typedef int (*tkc_gram_evaluator)(const void *ctx, const tkc_kernel_spec *spec,
                                  const tkc_strings *S, double *value,
                                  double *se, tkc_gram_info *info,
                                  tkc_error *err);

/* The kernel on the representative pairs of S as spec gives it, in one
 * tkc_kernel_eval_pairs call: values, radii (se nullable) and the call's
 * info.  TKC_ENUMERIC when the kernel gives a non-finite value. */
int tkc_gram_eval_representatives(const tkc_kernel_spec *spec,
                                  const tkc_strings *S, double *value,
                                  double *se, tkc_gram_info *info,
                                  tkc_error *err);

int tkc_gram_table_init(tkc_gram_table *tb, tkc_error *err);
void tkc_gram_table_clear(tkc_gram_table *tb);

/* Id of the unordered pattern of (x, y) (k tokens each), inserted when new;
 * -1 on ENOMEM. */
long tkc_gram_table_insert(tkc_gram_table *tb, const tkc_token *x,
                           const tkc_token *y, size_t k, tkc_error *err);

/* Id of the pattern of (x, y), which must have been inserted (TKC_ENUMERIC
 * and -1 otherwise: an internal error). */
long tkc_gram_table_find(const tkc_gram_table *tb, const tkc_token *x,
                         const tkc_token *y, size_t k, tkc_error *err);

/* Evaluate every pattern of the table (strings of k tokens) with ev (NULL:
 * tkc_gram_eval_representatives) and its ctx; fills value, se and info. */
int tkc_gram_table_evaluate(tkc_gram_table *tb, const tkc_kernel_spec *spec,
                            size_t k, tkc_gram_evaluator ev, const void *ctx,
                            tkc_error *err);

/* tkc_gram_matrix with the table evaluated by ev (NULL: the kernel call as
 * spec gives it, which is tkc_gram_matrix). */
int tkc_gram_matrix_by(const tkc_kernel_spec *spec, const tkc_strings *X,
                       const tkc_strings *Y, double *K, double *se,
                       tkc_gram_info *info, tkc_gram_evaluator ev,
                       const void *ctx, tkc_error *err);

#endif
