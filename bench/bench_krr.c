/* bench_krr.c — the whole kernel ridge regression fit against OpenBLAS
 * dpotrf alone on the same matrix, side by side.
 *
 *   bench_krr [n] [kernel] [estimator]     (defaults: 10000 trans auto)
 *
 * Target (issue 6): fit time ≤ 1.25 × dpotrf time, i.e. drawing the data,
 * evaluating the distinct patterns, filling K̂, the dposvx solve with its
 * condition estimate and refinement, and the predictions are all small next
 * to the O(n³/3) factorization.  Task: αβα vs αββ ([CLS] appended),
 * alphabet 1000.  Runs are short and few: this machine is shared. */
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tkc/krr.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *what, const tkc_error *err)
{
    fprintf(stderr, "bench_krr: %s: %s\n", what, err ? err->message : "");
    return 1;
}

/* dpotrf alone on K̂ + λI built by the same cache (the fill is not timed). */
static int time_dpotrf(const tkc_template_set *set, const tkc_krr_options *opt,
                       double *seconds)
{
    tkc_error err;
    tkc_sample *s = NULL;
    tkc_krr_gram *g = NULL;
    size_t n = opt->n;
    if (tkc_sample_draw(set, n, opt->alphabet, 0, opt->noise, opt->seed, &s, &err))
        return die("sample", &err);
    if (tkc_krr_gram_build(set, s, &opt->kernel, &g, &err))
        return die("gram", &err);
    double *K = malloc(n * n * sizeof *K);
    if (!K)
        return die("malloc", NULL);
    if (tkc_krr_gram_fill(g, K, n, &err))
        return die("fill", &err);
    for (size_t i = 0; i < n; i++)
        K[i + i * n] += opt->lambda;
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

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    const char *kname = argc > 2 ? argv[2] : "trans";
    const char *ename = argc > 3 ? argv[3] : "auto";
    const char *text = "+1 α β α\n-1 α β β\n";
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "aba-abb", &po, &set, &err))
        return die("parse", &err);
    tkc_krr_options opt;
    tkc_krr_options_default(&opt);
    opt.n = n;
    opt.kernel.kernel = tkc_kernel_type_lookup(kname);
    opt.kernel.estimator = tkc_attn_estimator_lookup(ename);
    if (!opt.kernel.kernel || !opt.kernel.estimator) {
        fprintf(stderr, "bench_krr: unknown kernel or estimator\n");
        return 2;
    }

    double t_potrf;
    if (time_dpotrf(set, &opt, &t_potrf))
        return 1;
    tkc_krr_result *r = NULL;
    double t0 = now();
    if (tkc_krr_fit(set, &opt, &r, &err))
        return die("fit", &err);
    double t_fit = now() - t0;

    printf("krr fit vs OpenBLAS dpotrf, n = %zu, kernel %s (%s), αβα/αββ, A = %zu\n",
           n, kname, r->estimator, opt.alphabet);
    printf("  dpotrf alone          %8.3f s\n", t_potrf);
    printf("  whole fit             %8.3f s   ratio %.3f (target <= 1.25)\n", t_fit,
           t_fit / t_potrf);
    printf("    kernel (%zu patterns) %7.3f s\n", r->npatterns, r->seconds_kernel);
    printf("    fill K              %8.3f s\n", r->seconds_fill);
    printf("    dposvx solve        %8.3f s   (rcond %.3g, lambda used %g)\n",
           r->seconds_solve, r->solve.rcond, r->solve.lambda_used);
    printf("  test MSE %.3g (label variance %.3g)\n", r->test_mse,
           r->label_variance);
    tkc_krr_result_free(r);
    tkc_template_set_free(set);
    return 0;
}
