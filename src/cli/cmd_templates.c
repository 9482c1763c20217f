/* cmd_templates.c — `tkc templates check|sample`: parse and validate a
 * template set, report its shape, disjointness and data diversity; draw
 * reproducible samples from it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tkc/sample.h"
#include "tkc/template.h"

static const char *const CMD = "templates";
#define SYNOPSIS "check|sample FILE [options] [--json]"

static void help(FILE *out)
{
    fputs("usage: tkc templates check FILE [--alphabet A] [--no-cls] [--json]\n"
          "       tkc templates sample FILE -n N --alphabet A --seed S [--test]\n"
          "                            [--noise SIGMA] [--no-cls] [--json]\n\n"
          "check   parse and validate FILE (docs/templates.md): number of templates,\n"
          "        length k, labels, wildcards per template, pairwise\n"
          "        disjointness (a witness string when two overlap: exit 2),\n"
          "        and the data diversity rho = A / max wildcards when\n"
          "        --alphabet A is given.\n"
          "sample  draw N samples (Definition 2.2): wildcards get distinct\n"
          "        tokens of an alphabet of A fresh tokens; --test draws from\n"
          "        a second alphabet disjoint from the training one.  Fresh\n"
          "        tokens are spelled t1, t2, ... (train: t1..tA, test:\n"
          "        t(A+1)..t(2A)).  Same seed, same samples.\n\n"
          "options:\n"
          "  --alphabet A   alphabet size (tokens available to wildcards)\n"
          "  --no-cls       do not append [CLS] to templates\n"
          "  -n N           number of samples\n"
          "  --seed S       random seed (default 1)\n"
          "  --test         sample from the test alphabet\n"
          "  --noise SIGMA  label noise standard deviation (default 0)\n"
          "  --json         one JSON object on stdout\n"
          "  --progress     progress on stderr even when it is not a terminal\n"
          "                 (shown on a terminal by default; --no-progress: never)\n",
          out);
}

typedef struct options {
    const char *file;
    uint64_t alphabet, n, seed;
    int have_alphabet, have_n, test, json;
    cli_progress_mode progress;     /* --progress, --no-progress */
    double noise;
    tkc_parse_options parse;
} options;

/* Parse argv (argv[0] = "check" or "sample"); 0 ok, 1 help shown, -1 bad. */
static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    tkc_parse_options_default(&o->parse);
    o->parse.allow_overlap = 1;       /* overlaps are reported, not refused */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--no-cls")) {
            o->parse.append_cls = 0;
        } else if (cli_progress_option(a, &o->progress)) {
            continue;
        } else if (!strcmp(a, "--test")) {
            o->test = 1;
        } else if (!strcmp(a, "--alphabet") && more) {
            if (cli_parse_u64(CMD, a, argv[++i], 1, (uint64_t)1 << 30,
                              &o->alphabet))
                return -1;
            o->have_alphabet = 1;
        } else if (!strcmp(a, "-n") && more) {
            if (cli_parse_u64(CMD, a, argv[++i], 0, 100000000, &o->n))
                return -1;
            o->have_n = 1;
        } else if (!strcmp(a, "--seed") && more) {
            if (cli_parse_u64(CMD, a, argv[++i], 0, UINT64_MAX, &o->seed))
                return -1;
        } else if (!strcmp(a, "--noise") && more) {
            if (cli_parse_double(CMD, a, argv[++i], 0.0, 1e300, &o->noise))
                return -1;
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_usage_error(CMD, "unknown option or missing value: '%s' "
                                 "(see tkc templates --help)", a);
            return -1;
        } else if (o->file) {
            cli_usage_error(CMD, "one FILE expected, got '%s' and '%s'",
                            o->file, a);
            return -1;
        } else {
            o->file = a;
        }
    }
    if (!o->file) {
        cli_usage_missing(CMD, SYNOPSIS, "expected a template FILE");
        return -1;
    }
    return 0;
}

static int load(const options *o, tkc_template_set **set)
{
    tkc_error err;
    tkc_error_clear(&err);
    if (tkc_template_set_open(o->file, &o->parse, set, &err))
        return cli_library_error(CMD, &err);
    if ((*set)->cls_appended)
        fprintf(stderr, "tkc templates: note: [CLS] appended to templates "
                        "that do not end in it (--no-cls to turn off)\n");
    return CLI_OK;
}

/* ---- check -------------------------------------------------------------- */

typedef struct overlap {
    int disjoint, identical;
    size_t i, j;
    tkc_token witness[TKC_K_MAX];
} overlap;

