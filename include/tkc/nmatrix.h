/* tkc/nmatrix.h — the r×r matrix N of a template set (paper eq. 7–8,
 * docs/mathematics.md): N_ij = K(sub(z_i, s), sub(z_j, s')) for substitution
 * maps s, s' whose images are disjoint from each other and from the
 * templates' regular tokens.  By token symmetry N does not depend on which
 * such maps are used.
 *
 * Besides the numbers, N carries its *structural* evidence: rows i ≠ i' are
 * identical, exactly, when for every j the pairs (x_i, y_j) and (x_i', y_j)
 * have equal keys under the kernel's pair invariant (below).  Then N
 * is singular for every value of the kernel's parameters — the MLP's
 * failure on templates told apart only by wildcard relations.
 *
 * Entries come from ONE tkc_kernel_eval_pairs call, so Monte Carlo entries
 * (and the transformer kernel's self terms) share their random numbers.
 * nmatrix.c is the only place N is built; tkc/verdict.h decides it. */
#ifndef TKC_NMATRIX_H
#define TKC_NMATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/evidence.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The covariance of the r² entries has r⁴ doubles; by default it is
 * computed only up to this r (32: 8 MB). */
#define TKC_NMATRIX_COV_MAX_R 32
enum { TKC_NMATRIX_COV_AUTO = -1, TKC_NMATRIX_COV_NO = 0,
       TKC_NMATRIX_COV_YES = 1 };

typedef struct tkc_nmatrix {
    size_t r, k;
    /* 2r strings: row i < r is x_i = sub(z_i, s), row r + j is
     * y_j = sub(z_j, s').  s maps wildcard w to nsymbols + w, s' to
     * nsymbols + W + w with W the largest number of wildcards. */
    tkc_strings *strings;
    double *N;                  /* r×r row-major                             */
    double *se;                 /* r×r error radii (see error_kind)          */
    double *cov;                /* r²×r² covariance of the entries, or NULL  */
    tkc_error_kind error_kind;
    char estimator[32];         /* estimator actually used ("closed form")   */
    uint64_t samples;           /* samples used; 0 for closed forms          */
    char note[TKC_KERNEL_NOTE_MAX]; /* the kernel layer's note               */
    /* The entries' boxes, for a certificate (tkc_nmatrix_build_boxed; NULL
     * otherwise): N_ij ∈ [box_mid ± box_rad] for all i, j at once, with
     * evidence box_evidence, at joint confidence box_confidence when that
     * is CONFIDENCE (tkc_kernel_values' boxes; box_z as there). */
    double *box_mid, *box_rad;
    tkc_evidence_kind box_evidence;
    double box_confidence, box_z;
    /* structural evidence */
    size_t *row_class;          /* r: smallest row proved identical to row i */
    size_t nclasses;            /* distinct classes; < r ⇒ singular, exactly */
    const char *invariant;      /* what the proof uses, in words             */
} tkc_nmatrix;

/* Build N for the set under spec (spec->kernel: attn, trans, mlp, mlpxx).
 * want_cov: TKC_NMATRIX_COV_AUTO computes the covariance when
 * r <= TKC_NMATRIX_COV_MAX_R.  EINPUT for an empty set or a bad spec. */
TKC_API int tkc_nmatrix_build(const tkc_template_set *set,
                              const tkc_kernel_spec *spec, int want_cov,
                              tkc_nmatrix **out, tkc_error *err);
/* The same, with the entries' boxes, statistical radii holding jointly at
 * `confidence` (in (0, 1)). */
TKC_API int tkc_nmatrix_build_boxed(const tkc_template_set *set,
                                    const tkc_kernel_spec *spec, int want_cov,
                                    double confidence, tkc_nmatrix **out,
                                    tkc_error *err);
TKC_API void tkc_nmatrix_free(tkc_nmatrix *nm);

/* The 2r strings of N (x_i then y_j) for a set, with the maps above. */
TKC_API int tkc_nmatrix_strings(const tkc_template_set *set, tkc_strings **out,
                                tkc_error *err);

/* Keys of pairs (at most TKC_NMATRIX_KEY_MAX bytes): two pairs with equal
 * keys have exactly equal kernel values by the kernel's own invariance (not
 * by a numerical accident).  Coarser keys prove more:
 *   mlp    the number of positions holding equal tokens (every input has
 *          norm² k, so the kernel is a function of ⟨x, y⟩ alone) — which is
 *          why it cannot tell apart templates that differ only in wildcard
 *          relations (docs/mathematics.md);
 *   mlpxx  that, ⟨XXᵀ, YYᵀ⟩_F and the two norms ‖XXᵀ‖² (unordered);
 *   other  the canonical unordered pattern (every token-symmetric kernel;
 *          for trans it fixes the self terms' patterns too).
 * *what (nullable) receives the words for the key.  Returns its length. */
#define TKC_NMATRIX_KEY_MAX (2 * TKC_K_MAX + 16)
TKC_API size_t tkc_nmatrix_pair_key(const tkc_kernel_spec *spec,
                                    const tkc_token *x, const tkc_token *y,
                                    size_t k, uint8_t *key, const char **what);

/* Structural evidence alone (no kernel evaluation): fills row_class (r
 * entries) and returns the number of classes in *nclasses. */
TKC_API int tkc_nmatrix_row_classes(const tkc_kernel_spec *spec,
                                    const tkc_strings *strings, size_t r,
                                    size_t *row_class, size_t *nclasses,
                                    tkc_error *err);

/* The first pair of identical rows (i < i'), 0-based; 0 when none. */
TKC_API int tkc_nmatrix_identical_rows(const tkc_nmatrix *nm, size_t *i,
                                       size_t *ip);

/* The distinct unordered pair patterns of N's entries (x_i, y_j), in order
 * of first appearance row by row: equal patterns are equal entries for every
 * token-symmetric kernel, and one estimate when the kernel layer computed
 * them.  id (nullable, r² entries) receives entry i·r + j's pattern id.
 * *ix is the caller's to free (tkc_pattern_index_free). */
TKC_API int tkc_nmatrix_patterns(const tkc_nmatrix *nm, tkc_pattern_index **ix,
                                 long *id, tkc_error *err);

#ifdef __cplusplus
}
#endif

#endif
