/* cmd_krr.c — `tkc krr FILE --n N[,N...]`: kernel ridge regression on unseen
 * symbols; learning curves, error bars over seeds, MLP/transformer side by
 * side, and the Theorem 3.4 sweeps (`--sweep n`, `--sweep rho`) with fitted
 * log-log exponents.  Each run composes the library: draw the data
 * (tkc_sample_draw), fit (tkc_krr_fit), predict on the test strings, score
 * against the templates; N's figures come from tkc_nmatrix_decide, the
 * rates from tkc_rate_*. */
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tkc/krr.h"
#include "tkc/nmatrix.h"
#include "tkc/rates.h"
#include "tkc/sample.h"
#include "tkc/spd.h"
#include "tkc/template.h"

#define CMD "krr"
#define MAX_LIST 64
#define MAX_KERNELS 3
#define ALPHABET_DEFAULT 1000
#define TEST_N_DEFAULT 1000

typedef enum { SWEEP_NONE, SWEEP_N, SWEEP_RHO } sweep_kind;

typedef struct krr_cli {
    const char *file;
    tkc_kernel_spec kernel;
    cli_kernel_given given;
    double lambda, noise;
    uint64_t seed;             /* data seed (training; test uses a derived one) */
    size_t test_n;
    size_t n[MAX_LIST], nn;
    size_t alphabet[MAX_LIST], na;
    uint64_t seeds;
    int noise_given, seeds_given;
    sweep_kind sweep;
    int compare, csv, json, no_cls;
    const tkc_kernel_type *kernels[MAX_KERNELS];
    size_t nk;
} krr_cli;

/* One fit: its data sizes, the model, the score against the templates, the
 * error on the sampled test strings, template counts in the two samples. */
typedef struct krr_run {
    size_t n, alphabet, test_n;
    double rho;
    uint64_t seed;
    tkc_krr_model *model;
    tkc_krr_score *score;
    double test_mse;
    size_t *train_count, *test_count;
} krr_run;

/* N's figures for one kernel: the verdict of tkc_nmatrix_decide, and the
 * smallest eigenvalue of that N. */
typedef struct krr_nfigures {
    tkc_nmatrix_decision *d;
    double eig_min;
} krr_nfigures;

/* One fit per (kernel, x, seed); x is n or the alphabet size in a sweep. */
typedef struct krr_runs {
    size_t nk, nx, ns;
    krr_run *r;                /* nk × nx × ns */
    krr_nfigures nm[MAX_KERNELS];
} krr_runs;

static krr_run *run_at(krr_runs *R, size_t k, size_t x, size_t s)
{
    return &R->r[(k * R->nx + x) * R->ns + s];
}

static void help(FILE *out)
{
    fputs(
        "usage: tkc krr FILE --n N[,N,...] [options] [kernel options]\n\n"
        "Kernel ridge regression f(x) = y^T (K + lambda I)^{-1} k(x) (paper Prop. 3.1)\n"
        "trained on n strings drawn from the templates of FILE and tested on strings\n"
        "whose symbols never occur in training.  Reports train/test MSE, the test\n"
        "error per template, rho, rcond and the ridge actually used.  test_mse is\n"
        "measured on --test-n sampled strings; test_mse_pop is the exact expected\n"
        "test error sum_z mu(z) (f(z) - f*(z))^2 (f is constant on each template's\n"
        "unseen-symbol strings by token symmetry).  Test labels are noiseless f*(z).\n\n"
        "options:\n"
        "  --n N[,N,...]     training sizes; a list gives a learning curve\n"
        "  --alphabet A[,..] alphabet size for training and (disjoint) test symbols;\n"
        "                    rho = A / max wildcards (default 1000)\n"
        "  --lambda L        ridge, absolute as in eq. (5) (default 1e-3).  When\n"
        "                    K + lambda I is not numerically positive definite the\n"
        "                    ridge is raised to n*eps*max K_ii, then tenfold, and\n"
        "                    the change is reported\n"
        "  --noise S         label noise sigma on training labels (default 0)\n"
        "  --seed S          data and Monte Carlo seed (default 1)\n"
        "  --seeds K         repeat with data seeds S..S+K-1: error bars (default 1)\n"
        "  --test-n M        test strings (default 1000)\n"
        "  --compare         run the trans, mlp and mlpxx kernels side by side\n"
        "  --sweep n|rho     Theorem 3.4: fit log-log slopes of the test RMSE\n"
        "                    against n (default n list 25..1600, noise 0.5,\n"
        "                    alphabet 100000, 5 seeds) or against rho (alphabet\n"
        "                    list, default w*{1,2,...,64}; n 1000; 5 seeds), with\n"
        "                    95% confidence intervals, the fit of\n"
        "                    a + c/sqrt(n), and ||N^-1|| with the N-matrix\n"
        "                    verdict (as tkc nmatrix) beside them\n"
        "  --no-cls          do not append [CLS] to the templates\n"
        "  --csv             one CSV row per fit on stdout\n"
        "  --json            one JSON object on stdout\n"
        "  --help            this text\n\n"
        "JSON: one fit gives one flat object {\"n\", \"rho\", \"train_mse\", \"test_mse\",\n"
        "\"per_template\", \"rcond\", \"lambda_used\", \"escalations\", ...}; several give\n"
        "{\"runs\": [...], \"curve\": [mean and se per point], \"fit\": [sweeps]}.\n"
        "The nmatrix_* fields are N's as `tkc nmatrix` decides it at the same kernel\n"
        "options (its own evaluation of N, no ladder, no auto-refine): nmatrix_verdict,\n"
        "nmatrix_sigma_min (floating), nmatrix_inv_norm (null when N is singular\n"
        "exactly), nmatrix_eig_min (smallest eigenvalue of that N, floating), and\n"
        "nmatrix_resolved = the verdict is nonsingular (certified beyond the entries'\n"
        "errors; at 99.9% confidence for Monte Carlo entries).\n"
        "Example: tkc krr data/templates/aba_abb.tpl --compare --n 50,200,800 --seeds 3\n"
        "  --beta 4 --gamma 2 --b1 0.5   (a transformer kernel with a well-conditioned N)\n\n",
        out);
    cli_kernel_options_help(out);
}

