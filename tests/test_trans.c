/* test_trans.c — K_trans on top of K_attn:
 *  - β = 0, where K_attn is exact (#matches/k² + γ²/k): values against the
 *    dual closed forms by hand, one estimator call with distinct patterns
 *    including the self pairs, error kind ROUNDING;
 *  - the delta method: with a fake statistical estimator of known
 *    covariance, the propagated covariance equals J Σ Jᵀ built by brute
 *    force (finite-difference J, the test's own pattern bookkeeping);
 *  - with the library's Monte Carlo estimator: the reported standard error
 *    matches the spread of K_trans over many independent seeds, and the
 *    estimate agrees with a high-sample run. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "check.h"
#include "activation.h"
#include "trans.h"

/* Same/different with [CLS] (token 9) under two disjoint substitutions,
 * plus a string with all tokens distinct. */
static tkc_token tokens[] = {0, 0, 9,  1, 2, 9,  3, 3, 9,  4, 5, 9,  6, 7, 8};
static const tkc_strings S = {5, 3, tokens};
static const tkc_pair pairs[] = {{0, 2}, {0, 3}, {1, 2}, {1, 3}, {0, 0}, {4, 1}, {2, 4}};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

static double exact_attn(const tkc_token *x, const tkc_token *y, size_t k, double gamma)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == y[b];
    return (double)m / (double)(k * k) + gamma * gamma / (double)k;
}

/* ---- a tiny exact estimator for β = 0, recording how it is called ------- */

static int calls;
static size_t last_npairs;
static tkc_pair seen_pairs[64];

static int exact_eval(const tkc_kernel_spec *spec, const tkc_strings *s,
                      const tkc_pair *p, size_t n, tkc_kernel_values *out, tkc_error *err)
{
    if (spec->beta != 0)
        return tkc_fail(err, TKC_ERANGE, "exact test estimator needs beta = 0");
    calls++;
    last_npairs = n;
    for (size_t i = 0; i < n; i++) {
        const tkc_token *x = tkc_strings_row(s, p[i].x), *y = tkc_strings_row(s, p[i].y);
        if (i < 64)  /* S has distinct rows: indices identify contents */
            seen_pairs[i] = p[i].x <= p[i].y ? p[i] : (tkc_pair){p[i].y, p[i].x};
        out->value[i] = exact_attn(x, y, s->k, spec->gamma);
        out->se[i] = 0;
    }
    if (out->cov)
        memset(out->cov, 0, n * n * sizeof *out->cov);
    out->error_kind = TKC_ERROR_EXACT;
    out->estimator = "exact-beta0";
    out->samples = 0;
    return TKC_SUCCESS;
}

/* The test estimators read no options. */
static int no_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    (void)spec;
    (void)err;
    return TKC_SUCCESS;
}

static const tkc_attn_estimator_type exact_type = {
    "exact-beta0", "test", exact_eval, no_options, NULL, NULL, NULL};

static tkc_kernel_spec spec_for(const tkc_activation_type *act)
{
    tkc_kernel_spec s;
    tkc_kernel_spec_default(&s);
    s.kernel = tkc_kernel_trans;
    s.estimator = &exact_type;
    s.activation = act;
    s.beta = 0;
    s.gamma = 0.8;
    s.b1 = 1.3;
    s.b2 = 0.4;
    return s;
}

