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
#include <math.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_krr_print.h"
#include "tkc/sample.h"

#define ALPHABET_DEFAULT 1000
#define TEST_N_DEFAULT 1000
#define SYNOPSIS "FILE --n N[,N,...] [options] [kernel options]"

static void help(FILE *out)
{
    fputs(
        "usage: tkc krr FILE --n N[,N,...] [options] [kernel options]\n\n"
        "Kernel ridge regression f(x) = y^T (K + lambda I)^{-1} k(x) (paper Prop. 3.1)\n"
        "trained on n strings drawn from the templates of FILE and tested on strings\n"
        "whose symbols never occur in training.  Reports train/test MSE, the test\n"
        "error per template, rho, rcond and the ridge actually used.  test_mse is\n"
        "measured on --test-n sampled strings; test_mse_population (test_pop in\n"
        "the table) is the expected test error sum_z mu(z) (f(z) - f*(z))^2,\n"
        "exact GIVEN the fitted f (f is constant on each template's unseen-symbol\n"
        "strings by token symmetry); f itself carries the kernel's error.  Test\n"
        "labels are noiseless f*(z).\n\n"
        "Two error sources: +-data is the standard error over data seeds (--seeds);\n"
        "+-kernel the kernel's own error, the spread of the same number over\n"
        "independent kernel estimates on the same data (--kernel-replicates; a\n"
        "series' truncation error by random perturbation within its radii; none\n"
        "for closed forms).\n\n"
        "Solvers: dense (one n x n matrix, LAPACK Cholesky, O(n^3)) or structured\n"
        "(K = U N U^T + D + S: Woodbury over CHOLMOD's sparse Cholesky of D + S +\n"
        "lambda I, conjugate gradients to the rounding floor; O(n r^2) when few\n"
        "strings share a symbol, i.e. at large rho).  auto picks by predicted cost\n"
        "and memory and says why; an n that fits neither is refused up front with\n"
        "the n and the alphabet that would fit.\n\n"
        "options:\n"
        "  --n N[,N,...]     training sizes; a list gives a learning curve\n"
        "  --alphabet A[,..] alphabet size for training and (disjoint) test symbols;\n"
        "                    rho = A / max wildcards (default 1000)\n"
        "  --lambda L        ridge, absolute as in eq. (5) (default 1e-3).  When\n"
        "                    K + lambda I is not numerically positive definite the\n"
        "                    ridge is raised, each time to max(10 lambda,\n"
        "                    n*eps*max K_ii), and the change is reported\n"
        "  --noise S         label noise sigma on training labels (default 0)\n"
        "  --seed S          data and Monte Carlo seed (default 1)\n"
        "  --seeds K         repeat with data seeds S..S+K-1: error bars (default 1)\n"
        "  --test-n M        test strings (default 1000)\n"
        "  --solver S        auto, dense or structured (default auto)\n"
        "  --kernel-replicates R  kernel estimates per fit, the fit's included,\n"
        "                    for the kernel error (default 4; 1: not computed)\n"
        "  --memory GB       memory the solve may use (default: this machine's)\n"
        "  --tolerance E     structured: normwise backward error to stop at\n"
        "                    (default 0: until the residual stops falling)\n"
        "  --compare         run the trans, mlp and mlpxx kernels side by side\n"
        "  --sweep n|rho     Theorem 3.4: fit log-log slopes of the test RMSE\n"
        "                    against n (default n list 25..1600, noise 0.5,\n"
        "                    alphabet 100000, 5 seeds) or against rho (alphabet\n"
        "                    list, default w*{1,2,...,64}; n 1000; 5 seeds), with\n"
        "                    95% confidence intervals (the kernel error of the\n"
        "                    slope added), the tail without curvature, the local\n"
        "                    slopes, the fit of a + c/sqrt(n), and ||N^-1|| with\n"
        "                    the N-matrix verdict (as tkc nmatrix) beside them.\n"
        "                    n = 10^6 runs structured at a large alphabet, e.g.\n"
        "                    --n 1000,...,1000000 --alphabet 1000000000\n"
        "  --no-cls          do not append [CLS] to the templates\n"
        "  --csv             a header, then one CSV row per fit (each n or\n"
        "                    alphabet, seed and kernel) on stdout\n"
        "  --json            one JSON object on stdout\n"
        "  --progress        progress on stderr even when it is not a terminal\n"
        "                    (shown on a terminal by default; --no-progress: never)\n"
        "  --help            this text\n\n"
        "JSON: one fit gives one flat object {\"n\", \"rho\", \"train_mse\", \"test_mse\",\n"
        "\"per_template\", \"rcond\", \"lambda_used\", \"escalations\", ...}; several give\n"
        "{\"runs\": [...], \"curve\": [mean and se per point], \"fit\": [sweeps]}.\n"
        "The nmatrix_* fields are N's as `tkc nmatrix` decides it at the same kernel\n"
        "options (its own evaluation of N, no ladder, no auto-refine): nmatrix_verdict,\n"
        "nmatrix_sigma_min (floating), nmatrix_inv_norm (null when N is singular\n"
        "exactly), nmatrix_eig_min (smallest eigenvalue of that N, floating), and\n"
        "nmatrix_resolved = the verdict is nonsingular for every matrix within the\n"
        "entries' radii (proved for closed forms, at 99.9% confidence for Monte Carlo\n"
        "entries, an estimate for series ones).\n"
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
        /* a list is a sweep's axis: a value twice has no slope to give */
        for (size_t j = 0; j < *count; j++)
            if (out[j] == (size_t)v)
                return cli_usage_error(CMD, "%s lists %s twice: give each "
                                       "value once", option, tok);
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
    c->kernel.shard = cli_mpi_shard();       /* NULL: alone */
    tkc_krr_options_default(&c->opt);
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
                    !strcmp(a, "--sweep") || !strcmp(a, "--solver") ||
                    !strcmp(a, "--kernel-replicates") ||
                    !strcmp(a, "--memory") || !strcmp(a, "--tolerance"))) {
            return cli_usage_error(CMD, "%s needs a value", a);
        } else if (!strcmp(a, "--n")) {
            if (parse_list(a, argv[++i], 1, 2000000000, c->n, &c->nn))
                return CLI_USAGE;
        } else if (!strcmp(a, "--alphabet")) {
            if (parse_list(a, argv[++i], 1, 1000000000, c->alphabet, &c->na))
                return CLI_USAGE;
        } else if (!strcmp(a, "--lambda")) {
            if (cli_parse_double(CMD, a, argv[++i], 0, 1e300, &c->opt.lambda))
                return CLI_USAGE;
        } else if (!strcmp(a, "--solver")) {
            v = argv[++i];
            if (!strcmp(v, "auto"))
                c->opt.solver = TKC_KRR_SOLVER_AUTO;
            else if (!strcmp(v, "dense"))
                c->opt.solver = TKC_KRR_SOLVER_DENSE;
            else if (!strcmp(v, "structured"))
                c->opt.solver = TKC_KRR_SOLVER_STRUCTURED;
            else
                return cli_usage_error(CMD, "--solver expects auto, dense or "
                                            "structured, got '%s'", v);
        } else if (!strcmp(a, "--kernel-replicates")) {
            if (cli_parse_u64(CMD, a, argv[++i], 1, 1024, &u))
                return CLI_USAGE;
            c->opt.kernel_replicates = (unsigned)u;
        } else if (!strcmp(a, "--memory")) {
            double gb;
            if (cli_parse_double(CMD, a, argv[++i], 1e-3, 1e6, &gb))
                return CLI_USAGE;
            c->opt.memory_bytes = gb * 1e9;
        } else if (!strcmp(a, "--tolerance")) {
            if (cli_parse_double(CMD, a, argv[++i], 0, 1, &c->opt.tolerance))
                return CLI_USAGE;
        } else if (cli_progress_option(a, &c->progress)) {
            continue;
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
        return cli_usage_missing(CMD, SYNOPSIS, "missing template FILE");
    if (c->csv && c->json)
        return cli_usage_error(CMD, "--csv and --json exclude each other");
    return cli_kernel_check(CMD, &c->kernel, c->given, NULL) ? CLI_USAGE
                                                             : CLI_OK;
}

