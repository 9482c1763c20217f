/* attn_spec.h — the tests' K_attn kernel spec: the defaults, with the
 * estimator and (β, γ) under test. */
#ifndef TKC_TESTS_ATTN_SPEC_H
#define TKC_TESTS_ATTN_SPEC_H

#include "tkc/kernel.h"

static inline void spec_attn(tkc_kernel_spec *spec,
                             const tkc_attn_estimator_type *e,
                             double beta, double gamma)
{
    tkc_kernel_spec_default(spec);
    spec->kernel = tkc_kernel_attn;
    spec->estimator = e;
    spec->beta = beta;
    spec->gamma = gamma;
}

#endif
