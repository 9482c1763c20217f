/* test_process.c — libtkc leaves the process as it found it and does not
 * depend on what the process set:
 *
 *  - GSL's error handler: the library never calls it (it checks its
 *    arguments before GSL sees them and every GSL return code after), and
 *    never replaces it.  A counting handler is installed; calls at the
 *    edges of every GSL use (quadrature rules of 0, 1, 1025 nodes, Sobol
 *    past its 40 dimensions, quantiles far in the tail, least squares)
 *    must leave it uncalled and in place.
 *  - The locale: a host that sets a comma-decimal locale (de_DE.UTF-8,
 *    process-wide as setlocale does, or for one thread as uselocale does)
 *    gets the same digits as under "C" — labels and weights read, template
 *    files written, error messages, kernel notes, certificates and
 *    verdicts — and its locale back.  The test first checks that the
 *    locale really writes "0,5" (so that it can fail); it skips (exit 77,
 *    loudly) only when no comma-decimal locale exists on the machine
 *    (scripts/setup.sh generates de_DE.UTF-8). */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "activation.h"
#include "tkc/certify.h"
#include "tkc/rates.h"
#include "tkc/template.h"
#include "tkc/verdict.h"

/* ---- GSL's error handler ------------------------------------------------- */

static int handler_calls;

static void counting_handler(const char *reason, const char *file, int line,
                             int gsl_errno)
{
    handler_calls++;
    fprintf(stderr, "GSL handler called: %s (%s:%d, %d)\n", reason, file,
            line, gsl_errno);
}

static void test_gsl_handler(void)
{
    gsl_set_error_handler(counting_handler);
    tkc_error err;
    static const size_t bad_nodes[] = {0, 1, 1025};
    for (size_t i = 0; i < 3; i++) {
        tkc_dual_quadrature *q = tkc_dual_quadrature_alloc(bad_nodes[i], &err);
        CHECK(!q && err.status == TKC_EINPUT, "%zu nodes refused",
              bad_nodes[i]);
        tkc_dual_quadrature_free(q);
    }
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    double K, se;
    CHECK(!tkc_activation_dual_quadrature(tkc_activation_relu, 1, 2, 1.4,
                                          &spec, 4, &K, &se, &err),
          "quadrature at 4 nodes and its 2-node half: %s", err.message);
    CHECK(tkc_activation_dual_quadrature(tkc_activation_relu, 1, 2, 1.4,
                                         &spec, 3, &K, &se, &err) == TKC_EINPUT,
          "no error estimate from a 1-node half rule");
    /* K_attn by QMC on strings of 24 tokens: far more than Sobol's 40
     * coordinates (the rest are pseudo-random) */
    tkc_token x[24], y[24];
    for (int a = 0; a < 24; a++)
        x[a] = a, y[a] = a % 5;
    spec.kernel = tkc_kernel_attn;
    spec.estimator = tkc_attn_qmc;
    spec.qmc.points = 8;
    spec.qmc.replicates = 2;
    tkc_error_kind kind;
    CHECK(!tkc_kernel_eval(&spec, x, y, 24, &K, &se, &kind, &err),
          "qmc past Sobol's dimensions: %s", err.message);
    double z;
    CHECK(!tkc_certify_bonferroni_z(&z, 1 - 1e-15, (size_t)1 << 40, &err) &&
              z > 8, "quantile far in the tail: %g", z);
    CHECK(tkc_certify_bonferroni_z(&z, 1, 4, &err) == TKC_EINPUT,
          "confidence 1 refused before GSL");
    double xs[] = {1, 2, 4, 8}, ys[] = {1, 0.7, 0.5, 0.35};
    tkc_rate_slope slope;
    CHECK(!tkc_rate_slope_fit(xs, ys, 4, 0.95, &slope, &err),
          "slope fit: %s", err.message);
    double same[] = {2, 2, 2, 2};
    CHECK(tkc_rate_slope_fit(same, ys, 4, 0.95, &slope, &err) == TKC_ERANGE,
          "one x refused before GSL");
    CHECK(handler_calls == 0, "GSL's handler called %d times", handler_calls);
    CHECK(gsl_set_error_handler(NULL) == counting_handler,
          "the library left the process's handler in place");
}

/* ---- the locale ---------------------------------------------------------- */

