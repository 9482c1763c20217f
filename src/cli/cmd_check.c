/* cmd_check.c — `tkc check FILE`, the main job: is N singular for these
 * templates?  The MLP, MLP+XXᵀ and transformer kernels side by side, with
 * each verdict's evidence, in a table read in ten seconds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"
#include "tkc/verdict.h"

#define NKERNELS 3
/* The generic verdicts' rows are wrapped to this many columns. */
#define GENERIC_WIDTH 100
/* The kernels check runs, as the registry has them, and their labels. */
static const tkc_kernel_type *const *const kernels[NKERNELS] = {
    &tkc_kernel_mlp, &tkc_kernel_mlpxx, &tkc_kernel_trans};
static const char *const kernel_labels[NKERNELS] = {"MLP", "MLP+XX^T",
                                                    "transformer"};

static void help(FILE *out)
{
    fputs("usage: tkc check FILE [kernel options] [--confidence C] [--budget N]\n"
          "                 [--time-budget SECONDS] [--no-auto-refine] [--no-cls]\n"
          "                 [--expect-nonsingular K] [--expect-singular K] [--json]\n\n"
          "Is the matrix N of the templates in FILE singular?  For the MLP kernel, the\n"
          "MLP on XX^T-augmented input and the transformer kernel: the verdict, singular\n"
          "(exact), nonsingular (proved) [every radius a rigorous enclosure], nonsingular\n"
          "(99.9% confidence) [statistical radii, at that joint confidence], nonsingular\n"
          "(estimate) [some radius an estimate] or undecided; sigma_min with its lower\n"
          "bound (of the verdict's kind), ||N^-1|| and the evidence.  Nonsingular N means\n"
          "kernel ridge regression with that kernel generalizes to unseen symbols\n"
          "(Lemma 3.5).\n"
          "Then each kernel's generic verdict, for almost every parameter rather than\n"
          "at these: the transformer's from the exact Taylor coefficients of N_attn\n"
          "(Lemmas 3.7 and 3.6; on both cores unless --threads; docs/generic.md).\n"
          "Monte Carlo entries are refined (samples x4) until decided or over budget;\n"
          "the first round is cheap (16384 integrand evaluations whatever the estimator;\n"
          "auto's target 1e-3) unless --samples, --points, --target-se or --max-evals\n"
          "is given.\n\n"
          "options:\n"
          "  --expect-nonsingular K  exit 1 unless kernel K (mlp, mlpxx, trans) is\n"
          "                          nonsingular, whatever the evidence (repeatable)\n"
          "  --expect-singular K     exit 1 unless kernel K is proved singular\n"
          "  --confidence C          confidence of Monte Carlo radii (default 0.999)\n"
          "  --budget N              most integrand evaluations auto-refine may use\n"
          "                          (default 2^26, and at most 2^31 / (r(r+1)/2) for\n"
          "                          an N of r templates: 205700 at r = 144, which\n"
          "                          keeps check on the largest shipped set within\n"
          "                          90 s on 2 cores); a count, so the same inputs\n"
          "                          give the same verdict on any machine\n"
          "  --time-budget S         also stop auto-refine before a round would pass S\n"
          "                          seconds per kernel (default: no wall-clock limit;\n"
          "                          the output then says it stopped early)\n"
          "  --no-auto-refine        one round at the estimator's options\n"
          "  --ladder, --no-ladder   precision ladder whatever r / never (default r <= 64)\n"
          "  --no-generic            skip the generic verdicts\n"
          "  --no-cls                do not append [CLS] to the templates\n"
          "  --json                  one JSON object on stdout\n"
          "  --progress              progress on stderr even when it is not a terminal\n"
          "                          (shown on a terminal by default; --no-progress: never)\n"
          "The kernel options set the transformer's and the MLPs' parameters (--kernel\n"
          "is not accepted: check runs all three).\n", out);
    cli_kernel_options_help(out);
}

typedef struct expectation {
    int want[NKERNELS];         /* 0 none, TKC_NMATRIX_SINGULAR/NONSINGULAR */
} expectation;

static int kernel_index(const char *name)
{
    for (int k = 0; k < NKERNELS; k++)
        if (!strcmp(name, (*kernels[k])->name) || !strcmp(name, kernel_labels[k]))
            return k;
    return -1;
}

