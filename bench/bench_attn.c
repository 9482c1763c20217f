/* bench_attn.c — speed and accuracy of the K_attn estimators.
 *
 * Prints `key=value` lines for bench/run_attn.sh, which runs this program
 * and its peers in turn (A B A B ...) and compares them:
 *   bench_attn mc PAIR SAMPLES [SEED]
 *       one Monte Carlo run of the pair (k3: abc/bcd, k11:
 *       abcdefghijk/bcdeafghAjB, β = γ = 1) on one thread:
 *       mc pair=K samples=N cpu=S se=E value=V k=.. tokens=..
 *   bench_attn qmc
 *       QMC against MC at a fixed budget, and the evaluations each needs
 *       for se = 1e-5 (β = 0.5):
 *       qmc pair=K budget=N se_mc=E se_qmc=E ...
 *       qmc_target pair=K target=1e-5 evals_qmc=N evals_mc=N ...
 * Times are CPU seconds of this process for the estimator call alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/kernel.h"

typedef struct bench_pair {
    const char *name, *x, *y;
    double beta, gamma;
} bench_pair;

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run(const bench_pair *bp, const tkc_attn_estimator_type *est,
               uint64_t samples, unsigned reps, uint64_t seed, double *value,
               double *se, double *cpu, uint64_t *evals)
{
    size_t k = strlen(bp->x);
    tkc_strings *S = tkc_strings_alloc(2, k, NULL);
    for (size_t a = 0; a < k; a++) {
        tkc_strings_row(S, 0)[a] = (unsigned char)bp->x[a];
        tkc_strings_row(S, 1)[a] = (unsigned char)bp->y[a];
    }
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_attn;
    spec.estimator = est;
    spec.beta = bp->beta;
    spec.gamma = bp->gamma;
    spec.mc.samples = samples;            /* mc: integrand evaluations     */
    spec.qmc.points = samples;            /* qmc: points per replicate     */
    spec.qmc.replicates = reps;
    spec.seed = seed;
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_error err;
    double t0 = cpu_seconds();
    int rc = est->eval_pairs(&spec, S, &p, 1, v, &err);
    *cpu = cpu_seconds() - t0;
    if (rc)
        fprintf(stderr, "bench_attn: %s\n", err.message);
    *value = v->value[0];
    *se = v->se[0];
    *evals = v->samples;
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
    return rc;
}

static const bench_pair pairs[] = {
    {"k3", "abc", "bcd", 1.0, 1.0},
    {"k11", "abcdefghijk", "bcdeafghAjB", 1.0, 1.0},
};

static int distinct_tokens(const char *x, const char *y)
{
    int seen[256] = {0}, n = 0;
    for (const char *p = x; *p; p++)
        n += !seen[(unsigned char)*p]++;
    for (const char *p = y; *p; p++)
        n += !seen[(unsigned char)*p]++;
    return n;
}

/* One Monte Carlo run of a named pair. */
static int one_mc(const char *name, uint64_t samples, uint64_t seed)
{
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        if (strcmp(pairs[i].name, name))
            continue;
        double value, se, cpu;
        uint64_t evals;
        if (run(&pairs[i], tkc_attn_mc, samples, 2, seed, &value, &se, &cpu,
                &evals))
            return 1;
        printf("mc pair=%s beta=%g gamma=%g samples=%llu cpu=%.6f se=%.6g "
               "value=%.10f k=%zu tokens=%d threads=1\n",
               pairs[i].name, pairs[i].beta, pairs[i].gamma,
               (unsigned long long)evals, cpu, se, value,
               strlen(pairs[i].x), distinct_tokens(pairs[i].x, pairs[i].y));
        return 0;
    }
    fprintf(stderr, "bench_attn: unknown pair '%s' (k3, k11)\n", name);
    return 2;
}

/* QMC against MC at a fixed budget of integrand evaluations, and the
 * evaluations each needs for se = 1e-5 (MC: from its variance; QMC:
 * doubling the points per replicate until reached). */
static int qmc_vs_mc(void)
{
    const bench_pair smooth[] = {
        {"k3", "abc", "bcd", 0.5, 1.0},
        {"k11", "abcdefghijk", "bcdeafghAjB", 0.5, 1.0},
    };
    const unsigned reps = 16;
    const uint64_t budget = (uint64_t)1 << 20;
    double value, se, cpu, se_q, v_q, cpu_q;
    uint64_t evals, evals_q;
    for (int i = 0; i < 2; i++) {
        const bench_pair *bp = &smooth[i];
        if (run(bp, tkc_attn_mc, budget, 2, 2, &value, &se, &cpu, &evals) ||
            run(bp, tkc_attn_qmc, budget / (2 * reps), reps, 3, &v_q, &se_q,
                &cpu_q, &evals_q))
            return 1;
        printf("qmc pair=%s beta=%g gamma=%g budget=%llu se_mc=%.4g se_qmc=%.4g "
               "value_mc=%.10f value_qmc=%.10f cpu_mc=%.4f cpu_qmc=%.4f\n",
               bp->name, bp->beta, bp->gamma, (unsigned long long)budget, se,
               se_q, value, v_q, cpu, cpu_q);
        double target = 1e-5;
        uint64_t mc_needed = (uint64_t)ceil((double)evals * (se / target) * (se / target));
        uint64_t n = 64;
        for (;; n *= 2) {
            if (run(bp, tkc_attn_qmc, n, reps, 4, &v_q, &se_q, &cpu_q, &evals_q))
                return 1;
            if (se_q <= target || n >= ((uint64_t)1 << 22))
                break;
        }
        printf("qmc_target pair=%s target=%g evals_qmc=%llu se_qmc=%.4g "
               "cpu_qmc=%.4f evals_mc=%llu cpu_mc_est=%.4f\n",
               bp->name, target, (unsigned long long)evals_q, se_q, cpu_q,
               (unsigned long long)mc_needed,
               cpu * (double)mc_needed / (double)evals);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "mc")) {
        uint64_t samples = strtoull(argv[3], NULL, 10);
        uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
        if (samples < 4) {
            fprintf(stderr, "bench_attn: SAMPLES >= 4\n");
            return 2;
        }
        return one_mc(argv[2], samples, seed);
    }
    if (argc == 2 && !strcmp(argv[1], "qmc"))
        return qmc_vs_mc();
    fprintf(stderr, "usage: bench_attn mc k3|k11 SAMPLES [SEED] | bench_attn qmc\n");
    return 2;
}