static const char *const comma_locales[] = {
    "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE",
    "fr_FR", NULL};

/* A comma-decimal locale the machine has, or NULL. */
static const char *comma_locale(void)
{
    for (int i = 0; comma_locales[i]; i++) {
        locale_t l = newlocale(LC_ALL_MASK, comma_locales[i], (locale_t)0);
        if (l) {
            freelocale(l);
            return comma_locales[i];
        }
    }
    return NULL;
}

/* Everything the library reads or writes as text, in one record. */
typedef struct outputs {
    double label, weight;
    char written[256], message[TKC_ERROR_MESSAGE_MAX], note[TKC_KERNEL_NOTE_MAX];
    char cert[640], words[2][48], evidence[2][768], method[2][1024],
        settle[2][1024], ladder[2][256], sbeta[2][320];
    double sigma_lower[2];
} outputs;

static const char *const set_text =
    "0.5 [w=0.25] α β α\n-1.5e-1 [w=0.75] α β β\n";

static void run_everything(outputs *o)
{
    memset(o, 0, sizeof *o);
    tkc_error err;
    tkc_template_set *set = NULL;
    CHECK(!tkc_template_set_parse(set_text, strlen(set_text), "locale", NULL,
                                  &set, &err),
          "parse: %s", err.message);
    if (!set)
        return;
    o->label = set->t[0].label;
    o->weight = set->t[0].weight;
    FILE *f = fmemopen(o->written, sizeof o->written - 1, "w");
    CHECK(f && !tkc_template_set_write(set, f, &err), "write");
    if (f)
        fclose(f);
    tkc_fail(&err, TKC_EINPUT, "a message with %g and %.3e", 0.5, 1234.5);
    snprintf(o->message, sizeof o->message, "%s", err.message);
    /* the kernel layer's notes: auto's reasons carry numbers */
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_attn;
    spec.automatic.max_evals = 1 << 12;
    tkc_strings *S = NULL;
    CHECK(!tkc_nmatrix_strings(set, &S, &err), "strings");
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, &err);
    CHECK(S && v && !tkc_kernel_eval_pairs(&spec, S, &p, 1, v, &err),
          "auto: %s", err.message);
    if (v)
        snprintf(o->note, sizeof o->note, "%s", v->note);
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
    /* a certificate and two verdicts: MLP+XXᵀ (proved) and the
     * transformer on Monte Carlo (99.9% confidence) */
    double mid[4] = {1, 0.25, 0.25, 1}, rad[4] = {0.01, 0.01, 0.01, 0.01};
    tkc_certify_input in = {.r = 2, .mid = mid, .radius = rad,
                            .kind = TKC_RADIUS_STATISTICAL, .confidence = 0.999};
    tkc_certificate c;
    CHECK(!tkc_certify(&c, &in, &err), "certify");
    tkc_certificate_snprint(o->cert, sizeof o->cert, &c);
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    for (int k = 0; k < 2; k++) {
        tkc_kernel_spec_default(&spec);
        spec.kernel = k ? tkc_kernel_trans : tkc_kernel_mlpxx;
        spec.estimator = tkc_attn_mc;
        spec.mc.samples = 1 << 18;
        spec.beta = 4, spec.gamma = 2, spec.b1 = 0.5;
        tkc_nmatrix *nm = NULL;
        tkc_nmatrix_decision *d = NULL;
        CHECK(!tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err),
              "decide: %s", err.message);
        if (d) {
            snprintf(o->words[k], sizeof o->words[k], "%s", d->verdict_words);
            snprintf(o->evidence[k], sizeof o->evidence[k], "%s", d->evidence);
            snprintf(o->method[k], sizeof o->method[k], "%s", d->method);
            snprintf(o->settle[k], sizeof o->settle[k], "%s", d->settle);
            snprintf(o->ladder[k], sizeof o->ladder[k], "%s", d->ladder_text);
            snprintf(o->sbeta[k], sizeof o->sbeta[k], "%s", d->series_det_text);
            o->sigma_lower[k] = d->sigma_min_lower;
        }
        tkc_nmatrix_decision_free(d);
        tkc_nmatrix_free(nm);
    }
    tkc_template_set_free(set);
}

/* A comma between two digits: a number written in a comma-decimal locale
 * (prose commas, as in auto's reasons, are followed by a space). */
