/* cli_common.c — option parsing, kernel options and the JSON writer shared
 * by every command. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tkc/series.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tkc %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_USAGE;
}

int cli_library_error(const char *command, const tkc_error *err)
{
    fprintf(stderr, "tkc %s: %s\n", command,
            err->message[0] ? err->message : tkc_status_string(err->status));
    return CLI_USAGE;
}

int cli_parse_double(const char *command, const char *option, const char *text,
                     double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);   /* LC_NUMERIC is "C" (main.c) */
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(x)) {
        cli_usage_error(command, "%s expects a finite number, got '%s'",
                        option, text);
        return -1;
    }
    if (x < lo || x > hi) {
        cli_usage_error(command, "%s must be in [%g, %g], got %s", option, lo,
                        hi, text);
        return -1;
    }
    *out = x;
    return 0;
}

int cli_parse_u64(const char *command, const char *option, const char *text,
                  uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    if (text[0] == '-' || text[0] == '\0') {
        cli_usage_error(command, "%s expects a whole number, got '%s'",
                        option, text);
        return -1;
    }
    unsigned long long x = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        cli_usage_error(command, "%s expects a whole number, got '%s'",
                        option, text);
        return -1;
    }
    if (x < lo || x > hi) {
        cli_usage_error(command,
                        "%s must be in [%" PRIu64 ", %" PRIu64 "], got %s",
                        option, lo, hi, text);
        return -1;
    }
    *out = x;
    return 0;
}

/* ---- token strings ---------------------------------------------------- */

static tkc_token intern(cli_symtab *t, const char *s, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->name[i]) == len && !memcmp(t->name[i], s, len))
            return (tkc_token)i;
    memcpy(t->name[t->n], s, len);
    t->name[t->n][len] = '\0';
    return (tkc_token)t->n++;
}

/* Bytes of the UTF-8 character starting at s (1 for anything malformed). */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >> 5 == 6 ? 2 : *s >> 4 == 14 ? 3
             : *s >> 3 == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (s[i] >> 6 != 2)
            return 1;
    return n;
}

/* One token string into tok; returns its length, or 0 after printing what
 * is wrong. */
static size_t parse_string(const char *command, const char *what,
                           const char *text, cli_symtab *t, tkc_token *tok)
{
    int spaced = strpbrk(text, " \t\n") != NULL;
    size_t k = 0;
    for (const char *p = text; *p;) {
        if (spaced && strchr(" \t\n", *p)) {
            p++;
            continue;
        }
        size_t len = spaced ? strcspn(p, " \t\n")
                            : utf8_len((const unsigned char *)p);
        if (len >= CLI_SYMBOL_MAX) {
            cli_usage_error(command, "%s: symbol '%.*s...' is longer than "
                            "%d bytes", what, 16, p, CLI_SYMBOL_MAX - 1);
            return 0;
        }
        if (k == TKC_K_MAX) {
            cli_usage_error(command, "%s has more than %d symbols", what,
                            TKC_K_MAX);
            return 0;
        }
        tok[k++] = intern(t, p, len);
        p += len;
    }
    if (k == 0)
        cli_usage_error(command, "%s is empty: give at least one symbol", what);
    return k;
}

int cli_parse_string_pair(const char *command, const char *xtext,
                          const char *ytext, cli_symtab *t, tkc_token *x,
                          tkc_token *y, size_t *k)
{
    size_t kx = parse_string(command, "X", xtext, t, x);
    size_t ky = kx ? parse_string(command, "Y", ytext, t, y) : 0;
    if (!kx || !ky)
        return CLI_USAGE;
    if (kx != ky)
        return cli_usage_error(command, "X has %zu symbols and Y has %zu: "
                               "kernels compare strings of equal length",
                               kx, ky);
    *k = kx;
    return CLI_OK;
}

/* ---- kernel options ---------------------------------------------------- */

typedef enum {
    OPT_KERNEL, OPT_ESTIMATOR, OPT_ACT,     /* a type, by name              */
    OPT_DOUBLE, OPT_U64, OPT_UINT, OPT_INT, OPT_LONG   /* a number's C type */
} opt_kind;

/* The estimators that read an option: NULL for the kernel-level ones. */
typedef const tkc_attn_estimator_type *const *const readers[3];

typedef struct kernel_option {
    const char *name, *value;  /* "--samples", "N"                          */
    opt_kind kind;
    size_t at, also;           /* offsets of the field(s) set; also 0: none */
    double lo, hi;             /* range of a number                         */
    readers read_by;           /* NULL-terminated; empty: kernel-level      */
    const char *help;
} kernel_option;