static void check_human(const options *o, const tkc_template_set *set,
                        const overlap *ov, double rho)
{
    char a[4096], b[4096], w[4096];
    size_t maxw = tkc_template_set_max_wildcards(set);
    printf("file: %s\ntemplates: %zu\nlength k: %zu%s\n", set->source,
           set->count, set->k,
           set->cls_appended ? " (with [CLS] appended)" : "");
    printf("labels: %s\nregular tokens: %zu\nwildcards per template:",
           set->symbolic_labels ? "symbolic (wildcards)" : "real", set->nsymbols);
    /* A histogram, not a list: sets have up to hundreds of templates. */
    for (size_t w = 0; w <= maxw; w++) {
        size_t count = 0;
        for (size_t i = 0; i < set->count; i++)
            count += set->t[i].nwild == w;
        if (count)
            printf(" %zu template%s with %zu,", count, count == 1 ? "" : "s", w);
    }
    printf(" max %zu\n", maxw);
    if (ov->disjoint) {
        printf("disjoint: yes (all %zu pairs)\n",
               set->count * (set->count - 1) / 2);
    } else {
        tkc_template_format(set, ov->i, a, sizeof a);
        tkc_template_format(set, ov->j, b, sizeof b);
        tkc_template_string_format(set, ov->witness, w, sizeof w);
        printf("disjoint: NO\n  line %d: %s\n  line %d: %s\n",
               set->t[ov->i].line, a, set->t[ov->j].line, b);
        if (ov->identical)
            printf("  identical up to renaming wildcards\n");
        printf("  both match: %s   (%s1, %s2, ... are fresh tokens)\n", w,
               set->fresh_prefix, set->fresh_prefix);
    }
    if (o->have_alphabet)
        printf("rho: %.17g (alphabet %llu, max %zu wildcards)\n", rho,
               (unsigned long long)o->alphabet, maxw);
}