static int parse_list(const char *option, const char *text, uint64_t lo,
                      uint64_t hi, size_t *out, size_t *count)
{
    char buf[1024];
    if (strlen(text) >= sizeof buf)
        return cli_usage_error(CMD, "%s: list too long", option);
    strcpy(buf, text);
    *count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (*count == MAX_LIST)
            return cli_usage_error(CMD, "%s: at most %d values", option,
                                   MAX_LIST);
        if (cli_parse_u64(CMD, option, tok, lo, hi, &v))
            return CLI_USAGE;
        out[(*count)++] = (size_t)v;
    }
    if (*count == 0)
        return cli_usage_error(CMD, "%s expects a comma-separated list", option);
    return CLI_OK;
}

static int parse_args(int argc, char **argv, krr_cli *c)
{
    memset(c, 0, sizeof *c);
    tkc_kernel_spec_default(&c->kernel);
    c->lambda = TKC_KRR_LAMBDA_DEFAULT;
    c->seed = c->kernel.seed;
    c->test_n = TEST_N_DEFAULT;
    c->seeds = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = cli_kernel_option(CMD, argc, argv, &i, &c->kernel, &c->given);
        if (k < 0)
            return CLI_USAGE;
        if (k > 0 && strcmp(a, "--seed"))
            continue;
        int has_value = i + 1 < argc;
        const char *v = has_value ? argv[i + 1] : NULL;
        uint64_t u;
        if (!strcmp(a, "--seed")) {   /* parsed by the kernel options */
            c->seed = c->kernel.seed;
        } else if (!strcmp(a, "--compare")) {
            c->compare = 1;
        } else if (!strcmp(a, "--csv")) {
            c->csv = 1;
        } else if (!strcmp(a, "--json")) {
            c->json = 1;
        } else if (!strcmp(a, "--no-cls")) {
            c->no_cls = 1;
        } else if (a[0] == '-' && a[1] == '-' && !has_value &&
                   (!strcmp(a, "--n") || !strcmp(a, "--alphabet") ||
                    !strcmp(a, "--lambda") || !strcmp(a, "--noise") ||
                    !strcmp(a, "--seeds") || !strcmp(a, "--test-n") ||
                    !strcmp(a, "--sweep"))) {
            return cli_usage_error(CMD, "%s needs a value", a);
        } else if (!strcmp(a, "--n")) {
            if (parse_list(a, argv[++i], 1, 2000000000, c->n, &c->nn))
                return CLI_USAGE;
        } else if (!strcmp(a, "--alphabet")) {
            if (parse_list(a, argv[++i], 1, 1000000000, c->alphabet, &c->na))
                return CLI_USAGE;
        } else if (!strcmp(a, "--lambda")) {
            if (cli_parse_double(CMD, a, argv[++i], 0, 1e300, &c->lambda))
                return CLI_USAGE;
        } else if (!strcmp(a, "--noise")) {
            if (cli_parse_double(CMD, a, argv[++i], 0, 1e300, &c->noise))
                return CLI_USAGE;
            c->noise_given = 1;
        } else if (!strcmp(a, "--seeds")) {
            if (cli_parse_u64(CMD, a, argv[++i], 1, 10000, &c->seeds))
                return CLI_USAGE;
            c->seeds_given = 1;
        } else if (!strcmp(a, "--test-n")) {
            if (cli_parse_u64(CMD, a, argv[++i], 1, 100000000, &u))
                return CLI_USAGE;
            c->test_n = (size_t)u;
        } else if (!strcmp(a, "--sweep")) {
            v = argv[++i];
            if (!strcmp(v, "n"))
                c->sweep = SWEEP_N;
            else if (!strcmp(v, "rho"))
                c->sweep = SWEEP_RHO;
            else
                return cli_usage_error(CMD, "--sweep expects 'n' or 'rho', got '%s'",
                                       v);
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s' (see tkc krr --help)",
                                   a);
        } else if (!c->file) {
            c->file = a;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s' (one FILE)", a);
        }
    }
    if (!c->file)
        return cli_usage_error(CMD, "missing template FILE (see tkc krr --help)");
    if (c->csv && c->json)
        return cli_usage_error(CMD, "--csv and --json exclude each other");
    return cli_kernel_check(CMD, &c->kernel, c->given, NULL) ? CLI_USAGE
                                                             : CLI_OK;
}

