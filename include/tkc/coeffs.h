/* tkc/coeffs.h — the exact Taylor coefficients of the attention matrix
 * N_attn of a template set: A_ij = K_attn(x_i, y_j), x_i = sub(z_i, s),
 * y_j = sub(z_j, s') (the strings of tkc_nmatrix_strings), expanded at
 * β = γ = 0 in the graded monomials β^{2a} γ^{2b} of tkc/series.h.
 *
 * What is computed once.  Entries are keyed by the canonical unordered
 * pattern of their pair, so every distinct pattern is expanded once.  That
 * includes the symmetry A_ij = A_ji: the token relabelling that swaps the
 * images of s and s' (and fixes the templates' own tokens) maps
 * (x_j, y_i) to (y_j, x_i), so by token symmetry and K(x, y) = K(y, x)
 * the two entries have the same unordered pattern (tested).
 *
 * Orders on demand.  Each pattern is known through its own total order D
 * (2a + 2b <= D); tkc_coeffs_raise brings the entries a caller needs to a
 * higher order, in parallel over patterns, and leaves the others alone.
 * The softmax-derivative caches (tkc_series_cache, one per thread) live as
 * long as the object, so raising reuses every derivative computed before.
 * Results are exact, hence identical for any number of threads. */
#ifndef TKC_COEFFS_H
#define TKC_COEFFS_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "tkc/error.h"
#include "tkc/progress.h"
#include "tkc/pattern.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_coeffs tkc_coeffs;

/* The r×r coefficient matrices of the set's N_attn, nothing computed yet
 * (every entry at order -1).  EINPUT for an empty or bad set. */
TKC_API tkc_coeffs *tkc_coeffs_alloc(const tkc_template_set *set,
                                     tkc_error *err);
/* Same for given strings: A_ij = K_attn(row i, row r + j) of S (2r rows). */
TKC_API tkc_coeffs *tkc_coeffs_alloc_strings(const tkc_strings *S, size_t r,
                                             tkc_error *err);
TKC_API void tkc_coeffs_free(tkc_coeffs *c);

TKC_API size_t tkc_coeffs_r(const tkc_coeffs *c);
/* Distinct unordered pair patterns among the r² entries. */
TKC_API size_t tkc_coeffs_patterns(const tkc_coeffs *c);
/* The pattern id (0 .. patterns − 1) of entry (i, j). */
TKC_API size_t tkc_coeffs_pattern_id(const tkc_coeffs *c, size_t i,
                                     size_t j);
TKC_API const tkc_pattern *tkc_coeffs_pattern(const tkc_coeffs *c,
                                              size_t id);

/* The total order through which entry (i, j) is known, -1 when not yet. */
TKC_API int tkc_coeffs_order(const tkc_coeffs *c, size_t i, size_t j);
/* Its coefficients: tkc_series_monomials(tkc_coeffs_order(c, i, j)) exact
 * rationals in the graded order; NULL when not yet known.  Valid until the
 * next tkc_coeffs_raise. */
TKC_API const mpq_t *tkc_coeffs_entry(const tkc_coeffs *c, size_t i,
                                      size_t j);

/* Which entries a raise is for: all (need == NULL), or those (i, j) with
 * need[i * r + j] != 0.  The work of a raise is counted in
 * tkc_series_cost_graded units over the patterns it would compute (those
 * needed and below total_order; their number in *patterns, nullable):
 * deterministic, so budgets reproduce.  -1 on ENOMEM. */
TKC_API double tkc_coeffs_raise_work(const tkc_coeffs *c, int total_order,
                                     const uint8_t *need, size_t *patterns);

typedef struct tkc_coeffs_stats {
    size_t patterns;        /* patterns computed by the raise              */
    double work;            /* their tkc_series_cost_graded units          */
    double seconds;         /* wall clock of the raise                     */
    double cpu_seconds;     /* CPU time of the process during the raise    */
} tkc_coeffs_stats;

/* Bring the needed entries to total order D (even, 0 .. TKC_SERIES_ORDER_MAX)
 * on `threads` worker threads (0 = the online cores).  Entries already at
 * D or above are left alone.  The patterns done are reported to progress
 * (nullable, tkc/progress.h).  st (nullable) receives what it did.  On
 * error nothing already known is lost. */
TKC_API int tkc_coeffs_raise(tkc_coeffs *c, int total_order,
                             const uint8_t *need, unsigned threads,
                             const tkc_progress *progress,
                             tkc_coeffs_stats *st, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
