/* series_cache.h (internal) — the softmax derivatives at 0 behind the exact
 * series (series_cache.c), and the graded coefficients that take a cache
 * (series.c).
 *
 * A tkc_series_cache holds k^{n+1} × the derivative of order n of the
 * softmax at 0 along token classes and positions, for strings of length k:
 * exact integers keyed by the derivative's token-symmetric shape, valid for
 * every pair of length-k strings and every order (series.c explains the
 * shapes).  Not thread-safe: one per thread (coeffs.c keeps one per
 * worker). */
#ifndef TKC_SERIES_CACHE_H
#define TKC_SERIES_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "tkc/error.h"
#include "tkc/pattern.h"
#include "tkc/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest shape key in bytes: at most TKC_K_MAX class descriptors of
 * 4 + (positions) bytes, far below this for any order the series takes. */
#define TKC_SERIES_KEY_MAX 256
/* Largest derivative order: β^TKC_SERIES_ORDER_MAX needs that order. */
#define TKC_SERIES_NMAX TKC_SERIES_ORDER_MAX

/* The memo of shapes (series_cache.c): open addressing, cap a power of 2. */
typedef struct tkc_series_memo_entry tkc_series_memo_entry;
typedef struct tkc_series_memo {
    size_t cap, n;
    tkc_series_memo_entry *e;
} tkc_series_memo;

/* The cache.  series.c reads k, fact and kpow (the common scale of its
 * terms); the rest is series_cache.c's. */
typedef struct tkc_series_cache {
    int k;
    mpz_t kpow[TKC_SERIES_NMAX + 2];            /* k^n                     */
    mpz_t fact[TKC_SERIES_NMAX + 2];            /* n!                      */
    tkc_series_memo m;
    uint64_t binom[TKC_SERIES_NMAX + 2][TKC_SERIES_NMAX + 2];
    mpz_t stir[TKC_SERIES_NMAX + 3][TKC_SERIES_NMAX + 3]; /* S(n, j)       */
    /* scratch of one shape: series of polynomials in y, poly, tmp */
    mpz_t *ser[3];
    mpz_t poly[TKC_SERIES_NMAX + 1], tmp[TKC_SERIES_NMAX + 1];
    mpz_t t1, t2;
} tkc_series_cache;

tkc_series_cache *tkc_series_cache_alloc(int k, tkc_error *err);
void tkc_series_cache_free(tkc_series_cache *c);
/* Number of cached shapes, and emptying (to bound memory; values are
 * recomputed exactly on demand, so results do not change). */
size_t tkc_series_cache_entries(const tkc_series_cache *c);
int tkc_series_cache_clear(tkc_series_cache *c, tkc_error *err);

/* k^{n+1} × the derivative of the shape key[0 .. len−1] (an integer),
 * computed on first use; NULL on ENOMEM.  The pointer is valid until the
 * next lookup (the memo may move its entries). */
mpz_srcptr tkc_series_cache_derivative(tkc_series_cache *c,
                                       const uint8_t *key, size_t len);

/* The exact coefficients of the pair with canonical pattern pat through the
 * total order D (series.c): coef[n] (tkc_series_monomials(D) initialized
 * mpq_t, in the graded order of tkc/series.h) receives the coefficient of
 * monomial n.  Only the multisets of links within the total order are
 * enumerated, so this costs far less than the table of order D (see
 * tkc_series_cost_graded).  cache must be for pat->k.  Exact (GMP); EINPUT
 * for a bad order or cache. */
int tkc_series_compute_graded(mpq_t *coef, const tkc_pattern *pat,
                              int total_order, tkc_series_cache *cache,
                              tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