/* Defaults that depend on the mode; said on stderr when they apply. */
static int settle_lists(krr_cli *c, const tkc_template_set *set)
{
    size_t w = tkc_template_set_max_wildcards(set);
    if (w == 0)
        w = 1;
    if (c->sweep == SWEEP_N) {
        if (c->nn < 2) {
            static const size_t ns[] = {25, 50, 100, 200, 400, 800, 1600};
            c->nn = sizeof ns / sizeof ns[0];
            memcpy(c->n, ns, sizeof ns);
        }
        if (!c->na) {
            c->alphabet[0] = 100000;
            c->na = 1;
        }
        if (!c->noise_given) {
            c->noise = 0.5;
            fprintf(stderr, "tkc krr: --sweep n uses label noise 0.5 "
                            "(set --noise to change)\n");
        }
        if (c->na > 1)
            return cli_usage_error(CMD, "--sweep n takes one --alphabet");
    } else if (c->sweep == SWEEP_RHO) {
        if (c->na < 2) {
            c->na = 7;
            for (size_t i = 0; i < c->na; i++)
                c->alphabet[i] = w << i;
        }
        if (!c->nn) {
            c->n[0] = 1000;
            c->nn = 1;
        }
        if (c->nn > 1)
            return cli_usage_error(CMD, "--sweep rho takes one --n");
    } else {
        if (!c->nn)
            return cli_usage_error(CMD, "--n N is required (see tkc krr --help)");
        if (!c->na) {
            c->alphabet[0] = ALPHABET_DEFAULT;
            c->na = 1;
        }
        if (c->na > 1 && c->nn > 1)
            return cli_usage_error(CMD, "give a list for --n or for --alphabet, "
                                        "not both");
    }
    if (c->sweep != SWEEP_NONE && !c->seeds_given)
        c->seeds = 5;
    /* K̂ is one dense n×n matrix: refuse up front what cannot fit in memory,
     * rather than sampling 10⁸ strings first and failing at the malloc. */
    double memory = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < c->nn; i++)
        if (memory > 0 && 8.0 * (double)c->n[i] * (double)c->n[i] > memory)
            return cli_usage_error(CMD, "--n %zu needs a %.3g GB kernel matrix; "
                                   "this machine has %.3g GB of memory",
                                   c->n[i], 8e-9 * (double)c->n[i] * (double)c->n[i],
                                   1e-9 * memory);
    for (size_t i = 0; i < c->na; i++)
        if (c->alphabet[i] < w)
            return cli_usage_error(CMD, "--alphabet %zu is smaller than the %zu "
                                        "wildcards of some template", c->alphabet[i], w);
    if (c->compare) {
        static const char *const names[] = {"trans", "mlp", "mlpxx"};
        for (c->nk = 0; c->nk < 3; c->nk++)
            if (!(c->kernels[c->nk] = tkc_kernel_type_lookup(names[c->nk])))
                return cli_usage_error(CMD, "--compare: kernel %s is not built",
                                       names[c->nk]);
    } else {
        c->kernels[0] = c->kernel.kernel;
        c->nk = 1;
    }
    return CLI_OK;
}

static size_t nx_of(const krr_cli *c) { return c->nn > 1 ? c->nn : c->na; }
static int x_is_alphabet(const krr_cli *c) { return c->nn == 1 && c->na > 1; }

/* ---- progress on a terminal ----------------------------------------------- */

