/* tkc/sample.h — the data distribution D(µ_tmplt, {µ_sub,z}, f*, σ) of
 * Definition 2.2, sampled reproducibly.
 *
 * Wildcards get distinct tokens drawn uniformly from an alphabet of A fresh
 * tokens.  Training and test data use disjoint alphabets (symbols never seen
 * in training): alphabet a ∈ {0, 1, ...} is the token range
 * [nsymbols + a·A, nsymbols + (a+1)·A). */
#ifndef TKC_SAMPLE_H
#define TKC_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/pattern.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_sample {
    tkc_strings *strings;      /* n strings of length set->k                 */
    size_t *template_index;    /* n: which template each was drawn from      */
    double *label;             /* n: f*(z) + ξ, ξ ~ N(0, σ²) for real labels;
                                  for a symbolic label, the token the label
                                  wildcard became (no noise)                 */
} tkc_sample;

/* Draw n samples with alphabet size A from alphabet number `alphabet_id`
 * (0 for training, 1 for test, ...), label noise σ ≥ 0, seed.  Same
 * arguments ⇒ same sample.  EINPUT when A is smaller than some template's
 * number of wildcards. */
TKC_API int tkc_sample_draw(const tkc_template_set *set, size_t n,
                            size_t alphabet, unsigned alphabet_id,
                            double sigma, uint64_t seed, tkc_sample **out,
                            tkc_error *err);
TKC_API void tkc_sample_free(tkc_sample *s);

#ifdef __cplusplus
}
#endif
#endif
