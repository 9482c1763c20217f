/* permutation.h (internal) — Lemma 3.6's permutation condition (permutation.c).
 *
 * Lemma 3.6: if Σ_i A_ii ≠ Σ_i A_iτ(i) for every permutation τ ≠ id, where
 * A is N_attn, then N_trans is nonsingular for almost every (b1, b2).  Here
 * A is known to within entry radii, and the condition is decided for every
 * matrix of the box at once.  Reentrant; nothing is global. */
#ifndef TKC_PERMUTATION_H
#define TKC_PERMUTATION_H

#include <stddef.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_perm_status {
    TKC_PERM_NOT_ESTABLISHED = 0,
    TKC_PERM_ESTABLISHED,     /* Σ_i A_ii ≠ Σ_i A_iτ(i) for every τ ≠ id and
                                 every A in the box                          */
    TKC_PERM_VIOLATED         /* exactly: zero radii and a τ ≠ id with equal
                                 sums (the witness)                           */
} tkc_perm_status;

#define TKC_PERM_EXHAUSTIVE_MAX 8
typedef struct tkc_perm_condition {
    tkc_perm_status status;
    char test[160];           /* which test, in a few words (a table's cell) */
    char method[256];         /* the test and how it is bounded               */
    /* Proved lower bound (rounded down) of min over τ ≠ id of the separation
     * |Σ_i (A_ii − A_iτ(i))| − Σ_{i: τ(i)≠i} (rad_ii + rad_iτ(i)); > 0 when
     * ESTABLISHED (for the cycle test: of the smallest cycle weight). */
    double margin;
    size_t witness[TKC_PERM_EXHAUSTIVE_MAX]; /* exhaustive: the worst τ        */
    char witness_text[128];                  /* τ in cycle notation, 0-based  */
    char text[320];
} tkc_perm_condition;

/* A (r×r row-major, the K_attn matrix N) with radii (NULL = exact; for
 * Monte Carlo A pass z·se from tkc_certify_radii_from_se and report the
 * confidence).
 * r <= 8: exhaustive over all r! permutations, each sum difference bounded
 * with MPFR directed rounding (mpfr_sum), exact as a decision on the box.
 * r > 8: a sound sufficient test — identity is the unique maximum (or
 * unique minimum) assignment for every matrix in the box.  Since every
 * τ ≠ id splits into cycles of length >= 2, that holds iff every cycle of
 * the complete digraph with weights w_ij = lower bound of (A_ii − A_ij)
 * (resp. (A_ij − A_ii)), i ≠ j, has positive weight: decided by
 * Floyd–Warshall in MPFR rounded down.  Otherwise NOT_ESTABLISHED (the
 * condition may still hold; Lemma 3.7 gives it for almost every β, γ). */
int tkc_certify_permutation_condition(tkc_perm_condition *out, size_t r,
                                      const double *a, const double *radius,
                                      tkc_error *err);

/* The next permutation of p[0 .. n−1] in lexicographic order; 0 after the
 * last.  From the identity it visits every other permutation once. */
int tkc_perm_next(size_t *p, size_t n);

/* τ (r entries, τ(i) = tau[i]) in cycle notation, elements numbered from
 * base: "(0 5 3)(1 2)" for base 0; fixed points left out, "" for the
 * identity.  Any r; truncated to size. */
void tkc_perm_cycles_text(char *buf, size_t size, const size_t *tau,
                          size_t r, size_t base);

#ifdef __cplusplus
}
#endif
#endif
