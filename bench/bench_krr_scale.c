/* bench_krr_scale.c — ridge regression at scale: the structured solve
 * (U N Uᵀ + D + S, tkc/krr.h) against the dense one, in one run.
 *
 *   bench_krr_scale [FILE] [part] [beta gamma]
 *                     part: all (default), agree, crossover, million, peers;
 *                     beta, gamma: the transformer's (4 2)
 *
 *   agree      n = 2·10^4 at alphabets 10^3 .. 10^7: α and predictions of
 *              the two solvers (relative differences, target <= 1e-9) and
 *              their times, alternating dense, structured, dense,
 *              structured;
 *   crossover  n = 100 .. 6400 at alphabet 10^9: both solvers alternated,
 *              the best of two each, and the smallest n from which the
 *              structured one is faster (auto switches above 1e9 predicted
 *              dense flops, n ≈ 1400);
 *   million    n = 10^6 at alphabet 10^9 (ρ = 5·10^8 for two wildcards):
 *              the whole `tkc krr` work (draw, fit with its kernel
 *              replicates, predict 1000 test strings, score), its wall time
 *              and peak memory (target <= 60 s, <= 4 GB), against the dense
 *              path's time at n = 10^4 extrapolated by n³ (ratio printed);
 *   peers      the tkc side of "how far the dense peers stop": dense and
 *              structured fit times by n, as CSV (bench/run_krr_scale.sh
 *              adds numpy and scikit-learn, bench/krr_peers.py).
 *
 * Every measured fit runs in a child process, so that its peak resident
 * memory (wait4's ru_maxrss) is its own.  Kernel: the transformer at
 * β = 4, γ = 2 (a well-conditioned N on same/different), the default
 * estimator.  The load average and the thread settings are printed: the
 * figures mean little on a loaded machine. */
#define _DEFAULT_SOURCE          /* wait4 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tkc/krr.h"
#include "tkc/sample.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_machine(void)
{
    char load[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(load, sizeof load, f))
            strcpy(load, "?");
        fclose(f);
        load[strcspn(load, "\n")] = '\0';
    }
    const char *ob = getenv("OPENBLAS_NUM_THREADS"), *omp = getenv("OMP_NUM_THREADS");
    printf("machine: %ld cores online, load average %s; OPENBLAS_NUM_THREADS=%s "
           "OMP_NUM_THREADS=%s; %.1f GB memory\n", sysconf(_SC_NPROCESSORS_ONLN),
           load, ob ? ob : "(unset)", omp ? omp : "(unset)",
           (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) * 1e-9);
}

typedef struct task {
    const tkc_template_set *set;
    tkc_kernel_spec spec;
    tkc_krr_options opt;
    size_t n, alphabet, test_n;
    uint64_t seed;
} task;

/* What a measured fit reports back. */
typedef struct result {
    double seconds, test_mse, residual, rcond;
    double alpha_head[8];        /* α_0..7, for a cross-check              */
    double pred[64];             /* per-template predictions               */
    int chosen, ok;
    char reason[200];
} result;

/* The whole `tkc krr` work of one run: draw, fit, predict, score. */
static int run_task(const task *t, result *r)
{
    tkc_sample *train = NULL, *test = NULL;
    tkc_krr_model *m = NULL;
    tkc_krr_score *s = NULL;
    tkc_error err;
    double *pred = malloc(t->test_n * sizeof *pred);
    double t0 = now();
    int st = !pred;
    if (!st)
        st = tkc_sample_draw(t->set, t->n, t->alphabet, 0, 0.5, t->seed, &train,
                             &err) ||
             tkc_sample_draw(t->set, t->test_n, t->alphabet, 1, 0.0,
                             t->seed ^ 0x9E3779B97F4A7C15ULL, &test, &err) ||
             tkc_krr_fit(&t->spec, t->set, train->strings, train->template_index,
                         train->label, &t->opt, &m, &err) ||
             tkc_krr_predict(m, test->strings, pred, &err) ||
             tkc_krr_score_templates(m, t->set, &s, &err);
    r->seconds = now() - t0;
    if (st) {
        snprintf(r->reason, sizeof r->reason, "%.199s", pred ? err.message : "oom");
    } else {
        r->ok = 1;
        r->test_mse = 0;
        for (size_t j = 0; j < t->test_n; j++)
            r->test_mse += (pred[j] - test->label[j]) * (pred[j] - test->label[j]) /
                           (double)t->test_n;
        r->residual = m->residual;
        r->rcond = m->solve.rcond;
        r->chosen = (int)m->plan.chosen;
        snprintf(r->reason, sizeof r->reason, "%.199s", m->plan.reason);
        for (size_t i = 0; i < 8 && i < m->n; i++)
            r->alpha_head[i] = m->alpha[i];
        for (size_t i = 0; i < t->set->count && i < 64; i++)
            r->pred[i] = s->template_prediction[i];
    }
    free(pred);
    tkc_krr_score_free(s);
    tkc_krr_model_free(m);
    tkc_sample_free(train);
    tkc_sample_free(test);
    return st;
}

