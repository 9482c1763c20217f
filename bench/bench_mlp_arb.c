/* bench_mlp_arb.c — the cost of the proved MLP+XXᵀ entries of N (ball
 * arithmetic, mlp_arb.h, as the mlpxx kernel type now computes them)
 * against the double path it replaced (the dual recursion in double with a
 * first-order rounding estimate, kept here as the peer), on the r² pairs of
 * N for a template set — distribution_of_3.tpl is the 144-template N.
 *
 * Sides, run in turn in every round (A B C A B C ...), best time kept:
 *   double   tkc_kernel_eval_pairs on all r² pairs with the kernel type
 *            main had (its pattern cache, then one double recursion per
 *            distinct unordered pair pattern), defined here as a peer;
 *   arb      one Arb recursion per distinct pattern (no Gram cache);
 *   tkc      tkc_kernel_eval_pairs on all r² pairs: the pattern cache, then
 *            one Arb recursion per distinct triple of input Grams.
 * Printed: each side's time and its ratio to the double path.
 * Usage: bench_mlp_arb TEMPLATES [ACT [DEPTH [ROUNDS]]] (cos, 1, 3). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "activation.h"
#include "dual_arb.h"
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

/* ---- the peer: the double path before issue 11 -------------------------- */

/* One dual with its first-order error and a rounding term (an estimate,
 * not a bound: the cos dual's misses it by up to ~5000x). */
static int dual_with_estimate(const tkc_kernel_spec *spec, double A, double B,
                              double C, double eA, double eB, double eC,
                              double *K, double *e, tkc_error *err)
{
    double g[3];
    int rc = tkc_activation_dual_eval(spec->activation, A, B, C, spec, K, g,
                                      err);
    if (!rc)
        *e = fabs(g[0]) * eA + fabs(g[1]) * eB + fabs(g[2]) * eC +
             tkc_activation_dual_rounding(*K, g, A, B, C);
    return rc;
}

/* ½ (m/k + r/k²) in double. */
static double xx_gram(const tkc_token *x, const tkc_token *y, size_t k)
{
    double kk = (double)k;
    return 0.5 * ((double)tkc_onehot_matches(x, y, k) / kk +
                  (double)tkc_incidence_inner(x, y, k) / (kk * kk));
}

static int double_xx(const tkc_kernel_spec *spec, const tkc_token *x,
                     const tkc_token *y, size_t k, double *K, double *se,
                     tkc_error *err)
{
    double A = xx_gram(x, x, k), B = xx_gram(y, y, k), C = xx_gram(x, y, k);
    double eA = 2 * DBL_EPSILON * A, eB = 2 * DBL_EPSILON * B,
           eC = 2 * DBL_EPSILON * C;
    for (unsigned l = 0; l < spec->mlp_depth; l++) {
        double nA, nB, nC, fA, fB, fC;
        int rc = dual_with_estimate(spec, A, A, A, eA, eA, eA, &nA, &fA, err);
        if (!rc)
            rc = dual_with_estimate(spec, B, B, B, eB, eB, eB, &nB, &fB, err);
        if (!rc)
            rc = dual_with_estimate(spec, A, B, C, eA, eB, eC, &nC, &fC, err);
        if (rc)
            return rc;
        A = nA, B = nB, C = nC;
        eA = fA, eB = fB, eC = fC;
    }
    *K = C;
    *se = eC;
    return TKC_SUCCESS;
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

/* What every timed side needs. */
typedef struct work {
    tkc_kernel_spec spec;
    const tkc_strings *S;
    tkc_kernel_values *vals;
} work;

/* The peer's kernel type: the double recursion on each pair given (the
 * kernel layer has already reduced them to distinct patterns). */
static int double_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                             const tkc_pair *pairs, size_t npairs,
                             tkc_kernel_values *out, tkc_error *err)
{
    for (size_t p = 0; p < npairs; p++) {
        int rc = double_xx(spec, tkc_strings_row(S, pairs[p].x),
                           tkc_strings_row(S, pairs[p].y), S->k,
                           &out->value[p], &out->se[p], err);
        if (rc)
            return rc;
    }
    out->error_kind = TKC_ERROR_ROUNDING;
    out->estimator = "closed form (double)";
    return TKC_SUCCESS;
}

