/* test_shard.c — a computation shared by P processes (tkc/shard.h) gives the
 * digits of one process, whatever P and the threads of each; a failure on
 * one process ends the computation on every process with that process's
 * message, and nothing waits forever.  The processes are threads here
 * (shard_threads.h); tests/test_mpi.sh runs the same over MPI ranks. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shard_threads.h"
#include "tkc/tkc.h"

#define PMAX 8

/* One shared evaluation: the inputs, and what each process got. */
typedef struct job {
    tkc_kernel_spec spec;
    const tkc_strings *S;
    const tkc_pair *pairs;
    size_t np;
    int want_cov;
    int fail_rank;               /* this process fails before its first
                                    collective (-1: none)                   */
    int rc[PMAX];
    tkc_error err[PMAX];
    tkc_kernel_values *v[PMAX];
} job;

static void eval_member(void *ctx, tkc_shard *sh)
{
    job *j = ctx;
    int p = sh->rank;
    if (p == j->fail_rank) {
        tkc_error e;
        tkc_fail(&e, TKC_ENOMEM, "injected failure");
        j->rc[p] = sh->type->agree(sh, TKC_ENOMEM, &e);
        j->err[p] = e;
        return;
    }
    tkc_kernel_spec spec = j->spec;
    spec.shard = sh;
    j->v[p] = tkc_kernel_values_alloc(j->np, j->want_cov, NULL);
    j->rc[p] = tkc_kernel_eval_pairs(&spec, j->S, j->pairs, j->np, j->v[p],
                                     &j->err[p]);
}

static int same_values(const tkc_kernel_values *a, const tkc_kernel_values *b,
                       size_t np)
{
    return !memcmp(a->value, b->value, np * sizeof(double)) &&
           !memcmp(a->se, b->se, np * sizeof(double)) &&
           (!a->cov || !memcmp(a->cov, b->cov, np * np * sizeof(double))) &&
           a->samples == b->samples && a->error_kind == b->error_kind &&
           !strcmp(a->estimator, b->estimator) && !strcmp(a->note, b->note);
}

/* The spec's evaluation shared by P processes of `threads` threads each
 * against one process: every process's digits are one process's. */
static void check_shared(const char *what, const tkc_kernel_spec *spec,
                         const tkc_strings *S, const tkc_pair *pairs,
                         size_t np, int want_cov)
{
    tkc_kernel_values *one = tkc_kernel_values_alloc(np, want_cov, NULL);
    tkc_error err;
    int rc = tkc_kernel_eval_pairs(spec, S, pairs, np, one, &err);
    CHECK(!rc, "%s: one process: %s", what, err.message);
    static const int Ps[] = {1, 2, 3, 5, 8};
    for (size_t ip = 0; !rc && ip < sizeof Ps / sizeof Ps[0]; ip++)
        for (unsigned threads = 1; threads <= 2; threads++) {
            int P = Ps[ip];
            job j = {*spec, S, pairs, np, want_cov, -1, {0}, {{0}}, {0}};
            j.spec.threads = threads;
            CHECK(!shard_threads_run(P, eval_member, &j), "%s: started", what);
            for (int p = 0; p < P; p++) {
                CHECK(!j.rc[p] && same_values(one, j.v[p], np),
                      "%s: process %d of %d, %u threads: the digits of one "
                      "process (rc %d %s)", what, p, P, threads, j.rc[p],
                      j.err[p].message);
                tkc_kernel_values_free(j.v[p]);
            }
        }
    tkc_kernel_values_free(one);
}

static tkc_strings *strings_of(const char *const *w, size_t n)
{
    size_t k = strlen(w[0]);
    tkc_strings *S = tkc_strings_alloc(n, k, NULL);
    for (size_t i = 0; S && i < n; i++)
        for (size_t a = 0; a < k; a++)
            tkc_strings_row(S, i)[a] = (unsigned char)w[i][a];
    return S;
}

static void test_estimators(void)
{
    const char *w[3] = {"abca", "bbcd", "dcxa"};
    tkc_strings *S = strings_of(w, 3);
    tkc_pair pairs[5] = {{0, 1}, {0, 2}, {1, 2}, {0, 0}, {2, 2}};
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_attn;
    spec.seed = 77;

    spec.estimator = tkc_attn_mc;
    /* 81 blocks of 512 pairs: uneven ranges, a short last block */
    spec.mc.samples = 2 * (80 * 512 + 123);
    check_shared("mc with covariance", &spec, S, pairs, 5, 1);
    check_shared("mc", &spec, S, pairs, 5, 0);
    spec.mc.samples = 600;                 /* one block: most processes idle */
    check_shared("mc, one block", &spec, S, pairs, 5, 1);

    spec.estimator = tkc_attn_qmc;
    spec.qmc.points = 300;
    spec.qmc.replicates = 7;               /* P = 8: one process idle */
    check_shared("qmc with covariance", &spec, S, pairs, 5, 1);
    check_shared("qmc", &spec, S, pairs, 5, 0);

    spec.estimator = tkc_attn_cvmc;        /* whole on every process */
    spec.beta = 0.25;
    spec.cvmc.samples = 5000;
    check_shared("cvmc", &spec, S, pairs, 5, 1);
    spec.beta = 1;

    /* auto: pilots, then a QMC run grown in steps, each shared */
    spec.estimator = tkc_attn_auto;
    spec.automatic.target_se = 3e-4;
    check_shared("auto", &spec, S, pairs, 5, 1);

    spec.kernel = tkc_kernel_trans;        /* K_trans on shared K_attn */
    spec.estimator = tkc_attn_mc;
    spec.mc.samples = 20000;
    check_shared("trans on mc", &spec, S, pairs, 3, 1);
    tkc_strings_free(S);
}