/* run_task in a child; *peak_gb its peak resident memory. */
static int measured(const task *t, result *r, double *peak_gb)
{
    int fd[2];
    memset(r, 0, sizeof *r);
    if (pipe(fd))
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        result mine = {0};
        run_task(t, &mine);
        ssize_t w = write(fd[1], &mine, sizeof mine);
        _exit(w == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = 0;
    while (got < (ssize_t)sizeof *r) {
        ssize_t k = read(fd[0], (char *)r + got, sizeof *r - (size_t)got);
        if (k <= 0)
            break;
        got += k;
    }
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *peak_gb = (double)ru.ru_maxrss * 1024e-9;
    return got == (ssize_t)sizeof *r && r->ok ? 0 : -1;
}

static double g_beta = 4, g_gamma = 2;   /* the kernel of every task */

static task base_task(const tkc_template_set *set, size_t n, size_t alphabet,
                      tkc_krr_solver solver, unsigned replicates)
{
    task t = {.set = set, .n = n, .alphabet = alphabet, .test_n = 1000, .seed = 1};
    tkc_kernel_spec_default(&t.spec);
    t.spec.beta = g_beta;
    t.spec.gamma = g_gamma;
    tkc_krr_options_default(&t.opt);
    t.opt.solver = solver;
    t.opt.kernel_replicates = replicates;
    return t;
}

static double rel_diff(const double *a, const double *b, size_t m)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < m; i++) {
        d = d > fabs(a[i] - b[i]) ? d : fabs(a[i] - b[i]);
        s = s > fabs(b[i]) ? s : fabs(b[i]);
    }
    return s > 0 ? d / s : d;
}

/* ---- the parts -------------------------------------------------------------- */

static void part_agree(const tkc_template_set *set)
{
    /* 1000: each string shares a symbol with ~45 others (CG on S); 10^5:
     * with ~0.5 (the factor of D + S); 10^7: with almost none */
    static const size_t alphabets[] = {1000, 100000, 10000000};
    size_t n = 20000;
    printf("\nagree: n = %zu, structured vs dense (one kernel estimate; the same "
           "K-hat), alternating D S D S\n", n);
    printf("  %9s %9s %9s %11s %11s %10s %10s\n", "alphabet", "dense s",
           "struct s", "ratio", "alpha rel", "pred rel", "resid S");
    for (size_t a = 0; a < sizeof alphabets / sizeof *alphabets; a++) {
        result rd[2], rs[2];
        double gb, best_d = 1e300, best_s = 1e300;
        int bad = 0;
        for (int round = 0; round < 2; round++) {
            task td = base_task(set, n, alphabets[a], TKC_KRR_SOLVER_DENSE, 1);
            task ts = base_task(set, n, alphabets[a], TKC_KRR_SOLVER_STRUCTURED, 1);
            bad |= measured(&td, &rd[round], &gb) || measured(&ts, &rs[round], &gb);
            best_d = fmin(best_d, rd[round].seconds);
            best_s = fmin(best_s, rs[round].seconds);
        }
        if (bad) {
            printf("  %9zu failed: %s / %s\n", alphabets[a], rd[0].reason,
                   rs[0].reason);
            continue;
        }
        printf("  %9zu %9.2f %9.2f %11.3g %11.2g %10.2g %10.2g\n", alphabets[a],
               best_d, best_s, best_d / best_s,
               rel_diff(rs[0].alpha_head, rd[0].alpha_head, 8),
               rel_diff(rs[0].pred, rd[0].pred, set->count), rs[0].residual);
    }
}