static void test_beta0(void)
{
    for (size_t a = 0; tkc_activation_types[a]; a++) {
        tkc_kernel_spec s = spec_for(tkc_activation_types[a]);
        tkc_kernel_values *v = tkc_kernel_values_alloc(NPAIRS, 1, NULL);
        CHECK(v != NULL, "alloc");
        if (!v)
            return;
        calls = 0;
        tkc_error err;
        int rc = tkc_kernel_trans->eval_pairs(&s, &S, pairs, NPAIRS, v, &err);
        CHECK(rc == 0, "%s: eval_pairs: %s", s.activation->name, err.message);
        CHECK(calls == 1, "%s: estimator called %d times (want once)", s.activation->name,
              calls);
        /* One triple per distinct cross pattern — (0,2); (0,3) ~ (1,2);
         * (1,3); (0,0); (4,1); (2,4) — on its representative's rows, equal
         * contents once: self terms of strings 0..4 and 5 cross pairs. */
        CHECK(last_npairs == 10, "%s: %zu K_attn entries (want 10)", s.activation->name,
              last_npairs);
        for (size_t i = 0; i < last_npairs && i < 64; i++)
            for (size_t j = 0; j < i; j++)
                CHECK(!(seen_pairs[i].x == seen_pairs[j].x && seen_pairs[i].y == seen_pairs[j].y),
                      "entry %zu passed twice", i);
        CHECK(v->error_kind == TKC_ERROR_ROUNDING, "exact K_attn gives ROUNDING kind");
        for (size_t p = 0; p < NPAIRS; p++) {
            const tkc_token *x = tkc_strings_row(&S, pairs[p].x),
                            *y = tkc_strings_row(&S, pairs[p].y);
            double A = exact_attn(x, x, 3, s.gamma), B = exact_attn(y, y, 3, s.gamma),
                   C = exact_attn(x, y, 3, s.gamma), want;
            if (a == 0) {  /* cos, by hand */
                double q = s.b1 * s.b1;
                want = 0.5 * exp(-q * (A + B) / 2) * (exp(q * C) + cos(2 * s.b2) * exp(-q * C));
            } else if (a == 1) {  /* relu, Cho & Saul */
                double th = acos(C / sqrt(A * B));
                want = sqrt(A * B) * (sin(th) + (M_PI - th) * cos(th)) / (2 * M_PI);
            } else {  /* erf, Williams */
                want = 2 / M_PI * asin(2 * C / sqrt((1 + 2 * A) * (1 + 2 * B)));
            }
            char what[64];
            snprintf(what, sizeof what, "%s beta=0 pair %zu", s.activation->name, p);
            CHECK_CLOSE(v->value[p], want, 1e-14, what);
            /* a ball bound: 0 where the dual is exact (relu's A/2 on the
             * self pair) */
            CHECK(v->se[p] >= 0 && v->se[p] < 1e-15, "%s: rounding bound %.3g", what,
                  v->se[p]);
            CHECK(fabs(v->value[p] - want) <= v->se[p] + 4e-16 * fabs(want),
                  "%s: bound covers the hand formula", what);
        }
        /* Same/different at β = 0: every cross K_attn is 1/9 + γ²/3, so
         * for cos N = ½ D E D with E constant (Lemma 3.6's form): rank one,
         * singular — β ≠ 0 is needed (Lemma 3.7). */
        if (a == 0)
            CHECK(fabs(v->value[0] * v->value[3] - v->value[1] * v->value[2]) < 1e-15,
                  "cos: N for same/different at beta = 0 is singular");
        tkc_kernel_values_free(v);
    }
}

/* ---- the delta method against brute force -------------------------------- */

/* Unique patterns as the test sees them, and a PSD covariance over them. */
static tkc_pattern upat[64];
static size_t nupat;
static const double sigma = 0.01;

static size_t test_pattern_id(const tkc_token *x, const tkc_token *y)
{
    tkc_pattern pat;
    int sw;
    tkc_pattern_of_unordered_pair(&pat, x, y, 3, &sw);
    for (size_t i = 0; i < nupat; i++)
        if (tkc_pattern_compare(&pat, &upat[i]) == 0)
            return i;
    upat[nupat] = pat;
    return nupat++;
}

/* Σ_uv = σ² c_u c_v (½ + ½ δ_uv), c_u = 1 + u/10: PSD, correlated. */
static double test_cov(size_t u, size_t v)
{
    return sigma * sigma * (1 + u / 10.0) * (1 + v / 10.0) * (u == v ? 1.0 : 0.5);
}

static int noisy_eval(const tkc_kernel_spec *spec, const tkc_strings *s,
                      const tkc_pair *p, size_t n, tkc_kernel_values *out, tkc_error *err)
{
    (void)err;
    size_t *id = malloc(n * sizeof *id);
    if (!id)
        return TKC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const tkc_token *x = tkc_strings_row(s, p[i].x), *y = tkc_strings_row(s, p[i].y);
        id[i] = test_pattern_id(x, y);
        out->value[i] = exact_attn(x, y, s->k, spec->gamma);
    }
    for (size_t i = 0; i < n; i++) {
        out->se[i] = sqrt(test_cov(id[i], id[i]));
        for (size_t j = 0; j < n && out->cov; j++)
            out->cov[i * n + j] = test_cov(id[i], id[j]);
    }
    free(id);
    out->error_kind = TKC_ERROR_STATISTICAL;
    out->estimator = "noisy-test";
    out->samples = 1000;
    return TKC_SUCCESS;
}

static const tkc_attn_estimator_type noisy_type = {
    "noisy-test", "test", noisy_eval, no_options, NULL, NULL, NULL};

