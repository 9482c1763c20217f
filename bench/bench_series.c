/* bench_series.c — cost of the exact Taylor coefficients of K_attn, and what
 * the series buys the estimators.
 *
 *  1. Pairs of length k <= 6 to order D = 10 (goal: under a second each).
 *  2. Length-11 pairs of the distribution-of-3 task (144 templates, [CLS]
 *     appended, disjoint substitutions as in N) to D = 6, 8, 10 (goal: under
 *     a minute each).
 *  3. Growth: time against k at D = 10, and against D at k = 11.
 *  4. The peer: the independent sympy brute force (tests/series_bruteforce.py,
 *     expansion in the Gaussians, moments monomial by monomial) on the same
 *     pair, same order, in the same run; ratio = peer / tkc.
 *  5. The control variate: variance reduction of cvmc over plain Monte Carlo
 *     at several β (same draws).
 *
 * Usage: bench_series [TEMPLATE_FILE [PYTHON [BRUTEFORCE_SCRIPT]]]
 * (defaults data/templates/distribution_of_3.tpl, /usr/bin/python3,
 * tests/series_bruteforce.py; run from the source root). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/kernel.h"
#include "tkc/series.h"
#include "tkc/template.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Wall and CPU seconds of one coefficient table. */
static int time_series(const tkc_token *x, const tkc_token *y, size_t k,
                       int order, double *wall, double *cpus)
{
    tkc_error err;
    tkc_series *s = tkc_series_alloc(order, &err);
    double w0 = now(), c0 = cpu();
    int rc = s ? tkc_series_compute_pair(s, x, y, k, &err) : 1;
    *wall = now() - w0;
    *cpus = cpu() - c0;
    if (rc)
        fprintf(stderr, "bench_series: %s\n", err.message);
    tkc_series_free(s);
    return rc;
}

static void tokens(const char *s, tkc_token *t)
{
    for (size_t a = 0; s[a]; a++)
        t[a] = (unsigned char)s[a];
}

static void small_pairs(void)
{
    const char *pairs[][2] = {
        {"aC", "bC"},         {"abab", "aabb"},     {"abcab", "ccbaa"},
        {"aabbab", "abcdef"}, {"abcabc", "ABCaBA"}, {"abcdef", "abcdef"},
        {"abcdef", "fedcba"}, {"abcdef", "ghijkl"}, {"aaaaaa", "aaaaaa"},
    };
    printf("1. k <= 6, D = 10 (goal < 1 s)\n");
    printf("   %-8s %-8s %10s %10s\n", "x", "y", "wall[s]", "cpu[s]");
    double worst = 0;
    for (size_t n = 0; n < sizeof pairs / sizeof pairs[0]; n++) {
        tkc_token x[8], y[8];
        tokens(pairs[n][0], x);
        tokens(pairs[n][1], y);
        double w, c;
        if (time_series(x, y, strlen(pairs[n][0]), 10, &w, &c))
            continue;
        worst = fmax(worst, c);
        printf("   %-8s %-8s %10.4f %10.4f\n", pairs[n][0], pairs[n][1], w, c);
    }
    printf("   slowest: %.3f s cpu\n\n", worst);
}

/* sub(z_i, s) with wildcard w -> base + w (fresh, disjoint across bases). */
static int substitute(const tkc_template_set *set, size_t i, tkc_token base,
                      tkc_token *out)
{
    tkc_token map[64];
    for (size_t w = 0; w < set->t[i].nwild && w < 64; w++)
        map[w] = base + (tkc_token)w;
    tkc_error err;
    if (tkc_template_substitute(set, i, map, out, &err)) {
        fprintf(stderr, "bench_series: %s\n", err.message);
        return -1;
    }
    return 0;
}

static void task_pairs(const char *path)
{
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_read_file(path, &opt, &set, &err)) {
        fprintf(stderr, "bench_series: %s (skipping part 2)\n", err.message);
        return;
    }
    size_t k = set->k;
    tkc_token base1 = (tkc_token)set->nsymbols, base2 = base1 + 64;
    size_t pick[][2] = {{0, 1}, {0, 143}, {17, 99}, {0, 0}};
    printf("2. distribution of 3: %zu templates, k = %zu, N-matrix pairs "
           "(goal < 60 s at D = 10)\n", set->count, k);
    printf("   %-9s %6s %10s %10s\n", "(i, j)", "D", "wall[s]", "cpu[s]");
    for (size_t n = 0; n < sizeof pick / sizeof pick[0]; n++) {
        tkc_token x[TKC_K_MAX], y[TKC_K_MAX];
        if (pick[n][0] >= set->count || pick[n][1] >= set->count ||
            substitute(set, pick[n][0], base1, x) ||
            substitute(set, pick[n][1], base2, y))
            continue;
        for (int D = 6; D <= 10; D += 2) {
            double w, c;
            if (time_series(x, y, k, D, &w, &c))
                continue;
            printf("   (%3zu,%3zu) %6d %10.3f %10.3f\n", pick[n][0], pick[n][1],
                   D, w, c);
        }
    }
    printf("\n");
    /* growth in D for one pair */
    tkc_token x[TKC_K_MAX], y[TKC_K_MAX];
    if (!substitute(set, 0, base1, x) && !substitute(set, 143, base2, y)) {
        printf("3b. growth in D, pair (0, 143), k = %zu\n", k);
        for (int D = 2; D <= 12; D += 2) {
            double w, c;
            if (time_series(x, y, k, D, &w, &c))
                break;
            tkc_pattern pat;
            tkc_pattern_of_pair(&pat, x, y, k);
            printf("   D = %2d  cpu %9.4f s   cost units %.3g\n", D, c,
                   tkc_series_cost(&pat, D));
            if (c > 60)
                break;
        }
        printf("\n");
    }
    tkc_template_set_free(set);
}