/* Refuse up front, before any sampling, an (n, alphabet) that no solver
 * fits, saying what n fits and what alphabet would. */
static int check_plans(const krr_cli *c, const tkc_template_set *set)
{
    for (size_t i = 0; i < c->nn; i++)
        for (size_t a = 0; a < c->na; a++) {
            tkc_krr_plan p;
            tkc_krr_limits lim;
            tkc_error err;
            double rho;
            if (tkc_krr_plan_expected(set, c->n[i], c->alphabet[a], &c->opt, &p,
                                      &lim, &err) ||
                tkc_template_set_rho(set, c->alphabet[a], &rho, &err))
                return cli_library_error(CMD, &err);
            if (p.chosen != TKC_KRR_SOLVER_AUTO)
                continue;
            char alt[320] = "", at[96];
            /* no alphabet at all: the arrays of n strings alone are over */
            if (isfinite(lim.structured_alphabet_min))
                snprintf(at, sizeof at, "and this n at alphabet >= %.3g (rho "
                         ">= %.3g)", lim.structured_alphabet_min,
                         lim.structured_alphabet_min * rho /
                             (double)c->alphabet[a]);
            else
                snprintf(at, sizeof at, "and this n at no alphabet (its "
                         "arrays alone do not fit)");
            if (c->opt.solver != TKC_KRR_SOLVER_DENSE)
                snprintf(alt, sizeof alt, "; the structured path needs few "
                         "strings sharing a symbol (here %.3g other strings "
                         "each, expected) and its arrays to fit: it fits n <= "
                         "%zu at this alphabet, %s",
                         2 * p.shared_pairs / (double)p.n,
                         lim.structured_n_max, at);
            return cli_usage_error(
                CMD, "--n %zu at alphabet %zu (rho %.4g) fits no solver in "
                "%.3g GB: the dense path needs a %.3g GB kernel matrix (it "
                "fits n <= %zu)%s", c->n[i], c->alphabet[a], rho,
                p.memory_bytes * 1e-9, p.dense_bytes * 1e-9, lim.dense_n_max,
                alt);
        }
    return CLI_OK;
}

