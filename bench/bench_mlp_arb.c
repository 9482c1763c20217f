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

#include "mlp.h"
#include "mlp_arb.h"
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

/* What every timed side needs. */
typedef struct work {
    tkc_kernel_spec spec;
    const tkc_strings *S;
    slong prec;
    double *K, *se;
    tkc_enclosure *box;
    tkc_kernel_values *vals;
} work;

/* Double, pair by pair: value and first-order rounding bound. */
static void double_pairs(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    for (size_t p = 0; p < n; p++)
        if (tkc_mlp_kernel_xx(&w->spec, tkc_strings_row(w->S, pairs[p].x),
                              tkc_strings_row(w->S, pairs[p].y), w->S->k,
                              &w->K[p], &w->se[p], &err))
            die("double", &err);
}

/* Double through the kernel layer's pattern cache. */
static void double_cached(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    if (tkc_kernel_eval_pairs(&w->spec, w->S, pairs, n, w->vals, &err))
        die("double (cached)", &err);
}

/* Proved enclosures, one Arb evaluation per pair given. */
static void arb_pairs(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    if (tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_xx, &w->spec, w->S, pairs, n,
                                  w->prec, w->box, &err))
        die("arb", &err);
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
    work w = {.prec = argc > 4 ? atol(argv[4]) : 128};
    tkc_kernel_spec_default(&w.spec);
    w.spec.kernel = tkc_kernel_mlpxx;
    w.spec.activation = tkc_activation_lookup(argc > 2 ? argv[2] : "cos");
    w.spec.mlp_depth = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    int rounds = argc > 5 ? atoi(argv[5]) : 3;
    if (!w.spec.activation || tkc_kernel_spec_validate(&w.spec, &err))
        die("spec", &err);

    tkc_strings *S;
    if (tkc_nmatrix_strings(set, &S, &err))
        die("strings", &err);
    size_t r = set->count, n = r * r;
    tkc_pair *pairs = malloc(n * sizeof *pairs), *rep = malloc(n * sizeof *rep);
    tkc_pair *grep = malloc(n * sizeof *grep);
    w.S = S;
    w.K = malloc(n * sizeof *w.K);
    w.se = malloc(n * sizeof *w.se);
    w.box = malloc(n * sizeof *w.box);
    w.vals = tkc_kernel_values_alloc(n, 0, &err);
    if (!pairs || !rep || !grep || !w.K || !w.se || !w.box || !w.vals)
        die("allocation", &err);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            pairs[i * r + j] = (tkc_pair){i, r + j};
    size_t m = distinct_pairs(S, pairs, n, rep);
    size_t g = distinct_grams(S, pairs, n, grep);

    /* Alternating: double, Arb, double, Arb, Arb. */
    const struct {
        void (*run)(work *, const tkc_pair *, size_t);
        const tkc_pair *pairs;
        size_t n;
    } side[5] = {{double_pairs, pairs, n}, {arb_pairs, pairs, n},
                 {double_cached, pairs, n}, {arb_pairs, rep, m},
                 {arb_pairs, grep, g}};
    double best[5] = {1e300, 1e300, 1e300, 1e300, 1e300};
    for (int round = 0; round < rounds; round++)
        for (int i = 0; i < 5; i++) {
            double t = now();
            side[i].run(&w, side[i].pairs, side[i].n);
            t = now() - t;
            best[i] = t < best[i] ? t : best[i];
        }
    printf("N of %s: r = %zu, %zu pairs, %zu patterns, %zu Gram triples; "
           "mlpxx, %s, depth %u, Arb at %ld bits; best of %d rounds\n",
           argv[1], r, n, m, g,
           w.spec.activation->name, w.spec.mlp_depth, (long)w.prec, rounds);
    printf("%-26s %12s %12s %8s\n", "", "double[s]", "arb[s]", "ratio");
    printf("%-26s %12.4g %12.4g %8.3g\n", "all pairs", best[0], best[1],
           best[1] / best[0]);
    printf("%-26s %12.4g %12.4g %8.3g\n", "pattern cache", best[2], best[3],
           best[3] / best[2]);
    printf("%-26s %12.4g %12.4g %8.3g\n", "Arb per Gram triple", best[2],
           best[4], best[4] / best[2]);

    tkc_kernel_values_free(w.vals);
    free(w.box), free(w.se), free(w.K), free(grep), free(rep), free(pairs);
    tkc_strings_free(S);
    tkc_template_set_free(set);
    flint_cleanup();
    return 0;
}
