/* cli_common.c — option parsing, kernel options and the JSON writer shared
 * by every command. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "tkc/series.h"
#include "tkc/text.h"

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

int cli_usage_missing(const char *command, const char *synopsis,
                      const char *what)
{
    fprintf(stderr, "tkc %s: %s\nusage: tkc %s %s   (tkc %s --help for "
            "more)\n", command, what, command, synopsis, command);
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
    tkc_error err;
    uint64_t x;
    if (tkc_count_parse(text, option, &x, &err)) {   /* "65536", "1e5" */
        cli_library_error(command, &err);
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

/* ---- the process: arguments in, stdout out, OpenBLAS --------------------- */

int cli_begin(int argc, char **argv, cli_args *args)
{
    char msg[1024];
    memset(args, 0, sizeof *args);
    /* a closed stdout (`>&-`) has nowhere to put the result: say so before
     * doing anything, rather than compute and lose it */
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1) {
        fprintf(stderr, "tkc: stdout is closed: nowhere to write the "
                        "result\n");
        return CLI_USAGE;
    }
    if (cli_args_split(argc, argv, args, msg, sizeof msg)) {
        fprintf(stderr, "tkc: %s\n", msg);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_end(int rc)
{
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1)   /* closed: cli_begin said so */
        return rc == CLI_OK ? CLI_USAGE : rc;
    /* a write that failed earlier left the stream's error flag; the last
     * buffered bytes fail here (a full disk: `> /dev/full`) */
    int failed = ferror(stdout);
    errno = 0;
    if (fflush(stdout))
        failed = 1;
    int e = errno;
    if (fclose(stdout)) {
        failed = 1;
        e = e ? e : errno;
    }
    if (!failed)
        return rc;
    fprintf(stderr, "tkc: writing the result to stdout failed%s%s\n",
            e ? ": " : "", e ? strerror(e) : "");
    return CLI_USAGE;
}

void cli_blas_threads(char **argv)
{
#ifdef TKC_HAVE_OPENBLAS
    /* OpenBLAS 0.3.21 spins forever when a thread's buffer (128 MiB with
     * Debian's build) cannot be mapped (OpenBLAS issue #5289), as under
     * `ulimit -v`.  One thread avoids it, but only when OpenBLAS reads it
     * from its environment as it loads: openblas_set_num_threads(1) later
     * does not (tried; it still spins).  So under a memory limit, unless
     * the user chose OpenBLAS's threads, the program sets
     * OPENBLAS_NUM_THREADS=1 and runs itself again, once (the variable is
     * then set).  If the exec fails, it goes on as it is. */
    struct rlimit as, data;
    if (getenv("OPENBLAS_NUM_THREADS") || getenv("GOTO_NUM_THREADS") ||
        getenv("OMP_NUM_THREADS"))
        return;
    if ((!getrlimit(RLIMIT_AS, &as) && as.rlim_cur != RLIM_INFINITY) ||
        (!getrlimit(RLIMIT_DATA, &data) && data.rlim_cur != RLIM_INFINITY)) {
        if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
            execv("/proc/self/exe", argv);
    }
#else
    (void)argv;
#endif
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

/* ---- kernel options: the library's table (tkc/kernel_options.h) -------- */

int cli_kernel_option(const char *command, int argc, char **argv, int *i,
                      tkc_kernel_spec *spec, cli_kernel_given *given)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) || !tkc_kernel_option_lookup(arg))
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(command, "%s needs a value", arg);
        return -1;
    }
    tkc_error err;
    if (tkc_kernel_option_set(spec, arg, argv[++*i], given, &err)) {
        cli_library_error(command, &err);
        return -1;
    }
    return 1;
}

int cli_kernel_given_option(cli_kernel_given given, const char *name)
{
    return tkc_kernel_options_given_has(given, name);
}

int cli_kernel_check(const char *command, const tkc_kernel_spec *spec,
                     cli_kernel_given given, const char *command_reads)
{
    tkc_error err;
    if (tkc_kernel_options_check(spec, given, command_reads,
                                 TKC_OPTION_NAMES_CLI, &err))
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
static void default_text(const tkc_kernel_option *o,
                         const tkc_kernel_spec *def, char *buf, size_t size)
{
    const char *p = (const char *)def + o->offset;
    switch (o->kind) {
    case TKC_KERNEL_OPTION_KERNEL:
        snprintf(buf, size, "%s", def->kernel->name);
        break;
    case TKC_KERNEL_OPTION_ESTIMATOR:
        snprintf(buf, size, "%s", def->estimator->name);
        break;
    case TKC_KERNEL_OPTION_ACTIVATION:
        snprintf(buf, size, "%s", def->activation->name);
        break;
    case TKC_KERNEL_OPTION_DOUBLE:
        snprintf(buf, size, "%g", *(const double *)p);
        break;
    case TKC_KERNEL_OPTION_U64:
        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case TKC_KERNEL_OPTION_UINT:
        snprintf(buf, size, "%u", *(const unsigned *)p);
        break;
    case TKC_KERNEL_OPTION_INT:
        snprintf(buf, size, "%d", *(const int *)p);
        break;
    case TKC_KERNEL_OPTION_LONG:
        snprintf(buf, size, "%ld", *(const long *)p);
        break;
    }
}

/* The names of option o's choices (a type family, joined by "|") or of the
 * estimators that read it (joined by ", "), into buf; returns how many. */
static size_t choices(const tkc_kernel_option *o, char *buf, size_t size)
{
    size_t n = 0, len = 0;
    buf[0] = '\0';
    for (;; n++) {
        const char *name = NULL;
        if (o->kind == TKC_KERNEL_OPTION_KERNEL)
            name = tkc_kernel_types[n] ? tkc_kernel_types[n]->name : NULL;
        else if (o->kind == TKC_KERNEL_OPTION_ESTIMATOR)
            name = tkc_attn_estimator_types[n]
                       ? tkc_attn_estimator_types[n]->name : NULL;
        else if (o->kind == TKC_KERNEL_OPTION_ACTIVATION)
            name = tkc_activation_types[n] ? tkc_activation_types[n]->name
                                           : NULL;
        else if (n < TKC_KERNEL_OPTION_READERS && o->read_by[n])
            name = (*o->read_by[n])->name;
        if (!name || len >= size)
            return n;
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                n ? (o->kind <= TKC_KERNEL_OPTION_ACTIVATION
                                         ? "|" : ", ") : "", name);
    }
}

void cli_kernel_options_help(FILE *out)
{
    tkc_kernel_spec def;
    tkc_kernel_spec_default(&def);
    fputs("kernel options (an estimator's option, marked with the estimators "
          "that read it,\nis refused with another estimator):\n", out);
    for (const tkc_kernel_option *o = tkc_kernel_options; o->name; o++) {
        char flag[32], list[160], dflt[32], line[512];
        size_t nn = choices(o, list, sizeof list);
        snprintf(flag, sizeof flag, "--%s %s", o->name, o->metavar);
        default_text(o, &def, dflt, sizeof dflt);
        if (o->kind <= TKC_KERNEL_OPTION_ACTIVATION)
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
    fputc('\n', j->out);   /* flushed, and checked, by main (cli_end) */
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