/* Defaults that depend on the mode; said on stderr when they apply. */
static int settle_lists(krr_cli *c, const tkc_template_set *set)
{
    int st;
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
            return cli_usage_missing(CMD, SYNOPSIS, "--n N is required");
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
    for (size_t i = 0; i < c->na; i++)
        if (c->alphabet[i] < w)
            return cli_usage_error(CMD, "--alphabet %zu is smaller than the %zu "
                                        "wildcards of some template", c->alphabet[i], w);
    if ((st = check_plans(c, set)))
        return st;
    if (c->compare) {
        c->kernels[0] = tkc_kernel_trans;
        c->kernels[1] = tkc_kernel_mlp;
        c->kernels[2] = tkc_kernel_mlpxx;
        c->nk = 3;
    } else {
        c->kernels[0] = c->kernel.kernel;
        c->nk = 1;
    }
    return CLI_OK;
}

static size_t nx_of(const krr_cli *c) { return c->nn > 1 ? c->nn : c->na; }
static int x_is_alphabet(const krr_cli *c) { return c->nn == 1 && c->na > 1; }

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
                         train->label, &c->opt, &run->model, err);
    if (!st && !(pred = malloc(run->test_n * sizeof *pred)))
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    if (!st && !(run->test_mse_rep = malloc(run->model->replicates *
                                            sizeof *run->test_mse_rep)))
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    for (size_t q = 0; !st && q < run->model->replicates; q++) {
        st = tkc_krr_predict_replicate(run->model, q, test->strings, pred, err);
        double s = 0;
        for (size_t j = 0; !st && j < run->test_n; j++) {
            double d = pred[j] - test->label[j];   /* noiseless f*(z) */
            s += d * d;
        }
        run->test_mse_rep[q] = s / (double)run->test_n;
    }
    if (!st)
        st = tkc_krr_score_templates(run->model, set, &run->score, err);
    if (!st && (!(run->train_count = template_counts(train, set->count)) ||
                !(run->test_count = template_counts(test, set->count))))
        st = tkc_fail(err, TKC_ENOMEM, "krr: out of memory");
    if (!st)
        run->test_mse = run->test_mse_rep[0];
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
    if (!R->r)
        return cli_usage_error(CMD, "out of memory for %zu runs",
                               R->nk * R->nx * R->ns);
    cli_progress p;
    size_t done = 0, total = R->nk * R->nx * R->ns;
    cli_progress_begin(&p, CMD, c->progress);
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                krr_run *run = run_at(R, k, x, s);
                tkc_kernel_spec spec = c->kernel;
                spec.kernel = c->kernels[k];
                spec.progress = cli_progress_library(&p);
                run->n = c->nn > 1 ? c->n[x] : c->n[0];
                run->alphabet = x_is_alphabet(c) ? c->alphabet[x] : c->alphabet[0];
                run->seed = c->seed + s;
                run->test_n = c->test_n;
                cli_progress_phase(&p, done, total, "fit: kernel %s, n %zu, "
                                   "alphabet %zu, seed %" PRIu64,
                                   c->kernels[k]->name, run->n,
                                   run->alphabet, run->seed);
                tkc_error err;
                if (run_one(c, set, &spec, run, &err)) {
                    cli_progress_end(&p);
                    return cli_library_error(CMD, &err);
                }
                done++;
            }
    cli_progress_end(&p);
    return CLI_OK;
}