/* check's own options: --expect-nonsingular K, --expect-singular K; and
 * --kernel refused, since check runs all three. */
static int parse_expect(const char *cmd, int argc, char **argv, int *i,
                        void *ctx)
{
    expectation *e = ctx;
    const char *a = argv[*i];
    if (!strcmp(a, "--kernel")) {
        cli_usage_error(cmd, "--kernel is not accepted: check runs mlp, mlpxx "
                             "and trans (use tkc nmatrix for one kernel)");
        return -1;
    }
    int v = !strcmp(a, "--expect-nonsingular") ? TKC_NMATRIX_NONSINGULAR
            : !strcmp(a, "--expect-singular")  ? TKC_NMATRIX_SINGULAR
                                               : 0;
    if (!v)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "%s needs a kernel (mlp, mlpxx, trans)", a);
        return -1;
    }
    int k = kernel_index(argv[++*i]);
    if (k < 0) {
        cli_usage_error(cmd, "%s: unknown kernel '%s' (mlp, mlpxx, trans)", a,
                        argv[*i]);
        return -1;
    }
    e->want[k] = v;
    return 1;
}

static void print_row(const char *label, const tkc_nmatrix_decision *d)
{
    char sig[32], bound[32], inv[32];
    if (d->verdict == TKC_NMATRIX_SINGULAR) {
        snprintf(sig, sizeof sig, "0");
        snprintf(bound, sizeof bound, "-");
        snprintf(inv, sizeof inv, "inf");
    } else {
        snprintf(sig, sizeof sig, "%.3e", d->sigma_min);
        if (d->verdict == TKC_NMATRIX_NONSINGULAR)
            snprintf(bound, sizeof bound, "%.2e", d->sigma_min_lower);
        else
            snprintf(bound, sizeof bound, "-");
        snprintf(inv, sizeof inv, "%.3g", d->inv_norm);
    }
    printf("%-13s %-30s %-14s %-12s %-10s %s", label, d->verdict_words, sig,
           bound, inv, d->evidence);
    if (d->verdict == TKC_NMATRIX_UNDECIDED && d->settle[0])
        printf("; %s", d->settle);
    printf("\n");
}

/* Do the templates end in [CLS], as Theorem 3.4 assumes? */
static int ends_in_cls(const tkc_template_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        int32_t last = set->t[i].sym[set->k - 1];
        if (TKC_IS_WILDCARD(last) ||
            strcmp(set->symbol_names[last], "[CLS]"))
            return 0;
    }
    return 1;
}

/* What the verdicts mean together, in one line: the generic part first
 * (what Theorem 3.4 then gives), then the point, then the MLP. */
