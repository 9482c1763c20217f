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
    return (err->status == TKC_EINPUT || err->status == TKC_ERANGE)
               ? CLI_USAGE
               : CLI_FAILED;
}

int cli_parse_double(const char *command, const char *option, const char *text,
                     double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
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

typedef enum { OPT_KERNEL, OPT_ESTIMATOR, OPT_ACT, OPT_DOUBLE, OPT_U64 } opt_kind;

typedef struct kernel_option {
    const char *name;
    opt_kind kind;
    size_t offset;             /* into tkc_kernel_spec for numbers */
    double lo, hi;             /* range of a number                */
    const char *help;
} kernel_option;

#define SPEC_AT(field) offsetof(tkc_kernel_spec, field)
static const kernel_option kernel_options[] = {
    {"--kernel", OPT_KERNEL, 0, 0, 0, "attn|trans|mlp|mlpxx (default trans)"},
    {"--estimator", OPT_ESTIMATOR, 0, 0, 0,
     "K_attn estimator mc|qmc|series|auto (default auto)"},
    {"--act", OPT_ACT, 0, 0, 0, "activation cos|relu|erf (default cos)"},
    {"--beta", OPT_DOUBLE, SPEC_AT(beta), -1e3, 1e3,
     "softmax inverse temperature (default 1)"},
    {"--gamma", OPT_DOUBLE, SPEC_AT(gamma), -1e3, 1e3,
     "size of positional embeddings (default 1)"},
    {"--b1", OPT_DOUBLE, SPEC_AT(b1), -1e3, 1e3, "phi(t) = cos(b1 t + b2): b1 (default 1)"},
    {"--b2", OPT_DOUBLE, SPEC_AT(b2), -1e3, 1e3, "phi(t) = cos(b1 t + b2): b2 (default 0.5)"},
    {"--depth", OPT_U64, SPEC_AT(mlp_depth), 1, 64, "hidden layers of the MLP kernels (default 1)"},
    {"--samples", OPT_U64, SPEC_AT(samples), 1, (double)(1ULL << 40),
     "Monte Carlo samples / QMC points per replicate (default 65536)"},
    {"--replicates", OPT_U64, SPEC_AT(replicates), 2, 1 << 16,
     "randomized QMC replicates (default 16)"},
    {"--order", OPT_U64, SPEC_AT(order), 0, 64, "series order D, 0 = optimal (default 0)"},
    {"--prec", OPT_U64, SPEC_AT(prec), 53, 1 << 16, "MPFR bits: series sums, certificates (default 256)"},
    {"--seed", OPT_U64, SPEC_AT(seed), 0, (double)UINT64_MAX, "random seed (default 1)"},
    {"--threads", OPT_U64, SPEC_AT(threads), 1, 256,
     "worker threads; results do not depend on it (default 1)"},
    {"--target-se", OPT_DOUBLE, SPEC_AT(target_se), 1e-15, 1,
     "accuracy the auto estimator aims for (default 1e-4)"},
};
#define N_KERNEL_OPTIONS (sizeof kernel_options / sizeof kernel_options[0])

static int store_u64(const kernel_option *o, tkc_kernel_spec *spec, uint64_t v)
{
    char *at = (char *)spec + o->offset;
    if (o->offset == SPEC_AT(samples) || o->offset == SPEC_AT(seed))
        *(uint64_t *)at = v;
    else if (o->offset == SPEC_AT(prec))
        *(long *)at = (long)v;
    else if (o->offset == SPEC_AT(order))
        *(int *)at = (int)v;
    else
        *(unsigned *)at = (unsigned)v;
    return 0;
}

int cli_kernel_option(const char *command, int argc, char **argv, int *i,
                      tkc_kernel_spec *spec)
{
    const char *arg = argv[*i];
    const kernel_option *o = NULL;
    for (size_t n = 0; n < N_KERNEL_OPTIONS; n++)
        if (!strcmp(arg, kernel_options[n].name))
            o = &kernel_options[n];
    if (!o)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", arg);
        return -1;
    }
    const char *text = argv[++*i];
    switch (o->kind) {
    case OPT_KERNEL:
        if (!(spec->kernel = tkc_kernel_type_lookup(text))) {
            cli_usage_error(command, "unknown kernel '%s' (attn, trans, mlp, mlpxx)", text);
            return -1;
        }
        return 1;
    case OPT_ESTIMATOR:
        if (!(spec->estimator = tkc_attn_estimator_lookup(text))) {
            cli_usage_error(command, "unknown estimator '%s' (mc, qmc, series, auto)", text);
            return -1;
        }
        return 1;
    case OPT_ACT:
        if (!(spec->activation = tkc_activation_lookup(text))) {
            cli_usage_error(command, "unknown activation '%s' (cos, relu, erf)", text);
            return -1;
        }
        return 1;
    case OPT_DOUBLE:
        if (cli_parse_double(command, arg, text, o->lo, o->hi,
                             (double *)((char *)spec + o->offset)))
            return -1;
        return 1;
    case OPT_U64: {
        uint64_t v;
        if (cli_parse_u64(command, arg, text, (uint64_t)o->lo,
                          o->hi >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)o->hi, &v))
            return -1;
        return store_u64(o, spec, v) ? -1 : 1;
    }
    }
    return -1;
}

void cli_kernel_options_help(FILE *out)
{
    fputs("kernel options:\n", out);
    for (size_t n = 0; n < N_KERNEL_OPTIONS; n++)
        fprintf(out, "  %-12s %s\n", kernel_options[n].name, kernel_options[n].help);
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
