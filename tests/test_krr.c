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

#include <gsl/gsl_cdf.h>
#include <lapacke.h>

#include "check.h"
#include "tkc/krr.h"
#include "krr_gram.h"
#include "krr_structured.h"
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

/* ---- the structured solve against the dense one --------------------------------- */

/* Predictions on m strings from both fits; their difference over the
 * scale of the terms Σ|α_i| max K. */
static double prediction_diff(const tkc_krr_model *a, const tkc_krr_model *b,
                              const tkc_strings *T)
{
    size_t m = T->count;
    double *pa = malloc(m * sizeof *pa), *pb = malloc(m * sizeof *pb);
    tkc_error err;
    double d = INFINITY;
    if (pa && pb && !tkc_krr_predict(a, T, pa, &err) &&
        !tkc_krr_predict(b, T, pb, &err)) {
        double scale = 0;
        for (size_t i = 0; i < b->n; i++)
            scale += fabs(b->alpha[i]) * b->kernel_diag_max;
        d = max_abs_diff(pa, pb, m) / scale;
    }
    free(pa), free(pb);
    return d;
}

/* The acceptance of issue 12: the structured and the dense solutions agree
 * to <= 1e-9 relative in α and in predictions (on unseen strings: the O(r)
 * path; on training strings: the general path), over alphabets from 2,
 * where nearly every pair of strings shares a symbol (S dense: the sparse
 * factor is a dense one), to 10^7, where almost none do.  Both fits build
 * the same K̂ (one gram per fit, the same kernel call).  n = 1000 keeps the
 * test to a few seconds; bench/bench_krr_scale checks n = 2·10^4. */
static void test_structured_equals_dense(const char *text, const char *kernel,
                                         size_t n)
{
    static const size_t alphabets[] = {3, 10, 100, 3000, 10000000};
    tkc_template_set *set = parse(text);
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of(kernel);
    spec.mc.samples = 4096;
    for (size_t a = 0; a < sizeof alphabets / sizeof alphabets[0]; a++) {
        size_t A = alphabets[a];
        if (A < tkc_template_set_max_wildcards(set))
            continue;
        tkc_sample *s = NULL, *t = NULL;
        tkc_krr_model *md = NULL, *ms = NULL;
        tkc_error err;
        tkc_krr_options od = OPT, os = OPT;
        od.solver = TKC_KRR_SOLVER_DENSE;
        os.solver = TKC_KRR_SOLVER_STRUCTURED;
        CHECK(tkc_sample_draw(set, n, A, 0, 0.1, 3, &s, &err) == 0 &&
                  tkc_sample_draw(set, 40, A, 1, 0.0, 4, &t, &err) == 0,
              "samples: %s", err.message);
        CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &od, &md, &err) == 0, "dense fit: %s", err.message);
        CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &os, &ms, &err) == 0, "structured fit: %s",
              err.message);
        if (md && ms) {
            CHECK(md->plan.chosen == TKC_KRR_SOLVER_DENSE &&
                      ms->plan.chosen == TKC_KRR_SOLVER_STRUCTURED,
                  "the paths asked for were taken");
            double da = max_rel_diff(ms->alpha, md->alpha, n);
            CHECK(da <= 1e-9, "%s, n %zu, A %zu (%.3g shared pairs): alpha "
                  "structured vs dense, rel diff %.3g", kernel, n, A,
                  ms->plan.shared_pairs, da);
            double dp = prediction_diff(ms, md, t->strings);
            CHECK(dp <= 1e-9, "%s, A %zu: predictions on unseen symbols, rel "
                  "diff %.3g", kernel, A, dp);
            tkc_strings *head = tkc_strings_alloc(20, set->k, NULL);
            memcpy(head->tok, s->strings->tok, 20 * set->k * sizeof *head->tok);
            dp = prediction_diff(ms, md, head);
            CHECK(dp <= 1e-9, "%s, A %zu: predictions on training strings, "
                  "rel diff %.3g", kernel, A, dp);
            tkc_strings_free(head);
            CHECK(ms->residual_computed && ms->residual <= 1e-10 &&
                      md->residual <= 1e-10 && ms->structured.converged,
                  "A %zu: residuals %.3g (structured), %.3g (dense)", A,
                  ms->residual, md->residual);
            CHECK(ms->solve.lambda_used == md->solve.lambda_used &&
                      ms->solve.rcond > 0.2 * md->solve.rcond &&
                      ms->solve.rcond < 5 * md->solve.rcond,
                  "A %zu: same ridge, rcond estimates %.3g and %.3g agree", A,
                  ms->solve.rcond, md->solve.rcond);
        }
        tkc_krr_model_free(md), tkc_krr_model_free(ms);
        tkc_sample_free(s), tkc_sample_free(t);
    }
    tkc_template_set_free(set);
}