static void test_delta_method(void)
{
    for (size_t a = 0; tkc_activation_types[a]; a++) {
        tkc_kernel_spec s = spec_for(tkc_activation_types[a]);
        s.estimator = &noisy_type;
        nupat = 0;
        tkc_kernel_values *v = tkc_kernel_values_alloc(NPAIRS, 1, NULL);
        CHECK(v && tkc_kernel_trans->eval_pairs(&s, &S, pairs, NPAIRS, v, NULL) == 0,
              "noisy eval");
        if (!v)
            return;
        CHECK(v->error_kind == TKC_ERROR_STATISTICAL && v->samples == 1000,
              "statistical kind passes through");
        /* Brute force: J over the test's unique patterns by central
         * differences of the closed form; then J Σ Jᵀ. */
        double J[NPAIRS][64];
        memset(J, 0, sizeof J);
        for (size_t p = 0; p < NPAIRS; p++) {
            const tkc_token *x = tkc_strings_row(&S, pairs[p].x),
                            *y = tkc_strings_row(&S, pairs[p].y);
            double arg[3] = {exact_attn(x, x, 3, s.gamma), exact_attn(y, y, 3, s.gamma),
                             exact_attn(x, y, 3, s.gamma)};
            size_t id[3] = {test_pattern_id(x, x), test_pattern_id(y, y), test_pattern_id(x, y)};
            for (int i = 0; i < 3; i++) {
                /* Moving one K_attn entry moves every argument it feeds. */
                double h = 1e-6, kp, km, pp[3], mm[3];
                for (int j = 0; j < 3; j++) {
                    pp[j] = arg[j] + (id[j] == id[i] ? h : 0);
                    mm[j] = arg[j] - (id[j] == id[i] ? h : 0);
                }
                s.activation->dual(pp[0], pp[1], pp[2], &s, &kp, NULL, NULL);
                s.activation->dual(mm[0], mm[1], mm[2], &s, &km, NULL, NULL);
                J[p][id[i]] = (kp - km) / (2 * h);
            }
        }
        for (size_t p = 0; p < NPAIRS; p++)
            for (size_t q = 0; q < NPAIRS; q++) {
                double c = 0;
                for (size_t u = 0; u < nupat; u++)
                    for (size_t w = 0; w < nupat; w++)
                        c += J[p][u] * J[q][w] * test_cov(u, w);
                char what[64];
                snprintf(what, sizeof what, "%s cov[%zu][%zu]", s.activation->name, p, q);
                CHECK_CLOSE(v->cov[p * NPAIRS + q], c, 1e-9 * sigma * sigma + 1e-6 * fabs(c),
                            what);
                if (p == q)
                    CHECK_CLOSE(v->se[p], sqrt(c), 1e-7 * sigma, "se is sqrt of the diagonal");
            }
        tkc_kernel_values_free(v);
    }
}

/* ---- with the library's Monte Carlo estimator ------------------------------ */