typedef struct progress {
    int on;
    double start;
    size_t done, total;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_show(progress *p, const char *kernel, size_t n, size_t A,
                          uint64_t seed)
{
    if (!p->on)
        return;
    double el = now() - p->start;
    if (p->total == 1 && n < 5000)       /* one quick fit: nothing to show */
        return;
    int width = 24, fill = (int)(width * p->done / (p->total ? p->total : 1));
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    double eta = p->done ? el / (double)p->done * (double)(p->total - p->done) : 0;
    fprintf(stderr, "\r[%s] %zu/%zu  %s n=%zu A=%zu seed %" PRIu64
                    "  %.0fs elapsed, ~%.0fs left   ",
            bar, p->done, p->total, kernel, n, A, seed, el, eta);
    fflush(stderr);
}

static void progress_end(progress *p)
{
    if (p->on)
        fprintf(stderr, "\r%*s\r", 100, "");
}

/* ---- running ----------------------------------------------------------------- */

/* How many strings of each template a sample holds. */
static size_t *template_counts(const tkc_sample *s, size_t r)
{
    size_t *count = calloc(r, sizeof *count);
    for (size_t i = 0; count && i < s->strings->count; i++)
        count[s->template_index[i]]++;
    return count;
}

/* Draw, fit, predict, score: one run (run->n, alphabet and seed set). */
static int run_one(const krr_cli *c, const tkc_template_set *set,
                   const tkc_kernel_spec *spec, krr_run *run, tkc_error *err)
{
    tkc_sample *train = NULL, *test = NULL;
    double *pred = NULL;
    int st = tkc_template_set_rho(set, run->alphabet, &run->rho, err);
    if (!st)
        st = tkc_sample_draw(set, run->n, run->alphabet, 0, c->noise, run->seed,
                             &train, err);
    if (!st)
        st = tkc_sample_draw(set, run->test_n, run->alphabet, 1, 0.0,
                             run->seed ^ 0x9E3779B97F4A7C15ULL, &test, err);
    if (!st)
        st = tkc_krr_fit(spec, set, train->strings, train->template_index,
                         train->label, c->lambda, &run->model, err);
    if (!st && !(pred = malloc(run->test_n * sizeof *pred)))
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    if (!st)
        st = tkc_krr_predict(run->model, test->strings, pred, err);
    if (!st)
        st = tkc_krr_score_templates(run->model, set, &run->score, err);
    if (!st && (!(run->train_count = template_counts(train, set->count)) ||
                !(run->test_count = template_counts(test, set->count))))
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    if (!st) {
        double s = 0;
        for (size_t j = 0; j < run->test_n; j++) {
            double d = pred[j] - test->label[j];   /* noiseless f*(z) */
            s += d * d;
        }
        run->test_mse = s / (double)run->test_n;
    }
    free(pred);
    tkc_sample_free(train);
    tkc_sample_free(test);
    return st;
}

static int run_all(const krr_cli *c, const tkc_template_set *set, krr_runs *R)
{
    R->nk = c->nk;
    R->nx = nx_of(c);
    R->ns = (size_t)c->seeds;
    R->r = calloc(R->nk * R->nx * R->ns, sizeof *R->r);
    if (!R->r) {
        fprintf(stderr, "tkc krr: out of memory\n");
        return CLI_FAILED;
    }
    progress p = {isatty(2), now(), 0, R->nk * R->nx * R->ns};
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                krr_run *run = run_at(R, k, x, s);
                tkc_kernel_spec spec = c->kernel;
                spec.kernel = c->kernels[k];
                run->n = c->nn > 1 ? c->n[x] : c->n[0];
                run->alphabet = x_is_alphabet(c) ? c->alphabet[x] : c->alphabet[0];
                run->seed = c->seed + s;
                run->test_n = c->test_n;
                progress_show(&p, c->kernels[k]->name, run->n, run->alphabet,
                              run->seed);
                tkc_error err;
                if (run_one(c, set, &spec, run, &err)) {
                    progress_end(&p);
                    return cli_library_error(CMD, &err);
                }
                p.done++;
            }
    progress_end(&p);
    return CLI_OK;
}

/* N's figures per kernel, as the N-matrix module decides them (no ladder,
 * no refinement: one build at the fit's kernel options, the verdict and
 * its proved bounds), and the smallest eigenvalue of that N. */
static int decide_nmatrix(const krr_cli *c, const tkc_template_set *set,
                          krr_runs *R)
{
    for (size_t k = 0; k < R->nk; k++) {
        tkc_kernel_spec spec = c->kernel;
        spec.kernel = c->kernels[k];
        tkc_nmatrix_options no;
        tkc_nmatrix_options_default(&no);
        no.ladder = 0;
        tkc_nmatrix *nm = NULL;
        tkc_error err;
        int st = tkc_nmatrix_decide(set, &spec, &no, &nm, &R->nm[k].d, &err);
        if (!st)
            st = tkc_spd_eigenvalue_min(nm->N, nm->r, nm->r, &R->nm[k].eig_min,
                                        &err);
        tkc_nmatrix_free(nm);
        if (st)
            return cli_library_error(CMD, &err);
    }
    return CLI_OK;
}

/* ‖N⁻¹‖ as reported: infinite when N is singular exactly. */
static double nmatrix_inv_norm(const tkc_nmatrix_decision *d)
{
    return d->verdict == TKC_NMATRIX_SINGULAR ? INFINITY : d->inv_norm;
}

static void print_nmatrix(const tkc_nmatrix_decision *d)
{
    printf("  N matrix (tkc nmatrix): %s", tkc_nmatrix_verdict_name(d->verdict));
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        printf(" (exact); ||N^-1|| = inf\n");
    else if (d->verdict == TKC_NMATRIX_NONSINGULAR)
        printf("; ||N^-1|| = %.4g, proved <= %.4g (sigma_min >= %.4g, "
               "confidence %g)\n", d->inv_norm, d->inv_norm_upper,
               d->sigma_min_lower, d->confidence);
    else
        printf("; ||N^-1|| = %.4g, not certified: %s\n", d->inv_norm, d->settle);
}

