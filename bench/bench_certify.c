/* bench_certify.c — cost of a certified verdict against its uncertified
 * peer: numpy's double-precision SVD (σ_min and the condition number), run
 * in the same process tree on the same matrices.
 *
 * The matrices are kernel-like (symmetric, exponentially decaying off the
 * diagonal, plus a little noise) with Monte Carlo-like radii.  Prints, per
 * order r: tkc_certify time, tkc_certify_ladder time (r <= 64), numpy SVD
 * time, and the ratio.  Usage: bench_certify [PYTHON]  (default
 * /usr/bin/python3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tkc/certify.h"
#include "ladder.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void kernel_like(double *a, double *se, size_t n, unsigned seed)
{
    srand(seed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = exp(-0.1 * fabs((double)i - (double)j)) +
                       0.01 * rand() / (double)RAND_MAX;
            a[i * n + j] = a[j * n + i] = v;
            se[i * n + j] = se[j * n + i] = 1e-6;
        }
}

/* numpy's time for one σ_min (full SVD values) on the same matrix, written
 * to a temporary file; -1 on failure. */
static double numpy_time(const char *python, const double *a, size_t n,
                         int reps)
{
    char path[] = "/tmp/bench_certify_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    for (size_t k = 0; k < n * n; k++)
        fprintf(f, "%.17g\n", a[k]);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -c \"import numpy as np, time; "
             "a = np.loadtxt('%s').reshape(%zu, %zu); t = time.perf_counter(); "
             "[np.linalg.svd(a, compute_uv=False)[-1] for _ in range(%d)]; "
             "print((time.perf_counter() - t) / %d)\"", python, path, n, n,
             reps, reps);
    FILE *p = popen(cmd, "r");
    double t = -1;
    if (p) {
        if (fscanf(p, "%lf", &t) != 1)
            t = -1;
        pclose(p);
    }
    remove(path);
    return t;
}

int main(int argc, char **argv)
{
    const char *python = argc > 1 ? argv[1] : "/usr/bin/python3";
    const size_t orders[] = {8, 16, 32, 64, 144};
    printf("%5s %12s %12s %12s %10s  %s\n", "r", "certify[s]", "ladder[s]",
           "numpy[s]", "ratio", "verdict");
    for (size_t t = 0; t < sizeof orders / sizeof orders[0]; t++) {
        size_t n = orders[t];
        double *a = malloc(n * n * sizeof *a), *se = malloc(n * n * sizeof *se);
        kernel_like(a, se, n, 1);
        tkc_certify_input in = {.r = n, .mid = a, .radius = se,
                                .kind = TKC_RADIUS_STATISTICAL,
                                .confidence = 0.99};
        tkc_certificate c;
        tkc_error err;
        double t0 = now();
        if (tkc_certify(&c, &in, &err)) {
            fprintf(stderr, "certify failed: %s\n", err.message);
            return 1;
        }
        double tc = now() - t0, tl = NAN;
        if (n <= 64) {
            tkc_sigma_ladder lad;
            t0 = now();
            if (tkc_certify_ladder(&lad, n, a, &err)) {
                fprintf(stderr, "ladder failed: %s\n", err.message);
                return 1;
            }
            tl = now() - t0;
        }
        double tn = numpy_time(python, a, n, n <= 32 ? 200 : 20);
        printf("%5zu %12.4g %12.4g %12.4g %10.4g  %s, σ_min >= %s\n", n, tc,
               tl, tn, tn > 0 ? tc / tn : NAN, tkc_verdict_name(c.verdict),
               c.sigma_min_lower_text);
        free(a);
        free(se);
    }
    return 0;
}
