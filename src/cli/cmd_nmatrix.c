/* cmd_nmatrix.c — `tkc nmatrix FILE`: the matrix N of a template set, its
 * errors, singular values, the precision ladder and the verdict
 * (docs/verdicts.md, docs/json.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>

#include "cli.h"
#include "tkc/nmatrix.h"
#include "tkc/series.h"
#include "tkc/template.h"
#include "tkc/verdict.h"

static void help(FILE *out)
{
    fputs("usage: tkc nmatrix FILE [kernel options] [--confidence C]\n"
          "                   [--auto-refine] [--budget N] [--time-budget SECONDS]\n"
          "                   [--ladder|--no-ladder] [--no-cls] [--json]\n\n"
          "The r x r matrix N_ij = K(sub(z_i, s), sub(z_j, s')) of the templates in FILE\n"
          "(docs/verdicts.md), with each entry's error, N's singular values, a precision\n"
          "ladder (53, 128, 256, 512 bits), ||N^-1||, det N and the verdict:\n"
          "  singular (exact)      two rows proved identical by the kernel's invariant;\n"
          "  nonsingular (...)     every matrix within the entries' radii is nonsingular,\n"
          "                        proved in MPFR with directed rounding; the radii, and\n"
          "                        so the verdict and its bounds on sigma_min and\n"
          "                        ||N^-1||, are (proved) rigorous enclosures, (99.9%\n"
          "                        confidence) statistical at that joint confidence, or\n"
          "                        (estimate) series truncation or first-order errors;\n"
          "  undecided             and what would settle it.\n"
          "For attn and trans also the generic verdict, for almost every parameter\n"
          "rather than at these (Lemmas 3.7 and 3.6 from the exact Taylor\n"
          "coefficients of N_attn; docs/generic.md).\n\n"
          "options:\n"
          "  --confidence C      confidence of Monte Carlo radii (default 0.999)\n"
          "  --auto-refine       quadruple the samples while undecided\n"
          "  --budget N          most integrand evaluations auto-refine may use\n"
          "                      (default 2^26, and at most 2^31 / (r(r+1)/2) for an\n"
          "                      N of r templates: a count, the same on any machine)\n"
          "  --time-budget S     also stop auto-refine before a round would pass S\n"
          "                      seconds (default none; the output says it stopped\n"
          "                      early)\n"
          "  --ladder            run the precision ladder whatever r (default r <= 64)\n"
          "  --no-ladder         skip it\n"
          "  --no-generic        skip the generic verdict (on both cores unless\n"
          "                      --threads is given; exact, so the same on any)\n"
          "  --no-cls            do not append [CLS] to the templates\n"
          "  --json              one JSON object on stdout\n"
          "  --progress          progress on stderr even when it is not a terminal\n"
          "                      (shown on a terminal by default; --no-progress: never)\n", out);
    cli_kernel_options_help(out);
}

/* Options of nmatrix and check beyond the kernel ones: consumes argv[*i]
 * (and its value) and returns 1 when it is one of them, 0 when not, -1 on a
 * bad value.  Shared by cmd_check.c. */
int cli_nmatrix_option(const char *command, int argc, char **argv, int *i,
                       tkc_nmatrix_options *opt, int *append_cls)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--auto-refine")) {
        opt->auto_refine = 1;
        return 1;
    }
    if (!strcmp(a, "--no-auto-refine")) {
        opt->auto_refine = 0;
        return 1;
    }
    if (!strcmp(a, "--no-cls")) {
        *append_cls = 0;
        return 1;
    }
    if (!strcmp(a, "--ladder") || !strcmp(a, "--no-ladder")) {
        opt->ladder = !strcmp(a, "--ladder");
        return 1;
    }
    if (!strcmp(a, "--no-generic")) {
        opt->generic = 0;
        return 1;
    }
    int is_conf = !strcmp(a, "--confidence"), is_budget = !strcmp(a, "--budget");
    int is_time = !strcmp(a, "--time-budget");
    if (!is_conf && !is_budget && !is_time)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", a);
        return -1;
    }
    const char *v = argv[++*i];
    if (is_conf)
        return cli_parse_double(command, a, v, 0.5, 1 - 1e-12,
                                &opt->confidence) ? -1 : 1;
    if (is_time)
        return cli_parse_double(command, a, v, 0, 1e7, &opt->time_budget)
                   ? -1 : 1;
    return cli_parse_u64(command, a, v, 1, 1ULL << 40, &opt->budget) ? -1 : 1;
}