static void runs_free(krr_runs *R)
{
    for (size_t k = 0; k < MAX_KERNELS; k++)
        tkc_nmatrix_decision_free(R->nm[k].d);
    if (!R->r)
        return;
    for (size_t i = 0; i < R->nk * R->nx * R->ns; i++) {
        tkc_krr_model_free(R->r[i].model);
        tkc_krr_score_free(R->r[i].score);
        free(R->r[i].train_count);
        free(R->r[i].test_count);
    }
    free(R->r);
}

/* ---- statistics ------------------------------------------------------------ */

typedef struct point_stats {
    double test_mean, test_se, pop_mean, pop_se, train_mean;
    double rcond_min, lambda_max;
    unsigned escalations;
} point_stats;

static void mean_se(const double *v, size_t m, double *mean, double *se)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < m; i++)
        s += v[i];
    s /= (double)m;
    for (size_t i = 0; i < m; i++)
        q += (v[i] - s) * (v[i] - s);
    *mean = s;
    *se = m > 1 ? sqrt(q / (double)(m - 1) / (double)m) : NAN;
}

static point_stats stats_at(krr_runs *R, size_t k, size_t x)
{
    point_stats p = {0};
    double test[R->ns], pop[R->ns], train[R->ns], dummy;
    p.rcond_min = INFINITY;
    for (size_t s = 0; s < R->ns; s++) {
        const krr_run *r = run_at(R, k, x, s);
        test[s] = r->test_mse;
        pop[s] = r->score->test_mse_population;
        train[s] = r->model->train_mse;
        p.rcond_min = fmin(p.rcond_min, r->model->solve.rcond);
        p.lambda_max = fmax(p.lambda_max, r->model->solve.lambda_used);
        p.escalations += r->model->solve.escalations;
    }
    mean_se(test, R->ns, &p.test_mean, &p.test_se);
    mean_se(pop, R->ns, &p.pop_mean, &p.pop_se);
    mean_se(train, R->ns, &p.train_mean, &dummy);
    return p;
}

/* Theorem 3.4's fits of the test RMSE against x (n or rho) over every run
 * of kernel k: the log-log slope (95% interval; st_slope TKC_ERANGE when
 * too few errors are nonzero) and rmse = a + c/sqrt(x). */
typedef struct rate_fits {
    tkc_rate_slope slope;
    tkc_rate_floor floor;
    int slope_ok;
} rate_fits;

static rate_fits fit_rates(krr_runs *R, size_t k, const double *xs)
{
    rate_fits f = {0};
    size_t m = R->nx * R->ns;
    double x[m], y[m];
    for (size_t i = 0; i < R->nx; i++)
        for (size_t s = 0; s < R->ns; s++) {
            x[i * R->ns + s] = xs[i];
            y[i * R->ns + s] = sqrt(run_at(R, k, i, s)->score->test_mse_population);
        }
    f.slope_ok = !tkc_rate_slope_fit(x, y, m, 0.95, &f.slope, NULL);
    tkc_rate_floor_fit(x, y, m, &f.floor, NULL);
    return f;
}

static void xs_of(const krr_cli *c, krr_runs *R, double *xs)
{
    for (size_t x = 0; x < R->nx; x++)
        xs[x] = c->sweep == SWEEP_RHO ? run_at(R, 0, x, 0)->rho
                                      : (double)run_at(R, 0, x, 0)->n;
}

/* ---- output -------------------------------------------------------------------- */

static void describe_kernel(FILE *out, const tkc_kernel_spec *sp,
                            const tkc_kernel_type *k, const tkc_krr_model *m,
                            const krr_nfigures *nf)
{
    int attn = !strcmp(k->name, "attn"), trans = !strcmp(k->name, "trans");
    const tkc_nmatrix_decision *d = nf->d;
    fprintf(out, "kernel %s (", k->name);
    if (!attn)
        fprintf(out, "act %s, ", sp->activation->name);
    if (attn || trans)
        fprintf(out, "beta %g, gamma %g, ", sp->beta, sp->gamma);
    if (!attn && !strcmp(sp->activation->name, "cos"))
        fprintf(out, "b1 %g, b2 %g, ", sp->b1, sp->b2);
    fprintf(out, "%s): entries' %s error <= %.2g; ||N^-1|| = ", m->kernel.estimator,
            tkc_error_kind_name(m->kernel.error_kind), m->kernel.se_max);
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        fputs("inf (N singular, exactly)", out);
    else
        fprintf(out, "%.4g", d->inv_norm);
    fprintf(out, ", max K(x,x) = %.4g\n", m->kernel_diag_max);
    if (d->verdict == TKC_NMATRIX_UNDECIDED)
        fprintf(out, "  warning: N is not certified nonsingular at these kernel "
                     "options (sigma_min(N) = %.3g, smallest eigenvalue %.3g; "
                     "tkc nmatrix: %s): at large n the fit may resolve "
                     "estimator noise, not the kernel\n", d->sigma_min,
                nf->eig_min, d->settle);
}

