/* krr_gram.h (internal) — K̂ of template strings through pattern keys
 * (krr_gram.c), the structured path of tkc/krr.h, and the one kernel call
 * both of krr's paths make.
 *
 * K̂ = (N_{t_i t_j}) off the diagonal, except the pairs that share a
 * substituted symbol; K(x, x) on the diagonal.  The pieces are exposed so
 * that a solver can use the structure (rank r plus diagonal plus sparse). */
#ifndef TKC_KRR_GRAM_H
#define TKC_KRR_GRAM_H

#include "tkc/krr.h"

/* The n strings X (length set->k) must be substitutions of templates of set
 * whose substituted symbols are fresh (tokens >= set->nsymbols) and distinct
 * per wildcard: template_index[i] names string i's template, or NULL to find
 * it by matching.  TKC_EINPUT names the first string that is not.  Every
 * distinct pattern (training × training, and training × unseen symbols,
 * which is N) is evaluated in one tkc_kernel_eval_pairs call.  The gram
 * keeps a copy of what it needs of X; set must outlive it. */
int tkc_krr_gram_build(const tkc_kernel_spec *spec, const tkc_template_set *set,
                       const tkc_strings *X, const size_t *template_index,
                       tkc_krr_gram **out, tkc_error *err);
void tkc_krr_gram_free(tkc_krr_gram *g);

/* K̂ (n×n column-major, leading dimension lda >= n, both triangles). */
int tkc_krr_gram_fill(const tkc_krr_gram *g, double *K, size_t lda,
                      tkc_error *err);

size_t tkc_krr_gram_size(const tkc_krr_gram *g);            /* n          */
size_t tkc_krr_gram_template(const tkc_krr_gram *g, size_t i); /* t_i     */
/* N_st = K(x, x') for x of template s and x' of template t sharing no
 * substituted symbol (the matrix N of tkc/nmatrix.h, from this gram's
 * kernel call). */
double tkc_krr_gram_cross(const tkc_krr_gram *g, size_t s, size_t t);
/* K(x, x) for x of template t. */
double tkc_krr_gram_self(const tkc_krr_gram *g, size_t t);

/* Every pair i > j of the gram's strings that share a substituted symbol,
 * once each, in a fixed order, with K̂_ij: the exceptions to
 * K̂_ij = N_{t_i t_j}.  A nonzero return of fn stops the walk and is
 * returned (fn reports its own error). */
typedef int (*tkc_krr_gram_pair_fn)(void *ctx, size_t i, size_t j,
                                    double value);
int tkc_krr_gram_foreach_shared(const tkc_krr_gram *g,
                                tkc_krr_gram_pair_fn fn, void *ctx,
                                tkc_error *err);

/* Is x (set->k tokens) a substitution of a template whose substituted
 * symbols are fresh, distinct, and never occur in the gram's strings?  Then
 * K(x_i, x) = N_{t_i t} for every i: returns 1 and sets *t; else 0. */
int tkc_krr_gram_unseen_template(const tkc_krr_gram *g, const tkc_token *x,
                                 size_t *t);

/* The gram's kernel call (see tkc_krr_kernel_info). */
const tkc_krr_kernel_info *tkc_krr_gram_kernel_info(const tkc_krr_gram *g);

/* The one kernel call of a Gram matrix, shared by its two paths (the
 * structured one here and the general one of krr.c).  S holds 2·np
 * strings, pair p being rows (2p, 2p + 1).  Evaluates the np pairs in one
 * tkc_kernel_eval_pairs call (common random numbers) into value (np
 * entries) and fills info (npatterns = np).  TKC_ENUMERIC when the kernel
 * returns a non-finite value. */
int tkc_krr_eval_representatives(const tkc_kernel_spec *spec,
                                 const tkc_strings *S, double *value,
                                 tkc_krr_kernel_info *info, tkc_error *err);

#endif
