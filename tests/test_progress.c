/* test_progress.c — how far a call has got (tkc/progress.h, progress.c):
 * every counted stage begins at 0 and ends at its total, its count never
 * goes back, it reports a bounded number of times, always on the calling
 * thread, in the stages' units (integrand evaluations for the sampling
 * estimators: the same count as the values' `samples`); nested stages carry
 * their prefixes; and results are bit for bit those of a call without
 * progress. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn_spec.h"
#include "check.h"
#include "progress.h"
#include "tkc/coeffs.h"
#include "tkc/kernel.h"
#include "tkc/text.h"
#include "tkc/verdict.h"

#define EVENTS_MAX 100000

typedef struct event {
    char stage[2 * TKC_PROGRESS_STAGE_MAX];
    uint64_t done, total;
} event;

typedef struct recorder {
    pthread_t caller;
    int other_thread;           /* reports from another thread            */
    size_t n;
    event *ev;
} recorder;

static void record(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
    recorder *r = ctx;
    if (!pthread_equal(pthread_self(), r->caller))
        r->other_thread = 1;
    if (r->n < EVENTS_MAX) {
        snprintf(r->ev[r->n].stage, sizeof r->ev[r->n].stage, "%s", stage);
        r->ev[r->n].done = done;
        r->ev[r->n].total = total;
    }
    r->n++;
}

static void recorder_start(recorder *r, tkc_progress *p)
{
    r->caller = pthread_self();
    r->other_thread = 0;
    r->n = 0;
    p->report = record;
    p->ctx = r;
}

/* Every stage whose text contains `needle`, in one run of counts: starts at
 * 0, never goes back, ends at the total; the total returned (0: none). */
static uint64_t check_counted(const recorder *r, const char *needle,
                              const char *what)
{
    size_t first = r->n, last = 0, runs = 0;
    uint64_t total = 0;
    int monotone = 1;
    for (size_t i = 0; i < r->n && i < EVENTS_MAX; i++) {
        const event *e = &r->ev[i];
        if (!strstr(e->stage, needle))
            continue;
        if (first == r->n || e->done == 0)
            runs++;
        if (first == r->n)
            first = i;
        else if (e->done < r->ev[last].done && e->done != 0)
            monotone = 0;
        last = i;
        total = e->total;
    }
    CHECK(first < r->n, "%s: no stage containing '%s'", what, needle);
    if (first == r->n)
        return 0;
    CHECK(r->ev[first].done == 0, "%s: first count %llu, not 0", what,
          (unsigned long long)r->ev[first].done);
    CHECK(r->ev[last].done == r->ev[last].total && total > 0,
          "%s: last count %llu of %llu", what,
          (unsigned long long)r->ev[last].done, (unsigned long long)total);
    CHECK(monotone, "%s: the count went back", what);
    CHECK(r->n <= 300 * runs, "%s: %zu reports for %zu counted stages", what,
          r->n, runs);
    CHECK(!r->other_thread, "%s: a report came from another thread", what);
    return total;
}

static int any_stage(const recorder *r, const char *prefix)
{
    for (size_t i = 0; i < r->n && i < EVENTS_MAX; i++)
        if (!strncmp(r->ev[i].stage, prefix, strlen(prefix)))
            return 1;
    return 0;
}

/* K_attn on the pairs of `strings` with and without progress: the same
 * bits; returns the values' samples. */
static uint64_t run_estimator(tkc_kernel_spec *spec, recorder *rec,
                              const char *what)
{
    static const tkc_token rows[4][4] = {
        {0, 1, 2, 3}, {1, 0, 2, 3}, {0, 0, 1, 1}, {2, 2, 2, 0}};
    tkc_error err;
    tkc_strings *S = tkc_strings_alloc(4, 4, &err);
    tkc_pair pairs[] = {{0, 1}, {0, 2}, {2, 3}, {1, 3}};
    tkc_kernel_values *quiet = tkc_kernel_values_alloc(4, 1, &err);
    tkc_kernel_values *told = tkc_kernel_values_alloc(4, 1, &err);
    if (!S || !quiet || !told) {
        CHECK(0, "%s: allocation", what);
        return 0;
    }
    memcpy(S->tok, rows, sizeof rows);
    tkc_progress p;
    recorder_start(rec, &p);
    spec->progress = NULL;
    int rc = tkc_kernel_eval_pairs(spec, S, pairs, 4, quiet, &err);
    spec->progress = &p;
    int rc2 = tkc_kernel_eval_pairs(spec, S, pairs, 4, told, &err);
    spec->progress = NULL;
    CHECK(!rc && !rc2, "%s: %s", what, err.message);
    CHECK(!memcmp(quiet->value, told->value, 4 * sizeof(double)) &&
              !memcmp(quiet->se, told->se, 4 * sizeof(double)) &&
              !memcmp(quiet->cov, told->cov, 16 * sizeof(double)),
          "%s: results differ with progress", what);
    uint64_t samples = told->samples;
    tkc_kernel_values_free(quiet);
    tkc_kernel_values_free(told);
    tkc_strings_free(S);
    return samples;
}