static int decimal_comma(const char *s)
{
    for (const char *p = strchr(s, ','); p; p = strchr(p + 1, ','))
        if (p > s && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' && p[1] <= '9')
            return 1;
    return 0;
}

static void compare(const outputs *c, const outputs *l, const char *how)
{
    CHECK(l->label == 0.5 && l->weight == 0.25 && c->label == 0.5,
          "%s: label %g, weight %g read", how, l->label, l->weight);
    CHECK(!strcmp(c->written, l->written) && strstr(l->written, "0.5 [w=0.25]"),
          "%s: template file written as\n%s", how, l->written);
    CHECK(!strcmp(c->message, l->message) && strstr(l->message, "0.5 and 1.234e+03"),
          "%s: message %s", how, l->message);
    CHECK(!strcmp(c->note, l->note) && !decimal_comma(l->note),
          "%s: note %s vs %s", how, l->note, c->note);
    CHECK(!strcmp(c->cert, l->cert) && strstr(l->cert, "99.9% confidence"),
          "%s: certificate %s", how, l->cert);
    for (int k = 0; k < 2; k++) {
        CHECK(!strcmp(c->words[k], l->words[k]) &&
                  !strcmp(c->evidence[k], l->evidence[k]) &&
                  !strcmp(c->method[k], l->method[k]) &&
                  !strcmp(c->settle[k], l->settle[k]) &&
                  !strcmp(c->ladder[k], l->ladder[k]) &&
                  !strcmp(c->sbeta[k], l->sbeta[k]) &&
                  c->sigma_lower[k] == l->sigma_lower[k],
              "%s: verdict %d: %s / %s / %s / %s", how, k, l->words[k],
              l->evidence[k], l->method[k], l->ladder[k]);
    }
    CHECK(!strcmp(l->words[0], "nonsingular (proved)") &&
              !strcmp(l->words[1], "nonsingular (99.9% confidence)"),
          "%s: words %s, %s", how, l->words[0], l->words[1]);
}

/* The host's locale still writes commas after the library's calls. */
static int writes_comma(void)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%g", 0.5);
    return !strcmp(buf, "0,5");
}

typedef struct thread_arg {
    const char *name;
    outputs *out;
    int comma_before, comma_after;
} thread_arg;

/* One thread in the comma locale (uselocale), the process in "C". */
static void *thread_run(void *p)
{
    thread_arg *a = p;
    locale_t l = newlocale(LC_ALL_MASK, a->name, (locale_t)0);
    locale_t old = uselocale(l);
    a->comma_before = writes_comma();
    run_everything(a->out);
    a->comma_after = writes_comma();
    uselocale(old);
    freelocale(l);
    return NULL;
}

static int test_locale(void)
{
    const char *name = comma_locale();
    if (!name) {
        fprintf(stderr, "SKIPPED: no comma-decimal locale on this machine "
                        "(tried de_DE.UTF-8, fr_FR.UTF-8, ...); generate one "
                        "with scripts/setup.sh (localedef -i de_DE -f UTF-8 "
                        "de_DE.UTF-8)\n");
        return 0;
    }
    static outputs c, proc, thr;
    run_everything(&c);
    /* the whole process in the comma locale, as setlocale(LC_ALL, "") in
     * a host under LC_ALL=de_DE.UTF-8 would put it */
    CHECK(setlocale(LC_ALL, name) != NULL, "setlocale %s", name);
    CHECK(writes_comma(), "%s writes 0,5 (else this test proves nothing)",
          name);
    run_everything(&proc);
    CHECK(writes_comma(), "the process's locale is %s again after the "
          "library's calls", name);
    setlocale(LC_ALL, "C");
    compare(&c, &proc, "setlocale");
    thread_arg a = {name, &thr, 0, 0};
    pthread_t t;
    CHECK(!pthread_create(&t, NULL, thread_run, &a) && !pthread_join(t, NULL),
          "thread");
    CHECK(a.comma_before && a.comma_after, "the thread's own locale before "
          "and after the library's calls");
    compare(&c, &thr, "uselocale");
    return 1;
}

int main(void)
{
    test_gsl_handler();
    int ran = test_locale();
    mpfr_free_cache();
    int rc = check_summary();
    return rc ? rc : ran ? 0 : 77;
}