int cli_nmatrix_parse_args(const char *command, int argc, char **argv,
                           void (*help)(FILE *out), cli_option_fn own,
                           void *own_ctx, cli_nmatrix_args *args)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return -1;
        } else if (!strcmp(a, "--json")) {
            args->json = 1;
        } else if (cli_progress_option(a, &args->progress)) {
            continue;
        } else if ((own && (rc = own(command, argc, argv, &i, own_ctx))) ||
                   (rc = cli_kernel_option(command, argc, argv, &i,
                                           &args->spec, &args->given)) ||
                   (rc = cli_nmatrix_option(command, argc, argv, &i,
                                            &args->opt, &args->append_cls))) {
            if (rc < 0)
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error(command, "unknown option '%s' (see --help)", a);
        } else if (args->file) {
            return cli_usage_error(command, "one template file expected, got "
                                   "'%s' and '%s'", args->file, a);
        } else {
            args->file = a;
        }
    }
    if (!args->file)
        return cli_usage_missing(command, "FILE [kernel options] [options] "
                                 "[--json]", "missing template FILE");
    /* --prec is also the certificate's precision, whatever the estimator */
    if (cli_kernel_check(command, &args->spec, args->given, "--prec"))
        return CLI_USAGE;
    args->opt.prec = args->spec.series.prec;
    /* The generic verdict is exact, so threads cannot change it: it runs on
     * every online core unless --threads says otherwise. */
    if (!cli_kernel_given_option(args->given, "--threads")) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        args->opt.generic_opt.threads = cores > 0 ? (unsigned)cores : 1;
    }
    return CLI_OK;
}

void cli_nmatrix_json_set(cli_json *j, const tkc_template_set *set)
{
    cli_json_key(j, "file");
    cli_json_string(j, set->source ? set->source : "");
    cli_nmatrix_json_templates(j, set);
    cli_json_key(j, "k");
    cli_json_integer(j, (long long)set->k);
    cli_json_key(j, "cls_appended");
    cli_json_bool(j, set->cls_appended);
}

void cli_nmatrix_json_templates(cli_json *j, const tkc_template_set *set)
{
    char buf[4096];
    cli_json_key(j, "templates");
    cli_json_array_begin(j);
    for (size_t i = 0; i < set->count; i++) {
        tkc_template_format(set, i, buf, sizeof buf);
        cli_json_string(j, buf);
    }
    cli_json_array_end(j);
}

int cli_nmatrix_load(const char *command, const char *path, int append_cls,
                     tkc_template_set **set)
{
    tkc_parse_options popt;
    tkc_parse_options_default(&popt);
    popt.append_cls = append_cls;
    tkc_error err;
    if (tkc_template_set_open(path, &popt, set, &err))
        return cli_library_error(command, &err);
    return CLI_OK;
}

/* The memory the process may use: the machine's, or less under a limit
 * (ulimit -v, -d). */
static double memory_limit(void)
{
    double have = (double)sysconf(_SC_PHYS_PAGES) *
                  (double)sysconf(_SC_PAGESIZE);
    struct rlimit l;
    if (!getrlimit(RLIMIT_AS, &l) && l.rlim_cur != RLIM_INFINITY &&
        (double)l.rlim_cur < have)
        have = (double)l.rlim_cur;
    if (!getrlimit(RLIMIT_DATA, &l) && l.rlim_cur != RLIM_INFINITY &&
        (double)l.rlim_cur < have)
        have = (double)l.rlim_cur;
    return have;
}

int cli_kernel_is_auto(const tkc_kernel_spec *spec)
{
    return spec->kernel->uses_attn && spec->estimator == tkc_attn_auto;
}

/* Runs predicted longer than this many seconds are announced on stderr. */
#define FITS_SECONDS_WARN 10.0

/* The predicted time of one decision, on stderr when its first round is
 * long; beside it the most it may take (auto-refine's rounds, auto's
 * costliest choice), a worst case: every `check` could refine for
 * minutes, few do. */