/* The structured solver's own modes against the dense solve on one K̂: the
 * factor of D + S + λI, its diagonal only (CG iterates on S), and both
 * with templates that have no training string (U's empty columns
 * dropped). */
static void test_structured_modes(void)
{
    tkc_template_set *set = NULL;
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    tkc_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/templates/majority5.tpl",
             getenv("TKC_DATA") ? getenv("TKC_DATA") : "data");
    if (tkc_template_set_read_file(path, &po, &set, &err)) {
        CHECK(0, "read %s: %s", path, err.message);
        return;
    }
    tkc_kernel_spec spec = spec_of("trans");
    spec.mc.samples = 2048;
    static const size_t ns[] = {9, 600};
    for (size_t c = 0; c < 2; c++) {
        size_t n = ns[c];
        tkc_sample *s = NULL;
        tkc_krr_gram *g = NULL;
        CHECK(tkc_sample_draw(set, n, 40, 0, 0.3, 5, &s, &err) == 0 &&
                  tkc_krr_gram_build(&spec, set, s->strings, s->template_index,
                                     1, &g, &err) == 0,
              "sample and gram: %s", err.message);
        double *K = malloc(n * n * sizeof *K), *ad = malloc(n * sizeof *ad);
        tkc_spd_solve_info si;
        CHECK(tkc_krr_gram_fill(g, 0, K, n, &err) == 0 &&
                  tkc_spd_solve(K, n, n, 1e-3, s->label, ad, &si, &err) == 0,
              "dense: %s", err.message);
        for (int mode = 0; mode < 2; mode++) {
            krr_structured *st = NULL;
            double *a = malloc(n * sizeof *a);
            krr_structured_info info;
            tkc_spd_solve_info ssi;
            CHECK(krr_structured_alloc(g, mode ? KRR_A_DIAGONAL : KRR_A_FACTOR,
                                       &st, &err) == 0 &&
                      krr_structured_solve(st, 0, 1e-3, s->label, 0, 2000, a,
                                           &ssi, &info, &err) == 0,
                  "structured mode %d: %s", mode, err.message);
            double d = max_rel_diff(a, ad, n);
            CHECK(d <= 1e-9 && info.converged,
                  "n %zu (%zu shared pairs), %s: alpha vs dense rel diff %.3g "
                  "after %u CG steps", n, tkc_krr_gram_shared_pairs(g),
                  mode ? "diagonal A" : "factored A", d, info.iterations);
            krr_structured_free(st);
            free(a);
        }
        free(K), free(ad);
        tkc_krr_gram_free(g);
        tkc_sample_free(s);
    }
    tkc_template_set_free(set);
}

/* A singular K̂ (duplicate strings) at λ = 0: the structured solve raises
 * the ridge as the dense one does, to the same λ, and says so. */