#define SPEC_AT(field) offsetof(tkc_kernel_spec, field)
static const kernel_option kernel_options[] = {
    {"--kernel", "K", OPT_KERNEL, 0, 0, 0, 0, {NULL}, "kernel"},
    {"--estimator", "E", OPT_ESTIMATOR, 0, 0, 0, 0, {NULL},
     "K_attn estimator (of attn, trans)"},
    {"--act", "A", OPT_ACT, 0, 0, 0, 0, {NULL},
     "activation (of trans, mlp, mlpxx)"},
    {"--beta", "B", OPT_DOUBLE, SPEC_AT(beta), 0, -1e3, 1e3, {NULL},
     "softmax inverse temperature"},
    {"--gamma", "G", OPT_DOUBLE, SPEC_AT(gamma), 0, -1e3, 1e3, {NULL},
     "size of positional embeddings"},
    {"--b1", "X", OPT_DOUBLE, SPEC_AT(b1), 0, -1e3, 1e3, {NULL},
     "phi(t) = cos(b1 t + b2): b1"},
    {"--b2", "Y", OPT_DOUBLE, SPEC_AT(b2), 0, -1e3, 1e3, {NULL},
     "phi(t) = cos(b1 t + b2): b2"},
    {"--depth", "L", OPT_UINT, SPEC_AT(mlp_depth), 0, 1, 64, {NULL},
     "hidden layers of the MLP kernels"},
    {"--seed", "S", OPT_U64, SPEC_AT(seed), 0, 0, (double)UINT64_MAX, {NULL},
     "random seed"},
    {"--threads", "T", OPT_UINT, SPEC_AT(threads), 0, 1, 256, {NULL},
     "worker threads; results do not depend on it"},
    {"--samples", "N", OPT_U64, SPEC_AT(mc.samples), SPEC_AT(cvmc.samples), 1,
     (double)TKC_ATTN_SAMPLES_MAX, {&tkc_attn_mc, &tkc_attn_cvmc, NULL},
     "integrand evaluations, two per antithetic pair"},
    {"--points", "N", OPT_U64, SPEC_AT(qmc.points), 0, 1, (double)(1 << 30),
     {&tkc_attn_qmc, NULL}, "Sobol points per replicate, two evaluations each"},
    {"--replicates", "R", OPT_UINT, SPEC_AT(qmc.replicates), 0, 2, 1 << 16,
     {&tkc_attn_qmc, &tkc_attn_auto, NULL},
     "shifted QMC replicates (auto: its QMC candidate's)"},
    {"--order", "D", OPT_INT, SPEC_AT(series.order), 0, 0,
     TKC_SERIES_ORDER_MAX - 2, {&tkc_attn_series, NULL},
     "largest power of beta summed, even; 0 = optimal truncation"},
    {"--prec", "BITS", OPT_LONG, SPEC_AT(series.prec), 0, 53, 1 << 20,
     {&tkc_attn_series, &tkc_attn_auto, NULL},
     "MPFR bits of the series sum (auto: its series candidate's; nmatrix, "
     "check: also the certificate's)"},
    {"--cv-order", "Q", OPT_INT, SPEC_AT(cvmc.order), 0, 2, 4,
     {&tkc_attn_cvmc, NULL}, "the control variate, the beta^2 or beta^4 series: 2|4"},
    {"--target-se", "E", OPT_DOUBLE, SPEC_AT(automatic.target_se), 0, 1e-15, 1,
     {&tkc_attn_auto, NULL}, "the error it aims for, every entry"},
    {"--max-evals", "N", OPT_U64, SPEC_AT(automatic.max_evals), 0, 4,
     (double)TKC_ATTN_SAMPLES_MAX, {&tkc_attn_auto, NULL},
     "integrand evaluations its chosen run may spend, and at most N x 1024 "
     "integrand values (evaluations x entries) for long lists of pairs"},
};
#define N_KERNEL_OPTIONS (sizeof kernel_options / sizeof kernel_options[0])

static void store_number(const kernel_option *o, tkc_kernel_spec *spec,
                         size_t at, double d, uint64_t u)
{
    char *p = (char *)spec + at;
    switch (o->kind) {
    case OPT_DOUBLE: *(double *)p = d; break;
    case OPT_U64:    *(uint64_t *)p = u; break;
    case OPT_UINT:   *(unsigned *)p = (unsigned)u; break;
    case OPT_INT:    *(int *)p = (int)u; break;
    case OPT_LONG:   *(long *)p = (long)u; break;
    default:         break;
    }
}

/* The names of a family's types (kind OPT_KERNEL, OPT_ESTIMATOR or
 * OPT_ACT), in registry order, or of the estimators that read option o
 * (kind anything else); returns how many. */
