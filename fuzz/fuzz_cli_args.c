/* fuzz_cli_args.c — libFuzzer target for the command-line tokenizer
 * (src/cli/cli_args.c) and the count reader it hands values to
 * (tkc_count_parse, src/text.c).
 *
 * The input is the arguments after the program name, separated by NUL
 * bytes.  Invariants (a violation aborts, so libFuzzer keeps the input):
 *   - the tokenizer either refuses, with a message that is itself text, or
 *     returns arguments that are all text;
 *   - its output reads back as its input: each argument is kept, or is
 *     `--name=value` split into `--name` (not a flag) and `value`, and
 *     nothing after `--` is ever split;
 *   - a count it accepts prints back to the same value, agrees with
 *     strtold (powl for "B^E"), and a plain run of up to 19 digits is
 *     always accepted.
 * tests/test_cli_args.c replays tests/fuzz_regressions_cli/ through this
 * same function. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_args.h"
#include "tkc/text.h"

#include "fuzz.h"

#define ARGS_MAX 64

static int is_text(const char *s) { return !tkc_text_check(s, strlen(s), "", NULL); }

/* in[1..n) against out: kept, or split at its first '=' (before `--`). */
static void reads_back(char **in, int n, const cli_args *out)
{
    int j = 1, options = 1;
    REQUIRE(out->argv[0] == in[0]);
    for (int i = 1; i < n; i++) {
        REQUIRE(j < out->argc);
        if (!strcmp(out->argv[j], in[i])) {
            options &= strcmp(in[i], "--") != 0;
            j++;
            continue;
        }
        /* split: "--name" "value" with in[i] == "--name=value" */
        REQUIRE(options && j + 1 < out->argc);
        size_t name = strlen(out->argv[j]);
        REQUIRE(name > 2 && !strncmp(out->argv[j], "--", 2));
        REQUIRE(!strncmp(in[i], out->argv[j], name) && in[i][name] == '=');
        REQUIRE(!strcmp(in[i] + name + 1, out->argv[j + 1]));
        REQUIRE(!cli_args_is_flag(out->argv[j]));
        j += 2;
    }
    REQUIRE(j == out->argc && out->argv[j] == NULL);
}

/* tkc_count_parse on s against an independent reading. */
static void count(const char *s)
{
    uint64_t v;
    tkc_error err;
    int digits = (int)strspn(s, "0123456789");
    if (tkc_count_parse(s, "n", &v, &err)) {
        REQUIRE(is_text(err.message));
        REQUIRE(!(s[digits] == '\0' && digits > 0 && digits <= 19));
        return;
    }
    char back[32], *end;
    snprintf(back, sizeof back, "%llu", (unsigned long long)v);
    uint64_t again;
    REQUIRE(!tkc_count_parse(back, "n", &again, NULL) && again == v);
    long double ld;
    const char *hat = strchr(s, '^');
    if (hat) {                  /* "B^E": B and E plain digits */
        ld = powl(strtold(s, &end), strtold(hat + 1, NULL));
        REQUIRE(end == hat);
    } else {
        ld = strtold(s, &end);
        REQUIRE(*end == '\0');
    }
    REQUIRE(fabsl(ld - (long double)v) <= 1 + 1e-17L * (long double)v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *in[ARGS_MAX + 1];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int n = 0;
    in[n++] = "tkc";
    for (size_t at = 0; n < ARGS_MAX && at <= size; n++) {
        in[n] = buf + at;
        at += strlen(buf + at) + 1;
    }
    in[n] = NULL;
    cli_args out;
    char msg[1024];
    if (cli_args_split(n, in, &out, msg, sizeof msg)) {
        REQUIRE(msg[0] && is_text(msg));
        REQUIRE(out.argv == NULL && out.argc == 0);
    } else {
        for (int j = 1; j < out.argc; j++)
            REQUIRE(is_text(out.argv[j]));
        reads_back(in, n, &out);
        for (int j = 1; j < out.argc; j++)
            count(out.argv[j]);
        cli_args_free(&out);
    }
    free(buf);
    return 0;
}
