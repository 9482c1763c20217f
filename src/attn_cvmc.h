/* attn_cvmc.h — the control-variate run of attn_cvmc.c, for auto's pilot,
 * which needs the variances it measures (internal). */
#ifndef TKC_ATTN_CVMC_H
#define TKC_ATTN_CVMC_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/kernel.h"

/* Per-evaluation variances of one run, over its entries: of plain Monte
 * Carlo, with the control of order 2, with the control of order 4 (the
 * worst entry), and the smallest reduction plain/this. */
typedef struct tkc_cvmc_variances {
    double var_max[3];
    double reduction_min[3];
    /* the first entry that is not finite or not a value K_attn can take
     * (tkc_attn_bounds), with the control of the run; np when none */
    size_t bad_entry;
} tkc_cvmc_variances;

/* cvmc on the pairs with `samples` integrand evaluations and the control
 * of order 2 or 4 (no argument checks: the estimator's, and auto's,
 * callers have made them); out as the estimator fills it, *var the three
 * variances measured on the same draws. */
int tkc_attn_cvmc_run(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t np, uint64_t samples,
                      int order, tkc_kernel_values *out,
                      tkc_cvmc_variances *var, tkc_error *err);

#endif