#define NAMES_MAX 16
static size_t names_of(opt_kind kind, const kernel_option *o,
                       const char *names[NAMES_MAX])
{
    size_t n = 0;
    for (; n + 1 < NAMES_MAX; n++) {
        const char *name = NULL;
        if (kind == OPT_KERNEL)
            name = tkc_kernel_types[n] ? tkc_kernel_types[n]->name : NULL;
        else if (kind == OPT_ESTIMATOR)
            name = tkc_attn_estimator_types[n]
                       ? tkc_attn_estimator_types[n]->name : NULL;
        else if (kind == OPT_ACT)
            name = tkc_activation_types[n] ? tkc_activation_types[n]->name
                                           : NULL;
        else
            name = o->read_by[n] ? (*o->read_by[n])->name : NULL;
        if (!(names[n] = name))
            break;
    }
    return n;
}

/* names joined by sep into buf. */
static const char *joined(const char *const *names, size_t n, const char *sep,
                          char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "",
                                names[i]);
    return buf;
}

static int parse_type(const char *command, const kernel_option *o,
                      const char *text, tkc_kernel_spec *spec)
{
    if (o->kind == OPT_KERNEL && (spec->kernel = tkc_kernel_type_lookup(text)))
        return 1;
    if (o->kind == OPT_ESTIMATOR &&
        (spec->estimator = tkc_attn_estimator_lookup(text)))
        return 1;
    if (o->kind == OPT_ACT && (spec->activation = tkc_activation_lookup(text)))
        return 1;
    const char *names[NAMES_MAX];
    char list[160];
    size_t n = names_of(o->kind, o, names);
    cli_usage_error(command, "unknown %s '%s' (%s)",
                    o->kind == OPT_KERNEL      ? "kernel"
                    : o->kind == OPT_ESTIMATOR ? "estimator"
                                               : "activation",
                    text, joined(names, n, ", ", list, sizeof list));
    return -1;
}

int cli_kernel_option(const char *command, int argc, char **argv, int *i,
                      tkc_kernel_spec *spec, cli_kernel_given *given)
{
    const char *arg = argv[*i];
    size_t n = 0;
    while (n < N_KERNEL_OPTIONS && strcmp(arg, kernel_options[n].name))
        n++;
    if (n == N_KERNEL_OPTIONS)
        return 0;
    const kernel_option *o = &kernel_options[n];
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", arg);
        return -1;
    }
    const char *text = argv[++*i];
    if (given)
        *given |= (cli_kernel_given)1 << n;
    if (o->kind <= OPT_ACT)
        return parse_type(command, o, text, spec);
    double d = 0;
    uint64_t u = 0;
    if (o->kind == OPT_DOUBLE
            ? cli_parse_double(command, arg, text, o->lo, o->hi, &d)
            : cli_parse_u64(command, arg, text, (uint64_t)o->lo,
                            o->hi >= (double)UINT64_MAX ? UINT64_MAX
                                                        : (uint64_t)o->hi,
                            &u))
        return -1;
    store_number(o, spec, o->at, d, u);
    if (o->also)
        store_number(o, spec, o->also, d, u);
    return 1;
}

static int reads(const kernel_option *o, const tkc_attn_estimator_type *e)
{
    for (size_t r = 0; o->read_by[r]; r++)
        if (*o->read_by[r] == e)
            return 1;
    return 0;
}

int cli_kernel_given_option(cli_kernel_given given, const char *name)
{
    for (size_t n = 0; n < N_KERNEL_OPTIONS; n++)
        if (!strcmp(kernel_options[n].name, name))
            return (given >> n) & 1;
    return 0;
}

int cli_kernel_check(const char *command, const tkc_kernel_spec *spec,
                     cli_kernel_given given, const char *command_reads)
{
    const tkc_attn_estimator_type *e = spec->estimator;
    for (size_t n = 0; n < N_KERNEL_OPTIONS; n++) {
        const kernel_option *o = &kernel_options[n];
        if (!((given >> n) & 1) || !o->read_by[0] || reads(o, e) ||
            (command_reads && !strcmp(command_reads, o->name)))
            continue;
        const char *names[NAMES_MAX], *own[N_KERNEL_OPTIONS];
        char by[160], ownlist[256];
        size_t nown = 0;
        for (size_t m = 0; m < N_KERNEL_OPTIONS; m++)
            if (reads(&kernel_options[m], e))
                own[nown++] = kernel_options[m].name;
        return cli_usage_error(
            command, "%s is not read by the %s estimator (it is read by %s); "
            "%s reads %s", o->name, e->name,
            joined(names, names_of(o->kind, o, names), ", ", by, sizeof by),
            e->name, nown ? joined(own, nown, ", ", ownlist, sizeof ownlist)
                          : "no options");
    }
    tkc_error err;
    if (spec->kernel->uses_attn && e->check_options(spec, &err))
        return cli_library_error(command, &err);
    return CLI_OK;
}

