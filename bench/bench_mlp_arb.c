/* bench_mlp_arb.c — cost of the proved MLP+XXᵀ entries of N (Arb balls,
 * tkc/mlp_arb.h) against today's double path with its first-order rounding
 * bound (tkc/mlp.h), on the same r² pairs of N for a template set.
 *
 * Rounds alternate double, Arb, double, Arb, ...; each side's best time is
 * kept.  Printed: per-pair cost of each side on all r² pairs (the same
 * work), the ratio, and the same for the distinct unordered pair patterns
 * only (what the kernel layer's pattern cache evaluates; the double path
 * through tkc_kernel_eval_pairs, the Arb one once per pattern), and Arb
 * once per distinct triple of input Grams (the kernel is a function of
 * them: the cache a ball path could use instead).
 * Usage: bench_mlp_arb TEMPLATES [ACT [DEPTH [PREC [ROUNDS]]]]
 * (defaults cos, 1, 128, 3); e.g. data/templates/distribution_of_3.tpl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/mlp.h"
#include "tkc/mlp_arb.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, const tkc_error *err)
{
    fprintf(stderr, "bench_mlp_arb: %s: %s\n", what, err->message);
    exit(2);
}

/* One representative pair per distinct unordered pattern. */
static size_t distinct_pairs(const tkc_strings *S, const tkc_pair *pairs,
                             size_t n, tkc_pair *rep)
{
    tkc_pattern_index *ix = tkc_pattern_index_alloc(n, NULL);
    size_t m = 0;
    for (size_t p = 0; ix && p < n; p++) {
        tkc_pattern pat;
        int swapped, is_new;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, pairs[p].x),
                                      tkc_strings_row(S, pairs[p].y), S->k,
                                      &swapped);
        if (tkc_pattern_index_insert(ix, &pat, &is_new, NULL) >= 0 && is_new)
            rep[m++] = pairs[p];
    }
    tkc_pattern_index_free(ix);
    return m;
}

/* The kernel is a function of its Gram numerators (K⁰(x,x), K⁰(y,y),
 * K⁰(x,y) over 2k²), unordered in x, y: one pair per distinct triple. */
typedef struct gram_key {
    unsigned long a, b, c;
    tkc_pair pair;
} gram_key;

static unsigned long xx_num(const tkc_strings *S, size_t i, size_t j)
{
    const tkc_token *x = tkc_strings_row(S, i), *y = tkc_strings_row(S, j);
    return (unsigned long)S->k * tkc_onehot_matches(x, y, S->k) +
           tkc_incidence_inner(x, y, S->k);
}

static int key_cmp(const void *p, const void *q)
{
    const gram_key *u = p, *v = q;
    if (u->a != v->a)
        return u->a < v->a ? -1 : 1;
    if (u->b != v->b)
        return u->b < v->b ? -1 : 1;
    return u->c < v->c ? -1 : u->c > v->c;
}

