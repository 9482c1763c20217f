/* tkc/pattern.h — token strings, pairs of them, and the canonical pattern of
 * a pair: the key every kernel is cached by.
 *
 * All kernels in tkc are token-symmetric: K(x, y) depends only on which
 * positions of x and y hold equal tokens.  The canonical pattern relabels the
 * tokens of a pair in order of first appearance (x first, then y), so two
 * pairs have equal patterns exactly when one is a token relabelling of the
 * other.  The *unordered* pattern also identifies (x, y) with (y, x), which
 * every kernel here is symmetric under. */
#ifndef TKC_PATTERN_H
#define TKC_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest string tkc accepts.  The paper's longest task has k = 11 (12 with
 * [CLS] on some sets); 64 leaves room while keeping patterns small and
 * fixed-size. */
#define TKC_K_MAX 64

/* A token is a non-negative integer; a symbol table (tkc/template.h) maps
 * tokens to their spelling. */
typedef int32_t tkc_token;

/* A list of `count` strings of common length k, stored row by row. */
typedef struct tkc_strings {
    size_t count;
    size_t k;
    tkc_token *tok;           /* count * k tokens */
} tkc_strings;

TKC_API tkc_strings *tkc_strings_alloc(size_t count, size_t k, tkc_error *err);
TKC_API void tkc_strings_free(tkc_strings *s);
static inline tkc_token *tkc_strings_row(const tkc_strings *s, size_t i)
{
    return s->tok + i * s->k;
}

/* A pair of strings, by index into a tkc_strings. */
typedef struct tkc_pair {
    size_t x, y;
} tkc_pair;

/* Canonical pattern of an ordered pair: x[a], y[b] are the relabelled
 * tokens (0, 1, 2, ... in order of first appearance across x then y). */
typedef struct tkc_pattern {
    uint8_t k;
    uint8_t ntokens;          /* distinct tokens of x ∪ y */
    uint8_t x[TKC_K_MAX];
    uint8_t y[TKC_K_MAX];
} tkc_pattern;

/* Pattern of the ordered pair (x, y); k must be 1..TKC_K_MAX. */
TKC_API void tkc_pattern_of_pair(tkc_pattern *pat, const tkc_token *x,
                                 const tkc_token *y, size_t k);
/* Pattern of the unordered pair: the smaller of pattern(x, y), pattern(y, x)
 * in tkc_pattern_compare order.  Sets *swapped when (y, x) was taken. */
TKC_API void tkc_pattern_of_unordered_pair(tkc_pattern *pat,
                                           const tkc_token *x,
                                           const tkc_token *y, size_t k,
                                           int *swapped);
TKC_API int tkc_pattern_compare(const tkc_pattern *a, const tkc_pattern *b);
TKC_API uint64_t tkc_pattern_hash(const tkc_pattern *pat);
/* A representative pair with this pattern: tokens 0 .. ntokens-1. */
TKC_API void tkc_pattern_representative(const tkc_pattern *pat, tkc_token *x,
                                        tkc_token *y);
/* #{(a, b) : x_a = y_b}: the one-hot Gram sum, exact. */
TKC_API unsigned tkc_pattern_matches(const tkc_pattern *pat);

/* Deduplicating index of patterns: maps each pattern to a dense id
 * 0, 1, 2, ... in order of first insertion.  Used by the kernel layer so
 * that no pattern is estimated twice. */
typedef struct tkc_pattern_index tkc_pattern_index;

TKC_API tkc_pattern_index *tkc_pattern_index_alloc(size_t capacity_hint,
        tkc_error *err);
TKC_API void tkc_pattern_index_free(tkc_pattern_index *ix);
/* Id of pat, inserting it if new (*is_new set when non-NULL); -1 on ENOMEM. */
TKC_API long tkc_pattern_index_insert(tkc_pattern_index *ix,
                                      const tkc_pattern *pat, int *is_new,
                                      tkc_error *err);
/* Id of pat or -1 when absent. */
TKC_API long tkc_pattern_index_find(const tkc_pattern_index *ix,
                                    const tkc_pattern *pat);
TKC_API size_t tkc_pattern_index_size(const tkc_pattern_index *ix);
TKC_API const tkc_pattern *tkc_pattern_index_get(const tkc_pattern_index *ix,
        size_t id);

#ifdef __cplusplus
}
#endif
#endif
