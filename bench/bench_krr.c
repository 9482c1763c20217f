/* bench_krr.c — the whole kernel ridge regression fit against OpenBLAS
 * dpotrf alone on the same matrix, side by side.
 *
 *   bench_krr [n] [kernel] [estimator] [rounds]  (10000 trans auto 2)
 *
 * Target (issue 6): fit time ≤ 1.25 × dpotrf time, i.e. drawing the data,
 * evaluating the distinct patterns, filling K̂, the dposvx solve with its
 * condition estimate and refinement, and the predictions are all small next
 * to the O(n³/3) factorization.  Task: αβα vs αββ ([CLS] appended),
 * alphabet 1000.  dpotrf and the fit alternate for a few rounds and the
 * minimum of each is kept: the machine is shared, and the minimum is the
 * least disturbed run of each.
 *
 * Memory: on this VM the first touch of freshly mapped memory costs ~10 ms
 * per MB (the host backs guest pages lazily), i.e. seconds for an n = 10000
 * matrix — more than filling it.  dpotrf is timed on a matrix already
 * touched, so for a like-for-like ratio the heap is kept in the process
 * (mallopt) and the fit reuses warm pages; the cold first-touch cost of one
 * n×n matrix is measured and printed separately. */
#include <lapacke.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tkc/krr.h"
#include "krr_gram.h"
#include "tkc/sample.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long minor_faults(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

static int die(const char *what, const tkc_error *err)
{
    fprintf(stderr, "bench_krr: %s: %s\n", what, err ? err->message : "");
    return 1;
}

typedef struct bench_task {
    const tkc_template_set *set;
    tkc_kernel_spec spec;
    size_t n, test_n, alphabet;
    double lambda;
    tkc_krr_options opt;       /* the dense solve, the fit's kernel estimate */
    uint64_t seed;
} bench_task;

/* dpotrf alone on K̂ + λI built by the same cache (the fill is not timed). */
static int time_dpotrf(const bench_task *b, double *seconds)
{
    tkc_error err;
    tkc_sample *s = NULL;
    tkc_krr_gram *g = NULL;
    size_t n = b->n;
    if (tkc_sample_draw(b->set, n, b->alphabet, 0, 0.0, b->seed, &s, &err))
        return die("sample", &err);
    if (tkc_krr_gram_build(&b->spec, b->set, s->strings, s->template_index, 1, &g,
                           &err))
        return die("gram", &err);
    double *K = malloc(n * n * sizeof *K);
    if (!K)
        return die("malloc", NULL);
    if (tkc_krr_gram_fill(g, 0, K, n, &err))
        return die("fill", &err);
    for (size_t i = 0; i < n; i++)
        K[i + i * n] += b->lambda;
    double t0 = now();
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, K,
                                     (lapack_int)n);
    *seconds = now() - t0;
    free(K);
    tkc_krr_gram_free(g);
    tkc_sample_free(s);
    if (info != 0) {
        fprintf(stderr, "bench_krr: dpotrf info %d\n", (int)info);
        return 1;
    }
    return 0;
}

/* The whole fit as `tkc krr` runs it: draw training and test data, fit,
 * predict on the test strings, score against the templates. */
