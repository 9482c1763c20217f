/* test_krr.c — kernel ridge regression on given strings: K̂ through pattern
 * keys against direct kernel evaluation pair by pair; the fit on given
 * strings against digits of the fit before the redesign (which drew its own
 * data); the structured and the general path against each other; every
 * prediction against Σ_i α_i K(x_i, x) evaluated string by string; and the
 * paper's claims on same/different: the MLP kernel cannot tell the
 * templates apart on unseen symbols (exactly), the transformer kernel can.
 * The solve itself is tested in test_spd.c. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/krr.h"
#include "krr_gram.h"
#include "tkc/sample.h"

/* ---- helpers --------------------------------------------------------------- */

static tkc_template_set *parse(const char *text)
{
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "test.tpl", &po, &set, &err))
        fprintf(stderr, "parse: %s\n", err.message);
    return set;
}

static const char *const ABA = "+1 α β α\n-1 α β β\n0.5 α α β\n";

/* The fits of the tests that are not about the kernel error: one kernel
 * estimate (the fit's), λ = 1e-3.  NEG: a negative ridge. */
static tkc_krr_options OPT, NEG;

static tkc_kernel_spec spec_of(const char *kernel)
{
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup(kernel);
    /* β = 4, γ = 2, b1 = 1/2: a well-conditioned N for same/different
     * (‖N⁻¹‖ ≈ 280 against ≈ 3700 at the defaults). */
    spec.estimator = tkc_attn_estimator_lookup("mc");
    spec.mc.samples = 1 << 14;
    spec.beta = 4;
    spec.gamma = 2;
    spec.b1 = 0.5;
    return spec;
}

/* Σ_i α_i K(x_i, x) string by string, each value its own kernel call. */
static double direct_prediction(const tkc_krr_model *m, const tkc_token *x)
{
    double f = 0;
    for (size_t i = 0; i < m->n; i++) {
        double v;
        tkc_kernel_eval(&m->spec, tkc_strings_row(m->strings, i), x,
                        m->strings->k, &v, NULL, NULL, NULL);
        f += m->alpha[i] * v;
    }
    return f;
}

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d = fmax(d, fabs(a[i] - b[i]));
    return d;
}

static double max_rel_diff(const double *a, const double *b, size_t n)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        s = fmax(s, fabs(b[i]));
    }
    return s > 0 ? d / s : d;
}

/* ---- K̂ through pattern keys ---------------------------------------------- */

typedef struct shared_count {
    const tkc_krr_gram *g;
    const double *K;
    size_t n, visits, wrong;
    unsigned char *seen;
} shared_count;

static int count_shared(void *ctx, size_t i, size_t j, size_t key)
{
    shared_count *c = ctx;
    double value = tkc_krr_gram_key_value(c->g, 0, key);
    c->visits++;
    c->wrong += !(i > j) || c->seen[i * c->n + j] || value != c->K[i + j * c->n];
    c->seen[i * c->n + j] = 1;
    return 0;
}

/* K̂ from the pattern cache equals K evaluated pair by pair; templates found
 * by matching equal the sample's; the shared-symbol pairs are visited once
 * each, exactly the pairs that share a symbol. */