static void check_json(const options *o, const tkc_template_set *set,
                       const overlap *ov, double rho)
{
    char buf[4096];
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_key(&j, "file");
    cli_json_string(&j, set->source);
    cli_json_key(&j, "count");
    cli_json_integer(&j, (long long)set->count);
    cli_json_key(&j, "k");
    cli_json_integer(&j, (long long)set->k);
    cli_json_key(&j, "cls_appended");
    cli_json_bool(&j, set->cls_appended);
    cli_json_key(&j, "labels");
    cli_json_string(&j, set->symbolic_labels ? "symbolic" : "real");
    cli_json_key(&j, "nsymbols");
    cli_json_integer(&j, (long long)set->nsymbols);
    cli_json_key(&j, "max_wildcards");
    cli_json_integer(&j, (long long)tkc_template_set_max_wildcards(set));
    cli_json_key(&j, "templates");
    cli_json_array_begin(&j);
    for (size_t i = 0; i < set->count; i++) {
        const tkc_template *z = &set->t[i];
        cli_json_object_begin(&j);
        cli_json_key(&j, "line");
        cli_json_integer(&j, z->line);
        cli_json_key(&j, "template");
        tkc_template_format(set, i, buf, sizeof buf);
        cli_json_string(&j, buf);
        cli_json_key(&j, "label");
        if (z->label_wildcard >= 0)
            cli_json_string(&j, z->wild_names[z->label_wildcard]);
        else
            cli_json_number(&j, z->label);
        cli_json_key(&j, "weight");
        cli_json_number(&j, z->weight);
        cli_json_key(&j, "wildcards");
        cli_json_integer(&j, (long long)z->nwild);
        cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_key(&j, "disjoint");
    cli_json_bool(&j, ov->disjoint);
    cli_json_key(&j, "overlap");
    if (ov->disjoint) {
        cli_json_null(&j);
    } else {
        cli_json_object_begin(&j);
        cli_json_key(&j, "lines");
        cli_json_array_begin(&j);
        cli_json_integer(&j, set->t[ov->i].line);
        cli_json_integer(&j, set->t[ov->j].line);
        cli_json_array_end(&j);
        cli_json_key(&j, "identical");
        cli_json_bool(&j, ov->identical);
        cli_json_key(&j, "witness");
        cli_json_array_begin(&j);
        for (size_t a = 0; a < set->k; a++) {
            tkc_template_token_name(set, ov->witness[a], buf, sizeof buf);
            cli_json_string(&j, buf);
        }
        cli_json_array_end(&j);
        cli_json_object_end(&j);
    }
    cli_json_key(&j, "alphabet");
    if (o->have_alphabet)
        cli_json_integer(&j, (long long)o->alphabet);
    else
        cli_json_null(&j);
    cli_json_key(&j, "rho");
    if (o->have_alphabet)
        cli_json_number(&j, rho);     /* null when infinite (no wildcards) */
    else
        cli_json_null(&j);
    cli_json_end(&j);
}

static int run_check(const options *o)
{
    tkc_template_set *set;
    int rc = load(o, &set);
    if (rc)
        return rc;
    tkc_error err;
    tkc_error_clear(&err);
    overlap ov = {0};
    double rho = 0.0;
    if (tkc_template_set_check_disjoint(set, &ov.disjoint, &ov.i, &ov.j,
                                        ov.witness, &err) ||
        (o->have_alphabet &&
         tkc_template_set_rho(set, (size_t)o->alphabet, &rho, &err))) {
        tkc_template_set_free(set);
        return cli_library_error(CMD, &err);
    }
    if (!ov.disjoint)
        ov.identical = !memcmp(set->t[ov.i].sym, set->t[ov.j].sym,
                               set->k * sizeof *set->t[ov.i].sym);
    if (o->json)
        check_json(o, set, &ov, rho);
    else
        check_human(o, set, &ov, rho);
    if (!ov.disjoint)
        fprintf(stderr, "tkc templates: %s: lines %d and %d are not "
                        "disjoint%s; templates must be pairwise disjoint\n",
                set->source, set->t[ov.i].line, set->t[ov.j].line,
                ov.identical ? " (identical)" : "");
    tkc_template_set_free(set);
    return ov.disjoint ? CLI_OK : CLI_USAGE;
}

/* ---- sample ------------------------------------------------------------- */

static void print_sample(const options *o, const tkc_template_set *set,
                         const tkc_sample *s)
{
    char buf[4096];
    cli_json j;
    if (o->json) {
        cli_json_begin(&j, stdout);
        cli_json_key(&j, "file");
        cli_json_string(&j, set->source);
        cli_json_key(&j, "n");
        cli_json_integer(&j, (long long)o->n);
        cli_json_key(&j, "alphabet");
        cli_json_integer(&j, (long long)o->alphabet);
        cli_json_key(&j, "split");
        cli_json_string(&j, o->test ? "test" : "train");
        cli_json_key(&j, "seed");
        if (o->seed <= (uint64_t)INT64_MAX)
            cli_json_integer(&j, (long long)o->seed);
        else                      /* beyond a JSON integer's safe range */
            cli_json_number(&j, (double)o->seed);
        cli_json_key(&j, "noise");
        cli_json_number(&j, o->noise);
        cli_json_key(&j, "samples");
        cli_json_array_begin(&j);
    }
    for (size_t m = 0; m < s->strings->count; m++) {
        const tkc_token *x = tkc_strings_row(s->strings, m);
        size_t i = s->template_index[m];
        if (!o->json) {
            tkc_template_string_format(set, x, buf, sizeof buf);
            if (set->symbolic_labels) {
                char lab[256];
                tkc_template_token_name(set, (tkc_token)s->label[m], lab,
                                        sizeof lab);
                printf("%s\t%s\n", lab, buf);
            } else {
                printf("%.17g\t%s\n", s->label[m], buf);
            }
            continue;
        }
        cli_json_object_begin(&j);
        cli_json_key(&j, "line");
        cli_json_integer(&j, set->t[i].line);
        cli_json_key(&j, "tokens");
        cli_json_array_begin(&j);
        for (size_t a = 0; a < set->k; a++) {
            tkc_template_token_name(set, x[a], buf, sizeof buf);
            cli_json_string(&j, buf);
        }
        cli_json_array_end(&j);
        cli_json_key(&j, "label");
        if (set->symbolic_labels) {
            tkc_template_token_name(set, (tkc_token)s->label[m], buf,
                                    sizeof buf);
            cli_json_string(&j, buf);
        } else {
            cli_json_number(&j, s->label[m]);
        }
        cli_json_object_end(&j);
    }
    if (o->json) {
        cli_json_array_end(&j);
        cli_json_end(&j);
    }
}

static int run_sample(const options *o)
{
    if (!o->have_n || !o->have_alphabet)
        return cli_usage_error(CMD, "sample needs -n N and --alphabet A (see "
                                    "tkc templates --help)");
    tkc_template_set *set;
    int rc = load(o, &set);
    if (rc)
        return rc;
    int ok;
    size_t i, j;
    tkc_error err;
    tkc_error_clear(&err);
    tkc_sample *s = NULL;
    if (!tkc_template_set_check_disjoint(set, &ok, &i, &j, NULL, &err) &&
        !ok) {
        fprintf(stderr, "tkc templates: %s: lines %d and %d are not "
                        "disjoint (run tkc templates check)\n",
                set->source, set->t[i].line, set->t[j].line);
        tkc_template_set_free(set);
        return CLI_USAGE;
    }
    cli_progress bar;
    cli_progress_begin(&bar, CMD, o->progress);
    cli_progress_phase(&bar, 0, 0, "drawing %" PRIu64 " strings", o->n);
    int st = tkc_sample_draw(set, (size_t)o->n, (size_t)o->alphabet,
                             o->test ? 1u : 0u, o->noise, o->seed, &s, &err);
    cli_progress_end(&bar);
    if (st) {
        tkc_template_set_free(set);
        return cli_library_error(CMD, &err);
    }
    print_sample(o, set, s);
    tkc_sample_free(s);
    tkc_template_set_free(set);
    return CLI_OK;
}

int cmd_templates(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_missing(CMD, SYNOPSIS, "expected check or sample");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(stdout);
        return CLI_OK;
    }
    int check = !strcmp(argv[1], "check");
    if (!check && strcmp(argv[1], "sample"))
        return cli_usage_error(CMD, "unknown subcommand '%s'; expected check "
                                    "or sample",
                               argv[1]);
    options o;
    int rc = parse_args(argc - 1, argv + 1, &o);
    if (rc)
        return rc > 0 ? CLI_OK : CLI_USAGE;
    return check ? run_check(&o) : run_sample(&o);
}
