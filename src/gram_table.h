/* gram_table.h (internal) — the table of distinct pair patterns behind
 * every Gram matrix of given strings (gram.c): the patterns are inserted
 * as the pairs are walked, each gets a dense id in order of first
 * insertion, the table is evaluated in one kernel call on one
 * representative pair per pattern, and each pair then looks its value up.
 * tkc_gram_matrix fills a whole matrix this way; kernel ridge regression's
 * predictions (krr.c) walk the same table without storing the matrix. */
#ifndef TKC_GRAM_TABLE_H
#define TKC_GRAM_TABLE_H

#include "tkc/gram.h"

typedef struct tkc_gram_table {
    tkc_pattern_index *ix;
    double *value;             /* by pattern id, once evaluated             */
    double *se;                /* by pattern id, once evaluated             */
    tkc_gram_info info;
} tkc_gram_table;

/* An empty table; TKC_ENOMEM. */
int tkc_gram_table_init(tkc_gram_table *tb, tkc_error *err);
void tkc_gram_table_clear(tkc_gram_table *tb);

/* Id of the unordered pattern of (x, y) (k tokens each), inserted when
 * `insert`; -1 on ENOMEM, or when absent and not inserted (TKC_ENUMERIC:
 * a pattern missing from its own table is an internal error). */
long tkc_gram_table_id(tkc_gram_table *tb, const tkc_token *x,
                       const tkc_token *y, size_t k, int insert,
                       tkc_error *err);

/* Evaluate every pattern inserted so far, one representative pair each,
 * in one tkc_kernel_eval_pairs call; fills value, se and info.
 * TKC_ENUMERIC when the kernel gives a non-finite value. */
int tkc_gram_table_evaluate(tkc_gram_table *tb, const tkc_kernel_spec *spec,
                            size_t k, tkc_error *err);

#endif