static void test_mc_spread(void)
{
    tkc_kernel_spec s = spec_for(tkc_activation_cos);
    s.estimator = tkc_attn_mc;
    s.beta = 1.0;
    s.mc.samples = 4096;
    const size_t np = 3, runs = 120;
    const tkc_pair sub[] = {{0, 3}, {1, 3}, {0, 2}};
    double sum[3] = {0}, sum2[3] = {0}, sum01 = 0, se_mean[3] = {0}, cov01 = 0;
    tkc_kernel_values *v = tkc_kernel_values_alloc(np, 1, NULL);
    CHECK(v != NULL, "alloc");
    if (!v)
        return;
    for (size_t r = 0; r < runs; r++) {
        s.seed = 1000 + r;
        tkc_error err;
        int rc = tkc_kernel_trans->eval_pairs(&s, &S, sub, np, v, &err);
        CHECK(rc == 0, "mc run %zu: %s", r, err.message);
        if (rc)
            break;
        for (size_t p = 0; p < np; p++) {
            sum[p] += v->value[p];
            sum2[p] += v->value[p] * v->value[p];
            se_mean[p] += v->se[p] / runs;
        }
        sum01 += v->value[0] * v->value[1];
        cov01 += v->cov[1] / runs;
    }
    CHECK(v->error_kind == TKC_ERROR_STATISTICAL, "MC gives a statistical kind");
    /* The spread over runs estimates the true sd with relative error
     * ~ 1/sqrt(2 runs) = 6.5%: allow ±25%. */
    for (size_t p = 0; p < np; p++) {
        double m = sum[p] / runs, sd = sqrt((sum2[p] / runs - m * m) * runs / (runs - 1));
        printf("pair %zu: mean reported se %.4g, spread over %zu runs %.4g\n", p, se_mean[p],
               runs, sd);
        CHECK(se_mean[p] > 0.75 * sd && se_mean[p] < 1.25 * sd,
              "pair %zu: reported se %.4g vs spread %.4g", p, se_mean[p], sd);
    }
    double m0 = sum[0] / runs, m1 = sum[1] / runs;
    double emp01 = (sum01 / runs - m0 * m1) * runs / (runs - 1);
    double sd0 = sqrt(sum2[0] / runs - m0 * m0), sd1 = sqrt(sum2[1] / runs - m1 * m1);
    /* Correlation coefficients within 0.2 (sampling sd ≈ (1-ρ²)/√runs). */
    CHECK(fabs(emp01 / (sd0 * sd1) - cov01 / (se_mean[0] * se_mean[1])) < 0.2,
          "covariance of pairs 0,1: reported corr %.3f vs spread corr %.3f",
          cov01 / (se_mean[0] * se_mean[1]), emp01 / (sd0 * sd1));
    /* The seed-average against one high-sample run. */
    s.mc.samples = 1 << 18;
    s.seed = 7;
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, sub, np, v, NULL) == 0, "big run");
    for (size_t p = 0; p < np; p++) {
        double m = sum[p] / runs, sd = sqrt(sum2[p] / runs - m * m);
        CHECK_WITHIN_SE(m, v->value[p], sqrt(sd * sd / runs + v->se[p] * v->se[p]), 4,
                        "seed average vs high-sample run");
    }
    tkc_kernel_values_free(v);
}

/* The boxes for a certificate, through the dispatcher: at joint confidence
 * 0.8 all of them hold the truth (here a QMC run whose error is far below
 * the radii) in at least 80% of 200 seeded Monte Carlo runs, within the
 * binomial spread; their evidence is "confidence", never "proved".  The
 * exact K_attn of test_beta0 gives proved boxes, value ± se. */
static void test_boxes(void)
{
    const size_t np = 4, runs = 200;
    const tkc_pair sub[] = {{0, 2}, {0, 3}, {1, 3}, {4, 1}};
    tkc_kernel_spec s = spec_for(tkc_activation_cos);
    s.beta = 1.0;
    s.estimator = tkc_attn_qmc;
    s.qmc.points = 1 << 15;
    s.qmc.replicates = 16;
    tkc_kernel_values *ref = tkc_kernel_values_alloc(np, 0, NULL),
                      *v = tkc_kernel_values_alloc(np, 0, NULL);
    tkc_error err;
    CHECK(ref && v && !tkc_kernel_eval_pairs(&s, &S, sub, np, ref, &err) &&
              !tkc_kernel_values_want_boxes(v, 0.8, &err),
          "reference: %s", err.message);
    if (!ref || !v)
        return;
    s.estimator = tkc_attn_mc;
    s.mc.samples = 4096;
    size_t covered = 0;
    double worst_ref = 0;
    for (size_t r = 0; r < runs; r++) {
        s.seed = 5000 + r;
        int rc = tkc_kernel_eval_pairs(&s, &S, sub, np, v, &err);
        CHECK(rc == 0 && v->box_evidence == TKC_EVIDENCE_CONFIDENCE &&
                  v->box_z > 2, "run %zu: %s", r, rc ? err.message : "evidence");
        if (rc)
            break;
        int all = 1;
        for (size_t p = 0; p < np; p++) {
            all &= fabs(ref->value[p] - v->box_mid[p]) <= v->box_rad[p];
            worst_ref = fmax(worst_ref, ref->se[p] / v->box_rad[p]);
        }
        covered += all;
    }
    double rate = (double)covered / runs;
    printf("trans boxes at joint confidence 0.8: all %zu hold in %zu of %zu runs "
           "(reference se <= %.2g of a radius)\n", np, covered, runs, worst_ref);
    CHECK(worst_ref < 0.02, "reference se %.3g of a radius", worst_ref);
    CHECK(rate >= 0.8 - 3 * sqrt(0.8 * 0.2 / runs), "coverage %.3f", rate);
    /* exact K_attn: proved boxes, the values and their rigorous bounds */
    s = spec_for(tkc_activation_relu);
    CHECK(!tkc_kernel_trans->eval_pairs(&s, &S, sub, np, v, &err) &&
              v->box_evidence == TKC_EVIDENCE_PROVED && v->box_z == 1,
          "exact K_attn: proved boxes");
    for (size_t p = 0; p < np; p++)
        CHECK(v->box_mid[p] == v->value[p] && v->box_rad[p] == v->se[p],
              "exact K_attn: box %zu is value ± se", p);
    tkc_kernel_values_free(ref);
    tkc_kernel_values_free(v);
}