static void test_structured_escalation(void)
{
    tkc_template_set *set = parse("+1 α α\n-1 α β\n");
    if (!set)
        return;
    tkc_kernel_spec spec = spec_of("mlp");
    tkc_sample *s = NULL;
    tkc_error err;
    CHECK(tkc_sample_draw(set, 50, 2, 0, 0.0, 1, &s, &err) == 0, "sample");
    tkc_krr_options od = OPT, os = OPT;
    od.lambda = os.lambda = 0;
    od.solver = TKC_KRR_SOLVER_DENSE;
    os.solver = TKC_KRR_SOLVER_STRUCTURED;
    tkc_krr_model *md = NULL, *ms = NULL;
    CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label, &od,
                      &md, &err) == 0 &&
              tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &os, &ms, &err) == 0,
          "fits at lambda 0: %s", err.message);
    if (md && ms)
        CHECK(ms->solve.escalations >= 1 &&
                  ms->solve.lambda_used == md->solve.lambda_used &&
                  strstr(ms->solve.note, "ridge raised") &&
                  isfinite(ms->train_mse),
              "structured: %u raises to %g (dense %g): %s",
              ms->solve.escalations, ms->solve.lambda_used,
              md->solve.lambda_used, ms->solve.note);
    tkc_krr_model_free(md), tkc_krr_model_free(ms);
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

/* ---- the kernel's own error ----------------------------------------------------- */

/* An independent estimate of the kernel error by first-order propagation:
 * the kernel call of the gram done here, on the same representative pairs
 * in the same order (r(r+1)/2 pairs for N, then r for K(x, x); the
 * alphabet is large enough that no two training strings share a symbol,
 * so there are no others), with the covariance Σ of the estimates; the
 * population error φ(v) and the predictions f_t(v) as functions of those
 * values by a dense solve; their gradients by central differences;
 * σ² = gᵀ Σ g.  The same representative strings matter: with common random
 * numbers the errors of different entries are correlated through the
 * tokens their strings share, and so is the error of anything made of
 * them. */
typedef struct propagation {
    const tkc_template_set *set;
    size_t n, r;
    const size_t *tmpl;
    const double *y;
} propagation;

static size_t tri(size_t i, size_t j) { return i * (i + 1) / 2 + j; }

/* φ(v) and f(v) (r values) at λ = 1e-3; v = N (lower triangle by rows),
 * then K(x, x) per template. */
static double propagate_eval(const propagation *P, const double *v, double *f)
{
    size_t n = P->n, r = P->r, nb = r * (r + 1) / 2;
    double *K = malloc(n * n * sizeof *K), *a = malloc(n * sizeof *a);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++) {
            size_t ti = P->tmpl[i], tj = P->tmpl[j];
            K[i + j * n] = i == j ? v[nb + ti] + 1e-3
                                  : v[ti >= tj ? tri(ti, tj) : tri(tj, ti)];
        }
    memcpy(a, P->y, n * sizeof *a);
    LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)n, 1, K, (lapack_int)n, a,
                  (lapack_int)n);
    double mse = 0;
    for (size_t t = 0; t < r; t++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            size_t u = P->tmpl[i];
            s += a[i] * v[t >= u ? tri(t, u) : tri(u, t)];
        }
        f[t] = s;
        double e = s - P->set->t[t].label;
        mse += P->set->t[t].weight * e * e;
    }
    free(K), free(a);
    return mse;
}