static void test_gram_against_direct(const char *kernel_name, size_t alphabet)
{
    tkc_template_set *set = parse(ABA);
    CHECK(set != NULL, "parse");
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of(kernel_name);
    tkc_sample *s = NULL;
    tkc_error err;
    size_t n = 40;
    CHECK(tkc_sample_draw(set, n, alphabet, 0, 0.0, 7, &s, &err) == 0,
          "sample: %s", err.message);
    tkc_krr_gram *g = NULL, *gm = NULL;
    CHECK(tkc_krr_gram_build(&spec, set, s->strings, s->template_index, 1,
                             &g, &err) == 0, "gram: %s", err.message);
    CHECK(tkc_krr_gram_build(&spec, set, s->strings, NULL, 1, &gm, &err) == 0,
          "gram by matching: %s", err.message);
    if (!g || !gm) {
        tkc_krr_gram_free(g), tkc_krr_gram_free(gm);
        tkc_sample_free(s);
        tkc_template_set_free(set);
        return;
    }
    double *K = malloc(n * n * sizeof *K), *Km = malloc(n * n * sizeof *Km);
    CHECK(tkc_krr_gram_fill(g, 0, K, n, &err) == 0, "fill");
    CHECK(tkc_krr_gram_fill(gm, 0, Km, n, &err) == 0, "fill (matched)");
    CHECK(!memcmp(K, Km, n * n * sizeof *K),
          "templates found by matching give the same K");
    double worst = 0;
    size_t sharing = 0, mismatched = 0;
    for (size_t j = 0; j < n; j++) {
        mismatched += tkc_krr_gram_template(gm, j) != s->template_index[j];
        for (size_t i = j; i < n; i++) {
            double v;
            const tkc_token *xi = tkc_strings_row(s->strings, i);
            const tkc_token *xj = tkc_strings_row(s->strings, j);
            tkc_kernel_eval(&spec, xi, xj, set->k, &v, NULL, NULL, NULL);
            worst = fmax(worst, fabs(v - K[i + j * n]));
            worst = fmax(worst, fabs(v - K[j + i * n]));
            int share = 0;
            for (size_t a = 0; a < set->k; a++)
                for (size_t b = 0; b < set->k; b++)
                    share |= i != j && xi[a] == xj[b] &&
                             xi[a] >= (tkc_token)set->nsymbols;
            sharing += share;
        }
    }
    CHECK(mismatched == 0, "matching finds the sample's templates");
    /* Closed forms are deterministic: the same pattern gives the same digits. */
    CHECK(worst <= 1e-14, "%s, A = %zu: cache vs direct max diff %.3g",
          kernel_name, alphabet, worst);
    if (alphabet <= 4)
        CHECK(sharing > 0, "small alphabet exercises shared symbols");
    shared_count c = {g, K, n, 0, 0, calloc(n * n, 1)};
    CHECK(tkc_krr_gram_foreach_shared(g, count_shared, &c, &err) == 0, "walk");
    CHECK(c.visits == sharing && c.wrong == 0,
          "shared pairs: %zu visits of %zu pairs, %zu wrong", c.visits, sharing,
          c.wrong);
    /* Off the shared pairs and the diagonal, K̂ is N by templates. */
    size_t off = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            off += !c.seen[i * n + j] &&
                   K[i + j * n] != tkc_krr_gram_cross(g, 0, tkc_krr_gram_template(g, i),
                                                      tkc_krr_gram_template(g, j));
    CHECK(off == 0, "K_ij = N_{t_i t_j} off the shared pairs (%zu not)", off);
    free(c.seen);
    free(K), free(Km);
    tkc_krr_gram_free(g), tkc_krr_gram_free(gm);
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

/* ---- the fit on given strings ------------------------------------------------- */

/* Twelve strings of αβα, αββ, ααβ (+[CLS]) on six symbols, many shared, with
 * labels f*(z) + 0.1 sin(i + 1); and one unseen-symbol string per template. */
static void fixture(const tkc_template_set *set, tkc_strings **X, size_t *tmpl,
                    double *y, tkc_strings **T)
{
    tkc_token base = (tkc_token)set->nsymbols;
    *X = tkc_strings_alloc(12, set->k, NULL);
    *T = tkc_strings_alloc(3, set->k, NULL);
    for (size_t i = 0; i < 12; i++) {
        size_t t = i % 3;
        tkc_token map[2] = {base + (tkc_token)((i * 7) % 5),
                            base + (tkc_token)((i * 3 + 1) % 5)};
        if (map[0] == map[1])
            map[1] = base + 5;
        tkc_template_substitute(set, t, map, tkc_strings_row(*X, i), NULL);
        tmpl[i] = t;
        y[i] = set->t[t].label + 0.1 * sin(i + 1.0);
    }
    for (size_t t = 0; t < 3; t++) {
        tkc_token map[2] = {base + 100, base + 101};
        tkc_template_substitute(set, t, map, tkc_strings_row(*T, t), NULL);
    }
}

/* The digits the fit gave before it took given strings: printed by the
 * pre-redesign library (tkc_krr_gram_build on a hand-made sample,
 * tkc_krr_solve, tkc_krr_predict; linked as meson links the tests) for the
 * fixture above, λ = 1e-3.  They agree to the last bit here; the tolerance
 * only allows another LAPACK's rounding of dpotrf (eps/rcond ≈ 5e-13 for
 * mlpxx), while a changed kernel call would move them by its Monte Carlo
 * error (trans) or by O(1) (a wrong pattern). */
static const struct {
    const char *kernel;
    size_t patterns;
    double rcond, alpha[3], pred[3];
} OLD[] = {
    {"mlpxx", 22, 0.00041444716182520696,
     {58.402541510915825, 1.4029915366391088, 48.743814464534047},
     {0.72549507932128421, -0.63323219179142853, 0.40559933675027793}},
    {"trans", 22, 0.0046463964428541315,
     {21.38061290216276, 6.2865271352830714, 18.050114165434685},
     {0.31982751503574569, -0.097571409303883527, 0.24651716443442595}},
};

static void test_fit_equals_old(void)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    tkc_strings *X, *T;
    size_t tmpl[12];
    double y[12], pred[3];
    fixture(set, &X, tmpl, y, &T);
    for (size_t q = 0; q < sizeof OLD / sizeof OLD[0]; q++) {
        tkc_kernel_spec spec = spec_of(OLD[q].kernel);
        spec.mc.samples = 4096;
        tkc_krr_model *m = NULL;
        tkc_error err;
        CHECK(tkc_krr_fit(&spec, set, X, tmpl, y, &OPT, &m, &err) == 0,
              "fit %s: %s", OLD[q].kernel, err.message);
        if (!m)
            continue;
        CHECK(tkc_krr_predict(m, T, pred, &err) == 0, "predict: %s", err.message);
        double alpha[3] = {m->alpha[0], m->alpha[5], m->alpha[11]};
        CHECK(m->kernel.npatterns == OLD[q].patterns, "%s: %zu patterns", OLD[q].kernel,
              m->kernel.npatterns);
        CHECK_CLOSE(m->solve.rcond, OLD[q].rcond, 1e-12 * OLD[q].rcond,
                    "the old fit's rcond");
        double da = max_rel_diff(alpha, OLD[q].alpha, 3);
        double dp = max_rel_diff(pred, OLD[q].pred, 3);
        CHECK(da <= 1e-12 && dp <= 1e-12,
              "%s: the old fit's alpha (rel diff %.3g) and predictions (%.3g)",
              OLD[q].kernel, da, dp);
        tkc_krr_model_free(m);
    }
    tkc_strings_free(X), tkc_strings_free(T);
    tkc_template_set_free(set);
}