static void say_time(const char *command, const tkc_kernel_spec *spec,
                     const tkc_nmatrix_cost *c)
{
    if (!(c->seconds_first > FITS_SECONDS_WARN))
        return;
    /* auto's covariance products are only in the most it may take */
    int is_auto = cli_kernel_is_auto(spec);
    char cov[64] = "";
    if (c->covariance_ops_first > 0 && !is_auto)
        snprintf(cov, sizeof cov, ", %.3g covariance products",
                 c->covariance_ops_first);
    fprintf(stderr, "tkc %s: r = %zu, kernel %s: about %.0f s (an estimate "
            "for this machine: %.3g integrand values%s, a certificate of "
            "%.3g MPFR operations)", command, c->r, spec->kernel->name,
            c->seconds_first, c->values_first, cov, c->certificate_ops);
    int rounds = c->rounds_max > 1, mc = is_auto && c->covariance_ops_max > 0;
    if (c->seconds_max > 1.5 * c->seconds_first)
        fprintf(stderr, ", up to %.0f s if %s%s%s", c->seconds_max,
                rounds ? "auto-refine takes every round" : "",
                rounds && mc ? " and " : "",
                mc ? "auto chooses mc (with the covariance)" : "");
    fputc('\n', stderr);
}

int cli_nmatrix_fits(const char *command, const tkc_template_set *set,
                     const tkc_kernel_spec *specs, size_t nspecs,
                     const tkc_nmatrix_options *opt, tkc_nmatrix_cost *costs)
{
    tkc_nmatrix_cost c[CLI_NMATRIX_SPECS_MAX];
    double have = memory_limit(), kept = 0, need = 0;
    size_t at = 0;
    if (nspecs > CLI_NMATRIX_SPECS_MAX)
        nspecs = CLI_NMATRIX_SPECS_MAX;
    for (size_t i = 0; i < nspecs; i++) {
        tkc_error err;
        if (tkc_nmatrix_cost_predict(set, &specs[i], opt, &c[i], &err))
            return cli_library_error(command, &err);
        if (costs)
            costs[i] = c[i];
        /* the runs before this one keep their N and decision */
        if (kept + c[i].bytes > need) {
            need = kept + c[i].bytes;
            at = i;
        }
        kept += c[i].bytes_kept;
    }
    if (have > 0 && need > have)
        return cli_usage_error(command, "r = %zu templates: deciding N "
                               "needs about %.3g GB at its peak (%s, kernel "
                               "%s; predicted), more than the %.3g GB this "
                               "process may use", set->count, need / 1e9,
                               c[at].peak_phase, specs[at].kernel->name,
                               have / 1e9);
    if (!cli_mpi_speaks())
        return CLI_OK;
    if (need > 1e9)
        fprintf(stderr, "tkc %s: r = %zu templates: deciding N needs about "
                "%.3g GB at its peak (%s, kernel %s; predicted)\n", command,
                set->count, need / 1e9, c[at].peak_phase,
                specs[at].kernel->name);
    for (size_t i = 0; i < nspecs; i++)
        say_time(command, &specs[i], &c[i]);
    return CLI_OK;
}

void cli_nmatrix_describe_set(FILE *out, const tkc_template_set *set)
{
    fprintf(out, "%s: %zu template%s, k = %zu%s, pairwise disjoint\n",
            set->source ? set->source : "templates", set->count,
            set->count == 1 ? "" : "s", set->k,
            set->cls_appended ? " ([CLS] appended)" : "");
}

static const char *error_words(tkc_error_kind kind)
{
    switch (kind) {
    case TKC_ERROR_EXACT:
        return "exact";
    case TKC_ERROR_ROUNDING:
        return "closed form, rigorous rounding bounds";
    case TKC_ERROR_STATISTICAL:
        return "statistical (one standard error)";
    case TKC_ERROR_TRUNCATION:
        return "series truncation estimate";
    }
    return "?";
}

const char *cli_nmatrix_lemma36_words(tkc_lemma36_status status)
{
    switch (status) {
    case TKC_LEMMA36_VIOLATED:
        return "violated";
    case TKC_LEMMA36_HOLDS:
        return "holds";
    case TKC_LEMMA36_NOT_ESTABLISHED:
        return "not established";
    default:
        return "not applicable";
    }
}

