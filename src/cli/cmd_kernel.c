/* cmd_kernel.c — `tkc kernel X Y [kernel options] [--json]`: one kernel
 * value with its error.
 *
 * X and Y are token strings: whitespace-separated symbols ("α = 1 ;"), or,
 * written without whitespace, one symbol per UTF-8 character ("ααβST").
 * Equal spellings are equal tokens across X and Y; nothing else about the
 * spelling matters (every kernel here is token-symmetric). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_progress.h"
#include "tkc/kernel.h"

static void usage(FILE *out)
{
    fputs("usage: tkc kernel X Y [kernel options] [--json]\n\n"
          "One kernel value K(X, Y) with its error.  X and Y are token strings\n"
          "of equal length: whitespace-separated symbols ('a = 1 ;') or, without\n"
          "whitespace, one symbol per character ('aaBST').\n\n"
          "  --json       print one JSON object on stdout\n"
          "  --progress   progress on stderr even when it is not a terminal\n"
          "               (shown on a terminal by default; --no-progress: never)\n", out);
    cli_kernel_options_help(out);
}

static void print_json(const tkc_kernel_spec *spec, const cli_symtab *t,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       const tkc_kernel_values *v)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_key(&j, "kernel");
    cli_json_string(&j, spec->kernel->name);
    cli_json_key(&j, "estimator");
    if (v->estimator && v->estimator[0])
        cli_json_string(&j, v->estimator);
    else
        cli_json_null(&j);
    cli_json_key(&j, "value");
    cli_json_number(&j, v->value[0]);
    cli_json_key(&j, "stderr");
    cli_json_number(&j, v->se[0]);
    cli_json_key(&j, "error_kind");
    cli_json_string(&j, tkc_error_kind_name(v->error_kind));
    cli_json_key(&j, "samples");
    cli_json_integer(&j, (long long)v->samples);
    for (int side = 0; side < 2; side++) {
        cli_json_key(&j, side ? "y" : "x");
        cli_json_array_begin(&j);
        for (size_t a = 0; a < k; a++)
            cli_json_string(&j, t->name[(side ? y : x)[a]]);
        cli_json_array_end(&j);
    }
    cli_json_key(&j, "k");
    cli_json_integer(&j, (long long)k);
    cli_json_key(&j, "beta");
    cli_json_number(&j, spec->beta);
    cli_json_key(&j, "gamma");
    cli_json_number(&j, spec->gamma);
    if (spec->activation) {
        cli_json_key(&j, "activation");
        cli_json_string(&j, spec->activation->name);
        cli_json_key(&j, "b1");
        cli_json_number(&j, spec->b1);
        cli_json_key(&j, "b2");
        cli_json_number(&j, spec->b2);
    }
    cli_json_key(&j, "seed");
    cli_json_integer(&j, (long long)spec->seed);
    cli_json_key(&j, "note");
    cli_json_string(&j, v->note);
    cli_json_end(&j);
}

static void print_text(const tkc_kernel_spec *spec, const tkc_kernel_values *v)
{
    const char *meaning =
        v->error_kind == TKC_ERROR_STATISTICAL ? "one standard error"
        : v->error_kind == TKC_ERROR_TRUNCATION ? "truncation estimate"
        : v->error_kind == TKC_ERROR_ROUNDING   ? "closed form, rounding"
                                                : "exact";
    printf("K_%s(X, Y) = %.10g +/- %.3g  (%s)\n", spec->kernel->name,
           v->value[0], v->se[0], meaning);
    if (v->estimator && v->estimator[0])
        printf("estimator %s, %llu samples, beta %g, gamma %g%s%s\n",
               v->estimator, (unsigned long long)v->samples, spec->beta,
               spec->gamma, v->note[0] ? "; " : "", v->note);
}

int cmd_kernel(int argc, char **argv)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.shard = cli_mpi_shard();       /* NULL: alone */
    cli_kernel_given given = 0;
    const char *text[2] = {NULL, NULL};
    int npos = 0, json = 0, options_done = 0;
    cli_progress_mode pm = CLI_PROGRESS_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && !strcmp(a, "--")) {
            options_done = 1;
        } else if (!options_done && cli_progress_option(a, &pm)) {
            continue;
        } else if (!options_done && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            usage(stdout);
            return CLI_OK;
        } else if (!options_done && !strcmp(a, "--json")) {
            json = 1;
        } else if (!options_done && !strncmp(a, "--", 2)) {
            int r = cli_kernel_option("kernel", argc, argv, &i, &spec, &given);
            if (r < 0)
                return CLI_USAGE;
            if (r == 0)
                return cli_usage_error("kernel", "unknown option '%s' "
                                       "(tkc kernel --help)", a);
        } else if (npos < 2) {
            text[npos++] = a;
        } else {
            return cli_usage_error("kernel", "expected two strings X Y, got "
                                   "a third: '%s'", a);
        }
    }
    if (npos < 2)
        return cli_usage_missing("kernel", "X Y [kernel options] [--json]",
                                 "expected two strings X Y");
    if (cli_kernel_check("kernel", &spec, given, NULL))
        return CLI_USAGE;
    cli_symtab *t = calloc(1, sizeof *t);
    if (!t)
        return cli_usage_error("kernel", "out of memory");
    tkc_token x[TKC_K_MAX], y[TKC_K_MAX];
    size_t kx;
    int rc = CLI_USAGE;
    if (cli_parse_string_pair("kernel", text[0], text[1], t, x, y, &kx))
        goto done;
    tkc_error err;
    tkc_strings *S = tkc_strings_alloc(2, kx, &err);
    tkc_kernel_values *v = S ? tkc_kernel_values_alloc(1, 0, &err) : NULL;
    tkc_pair p = {0, 1};
    if (!S || !v) {
        rc = cli_library_error("kernel", &err);
    } else {
        memcpy(tkc_strings_row(S, 0), x, kx * sizeof *x);
        memcpy(tkc_strings_row(S, 1), y, kx * sizeof *y);
        cli_progress bar;
        cli_progress_begin(&bar, "kernel", pm);
        cli_progress_phase(&bar, 0, 0, "K_%s(X, Y), k = %zu%s%s",
                           spec.kernel->name, kx,
                           spec.kernel->uses_attn ? ", by " : "",
                           spec.kernel->uses_attn ? spec.estimator->name : "");
        spec.progress = cli_progress_library(&bar);
        int st = tkc_kernel_eval_pairs(&spec, S, &p, 1, v, &err);
        spec.progress = NULL;
        cli_progress_end(&bar);
        if (st) {
            rc = cli_library_error("kernel", &err);
        } else {
            if (json)
                print_json(&spec, t, x, y, kx, v);
            else
                print_text(&spec, v);
            rc = CLI_OK;
        }
    }
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
done:
    free(t);
    return rc;
}