static int whole_fit(const bench_task *b, tkc_krr_model **model,
                     double *test_mse, tkc_error *err)
{
    tkc_sample *s = NULL, *t = NULL;
    tkc_krr_score *score = NULL;
    double *pred = malloc(b->test_n * sizeof *pred);
    int st = pred ? 0 : tkc_fail(err, TKC_ENOMEM, "out of memory");
    if (!st)
        st = tkc_sample_draw(b->set, b->n, b->alphabet, 0, 0.0, b->seed, &s, err);
    if (!st)
        st = tkc_sample_draw(b->set, b->test_n, b->alphabet, 1, 0.0,
                             b->seed ^ 0x9E3779B97F4A7C15ULL, &t, err);
    if (!st)
        st = tkc_krr_fit(&b->spec, b->set, s->strings, s->template_index,
                         s->label, &b->opt, model, err);
    if (!st)
        st = tkc_krr_predict(*model, t->strings, pred, err);
    if (!st)
        st = tkc_krr_score_templates(*model, b->set, &score, err);
    *test_mse = 0;
    for (size_t j = 0; !st && j < b->test_n; j++)
        *test_mse += (pred[j] - t->label[j]) * (pred[j] - t->label[j]) /
                     (double)b->test_n;
    free(pred);
    tkc_krr_score_free(score);
    tkc_sample_free(s);
    tkc_sample_free(t);
    return st;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    const char *kname = argc > 2 ? argv[2] : "trans";
    const char *ename = argc > 3 ? argv[3] : "auto";
    int rounds = argc > 4 ? atoi(argv[4]) : 2;
    const char *text = "+1 α β α\n-1 α β β\n";
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "aba-abb", &po, &set, &err))
        return die("parse", &err);
    bench_task b = {.set = set, .n = n, .test_n = 1000, .alphabet = 1000,
                    .lambda = TKC_KRR_LAMBDA_DEFAULT, .seed = 1};
    tkc_krr_options_default(&b.opt);
    b.opt.solver = TKC_KRR_SOLVER_DENSE;
    b.opt.kernel_replicates = 1;
    tkc_kernel_spec_default(&b.spec);
    b.spec.kernel = tkc_kernel_type_lookup(kname);
    b.spec.estimator = tkc_attn_estimator_lookup(ename);
    if (!b.spec.kernel || !b.spec.estimator || rounds < 1) {
        fprintf(stderr, "bench_krr: unknown kernel or estimator, or rounds < 1\n");
        return 2;
    }
    double t_touch = now();
    {
        size_t bytes = n * n * sizeof(double);
        volatile char *p = malloc(bytes);
        if (!p)
            return die("malloc", NULL);
        for (size_t i = 0; i < bytes; i += 4096)
            p[i] = 1;
        free((void *)p);
    }
    t_touch = now() - t_touch;
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, -1);
    double best_potrf = 1e300, best_fit = 1e300, best_pair = 1e300, best_mse = 0;
    long best_faults = 0;
    tkc_krr_model *best = NULL;
    printf("krr fit vs OpenBLAS dpotrf, n = %zu, kernel %s/%s, αβα vs αββ, A = %zu\n",
           n, kname, ename, b.alphabet);
    for (int round = 0; round < rounds; round++) {
        double t_potrf;
        if (time_dpotrf(&b, &t_potrf))
            return 1;
        tkc_krr_model *r = NULL;
        double mse;
        long f0 = minor_faults();
        double t0 = now();
        if (whole_fit(&b, &r, &mse, &err))
            return die("fit", &err);
        double t_fit = now() - t0;
        long faults = minor_faults() - f0;
        printf("  round %d: dpotrf %.3f s, fit %.3f s (ratio %.3f)\n", round + 1,
               t_potrf, t_fit, t_fit / t_potrf);
        best_potrf = t_potrf < best_potrf ? t_potrf : best_potrf;
        if (t_fit / t_potrf < best_pair)
            best_pair = t_fit / t_potrf;
        if (t_fit < best_fit) {
            best_fit = t_fit;
            best_faults = faults;
            best_mse = mse;
            tkc_krr_model_free(best);
            best = r;
        } else {
            tkc_krr_model_free(r);
        }
    }
    printf("  best dpotrf alone     %8.3f s\n", best_potrf);
    printf("  best whole fit        %8.3f s   ratio of bests %.3f, best paired "
           "ratio %.3f (target <= 1.25)\n", best_fit, best_fit / best_potrf,
           best_pair);
    printf("    kernel (%zu patterns, %s) %.3f s\n", best->kernel.npatterns,
           best->kernel.estimator, best->seconds_kernel);
    printf("    fill K              %8.3f s\n", best->seconds_fill);
    printf("    dposvx solve        %8.3f s   (rcond %.3g, lambda used %g, "
           "ferr %.2g, berr %.2g)\n", best->seconds_solve, best->solve.rcond,
           best->solve.lambda_used, best->solve.ferr, best->solve.berr);
    printf("      of which dpotrf   %8.3f s, the O(n^2) rest %.3f s\n",
           best->solve.seconds_factor,
           best->seconds_solve - best->solve.seconds_factor);
    printf("  page faults inside the best fit: %ld (%.1f MB of 4 KB pages; "
           "K is %.0f MB)\n", best_faults, (double)best_faults * 4096e-6,
           (double)n * (double)n * 8e-6);
    printf("  first touch of a fresh n x n matrix (VM page faults, not in the "
           "fit above) %.3f s\n", t_touch);
    printf("  test MSE %.3g (the label variance of this task is 1)\n", best_mse);
    tkc_krr_model_free(best);
    tkc_template_set_free(set);
    return 0;
}
