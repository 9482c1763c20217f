/* krr_gram.h (internal) — K̂ of template strings through pattern keys
 * (krr_gram.c), the structured path of tkc/krr.h, and the one kernel call
 * both of krr's paths make.
 *
 * K̂ = (N_{t_i t_j}) off the diagonal, except the pairs that share a
 * substituted symbol; K(x, x) on the diagonal.  The pieces are exposed so
 * that a solver can use the structure (rank r plus diagonal plus sparse:
 * krr_structured.c).
 *
 * Kernel replicates.  The gram holds one or more kernel estimates of the
 * same patterns: estimate 0 is the fit's (the kernel spec's seed, the
 * digits a single estimate always had); estimates q >= 1 repeat the one
 * kernel call with independent seeds (tkc_krr_replicate_seed), so that the
 * spread of anything computed from them is the kernel's own error.  A
 * deterministic estimator with a truncation error (the series) has nothing
 * to draw: its replicates move every value to an edge of its radius, with
 * independent random signs (the spread is then the typical effect of the
 * truncation; sqrt(P) times it bounds the effect to first order, P values).
 * Closed forms (error kind exact or rounding) need no replicate and get
 * none. */
#ifndef TKC_KRR_GRAM_H
#define TKC_KRR_GRAM_H

#include "tkc/krr.h"

#include "gram_table.h"

/* The random stream id of kernel replicates: far above every data
 * alphabet's stream (rng.h: TKC_RNG_DATA + alphabet), so no sampler of the
 * same seed sees its numbers. */
#define TKC_KRR_REPLICATE_STREAM ((uint64_t)1 << 62)

/* The kernel seed of replicate q: the seed itself for q = 0, a derived one
 * (rng.h: tkc_rng_derived_seed) for q >= 1. */
uint64_t tkc_krr_replicate_seed(uint64_t seed, size_t replicate);

/* How many kernel estimates a kernel with values of this error kind needs
 * for its error: `asked` for statistical and truncation errors, 1 for
 * exact values and closed forms (rounding only). */
size_t tkc_krr_replicates_needed(tkc_error_kind kind, size_t asked);

/* The n strings X (length set->k) must be substitutions of templates of set
 * whose substituted symbols are fresh (tokens >= set->nsymbols) and distinct
 * per wildcard: template_index[i] names string i's template, or NULL to find
 * it by matching.  TKC_EINPUT names the first string that is not.  Every
 * distinct pattern (training × training, and training × unseen symbols,
 * which is N) is evaluated in one tkc_kernel_eval_pairs call per kernel
 * estimate; `replicates` (>= 1) estimates are made when the kernel's error
 * kind calls for them (tkc_krr_replicates_needed), else one.  The gram keeps
 * a copy of what it needs of X; set must outlive it. */
int tkc_krr_gram_build(const tkc_kernel_spec *spec, const tkc_template_set *set,
                       const tkc_strings *X, const size_t *template_index,
                       size_t replicates, tkc_krr_gram **out, tkc_error *err);
void tkc_krr_gram_free(tkc_krr_gram *g);

/* K̂ of estimate q (n×n column-major, leading dimension lda >= n, both
 * triangles). */
int tkc_krr_gram_fill(const tkc_krr_gram *g, size_t q, double *K, size_t lda,
                      tkc_error *err);

size_t tkc_krr_gram_size(const tkc_krr_gram *g);             /* n         */
size_t tkc_krr_gram_templates(const tkc_krr_gram *g);        /* r         */
size_t tkc_krr_gram_replicates(const tkc_krr_gram *g);       /* estimates */
size_t tkc_krr_gram_template(const tkc_krr_gram *g, size_t i); /* t_i     */
const uint32_t *tkc_krr_gram_template_of(const tkc_krr_gram *g); /* all t_i */
/* Pairs i > j of strings that share a substituted symbol: |S|. */
size_t tkc_krr_gram_shared_pairs(const tkc_krr_gram *g);
/* N_st = K(x, x') for x of template s and x' of template t sharing no
 * substituted symbol (the matrix N of tkc/nmatrix.h, from estimate q of this
 * gram's kernel call). */
double tkc_krr_gram_cross(const tkc_krr_gram *g, size_t q, size_t s, size_t t);
/* K(x, x) for x of template t (estimate q). */
double tkc_krr_gram_self(const tkc_krr_gram *g, size_t q, size_t t);
/* The kernel value of a coincidence key (estimate q). */
double tkc_krr_gram_key_value(const tkc_krr_gram *g, size_t q, size_t key);

/* Every pair i > j of the gram's strings that share a substituted symbol,
 * once each, in a fixed order, with its coincidence key (K̂_ij is
 * tkc_krr_gram_key_value of it): the exceptions to K̂_ij = N_{t_i t_j}.
 * A nonzero return of fn stops the walk and is returned (fn reports its
 * own error). */
typedef int (*tkc_krr_gram_pair_fn)(void *ctx, size_t i, size_t j,
                                    size_t key);
int tkc_krr_gram_foreach_shared(const tkc_krr_gram *g,
                                tkc_krr_gram_pair_fn fn, void *ctx,
                                tkc_error *err);

/* The shared pairs by column, for a solver: column j's rows i > j (sorted)
 * at rows[cols[j] .. cols[j+1]), their coincidence keys in keys.  Built
 * once (O(|S| log) time, 8|S| + 8n bytes) by tkc_krr_gram_index_shared;
 * NULL before.  The residual below uses them when they exist. */
int tkc_krr_gram_index_shared(tkc_krr_gram *g, tkc_error *err);
const size_t *tkc_krr_gram_shared_columns(const tkc_krr_gram *g);
const uint32_t *tkc_krr_gram_shared_rows(const tkc_krr_gram *g);
const uint32_t *tkc_krr_gram_shared_keys(const tkc_krr_gram *g);

/* r = y − (K̂_q + λI) x and (a nullable) a = (|K̂_q| + λI)|x| + |y|, both
 * in long double from the kernel values themselves (n entries each): the
 * residual of any solution, whichever path solved, and the scale of its
 * componentwise backward error.  O(n + r² + |S|). */
int tkc_krr_gram_residual(const tkc_krr_gram *g, size_t q, double lambda,
                          const double *y, const double *x, long double *r,
                          long double *a, tkc_error *err);

/* Is x (set->k tokens) a substitution of a template whose substituted
 * symbols are fresh, distinct, and never occur in the gram's strings?  Then
 * K(x_i, x) = N_{t_i t} for every i: returns 1 and sets *t; else 0. */
int tkc_krr_gram_unseen_template(const tkc_krr_gram *g, const tkc_token *x,
                                 size_t *t);

/* Estimate q's kernel call (see tkc_krr_kernel_info). */
const tkc_krr_kernel_info *tkc_krr_gram_kernel_info(const tkc_krr_gram *g,
                                                    size_t q);

/* The one kernel call of a Gram matrix, shared by its two paths (the
 * structured one here and the general one of krr.c, through gram.c's
 * table): tkc_gram_eval_representatives (gram_table.h) on the 2·np strings
 * of S as kernel estimate `replicate` — its seed tkc_krr_replicate_seed; a
 * truncation error's replicate perturbed within the radii — into value and
 * se (nullable), np entries each, and info. */
int tkc_krr_eval_representatives(const tkc_kernel_spec *spec,
                                 const tkc_strings *S, size_t replicate,
                                 double *value, double *se,
                                 tkc_gram_info *info, tkc_error *err);

/* The figures of a kernel call as a fit reports them. */
void tkc_krr_kernel_info_of(const tkc_gram_info *g, tkc_krr_kernel_info *out);

#endif