static void test_estimators(recorder *rec)
{
    tkc_kernel_spec spec;
    for (unsigned threads = 1; threads <= 2; threads++) {
        char what[64];
        spec_attn(&spec, tkc_attn_mc, 1.0, 1.0);
        spec.threads = threads;
        spec.mc.samples = 3 * 512 * 64 + 2;       /* a short last block */
        snprintf(what, sizeof what, "mc, %u threads", threads);
        uint64_t n = run_estimator(&spec, rec, what);
        CHECK(check_counted(rec, "K_attn mc, 4 patterns", what) == n,
              "%s: total is not the %llu evaluations", what,
              (unsigned long long)n);

        spec_attn(&spec, tkc_attn_qmc, 1.0, 1.0);
        spec.threads = threads;
        spec.qmc.points = 1000;
        spec.qmc.replicates = 7;                  /* a short last wave */
        snprintf(what, sizeof what, "qmc, %u threads", threads);
        n = run_estimator(&spec, rec, what);
        CHECK(check_counted(rec, "K_attn qmc, 4 patterns", what) == n,
              "%s: total is not the %llu evaluations", what,
              (unsigned long long)n);
    }
    spec_attn(&spec, tkc_attn_cvmc, 0.25, 1.0);
    spec.cvmc.samples = 20000;
    uint64_t n = run_estimator(&spec, rec, "cvmc");
    CHECK(check_counted(rec, "K_attn cvmc, 4 patterns", "cvmc") == n,
          "cvmc: total is not the %llu evaluations", (unsigned long long)n);

    spec_attn(&spec, tkc_attn_series, 0.25, 1.0);
    run_estimator(&spec, rec, "series");
    CHECK(check_counted(rec, "K_attn series, patterns", "series") == 4,
          "series: not counted in patterns");

    /* auto's trials and its run, each under its own prefix */
    spec_attn(&spec, tkc_attn_auto, 2.0, 1.0);
    spec.automatic.target_se = 1e-4;
    run_estimator(&spec, rec, "auto");
    CHECK(any_stage(rec, "auto: the series first"), "auto: no series stage");
    CHECK(any_stage(rec, "auto: pilots: K_attn "), "auto: no pilot stage");
    check_counted(rec, "auto: pilots: K_attn", "auto's pilots");
}

/* N and its verdict: the rounds, the certificate, the figures and the
 * generic verdict each report; the decision is the same without. */
static void test_verdict(recorder *rec)
{
    static const char text[] = "1 α α\n-1 α β\n";
    tkc_template_set *set = NULL;
    tkc_error err;
    CHECK(!tkc_template_set_parse(text, strlen(text), "test", NULL, &set,
                                  &err), "parse: %s", err.message);
    if (!set)
        return;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.estimator = tkc_attn_mc;
    spec.mc.samples = 64;       /* too few: auto-refine goes on */
    spec.beta = 4;
    spec.gamma = 2;
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    opt.auto_refine = 1;
    opt.budget = 1 << 22;
    tkc_nmatrix *nm[2] = {0};
    tkc_nmatrix_decision *d[2] = {0};
    tkc_progress p;
    recorder_start(rec, &p);
    int rc = tkc_nmatrix_decide(set, &spec, &opt, &nm[0], &d[0], &err);
    spec.progress = &p;
    int rc2 = tkc_nmatrix_decide(set, &spec, &opt, &nm[1], &d[1], &err);
    CHECK(!rc && !rc2, "decide: %s", err.message);
    if (!rc && !rc2) {
        CHECK(d[0]->rounds == d[1]->rounds &&
                  d[0]->samples_total == d[1]->samples_total &&
                  d[0]->sigma_min == d[1]->sigma_min &&
                  !strcmp(d[0]->verdict_words, d[1]->verdict_words) &&
                  !memcmp(nm[0]->N, nm[1]->N,
                          nm[0]->r * nm[0]->r * sizeof(double)),
              "decide: the decision differs with progress");
        CHECK(d[1]->rounds > 1, "decide: one round only (%u), the rounds' "
              "stages untested", d[1]->rounds);
        char round[64];
        snprintf(round, sizeof round, "round %u of ≤ ", d[1]->rounds);
        CHECK(any_stage(rec, "round 1 of ≤ ") && any_stage(rec, round),
              "decide: the rounds are not named");
        check_counted(rec, "K_attn mc", "the rounds' K_attn");
        check_counted(rec, "certificate: residual", "certificate");
        CHECK(any_stage(rec, "singular values"), "decide: no figures stage");
        CHECK(any_stage(rec, "Lemma 3.6: N_attn: K_attn mc"),
              "decide: Lemma 3.6's N_attn not under its prefix");
        check_counted(rec, "generic verdict: coefficients to order",
                      "generic verdict");
    }
    for (int i = 0; i < 2; i++) {
        tkc_nmatrix_free(nm[i]);
        tkc_nmatrix_decision_free(d[i]);
    }
    tkc_template_set_free(set);
}