/* The structured path (templates given, or found) and the general path
 * (no set) fit the same α and predict the same on the same data: closed
 * forms give the same value for the same pattern whichever call evaluates
 * it.  A = 3 makes most pairs share symbols. */
static void test_structured_equals_general(const char *kernel)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of(kernel);
    tkc_sample *s = NULL, *t = NULL;
    tkc_error err;
    size_t n = 60, m = 30;
    CHECK(tkc_sample_draw(set, n, 3, 0, 0.1, 11, &s, &err) == 0 &&
              tkc_sample_draw(set, m, 3, 1, 0.0, 12, &t, &err) == 0,
          "samples: %s", err.message);
    tkc_krr_model *ms = NULL, *mg = NULL, *mm = NULL;
    CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                      &OPT, &ms, &err) == 0, "structured fit: %s", err.message);
    CHECK(tkc_krr_fit(&spec, set, s->strings, NULL, s->label, &OPT, &mm,
                      &err) == 0, "structured fit, matched: %s", err.message);
    CHECK(tkc_krr_fit(&spec, NULL, s->strings, NULL, s->label, &OPT, &mg,
                      &err) == 0, "general fit: %s", err.message);
    if (ms && mg && mm) {
        CHECK(!memcmp(ms->alpha, mm->alpha, n * sizeof *ms->alpha),
              "%s: matched templates give the same alpha", kernel);
        double d = max_rel_diff(mg->alpha, ms->alpha, n);
        CHECK(d <= 1e-12, "%s: general vs structured alpha, rel diff %.3g",
              kernel, d);
        CHECK(mg->gram == NULL && ms->gram != NULL, "paths taken");
        CHECK(mg->kernel_diag_max == ms->kernel_diag_max &&
                  mg->solve.lambda_used == ms->solve.lambda_used,
              "same diagonal and ridge");
        double *ps = malloc(m * sizeof *ps), *pg = malloc(m * sizeof *pg);
        CHECK(tkc_krr_predict(ms, t->strings, ps, &err) == 0 &&
                  tkc_krr_predict(mg, t->strings, pg, &err) == 0,
              "predict: %s", err.message);
        /* A prediction sums n terms α_i K(x_i, x): its rounding scale is
         * Σ|α_i|·max K, not |f̂(x)|, which cancellation can make small. */
        double scale = 0;
        for (size_t i = 0; i < n; i++)
            scale += fabs(ms->alpha[i]) * ms->kernel_diag_max;
        d = max_abs_diff(pg, ps, m) / scale;
        CHECK(d <= 1e-12, "%s: general vs structured predictions, diff %.3g "
              "of the terms' scale", kernel, d);
        tkc_krr_score *ss = NULL, *sg = NULL;
        CHECK(tkc_krr_score_templates(ms, set, &ss, &err) == 0 &&
                  tkc_krr_score_templates(mg, set, &sg, &err) == 0,
              "score: %s", err.message);
        if (ss && sg) {
            d = max_abs_diff(sg->template_prediction,
                             ss->template_prediction, set->count) / scale;
            CHECK(d <= 1e-12, "%s: per-template predictions agree (%.3g of "
                  "the terms' scale)", kernel, d);
            CHECK_CLOSE(sg->test_mse_population, ss->test_mse_population,
                        1e-12 * (1 + ss->test_mse_population),
                        "population error");
        }
        tkc_krr_score_free(ss), tkc_krr_score_free(sg);
        free(ps), free(pg);
    }
    tkc_krr_model_free(ms), tkc_krr_model_free(mg), tkc_krr_model_free(mm);
    tkc_sample_free(s), tkc_sample_free(t);
    tkc_template_set_free(set);
}

