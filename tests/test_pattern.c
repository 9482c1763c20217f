/* test_pattern.c — canonical pair patterns against brute force, the
 * unordered pattern, the representative, and the pattern index. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/pattern.h"

/* Brute force: is (x2, y2) a token relabelling of (x1, y1)?  Build the map
 * position by position and require it to be a function and injective. */
static int is_relabelling(const tkc_token *x1, const tkc_token *y1,
                          const tkc_token *x2, const tkc_token *y2, size_t k)
{
    tkc_token from[2 * TKC_K_MAX], to[2 * TKC_K_MAX];
    size_t n = 0;
    for (size_t i = 0; i < 2 * k; i++) {
        tkc_token a = i < k ? x1[i] : y1[i - k];
        tkc_token b = i < k ? x2[i] : y2[i - k];
        int known = 0;
        for (size_t j = 0; j < n; j++) {
            if (from[j] == a && to[j] != b)
                return 0;
            if (to[j] == b && from[j] != a)
                return 0;
            if (from[j] == a)
                known = 1;
        }
        if (!known) {
            from[n] = a;
            to[n++] = b;
        }
    }
    return 1;
}

/* The pair number `code` in base A: digits are x then y. */
static void decode(unsigned long code, unsigned A, size_t k, tkc_token *x,
                   tkc_token *y)
{
    for (size_t a = 0; a < 2 * k; a++) {
        tkc_token t = (tkc_token)(code % A);
        code /= A;
        if (a < k)
            x[a] = t;
        else
            y[a - k] = t;
    }
}

static const unsigned long bell[] = {1, 1, 2, 5, 15, 52, 203, 877, 4140};

/* All pairs over an alphabet of 2k symbols: every pattern occurs, the
 * number of distinct patterns is the Bell number B(2k) (set partitions of
 * the 2k positions), and for k ≤ 2 every two pairs have equal patterns
 * exactly when one is a relabelling of the other. */
static void test_exhaustive(size_t k, int all_against_all)
{
    unsigned A = (unsigned)(2 * k);
    unsigned long total = 1;
    for (size_t i = 0; i < 2 * k; i++)
        total *= A;
    tkc_pattern_index *ix = tkc_pattern_index_alloc(4, NULL);
    CHECK(ix != NULL, "index alloc");
    if (!ix)
        return;
    tkc_pattern *pats = malloc(total * sizeof *pats);
    tkc_token x[8], y[8], x2[8], y2[8];
    int bad = 0;
    for (unsigned long c = 0; c < total; c++) {
        decode(c, A, k, x, y);
        tkc_pattern_of_pair(&pats[c], x, y, k);
        tkc_pattern_index_insert(ix, &pats[c], NULL, NULL);
        /* the representative has the same pattern and is a relabelling */
        tkc_token rx[8], ry[8];
        tkc_pattern rp;
        tkc_pattern_representative(&pats[c], rx, ry);
        tkc_pattern_of_pair(&rp, rx, ry, k);
        if (tkc_pattern_compare(&rp, &pats[c]) || !is_relabelling(x, y, rx, ry, k))
            bad++;
        unsigned m = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                m += x[a] == y[b];
        if (m != tkc_pattern_matches(&pats[c]))
            bad++;
    }
    CHECK(bad == 0, "k=%zu: %d representatives/match counts wrong", k, bad);
    CHECK(tkc_pattern_index_size(ix) == bell[2 * k],
          "k=%zu: %zu distinct patterns, Bell(%zu) = %lu", k,
          tkc_pattern_index_size(ix), 2 * k, bell[2 * k]);
    bad = 0;
    if (all_against_all) {
        for (unsigned long c = 0; c < total; c++)
            for (unsigned long d = 0; d < total; d++) {
                decode(c, A, k, x, y);
                decode(d, A, k, x2, y2);
                int eq = tkc_pattern_compare(&pats[c], &pats[d]) == 0;
                int heq = tkc_pattern_hash(&pats[c]) == tkc_pattern_hash(&pats[d]);
                if (eq != is_relabelling(x, y, x2, y2, k) || (eq && !heq))
                    bad++;
            }
    } else {
        /* random pairs of pairs, half of them relabelled copies */
        uint64_t s = 12345;
        for (int t = 0; t < 200000; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned long c = (unsigned long)(s >> 20) % total;
            decode(c, A, k, x, y);
            if (t & 1) {
                tkc_token perm[16];
                for (unsigned i = 0; i < A; i++)
                    perm[i] = (tkc_token)(1000 + i * 7);
                for (unsigned i = A - 1; i > 0; i--) {
                    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                    unsigned j = (unsigned)((s >> 33) % (i + 1));
                    tkc_token tmp = perm[i];
                    perm[i] = perm[j];
                    perm[j] = tmp;
                }
                for (size_t a = 0; a < k; a++) {
                    x2[a] = perm[x[a]];
                    y2[a] = perm[y[a]];
                }
            } else {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                decode((unsigned long)(s >> 20) % total, A, k, x2, y2);
            }
            tkc_pattern p2;
            tkc_pattern_of_pair(&p2, x2, y2, k);
            int eq = tkc_pattern_compare(&pats[c], &p2) == 0;
            if (eq != is_relabelling(x, y, x2, y2, k))
                bad++;
        }
    }
    CHECK(bad == 0, "k=%zu: %d pattern equalities disagree with brute force",
          k, bad);
    free(pats);
    tkc_pattern_index_free(ix);
}

