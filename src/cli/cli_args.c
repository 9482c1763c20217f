/* cli_args.c — the command line before any command reads it (cli_args.h).
 *
 * Two things every command would otherwise do on its own, and forget:
 * refuse arguments that are not text (a token string of raw bytes would
 * reach the JSON), and accept `--beta=4` as well as `--beta 4`.  The
 * commands then see only the second spelling. */
#include "cli_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tkc/text.h"

/* Every flag of every command: options that take no value, so that
 * `--json=1` is refused rather than read as `--json` and a stray `1`.
 * Keep it in step with the commands' --help (test_cli_progress.sh and
 * probes.tsv try --progress=1 and --json=1). */
static const char *const flags[] = {
    "--json", "--csv", "--compare", "--no-cls", "--test", "--auto-refine",
    "--no-auto-refine", "--ladder", "--no-ladder", "--no-generic", "--help",
    "--version", "--progress", "--no-progress", NULL};

int cli_args_is_flag(const char *name)
{
    for (const char *const *f = flags; *f; f++)
        if (!strcmp(name, *f))
            return 1;
    return 0;
}

/* The length of the option name in `--name=value` (up to the '='), or 0
 * when a is not of that form. */
static size_t attached_name(const char *a)
{
    if (a[0] != '-' || a[1] != '-')
        return 0;
    size_t n = 2;
    while ((a[n] >= 'a' && a[n] <= 'z') || (a[n] >= 'A' && a[n] <= 'Z') ||
           (a[n] >= '0' && a[n] <= '9') || a[n] == '-' || a[n] == '_')
        n++;
    return n > 2 && a[n] == '=' ? n : 0;
}

void cli_args_free(cli_args *a)
{
    free(a->argv);
    free(a->store);
    memset(a, 0, sizeof *a);
}

int cli_args_split(int argc, char *const *argv, cli_args *out, char *msg,
                   size_t size)
{
    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    size_t room = 0;
    for (int i = 1; i < argc; i++) {
        char what[32];
        tkc_error err;
        snprintf(what, sizeof what, "argument %d", i);
        if (tkc_text_check(argv[i], strlen(argv[i]), what, &err)) {
            snprintf(msg, size, "%s", err.message);
            return CLI_USAGE;
        }
        room += attached_name(argv[i]) + 1;
    }
    out->argv = malloc((2 * (size_t)(argc > 0 ? argc : 0) + 1) *
                       sizeof *out->argv);
    out->store = malloc(room + 1);
    if (!out->argv || !out->store) {
        cli_args_free(out);
        snprintf(msg, size, "out of memory reading the arguments");
        return CLI_USAGE;
    }
    char *s = out->store;
    int n = 0, options = 1;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        size_t name = i > 0 && options ? attached_name(a) : 0;
        if (i > 0 && !strcmp(a, "--"))
            options = 0;
        if (!name) {
            out->argv[n++] = a;
            continue;
        }
        memcpy(s, a, name);
        s[name] = '\0';
        if (cli_args_is_flag(s)) {
            snprintf(msg, size, "%s takes no value (got %s=...)", s, s);
            cli_args_free(out);
            return CLI_USAGE;
        }
        out->argv[n++] = s;
        out->argv[n++] = a + name + 1;
        s += name + 1;
    }
    out->argv[n] = NULL;
    out->argc = n;
    return 0;
}
