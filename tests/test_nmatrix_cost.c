/* test_nmatrix_cost.c — the predicted cost of deciding N
 * (tkc_nmatrix_cost_predict) against the real run: the peak memory
 * against the measured growth of the resident set (VmHWM, in a child
 * process per case), the distinct entries against the kernel layer's own
 * pattern count, and the evaluations against the decision's samples.
 *
 * With TKC_COST_CALIBRATE=1 it also prints seconds per unit of the run
 * (how nmatrix_cost.c's constants were measured); no test reads a time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"
#include "tkc/verdict.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* r templates of length 6, disjoint by a token of their own in front,
 * then five positions drawn from two wildcards and two tokens: many
 * distinct pair patterns, as in a real set. */
static tkc_template_set *generated(size_t r, unsigned seed)
{
    size_t size = r * 48 + 1, n = 0;
    char *text = malloc(size);
    static const char *const sym[] = {"α", "β", "a", "b"};
    uint64_t s = seed * 0x9E3779B97F4A7C15u + 1;
    for (size_t i = 0; text && i < r; i++) {
        n += (size_t)snprintf(text + n, size - n, "%d t%zu", i % 2 ? 1 : -1, i);
        for (int a = 0; a < 5; a++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            n += (size_t)snprintf(text + n, size - n, " %s", sym[s >> 62]);
        }
        n += (size_t)snprintf(text + n, size - n, "\n");
    }
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (!text || tkc_template_set_parse(text, n, "generated", &opt, &set, &err))
        set = NULL;
    free(text);
    return set;
}

static double status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, len))
            kb = atof(line + len + 1);
    if (f)
        fclose(f);
    return kb;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct outcome {
    int ok;
    double grown;               /* VmHWM after − VmRSS before, bytes */
    uint64_t samples, samples_total;
    unsigned rounds;
    size_t patterns;
    double seconds;
} outcome;

/* Decide N in a child process (so that each case's peak is its own) and
 * report what it took. */
static outcome run_child(const tkc_template_set *set, const tkc_kernel_spec *spec,
                         const tkc_nmatrix_options *opt)
{
    outcome o = {0};
    int fd[2];
    if (pipe(fd))
        return o;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        outcome c = {0};
        double before = status_kb("VmRSS:");
        tkc_nmatrix *nm = NULL;
        tkc_nmatrix_decision *d = NULL;
        tkc_error err;
        double t0 = now();
        if (!tkc_nmatrix_decide(set, spec, opt, &nm, &d, &err)) {
            c.seconds = now() - t0;
            c.grown = (status_kb("VmHWM:") - before) * 1024;
            c.samples = d->samples;
            c.samples_total = d->samples_total;
            c.rounds = d->rounds;
            tkc_pattern_index *ix;
            if (!tkc_nmatrix_patterns(nm, &ix, NULL, &err)) {
                c.patterns = tkc_pattern_index_size(ix);
                tkc_pattern_index_free(ix);
                c.ok = 1;
            }
        } else {
            fprintf(stderr, "decide: %s\n", err.message);
        }
        tkc_nmatrix_decision_free(d);
        tkc_nmatrix_free(nm);
        ssize_t w = write(fd[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fd[1]);
    if (pid < 0 || read(fd[0], &o, sizeof o) != (ssize_t)sizeof o)
        o.ok = 0;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return o;
}

static void spec_of(tkc_kernel_spec *spec, const char *kernel,
                    const char *estimator, uint64_t samples)
{
    tkc_kernel_spec_default(spec);
    spec->kernel = tkc_kernel_type_lookup(kernel);
    if (estimator)
        spec->estimator = tkc_attn_estimator_lookup(estimator);
    spec->mc.samples = samples;
    spec->qmc.points = samples / (2 * spec->qmc.replicates);
}

/* One case: the prediction against the run. */
static void case_run(size_t r, const char *kernel, const char *estimator,
                     uint64_t samples, int auto_refine, int calibrate)
{
    tkc_template_set *set = generated(r, 7);
    CHECK(set != NULL, "generated set of %zu", r);
    if (!set)
        return;
    tkc_kernel_spec spec;
    spec_of(&spec, kernel, estimator, samples);
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    opt.auto_refine = auto_refine;
    tkc_nmatrix_cost c;
    tkc_error err;
    int rc = tkc_nmatrix_cost_predict(set, &spec, &opt, &c, &err);
    CHECK(rc == 0, "predict: %s", rc ? err.message : "");
    outcome o = run_child(set, &spec, &opt);
    CHECK(o.ok, "%s r = %zu: the run", kernel, r);
    char what[96];
    snprintf(what, sizeof what, "%s/%s r = %zu", kernel,
             estimator ? estimator : "-", r);
    if (rc || !o.ok) {
        tkc_template_set_free(set);
        return;
    }
    /* the distinct entries are the kernel layer's own */
    CHECK(c.distinct_exact && c.distinct == (double)o.patterns,
          "%s: %.0f distinct entries predicted, %zu in N", what, c.distinct,
          o.patterns);
    /* the evaluations: the first round's, and at most the predicted over
     * every round */
    if (!auto_refine)
        CHECK(c.evaluations_first == o.samples && o.rounds == 1,
              "%s: %llu evaluations predicted, %llu run", what,
              (unsigned long long)c.evaluations_first,
              (unsigned long long)o.samples);
    CHECK(o.samples_total <= c.evaluations_max && o.rounds <= c.rounds_max,
          "%s: %llu evaluations in %u rounds, predicted at most %llu in %u",
          what, (unsigned long long)o.samples_total, o.rounds,
          (unsigned long long)c.evaluations_max, c.rounds_max);
    /* the peak: never below the measured growth by more than 2 MB (page
     * and allocator slack), nor above 1.5 times it (AddressSanitizer's
     * allocator adds redzones and a quarantine: not measured there) */
    if (!SANITIZED) {
        CHECK(c.bytes >= o.grown - 2e6 && c.bytes <= 1.5 * o.grown + 2e6,
              "%s: predicted %.1f MB (%s), measured %.1f MB", what,
              c.bytes / 1e6, c.peak_phase, o.grown / 1e6);
    }
    if (calibrate)
        printf("%s: predicted %.2f MB (%s), grew %.2f MB (%.1f bytes an "
               "entry); %.3g values, %.3g cert ops; %.3f s, predicted %.3f s\n",
               what, c.bytes / 1e6, c.peak_phase, o.grown / 1e6,
               o.grown / c.entries, c.values_first, c.certificate_ops,
               o.seconds, c.seconds_first);
    tkc_template_set_free(set);
}

int main(void)
{
    int calibrate = getenv("TKC_COST_CALIBRATE") != NULL;
    /* the certificate's MPFR matrices dominate (mlp); the kernel's
     * arrays and Lemma 3.6's second N_attn grow with the samples' batch
     * (trans); a first round decides, or auto-refine rounds follow */
    case_run(90, "mlp", NULL, 0, 0, calibrate);
    case_run(160, "mlp", NULL, 0, 0, calibrate);
    case_run(120, "trans", "mc", 256, 0, calibrate);
    case_run(90, "attn", "qmc", 512, 1, calibrate);
    if (calibrate) {
        case_run(120, "mlp", NULL, 0, 0, calibrate);
        case_run(200, "mlp", NULL, 0, 0, calibrate);
        case_run(300, "mlp", NULL, 0, 0, calibrate);
        case_run(200, "attn", "mc", 4096, 0, calibrate);
        case_run(200, "attn", "qmc", 4096, 0, calibrate);
    }
    return check_summary();
}