void cli_nmatrix_lemma36_line(char *buf, size_t size,
                              const tkc_kernel_spec *spec,
                              const tkc_nmatrix_decision *d, const char *how)
{
    /* the condition is tested on N_attn's entries with the radii of the
     * estimates they came from, so it rests on what the verdict's K_attn
     * rests on: proved, a confidence, or an estimate */
    char kind[32] = "";
    if (d->lemma36 == TKC_LEMMA36_NOT_ESTABLISHED) {
        /* nothing claimed, so no evidence to name */
    } else if (d->evidence_kind == TKC_EVIDENCE_CONFIDENCE) {
        tkc_evidence_percent(kind + 2, sizeof kind - 14, d->confidence);
        memcpy(kind, ", ", 2);
        strcat(kind, " confidence");
    } else {
        snprintf(kind, sizeof kind, ", %s",
                 tkc_evidence_kind_name(d->evidence_kind));
    }
    /* Lemma 3.6 concludes N_trans nonsingular for φ = cos(b1 t + b2) */
    char scope[160] = "";
    if (spec->activation != tkc_activation_cos)
        snprintf(scope, sizeof scope, "; Lemma 3.6 is proved for φ(t) = "
                 "cos(b1 t + b2) only: nothing follows from it for φ = %s",
                 spec->activation->name);
    snprintf(buf, size, "Lemma 3.6's permutation condition on N_attn %s%s "
             "(%s)%s", cli_nmatrix_lemma36_words(d->lemma36), kind, how,
             scope);
}

/* ---- JSON --------------------------------------------------------------- */

static void json_matrix(cli_json *j, const double *a, size_t r)
{
    cli_json_array_begin(j);
    for (size_t i = 0; i < r; i++) {
        cli_json_array_begin(j);
        for (size_t c = 0; c < r; c++)
            cli_json_number(j, a[i * r + c]);
        cli_json_array_end(j);
    }
    cli_json_array_end(j);
}

/* The generic test's permutation (when `have`, else null): its images
 * and cycles numbered from 1, and the leading term of its d_τ. */
static void json_permutation(cli_json *j, const tkc_generic_verdict *v,
                             int have)
{
    if (!have) {
        cli_json_null(j);
        return;
    }
    cli_json_object_begin(j);
    cli_json_key(j, "permutation");
    cli_json_array_begin(j);
    for (size_t i = 0; i < v->r; i++)
        cli_json_integer(j, (long long)v->witness[i] + 1);
    cli_json_array_end(j);
    cli_json_key(j, "cycles");
    cli_json_string(j, v->witness_text);
    cli_json_key(j, "leading_term");
    if (v->weight_text[0])
        cli_json_string(j, v->weight_text);
    else
        cli_json_null(j);
    cli_json_object_end(j);
}

/* The generic test's fields (v->r = 0: it did not run, nulls): shared by
 * the "generic" objects of nmatrix, check and `series FILE`. */