/* The exact coefficients on two threads: the count reaches the patterns'
 * number even when the other thread computes the last ones (worker 0, on
 * the calling thread, reports). */
static void test_coeffs(recorder *rec)
{
    static const char text[] = "1 α β γ α\n-1 α β α γ\n1 α α β β\n"
                               "-1 α β β α\n";
    tkc_template_set *set = NULL;
    tkc_error err;
    CHECK(!tkc_template_set_parse(text, strlen(text), "test", NULL, &set,
                                  &err), "parse: %s", err.message);
    for (int trial = 0; set && trial < 8; trial++) {
        tkc_coeffs *c = tkc_coeffs_alloc(set, &err);
        tkc_progress p;
        recorder_start(rec, &p);
        CHECK(c && !tkc_coeffs_raise(c, 4, NULL, 2, &p, NULL, &err),
              "raise: %s", err.message);
        if (c)
            CHECK(check_counted(rec, "coefficients to order 4",
                                "coefficients, 2 threads") ==
                      tkc_coeffs_patterns(c),
                  "coefficients: not counted in patterns");
        tkc_coeffs_free(c);
    }
    tkc_template_set_free(set);
}

/* Nested stages: the prefix before the inner stage; a text cut at the
 * limit stays valid UTF-8; nothing at all without an outer progress. */
static void test_nesting(recorder *rec)
{
    tkc_progress p;
    recorder_start(rec, &p);
    tkc_progress_nest outer, inner;
    const tkc_progress *a = tkc_progress_nest_in(&outer, &p, "round %d", 2);
    const tkc_progress *b = tkc_progress_nest_in(&inner, a, "auto");
    tkc_progress_stage(b, 3, 7, "K_attn mc, %d patterns", 5);
    CHECK(rec->n == 1 && !strcmp(rec->ev[0].stage,
                                 "round 2: auto: K_attn mc, 5 patterns") &&
              rec->ev[0].done == 3 && rec->ev[0].total == 7,
          "nested stage: '%s'", rec->n ? rec->ev[0].stage : "");
    char beta[3 * TKC_PROGRESS_STAGE_MAX] = "";
    for (int i = 0; i < TKC_PROGRESS_STAGE_MAX; i++)
        strcat(beta, "β");
    tkc_progress_stage(b, 0, 0, "%s", beta);
    tkc_error err;
    CHECK(rec->n == 2 && strlen(rec->ev[1].stage) > 200 &&
              !tkc_text_check(rec->ev[1].stage, strlen(rec->ev[1].stage),
                              "stage", &err),
          "a cut stage is not valid UTF-8");
    CHECK(tkc_progress_nest_in(&outer, NULL, "x") == NULL,
          "a nest without an outer progress is not NULL");
    tkc_progress_count c;
    tkc_progress_count_begin(&c, NULL, 10, "nothing");
    tkc_progress_count_step(&c, 10);
    CHECK(rec->n == 2, "a NULL progress reported");
}

int main(void)
{
    recorder rec = {.ev = calloc(EVENTS_MAX, sizeof(event))};
    if (!rec.ev)
        return 2;
    test_nesting(&rec);
    test_estimators(&rec);
    test_verdict(&rec);
    test_coeffs(&rec);
    free(rec.ev);
    return check_summary();
}
