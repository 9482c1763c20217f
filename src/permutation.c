/* permutation.c — Lemma 3.6's permutation condition on a box of matrices:
 * Σ_i A_ii ≠ Σ_i A_iτ(i) for every τ ≠ id and every A within the radii.
 *
 * Two tests.  For r <= 8, all r! permutations, each sum difference enclosed
 * by correctly rounded mpfr_sum (doubles are exact in MPFR), so the answer
 * is exact for the box.  Beyond, r! is out of reach, and a sufficient test
 * takes over: the identity is the unique optimal assignment iff every cycle
 * of the digraph with weights A_ii − A_ij is positive (a permutation is a
 * union of cycles), decided by Floyd–Warshall rounded down.  Both only ever
 * round towards "not established", never towards "established". */
#include "permutation.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mpfr.h>

#include "mpmat.h"

/* The two tests, in the few words of tkc_perm_condition.test. */
#define EXHAUSTIVE_TEST "exhaustive over all %zu! permutations"
#define CYCLE_TEST                                                          \
    "sufficient test for r > %d: identity the unique maximum or minimum "  \
    "assignment for every matrix in the box"

void tkc_perm_cycles_text(char *buf, size_t size, const size_t *tau,
                          size_t r, size_t base)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r; i++) {
        /* a cycle is written once, from its smallest element */
        size_t j = tau[i];
        while (j > i)
            j = tau[j];
        if (j != i || tau[i] == i)
            continue;
        j = i;
        do {
            used += (size_t)snprintf(buf + used, used < size ? size - used : 0,
                                     "%s%zu", j == i ? "(" : " ", j + base);
            j = tau[j];
        } while (j != i);
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0,
                                 ")");
    }
}

int tkc_perm_next(size_t *p, size_t n)
{
    if (n < 2)
        return 0;
    size_t i = n - 1;
    while (i > 0 && p[i - 1] >= p[i])
        i--;
    if (i == 0)
        return 0;
    size_t j = n - 1;
    while (p[j] <= p[i - 1])
        j--;
    size_t t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
    for (size_t a = i, b = n - 1; a < b; a++, b--)
        t = p[a], p[a] = p[b], p[b] = t;
    return 1;
}

/* Scratch of the exhaustive test: the 2m terms ±A of one sum difference
 * and their radii, as mpfr_sum argument arrays (53 bits: doubles, exact). */
typedef struct perm_terms {
    mpfr_t val[2 * TKC_PERM_EXHAUSTIVE_MAX], rv[2 * TKC_PERM_EXHAUSTIVE_MAX];
    mpfr_ptr pv[2 * TKC_PERM_EXHAUSTIVE_MAX], pr[2 * TKC_PERM_EXHAUSTIVE_MAX];
    mpfr_t lo, hi, rs;
} perm_terms;

static void perm_terms_init(perm_terms *t)
{
    for (size_t k = 0; k < 2 * TKC_PERM_EXHAUSTIVE_MAX; k++) {
        mpfr_init2(t->val[k], 53);
        mpfr_init2(t->rv[k], 53);
        t->pv[k] = t->val[k];
        t->pr[k] = t->rv[k];
    }
    mpfr_inits2(64, t->lo, t->hi, t->rs, (mpfr_ptr)0);
}

static void perm_terms_clear(perm_terms *t)
{
    for (size_t k = 0; k < 2 * TKC_PERM_EXHAUSTIVE_MAX; k++) {
        mpfr_clear(t->val[k]);
        mpfr_clear(t->rv[k]);
    }
    mpfr_clears(t->lo, t->hi, t->rs, (mpfr_ptr)0);
}

/* sep = a lower bound of |Σ_i (A_ii − A_iτ(i))| − (summed radii) over the
 * moved i, rounded down; returns 1 when the sums tie exactly (zero radii). */
