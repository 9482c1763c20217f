/* test_public_api.c — a user's program: it sees include/tkc/ only (through
 * the umbrella tkc/tkc.h) and links the shared libtkc, so everything it
 * calls must be public and exported.  The numbers are checked against
 * closed forms: K_attn at β = 0, the MLP's singular N on templates told
 * apart only by wildcard relations (paper §3), the series' first
 * coefficients (docs/mathematics.md). */
#include <string.h>

#include <tkc/tkc.h>

#include "check.h"

/* K_attn at β = 0 is #{(a, b) : x_a = y_b}/k² + γ²/k, exactly up to
 * rounding, whatever the estimator. */
static void test_kernel(void)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_attn;
    spec.beta = 0;
    spec.gamma = 0.5;
    tkc_token x[3] = {0, 0, 1}, y[3] = {1, 2, 0};    /* aab, bca: 3 matches */
    for (size_t e = 0; tkc_attn_estimator_types[e]; e++) {
        spec.estimator = tkc_attn_estimator_types[e];
        double v, se;
        tkc_error_kind kind;
        tkc_error err;
        CHECK(!tkc_kernel_eval(&spec, x, y, 3, &v, &se, &kind, &err),
              "%s at beta 0: %s", spec.estimator->name, err.message);
        CHECK_CLOSE(v, 3.0 / 9 + 0.25 / 3, 1e-15, spec.estimator->name);
        CHECK(kind == TKC_ERROR_ROUNDING, "exact shortcut: rounding only");
    }
    /* each estimator found by name, cvmc among them; options its own */
    CHECK(tkc_attn_estimator_lookup("cvmc") == tkc_attn_cvmc &&
              tkc_kernel_type_lookup("trans") == tkc_kernel_trans &&
              tkc_activation_lookup("relu") == tkc_activation_relu,
          "lookups through the registry");
    spec.estimator = tkc_attn_series;
    spec.series.order = 5;
    tkc_error err;
    CHECK(tkc_kernel_spec_validate(&spec, &err) == TKC_EINPUT,
          "an odd series order refused");
}

/* Same/different: the templates αα and αβ differ only in a wildcard
 * relation, so the MLP's N is singular, exactly, from structure. */
static void test_verdict(void)
{
    const char *text = "+1 α α\n-1 α β\n";
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    CHECK(!tkc_template_set_parse(text, strlen(text), "sd.tpl", &po, &set,
                                  &err), "parse: %s", err.message);
    if (!set)
        return;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_mlp;
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    tkc_nmatrix *nm = NULL;
    tkc_nmatrix_decision *d = NULL;
    CHECK(!tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err), "decide: %s",
          err.message);
    if (d)
        CHECK(d->verdict == TKC_NMATRIX_SINGULAR &&
                  !strcmp(d->verdict_words, "singular (exact)"),
              "MLP on same/different: %s", d->verdict_words);
    tkc_nmatrix_decision_free(d);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

/* aC/bC: K_attn = 3/8 + 9/64 β² − ... at γ² = 1/4 (docs/mathematics.md). */
static void test_series(void)
{
    tkc_series *s = tkc_series_alloc(2, NULL);
    tkc_token x[2] = {0, 2}, y[2] = {1, 2};
    CHECK(s && !tkc_series_compute_pair(s, x, y, 2, NULL), "series");
    if (!s)
        return;
    mpq_t g, c;
    mpq_inits(g, c, NULL);
    mpq_set_ui(g, 1, 4);
    tkc_series_beta_coeff_q(c, s, 0, g);
    CHECK(mpq_cmp_si(c, 3, 8) == 0, "beta^0 coefficient 3/8");
    tkc_series_beta_coeff_q(c, s, 1, g);
    CHECK(mpq_cmp_si(c, 9, 64) == 0, "beta^2 coefficient 9/64");
    mpq_clears(g, c, NULL);
    tkc_series_free(s);
}

int main(void)
{
    test_kernel();
    test_verdict();
    test_series();
    return check_summary();
}