/* Through the dispatcher (which relabels tokens per pattern): duplicates and
 * reversed pairs are copies with fully correlated errors, and the values
 * agree statistically with the direct call on the original strings. */
static void test_dispatcher(void)
{
    tkc_kernel_spec s = spec_for(tkc_activation_erf);
    s.estimator = tkc_attn_mc;
    s.beta = 0.8;
    s.mc.samples = 8192;
    const tkc_pair direct[] = {{0, 3}, {1, 3}};
    /* (0,3), (3,0), (2,1), (0,3) share a pattern (aaC vs a fresh bcC); (1,3)
     * is the other one. */
    const tkc_pair many[] = {{0, 3}, {3, 0}, {1, 3}, {2, 1}, {0, 3}};
    const int which[5] = {0, 0, 1, 0, 0};
    tkc_kernel_values *d = tkc_kernel_values_alloc(2, 1, NULL);
    tkc_kernel_values *v = tkc_kernel_values_alloc(5, 1, NULL);
    tkc_error err;
    CHECK(d && v, "alloc");
    if (!d || !v)
        goto done;
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, direct, 2, d, NULL) == 0, "direct");
    int rc = tkc_kernel_eval_pairs(&s, &S, many, 5, v, &err);
    CHECK(rc == 0, "dispatcher: %s", rc ? err.message : "");
    if (rc)
        goto done;
    for (int p = 0; p < 5; p++) {
        CHECK(v->value[p] == v->value[which[p] ? 2 : 0], "copies are equal");
        for (int q = 0; q < 5; q++)
            if (which[p] == which[q])
                CHECK_CLOSE(v->cov[p * 5 + q], v->se[p] * v->se[p], 1e-18,
                            "copies fully correlated");
        double c = sqrt(v->se[p] * v->se[p] + d->se[which[p]] * d->se[which[p]]);
        CHECK_WITHIN_SE(v->value[p], d->value[which[p]], c, 4, "dispatcher vs direct");
    }
    CHECK(v->cov[0 * 5 + 2] == v->cov[2 * 5 + 0] && v->cov[2] != 0,
          "the two patterns' errors are correlated (common random numbers)");
    double K, se;
    tkc_error_kind kind;
    CHECK(tkc_kernel_eval(&s, tkc_strings_row(&S, 0), tkc_strings_row(&S, 3), 3, &K, &se,
                          &kind, NULL) == 0 &&
              kind == TKC_ERROR_STATISTICAL,
          "tkc_kernel_eval");
    CHECK_WITHIN_SE(K, d->value[0], sqrt(se * se + d->se[0] * d->se[0]), 4,
                    "tkc_kernel_eval value");
    CHECK(tkc_kernel_type_lookup("trans") == tkc_kernel_trans, "lookup trans");
done:
    tkc_kernel_values_free(d);
    tkc_kernel_values_free(v);
}

/* A deliberately token-dependent "estimator": ⟨u(x), u(y)⟩ with
 * u(x) = Σ_a (1 + x_a) e_{x_a}.  Every triple taken from one pair of rows
 * is a Gram matrix; mixing rows of equal pattern but different tokens is
 * not, and gives other values — which is what this catches. */
static double u_dot(const tkc_token *x, const tkc_token *y, size_t k)
{
    double s = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            if (x[a] == y[b])
                s += (1.0 + x[a]) * (1.0 + y[b]) / (double)k;  /* per-position mass */
    return s;
}

static int gram_eval(const tkc_kernel_spec *spec, const tkc_strings *s,
                     const tkc_pair *p, size_t n, tkc_kernel_values *out, tkc_error *err)
{
    (void)spec, (void)err;
    for (size_t i = 0; i < n; i++) {
        out->value[i] = u_dot(tkc_strings_row(s, p[i].x), tkc_strings_row(s, p[i].y), s->k);
        out->se[i] = 0;
    }
    if (out->cov)
        memset(out->cov, 0, n * n * sizeof *out->cov);
    out->error_kind = TKC_ERROR_EXACT;
    out->estimator = "gram-test";
    return TKC_SUCCESS;
}

