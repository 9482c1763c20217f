/* permutations.h — every permutation of 0..r-1 for brute-force checks, by
 * recursive swaps: an enumeration of its own, independent of the library's
 * lexicographic one (permutation.c), so that a test does not share the code
 * it checks. */
#ifndef TKC_TEST_PERMUTATIONS_H
#define TKC_TEST_PERMUTATIONS_H

#include <stddef.h>

#define TEST_PERM_MAX 12

/* Called once per permutation p (p[i] = image of i), identity included. */
typedef void (*perm_visit)(const size_t *p, size_t r, void *ctx);

static void perm_recurse(size_t *p, size_t r, size_t k, perm_visit visit,
                         void *ctx)
{
    if (k == r) {
        visit(p, r, ctx);
        return;
    }
    for (size_t i = k; i < r; i++) {
        size_t t = p[k];
        p[k] = p[i], p[i] = t;
        perm_recurse(p, r, k + 1, visit, ctx);
        t = p[k];
        p[k] = p[i], p[i] = t;
    }
}

static inline void for_each_permutation(size_t r, perm_visit visit, void *ctx)
{
    size_t p[TEST_PERM_MAX];
    for (size_t i = 0; i < r; i++)
        p[i] = i;
    perm_recurse(p, r, 0, visit, ctx);
}

#endif