/* ---- predictions ---------------------------------------------------------------- */

/* Every path of tkc_krr_predict against Σ_i α_i K(x_i, x) string by string:
 * unseen-symbol strings (the O(r) path), the training strings themselves,
 * and strings no template makes (a regular token at a wildcard, one symbol
 * for two wildcards), from a structured and from a general model. */
static void test_predict_against_direct(const char *kernel)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of(kernel);
    tkc_strings *X, *T;
    size_t tmpl[12];
    double y[12];
    fixture(set, &X, tmpl, y, &T);
    size_t k = set->k, m = 3 + 12 + 2;
    tkc_strings *P = tkc_strings_alloc(m, k, NULL);
    memcpy(P->tok, T->tok, 3 * k * sizeof *P->tok);
    memcpy(P->tok + 3 * k, X->tok, 12 * k * sizeof *P->tok);
    tkc_token cls = tkc_strings_row(X, 0)[k - 1], f = (tkc_token)set->nsymbols;
    tkc_token odd[2][TKC_K_MAX] = {{cls, f + 200, cls, cls}, {f + 9, f + 9, f + 9, cls}};
    memcpy(tkc_strings_row(P, 15), odd[0], k * sizeof(tkc_token));
    memcpy(tkc_strings_row(P, 16), odd[1], k * sizeof(tkc_token));
    for (int general = 0; general < 2; general++) {
        tkc_krr_model *mod = NULL;
        tkc_error err;
        CHECK(tkc_krr_fit(&spec, general ? NULL : set, X, NULL, y, &OPT, &mod,
                          &err) == 0, "fit: %s", err.message);
        if (!mod)
            continue;
        double pred[17], direct[17];
        CHECK(tkc_krr_predict(mod, P, pred, &err) == 0, "predict: %s",
              err.message);
        for (size_t j = 0; j < m; j++)
            direct[j] = direct_prediction(mod, tkc_strings_row(P, j));
        double d = max_rel_diff(pred, direct, m);
        CHECK(d <= 1e-13, "%s %s: predict vs direct sums, rel diff %.3g", kernel,
              general ? "general" : "structured", d);
        /* On its training strings f̂(x_i) = y_i − λ_used α_i (K̂α + λα = y). */
        double r = 0;
        for (size_t i = 0; i < 12; i++)
            r = fmax(r, fabs(pred[3 + i] + mod->solve.lambda_used * mod->alpha[i] -
                             y[i]));
        CHECK(r <= 1e-9, "%s: f(x_i) + lambda alpha_i = y_i (max diff %.3g)",
              kernel, r);
        size_t t;
        CHECK(general || (tkc_krr_gram_unseen_template(mod->gram,
                                                       tkc_strings_row(P, 1), &t) &&
                          t == 1 &&
                          !tkc_krr_gram_unseen_template(mod->gram,
                                                        tkc_strings_row(P, 3), &t) &&
                          !tkc_krr_gram_unseen_template(mod->gram,
                                                        tkc_strings_row(P, 16), &t)),
              "unseen_template tells unseen substitutions from the rest");
        tkc_krr_model_free(mod);
    }
    tkc_strings_free(P), tkc_strings_free(X), tkc_strings_free(T);
    tkc_template_set_free(set);
}