static size_t distinct_grams(const tkc_strings *S, const tkc_pair *pairs,
                             size_t n, tkc_pair *rep)
{
    gram_key *key = malloc(n * sizeof *key);
    if (!key)
        return 0;
    for (size_t p = 0; p < n; p++) {
        unsigned long a = xx_num(S, pairs[p].x, pairs[p].x),
                      b = xx_num(S, pairs[p].y, pairs[p].y);
        key[p] = (gram_key){a < b ? a : b, a < b ? b : a,
                            xx_num(S, pairs[p].x, pairs[p].y), pairs[p]};
    }
    qsort(key, n, sizeof *key, key_cmp);
    size_t m = 0;
    for (size_t p = 0; p < n; p++)
        if (p == 0 || key_cmp(&key[p], &key[p - 1]))
            rep[m++] = key[p].pair;
    free(key);
    return m;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_mlp_arb TEMPLATES [ACT [DEPTH [PREC "
                        "[ROUNDS]]]]\n");
        return 2;
    }
    tkc_error err;
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set;
    if (tkc_template_set_read_file(argv[1], &opt, &set, &err))
        die(argv[1], &err);
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_mlpxx;
    spec.activation = tkc_activation_lookup(argc > 2 ? argv[2] : "cos");
    spec.mlp_depth = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    slong prec = argc > 4 ? atol(argv[4]) : 128;
    int rounds = argc > 5 ? atoi(argv[5]) : 3;
    if (!spec.activation || tkc_kernel_spec_validate(&spec, &err))
        die("spec", &err);

    tkc_strings *S;
    if (tkc_nmatrix_strings(set, &S, &err))
        die("strings", &err);
    size_t r = set->count, n = r * r;
    tkc_pair *pairs = malloc(n * sizeof *pairs), *rep = malloc(n * sizeof *rep);
    tkc_pair *grep = malloc(n * sizeof *grep);
    double *K = malloc(n * sizeof *K), *se = malloc(n * sizeof *se);
    tkc_enclosure *box = malloc(n * sizeof *box);
    tkc_kernel_values *vals = tkc_kernel_values_alloc(n, 0, &err);
    if (!pairs || !rep || !grep || !K || !se || !box || !vals)
        die("allocation", &err);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            pairs[i * r + j] = (tkc_pair){i, r + j};
    size_t m = distinct_pairs(S, pairs, n, rep);
    size_t g = distinct_grams(S, pairs, n, grep);

    double best[5] = {1e300, 1e300, 1e300, 1e300, 1e300};
    for (int round = 0; round < rounds; round++) {
        double t = now();  /* A: double, all pairs */
        for (size_t p = 0; p < n; p++)
            if (tkc_mlp_kernel_xx(&spec, tkc_strings_row(S, pairs[p].x),
                                  tkc_strings_row(S, pairs[p].y), S->k, &K[p],
                                  &se[p], &err))
                die("double", &err);
        t = now() - t;
        best[0] = t < best[0] ? t : best[0];
        t = now();  /* B: Arb, all pairs */
        if (tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_xx, &spec, S, pairs, n, prec,
                                      box, &err))
            die("arb", &err);
        t = now() - t;
        best[1] = t < best[1] ? t : best[1];
        t = now();  /* A: double through the pattern cache */
        if (tkc_kernel_eval_pairs(&spec, S, pairs, n, vals, &err))
            die("double (cached)", &err);
        t = now() - t;
        best[2] = t < best[2] ? t : best[2];
        t = now();  /* B: Arb once per pattern */
        if (tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_xx, &spec, S, rep, m, prec,
                                      box, &err))
            die("arb (per pattern)", &err);
        t = now() - t;
        best[3] = t < best[3] ? t : best[3];
        t = now();  /* B: Arb once per Gram triple */
        if (tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_xx, &spec, S, grep, g, prec,
                                      box, &err))
            die("arb (per Gram triple)", &err);
        t = now() - t;
        best[4] = t < best[4] ? t : best[4];
    }
    printf("N of %s: r = %zu, %zu pairs, %zu patterns, %zu Gram triples; "
           "mlpxx, %s, depth %u, Arb at %ld bits; best of %d rounds\n",
           argv[1], r, n, m, g,
           spec.activation->name, spec.mlp_depth, (long)prec, rounds);
    printf("%-26s %12s %12s %8s\n", "", "double[s]", "arb[s]", "ratio");
    printf("%-26s %12.4g %12.4g %8.3g\n", "all pairs", best[0], best[1],
           best[1] / best[0]);
    printf("%-26s %12.4g %12.4g %8.3g\n", "pattern cache", best[2], best[3],
           best[3] / best[2]);
    printf("%-26s %12.4g %12.4g %8.3g\n", "Arb per Gram triple", best[2],
           best[4], best[4] / best[2]);

    tkc_kernel_values_free(vals);
    free(box), free(se), free(K), free(grep), free(rep), free(pairs);
    tkc_strings_free(S);
    tkc_template_set_free(set);
    flint_cleanup();
    return 0;
}
