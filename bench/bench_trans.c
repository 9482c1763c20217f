/* bench_trans.c — speed of the K_trans pieces against the numpy peer:
 *  - the 2-D Gauss–Hermite dual (tkc_activation_dual_quadrature) on many
 *    (A, B, C) triples, and the closed form on the same triples;
 *  - one finite-width transformer (empirical K_attn, K_trans on 2 strings)
 *    with explicitly drawn weights and drawn in law.
 * Prints `key=value` lines for bench/run_trans.sh; times are CPU seconds of
 * this process (the machine is shared). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "activation.h"
#include "tkc/finite.h"

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Triples (A, B, C) = (1 + i/n, 1.5 − i/(2n), 0.5 (i/n) √(AB)). */
static void triple(size_t i, size_t n, double *A, double *B, double *C)
{
    double t = (double)i / (double)n;
    *A = 1 + t;
    *B = 1.5 - t / 2;
    *C = 0.5 * t * sqrt(*A * *B);
}

static void bench_quadrature(size_t ntriples, size_t nodes)
{
    tkc_kernel_spec s;
    tkc_kernel_spec_default(&s);
    for (size_t a = 0; tkc_activation_types[a]; a++) {
        const tkc_activation_type *act = tkc_activation_types[a];
        double sum = 0, sumc = 0, maxdiff = 0, t0 = cpu_seconds();
        tkc_dual_quadrature *q = tkc_dual_quadrature_alloc(nodes, NULL);
        if (!q)
            exit(1);
        for (size_t i = 0; i < ntriples; i++) {
            double A, B, C, K;
            triple(i, ntriples, &A, &B, &C);
            if (tkc_dual_quadrature_eval(q, act, A, B, C, &s, &K, NULL))
                exit(1);
            sum += K;
        }
        double t1 = cpu_seconds();
        for (size_t i = 0; i < ntriples; i++) {
            double A, B, C, K, Kq;
            triple(i, ntriples, &A, &B, &C);
            act->dual(A, B, C, &s, &K, NULL, NULL);
            sumc += K;
            if (i % 97 == 0) {
                tkc_dual_quadrature_eval(q, act, A, B, C, &s, &Kq, NULL);
                maxdiff = fmax(maxdiff, fabs(K - Kq));
            }
        }
        double t2 = cpu_seconds();
        tkc_dual_quadrature_free(q);
        printf("quad act=%s triples=%zu nodes=%zu cpu=%.6g sum=%.15g closed_cpu=%.6g "
               "closed_sum=%.15g maxdiff=%.3g\n",
               act->name, ntriples, nodes, t1 - t0, sum, t2 - t1, sumc, maxdiff);
    }
}

static void bench_finite(size_t d, int explicit_weights, unsigned reps)
{
    tkc_token tok[] = {0, 1, 2, 3, 1, 0};
    const tkc_strings S = {2, 3, tok};
    tkc_kernel_spec s;
    tkc_kernel_spec_default(&s);
    s.beta = 1, s.gamma = 0.7;
    double a[4], t[4], t0 = cpu_seconds();
    for (unsigned r = 0; r < reps; r++) {
        tkc_finite_spec fs = {d, d, d, explicit_weights, r + 1};
        if (tkc_finite_transformer_gram(&s, &fs, &S, a, t, NULL))
            exit(1);
    }
    printf("finite mode=%s d=%zu heads=%zu units=%zu reps=%u cpu_per_net=%.6g "
           "attn01=%.6f trans01=%.6f\n",
           explicit_weights ? "explicit" : "in_law", d, d, d, reps,
           (cpu_seconds() - t0) / reps, a[1], t[1]);
}

int main(int argc, char **argv)
{
    size_t ntriples = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
    size_t nodes = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
    size_t d = argc > 3 ? strtoul(argv[3], NULL, 10) : 256;
    bench_quadrature(ntriples, nodes);
    bench_finite(d, 1, 2);
    bench_finite(d, 0, 20);
    bench_finite(16 * d, 0, 5);
    return 0;
}