/* Growth in k at D = 10: prefixes of a typical pair with two shared tokens
 * (the wildcards of x and y disjoint, blank and [CLS] shared). */
static void growth_k(void)
{
    const char *X = "abcab_ceabZ", *Y = "ABCAC_BAECZ";
    printf("3a. growth in k at D = 10 (x, y = last k symbols of %s, %s)\n", X, Y);
    for (size_t k = 2; k <= 11; k++) {
        tkc_token x[16], y[16];
        tokens(X + 11 - k, x);
        tokens(Y + 11 - k, y);
        double w, c;
        if (time_series(x, y, k, 10, &w, &c))
            break;
        printf("   k = %2zu  cpu %9.4f s\n", k, c);
    }
    printf("\n");
}

static void peer(const char *python, const char *script)
{
    printf("4. peer: sympy brute force (%s) vs tkc, same pair and order\n", script);
    printf("   %-6s %-6s %3s %12s %12s %10s\n", "x", "y", "D", "sympy[s]",
           "tkc[s]", "ratio");
    const char *pairs[][2] = {{"aC", "bC"}, {"ab", "ba"}};
    for (size_t n = 0; n < 2; n++)
        for (int D = 2; D <= 4; D += 2) {
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "%s %s %s %s %d > /dev/null", python,
                     script, pairs[n][0], pairs[n][1], D);
            double t0 = now();
            int rc = system(cmd);
            double tp = now() - t0;
            tkc_token x[4], y[4];
            tokens(pairs[n][0], x);
            tokens(pairs[n][1], y);
            double w, c;
            /* the tkc time is far below a clock tick: repeat */
            double t1 = now();
            int reps = 0;
            while (now() - t1 < 0.2 && !time_series(x, y, 2, D, &w, &c))
                reps++;
            double tt = (now() - t1) / (reps ? reps : 1);
            if (rc != 0) {
                printf("   %-6s %-6s %3d   (peer failed, rc %d)\n", pairs[n][0],
                       pairs[n][1], D, rc);
                continue;
            }
            printf("   %-6s %-6s %3d %12.3f %12.6f %10.3g\n", pairs[n][0],
                   pairs[n][1], D, tp, tt, tp / tt);
        }
    printf("\n");
}

static void control_variate(void)
{
    printf("5. control variate: plain-MC variance / cvmc variance (same draws),\n"
           "   control of order 2 / order 4; mc (xF): no control helps, so cvmc\n"
           "   ran plain mc (F: the variance factor of its best control, < 1)\n");
    const char *pairs[][2] = {{"aC", "bC"}, {"abab", "aabb"}, {"abcab", "ccbaa"}};
    const double betas[] = {0.1, 0.25, 0.5, 0.75, 1.0, 2.0};
    printf("   %-12s", "pair");
    for (size_t b = 0; b < 6; b++)
        printf("  beta=%-11g", betas[b]);
    printf("\n");
    for (size_t n = 0; n < 3; n++) {
        size_t k = strlen(pairs[n][0]);
        tkc_strings *S = tkc_strings_alloc(2, k, NULL);
        tokens(pairs[n][0], tkc_strings_row(S, 0));
        tokens(pairs[n][1], tkc_strings_row(S, 1));
        tkc_pair p = {0, 1};
        printf("   %-5s %-6s", pairs[n][0], pairs[n][1]);
        for (size_t b = 0; b < 6; b++) {
            tkc_kernel_spec sp;
            tkc_kernel_spec_default(&sp);
            sp.kernel = tkc_kernel_attn;
            sp.estimator = tkc_attn_cvmc;
            sp.beta = betas[b];
            sp.gamma = 0.5;
            sp.cvmc.samples = 1 << 16;
            tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
            tkc_error err;
            const char *r = NULL;
            if (v && !sp.estimator->eval_pairs(&sp, S, &p, 1, v, &err))
                r = strstr(v->note, "reduced ");
            /* the note reads "... (worst entry; order 2: A, order 4: B)" */
            const char *o2 = r ? strstr(r, "order 2: ") : NULL;
            const char *o4 = r ? strstr(r, "order 4: ") : NULL;
            /* where no control helps, cvmc says so and runs plain mc:
             * "... changed the variance X-fold at the worst entry ..." */
            const char *fb = v && !r ? strstr(v->note, "changed the variance ")
                                     : NULL;
            if (o2 && o4)
                printf("  %7.3g/%-7.3g", atof(o2 + 9), atof(o4 + 9));
            else if (fb)
                printf("  mc (x%-8.2g)  ", atof(fb + 21));
            else
                printf("  %-15s", "failed");
            tkc_kernel_values_free(v);
        }
        printf("\n");
        tkc_strings_free(S);
    }
}

int main(int argc, char **argv)
{
    const char *tpl = argc > 1 ? argv[1] : "data/templates/distribution_of_3.tpl";
    const char *python = argc > 2 ? argv[2] : "/usr/bin/python3";
    const char *script = argc > 3 ? argv[3] : "tests/series_bruteforce.py";
    small_pairs();
    task_pairs(tpl);
    growth_k();
    peer(python, script);
    control_variate();
    return 0;
}