static void part_crossover(const tkc_template_set *set)
{
    static const size_t ns[] = {100, 200, 400, 800, 1600, 3200, 6400};
    size_t A = 1000000000, cross = 0, nn = sizeof ns / sizeof *ns;
    double ratio[sizeof ns / sizeof *ns];
    printf("\ncrossover: alphabet %zu, one kernel estimate, best of 2 "
           "alternated runs (draw + fit + score)\n", A);
    printf("  %7s %10s %10s %9s\n", "n", "dense s", "struct s", "D/S");
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        double bd = 1e300, bs = 1e300, gb;
        result r;
        for (int round = 0; round < 2; round++) {
            task td = base_task(set, ns[i], A, TKC_KRR_SOLVER_DENSE, 1);
            task ts = base_task(set, ns[i], A, TKC_KRR_SOLVER_STRUCTURED, 1);
            if (!measured(&td, &r, &gb))
                bd = fmin(bd, r.seconds);
            if (!measured(&ts, &r, &gb))
                bs = fmin(bs, r.seconds);
        }
        printf("  %7zu %10.4f %10.4f %9.3g\n", ns[i], bd, bs, bd / bs);
        ratio[i] = bd / bs;
    }
    /* the crossover: the smallest n from which structure is faster by more
     * than 10% at every larger n measured (below, the kernel call, the
     * same for both, dominates and the two are within noise) */
    for (size_t i = nn; i-- > 0 && ratio[i] > 1.1;)
        cross = ns[i];
    if (cross)
        printf("  crossover: structure faster by > 10%% from n = %zu on (auto "
               "switches at 1e9 predicted dense flops, n ~ 1400)\n", cross);
    else
        printf("  structure did not win at n = %zu\n", ns[nn - 1]);
}

static void part_million(const tkc_template_set *set, const char *name)
{
    size_t A = 1000000000;
    result rs, r1, rd;
    double gs, g1, gd;
    printf("\nmillion: %s, n = 10^6, alphabet %zu\n", name, A);
    task t1 = base_task(set, 1000000, A, TKC_KRR_SOLVER_AUTO, 1);
    task ts = base_task(set, 1000000, A, TKC_KRR_SOLVER_AUTO, 4);
    task td = base_task(set, 10000, A, TKC_KRR_SOLVER_DENSE, 1);
    int e1 = measured(&t1, &r1, &g1);
    int es = measured(&ts, &rs, &gs);
    int ed = measured(&td, &rd, &gd);
    if (e1 || es || ed) {
        printf("  failed: %s | %s | %s\n", r1.reason, rs.reason, rd.reason);
        return;
    }
    printf("  structured, 1 kernel estimate:  %8.2f s, peak %.2f GB (%s)\n",
           r1.seconds, g1, r1.reason);
    printf("  structured, 4 kernel estimates: %8.2f s, peak %.2f GB, test MSE "
           "%.3g, residual %.2g  [targets: <= 60 s, <= 4 GB]\n", rs.seconds, gs,
           rs.test_mse, rs.residual);
    double extrapolated = rd.seconds * 1e6;      /* (10^6 / 10^4)^3 */
    printf("  dense at n = 10^4, 1 estimate:  %8.2f s, peak %.2f GB -> at n = "
           "10^6 by n^3: %.3g s (%.0f days), 8 TB of memory\n", rd.seconds, gd,
           extrapolated, extrapolated / 86400);
    printf("  ratio dense (extrapolated) / structured (1 estimate): %.3g\n",
           extrapolated / r1.seconds);
}

static void part_peers(const tkc_template_set *set)
{
    static const size_t ns[] = {1000, 2000, 4000, 8000, 16000, 100000, 1000000};
    size_t A = 1000000000;
    printf("\npeers (csv): impl,n,seconds,peak_gb\n");
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        for (int s = 0; s < 2; s++) {
            if (s == 0 && ns[i] > 16000)
                continue;             /* the dense side: up to 2 GB */
            task t = base_task(set, ns[i], A,
                               s ? TKC_KRR_SOLVER_STRUCTURED : TKC_KRR_SOLVER_DENSE,
                               1);
            result r;
            double gb;
            if (!measured(&t, &r, &gb))
                printf("%s,%zu,%.4f,%.3f\n", s ? "tkc structured" : "tkc dense",
                       ns[i], r.seconds, gb);
        }
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "data/templates/same_different.tpl";
    const char *part = argc > 2 ? argv[2] : "all";
    if (argc > 4) {
        g_beta = atof(argv[3]);
        g_gamma = atof(argv[4]);
    }
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_read_file(file, &po, &set, &err)) {
        fprintf(stderr, "bench_krr_scale: %s\n", err.message);
        return 2;
    }
    print_machine();
    printf("task: %s (%zu templates), transformer kernel, beta %g, gamma %g, "
           "default estimator, lambda 1e-3, label noise 0.5\n", file, set->count,
           g_beta, g_gamma);
    int all = !strcmp(part, "all");
    if (all || !strcmp(part, "agree"))
        part_agree(set);
    if (all || !strcmp(part, "crossover"))
        part_crossover(set);
    if (all || !strcmp(part, "million"))
        part_million(set, file);
    if (!strcmp(part, "peers"))
        part_peers(set);
    tkc_template_set_free(set);
    return 0;
}
