/* cli_args.h — the command line as every command reads it (cli_args.c):
 * the arguments checked as text and `--name=value` split, before main
 * dispatches.  Pure (no printing, no global state), so that the fuzzer
 * (fuzz/fuzz_cli_args.c) and the tests can drive it. */
#ifndef TKC_CLI_ARGS_H
#define TKC_CLI_ARGS_H

#include <stddef.h>

typedef struct cli_args {
    int argc;
    char **argv;        /* argc strings and a NULL; argv[0] as given      */
    char *store;        /* the options' names split from their values     */
} cli_args;

/* argv[0..argc) as the commands read it:
 *   - every argument after argv[0] must be text (tkc_text_check: strict
 *     UTF-8, no NUL, no control character but tab, LF, CR);
 *   - before a bare `--`, an argument `--name=value` (name of letters,
 *     digits and '-') becomes the two arguments `--name` and `value`,
 *     unless --name is a flag, which takes no value (refused);
 *   - everything else, and everything after `--`, is kept as it is.
 * Returns 0 and fills *out (free with cli_args_free), or CLI_USAGE with
 * the reason, valid UTF-8, in msg (size bytes) and *out empty. */
int cli_args_split(int argc, char *const *argv, cli_args *out, char *msg,
                   size_t size);
void cli_args_free(cli_args *a);

/* Is `name` ("--json") one of the flags of some command (no value)? */
int cli_args_is_flag(const char *name);

#endif