static int separation(mpfr_t sep, perm_terms *t, const size_t *tau, size_t r,
                      const double *a, const double *rad)
{
    size_t m = 0;
    for (size_t i = 0; i < r; i++) {
        if (tau[i] == i)
            continue;
        mpfr_set_d(t->val[m], a[i * r + i], MPFR_RNDN);          /* exact */
        mpfr_set_d(t->val[m + 1], -a[i * r + tau[i]], MPFR_RNDN);
        mpfr_set_d(t->rv[m], rad ? rad[i * r + i] : 0, MPFR_RNDN);
        mpfr_set_d(t->rv[m + 1], rad ? rad[i * r + tau[i]] : 0, MPFR_RNDN);
        m += 2;
    }
    mpfr_sum(t->lo, t->pv, m, MPFR_RNDD);
    mpfr_sum(t->hi, t->pv, m, MPFR_RNDU);
    mpfr_sum(t->rs, t->pr, m, MPFR_RNDU);
    /* separation: max(lo − rs, −hi − rs), a lower bound of |D| − rs */
    mpfr_sub(sep, t->lo, t->rs, MPFR_RNDD);
    mpfr_neg(t->hi, t->hi, MPFR_RNDD);
    mpfr_sub(t->hi, t->hi, t->rs, MPFR_RNDD);
    mpfr_max(sep, sep, t->hi, MPFR_RNDD);
    return mpfr_zero_p(t->lo) && mpfr_zero_p(t->rs) && mpfr_zero_p(t->hi);
}

/* Exhaustive over τ ≠ id (r <= 8): the smallest separation, and its τ (the
 * first exact tie, if any, which makes the condition VIOLATED). */
static void perm_exhaustive(tkc_perm_condition *out, size_t r, const double *a,
                            const double *rad)
{
    perm_terms t;
    perm_terms_init(&t);
    mpfr_t sep, best;
    mpfr_inits2(64, sep, best, (mpfr_ptr)0);
    mpfr_set_inf(best, 1);
    size_t tau[TKC_PERM_EXHAUSTIVE_MAX];
    int violated = 0;
    for (size_t i = 0; i < r; i++)
        tau[i] = i;
    while (tkc_perm_next(tau, r)) {
        int exact_tie = separation(sep, &t, tau, r, a, rad);
        if ((exact_tie && !violated) || (!violated && mpfr_cmp(sep, best) < 0)) {
            mpfr_set(best, sep, MPFR_RNDD);
            memcpy(out->witness, tau, r * sizeof *tau);
            violated = exact_tie;
        }
    }
    out->margin = mpfr_get_d(best, MPFR_RNDD);
    out->status = violated ? TKC_PERM_VIOLATED
                : mpfr_sgn(best) > 0 ? TKC_PERM_ESTABLISHED
                                     : TKC_PERM_NOT_ESTABLISHED;
    if (r > 1)
        tkc_perm_cycles_text(out->witness_text, sizeof out->witness_text,
                             out->witness, r, 0);
    snprintf(out->test, sizeof out->test, EXHAUSTIVE_TEST, r);
    snprintf(out->method, sizeof out->method, EXHAUSTIVE_TEST ", each |Σ A_ii "
             "− Σ A_iτ(i)| minus its summed radii bounded below with MPFR "
             "directed rounding", r);
    perm_terms_clear(&t);
    mpfr_clears(sep, best, (mpfr_ptr)0);
}

/* Smallest cycle weight (a lower bound) of the digraph with edge weights
 * w_ij = sgn·(A_ii − A_ij) − rad_ii − rad_ij (i ≠ j), rounded down,
 * by Floyd–Warshall rounded down; stored in out_min. */