/* Every figure krr prints from a run is finite, or nothing is printed:
 * an overflow (labels scaled by --noise 1e300, say) is an error, exit 2,
 * not "inf" in a table or null in JSON. */
static int runs_finite(const krr_cli *c, krr_runs *R)
{
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *run = run_at(R, k, x, s);
                double v[] = {run->model->train_mse, run->test_mse,
                              run->score->test_mse_population};
                for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                    if (!isfinite(v[i]))
                        return cli_usage_error(
                            CMD, "kernel %s, n %zu, alphabet %zu, seed %llu: "
                            "a mean squared error is %g, not a number to "
                            "report (labels too large? --noise %g)",
                            c->kernels[k]->name, run->n, run->alphabet,
                            (unsigned long long)run->seed, v[i], c->noise);
            }
    return CLI_OK;
}

/* N's figures per kernel, as the N-matrix module decides them (no ladder,
 * no refinement: one build at the fit's kernel options, the verdict, its
 * proved bounds and the smallest eigenvalue of that N). */
static int decide_nmatrix(const krr_cli *c, const tkc_template_set *set,
                          krr_runs *R)
{
    for (size_t k = 0; k < R->nk; k++) {
        tkc_kernel_spec spec = c->kernel;
        spec.kernel = c->kernels[k];
        tkc_nmatrix_options no;
        tkc_nmatrix_options_default(&no);
        no.ladder = 0;
        no.generic = 0;          /* krr reports N at the fit's parameters */
        tkc_nmatrix *nm = NULL;
        tkc_error err;
        int st = tkc_nmatrix_decide(set, &spec, &no, &nm, &R->nm[k], &err);
        tkc_nmatrix_free(nm);
        if (st)
            return cli_library_error(CMD, &err);
    }
    return CLI_OK;
}

static void runs_free(krr_runs *R)
{
    for (size_t k = 0; k < MAX_KERNELS; k++)
        tkc_nmatrix_decision_free(R->nm[k]);
    if (!R->r)
        return;
    for (size_t i = 0; i < R->nk * R->nx * R->ns; i++) {
        tkc_krr_model_free(R->r[i].model);
        tkc_krr_score_free(R->r[i].score);
        free(R->r[i].train_count);
        free(R->r[i].test_count);
        free(R->r[i].test_mse_rep);
    }
    free(R->r);
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
    if (tkc_template_set_open(c.file, &po, &set, &err))
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
        st = runs_finite(&c, &R);
    if (!st)
        st = decide_nmatrix(&c, set, &R);
    if (!st) {
        if (c.json)
            krr_print_json(&c, set, &R);
        else if (c.csv)
            krr_print_csv(&c, &R);
        else
            krr_print_text(&c, set, &R);
    }
    runs_free(&R);
    tkc_template_set_free(set);
    return st;
}