void cli_json_generic_test(cli_json *j, const tkc_generic_verdict *v)
{
    int ran = v->r > 0, proved = v->status == TKC_GENERIC_PROVED;
    cli_json_key(j, "condition_10");
    if (ran)
        cli_json_string(j, proved ? "proved" : "not established");
    else
        cli_json_null(j);
    cli_json_key(j, "orders");
    cli_json_array_begin(j);
    for (int o = 0; o < v->norders; o++) {
        cli_json_object_begin(j);
        cli_json_key(j, "total_order");
        cli_json_integer(j, v->orders[o]);
        cli_json_key(j, "patterns");
        cli_json_integer(j, (long long)v->order_patterns[o]);
        cli_json_key(j, "work");
        cli_json_number(j, v->order_work[o]);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_key(j, "total_order");
    if (ran)
        cli_json_integer(j, v->order);
    else
        cli_json_null(j);
    cli_json_key(j, "patterns");
    cli_json_integer(j, (long long)v->patterns);
    cli_json_key(j, "deciding_monomial");
    if (ran && proved && v->deciding_a >= 0) {
        char name[32];
        tkc_series_monomial_name(name, sizeof name, v->deciding_a,
                                 v->deciding_b);
        cli_json_object_begin(j);
        cli_json_key(j, "beta_power");
        cli_json_integer(j, 2 * v->deciding_a);
        cli_json_key(j, "gamma_power");
        cli_json_integer(j, 2 * v->deciding_b);
        cli_json_key(j, "name");
        cli_json_string(j, name);
        cli_json_object_end(j);
    } else {
        cli_json_null(j);
    }
    /* proved: the tightest cycle (a permutation, for the exhaustive test);
     * not established: the witness of where the test stopped */
    cli_json_key(j, "tightest_cycle");
    json_permutation(j, v, proved && v->witness);
    cli_json_key(j, "witness");
    json_permutation(j, v, !proved && v->witness);
    cli_json_key(j, "stopped");
    if (ran && !proved)
        cli_json_string(j, v->next);
    else
        cli_json_null(j);
    cli_json_key(j, "work");
    cli_json_number(j, v->work);
    cli_json_key(j, "seconds");
    cli_json_number(j, v->seconds);
    cli_json_key(j, "cpu_seconds");
    cli_json_number(j, v->cpu_seconds);
}

/* "generic": the generic verdict's object (docs/generic.md), null when not
 * run; beside the certificate, since it is not about the point. */
void cli_nmatrix_json_generic(cli_json *j, const tkc_nmatrix_decision *d)
{
    const tkc_generic_verdict *v = &d->generic_test;
    cli_json_key(j, "generic");
    if (d->generic == TKC_NMATRIX_GENERIC_NOT_RUN) {
        cli_json_null(j);
        return;
    }
    cli_json_object_begin(j);
    cli_json_key(j, "verdict");
    cli_json_string(j, tkc_nmatrix_generic_name(d->generic));
    cli_json_key(j, "words");
    cli_json_string(j, d->generic_words);
    cli_json_key(j, "statement");
    cli_json_string(j, d->generic_text);
    cli_json_key(j, "method");
    if (v->r)
        cli_json_string(j, v->method_text);
    else if (d->generic == TKC_NMATRIX_GENERIC_SINGULAR)
        cli_json_string(j, d->method);
    else
        cli_json_null(j);
    cli_json_generic_test(j, v);
    cli_json_object_end(j);
}

/* The evidence of the bounds on σ_min and ‖N⁻¹‖: the verdict's, when it
 * is nonsingular (there are none otherwise). */
static void json_bound_evidence(cli_json *j, const tkc_nmatrix_decision *d)
{
    if (d->verdict == TKC_NMATRIX_NONSINGULAR)
        cli_json_string(j, tkc_evidence_kind_name(d->evidence_kind));
    else
        cli_json_null(j);
}

/* The verdict part of the JSON, shared with `check`. */
void cli_nmatrix_json_decision(cli_json *j, const tkc_nmatrix *nm,
                               const tkc_nmatrix_decision *d)
{
    cli_json_key(j, "singular_values");
    cli_json_array_begin(j);
    for (size_t i = 0; d->singular_values && i < nm->r; i++)
        cli_json_number(j, d->singular_values[i]);
    cli_json_array_end(j);
    cli_json_key(j, "sigma_min");
    cli_json_number(j, d->sigma_min);
    cli_json_key(j, "sigma_min_lower_bound");
    if (d->verdict == TKC_NMATRIX_NONSINGULAR)
        cli_json_number(j, d->sigma_min_lower);
    else
        cli_json_number(j, 0);
    cli_json_key(j, "sigma_min_lower_bound_evidence");
    json_bound_evidence(j, d);
    cli_json_key(j, "inverse_norm");
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        cli_json_null(j);
    else
        cli_json_number(j, d->inv_norm);
    cli_json_key(j, "verdict");
    cli_json_string(j, tkc_nmatrix_verdict_name(d->verdict));
    cli_json_key(j, "verdict_words");
    cli_json_string(j, d->verdict_words);
    cli_json_key(j, "certificate");
    cli_json_object_begin(j);
    cli_json_key(j, "evidence_kind");
    cli_json_string(j, tkc_evidence_kind_name(d->evidence_kind));
    cli_json_key(j, "method");
    cli_json_string(j, d->method);
    cli_json_key(j, "evidence");
    cli_json_string(j, d->evidence);
    if (d->verdict == TKC_NMATRIX_SINGULAR) {
        size_t a, b;
        cli_json_key(j, "identical_rows");
        cli_json_array_begin(j);
        if (tkc_nmatrix_identical_rows(nm, &a, &b)) {
            cli_json_integer(j, (long long)a + 1);
            cli_json_integer(j, (long long)b + 1);
        }
        cli_json_array_end(j);
        cli_json_key(j, "row_classes");
        cli_json_integer(j, (long long)nm->nclasses);
        cli_json_key(j, "invariant");
        cli_json_string(j, nm->invariant);
    }
    if (d->verdict == TKC_NMATRIX_UNDECIDED) {
        cli_json_key(j, "settle");
        cli_json_string(j, d->settle);
    }
    cli_json_key(j, "error_kind");
    cli_json_string(j, tkc_error_kind_name(nm->error_kind));
    cli_json_key(j, "confidence");
    cli_json_number(j, d->confidence);
    cli_json_key(j, "radius_scale");
    cli_json_number(j, d->radius_scale);
    cli_json_key(j, "radius_norm");
    cli_json_number(j, d->radius_norm);
    cli_json_key(j, "inverse_norm_upper_bound");
    if (d->verdict == TKC_NMATRIX_NONSINGULAR)
        cli_json_number(j, d->inv_norm_upper);
    else
        cli_json_null(j);
    cli_json_key(j, "inverse_norm_upper_bound_evidence");
    json_bound_evidence(j, d);
    cli_json_key(j, "condition_number");
    cli_json_number(j, d->cond);
    cli_json_key(j, "determinant");
    cli_json_object_begin(j);
    cli_json_key(j, "mantissa");
    cli_json_number(j, d->det_mantissa);
    cli_json_key(j, "exponent2");
    cli_json_integer(j, d->det_exponent);
    cli_json_object_end(j);
    cli_json_key(j, "precision_ladder");
    cli_json_array_begin(j);
    for (int l = 0; l < TKC_NMATRIX_LADDER; l++) {
        if (!d->ladder_prec[l])
            continue;
        cli_json_object_begin(j);
        cli_json_key(j, "prec");
        cli_json_integer(j, d->ladder_prec[l]);
        cli_json_key(j, "sigma_min");
        cli_json_number(j, d->ladder_sigma_min[l]);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_key(j, "precision_ladder_trend");
    cli_json_string(j, d->ladder_text);
    cli_json_key(j, "lemma_3_6");
    if (d->lemma36 == TKC_LEMMA36_NOT_APPLICABLE) {
        cli_json_null(j);
    } else {
        cli_json_object_begin(j);
        cli_json_key(j, "holds");
        if (d->lemma36 == TKC_LEMMA36_NOT_ESTABLISHED)
            cli_json_null(j);       /* not established either way */
        else
            cli_json_bool(j, d->lemma36 == TKC_LEMMA36_HOLDS);
        cli_json_key(j, "status");
        cli_json_string(j, cli_nmatrix_lemma36_words(d->lemma36));
        cli_json_key(j, "method");
        cli_json_string(j, d->lemma36_method);
        cli_json_key(j, "text");
        cli_json_string(j, d->lemma36_text);
        cli_json_object_end(j);
    }
    cli_json_key(j, "small_beta_det");
    if (d->series_det_status == TKC_SERIES_DET_NOT_RUN &&
        !d->series_det_text[0]) {
        cli_json_null(j);
    } else {
        int determined = d->series_det_status == TKC_SERIES_DET_DETERMINED;
        cli_json_object_begin(j);
        cli_json_key(j, "determined");
        cli_json_bool(j, determined);
        cli_json_key(j, "beta_power");
        if (d->series_det_status != TKC_SERIES_DET_NOT_RUN)
            cli_json_integer(j, d->series_det_beta_power);
        else
            cli_json_null(j);
        cli_json_key(j, "leading_coefficient");
        if (determined && d->series_det_leading[0])
            cli_json_string(j, d->series_det_leading);
        else
            cli_json_null(j);
        cli_json_key(j, "text");
        cli_json_string(j, d->series_det_text);
        cli_json_object_end(j);
    }
    cli_json_key(j, "samples");
    cli_json_integer(j, (long long)d->samples);
    cli_json_key(j, "samples_total");
    cli_json_integer(j, (long long)d->samples_total);
    cli_json_key(j, "rounds");
    cli_json_integer(j, d->rounds);
    cli_json_key(j, "stopped_early");
    cli_json_bool(j, d->stopped_early);
    cli_json_key(j, "seconds");
    cli_json_number(j, d->seconds);
    cli_json_object_end(j);
}

static void print_json(const tkc_template_set *set, const tkc_kernel_spec *spec,
                       const tkc_nmatrix *nm, const tkc_nmatrix_decision *d)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_nmatrix_json_templates(&j, set);
    cli_json_key(&j, "kernel");
    cli_json_string(&j, spec->kernel->name);
    cli_json_key(&j, "estimator");
    cli_json_string(&j, nm->estimator);
    cli_json_key(&j, "cls_appended");
    cli_json_bool(&j, set->cls_appended);
    cli_json_key(&j, "N");
    json_matrix(&j, nm->N, nm->r);
    cli_json_key(&j, "stderr");
    json_matrix(&j, nm->se, nm->r);
    cli_nmatrix_json_decision(&j, nm, d);
    cli_nmatrix_json_generic(&j, d);
    cli_json_end(&j);
}

/* ---- text --------------------------------------------------------------- */

/* What the bounds of a nonsingular verdict rest on, in words. */
static const char *bound_words(const tkc_nmatrix_decision *d)
{
    switch (d->evidence_kind) {
    case TKC_EVIDENCE_CONFIDENCE:
        return "both at the verdict's joint confidence";
    case TKC_EVIDENCE_ESTIMATE:
        return "both estimates";
    default:
        return "both proved";
    }
}

/* The one line a person reads: the verdict and its evidence. */
void cli_nmatrix_print_verdict(FILE *out, const tkc_nmatrix_decision *d)
{
    switch (d->verdict) {
    case TKC_NMATRIX_SINGULAR:
        fprintf(out, "verdict: %s: %s\n", d->verdict_words, d->evidence);
        break;
    case TKC_NMATRIX_NONSINGULAR:
        fprintf(out, "verdict: %s: sigma_min >= %.3g, ||N^-1|| <= %.3g "
                "(%s); %s\n", d->verdict_words, d->sigma_min_lower,
                d->inv_norm_upper, bound_words(d), d->evidence);
        break;
    case TKC_NMATRIX_UNDECIDED:
        fprintf(out, "verdict: %s: %s; %s\n", d->verdict_words, d->evidence,
                d->settle);
        break;
    }
}

/* How the lemmas decided, in brief, for check's row: " [exhaustive, total
 * orders 0, 2, 4; 3 pair patterns]" (no seconds: check's text is the same
 * on any machine under any load; the JSON has the time). */
void cli_nmatrix_generic_how(char *buf, size_t size,
                             const tkc_nmatrix_decision *d)
{
    const tkc_generic_verdict *v = &d->generic_test;
    size_t n = (size_t)snprintf(buf, size, " [%s, total orders ",
                                v->method == TKC_GENERIC_CYCLES
                                    ? "cycle test" : "exhaustive");
    for (int o = 0; o < v->norders && n < size; o++)
        n += (size_t)snprintf(buf + n, size - n, "%s%d", o ? ", " : "",
                              v->orders[o]);
    if (n < size)
        snprintf(buf + n, size - n, "; %zu pair pattern%s]",
                 v->patterns, v->patterns == 1 ? "" : "s");
}

/* The generic verdict in words, and how the lemmas decided it. */
static void print_generic(const tkc_nmatrix_decision *d)
{
    const tkc_generic_verdict *v = &d->generic_test;
    if (d->generic == TKC_NMATRIX_GENERIC_NOT_RUN)
        return;
    printf("for almost every parameter: %s: %s\n", d->generic_words,
           d->generic_text);
    if (v->r == 0)
        return;
    printf("  %s; total orders", v->method_text);
    for (int o = 0; o < v->norders; o++)
        printf("%s %d", o ? "," : "", v->orders[o]);
    printf(" over %zu pair pattern%s, %.3g work units, %.2f s (%.2f s CPU)\n",
           v->patterns, v->patterns == 1 ? "" : "s", v->work, v->seconds,
           v->cpu_seconds);
}

static void print_text(const tkc_template_set *set, const tkc_kernel_spec *spec,
                       const tkc_nmatrix *nm, const tkc_nmatrix_decision *d)
{
    char buf[4096];
    size_t r = nm->r;
    cli_nmatrix_describe_set(stdout, set);
    printf("kernel %s", spec->kernel->name);
    if (strcmp(spec->kernel->name, "mlp") && strcmp(spec->kernel->name, "mlpxx"))
        printf(", beta = %g, gamma = %g, K_attn by %s", spec->beta,
               spec->gamma, nm->estimator);
    if (strcmp(spec->kernel->name, "attn"))
        printf(", act %s (b1 = %g, b2 = %g)", spec->activation->name,
               spec->b1, spec->b2);
    printf("\nentries: %s", error_words(nm->error_kind));
    if (nm->samples)
        printf(", %llu samples", (unsigned long long)nm->samples);
    printf("\n");
    if (r <= 12) {
        printf("N (+- error):\n");
        for (size_t i = 0; i < r; i++) {
            tkc_template_format(set, i, buf, sizeof buf);
            printf("  %2zu %-16s", i + 1, buf);
            for (size_t c = 0; c < r; c++)
                printf(" %10.6f+-%-8.1e", nm->N[i * r + c], nm->se[i * r + c]);
            printf("\n");
        }
    } else {
        printf("N is %zu x %zu (shown with --json); row classes: %zu\n", r, r,
               nm->nclasses);
    }
    if (d->singular_values) {
        printf("singular values:");
        size_t show = r <= 8 ? r : 4;
        for (size_t i = 0; i < show; i++)
            printf(" %.6g", d->singular_values[i]);
        if (show < r)
            printf(" ... %.6g", d->singular_values[r - 1]);
        printf("\n");
    }
    printf("precision ladder: %s\n", d->ladder_text);
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        printf("det N = 0 and ||N^-1|| = inf exactly (computed from the rounded "
               "entries: det %.6f * 2^%ld)\n", d->det_mantissa, d->det_exponent);
    else
        printf("det N = %.6f * 2^%ld, ||N^-1|| = %.6g, cond = %.6g\n",
               d->det_mantissa, d->det_exponent, d->inv_norm, d->cond);
    if (d->lemma36 != TKC_LEMMA36_NOT_APPLICABLE) {
        char line[sizeof d->lemma36_method + 512];
        cli_nmatrix_lemma36_line(line, sizeof line, spec, d,
                                 d->lemma36_method);
        printf("%s\n", line);
    }
    if (d->series_det_text[0])
        printf("small beta, exactly (N_attn): %s\n", d->series_det_text);
    print_generic(d);
    if (d->rounds > 1)
        printf("auto-refine: %u rounds, %llu samples in all, %.1f s\n",
               d->rounds, (unsigned long long)d->samples_total, d->seconds);
    cli_nmatrix_print_verdict(stdout, d);
}

int cmd_nmatrix(int argc, char **argv)
{
    const char *cmd = "nmatrix";
    cli_nmatrix_args a = {.append_cls = 1};
    tkc_kernel_spec_default(&a.spec);
    a.spec.shard = cli_mpi_shard();       /* NULL: alone */
    tkc_nmatrix_options_default(&a.opt);
    int rc = cli_nmatrix_parse_args(cmd, argc, argv, help, NULL, NULL, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    tkc_template_set *set = NULL;
    if ((rc = cli_nmatrix_load(cmd, a.file, a.append_cls, &set)))
        return rc;
    tkc_nmatrix_cost cost = {0};
    if ((rc = cli_nmatrix_fits(cmd, set, &a.spec, 1, &a.opt, &cost))) {
        tkc_template_set_free(set);
        return rc;
    }
    tkc_nmatrix *nm = NULL;
    tkc_nmatrix_decision *d = NULL;
    tkc_error err;
    cli_progress bar;
    cli_progress_begin(&bar, cmd, a.progress);
    char predicted[48];
    cli_progress_predicted(predicted, sizeof predicted, cost.seconds_first,
                           cli_kernel_is_auto(&a.spec));
    cli_progress_phase(&bar, 0, 0, "%s, r = %zu%s", a.spec.kernel->name,
                       set->count, predicted);
    a.spec.progress = cli_progress_library(&bar);
    int st = tkc_nmatrix_decide(set, &a.spec, &a.opt, &nm, &d, &err);
    a.spec.progress = NULL;
    cli_progress_end(&bar);
    if (st) {
        tkc_template_set_free(set);
        return cli_library_error(cmd, &err);
    }
    if (a.json)
        print_json(set, &a.spec, nm, d);
    else
        print_text(set, &a.spec, nm, d);
    tkc_nmatrix_decision_free(d);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
    return CLI_OK;
}
