/* bench_gram.c — one Gram matrix in C, the call tkc.gram makes from
 * Python: `rounds` times tkc_gram_matrix on n strings drawn from a template
 * set (the same draw as tkc.Templates(set).sample(n, alphabet, seed)), at the
 * kernel options given as NAME=VALUE (tkc/kernel_options.h).
 *
 *     bench_gram FILE N ALPHABET SEED ROUNDS [NAME=VALUE ...]
 *
 * Prints one line per round: "seconds=S cpu=C sum=X patterns=P
 * samples=E estimator=NAME" (S the wall time of the call alone, C its CPU
 * time, X the sum of K's entries in row order, so that the Python side can
 * check it computed the same matrix; E the integrand evaluations the call
 * made and NAME the estimator it used: the budget the time is for).  bench/bench_gram.py runs it and the Python call alternately
 * (bench/alternate.py) and prints the ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/gram.h"
#include "tkc/kernel_options.h"
#include "tkc/sample.h"
#include "tkc/template.h"

static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_gram FILE N ALPHABET SEED ROUNDS "
                        "[NAME=VALUE ...]\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), alphabet = strtoul(argv[3], NULL, 10);
    uint64_t seed = strtoull(argv[4], NULL, 10);
    int rounds = atoi(argv[5]);
    tkc_error err;
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_sample *s = NULL;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    tkc_kernel_options_given given = 0;
    for (int i = 6; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "bench_gram: expected NAME=VALUE, got %s\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        if (tkc_kernel_option_set(&spec, argv[i], eq + 1, &given, &err)) {
            fprintf(stderr, "bench_gram: %s\n", err.message);
            return 2;
        }
    }
    if (tkc_kernel_options_check(&spec, given, NULL, TKC_OPTION_NAMES_KEYWORD,
                                 &err) ||
        tkc_template_set_open(argv[1], &po, &set, &err) ||
        tkc_sample_draw(set, n, alphabet, 0, 0.0, seed, &s, &err)) {
        fprintf(stderr, "bench_gram: %s\n", err.message);
        return 2;
    }
    double *K = malloc(n * n * sizeof *K), *se = malloc(n * n * sizeof *se);
    for (int r = 0; r < rounds && K && se; r++) {
        tkc_gram_info info;
        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (tkc_gram_matrix(&spec, s->strings, NULL, K, se, &info, &err)) {
            fprintf(stderr, "bench_gram: %s\n", err.message);
            return 1;
        }
        double t = now(CLOCK_MONOTONIC) - t0;
        double c = now(CLOCK_PROCESS_CPUTIME_ID) - c0, sum = 0;
        for (size_t e = 0; e < n * n; e++)
            sum += K[e];
        printf("seconds=%.6f cpu=%.6f sum=%.17g patterns=%zu samples=%llu "
               "estimator=%s\n", t, c, sum, info.npatterns,
               (unsigned long long)info.samples, info.estimator);
        fflush(stdout);
    }
    free(K);
    free(se);
    tkc_sample_free(s);
    tkc_template_set_free(set);
    return 0;
}