static void test_kernel_error_against_propagation(const char *kernel)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    /* 2^15 samples: the kernel error small enough for first order */
    tkc_kernel_spec spec = spec_of(kernel);
    spec.mc.samples = 1 << 15;
    size_t n = 30, r = set->count, k = set->k, w = 2, nb = r * (r + 1) / 2;
    size_t np = nb + r;
    tkc_sample *s = NULL;
    tkc_error err;
    CHECK(tkc_sample_draw(set, n, 1000000, 0, 0.1, 9, &s, &err) == 0, "sample");
    /* the gram's representatives: z_i's wildcards on fresh tokens 0, 1,
     * z_j's on fresh w, w + 1; K(x, x) on one string */
    tkc_strings *S = tkc_strings_alloc(2 * np, k, NULL);
    tkc_pair *pairs = malloc(np * sizeof *pairs);
    tkc_token f0 = (tkc_token)set->nsymbols;
    tkc_token mi[2] = {f0, f0 + 1}, mj[2] = {f0 + (tkc_token)w, f0 + (tkc_token)w + 1};
    size_t p = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j <= i; j++, p++) {
            tkc_template_substitute(set, i, mi, tkc_strings_row(S, 2 * p), NULL);
            tkc_template_substitute(set, j, mj, tkc_strings_row(S, 2 * p + 1), NULL);
        }
    for (size_t i = 0; i < r; i++, p++) {
        tkc_template_substitute(set, i, mi, tkc_strings_row(S, 2 * p), NULL);
        tkc_template_substitute(set, i, mi, tkc_strings_row(S, 2 * p + 1), NULL);
    }
    for (p = 0; p < np; p++)
        pairs[p] = (tkc_pair){2 * p, 2 * p + 1};
    tkc_kernel_values *kv = tkc_kernel_values_alloc(np, 1, NULL);
    CHECK(tkc_kernel_eval_pairs(&spec, S, pairs, np, kv, &err) == 0,
          "the gram's pairs with covariance: %s", err.message);
    propagation P = {set, n, r, s->template_index, s->label};
    double v[16], g[4][16], fp[4], fm[4], sigma[4];
    memcpy(v, kv->value, np * sizeof *v);
    for (p = 0; p < np; p++) {
        double h = 1e-6 * fmax(1, fabs(v[p])), v0 = v[p];
        v[p] = v0 + h;
        double up = propagate_eval(&P, v, fp);
        v[p] = v0 - h;
        double dn = propagate_eval(&P, v, fm);
        v[p] = v0;
        g[0][p] = (up - dn) / (2 * h);
        for (size_t t = 0; t < r; t++)
            g[t + 1][p] = (fp[t] - fm[t]) / (2 * h);
    }
    for (size_t o = 0; o <= r; o++) {
        double q = 0;
        for (size_t a = 0; a < np; a++)
            for (size_t b = 0; b < np; b++)
                q += g[o][a] * kv->cov[a * np + b] * g[o][b];
        sigma[o] = sqrt(q);
    }
    /* tkc's replicates: 32 kernel estimates of the same fit */
    tkc_krr_options o = OPT;
    o.kernel_replicates = 32;
    tkc_krr_model *m = NULL;
    tkc_krr_score *sc = NULL;
    CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label, &o,
                      &m, &err) == 0 &&
              tkc_krr_score_templates(m, set, &sc, &err) == 0,
          "fit with replicates: %s", err.message);
    if (m && sc) {
        double f[4];
        CHECK(m->replicates == 32 &&
                  m->kernel_error == TKC_KRR_KERNEL_ERROR_REPLICATES &&
                  m->plan.shared_pairs == 0,
              "32 replicates by kernel seeds, no shared pairs");
        CHECK(tkc_krr_gram_cross(m->gram, 0, 1, 0) == v[tri(1, 0)] &&
                  tkc_krr_gram_self(m->gram, 0, 2) == v[nb + 2],
              "the same kernel call as the gram's estimate 0");
        CHECK_CLOSE(propagate_eval(&P, v, f), sc->test_mse_population,
                    1e-9 * (1 + sc->test_mse_population),
                    "the same population error from the same values");
        /* (R − 1) s² / σ² ~ χ²(R − 1): a 99.9% interval for s / σ */
        double lo = sqrt(gsl_cdf_chisq_Pinv(0.0005, 31) / 31);
        double hi = sqrt(gsl_cdf_chisq_Pinv(0.9995, 31) / 31);
        double ratio = sc->test_mse_population_kernel_se / sigma[0];
        CHECK(ratio >= lo && ratio <= hi,
              "%s: population error's kernel error by replicates %.3g, by "
              "propagation %.3g (ratio %.3f, 99.9%% interval [%.2f, %.2f])",
              kernel, sc->test_mse_population_kernel_se, sigma[0], ratio, lo, hi);
        for (size_t t = 0; t < r; t++) {
            ratio = sc->template_prediction_kernel_se[t] / sigma[t + 1];
            CHECK(ratio >= lo && ratio <= hi,
                  "%s, template %zu: kernel error of the prediction %.3g by "
                  "replicates, %.3g by propagation (ratio %.3f)", kernel, t,
                  sc->template_prediction_kernel_se[t], sigma[t + 1], ratio);
        }
        /* the fit itself is replicate 0, the same digits as without any */
        tkc_krr_model *m1 = NULL;
        CHECK(tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &OPT, &m1, &err) == 0 && m1 &&
                  !memcmp(m1->alpha, m->alpha, n * sizeof *m->alpha),
              "replicate 0 is the fit");
        tkc_krr_model_free(m1);
    }
    tkc_krr_model_free(m);
    tkc_krr_score_free(sc);
    free(pairs);
    tkc_kernel_values_free(kv);
    tkc_strings_free(S);
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