static int min_cycle_lower(mpfr_t out_min, size_t r, const double *a,
                           const double *rad, int sgn, tkc_error *err)
{
    tkc_mpmat *d = tkc_mpmat_alloc(r, r, 128, err);
    if (!d)
        return TKC_ENOMEM;
    mpfr_t t;
    mpfr_init2(t, 128);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            mpfr_ptr e = TKC_MPMAT(d, i, j);
            if (i == j) {
                mpfr_set_inf(e, 1);
                continue;
            }
            size_t p1 = sgn > 0 ? i * r + i : i * r + j;   /* exact set, */
            size_t p2 = sgn > 0 ? i * r + j : i * r + i;   /* sub down   */
            mpfr_set_d(e, a[p1], MPFR_RNDD);
            mpfr_sub_d(e, e, a[p2], MPFR_RNDD);
            if (rad) {
                mpfr_sub_d(e, e, rad[i * r + i], MPFR_RNDD);
                mpfr_sub_d(e, e, rad[i * r + j], MPFR_RNDD);
            }
        }
    for (size_t k = 0; k < r; k++)
        for (size_t i = 0; i < r; i++) {
            if (mpfr_inf_p(TKC_MPMAT(d, i, k)))
                continue;
            for (size_t j = 0; j < r; j++) {
                mpfr_add(t, TKC_MPMAT(d, i, k), TKC_MPMAT(d, k, j), MPFR_RNDD);
                if (mpfr_cmp(t, TKC_MPMAT(d, i, j)) < 0)
                    mpfr_set(TKC_MPMAT(d, i, j), t, MPFR_RNDD);
            }
        }
    mpfr_set_inf(out_min, 1);
    for (size_t i = 0; i < r; i++)
        mpfr_min(out_min, out_min, TKC_MPMAT(d, i, i), MPFR_RNDD);
    mpfr_clear(t);
    tkc_mpmat_free(d);
    return TKC_SUCCESS;
}

static int perm_cycles(tkc_perm_condition *out, size_t r, const double *a,
                       const double *rad, tkc_error *err)
{
    mpfr_t up, down;
    mpfr_inits2(128, up, down, (mpfr_ptr)0);
    int rc = min_cycle_lower(up, r, a, rad, +1, err);
    if (rc == TKC_SUCCESS)
        rc = min_cycle_lower(down, r, a, rad, -1, err);
    if (rc == TKC_SUCCESS) {
        int is_max = mpfr_sgn(up) > 0, is_min = mpfr_sgn(down) > 0;
        mpfr_max(up, up, down, MPFR_RNDD);
        out->margin = mpfr_get_d(up, MPFR_RNDD);
        out->status = is_max || is_min ? TKC_PERM_ESTABLISHED
                                       : TKC_PERM_NOT_ESTABLISHED;
        snprintf(out->test, sizeof out->test, CYCLE_TEST,
                 TKC_PERM_EXHAUSTIVE_MAX);
        snprintf(out->method, sizeof out->method, CYCLE_TEST " (every cycle "
                 "of w_ij = ±(A_ii − A_ij) − radii positive; Floyd–Warshall in "
                 "MPFR rounded down)%s", TKC_PERM_EXHAUSTIVE_MAX,
                 is_max ? ": identity is the unique maximum"
                 : is_min ? ": identity is the unique minimum" : "");
    }
    mpfr_clears(up, down, (mpfr_ptr)0);
    return rc;
}

int tkc_certify_permutation_condition(tkc_perm_condition *out, size_t r,
                                      const double *a, const double *radius,
                                      tkc_error *err)
{
    memset(out, 0, sizeof *out);
    if (r == 0 || !a)
        return tkc_fail(err, TKC_EINPUT, "permutation condition: empty matrix");
    for (size_t k = 0; k < r * r; k++)
        if (!isfinite(a[k]) || (radius && !(radius[k] >= 0 &&
                                             isfinite(radius[k]))))
            return tkc_fail(err, TKC_EINPUT, "permutation condition: entry "
                            "(%zu, %zu) or its radius is not finite/valid",
                            k / r, k % r);
    int rc = TKC_SUCCESS;
    if (r <= TKC_PERM_EXHAUSTIVE_MAX)
        perm_exhaustive(out, r, a, radius);
    else
        rc = perm_cycles(out, r, a, radius, err);
    if (rc)
        return rc;
    static const char *const word[] = {"not established", "established",
                                       "violated (exactly)"};
    snprintf(out->text, sizeof out->text, "Lemma 3.6 permutation condition %s "
             "(margin %.3g%s%s)", word[out->status], out->margin,
             out->witness_text[0] ? ", worst τ = " : "", out->witness_text);
    return TKC_SUCCESS;
}