static void test_unordered(void)
{
    tkc_token x[4] = {7, 7, 3, 9}, y[4] = {3, 5, 5, 7};
    tkc_pattern p, q, o;
    int sw1, sw2;
    tkc_pattern_of_unordered_pair(&p, x, y, 4, &sw1);
    tkc_pattern_of_unordered_pair(&q, y, x, 4, &sw2);
    CHECK(tkc_pattern_compare(&p, &q) == 0, "unordered pattern is symmetric");
    CHECK(sw1 != sw2, "exactly one orientation is swapped");
    tkc_pattern_of_pair(&o, sw1 ? y : x, sw1 ? x : y, 4);
    CHECK(tkc_pattern_compare(&p, &o) == 0, "swapped flag names the orientation");
    /* ordered patterns of (x, y) and (y, x) differ here */
    tkc_pattern a, b;
    tkc_pattern_of_pair(&a, x, y, 4);
    tkc_pattern_of_pair(&b, y, x, 4);
    CHECK(tkc_pattern_compare(&a, &b) != 0, "ordered patterns differ");
    CHECK(a.ntokens == 4 && a.x[0] == 0 && a.x[1] == 0 && a.x[2] == 1 &&
              a.y[1] == 3 && a.y[3] == 0,
          "canonical labels in order of first appearance");
}

static void test_index_growth(void)
{
    tkc_pattern_index *ix = tkc_pattern_index_alloc(1, NULL);
    CHECK(ix != NULL, "alloc");
    if (!ix)
        return;
    /* 4096 binary strings x over {5, 9}, paired with themselves: x and its
     * complement are relabellings (5 <-> 9), so 2048 distinct patterns */
    enum { N = 4096 };
    tkc_token x[12];
    int ok = 1;
    for (int n = 0; n < N; n++) {
        for (int a = 0; a < 12; a++)
            x[a] = (n >> a) & 1 ? 5 : 9;
        tkc_pattern p;
        tkc_pattern_of_pair(&p, x, x, 12);
        int is_new;
        long id = tkc_pattern_index_insert(ix, &p, &is_new, NULL);
        long id2 = tkc_pattern_index_insert(ix, &p, &is_new, NULL);
        if (id < 0 || id2 != id || is_new || tkc_pattern_index_find(ix, &p) != id ||
            tkc_pattern_compare(tkc_pattern_index_get(ix, (size_t)id), &p))
            ok = 0;
        if (n >= N / 2 && id != (long)(N - 1 - n))
            ok = 0;    /* complement of n was inserted as id N-1-n */
    }
    CHECK(ok, "insert/find/get consistent through growth");
    size_t size = tkc_pattern_index_size(ix);
    CHECK(size == N / 2, "relabelled inputs share ids (%zu of %d)", size, N);
    CHECK(tkc_pattern_index_get(ix, size) == NULL, "get past the end is NULL");
    tkc_pattern absent;
    tkc_token z[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    tkc_pattern_of_pair(&absent, z, z, 12);
    CHECK(tkc_pattern_index_find(ix, &absent) == -1, "absent pattern not found");
    tkc_pattern_index_free(ix);
}

static void test_strings(void)
{
    tkc_error err;
    CHECK(tkc_strings_alloc(3, 0, &err) == NULL && err.status == TKC_EINPUT,
          "k = 0 refused");
    CHECK(tkc_strings_alloc(3, TKC_K_MAX + 1, &err) == NULL &&
              err.status == TKC_EINPUT,
          "k > K_MAX refused");
    tkc_strings *s = tkc_strings_alloc(3, 4, &err);
    CHECK(s && s->count == 3 && s->k == 4 && tkc_strings_row(s, 2) == s->tok + 8,
          "rows");
    tkc_strings_free(s);
}

int main(void)
{
    test_exhaustive(1, 1);
    test_exhaustive(2, 1);
    test_exhaustive(3, 0);
    test_unordered();
    test_index_growth();
    test_strings();
    return check_summary();
}
