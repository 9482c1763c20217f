/* attn_qmc.h — a randomized QMC run of K_attn that grows (internal): auto's
 * QMC route raises the points of one run until its target is reached,
 * instead of starting over at each size. */
#ifndef TKC_ATTN_QMC_H
#define TKC_ATTN_QMC_H

#include <stdint.h>

#include "tkc/kernel.h"

typedef struct tkc_attn_qmc_run tkc_attn_qmc_run;

/* A run of the pairs under spec (its seed, β, γ and qmc.replicates; no
 * argument checks: the estimator's callers have made them), no points yet. */
tkc_attn_qmc_run *tkc_attn_qmc_run_alloc(const tkc_kernel_spec *spec,
                                         const tkc_strings *S,
                                         const tkc_pair *pairs, size_t npairs,
                                         tkc_error *err);
void tkc_attn_qmc_run_free(tkc_attn_qmc_run *run);

/* Continue every replicate to `points` points (at least those already
 * summed, at most 2^30) and fill out as the qmc estimator with
 * qmc.points = points does, to the same digits. */
int tkc_attn_qmc_run_to(tkc_attn_qmc_run *run, uint64_t points,
                        unsigned threads, tkc_kernel_values *out,
                        tkc_error *err);
/* Points per replicate summed so far. */
uint64_t tkc_attn_qmc_run_points(const tkc_attn_qmc_run *run);

#endif