static void print_per_template(FILE *out, const tkc_template_set *set,
                               const krr_run *r)
{
    fprintf(out, "  %-28s %8s %12s %11s %6s %6s\n", "template", "label",
            "prediction", "sq.error", "train", "test");
    for (size_t t = 0; t < set->count; t++) {
        char buf[256];
        tkc_template_format(set, t, buf, sizeof buf);
        fprintf(out, "  %-28s %8.4g %12.6g %11.3g %6zu %6zu\n", buf,
                set->t[t].label, r->score->template_prediction[t],
                r->score->template_sq_error[t], r->train_count[t],
                r->test_count[t]);
    }
}

static void print_rates(const krr_cli *c, krr_runs *R, size_t k,
                        const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const char *var = c->sweep == SWEEP_N ? "n" : "rho";
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    if (f.slope_ok)
        printf("  fit: test RMSE ~ %s^%.3f, 95%% CI [%.3f, %.3f] over %zu "
               "runs (MSE exponent %.3f)%s\n", var, f.slope.slope,
               f.slope.slope_lo, f.slope.slope_hi, f.slope.points,
               2 * f.slope.slope,
               f.slope.skipped ? " (exact zeros skipped)" : "");
    else
        printf("  fit: not enough nonzero errors for a slope\n");
    printf("  Theorem 3.4: error <= C sqrt(log(1/delta)/n) + C sqrt(1/rho)"
           " predicts exponent <= -1/2;\n"
           "  fitted RMSE = %.3g (+-%.2g) + %.3g (+-%.2g) / sqrt(%s)"
           " (C >= %.3g at delta = 0.05)\n", f.floor.a, f.floor.a_se,
           f.floor.c, f.floor.c_se, var, f.floor.c / sqrt(log(20.0)));
    if (s0->label_variance > 0)
        printf("  label variance %.4g: RMSE of the best constant %.4g\n",
               s0->label_variance, sqrt(s0->label_variance));
    print_nmatrix(R->nm[k].d);
}

static void print_text(const krr_cli *c, const tkc_template_set *set,
                       krr_runs *R)
{
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    printf("%s: %zu templates of length %zu%s; label mean %.4g, variance %.4g\n",
           c->file, set->count, set->k, set->cls_appended ? " ([CLS] appended)" : "",
           s0->label_mean, s0->label_variance);
    printf("lambda %g, noise %g, %zu test strings on unseen symbols, %zu seed%s\n",
           c->lambda, c->noise, c->test_n, R->ns, R->ns > 1 ? "s" : "");
    double xs[MAX_LIST];
    xs_of(c, R, xs);
    for (size_t k = 0; k < R->nk; k++) {
        const krr_run *rk = run_at(R, k, 0, 0);
        describe_kernel(stdout, &c->kernel, c->kernels[k], rk->model, &R->nm[k]);
        printf("  %7s %7s %9s %10s %10s %9s %10s %9s %9s %5s\n", "n", "A", "rho",
               "train_mse", "test_mse", "+-se", "test_pop", "pop/var", "rcond",
               "esc");
        for (size_t x = 0; x < R->nx; x++) {
            point_stats p = stats_at(R, k, x);
            const krr_run *r = run_at(R, k, x, 0);
            char se[32] = "-", ratio[32] = "-";
            if (isfinite(p.test_se))
                snprintf(se, sizeof se, "%.2g", p.test_se);
            if (r->score->label_variance > 0)
                snprintf(ratio, sizeof ratio, "%.3g",
                         p.pop_mean / r->score->label_variance);
            printf("  %7zu %7zu %9.4g %10.3g %10.3g %9s %10.3g %9s %9.2g %5u\n",
                   r->n, r->alphabet, r->rho, p.train_mean, p.test_mean, se,
                   p.pop_mean, ratio, p.rcond_min, p.escalations);
        }
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                if (r->model->solve.escalations)
                    printf("  note (n %zu, seed %zu): %s\n", r->n, s,
                           r->model->solve.note);
            }
        if (R->nx == 1 && R->ns == 1)
            print_per_template(stdout, set, rk);
        if (c->sweep != SWEEP_NONE)
            print_rates(c, R, k, xs);
    }
}

