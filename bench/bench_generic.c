/* bench_generic.c — cost of the generic verdict (Lemma 3.7 from exact
 * coefficients, Lemma 3.6) and of its coefficient engine.
 *
 *  1. Per pair, in-process, on the first distinct pair patterns of a set
 *     (default distribution-of-3: k = 11 with [CLS]): the graded
 *     coefficients through total order D with one shared derivative cache
 *     (what the engine does), against the peer, the table of β-order D
 *     computed pair by pair (tkc_series_compute, what `tkc series` does per
 *     pair), alternating A B A B; ratio = peer / graded.
 *  2. The generic verdict of each set on 1 and 2 threads: status, deciding
 *     monomial, orders raised and patterns per order, work units, CPU and
 *     wall seconds.
 *
 * Usage: bench_generic [PAIR_SET [VERDICT_SET...]] from the source root
 * (defaults: data/templates/distribution_of_3.tpl, and every shipped set). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "series_cache.h"
#include "tkc/coeffs.h"
#include "tkc/generic.h"
#include "tkc/series.h"
#include "tkc/template.h"

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static tkc_template_set *read_set(const char *path)
{
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_read_file(path, &opt, &set, &err))
        fprintf(stderr, "bench_generic: %s\n", err.message);
    return set;
}

/* CPU seconds per pair of the graded run over patterns [0, n). */
static double graded_pass(const tkc_coeffs *c, size_t n, int D,
                          tkc_series_cache *cache)
{
    size_t M = tkc_series_monomials(D);
    mpq_t *v = malloc(M * sizeof *v);
    for (size_t m = 0; m < M; m++)
        mpq_init(v[m]);
    tkc_error err;
    double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t p = 0; p < n; p++)
        tkc_series_compute_graded(v, tkc_coeffs_pattern(c, p), D, cache, &err);
    double t = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)n;
    for (size_t m = 0; m < M; m++)
        mpq_clear(v[m]);
    free(v);
    return t;
}

static double table_pass(const tkc_coeffs *c, size_t n, int D)
{
    tkc_error err;
    tkc_series *s = tkc_series_alloc(D, &err);
    double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t p = 0; p < n; p++)
        tkc_series_compute(s, tkc_coeffs_pattern(c, p), &err);
    double t = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)n;
    tkc_series_free(s);
    return t;
}

static void per_pair(const char *path)
{
    tkc_template_set *set = read_set(path);
    tkc_error err;
    tkc_coeffs *c = set ? tkc_coeffs_alloc(set, &err) : NULL;
    if (!c)
        return;
    size_t n = tkc_coeffs_patterns(c) < 40 ? tkc_coeffs_patterns(c) : 40;
    printf("1. per pair, %s (k = %zu, first %zu of %zu patterns), CPU "
           "seconds\n", path, set->k, n, tkc_coeffs_patterns(c));
    printf("   %3s %12s %12s %12s %8s %12s\n", "D", "graded", "graded-cold",
           "table(peer)", "ratio", "work/pair");
    tkc_series_cache *cache = tkc_series_cache_alloc((int)set->k, &err);
    for (int D = 2; D <= 10; D += 2) {
        double g = 0, t = 0, cold = 0, work = 0;
        tkc_series_cache *fresh = tkc_series_cache_alloc((int)set->k, &err);
        cold = graded_pass(c, n, D, fresh);
        tkc_series_cache_free(fresh);
        for (int rep = 0; rep < 2; rep++) {       /* A B A B */
            g += graded_pass(c, n, D, cache) / 2;
            t += table_pass(c, n, D) / 2;
        }
        for (size_t p = 0; p < n; p++)
            work += tkc_series_cost_graded(tkc_coeffs_pattern(c, p), D) /
                    (double)n;
        printf("   %3d %12.6f %12.6f %12.6f %8.1f %12.3g\n", D, g, cold, t,
               t / g, work);
    }
    tkc_series_cache_free(cache);
    tkc_coeffs_free(c);
    tkc_template_set_free(set);
}

static void verdict(const char *path)
{
    tkc_template_set *set = read_set(path);
    if (!set)
        return;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (unsigned threads = 1; threads <= 2; threads++) {
        tkc_generic_options opt;
        tkc_generic_options_default(&opt);
        opt.threads = threads;
        tkc_generic_verdict v;
        tkc_error err;
        if (tkc_generic_decide_set(set, &opt, &v, &err)) {
            fprintf(stderr, "%s: %s\n", name, err.message);
            break;
        }
        char mono[32] = "-", orders[160] = "";
        if (v.deciding_a >= 0)
            tkc_series_monomial_name(mono, sizeof mono, v.deciding_a,
                                     v.deciding_b);
        size_t len = 0;
        for (int o = 0; o < v.norders && len < sizeof orders; o++)
            len += (size_t)snprintf(orders + len, sizeof orders - len,
                                    "%s%d:%zu", o ? " " : "", v.orders[o],
                                    v.order_patterns[o]);
        printf("   %-31s %4zu %6zu %1u %-15s %-8s %9.3g %8.2f %8.2f  %s\n",
               name, v.r, v.patterns, threads,
               v.status == TKC_GENERIC_PROVED ? "proved" : "not established",
               mono, v.work, v.cpu_seconds, v.seconds, orders);
        tkc_generic_verdict_clear(&v);
    }
    tkc_template_set_free(set);
}

int main(int argc, char **argv)
{
    static const char *const shipped[] = {
        "same_different", "aba_abb", "abab_aabb", "majority3", "majority5",
        "programming", "word_problem", "random", "raven",
        "relational_match_to_sample", "distribution_of_3"};
    per_pair(argc > 1 ? argv[1] : "data/templates/distribution_of_3.tpl");
    printf("2. the generic verdict (threads 1, 2; CPU = process time)\n");
    printf("   %-31s %4s %6s %1s %-15s %-8s %9s %8s %8s  %s\n", "set", "r",
           "pats", "t", "status", "decided", "work", "cpu[s]", "wall[s]",
           "order:patterns");
    if (argc > 2) {
        for (int a = 2; a < argc; a++)
            verdict(argv[a]);
    } else {
        for (size_t s = 0; s < sizeof shipped / sizeof shipped[0]; s++) {
            char path[256];
            snprintf(path, sizeof path, "data/templates/%s.tpl", shipped[s]);
            verdict(path);
        }
    }
    return 0;
}