void cli_print_wrapped(FILE *out, const char *line, int indent, int width)
{
    int first = 1;
    while (*line) {
        int room = first ? width : width - indent, cols = 0;
        /* the bytes of `room` columns (one per UTF-8 code point), cut at
         * the last space when the line goes on */
        size_t n = 0, cut = 0;
        while (line[n] && cols < room) {
            n++;
            while ((line[n] & 0xC0) == 0x80)
                n++;
            cols++;
            if (line[n] == ' ')
                cut = n;
        }
        if (line[n] && cut)
            n = cut;
        fprintf(out, "%*s%.*s\n", first ? 0 : indent, "", (int)n, line);
        line += n;
        while (*line == ' ')
            line++;
        first = 0;
    }
}

/* The default of option o, as text. */
static void default_text(const kernel_option *o, const tkc_kernel_spec *def,
                         char *buf, size_t size)
{
    const char *p = (const char *)def + o->at;
    switch (o->kind) {
    case OPT_KERNEL:    snprintf(buf, size, "%s", def->kernel->name); break;
    case OPT_ESTIMATOR: snprintf(buf, size, "%s", def->estimator->name); break;
    case OPT_ACT:       snprintf(buf, size, "%s", def->activation->name); break;
    case OPT_DOUBLE:    snprintf(buf, size, "%g", *(const double *)p); break;
    case OPT_U64:
        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case OPT_UINT:      snprintf(buf, size, "%u", *(const unsigned *)p); break;
    case OPT_INT:       snprintf(buf, size, "%d", *(const int *)p); break;
    case OPT_LONG:      snprintf(buf, size, "%ld", *(const long *)p); break;
    }
}

void cli_kernel_options_help(FILE *out)
{
    tkc_kernel_spec def;
    tkc_kernel_spec_default(&def);
    fputs("kernel options (an estimator's option, marked with the estimators "
          "that read it,\nis refused with another estimator):\n", out);
    for (size_t n = 0; n < N_KERNEL_OPTIONS; n++) {
        const kernel_option *o = &kernel_options[n];
        const char *names[NAMES_MAX];
        char flag[32], list[160], dflt[32];
        size_t nn = names_of(o->kind, o, names);
        snprintf(flag, sizeof flag, "%s %s", o->name, o->value);
        joined(names, nn, o->kind <= OPT_ACT ? "|" : ", ", list, sizeof list);
        default_text(o, &def, dflt, sizeof dflt);
        char line[512];
        if (o->kind <= OPT_ACT)
            snprintf(line, sizeof line, "  %-16s %s: %s (default %s)", flag,
                     o->help, list, dflt);
        else
            snprintf(line, sizeof line, "  %-16s %s%s%s (default %s)", flag,
                     list, nn ? ": " : "", o->help, dflt);
        cli_print_wrapped(out, line, 19, 79);
    }
}

/* ---- JSON -------------------------------------------------------------- */

static void json_separate(cli_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (!j->first[j->depth])
        fputc(',', j->out);
    j->first[j->depth] = 0;
}

static void json_open(cli_json *j, char c)
{
    json_separate(j);
    fputc(c, j->out);
    if (j->depth + 1 < (int)(sizeof j->first / sizeof j->first[0]))
        j->depth++;
    j->first[j->depth] = 1;
}

static void json_close(cli_json *j, char c)
{
    fputc(c, j->out);
    if (j->depth > 0)
        j->depth--;
}

void cli_json_begin(cli_json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = 1;
    json_open(j, '{');
}

void cli_json_end(cli_json *j)
{
    json_close(j, '}');
    fputc('\n', j->out);
    fflush(j->out);
}

void cli_json_key(cli_json *j, const char *key)
{
    cli_json_string(j, key);
    fputc(':', j->out);
    j->after_key = 1;
}

void cli_json_object_begin(cli_json *j) { json_open(j, '{'); }
void cli_json_object_end(cli_json *j) { json_close(j, '}'); }
void cli_json_array_begin(cli_json *j) { json_open(j, '['); }
void cli_json_array_end(cli_json *j) { json_close(j, ']'); }

void cli_json_string(cli_json *j, const char *s)
{
    json_separate(j);
    fputc('"', j->out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(j->out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", j->out);
        else if (*p < 0x20)
            fprintf(j->out, "\\u%04x", *p);
        else
            fputc(*p, j->out);
    }
    fputc('"', j->out);
}

void cli_json_number(cli_json *j, double x)
{
    json_separate(j);
    if (isfinite(x))
        fprintf(j->out, "%.17g", x);
    else
        fputs("null", j->out);
}

void cli_json_integer(cli_json *j, long long x)
{
    json_separate(j);
    fprintf(j->out, "%lld", x);
}

void cli_json_bool(cli_json *j, int b)
{
    json_separate(j);
    fputs(b ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j)
{
    json_separate(j);
    fputs("null", j->out);
}
