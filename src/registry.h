/* registry.h — the type tables the library defines, one declaration each
 * (internal).  Each lives in the file of its concept; registry.c puts them
 * in the public lists and behind the public pointers of tkc/kernel.h.
 * A file that calls a sibling type directly (auto calls qmc, mc and cvmc)
 * reaches it here, never by name at run time.  A type missing from the
 * link is a link error, not a silent gap in a list. */
#ifndef TKC_REGISTRY_H
#define TKC_REGISTRY_H

#include "tkc/kernel.h"

/* kernels: attn.c, trans.c, mlp.c */
extern const tkc_kernel_type tkc_kernel_attn_type, tkc_kernel_trans_type,
    tkc_kernel_mlp_type, tkc_kernel_mlpxx_type;

/* K_attn estimators: attn_mc.c, attn_qmc.c, attn_series.c, attn_cvmc.c,
 * attn_auto.c */
extern const tkc_attn_estimator_type tkc_attn_mc_type, tkc_attn_qmc_type,
    tkc_attn_series_type, tkc_attn_cvmc_type, tkc_attn_auto_type;

/* activations: activation.c; their ball duals (the `ball` entry of each
 * table): dual_arb.c */
extern const tkc_activation_type tkc_activation_cos_type,
    tkc_activation_relu_type, tkc_activation_erf_type;
extern const struct tkc_activation_ball tkc_activation_ball_cos,
    tkc_activation_ball_relu, tkc_activation_ball_erf;

#endif
