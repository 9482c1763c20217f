/* test_gram.c — Gram matrices of given strings (tkc/gram.h): against
 * kernel values evaluated pair by pair (closed forms: the same digits;
 * Monte Carlo: within their errors), the exact β = 0 kernel counted by
 * brute force, symmetry, a 1 × 1 matrix against tkc_kernel_eval digit for
 * digit, relabelling, the count of distinct patterns, and bad input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/gram.h"

/* Strings over a small alphabet, so that patterns repeat. */
static tkc_strings *strings(size_t count, size_t k, int alphabet,
                            unsigned seed)
{
    tkc_strings *S = tkc_strings_alloc(count, k, NULL);
    for (size_t i = 0; i < count * k; i++) {
        seed = seed * 1103515245u + 12345u;
        S->tok[i] = (tkc_token)((seed >> 16) % (unsigned)alphabet);
    }
    return S;
}

static tkc_kernel_spec spec_of(const char *kernel, const char *estimator)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup(kernel);
    spec.estimator = tkc_attn_estimator_lookup(estimator);
    spec.beta = 4;
    spec.gamma = 2;
    spec.mc.samples = 8192;
    return spec;
}

static void test_closed_form_entry_by_entry(void)
{
    tkc_strings *X = strings(9, 4, 3, 1), *Y = strings(6, 4, 3, 2);
    tkc_kernel_spec spec = spec_of("mlpxx", "auto");
    double K[54], se[54];
    tkc_gram_info info;
    tkc_error err;
    CHECK(tkc_gram_matrix(&spec, X, Y, K, se, &info, &err) == 0, "%s",
          err.message);
    int same = 1;
    for (size_t i = 0; i < 9; i++)
        for (size_t j = 0; j < 6; j++) {
            double v, s;
            tkc_error_kind kind;
            tkc_kernel_eval(&spec, tkc_strings_row(X, i),
                            tkc_strings_row(Y, j), 4, &v, &s, &kind, &err);
            same &= v == K[i * 6 + j] && s == se[i * 6 + j];
        }
    CHECK(same, "mlpxx: every entry is the kernel's value, digit for digit");
    CHECK(info.npatterns <= 54 && info.error_kind == TKC_ERROR_ROUNDING,
          "patterns %zu, kind %d", info.npatterns, (int)info.error_kind);
    tkc_strings_free(X);
    tkc_strings_free(Y);
}

static void test_beta_zero_exact(void)
{
    /* K_attn at β = 0: #{(a, b): x_a = y_b} / k² + γ² / k */
    tkc_strings *X = strings(12, 5, 4, 3);
    tkc_kernel_spec spec = spec_of("attn", "mc");
    spec.beta = 0;
    spec.gamma = 0.75;
    double K[144];
    tkc_error err;
    CHECK(tkc_gram_matrix(&spec, X, NULL, K, NULL, NULL, &err) == 0, "%s",
          err.message);
    double worst = 0;
    for (size_t i = 0; i < 12; i++)
        for (size_t j = 0; j < 12; j++) {
            int m = 0;
            for (size_t a = 0; a < 5; a++)
                for (size_t b = 0; b < 5; b++)
                    m += tkc_strings_row(X, i)[a] == tkc_strings_row(X, j)[b];
            worst = fmax(worst, fabs(K[i * 12 + j] -
                                     (m / 25.0 + 0.5625 / 5)));
        }
    CHECK(worst <= 1e-15, "beta = 0: off by %.3g", worst);
    tkc_strings_free(X);
}

static void test_sampled(void)
{
    tkc_strings *X = strings(10, 4, 3, 4);
    tkc_kernel_spec spec = spec_of("trans", "mc");
    double K[100], se[100];
    tkc_gram_info info;
    tkc_error err;
    CHECK(tkc_gram_matrix(&spec, X, NULL, K, se, &info, &err) == 0, "%s",
          err.message);
    int symmetric = 1;
    for (size_t i = 0; i < 10; i++)
        for (size_t j = 0; j < 10; j++)
            symmetric &= K[i * 10 + j] == K[j * 10 + i] &&
                         se[i * 10 + j] == se[j * 10 + i];
    CHECK(symmetric, "K and se are symmetric");
    /* each entry against its own evaluation with other random numbers */
    spec.seed = 77;
    for (size_t i = 0; i < 10; i += 3)
        for (size_t j = i; j < 10; j += 2) {
            double v, s;
            tkc_error_kind kind;
            tkc_kernel_eval(&spec, tkc_strings_row(X, i),
                            tkc_strings_row(X, j), 4, &v, &s, &kind, &err);
            CHECK_WITHIN_SE(K[i * 10 + j], v, hypot(s, se[i * 10 + j]), 5,
                            "entry against its own evaluation");
        }
    spec.seed = 1;
    /* distinct values: exactly one per pattern */
    size_t distinct = 0;
    for (size_t e = 0; e < 100; e++) {
        int seen = 0;
        for (size_t f = 0; f < e && !seen; f++)
            seen = K[f] == K[e];
        distinct += !seen;
    }
    CHECK(distinct == info.npatterns, "%zu values, %zu patterns", distinct,
          info.npatterns);
    /* relabelling every token: the same digits */
    tkc_strings *R = strings(10, 4, 3, 4);
    for (size_t e = 0; e < 40; e++)
        R->tok[e] = 1000 - 7 * R->tok[e];
    double K2[100];
    tkc_gram_matrix(&spec, R, NULL, K2, NULL, NULL, &err);
    CHECK(!memcmp(K, K2, sizeof K), "relabelled strings, same digits");
    /* 1 × 1: tkc_kernel_eval's digits */
    tkc_strings *x = strings(1, 4, 3, 5), *y = strings(1, 4, 3, 6);
    double k11, s11, v, s;
    tkc_error_kind kind;
    tkc_gram_matrix(&spec, x, y, &k11, &s11, NULL, &err);
    tkc_kernel_eval(&spec, x->tok, y->tok, 4, &v, &s, &kind, &err);
    CHECK(k11 == v && s11 == s, "1 x 1: %.17g vs %.17g", k11, v);
    tkc_strings_free(X);
    tkc_strings_free(R);
    tkc_strings_free(x);
    tkc_strings_free(y);
}

static void test_bad_input(void)
{
    tkc_strings *X = strings(3, 4, 3, 7), *Y = strings(3, 5, 3, 8);
    tkc_kernel_spec spec = spec_of("mlp", "auto");
    double K[9];
    tkc_error err;
    CHECK(tkc_gram_matrix(&spec, X, Y, K, NULL, NULL, &err) == TKC_EINPUT &&
              strstr(err.message, "equal length"),
          "lengths 4 and 5: %s", err.message);
    CHECK(tkc_gram_matrix(&spec, X, NULL, NULL, NULL, NULL, &err) ==
              TKC_EINPUT, "K NULL");
    tkc_strings empty = {0, 4, X->tok};
    CHECK(tkc_gram_matrix(&spec, &empty, NULL, K, NULL, NULL, &err) ==
              TKC_EINPUT && strstr(err.message, "no strings"),
          "no strings: %s", err.message);
    spec.beta = NAN;
    CHECK(tkc_gram_matrix(&spec, X, NULL, K, NULL, NULL, &err) == TKC_EINPUT,
          "NaN beta refused");
    tkc_strings_free(X);
    tkc_strings_free(Y);
}

int main(void)
{
    test_closed_form_entry_by_entry();
    test_beta_zero_exact();
    test_sampled();
    test_bad_input();
    return check_summary();
}