/* The N figures every run of a kernel reports (see --help). */
static void json_nfigures(cli_json *j, const krr_nfigures *nf)
{
    const tkc_nmatrix_decision *d = nf->d;
    cli_json_key(j, "nmatrix_verdict");
    cli_json_string(j, tkc_nmatrix_verdict_name(d->verdict));
    cli_json_key(j, "nmatrix_sigma_min"); cli_json_number(j, d->sigma_min);
    cli_json_key(j, "nmatrix_inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "nmatrix_eig_min"); cli_json_number(j, nf->eig_min);
    cli_json_key(j, "nmatrix_resolved");
    cli_json_bool(j, d->verdict == TKC_NMATRIX_NONSINGULAR);
}

static void json_result(cli_json *j, const tkc_template_set *set,
                        const krr_run *r, const char *kernel,
                        const krr_nfigures *nf)
{
    const tkc_krr_model *m = r->model;
    const tkc_krr_score *sc = r->score;
    cli_json_key(j, "kernel"); cli_json_string(j, kernel);
    cli_json_key(j, "estimator"); cli_json_string(j, m->kernel.estimator);
    cli_json_key(j, "n"); cli_json_integer(j, (long long)r->n);
    cli_json_key(j, "alphabet"); cli_json_integer(j, (long long)r->alphabet);
    cli_json_key(j, "rho"); cli_json_number(j, r->rho);
    cli_json_key(j, "seed"); cli_json_integer(j, (long long)r->seed);
    cli_json_key(j, "train_mse"); cli_json_number(j, m->train_mse);
    cli_json_key(j, "test_mse"); cli_json_number(j, r->test_mse);
    cli_json_key(j, "test_mse_population"); cli_json_number(j, sc->test_mse_population);
    cli_json_key(j, "test_n"); cli_json_integer(j, (long long)r->test_n);
    cli_json_key(j, "label_mean"); cli_json_number(j, sc->label_mean);
    cli_json_key(j, "label_variance"); cli_json_number(j, sc->label_variance);
    cli_json_key(j, "rcond"); cli_json_number(j, m->solve.rcond);
    cli_json_key(j, "lambda"); cli_json_number(j, m->solve.lambda);
    cli_json_key(j, "lambda_used"); cli_json_number(j, m->solve.lambda_used);
    cli_json_key(j, "escalations"); cli_json_integer(j, m->solve.escalations);
    cli_json_key(j, "escalation_note"); cli_json_string(j, m->solve.note);
    cli_json_key(j, "ferr"); cli_json_number(j, m->solve.ferr);
    cli_json_key(j, "berr"); cli_json_number(j, m->solve.berr);
    cli_json_key(j, "patterns"); cli_json_integer(j, (long long)m->kernel.npatterns);
    cli_json_key(j, "kernel_error_kind");
    cli_json_string(j, tkc_error_kind_name(m->kernel.error_kind));
    cli_json_key(j, "kernel_se_max"); cli_json_number(j, m->kernel.se_max);
    json_nfigures(j, nf);
    cli_json_key(j, "kernel_diag_max"); cli_json_number(j, m->kernel_diag_max);
    cli_json_key(j, "seconds");
    cli_json_number(j, m->seconds_kernel + m->seconds_fill + m->seconds_solve);
    cli_json_key(j, "per_template");
    cli_json_array_begin(j);
    for (size_t t = 0; t < set->count; t++) {
        char buf[256];
        tkc_template_format(set, t, buf, sizeof buf);
        cli_json_object_begin(j);
        cli_json_key(j, "template"); cli_json_string(j, buf);
        cli_json_key(j, "label"); cli_json_number(j, set->t[t].label);
        cli_json_key(j, "weight"); cli_json_number(j, set->t[t].weight);
        cli_json_key(j, "prediction");
        cli_json_number(j, sc->template_prediction[t]);
        cli_json_key(j, "test_mse"); cli_json_number(j, sc->template_sq_error[t]);
        cli_json_key(j, "train_count");
        cli_json_integer(j, (long long)r->train_count[t]);
        cli_json_key(j, "test_count");
        cli_json_integer(j, (long long)r->test_count[t]);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void json_rates(cli_json *j, const krr_cli *c, krr_runs *R, size_t k,
                       const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const tkc_nmatrix_decision *d = R->nm[k].d;
    cli_json_object_begin(j);
    cli_json_key(j, "kernel"); cli_json_string(j, c->kernels[k]->name);
    cli_json_key(j, "variable");
    cli_json_string(j, c->sweep == SWEEP_N ? "n" : "rho");
    cli_json_key(j, "quantity"); cli_json_string(j, "test RMSE");
    cli_json_key(j, "points"); cli_json_integer(j, (long long)f.slope.points);
    cli_json_key(j, "slope");
    f.slope_ok ? cli_json_number(j, f.slope.slope) : cli_json_null(j);
    cli_json_key(j, "slope_ci95");
    cli_json_array_begin(j);
    cli_json_number(j, f.slope_ok ? f.slope.slope_lo : NAN);
    cli_json_number(j, f.slope_ok ? f.slope.slope_hi : NAN);
    cli_json_array_end(j);
    cli_json_key(j, "theorem_exponent"); cli_json_number(j, -0.5);
    cli_json_key(j, "floor_a"); cli_json_number(j, f.floor.a);
    cli_json_key(j, "coef_c"); cli_json_number(j, f.floor.c);
    cli_json_key(j, "nmatrix_inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "nmatrix");
    cli_json_object_begin(j);
    cli_json_key(j, "verdict");
    cli_json_string(j, tkc_nmatrix_verdict_name(d->verdict));
    cli_json_key(j, "inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "inv_norm_upper"); cli_json_number(j, d->inv_norm_upper);
    cli_json_key(j, "sigma_min_lower"); cli_json_number(j, d->sigma_min_lower);
    cli_json_key(j, "confidence"); cli_json_number(j, d->confidence);
    cli_json_object_end(j);
    cli_json_object_end(j);
}

static void print_json(const krr_cli *c, const tkc_template_set *set,
                       krr_runs *R)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_key(&j, "file"); cli_json_string(&j, c->file);
    if (R->nk * R->nx * R->ns == 1) {
        json_result(&j, set, &R->r[0], c->kernels[0]->name, &R->nm[0]);
        cli_json_end(&j);
        return;
    }
    cli_json_key(&j, "runs");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                cli_json_object_begin(&j);
                json_result(&j, set, run_at(R, k, x, s), c->kernels[k]->name,
                            &R->nm[k]);
                cli_json_object_end(&j);
            }
    cli_json_array_end(&j);
    double xs[MAX_LIST];
    xs_of(c, R, xs);
    cli_json_key(&j, "curve");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++) {
            point_stats p = stats_at(R, k, x);
            const krr_run *r = run_at(R, k, x, 0);
            cli_json_object_begin(&j);
            cli_json_key(&j, "kernel"); cli_json_string(&j, c->kernels[k]->name);
            cli_json_key(&j, "n"); cli_json_integer(&j, (long long)r->n);
            cli_json_key(&j, "alphabet"); cli_json_integer(&j, (long long)r->alphabet);
            cli_json_key(&j, "rho"); cli_json_number(&j, r->rho);
            cli_json_key(&j, "seeds"); cli_json_integer(&j, (long long)R->ns);
            cli_json_key(&j, "train_mse"); cli_json_number(&j, p.train_mean);
            cli_json_key(&j, "test_mse"); cli_json_number(&j, p.test_mean);
            cli_json_key(&j, "test_mse_se"); cli_json_number(&j, p.test_se);
            cli_json_key(&j, "test_mse_population"); cli_json_number(&j, p.pop_mean);
            cli_json_key(&j, "test_mse_population_se"); cli_json_number(&j, p.pop_se);
            cli_json_key(&j, "label_variance");
            cli_json_number(&j, r->score->label_variance);
            cli_json_key(&j, "rcond_min"); cli_json_number(&j, p.rcond_min);
            cli_json_key(&j, "lambda_used_max"); cli_json_number(&j, p.lambda_max);
            cli_json_key(&j, "escalations"); cli_json_integer(&j, p.escalations);
            cli_json_object_end(&j);
        }
    cli_json_array_end(&j);
    if (c->sweep != SWEEP_NONE) {
        cli_json_key(&j, "fit");
        cli_json_array_begin(&j);
        for (size_t k = 0; k < R->nk; k++)
            json_rates(&j, c, R, k, xs);
        cli_json_array_end(&j);
    }
    cli_json_end(&j);
}

static void print_csv(const krr_cli *c, krr_runs *R)
{
    printf("kernel,n,alphabet,rho,seed,lambda,lambda_used,escalations,rcond,"
           "train_mse,test_mse,test_mse_population,label_variance,patterns,"
           "kernel_se_max,nmatrix_inv_norm,seconds\n");
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                const tkc_krr_model *m = r->model;
                printf("%s,%zu,%zu,%.17g,%" PRIu64 ",%.17g,%.17g,%u,%.6g,%.17g,"
                       "%.17g,%.17g,%.17g,%zu,%.6g,%.6g,%.4f\n",
                       c->kernels[k]->name, r->n, r->alphabet, r->rho, r->seed,
                       m->solve.lambda, m->solve.lambda_used,
                       m->solve.escalations, m->solve.rcond, m->train_mse,
                       r->test_mse, r->score->test_mse_population,
                       r->score->label_variance, m->kernel.npatterns, m->kernel.se_max,
                       nmatrix_inv_norm(R->nm[k].d),
                       m->seconds_kernel + m->seconds_fill + m->seconds_solve);
            }
}

int cmd_krr(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return CLI_OK;
        }
    krr_cli c;
    int st = parse_args(argc, argv, &c);
    if (st)
        return st;
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    po.append_cls = !c.no_cls;
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_read_file(c.file, &po, &set, &err))
        return cli_library_error(CMD, &err);
    if (set->symbolic_labels) {
        fprintf(stderr, "tkc krr: %s has symbolic labels (a next-token task such "
                        "as Raven's); kernel ridge regression needs real-valued "
                        "labels.  Use `tkc nmatrix` or `tkc check` for this set.\n",
                c.file);
        tkc_template_set_free(set);
        return CLI_USAGE;
    }
    if (set->cls_appended && !c.json && !c.csv)
        fprintf(stderr, "tkc krr: [CLS] appended to the templates (--no-cls to "
                        "keep them as written)\n");
#ifdef __GLIBC__
    /* Repeated fits reuse the n×n matrix's pages instead of mapping fresh
     * ones each time: first touch of new pages dominates filling them. */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
    krr_runs R = {0};
    st = settle_lists(&c, set);
    if (!st)
        st = run_all(&c, set, &R);
    if (!st)
        st = decide_nmatrix(&c, set, &R);
    if (!st) {
        if (c.json)
            print_json(&c, set, &R);
        else if (c.csv)
            print_csv(&c, &R);
        else
            print_text(&c, set, &R);
    }
    runs_free(&R);
    tkc_template_set_free(set);
    return st;
}
