/* cli.h — what the command-line layer shares: the command table, option
 * parsing helpers that validate as they parse, the kernel options every
 * kernel-using command accepts, and a small JSON writer.
 *
 * Exit codes (docs/cli.md): 0 success, 1 a failed check or verdict the user
 * asked to enforce, 2 bad usage or bad input. */
#ifndef TKC_CLI_H
#define TKC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "tkc/kernel.h"
#include "tkc/kernel_options.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"
#include "tkc/verdict.h"
#include "../mpi_cli.h"   /* under mpirun: the shard, rank 0 prints */

#include "cli_progress.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} cli_command;

/* Commands, one file each (cmd_<name>.c). */
int cmd_templates(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_series(int argc, char **argv);
/* `tkc series FILE` (cmd_series_set.c): the coefficient matrices of the
 * set's N_attn through total order `order` on `threads` threads (0: every
 * online core), as text or JSON, with progress by `progress`'s rule. */
int cli_series_set(const char *path, int order, int append_cls,
                   unsigned threads, int json, cli_progress_mode progress);
int cmd_nmatrix(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_krr(int argc, char **argv);

/* Print "tkc COMMAND: message" on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A missing argument: "tkc COMMAND: what" and one line of usage, "usage:
 * tkc COMMAND synopsis" (not the whole help); returns CLI_USAGE. */
int cli_usage_missing(const char *command, const char *synopsis,
                      const char *what);
/* Report a library error on stderr; returns CLI_USAGE (exit 2) whatever
 * the status: bad input and failures (a numerical or GSL failure, memory,
 * I/O) alike — exit 1 is only for an expectation the user asked to check
 * that failed. */
int cli_library_error(const char *command, const tkc_error *err);

/* The process around a command (main.c):
 * cli_begin        stdout must be open; the arguments checked as text and
 *                  `--opt=value` split (cli_args.h); CLI_USAGE (message
 *                  printed) when not;
 * cli_end          flush and close stdout: a write that failed (a full
 *                  disk, a closed pipe end) turns rc into CLI_USAGE with a
 *                  message; else rc;
 * cli_blas_threads when the process's memory is limited (ulimit -v, -d)
 *                  and the user did not choose OpenBLAS's threads: run
 *                  argv again with OPENBLAS_NUM_THREADS=1 (returns only
 *                  when it need not, or cannot). */
struct cli_args;
int cli_begin(int argc, char **argv, struct cli_args *args);
int cli_end(int rc);
void cli_blas_threads(char **argv);

/* Strict number parsing: the whole text, finite, within [lo, hi]; counts
 * as tkc_count_parse reads them ("65536", "1e5": exactly whole).  On failure
 * print which option and why, return nonzero. */
int cli_parse_double(const char *command, const char *option, const char *text,
                     double lo, double hi, double *out);
int cli_parse_u64(const char *command, const char *option, const char *text,
                  uint64_t lo, uint64_t hi, uint64_t *out);

/* Two token strings X and Y from the command line: whitespace-separated
 * symbols ('a = 1 ;') or, without whitespace, one symbol per UTF-8
 * character ('aaBST').  Symbols are interned in t, shared by X and Y. */
#define CLI_SYMBOL_MAX 64
typedef struct cli_symtab {
    char name[2 * TKC_K_MAX][CLI_SYMBOL_MAX];
    size_t n;
} cli_symtab;

/* Parse X and Y into x, y (TKC_K_MAX tokens each) with common length *k;
 * on bad input (empty, too long, unequal lengths) print why and return
 * CLI_USAGE. */
int cli_parse_string_pair(const char *command, const char *xtext,
                          const char *ytext, cli_symtab *t, tkc_token *x,
                          tkc_token *y, size_t *k);

/* Kernel options shared by kernel, nmatrix, check and krr: the library's
 * table (tkc/kernel_options.h), spelled --beta, --target-se, ...
 * cli_kernel_option consumes argv[*i] (and its value) when it is one of these
 * and returns 1, marking it in *given (nullable); 0 when it is not a kernel
 * option; -1 on a bad value (message printed). */
typedef tkc_kernel_options_given cli_kernel_given;  /* bit per kernel option */
int cli_kernel_option(const char *command, int argc, char **argv, int *i,
                      tkc_kernel_spec *spec, cli_kernel_given *given);
/* After the arguments: refuse (message, CLI_USAGE) an estimator option
 * that spec's estimator does not read, unless it is `command_reads`
 * (nullable: nmatrix and check read --prec for the certificate), and the
 * estimator's options out of range. */
int cli_kernel_check(const char *command, const tkc_kernel_spec *spec,
                     cli_kernel_given given, const char *command_reads);
/* Was the kernel option `name` given? */
int cli_kernel_given_option(cli_kernel_given given, const char *name);
/* The help text for the options above. */
void cli_kernel_options_help(FILE *out);

/* line on lines of at most width columns (UTF-8 code points), broken at
 * spaces, continuations indented by indent. */
void cli_print_wrapped(FILE *out, const char *line, int indent, int width);

/* JSON writer: enough for tkc's objects, always valid output (non-finite
 * numbers become null). Nesting is tracked so commas are automatic. */
typedef struct cli_json {
    FILE *out;
    int depth;
    int first[32];       /* per depth: nothing written yet at this level */
    int after_key;
} cli_json;

void cli_json_begin(cli_json *j, FILE *out);           /* writes "{"   */
void cli_json_end(cli_json *j);                        /* writes "}\n" */
void cli_json_key(cli_json *j, const char *key);
void cli_json_object_begin(cli_json *j);
void cli_json_object_end(cli_json *j);
void cli_json_array_begin(cli_json *j);
void cli_json_array_end(cli_json *j);
void cli_json_string(cli_json *j, const char *s);
void cli_json_number(cli_json *j, double x);           /* %.17g, or null */
void cli_json_integer(cli_json *j, long long x);
void cli_json_bool(cli_json *j, int b);
void cli_json_null(cli_json *j);

/* Shared by nmatrix and check (cmd_nmatrix.c): their options beyond the
 * kernel ones (--confidence --auto-refine --no-auto-refine --budget
 * --time-budget --ladder --no-ladder --no-generic --no-cls; same return
 * convention as cli_kernel_option),
 * loading the set, and printing a verdict. */
/* What nmatrix and check read from their arguments. */
typedef struct cli_nmatrix_args {
    tkc_kernel_spec spec;
    cli_kernel_given given;
    tkc_nmatrix_options opt;
    int append_cls;
    int json;
    cli_progress_mode progress;     /* --progress, --no-progress          */
    const char *file;
} cli_nmatrix_args;

/* A command's own options: consume argv[*i] (and its value) and return 1,
 * 0 when it is not one of them, -1 on a bad value (message printed). */
typedef int (*cli_option_fn)(const char *command, int argc, char **argv,
                             int *i, void *ctx);

/* The argument loop of nmatrix and check: --help (prints help, returns -1),
 * --json, --progress, --no-progress, the command's own options (`own`, nullable), kernel options,
 * N-matrix options, and one template FILE.  args must hold the defaults.
 * Returns CLI_OK, CLI_USAGE (message printed) or -1 after --help. */
int cli_nmatrix_parse_args(const char *command, int argc, char **argv,
                           void (*help)(FILE *out), cli_option_fn own,
                           void *own_ctx, cli_nmatrix_args *args);
int cli_nmatrix_option(const char *command, int argc, char **argv, int *i,
                       tkc_nmatrix_options *opt, int *append_cls);
/* "templates": [the set's templates, spelled], for the JSON of both. */
void cli_nmatrix_json_templates(cli_json *j, const tkc_template_set *set);
/* "file", "templates", "k", "cls_appended": a set's header in check's and
 * series FILE's JSON. */
void cli_nmatrix_json_set(cli_json *j, const tkc_template_set *set);
int cli_nmatrix_load(const char *command, const char *path, int append_cls,
                     tkc_template_set **set);
/* Before N is evaluated, for the nspecs kernels decided in turn (each run
 * keeping its N and decision): predict the cost (tkc_nmatrix_cost_predict;
 * costs, nullable, receives each), refuse (message with r and the GB,
 * CLI_USAGE) a peak that cannot fit in the memory the process may use,
 * say a peak past 1 GB on stderr, and an estimated time past 10 s (at
 * most CLI_NMATRIX_SPECS_MAX specs). */
#define CLI_NMATRIX_SPECS_MAX 8
/* Does spec's kernel take K_attn from auto?  Then a predicted cost
 * (tkc_nmatrix_cost) counts auto's budget: a bound, its choice being made
 * at run time. */
int cli_kernel_is_auto(const tkc_kernel_spec *spec);
int cli_nmatrix_fits(const char *command, const tkc_template_set *set,
                     const tkc_kernel_spec *specs, size_t nspecs,
                     const tkc_nmatrix_options *opt, tkc_nmatrix_cost *costs);
void cli_nmatrix_describe_set(FILE *out, const tkc_template_set *set);
void cli_nmatrix_print_verdict(FILE *out, const tkc_nmatrix_decision *d);
/* How the generic test decided (method, orders, patterns, seconds), in
 * brief, for check's row. */
void cli_nmatrix_generic_how(char *buf, size_t size,
                             const tkc_nmatrix_decision *d);
const char *cli_nmatrix_lemma36_words(tkc_lemma36_status status);
/* "Lemma 3.6's permutation condition on N_attn holds, 99.9% confidence
 * (how)": the status with the evidence it rests on (the verdict's K_attn),
 * and, for an activation other than cos, that the lemma says nothing
 * there (it is proved for φ = cos only). */
void cli_nmatrix_lemma36_line(char *buf, size_t size,
                              const tkc_kernel_spec *spec,
                              const tkc_nmatrix_decision *d, const char *how);
void cli_nmatrix_json_decision(cli_json *j, const tkc_nmatrix *nm,
                               const tkc_nmatrix_decision *d);
void cli_nmatrix_json_generic(cli_json *j, const tkc_nmatrix_decision *d);
/* The generic test's fields, condition_10 .. cpu_seconds (docs/generic.md),
 * into an open object; nulls when v->r = 0 (it did not run). */
void cli_json_generic_test(cli_json *j, const tkc_generic_verdict *v);

#endif