/* A verdict with auto-refine, shared: the same rounds, N and words. */
typedef struct decide_job {
    const tkc_template_set *set;
    tkc_kernel_spec spec;
    tkc_nmatrix_options opt;
    int rc[PMAX];
    tkc_nmatrix *nm[PMAX];
    tkc_nmatrix_decision *d[PMAX];
} decide_job;

static void decide_member(void *ctx, tkc_shard *sh)
{
    decide_job *j = ctx;
    tkc_kernel_spec spec = j->spec;
    spec.shard = sh;
    j->rc[sh->rank] = tkc_nmatrix_decide(j->set, &spec, &j->opt,
                                         &j->nm[sh->rank], &j->d[sh->rank],
                                         NULL);
}

static void test_verdict(void)
{
    const char *text = "+1 α α\n-1 α β\n";
    tkc_template_set *set = NULL;
    tkc_error err;
    CHECK(!tkc_template_set_parse(text, strlen(text), "sd", NULL, &set, &err),
          "parse: %s", err.message);
    decide_job j = {set, {0}, {0}, {0}, {0}, {0}};
    tkc_kernel_spec_default(&j.spec);
    j.spec.beta = 4;
    j.spec.gamma = 2;
    j.spec.estimator = tkc_attn_mc;
    j.spec.mc.samples = 2048;              /* undecided: rounds follow */
    tkc_nmatrix_options_default(&j.opt);
    j.opt.auto_refine = 1;
    j.opt.ladder = 0;
    j.opt.generic = 0;
    tkc_nmatrix *nm1 = NULL;
    tkc_nmatrix_decision *d1 = NULL;
    int rc = tkc_nmatrix_decide(set, &j.spec, &j.opt, &nm1, &d1, &err);
    CHECK(!rc && d1->rounds > 1, "one process: %d rounds (%s)",
          d1 ? d1->rounds : 0, err.message);
    enum { P = 3 };
    CHECK(!shard_threads_run(P, decide_member, &j), "started");
    for (int p = 0; !rc && p < P; p++) {
        size_t r = nm1->r;
        CHECK(!j.rc[p] && j.d[p]->rounds == d1->rounds &&
                  j.d[p]->samples_total == d1->samples_total &&
                  j.d[p]->verdict == d1->verdict &&
                  !memcmp(j.nm[p]->N, nm1->N, r * r * sizeof(double)) &&
                  !memcmp(j.nm[p]->se, nm1->se, r * r * sizeof(double)) &&
                  j.d[p]->sigma_min_lower == d1->sigma_min_lower &&
                  !strcmp(j.d[p]->verdict_words, d1->verdict_words),
              "process %d of %d: the rounds, N and verdict of one process", p,
              P);
        tkc_nmatrix_free(j.nm[p]);
        tkc_nmatrix_decision_free(j.d[p]);
    }
    tkc_nmatrix_free(nm1);
    tkc_nmatrix_decision_free(d1);
    tkc_template_set_free(set);
}

/* One process fails before its first collective: every process ends with
 * its error and message at the others' next collective. */
static void test_failure(void)
{
    const char *w[2] = {"abca", "bbcd"};
    tkc_strings *S = strings_of(w, 2);
    tkc_pair pairs[3] = {{0, 1}, {0, 0}, {1, 1}};
    const tkc_attn_estimator_type *est[2] = {tkc_attn_mc, tkc_attn_qmc};
    for (int e = 0; e < 2; e++)
        for (int fail = 0; fail < 3; fail++) {
            job j = {{0}, S, pairs, 3, 1, fail, {0}, {{0}}, {0}};
            tkc_kernel_spec_default(&j.spec);
            j.spec.kernel = tkc_kernel_attn;
            j.spec.estimator = est[e];
            j.spec.mc.samples = 50000;
            j.spec.qmc.points = 1000;
            CHECK(!shard_threads_run(3, eval_member, &j), "started");
            char want[64];
            if (fail)
                snprintf(want, sizeof want, "process %d of 3: injected failure",
                         fail);
            else
                snprintf(want, sizeof want, "injected failure");
            for (int p = 0; p < 3; p++) {
                CHECK(j.rc[p] == TKC_ENOMEM && !strcmp(j.err[p].message, want),
                      "%s, process %d fails: process %d returns %d '%s', want "
                      "'%s'", est[e]->name, fail, p, j.rc[p], j.err[p].message,
                      want);
                tkc_kernel_values_free(j.v[p]);
            }
        }
    tkc_strings_free(S);
}

/* A shard that is not one is refused by name. */
static void test_validation(void)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    tkc_shard bad = {NULL, 0, 1, NULL};
    spec.shard = &bad;
    tkc_error err;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT &&
              strstr(err.message, "shard"),
          "a shard without a type is refused: %s", err.message);
}

int main(void)
{
    test_estimators();
    test_verdict();
    test_failure();
    test_validation();
    return check_summary();
}
