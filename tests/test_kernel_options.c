/* test_kernel_options.c — the spec's options by name (tkc/kernel_options.h):
 * each spelling reaches its field with the bits strtod reads, ranges and
 * bad text are refused by name, an estimator's option goes with its
 * estimator only, and every option of the table names a real field. */
#include <string.h>

#include "check.h"
#include "tkc/kernel_options.h"

static int set(tkc_kernel_spec *spec, const char *name, const char *value,
               tkc_kernel_options_given *given, tkc_error *err)
{
    return tkc_kernel_option_set(spec, name, value, given, err);
}

static void test_spellings_and_fields(void)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    tkc_kernel_options_given given = 0;
    tkc_error err;
    CHECK(!set(&spec, "--beta", "0.1", &given, &err) && spec.beta == 0.1,
          "--beta 0.1");
    CHECK(!set(&spec, "gamma", "2.5", &given, &err) && spec.gamma == 2.5,
          "gamma");
    CHECK(!set(&spec, "target_se", "1e-3", &given, &err) &&
              spec.automatic.target_se == 1e-3, "target_se");
    CHECK(!set(&spec, "samples", "1000", &given, &err) &&
              spec.mc.samples == 1000 && spec.cvmc.samples == 1000,
          "samples sets mc's and cvmc's");
    CHECK(!set(&spec, "max-evals", "4096", &given, &err) &&
              spec.automatic.max_evals == 4096, "max-evals");
    CHECK(!set(&spec, "cv_order", "2", &given, &err) && spec.cvmc.order == 2,
          "cv_order");
    CHECK(!set(&spec, "kernel", "mlpxx", &given, &err) &&
              spec.kernel == tkc_kernel_mlpxx, "kernel by name");
    CHECK(!set(&spec, "act", "relu", &given, &err) &&
              spec.activation == tkc_activation_relu, "act by name");
    CHECK(!set(&spec, "seed", "18446744073709551615", &given, &err) &&
              spec.seed == UINT64_MAX, "seed up to 2^64 - 1");
    CHECK(tkc_kernel_options_given_has(given, "--target-se") &&
              tkc_kernel_options_given_has(given, "max_evals") &&
              !tkc_kernel_options_given_has(given, "points"),
          "the given mask, any spelling");
    CHECK(tkc_kernel_option_lookup("--no-such") == NULL &&
              tkc_kernel_option_lookup("targetse") == NULL &&
              tkc_kernel_option_lookup("target_se") ==
                  tkc_kernel_option_lookup("--target-se"),
          "lookup");
}

static void test_refusals(void)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    tkc_kernel_options_given given = 0;
    tkc_error err;
    double beta = spec.beta;
    CHECK(set(&spec, "beta", "1e4", &given, &err) == TKC_EINPUT &&
              !strcmp(err.message, "beta must be in [-1000, 1000], got 1e4") &&
              spec.beta == beta && given == 0,
          "range: %s", err.message);
    CHECK(set(&spec, "--beta", "x", NULL, &err) == TKC_EINPUT &&
              !strcmp(err.message, "--beta expects a finite number, got 'x'"),
          "text: %s", err.message);
    CHECK(set(&spec, "samples", "-3", NULL, &err) == TKC_EINPUT &&
              strstr(err.message, "whole number"), "%s", err.message);
    CHECK(set(&spec, "estimator", "best", NULL, &err) == TKC_EINPUT &&
              !strcmp(err.message,
                      "unknown estimator 'best' (mc, qmc, series, cvmc, auto)"),
          "%s", err.message);
    CHECK(set(&spec, "nope", "1", NULL, &err) == TKC_EINPUT, "unknown name");
    /* an estimator's option with another estimator */
    set(&spec, "estimator", "qmc", &given, &err);
    set(&spec, "samples", "1000", &given, &err);
    CHECK(tkc_kernel_options_check(&spec, given, NULL, TKC_OPTION_NAMES_CLI,
                                   &err) == TKC_EINPUT &&
              !strcmp(err.message, "--samples is not read by the qmc "
                                   "estimator (it is read by mc, cvmc); qmc "
                                   "reads --points, --replicates"),
          "%s", err.message);
    CHECK(tkc_kernel_options_check(&spec, given, NULL,
                                   TKC_OPTION_NAMES_KEYWORD, &err) ==
                  TKC_EINPUT &&
              strstr(err.message, "samples is not read") == err.message,
          "keyword spelling: %s", err.message);
    given = 0;
    set(&spec, "prec", "128", &given, &err);
    CHECK(tkc_kernel_options_check(&spec, given, "prec",
                                   TKC_OPTION_NAMES_CLI, &err) == 0,
          "prec, read by the caller: %s", err.message);
    CHECK(tkc_kernel_options_check(&spec, given, NULL, TKC_OPTION_NAMES_CLI,
                                   &err) == TKC_EINPUT, "prec, with qmc");
}

static void test_every_field(void)
{
    /* each numeric option sets exactly the bytes of its field(s) */
    for (const tkc_kernel_option *o = tkc_kernel_options; o->name; o++) {
        if (o->kind <= TKC_KERNEL_OPTION_ACTIVATION)
            continue;
        tkc_kernel_spec a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        tkc_error err;
        CHECK(!tkc_kernel_option_set(&b, o->name, o->kind ==
                  TKC_KERNEL_OPTION_DOUBLE ? "0.5" : "4", NULL, &err) ||
                  o->lo > 4, "%s: %s", o->name, err.message);
        size_t changed = 0;
        for (size_t i = 0; i < sizeof a; i++)
            changed += ((unsigned char *)&a)[i] != ((unsigned char *)&b)[i];
        CHECK(changed > 0 || o->lo > 4, "%s changes its field", o->name);
    }
}

int main(void)
{
    test_spellings_and_fields();
    test_refusals();
    test_every_field();
    return check_summary();
}
