/* verdict_rounds.h — the rules deciding N follows that its cost
 * prediction (nmatrix_cost.c) must follow too: auto-refine's counts and
 * the ladder (verdict.c), the covariance (nmatrix.c).  One definition
 * each, so that the two cannot drift apart. */
#ifndef TKC_VERDICT_ROUNDS_H
#define TKC_VERDICT_ROUNDS_H

#include <stdint.h>

#include "tkc/verdict.h"

/* The estimator auto-refine scales: a sampling one under a kernel built
 * on K_attn, else NULL (closed forms and the series have nothing to
 * refine). */
const tkc_attn_estimator_type *tkc_nmatrix_sampler(const tkc_kernel_spec *spec);

/* The integrand evaluations auto-refine may use: opt->budget when given,
 * else TKC_NMATRIX_BUDGET_EVALS, and at most TKC_NMATRIX_BUDGET_VALUES
 * integrand values (evaluations × N's r(r+1)/2 entries up to symmetry, one
 * value each per evaluation), so that a large N gets proportionally fewer.
 * A count, never a clock: the same rounds on any machine. */
uint64_t tkc_nmatrix_budget(const tkc_template_set *set,
                            const tkc_nmatrix_options *opt);

/* Rounds auto-refine may take within `budget`: evaluations ×4 per round. */
unsigned tkc_nmatrix_max_rounds(const tkc_kernel_spec *spec, uint64_t budget,
                                const tkc_nmatrix_options *opt);

/* Does the precision ladder run for an r × r N (opt->ladder; auto:
 * r <= TKC_NMATRIX_LADDER_MAX_R)? */
int tkc_nmatrix_ladder_runs(const tkc_nmatrix_options *opt, size_t r);

/* Does N's evaluation take the entries' covariance (want_cov, a
 * TKC_NMATRIX_COV_* value; auto: r <= TKC_NMATRIX_COV_MAX_R)? */
int tkc_nmatrix_takes_cov(int want_cov, size_t r);

#endif