static void summary(const tkc_template_set *set, const tkc_kernel_spec *spec,
                    const tkc_nmatrix_decision *const d[NKERNELS], char *buf,
                    size_t size)
{
    const tkc_nmatrix_decision *mlp = d[0], *tr = d[2];
    size_t n = 0;
#define SAY(...)                                                            \
    (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
    buf[0] = '\0';
    if (tr->generic == TKC_NMATRIX_GENERIC_NONSINGULAR)
        SAY(ends_in_cls(set)
                ? "for almost every (β, γ, b1, b2), Theorem 3.4 gives that "
                  "the transformer generalizes to unseen symbols on these "
                  "templates (error <= C√(log(1/δ)/n) + C/√ρ, with "
                  "probability at least 1−δ−e^(−cn)); "
                : "N_trans is nonsingular for almost every (β, γ, b1, b2), "
                  "so the transformer generalizes there (Lemma 3.5; "
                  "Theorem 3.4's rates assume templates ending in [CLS]); ");
    else if (tr->generic == TKC_NMATRIX_GENERIC_SINGULAR)
        SAY("the transformer cannot generalize to unseen symbols on these "
            "templates for any parameter; ");
    if (tr->verdict == TKC_NMATRIX_NONSINGULAR)
        SAY("at β = %g, γ = %g the transformer's N is %s, so it "
            "generalizes there (Lemma 3.5)", spec->beta, spec->gamma,
            tr->verdict_words);
    else if (tr->verdict == TKC_NMATRIX_SINGULAR)
        SAY("at β = %g, γ = %g the transformer's N is singular", spec->beta,
            spec->gamma);
    else
        SAY("at β = %g, γ = %g the point verdict is open (see what would "
            "settle it above)", spec->beta, spec->gamma);
    if (mlp->generic == TKC_NMATRIX_GENERIC_SINGULAR)
        SAY("; the MLP kernel cannot, for any parameter (N singular).");
    else if (mlp->verdict == TKC_NMATRIX_SINGULAR)
        SAY("; the MLP kernel cannot at these parameters (N singular).");
    else if (mlp->verdict == TKC_NMATRIX_NONSINGULAR)
        SAY("; the MLP kernel generalizes at these parameters (Lemma 3.5).");
    else
        SAY("; the MLP verdict is open.");
#undef SAY
}

static void print_json(const tkc_template_set *set,
                       const tkc_kernel_spec *spec, tkc_nmatrix *const nm[],
                       const tkc_nmatrix_decision *const d[], int failed)
{
    char meaning[1024];
    summary(set, spec, d, meaning, sizeof meaning);
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_nmatrix_json_set(&j, set);
    cli_json_key(&j, "kernels");
    cli_json_array_begin(&j);
    for (int k = 0; k < NKERNELS; k++) {
        cli_json_object_begin(&j);
        cli_json_key(&j, "kernel");
        cli_json_string(&j, (*kernels[k])->name);
        cli_json_key(&j, "estimator");
        cli_json_string(&j, nm[k]->estimator);
        cli_nmatrix_json_decision(&j, nm[k], d[k]);
        cli_nmatrix_json_generic(&j, d[k]);
        cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_key(&j, "summary");
    cli_json_string(&j, meaning);
    cli_json_key(&j, "expectations_met");
    cli_json_bool(&j, !failed);
    cli_json_end(&j);
}

/* The table at the spec's point, the generic verdicts, the lemmas' lines
 * and what it all means. */
static void print_text(const tkc_template_set *set,
                       const tkc_kernel_spec *spec,
                       const tkc_nmatrix_decision *const d[NKERNELS])
{
    cli_nmatrix_describe_set(stdout, set);
    printf("at β = %g, γ = %g, ", spec->beta, spec->gamma);
    if (spec->activation == tkc_activation_cos)
        printf("φ(t) = cos(b1 t + b2) with b1 = %g, b2 = %g:\n", spec->b1,
               spec->b2);
    else
        printf("φ = %s:\n", spec->activation->name);
    printf("%-13s %-30s %-14s %-12s %-10s %s\n", "kernel", "verdict",
           "sigma_min", ">= bound", "||N^-1||", "evidence");
    for (int k = 0; k < NKERNELS; k++)
        print_row(kernel_labels[k], d[k]);
    if (d[2]->generic != TKC_NMATRIX_GENERIC_NOT_RUN) {
        printf("for almost every parameter:\n");
        for (int k = 0; k < NKERNELS; k++) {
            char row[sizeof d[k]->generic_text + 256], how[160] = "";
            if (d[k]->generic_test.r)
                cli_nmatrix_generic_how(how, sizeof how, d[k]);
            snprintf(row, sizeof row, "%-13s %s%s", kernel_labels[k],
                     d[k]->generic_text, how);
            cli_print_wrapped(stdout, row, 14, GENERIC_WIDTH);
        }
    }
    if (d[2]->lemma36 != TKC_LEMMA36_NOT_APPLICABLE) {
        char l36[sizeof d[2]->lemma36_test + 512], row[sizeof l36 + 64];
        cli_nmatrix_lemma36_line(l36, sizeof l36, spec, d[2],
                                 d[2]->lemma36_test);
        snprintf(row, sizeof row, "transformer at β = %g, γ = %g: %s",
                 spec->beta, spec->gamma, l36);
        cli_print_wrapped(stdout, row, 14, GENERIC_WIDTH);
    }
    if (d[2]->series_det_text[0])
        printf("small beta, exactly (N_attn): %s\n", d[2]->series_det_text);
    char meaning[1024];
    summary(set, spec, d, meaning, sizeof meaning);
    char line[sizeof meaning + 16];
    snprintf(line, sizeof line, "meaning: %s", meaning);
    cli_print_wrapped(stdout, line, 9, GENERIC_WIDTH);
}

int cmd_check(int argc, char **argv)
{
    const char *cmd = "check";
    expectation expect = {{0}};
    cli_nmatrix_args a = {.append_cls = 1};
    tkc_kernel_spec_default(&a.spec);
    a.spec.shard = cli_mpi_shard();       /* NULL: alone */
    tkc_nmatrix_options_default(&a.opt);
    a.opt.auto_refine = 1;        /* check decides by default, within budget */
    int rc = cli_nmatrix_parse_args(cmd, argc, argv, help, parse_expect,
                                    &expect, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    /* A cheap first round unless the user chose the accuracy: auto-refine
     * takes it from there, within the budget.  The same integrand
     * evaluations for every estimator (QMC: two per point and replicate). */
    static const char *const accuracy[] = {"--samples", "--points",
                                           "--target-se", "--max-evals"};
    int chose = 0;
    for (size_t i = 0; i < sizeof accuracy / sizeof *accuracy; i++)
        chose |= cli_kernel_given_option(a.given, accuracy[i]);
    if (!chose && a.opt.auto_refine) {   /* whichever estimator is chosen */
        a.spec.mc.samples = a.spec.cvmc.samples = 16384;
        a.spec.qmc.points = 16384 / (2 * (uint64_t)a.spec.qmc.replicates);
        a.spec.qmc.points += !a.spec.qmc.points;
        a.spec.automatic.max_evals = 16384;
        a.spec.automatic.target_se = 1e-3;
    }
    tkc_template_set *set = NULL;
    if ((rc = cli_nmatrix_load(cmd, a.file, a.append_cls, &set)))
        return rc;
    tkc_kernel_spec specs[NKERNELS];
    for (int k = 0; k < NKERNELS; k++) {
        specs[k] = a.spec;
        specs[k].kernel = *kernels[k];
    }
    tkc_nmatrix_cost cost[NKERNELS] = {{0}};
    if ((rc = cli_nmatrix_fits(cmd, set, specs, NKERNELS, &a.opt, cost))) {
        tkc_template_set_free(set);
        return rc;
    }

    tkc_nmatrix *nm[NKERNELS] = {0};
    tkc_nmatrix_decision *d[NKERNELS] = {0};
    tkc_error err;
    rc = CLI_OK;
    cli_progress bar;
    cli_progress_begin(&bar, cmd, a.progress);
    for (int k = 0; k < NKERNELS && rc == CLI_OK; k++) {
        tkc_kernel_spec s = specs[k];
        s.progress = cli_progress_library(&bar);
        /* no count here: the kernels' costs differ too much for one time
         * left; the library's stages carry theirs */
        char predicted[48];
        cli_progress_predicted(predicted, sizeof predicted,
                               cost[k].seconds_first,
                               cli_kernel_is_auto(&specs[k]));
        cli_progress_phase(&bar, 0, 0, "%s (%d of %d%s)", kernel_labels[k],
                           k + 1, NKERNELS, predicted);
        if (tkc_nmatrix_decide(set, &s, &a.opt, &nm[k], &d[k], &err))
            rc = cli_library_error(cmd, &err);
    }
    cli_progress_end(&bar);
    int failed = 0;
    if (rc == CLI_OK) {
        for (int k = 0; k < NKERNELS; k++)
            if (expect.want[k] && (int)d[k]->verdict != expect.want[k]) {
                failed = 1;
                fprintf(stderr, "tkc check: expected %s to be %s, got %s\n",
                        kernel_labels[k],
                        tkc_nmatrix_verdict_name(expect.want[k]),
                        tkc_nmatrix_verdict_name(d[k]->verdict));
            }
        if (a.json)
            print_json(set, &a.spec, nm,
                       (const tkc_nmatrix_decision *const *)d, failed);
        else
            print_text(set, &a.spec, (const tkc_nmatrix_decision *const *)d);
        rc = failed ? CLI_FAILED : CLI_OK;
    }
    for (int k = 0; k < NKERNELS; k++) {
        tkc_nmatrix_decision_free(d[k]);
        tkc_nmatrix_free(nm[k]);
    }
    tkc_template_set_free(set);
    return rc;
}
