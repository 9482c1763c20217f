/* test_permutation.c — Lemma 3.6's permutation condition against brute
 * force: the exhaustive test's margin equals the smallest separation over
 * all r! permutations (long double), exact ties are "violated", radii turn
 * a tie into "not established", and the cycle test (r > 8) agrees with
 * brute force on whether the identity is the unique optimal assignment. */
#include <math.h>
#include <string.h>

#include <mpfr.h>

#include "check.h"
#include "permutations.h"
#include "permutation.h"

static unsigned long lcg_state = 987654321;
static long rnd_int(long lo, long hi)
{
    lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
    return lo + (long)((lcg_state >> 33) % (unsigned long)(hi - lo + 1));
}
static double rnd_unit(void) { return (double)rnd_int(0, 1L << 30) / (1L << 30); }

/* Brute force over all permutations in long double: the smallest
 * |Σ (A_ii − A_iτ(i))| − radii, and whether the identity is the unique
 * max/min (signed minimum of the sums > 0 one way). */
typedef struct brute {
    const double *a, *rad;
    long double sep, maxgap, mingap;
} brute;

static void brute_visit(const size_t *p, size_t r, void *ctx)
{
    brute *b = ctx;
    long double d = 0, rs = 0;
    int moved = 0;
    for (size_t k = 0; k < r; k++)
        if (p[k] != k) {
            moved = 1;
            d += (long double)b->a[k * r + k] - b->a[k * r + p[k]];
            rs += b->rad ? (long double)b->rad[k * r + k] + b->rad[k * r + p[k]]
                         : 0;
        }
    if (!moved)
        return;                                   /* τ = id does not count */
    long double s = fabsl(d) - rs;
    b->sep = s < b->sep ? s : b->sep;
    b->maxgap = d - rs < b->maxgap ? d - rs : b->maxgap;
    b->mingap = -d - rs < b->mingap ? -d - rs : b->mingap;
}

static void brute_perm(const double *a, const double *rad, size_t r,
                       long double *sep, long double *maxgap, long double *mingap)
{
    brute b = {a, rad, INFINITY, INFINITY, INFINITY};
    for_each_permutation(r, brute_visit, &b);
    *sep = b.sep, *maxgap = b.maxgap, *mingap = b.mingap;
}

static void test_permutation(void)
{
    tkc_perm_condition pc;
    tkc_error err;
    /* exhaustive: random 4..7 matrices, margin equals brute force */
    for (int trial = 0; trial < 21; trial++) {
        size_t r = 2 + (size_t)(trial % 7);
        double a[64], rad[64];
        for (size_t k = 0; k < r * r; k++) {
            a[k] = rnd_unit();
            rad[k] = trial % 2 ? rnd_unit() * 1e-3 : 0;
        }
        long double sep, mx, mn;
        brute_perm(a, rad, r, &sep, &mx, &mn);
        CHECK(tkc_certify_permutation_condition(&pc, r, a, rad, &err) == 0, "rc");
        CHECK(fabsl(pc.margin - sep) <= 1e-12, "exhaustive margin %.15g vs "
              "brute %.15Lg (r=%zu)", pc.margin, sep, r);
        CHECK((pc.status == TKC_PERM_ESTABLISHED) == (sep > 0), "status r=%zu",
              r);
    }
    /* exact tie: A_ij = u_i + v_j makes every assignment sum equal */
    double tie[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            tie[i * 4 + j] = i * 0.25 + j * 0.5;
    CHECK(tkc_certify_permutation_condition(&pc, 4, tie, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_VIOLATED && pc.witness_text[0] == '(',
          "additive matrix: violated, witness %s", pc.witness_text);
    double small[16];
    for (int k = 0; k < 16; k++)
        small[k] = 1e-9;
    CHECK(tkc_certify_permutation_condition(&pc, 4, tie, small, NULL) == 0 &&
              pc.status == TKC_PERM_NOT_ESTABLISHED, "tie with radii: not "
          "established");
    /* r = 9, 10: the cycle test agrees with brute force on unique extremes */
    int agree = 0, established = 0, runs = 0;
    for (int trial = 0; trial < 6; trial++) {
        size_t r = 9;
        double a[81], rad[81];
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++) {
                a[i * r + j] = rnd_unit() + (i == j ? (trial % 3) * 0.8 : 0);
                if (trial == 5)
                    a[i * r + j] = -a[i * r + j];        /* unique minimum */
                rad[i * r + j] = 1e-4 * rnd_unit();
            }
        long double sep, mx, mn;
        brute_perm(a, rad, r, &sep, &mx, &mn);
        CHECK(tkc_certify_permutation_condition(&pc, r, a, rad, NULL) == 0, "rc");
        int truth = mx > 0 || mn > 0;
        runs++;
        agree += (pc.status == TKC_PERM_ESTABLISHED) == truth;
        established += pc.status == TKC_PERM_ESTABLISHED;
        if (truth)
            CHECK(fabsl(pc.margin - (mx > 0 ? mx : mn)) < 1e-12,
                  "cycle margin %.15g vs brute %.15Lg", pc.margin,
                  mx > 0 ? mx : mn);
        CHECK(!(pc.status == TKC_PERM_ESTABLISHED) || sep > 0,
              "cycle test sound");
    }
    CHECK(agree == runs && established >= 3, "cycle test vs brute force: "
          "%d/%d agree, %d established", agree, runs, established);
    /* r = 12 diagonal-heavy: established, and a 2-cycle tie breaks it */
    double b[144];
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < 12; j++)
            b[i * 12 + j] = (i == j) ? 2 + rnd_unit() : rnd_unit();
    CHECK(tkc_certify_permutation_condition(&pc, 12, b, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_ESTABLISHED && strstr(pc.method, "Floyd"),
          "r=12 dominant: %s", pc.text);
    b[0 * 12 + 1] = b[0] + b[13] - b[1 * 12 + 0];   /* A01 + A10 = A00 + A11 */
    CHECK(tkc_certify_permutation_condition(&pc, 12, b, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_NOT_ESTABLISHED, "r=12 with a tie: %s",
          pc.text);
}

int main(void)
{
    test_permutation();
    mpfr_free_cache();
    return check_summary();
}