static const tkc_attn_estimator_type gram_type = {
    "gram-test", "test", gram_eval, no_options, NULL, NULL, NULL};

static void test_triples_from_one_pair(void)
{
    /* Rows 2, 3 are rows 0, 1 relabelled; |u| differs between 0 and 1. */
    tkc_token t[] = {0, 1, 2,  0, 1, 3,  4, 5, 6,  4, 5, 7};
    const tkc_strings T = {4, 3, t};
    const tkc_pair tp[] = {{0, 1}, {3, 2}, {1, 0}};
    tkc_kernel_spec s = spec_for(tkc_activation_relu);
    s.estimator = &gram_type;
    tkc_kernel_values *v = tkc_kernel_values_alloc(3, 0, NULL);
    CHECK(v && tkc_kernel_trans->eval_pairs(&s, &T, tp, 3, v, NULL) == 0, "gram eval");
    if (!v)
        return;
    const tkc_token *r0 = t, *r1 = t + 3;
    double want;
    s.activation->dual(u_dot(r0, r0, 3), u_dot(r1, r1, 3), u_dot(r0, r1, 3), &s, &want,
                       NULL, NULL);
    for (int p = 0; p < 3; p++)
        CHECK_CLOSE(v->value[p], want, 1e-14,
                    "triple of the pattern's representative rows (0, 1)");
    tkc_kernel_values_free(v);
}

/* Each (A, B, C) triple is estimated on the same tokens, so with common
 * random numbers it is an exact Gram matrix: relu's Cauchy–Schwarz check
 * never trips, even with few samples on nearly equal strings. */
static void test_triples_psd(void)
{
    tkc_token t[] = {0, 1, 2, 3, 4, 5, 6, 9,  0, 1, 2, 3, 4, 5, 7, 9,
                     10, 11, 12, 13, 14, 15, 16, 9,  10, 11, 12, 13, 14, 15, 17, 9};
    const tkc_strings T = {4, 8, t};
    /* (2,3) has the pattern of (0,1): its triple must come from rows 2, 3. */
    const tkc_pair tp[] = {{0, 1}, {2, 3}, {0, 3}, {2, 1}};
    tkc_kernel_spec s = spec_for(tkc_activation_relu);
    s.estimator = tkc_attn_mc;
    s.beta = 3;
    s.mc.samples = 16;
    tkc_kernel_values *v = tkc_kernel_values_alloc(4, 1, NULL);
    CHECK(v != NULL, "alloc");
    if (!v)
        return;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        s.seed = seed;
        tkc_error err;
        int rc = tkc_kernel_trans->eval_pairs(&s, &T, tp, 4, v, &err);
        CHECK(rc == 0, "seed %llu: %s", (unsigned long long)seed, rc ? err.message : "");
        rc = tkc_kernel_eval_pairs(&s, &T, tp, 4, v, &err);
        CHECK(rc == 0, "dispatcher seed %llu: %s", (unsigned long long)seed,
              rc ? err.message : "");
    }
    tkc_kernel_values_free(v);
}

static void test_bad_input(void)
{
    tkc_kernel_spec s = spec_for(tkc_activation_cos);
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_error err;
    CHECK(v != NULL, "alloc");
    if (!v)
        return;
    s.estimator = NULL;
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, pairs, 1, v, &err) == TKC_EINPUT &&
              strstr(err.message, "estimator"),
          "no estimator refused: %s", err.message);
    s.estimator = &exact_type;
    s.activation = NULL;
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, pairs, 1, v, &err) == TKC_EINPUT &&
              strstr(err.message, "activation"),
          "no activation refused: %s", err.message);
    s.activation = tkc_activation_cos;
    tkc_pair bad = {0, 5};
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, &bad, 1, v, &err) == TKC_EINPUT,
          "pair out of range refused");
    s.beta = 0.5;  /* the estimator's own failure comes through */
    CHECK(tkc_kernel_trans->eval_pairs(&s, &S, pairs, 1, v, &err) == TKC_ERANGE &&
              strstr(err.message, "beta = 0"),
          "estimator error passed on: %s", err.message);
    tkc_kernel_values_free(v);
}

int main(void)
{
    test_beta0();
    test_delta_method();
    test_mc_spread();
    test_boxes();
    test_dispatcher();
    test_triples_from_one_pair();
    test_triples_psd();
    test_bad_input();
    return check_summary();
}
