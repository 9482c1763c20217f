/* registry.c — the one registry: every kernel, K_attn estimator and
 * activation the library defines, behind the public pointers and in the
 * NULL-terminated lists of tkc/kernel.h, and the lookups by name (for
 * callers that hold a name, as the command line does; the library itself
 * never looks a type up by name).
 *
 * To add a type: define its table in the file of its concept, declare it
 * in registry.h, and list it here. */
#include "registry.h"

#include <string.h>

const tkc_kernel_type *const tkc_kernel_attn = &tkc_kernel_attn_type;
const tkc_kernel_type *const tkc_kernel_trans = &tkc_kernel_trans_type;
const tkc_kernel_type *const tkc_kernel_mlp = &tkc_kernel_mlp_type;
const tkc_kernel_type *const tkc_kernel_mlpxx = &tkc_kernel_mlpxx_type;
const tkc_kernel_type *const tkc_kernel_types[] = {
    &tkc_kernel_attn_type, &tkc_kernel_trans_type, &tkc_kernel_mlp_type,
    &tkc_kernel_mlpxx_type, NULL};

const tkc_attn_estimator_type *const tkc_attn_mc = &tkc_attn_mc_type;
const tkc_attn_estimator_type *const tkc_attn_qmc = &tkc_attn_qmc_type;
const tkc_attn_estimator_type *const tkc_attn_series = &tkc_attn_series_type;
const tkc_attn_estimator_type *const tkc_attn_cvmc = &tkc_attn_cvmc_type;
const tkc_attn_estimator_type *const tkc_attn_auto = &tkc_attn_auto_type;
const tkc_attn_estimator_type *const tkc_attn_estimator_types[] = {
    &tkc_attn_mc_type, &tkc_attn_qmc_type, &tkc_attn_series_type,
    &tkc_attn_cvmc_type, &tkc_attn_auto_type, NULL};

const tkc_activation_type *const tkc_activation_cos = &tkc_activation_cos_type;
const tkc_activation_type *const tkc_activation_relu = &tkc_activation_relu_type;
const tkc_activation_type *const tkc_activation_erf = &tkc_activation_erf_type;
const tkc_activation_type *const tkc_activation_types[] = {
    &tkc_activation_cos_type, &tkc_activation_relu_type,
    &tkc_activation_erf_type, NULL};

/* The type of a list whose name is `name`, or NULL.  Every table begins
 * with its name, so one walk serves the three families. */
#define FIND(list, name)                                                    \
    for (size_t i = 0; (name) && (list)[i]; i++)                            \
        if (!strcmp((list)[i]->name, (name)))                               \
            return (list)[i];                                               \
    return NULL

const tkc_kernel_type *tkc_kernel_type_lookup(const char *name)
{
    FIND(tkc_kernel_types, name);
}

const tkc_attn_estimator_type *tkc_attn_estimator_lookup(const char *name)
{
    FIND(tkc_attn_estimator_types, name);
}

const tkc_activation_type *tkc_activation_lookup(const char *name)
{
    FIND(tkc_activation_types, name);
}