/* ---- the paper's claim on same/different -------------------------------------- */

typedef struct run {
    tkc_krr_model *model;
    tkc_krr_score *score;
    double test_mse;
    size_t test_count[2];
} run;

/* Draw (train on alphabet 0, test on alphabet 1), fit, predict, score. */
static run draw_fit_score(const tkc_template_set *set, const char *kernel,
                          size_t n)
{
    run R = {0};
    tkc_kernel_spec spec = spec_of(kernel);
    tkc_sample *s = NULL, *t = NULL;
    tkc_error err;
    size_t m = 200;
    double pred[200];
    CHECK(tkc_sample_draw(set, n, 500, 0, 0.0, 1, &s, &err) == 0 &&
              tkc_sample_draw(set, m, 500, 1, 0.0, 2, &t, &err) == 0 &&
              tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &OPT, &R.model, &err) == 0 &&
              tkc_krr_predict(R.model, t->strings, pred, &err) == 0 &&
              tkc_krr_score_templates(R.model, set, &R.score, &err) == 0,
          "draw, fit, score %s: %s", kernel, err.message);
    for (size_t j = 0; R.score && j < m; j++) {
        R.test_mse += (pred[j] - t->label[j]) * (pred[j] - t->label[j]) / m;
        R.test_count[t->template_index[j]]++;
    }
    tkc_sample_free(s), tkc_sample_free(t);
    return R;
}

/* MLP kernel on same/different: N has equal rows, so both templates get the
 * same prediction on unseen symbols, and the test error is the label variance
 * plus (prediction − mean label)², exactly. */
static void test_same_different(void)
{
    tkc_template_set *set = parse("+1 α α\n-1 α β\n");
    CHECK(set != NULL, "parse same/different");
    if (!set)
        return;
    run R = draw_fit_score(set, "mlp", 150);
    if (R.score) {
        const tkc_krr_score *s = R.score;
        double p0 = s->template_prediction[0], p1 = s->template_prediction[1];
        CHECK(fabs(p0 - p1) <= 1e-12 * (1 + fabs(p0)),
              "MLP: same prediction for both templates (%.17g, %.17g)", p0, p1);
        CHECK_CLOSE(s->label_variance, 1.0, 1e-15, "label variance of +-1");
        double expect = s->label_variance + (p0 - s->label_mean) * (p0 - s->label_mean);
        CHECK_CLOSE(s->test_mse_population, expect, 1e-12,
                    "MLP test MSE = variance + bias^2");
        CHECK(s->test_mse_population >= s->label_variance - 1e-12,
              "MLP test MSE %g at least the label variance", s->test_mse_population);
        /* The sampled test MSE is the same constant error, template by
         * template, weighted by the test counts. */
        double m = (double)(R.test_count[0] + R.test_count[1]);
        double sampled = (R.test_count[0] * (p0 - 1) * (p0 - 1) +
                          R.test_count[1] * (p1 + 1) * (p1 + 1)) / m;
        CHECK_CLOSE(R.test_mse, sampled, 1e-12, "MLP sampled test MSE");
        CHECK(R.model->train_mse < 1e-3, "MLP fits its training set (%g)",
              R.model->train_mse);
    }
    tkc_krr_model_free(R.model), tkc_krr_score_free(R.score);
    R = draw_fit_score(set, "trans", 200);
    if (R.score) {
        CHECK(R.test_mse < 0.1 * R.score->label_variance,
              "transformer generalizes: test MSE %g << variance %g", R.test_mse,
              R.score->label_variance);
        CHECK(R.model->kernel.error_kind == TKC_ERROR_STATISTICAL &&
                  R.model->kernel.se_max > 0 && !strcmp(R.model->kernel.estimator, "mc"),
              "kernel error kind and estimator reported");
    }
    tkc_krr_model_free(R.model), tkc_krr_score_free(R.score);
    tkc_template_set_free(set);
}

