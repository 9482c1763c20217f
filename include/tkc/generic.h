/* tkc/generic.h — the generic verdict: N_trans nonsingular for almost every
 * (β, γ, b1, b2), from the exact Taylor coefficients of N_attn.
 *
 * The argument (paper §3.2, Lemmas 3.6 and 3.7).  Write A = N_attn,
 * A_ij = K_attn(sub(z_i, s), sub(z_j, s')), and for a permutation τ of the
 * r templates
 *
 *     d_τ(β, γ) = Σ_i [A_ii − A_iτ(i)].
 *
 * Lemma 3.6: if d_τ ≠ 0 for every τ ≠ id (condition (10)) at some (β, γ),
 * then N_trans with φ(t) = cos(b1 t + b2) is nonsingular for almost every
 * (b1, b2).  Lemma 3.7's route: K_attn is real-analytic in (β, γ) for
 * β, γ > 0 and smooth up to 0, so d_τ either vanishes identically, and then
 * every Taylor coefficient at (0, 0) is 0, or its zero set has measure 0.
 * One nonzero exact coefficient per τ therefore gives (10) for almost every
 * (β, γ) (a finite union of null sets), and with Lemma 3.6 and Fubini
 * N_trans is nonsingular for almost every (β, γ, b1, b2).  K_attn is even in
 * β and in γ, so the coefficients are those of β^{2a} γ^{2b}.
 *
 * The test.  Coefficient vectors are compared in the graded monomial order
 * of tkc/series.h (lowest total order most significant; within a degree,
 * β-heavier first), an ordered group, so:
 *   exhaustive (r <= TKC_GENERIC_EXHAUSTIVE_MAX): every d_τ, τ ≠ id, has a
 *     nonzero coefficient — exactly condition (10) through the order used;
 *   cycles (any r; sufficient): every τ ≠ id splits into cycles of length
 *     >= 2, so d_τ is the sum of its cycles' weights with w_ij = c(A_ii) −
 *     c(A_ij); if every cycle of the complete digraph has lexicographically
 *     positive weight (or every one negative), every d_τ ≠ 0 — the identity
 *     is the unique maximum (minimum) assignment.  Decided monomial by
 *     monomial: Bellman–Ford potentials in exact integers (the monomial's
 *     coefficients over a common denominator); the cycles of zero weight so
 *     far are exactly those of the tight subgraph (zero reduced cost), and
 *     only its edges go on to the next monomial.  The tightest cycle (the
 *     lexicographically smallest weight) and the deciding monomial (where
 *     its weight first becomes nonzero, the last monomial any cycle needs)
 *     are reported.
 * Orders are raised on demand (D = 0, 2, 4, ...): only the entries on the
 * cycles or permutations still undecided are computed at the next order.
 * Everything is exact (GMP); the budget is counted in work units, not
 * seconds, so verdicts reproduce. */
#ifndef TKC_GENERIC_H
#define TKC_GENERIC_H

#include <stddef.h>

#include <gmp.h>

#include "tkc/coeffs.h"
#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/series.h"
#include "tkc/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_generic_status {
    TKC_GENERIC_NOT_ESTABLISHED = 0,
    TKC_GENERIC_PROVED
} tkc_generic_status;

typedef enum tkc_generic_method {
    TKC_GENERIC_AUTO = 0,     /* exhaustive for r <= 8, else cycles        */
    TKC_GENERIC_EXHAUSTIVE,   /* all r! permutations (r <= 8)              */
    TKC_GENERIC_CYCLES        /* the sufficient cycle test, any r          */
} tkc_generic_method;

#define TKC_GENERIC_EXHAUSTIVE_MAX 8
#define TKC_GENERIC_ORDERS_MAX (TKC_SERIES_ORDER_MAX / 2 + 1)

typedef struct tkc_generic_options {
    tkc_generic_method method;
    int max_order;            /* largest total order D raised to (even)     */
    double work_budget;       /* tkc_series_cost_graded units all raises may
                                 use together; 0 = unlimited                */
    unsigned threads;         /* 0 = the online cores                       */
    /* N_trans's activation, for the words: Lemma 3.6 is proved for cos
     * only.  NULL = cos. */
    const tkc_activation_type *activation;
    const tkc_progress *progress; /* how far it has got (tkc/progress.h), or
                                     NULL                                   */
} tkc_generic_options;

/* Defaults: auto method, max_order 16, work_budget 1.5e9 (about 70 s of
 * one core at k = 11, bench/RESULTS.md), all online cores, cos, no progress. */
TKC_API void tkc_generic_options_default(tkc_generic_options *opt);

typedef struct tkc_generic_verdict {
    tkc_generic_status status;
    tkc_generic_method method;  /* the test that ran (never AUTO)          */
    int sign;                   /* cycles, proved: +1 identity the unique
                                   maximum assignment, −1 the minimum; else 0 */
    size_t r;
    size_t patterns;            /* distinct pair patterns of the set (0 for
                                   given matrices)                          */
    /* the orders: total order, patterns computed at it, their work */
    int norders;
    int orders[TKC_GENERIC_ORDERS_MAX];
    size_t order_patterns[TKC_GENERIC_ORDERS_MAX];
    double order_work[TKC_GENERIC_ORDERS_MAX];
    int order;                  /* the largest total order used (-1: none) */
    /* proved: the deciding monomial β^{2a} γ^{2b} and its graded index;
     * -1 when nothing needed deciding (r = 1) */
    int deciding_a, deciding_b;
    long deciding_index;
    /* proved: the tightest permutation (a single cycle for the cycle test);
     * not established: one whose d_τ vanishes through the order used, or a
     * negative cycle of the cycle test.  r entries, τ(i) = witness[i];
     * NULL when there is none. */
    size_t *witness;
    char witness_text[256];     /* cycle notation, templates numbered from 1
                                   as N's rows: "(1 6 4)"                */
    char weight_text[160];      /* proved: the leading term of the witness's
                                   d_τ (its weight), "+3/1331·β^4"        */
    char method_text[512];
    char text[512];             /* the verdict, in words                   */
    char attn_text[320];        /* condition (10) alone                    */
    char next[1536];            /* not established: where it stopped, what
                                   comes next                              */
    double work;                /* work units of all raises                */
    double seconds;             /* wall clock                              */
    double cpu_seconds;         /* CPU time of the process (all threads)   */
} tkc_generic_verdict;

TKC_API void tkc_generic_verdict_clear(tkc_generic_verdict *v);

/* Decide a template set: build its coefficient matrices, raise the order
 * while undecided, within opt->max_order and opt->work_budget. */
TKC_API int tkc_generic_decide_set(const tkc_template_set *set,
                                   const tkc_generic_options *opt,
                                   tkc_generic_verdict *v, tkc_error *err);

/* The same on coefficient matrices the caller owns (whatever orders they
 * already hold are reused and raised further as needed). */
TKC_API int tkc_generic_decide_coeffs(tkc_coeffs *c,
                                      const tkc_generic_options *opt,
                                      tkc_generic_verdict *v, tkc_error *err);

/* The test on given coefficient matrices, through total order D only (no
 * raising): entry[i * r + j] points to the tkc_series_monomials(D)
 * coefficients of A_ij in the graded order.  The matrices need not be
 * symmetric.  opt may be NULL (defaults). */
TKC_API int tkc_generic_decide_matrices(size_t r, int total_order,
                                        const mpq_t *const *entry,
                                        const tkc_generic_options *opt,
                                        tkc_generic_verdict *v,
                                        tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