/* The kernel error's method by the kernel's error kind: none for a closed
 * form (one estimate, 0), not computed when one estimate is asked for, and
 * for the series the values moved to the edges of their radii: sqrt(P)
 * times that spread bounds the truncation's effect to first order, checked
 * against the same fit with an accurate kernel (QMC, 2^16 points × 16). */
static void test_kernel_error_kinds(void)
{
    tkc_template_set *set = parse(ABA);
    if (!set)
        return;
    tkc_strings *X, *T;
    size_t tmpl[12];
    double y[12];
    fixture(set, &X, tmpl, y, &T);
    struct {
        const char *kernel, *estimator;
        unsigned replicates;
        tkc_krr_kernel_error want;
    } cases[] = {
        {"mlpxx", "mc", 4, TKC_KRR_KERNEL_ERROR_NONE},
        {"trans", "mc", 1, TKC_KRR_KERNEL_ERROR_NOT_COMPUTED},
        {"attn", "series", 16, TKC_KRR_KERNEL_ERROR_PERTURBATION},
        {"attn", "qmc", 4, TKC_KRR_KERNEL_ERROR_REPLICATES},
    };
    double phi[4] = {0}, spread[4] = {0};
    size_t patterns = 0;
    for (size_t c = 0; c < 4; c++) {
        tkc_kernel_spec spec = spec_of(cases[c].kernel);
        spec.estimator = tkc_attn_estimator_lookup(cases[c].estimator);
        spec.beta = 0.5, spec.gamma = 0.5;     /* where the series is useful */
        spec.qmc.points = 1 << 16;
        tkc_krr_options o = OPT;
        o.kernel_replicates = cases[c].replicates;
        tkc_krr_model *m = NULL;
        tkc_krr_score *sc = NULL;
        tkc_error err;
        CHECK(tkc_krr_fit(&spec, set, X, tmpl, y, &o, &m, &err) == 0 &&
                  tkc_krr_score_templates(m, set, &sc, &err) == 0,
              "%s/%s: %s", cases[c].kernel, cases[c].estimator, err.message);
        if (m && sc) {
            CHECK(m->kernel_error == cases[c].want,
                  "%s/%s: kernel error by %s", cases[c].kernel,
                  cases[c].estimator, tkc_krr_kernel_error_name(m->kernel_error));
            if (cases[c].want == TKC_KRR_KERNEL_ERROR_NONE)
                CHECK(m->replicates == 1 && sc->test_mse_population_kernel_se == 0,
                      "closed form: one estimate, no kernel error");
            phi[c] = sc->test_mse_population;
            spread[c] = sc->test_mse_population_kernel_se;
            patterns = m->kernel.npatterns;
        }
        tkc_krr_model_free(m);
        tkc_krr_score_free(sc);
    }
    double d = fabs(phi[2] - phi[3]);
    CHECK(spread[2] > 0 && d <= sqrt((double)patterns) * spread[2] + 4 * spread[3],
          "series: off the accurate fit by %.3g, within sqrt(%zu) x its "
          "perturbation spread %.3g (+ 4 x the accurate one's %.2g)", d,
          patterns, spread[2], spread[3]);
    tkc_strings_free(X), tkc_strings_free(T);
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
    test_structured_equals_dense(ABA, "trans", 1000);
    test_structured_equals_dense(ABA, "mlpxx", 1000);
    test_structured_modes();
    test_structured_escalation();
    test_kernel_error_against_propagation("trans");
    test_kernel_error_against_propagation("attn");
    test_kernel_error_kinds();
    test_refusals();
    return check_summary();
}