static const tkc_kernel_type double_mlpxx = {
    "mlpxx-double", "the double path before issue 11", double_eval_pairs, 0};

/* The double path through the kernel layer, as main had it. */
static void double_layer(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    tkc_kernel_spec spec = w->spec;
    spec.kernel = &double_mlpxx;
    if (tkc_kernel_eval_pairs(&spec, w->S, pairs, n, w->vals, &err))
        die("double", &err);
}

/* Arb, once per distinct pattern. */
static void arb_patterns(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    arb_t K;
    arb_init(K);
    for (size_t p = 0; p < n; p++)
        if (tkc_mlp_arb_xx(K, &w->spec, tkc_strings_row(w->S, pairs[p].x),
                           tkc_strings_row(w->S, pairs[p].y), w->S->k,
                           TKC_ARB_PREC, &err))
            die("arb", &err);
    arb_clear(K);
}

/* The library: every pair of N through the kernel layer. */
static void tkc_layer(work *w, const tkc_pair *pairs, size_t n)
{
    tkc_error err;
    if (tkc_kernel_eval_pairs(&w->spec, w->S, pairs, n, w->vals, &err))
        die("tkc", &err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_mlp_arb TEMPLATES [ACT [DEPTH [ROUNDS]]]\n");
        return 2;
    }
    tkc_error err;
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set;
    if (tkc_template_set_read_file(argv[1], &opt, &set, &err))
        die(argv[1], &err);
    work w = {0};
    tkc_kernel_spec_default(&w.spec);
    w.spec.kernel = tkc_kernel_mlpxx;
    w.spec.activation = tkc_activation_lookup(argc > 2 ? argv[2] : "cos");
    w.spec.mlp_depth = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    if (!w.spec.activation || tkc_kernel_spec_validate(&w.spec, &err))
        die("spec", &err);

    tkc_strings *S;
    if (tkc_nmatrix_strings(set, &S, &err))
        die("strings", &err);
    size_t r = set->count, n = r * r;
    tkc_pair *pairs = malloc(n * sizeof *pairs), *rep = malloc(n * sizeof *rep);
    w.S = S;
    w.vals = tkc_kernel_values_alloc(n, 0, &err);
    if (!pairs || !rep || !w.vals)
        die("allocation", &err);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            pairs[i * r + j] = (tkc_pair){i, r + j};
    size_t m = distinct_pairs(S, pairs, n, rep);

    const struct {
        const char *name;
        void (*run)(work *, const tkc_pair *, size_t);
        const tkc_pair *pairs;
        size_t n;
    } side[3] = {{"double (main before)", double_layer, pairs, n},
                 {"arb, per pattern", arb_patterns, rep, m},
                 {"tkc (arb, per Gram triple)", tkc_layer, pairs, n}};
    double best[3] = {1e300, 1e300, 1e300};
    for (int round = 0; round < rounds; round++)
        for (int i = 0; i < 3; i++) {
            double t = now();
            side[i].run(&w, side[i].pairs, side[i].n);
            t = now() - t;
            best[i] = t < best[i] ? t : best[i];
        }
    printf("N of %s: r = %zu, %zu pairs, %zu patterns; mlpxx, %s, depth %u, "
           "Arb at %d bits; best of %d rounds\n",
           argv[1], r, n, m, w.spec.activation->name, w.spec.mlp_depth,
           TKC_ARB_PREC, rounds);
    printf("%-28s %12s %10s\n", "", "seconds", "/ double");
    for (int i = 0; i < 3; i++)
        printf("%-28s %12.4g %10.3g\n", side[i].name, best[i],
               best[i] / best[0]);

    tkc_kernel_values_free(w.vals);
    free(rep), free(pairs);
    tkc_strings_free(S);
    tkc_template_set_free(set);
    flint_cleanup();
    return 0;
}