/* ---- bad input ------------------------------------------------------------------ */

static void test_refusals(void)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of("mlp");
    tkc_strings *X, *T;
    size_t tmpl[12];
    double y[12];
    fixture(set, &X, tmpl, y, &T);
    tkc_krr_model *m = NULL;
    tkc_error err;
    /* A string that no template makes, with the set given. */
    tkc_strings *Y = tkc_strings_alloc(12, set->k, NULL);
    memcpy(Y->tok, X->tok, 12 * set->k * sizeof *Y->tok);
    tkc_strings_row(Y, 4)[0] = tkc_strings_row(Y, 4)[1];   /* ββ?: repeated */
    CHECK(tkc_krr_fit(&spec, set, Y, NULL, y, &OPT, &m, &err) == TKC_EINPUT &&
              !m && strstr(err.message, "string 4") &&
              strstr(err.message, "without a template set"),
          "structured fit refuses a string no template makes: %s", err.message);
    CHECK(tkc_krr_fit(&spec, set, Y, tmpl, y, &OPT, &m, &err) == TKC_EINPUT &&
              strstr(err.message, "string 4"),
          "and names it with template indices given: %s", err.message);
    CHECK(tkc_krr_fit(&spec, NULL, Y, NULL, y, &OPT, &m, &err) == 0 && m,
          "the general path takes it: %s", err.message);
    tkc_krr_model_free(m);
    m = NULL;
    double ybad[12];
    memcpy(ybad, y, sizeof y);
    ybad[7] = NAN;
    CHECK(tkc_krr_fit(&spec, set, X, tmpl, ybad, &OPT, &m, &err) == TKC_EINPUT &&
              strstr(err.message, "y[7]"), "NaN label refused: %s", err.message);
    CHECK(tkc_krr_fit(&spec, set, X, tmpl, y, &NEG, &m, &err) == TKC_EINPUT,
          "negative lambda refused");
    CHECK(tkc_krr_fit(&spec, set, X, tmpl, y, &OPT, &m, &err) == 0, "fit");
    tkc_krr_score *s = NULL;
    tkc_template_set *sym = parse("α β γ α\nα α β β\n");
    if (sym && sym->symbolic_labels && m) {
        CHECK(tkc_krr_score_templates(m, sym, &s, &err) == TKC_EINPUT && !s &&
                  strstr(err.message, "real labels"),
              "score refuses symbolic labels: %s", err.message);
    }
    tkc_template_set *other = parse(ABA);
    if (other && m)
        CHECK(tkc_krr_score_templates(m, other, &s, &err) == TKC_EINPUT,
              "a structured model is scored against its own set");
    tkc_strings *short_ = tkc_strings_alloc(1, set->k - 1, NULL);
    double p;
    if (m)
        CHECK(tkc_krr_predict(m, short_, &p, &err) == TKC_EINPUT,
              "predict refuses strings of another length");
    tkc_strings_free(short_);
    tkc_template_set_free(sym), tkc_template_set_free(other);
    tkc_krr_model_free(m);
    tkc_strings_free(X), tkc_strings_free(Y), tkc_strings_free(T);
    tkc_template_set_free(set);
}

int main(void)
{
    tkc_krr_options_default(&OPT);
    OPT.kernel_replicates = 1;
    NEG = OPT;
    NEG.lambda = -1;
    test_gram_against_direct("mlp", 1000);
    test_gram_against_direct("mlp", 3);
    test_gram_against_direct("mlpxx", 3);
    test_fit_equals_old();
    test_structured_equals_general("mlp");
    test_structured_equals_general("mlpxx");
    test_predict_against_direct("mlpxx");
    test_predict_against_direct("mlp");
    test_same_different();
    test_refusals();
    return check_summary();
}
