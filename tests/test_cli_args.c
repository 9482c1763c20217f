/* test_cli_args.c — the command-line tokenizer (src/cli/cli_args.c) and
 * counts (tkc_count_parse) on cases worked out by hand, then the fuzzer's
 * regression inputs (tests/fuzz_regressions_cli/) through the fuzz target's
 * own invariants (fuzz/fuzz_cli_args.c, compiled in). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli/cli_args.h"
#include "tkc/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split in[] (NULL-terminated, after "tkc") and compare with want[]
 * (NULL-terminated), or expect a refusal whose message holds `refusal`. */
static void split(const char *const *in, const char *const *want,
                  const char *refusal, const char *what)
{
    char *argv[16], msg[1024];
    int n = 0;
    argv[n++] = "tkc";
    for (; in[n - 1]; n++)
        argv[n] = (char *)in[n - 1];
    cli_args out;
    int rc = cli_args_split(n, argv, &out, msg, sizeof msg);
    if (refusal) {
        CHECK(rc != 0 && strstr(msg, refusal), "%s: refused with '%s' (%s)",
              what, refusal, msg);
        return;
    }
    int same = rc == 0;
    for (int j = 0; same && want[j]; j++)
        same = j + 1 < out.argc && !strcmp(out.argv[j + 1], want[j]);
    int count = 0;
    while (want[count])
        count++;
    CHECK(same && out.argc == count + 1, "%s: split as expected (rc %d, %s)",
          what, rc, msg);
    if (rc == 0)
        cli_args_free(&out);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_split(void)
{
    split(L("kernel", "--beta=4", "ab"), L("kernel", "--beta", "4", "ab"),
          NULL, "--beta=4");
    split(L("krr", "f", "--n=1e5,2e5", "--gamma2=1/4"),
          L("krr", "f", "--n", "1e5,2e5", "--gamma2", "1/4"), NULL,
          "values holding '/' and ','");
    split(L("kernel", "--beta=", "ab"), L("kernel", "--beta", "", "ab"), NULL,
          "an empty value stays a value");
    split(L("kernel", "--beta=a=b"), L("kernel", "--beta", "a=b"), NULL,
          "split at the first '='");
    split(L("kernel", "--", "--beta=4", "x"), L("kernel", "--", "--beta=4", "x"),
          NULL, "nothing after --");
    split(L("templates", "sample", "-n=5"), L("templates", "sample", "-n=5"),
          NULL, "one dash: kept");
    split(L("kernel", "--=4", "a b=c"), L("kernel", "--=4", "a b=c"), NULL,
          "no name: kept");
    split(L("kernel", "ab", "ab", "--json=1"), NULL, "--json takes no value",
          "a flag with a value");
    split(L("check", "f", "--no-cls=yes"), NULL, "--no-cls takes no value",
          "--no-cls=yes");
    split(L("kernel", "a\xff\xfe" "b", "abcd"), NULL,
          "argument 2 'a\\xFF\\xFEb': invalid UTF-8 at byte 2",
          "invalid UTF-8, quoted as \\x");
    split(L("kernel", "a\xc0\x80", "ab"), NULL, "invalid UTF-8",
          "an overlong NUL");
    split(L("kernel", "a\xed\xa0\x80", "ab"), NULL, "invalid UTF-8",
          "a surrogate");
    split(L("kernel", "a\x1b[31m", "ab"), NULL, "a control character",
          "an escape sequence");
    split(L("kernel", "ααβ", "a\tb"), L("kernel", "ααβ", "a\tb"), NULL,
          "UTF-8 and tabs are text");
    /* the message of a refusal is itself text, however long the argument */
    char longarg[400];
    memset(longarg, 'x', sizeof longarg);
    longarg[200] = (char)0xff;
    longarg[sizeof longarg - 1] = '\0';
    char *argv[] = {"tkc", longarg, NULL}, msg[1024];
    cli_args out;
    CHECK(cli_args_split(2, argv, &out, msg, sizeof msg) &&
          !tkc_text_check(msg, strlen(msg), "m", NULL),
          "a long argument's message is text: %s", msg);
}

static void count(const char *text, int ok, uint64_t want, const char *words)
{
    uint64_t v = 0;
    tkc_error err;
    int rc = tkc_count_parse(text, "--samples", &v, &err);
    if (ok)
        CHECK(rc == 0 && v == want, "'%s' reads %llu (rc %d, %llu: %s)", text,
              (unsigned long long)want, rc, (unsigned long long)v,
              rc ? err.message : "");
    else
        CHECK(rc == TKC_EINPUT && strstr(err.message, words) &&
                  strstr(err.message, "--samples"),
              "'%s' refused with '%s' (%s)", text, words,
              rc ? err.message : "accepted");
}

static void test_counts(void)
{
    count("65536", 1, 65536, NULL);
    count("1e5", 1, 100000, NULL);
    count("1E5", 1, 100000, NULL);
    count("2.5e3", 1, 2500, NULL);
    count("1000e-3", 1, 1, NULL);
    count("1.e2", 1, 100, NULL);
    count("1e+2", 1, 100, NULL);
    count("0e999999999", 1, 0, NULL);
    count("007", 1, 7, NULL);
    count("18446744073709551615", 1, UINT64_MAX, NULL);
    count("1.8446744073709551615e19", 1, UINT64_MAX, NULL);
    count("184467440737095516150e-1", 1, UINT64_MAX, NULL);
    count("18446744073709551616", 0, 0, "larger than 2^64 - 1");
    count("1e20", 0, 0, "larger than 2^64 - 1");
    count("1e999999999999", 0, 0, "larger than 2^64 - 1");
    count("1.5", 0, 0, "whole number");
    count("1e-3", 0, 0, "whole number");
    count("2.25e1", 0, 0, "whole number");
    count("1.000000000000000000000000000000000001e3", 0, 0, "whole number");
    count("-1", 0, 0, "whole number");
    count("+1", 0, 0, "whole number");
    count(" 1", 0, 0, "whole number");
    count("1 ", 0, 0, "whole number");
    count("0x10", 0, 0, "whole number");
    count("1e", 0, 0, "whole number");
    count(".5e1", 0, 0, "whole number");
    count("64k", 0, 0, "whole number");
    count("", 0, 0, "whole number");
    count("inf", 0, 0, "whole number");
    count("2^20", 1, 1048576, NULL);
    count("10^0", 1, 1, NULL);
    count("0^0", 1, 1, NULL);
    count("0^5", 1, 0, NULL);
    count("1^99999", 1, 1, NULL);
    count("2^63", 1, (uint64_t)1 << 63, NULL);
    count("2^64", 0, 0, "larger than 2^64 - 1");
    count("3^41", 0, 0, "larger than 2^64 - 1");
    count("2^", 0, 0, "whole number");
    count("^3", 0, 0, "whole number");
    count("2^-1", 0, 0, "whole number");
    count("2^1.5", 0, 0, "whole number");
    count("2e1^2", 0, 0, "whole number");
}

/* A regression input through the fuzz target (it aborts on a violation). */
static void replay_fuzz(const char *file, void *ctx)
{
    (void)ctx;
    FILE *f = fopen(file, "rb");
    CHECK(f != NULL, "open %s", file);
    if (!f)
        return;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
}

static void test_regressions(void)
{
    check_each_file("fuzz_regressions_cli", replay_fuzz, NULL);
}

int main(void)
{
    test_split();
    test_counts();
    test_regressions();
    return check_summary();
}
