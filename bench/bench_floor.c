/* bench_floor.c — the arithmetic floor of a K_attn Monte Carlo sample on
 * this machine: the throughput of the three operations a sample cannot do
 * without, each in a loop that does nothing else and that the compiler may
 * vectorize, on one core.
 *
 *   exp      of non-positive arguments (the max-shifted softmax weights):
 *            libm's exp, and tkc's own table-driven exp_nonpos (fastexp.h,
 *            what the integrand calls); the floor takes the faster;
 *   div      c / x (the antithetic weights exp(mn - m) / exp(t_a - m), and
 *            one inverse sum per string);
 *   normal   a standard normal draw: tkc's ziggurat block (rng.h), the
 *            fastest generator at hand.
 *
 * A sample (one integrand evaluation, half an antithetic pair) of a pair
 * with k positions and T distinct tokens needs at least (k + T)/2 normals,
 * k + 1 exps and k + 1 divisions (two strings, each k weights and one
 * exp(mn - m), the other sign's k weights by division, one inverse sum);
 * bench/run_attn.sh puts these together into ns per sample and prints
 * tkc's distance from it.
 *
 * Prints one line: floor exp_libm_ns=.. exp_tkc_ns=.. div_ns=.. normal_ns=..
 * (CPU nanoseconds per operation, each the best of PASSES passes).
 * usage: bench_floor [OPERATIONS_PER_PASS] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fastexp.h"
#include "rng.h"

#define LEN 4096          /* one array: stays in L1/L2 */
#define PASSES 5

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef enum { OP_EXP_LIBM, OP_EXP_TKC, OP_DIV, OP_NORMAL } op;

/* ns per operation for `ops` operations of one kind, and a checksum that
 * keeps the loops alive. */
static double time_op(op kind, uint64_t ops, double *in, double *out,
                      double *check)
{
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    tkc_rng rng;
    tkc_rng_stream(&rng, 1, TKC_RNG_MC, 0);
    uint64_t reps = ops / LEN + 1;
    double t0 = cpu_seconds();
    for (uint64_t r = 0; r < reps; r++) {
        switch (kind) {
        case OP_EXP_LIBM:
            for (size_t i = 0; i < LEN; i++)
                out[i] = exp(in[i]);
            break;
        case OP_EXP_TKC:
            for (size_t i = 0; i < LEN; i++)
                out[i] = exp_nonpos(in[i]);
            break;
        case OP_DIV:
            for (size_t i = 0; i < LEN; i++)
                out[i] = 0.75 / out[i];
            break;
        case OP_NORMAL:
            tkc_rng_normals(&zig, &rng, out, LEN);
            break;
        }
        *check += out[r % LEN];
    }
    return (cpu_seconds() - t0) * 1e9 / ((double)reps * LEN);
}

int main(int argc, char **argv)
{
    uint64_t ops = argc > 1 ? strtoull(argv[1], NULL, 10) : (uint64_t)1 << 26;
    if (ops < LEN) {
        fprintf(stderr, "usage: bench_floor [OPERATIONS_PER_PASS >= %d]\n", LEN);
        return 2;
    }
    double *in = malloc(LEN * sizeof *in), *out = malloc(LEN * sizeof *out);
    if (!in || !out)
        return 1;
    for (size_t i = 0; i < LEN; i++) {
        in[i] = -20.0 * (double)i / LEN;      /* softmax weights' range */
        out[i] = 1.0 + (double)i / LEN;
    }
    double best[4], check = 0;
    for (int k = 0; k < 4; k++) {
        best[k] = INFINITY;
        for (int p = 0; p < PASSES; p++) {
            double t = time_op((op)k, ops / PASSES, in, out, &check);
            best[k] = t < best[k] ? t : best[k];
            for (size_t i = 0; i < LEN; i++)   /* keep divisions finite */
                out[i] = 1.0 + (double)i / LEN;
        }
    }
    printf("floor exp_libm_ns=%.4g exp_tkc_ns=%.4g div_ns=%.4g normal_ns=%.4g "
           "checksum=%.6g\n", best[0], best[1], best[2], best[3], check);
    free(in);
    free(out);
    return 0;
}
