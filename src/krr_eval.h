/* krr_eval.h — the one kernel call of a Gram matrix, shared by its two
 * paths: the structured one (krr_gram.c) and the general one (krr.c).
 * Internal to the library. */
#ifndef TKC_KRR_EVAL_H
#define TKC_KRR_EVAL_H

#include "tkc/krr.h"

/* S holds 2·np strings, pair p being rows (2p, 2p + 1).  Evaluates the np
 * pairs in one tkc_kernel_eval_pairs call (common random numbers) into
 * value (np entries) and fills info (npatterns = np).  TKC_ENUMERIC when
 * the kernel returns a non-finite value. */
int tkc_krr_eval_representatives(const tkc_kernel_spec *spec,
                                 const tkc_strings *S, double *value,
                                 tkc_krr_kernel_info *info, tkc_error *err);

#endif
