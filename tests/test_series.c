/* test_series.c — exact Taylor coefficients of K_attn and the series
 * estimator, checked against independent values: the exact β = 0 row, the
 * aC/bC example, tables from an independent sympy brute force
 * (tests/series_bruteforce.py: expansion in the Gaussians of the generative
 * form, moments monomial by monomial; to β^4 at k <= 4, β^6 at k = 3,
 * β^10 at k = 2), exact identities (symmetry in
 * (x, y), token relabelling, permuting positions), high-sample Monte Carlo
 * of K_attn at β = 0.25, and Monte Carlo of the β-derivatives themselves
 * (per-draw Richardson extrapolation at several γ, common random numbers)
 * for the mixed β²γ² and β⁴γ² coefficients.  The graded (total-order)
 * coefficients are checked against the tables and the brute force. */
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "attn_spec.h"
#include "attn.h"
#include "tkc/kernel.h"
#include "rng.h"
#include "series_cache.h"
#include "tkc/series.h"

/* ---- helpers ------------------------------------------------------------- */

static void tokens(const char *s, tkc_token *t)
{
    for (size_t a = 0; s[a]; a++)
        t[a] = (unsigned char)s[a];
}

static tkc_series *series_of(const char *x, const char *y, int order)
{
    tkc_token tx[TKC_K_MAX], ty[TKC_K_MAX];
    tokens(x, tx);
    tokens(y, ty);
    tkc_error err;
    tkc_series *s = tkc_series_alloc(order, &err);
    if (!s || tkc_series_compute_pair(s, tx, ty, strlen(x), &err)) {
        fprintf(stderr, "series_of(%s, %s): %s\n", x, y, err.message);
        exit(2);
    }
    return s;
}

/* Same pattern given directly (labels as written, not relabelled). */
static tkc_series *series_raw(const uint8_t *x, const uint8_t *y, int k,
                              int order)
{
    tkc_pattern pat;
    memset(&pat, 0, sizeof pat);
    pat.k = (uint8_t)k;
    memcpy(pat.x, x, (size_t)k);
    memcpy(pat.y, y, (size_t)k);
    tkc_error err;
    tkc_series *s = tkc_series_alloc(order, &err);
    if (!s || tkc_series_compute(s, &pat, &err)) {
        fprintf(stderr, "series_raw: %s\n", err.message);
        exit(2);
    }
    return s;
}

static int series_equal(const tkc_series *a, const tkc_series *b)
{
    if (a->nbeta != b->nbeta || a->ngamma != b->ngamma)
        return 0;
    for (int i = 0; i < a->nbeta; i++)
        for (int j = 0; j < a->ngamma; j++)
            if (!mpq_equal(tkc_series_coeff(a, i, j), tkc_series_coeff(b, i, j)))
                return 0;
    return 1;
}

static int coeff_is(const tkc_series *s, int i, int j, const char *pq)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_str(q, pq, 10);
    mpq_canonicalize(q);
    int ok = mpq_equal(q, tkc_series_coeff(s, i, j));
    if (!ok)
        gmp_fprintf(stderr, "  coefficient beta^%d gamma^%d: %Qd, expected %s\n",
                    2 * i, 2 * j, tkc_series_coeff(s, i, j), pq);
    mpq_clear(q);
    return ok;
}

/* ---- exact values -------------------------------------------------------- */

/* β = 0: #{(a, b): x_a = y_b}/k² + γ²/k, exactly; nothing else in row 0. */
static void test_beta0(void)
{
    const char *pairs[][2] = {{"aC", "bC"}, {"aab", "bca"}, {"abab", "aabb"},
                              {"abcab", "ccbaa"}, {"aaaa", "aaaa"},
                              {"abcde", "fghij"}};
    for (size_t n = 0; n < sizeof pairs / sizeof pairs[0]; n++) {
        const char *x = pairs[n][0], *y = pairs[n][1];
        size_t k = strlen(x), m = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                m += x[a] == y[b];
        tkc_series *s = series_of(x, y, 4);
        char buf[64];
        snprintf(buf, sizeof buf, "%zu/%zu", m, k * k);
        CHECK(coeff_is(s, 0, 0, buf), "beta^0 gamma^0 of (%s, %s)", x, y);
        snprintf(buf, sizeof buf, "1/%zu", k);
        CHECK(coeff_is(s, 0, 1, buf), "beta^0 gamma^2 of (%s, %s)", x, y);
        for (int j = 2; j < s->ngamma; j++)
            CHECK(coeff_is(s, 0, j, "0"), "beta^0 gamma^%d of (%s, %s)", 2 * j,
                  x, y);
        tkc_series_free(s);
    }
}

/* docs/mathematics.md: x = aC, y = bC, γ² = 1/4. */
static void test_spec_example(void)
{
    tkc_series *s = series_of("aC", "bC", 8);
    const char *want[] = {"3/8", "9/64", "-45/256", "1179/4096", "-9705/16384"};
    mpq_t g, c, w;
    mpq_inits(g, c, w, NULL);
    mpq_set_ui(g, 1, 4);
    for (int i = 0; i < 5; i++) {
        tkc_series_beta_coeff_q(c, s, i, g);
        mpq_set_str(w, want[i], 10);
        CHECK(mpq_equal(c, w), "aC/bC example beta^%d", 2 * i);
    }
    /* the MPFR evaluation of the same polynomial */
    mpfr_t gf, cf;
    mpfr_inits2(200, gf, cf, (mpfr_ptr)0);
    mpfr_set_d(gf, 0.25, MPFR_RNDN);
    tkc_series_beta_coeff_fr(cf, s, 4, gf);
    CHECK_CLOSE(mpfr_get_d(cf, MPFR_RNDN), -9705.0 / 16384.0, 1e-15,
                "MPFR beta^8 coefficient");
    mpfr_clears(gf, cf, (mpfr_ptr)0);
    mpq_clears(g, c, w, NULL);
    tkc_series_free(s);
}

/* Full tables from the sympy brute force (series_bruteforce.py X Y 4). */
static void test_bruteforce_tables(void)
{
    struct {
        const char *x, *y;
        const char *c[3][4];
    } t[] = {
        {"aC", "bC", {{"1/4", "1/2", "0", "0"},
                      {"1/16", "1/4", "1/4", "0"},
                      {"-1/16", "-5/16", "-1/2", "-1/4"}}},
        {"aab", "bca", {{"1/3", "1/3", "0", "0"},
                        {"4/27", "-2/9", "2/9", "0"},
                        {"-8/81", "11/162", "-5/162", "-1/9"}}},
        {"abab", "aabb", {{"1/2", "1/4", "0", "0"},
                          {"1/4", "0", "3/16", "0"},
                          {"-1/4", "-1/8", "-1/16", "-3/64"}}},
    };
    for (size_t n = 0; n < sizeof t / sizeof t[0]; n++) {
        tkc_series *s = series_of(t[n].x, t[n].y, 4);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                CHECK(coeff_is(s, i, j, t[n].c[i][j]),
                      "brute force (%s, %s) beta^%d gamma^%d", t[n].x, t[n].y,
                      2 * i, 2 * j);
        tkc_series_free(s);
    }
}

/* Exact identities: K(x, y) = K(y, x); any relabelling of tokens; the same
 * permutation of the positions of x and y (p_c are i.i.d., M is
 * permutation-equivariant).  None of these is built into the algorithm: it
 * treats the two strings, their labels and their positions asymmetrically. */
static void test_symmetries(void)
{
    srand(7);
    for (int rep = 0; rep < 12; rep++) {
        int k = 2 + rep % 4, ntok = 1 + rand() % (k + 1);
        uint8_t x[8], y[8], px[8], py[8], perm[16], pos[8];
        for (int a = 0; a < k; a++) {
            x[a] = (uint8_t)(rand() % ntok);
            y[a] = (uint8_t)(rand() % ntok);
        }
        for (int t = 0; t < 16; t++)
            perm[t] = (uint8_t)t;
        for (int t = 15; t > 0; t--) {
            int u = rand() % (t + 1);
            uint8_t tmp = perm[t];
            perm[t] = perm[u];
            perm[u] = tmp;
        }
        for (int a = 0; a < k; a++)
            pos[a] = (uint8_t)a;
        for (int a = k - 1; a > 0; a--) {
            int u = rand() % (a + 1);
            uint8_t tmp = pos[a];
            pos[a] = pos[u];
            pos[u] = tmp;
        }
        int order = k <= 3 ? 8 : 6;
        tkc_series *s0 = series_raw(x, y, k, order);
        tkc_series *s1 = series_raw(y, x, k, order);
        CHECK(series_equal(s0, s1), "symmetry in (x, y), rep %d", rep);
        for (int a = 0; a < k; a++) {
            px[a] = perm[x[a]];
            py[a] = perm[y[a]];
        }
        tkc_series *s2 = series_raw(px, py, k, order);
        CHECK(series_equal(s0, s2), "token relabelling, rep %d", rep);
        for (int a = 0; a < k; a++) {
            px[a] = x[pos[a]];
            py[a] = y[pos[a]];
        }
        tkc_series *s3 = series_raw(px, py, k, order);
        CHECK(series_equal(s0, s3), "position permutation, rep %d", rep);
        tkc_series_free(s0);
        tkc_series_free(s1);
        tkc_series_free(s2);
        tkc_series_free(s3);
    }
}

/* ---- total order: the graded coefficients ---------------------------------- */

static void test_monomial_order(void)
{
    const size_t count[] = {1, 3, 5, 8, 11, 15};
    for (int T = 0; T <= 5; T++)
        CHECK(tkc_series_monomials(2 * T) == count[T], "monomials(%d) = %zu",
              2 * T, tkc_series_monomials(2 * T));
    CHECK(tkc_series_monomials(3) == 0 && tkc_series_monomials(-2) == 0 &&
              tkc_series_monomials(TKC_SERIES_ORDER_MAX + 2) == 0,
          "odd, negative and too large orders have no monomials");
    /* graded: total degree never decreases; within it γ grows; b <= a + 1;
     * index and monomial are inverse */
    int pa = 0, pb = -1, ok = 1;
    for (size_t m = 0; m < tkc_series_monomials(12); m++) {
        int a, b;
        tkc_series_monomial(m, &a, &b);
        ok &= b <= a + 1 && tkc_series_monomial_index(a, b) == (long)m;
        ok &= a + b > pa + pb || (a + b == pa + pb && b == pb + 1);
        pa = a;
        pb = b;
    }
    CHECK(ok, "graded order and index round trip");
    CHECK(tkc_series_monomial_index(1, 3) == -1, "b > a + 1 has no index");
    char name[32];
    tkc_series_monomial_name(name, sizeof name, 3, 2);
    CHECK(!strcmp(name, "β^6γ^4"), "name %s", name);
    tkc_series_monomial_name(name, sizeof name, 0, 1);
    CHECK(!strcmp(name, "γ^2"), "name %s", name);
}

static mpq_t *graded_of(const uint8_t *x, const uint8_t *y, int k, int D,
                        tkc_series_cache *cache)
{
    tkc_pattern pat;
    memset(&pat, 0, sizeof pat);
    pat.k = (uint8_t)k;
    memcpy(pat.x, x, (size_t)k);
    memcpy(pat.y, y, (size_t)k);
    size_t M = tkc_series_monomials(D);
    mpq_t *c = malloc(M * sizeof *c);
    for (size_t m = 0; m < M; m++)
        mpq_init(c[m]);
    tkc_error err;
    if (tkc_series_compute_graded(c, &pat, D, cache, &err)) {
        fprintf(stderr, "graded: %s\n", err.message);
        exit(2);
    }
    return c;
}

static void graded_free(mpq_t *c, int D)
{
    for (size_t m = 0; m < tkc_series_monomials(D); m++)
        mpq_clear(c[m]);
    free(c);
}

/* The graded run prunes its enumeration differently from the table's; every
 * coefficient they share must agree, and the table has nothing above
 * b = a + 1.  One cache serves all pairs and orders (a fresh one must give
 * the same numbers). */
static void test_graded_vs_table(void)
{
    tkc_error err;
    srand(11);
    int bad = 0, above = 0, cache_diff = 0, n = 0;
    tkc_series_cache *shared[8] = {0};
    for (int rep = 0; rep < 120; rep++) {
        int k = 1 + rep % 7, D = 2 * (rep % 5), ntok = 1 + rand() % (k + 1);
        uint8_t x[8], y[8];
        for (int a = 0; a < k; a++) {
            x[a] = (uint8_t)(rand() % ntok);
            y[a] = (uint8_t)(rand() % (ntok + 1));
        }
        if (!shared[k])
            shared[k] = tkc_series_cache_alloc(k, &err);
        tkc_series_cache *fresh = tkc_series_cache_alloc(k, &err);
        tkc_series *t = series_raw(x, y, k, D);
        mpq_t *g = graded_of(x, y, k, D, shared[k]);
        mpq_t *f = graded_of(x, y, k, D, fresh);
        for (size_t m = 0; m < tkc_series_monomials(D); m++) {
            int a, b;
            tkc_series_monomial(m, &a, &b);
            bad += !mpq_equal(g[m], tkc_series_coeff(t, a, b));
            cache_diff += !mpq_equal(g[m], f[m]);
            n++;
        }
        for (int i = 0; i < t->nbeta; i++)
            for (int j = i + 2; j < t->ngamma; j++)
                above += mpq_sgn(tkc_series_coeff(t, i, j)) != 0;
        graded_free(g, D);
        graded_free(f, D);
        tkc_series_free(t);
        tkc_series_cache_free(fresh);
    }
    CHECK(bad == 0, "graded vs table: %d of %d coefficients differ", bad, n);
    CHECK(cache_diff == 0, "shared vs fresh cache: %d differ", cache_diff);
    CHECK(above == 0, "table entries above b = a + 1: %d nonzero", above);
    CHECK(tkc_series_cache_entries(shared[5]) > 0, "the shared cache fills");
    CHECK(tkc_series_cache_clear(shared[5], &err) == 0 &&
              tkc_series_cache_entries(shared[5]) == 0, "cache cleared");
    for (int k = 0; k < 8; k++)
        tkc_series_cache_free(shared[k]);
}

/* Through total order 4 the graded coefficients are entries of the sympy
 * brute-force tables above; the graded run at order 10 starts with those
 * of order 4. */
static void test_graded_bruteforce(void)
{
    struct {
        const char *x, *y;
        const char *c[5];            /* β^0, β^2, γ^2, β^4, β^2γ^2 */
    } t[] = {
        {"aC", "bC", {"1/4", "1/16", "1/2", "-1/16", "1/4"}},
        {"aab", "bca", {"1/3", "4/27", "1/3", "-8/81", "-2/9"}},
        {"abab", "aabb", {"1/2", "1/4", "1/4", "-1/4", "0"}},
    };
    tkc_error err;
    for (size_t n = 0; n < sizeof t / sizeof t[0]; n++) {
        int k = (int)strlen(t[n].x);
        tkc_token tx[8], ty[8];
        tokens(t[n].x, tx);
        tokens(t[n].y, ty);
        tkc_pattern pat;
        tkc_pattern_of_pair(&pat, tx, ty, (size_t)k);
        tkc_series_cache *c = tkc_series_cache_alloc(k, &err);
        mpq_t *g4 = graded_of(pat.x, pat.y, k, 4, c);
        mpq_t *g10 = graded_of(pat.x, pat.y, k, 10, c);
        mpq_t q;
        mpq_init(q);
        for (int m = 0; m < 5; m++) {
            mpq_set_str(q, t[n].c[m], 10);
            mpq_canonicalize(q);
            CHECK(mpq_equal(q, g4[m]) && mpq_equal(q, g10[m]),
                  "brute force (%s, %s) graded monomial %d", t[n].x, t[n].y,
                  m);
        }
        mpq_clear(q);
        graded_free(g4, 4);
        graded_free(g10, 10);
        tkc_series_cache_free(c);
    }
}

/* Tables of order D from the brute force (series_bruteforce.py X Y D:
 * aC/bC to β^10 in about 6 minutes of sympy, aab/bca to β^6 in about 10):
 * the whole table, and the graded coefficients through total order D
 * (total order 10 is where two-template sets get decided). */
static void check_bruteforce(const char *x, const char *y, int D,
                             const char *const c[][7])
{
    tkc_series *t = series_of(x, y, D);
    for (int i = 0; i <= D / 2; i++)
        for (int j = 0; j <= D / 2 + 1; j++)
            CHECK(coeff_is(t, i, j, c[i][j] ? c[i][j] : "0"),
                  "brute force %s/%s beta^%d gamma^%d", x, y, 2 * i, 2 * j);
    tkc_series_free(t);
    tkc_error err;
    tkc_token tx[8], ty[8];
    tokens(x, tx);
    tokens(y, ty);
    int k = (int)strlen(x);
    tkc_pattern pat;
    tkc_pattern_of_pair(&pat, tx, ty, (size_t)k);
    tkc_series_cache *cache = tkc_series_cache_alloc(k, &err);
    mpq_t *g = graded_of(pat.x, pat.y, k, D, cache);
    mpq_t q;
    mpq_init(q);
    for (size_t m = 0; m < tkc_series_monomials(D); m++) {
        int a, b;
        tkc_series_monomial(m, &a, &b);
        mpq_set_str(q, c[a][b], 10);
        mpq_canonicalize(q);
        CHECK(mpq_equal(q, g[m]), "brute force %s/%s graded beta^%d "
              "gamma^%d", x, y, 2 * a, 2 * b);
    }
    mpq_clear(q);
    graded_free(g, D);
    tkc_series_cache_free(cache);
}

static void test_bruteforce_high_order(void)
{
    static const char *const aC_bC[6][7] = {
        {"1/4", "1/2"},
        {"1/16", "1/4", "1/4"},
        {"-1/16", "-5/16", "-1/2", "-1/4"},
        {"31/384", "47/96", "69/64", "49/48", "17/48"},
        {"-25/192", "-179/192", "-167/64", "-229/64", "-29/12", "-31/48"},
        {"977/3840", "4037/1920", "1823/256", "203/16", "1611/128",
         "3173/480", "691/480"},
    };
    static const char *const aab_bca[4][7] = {
        {"1/3", "1/3"},
        {"4/27", "-2/9", "2/9"},
        {"-8/81", "11/162", "-5/162", "-1/9"},
        {"50/729", "-8/243", "14/243", "22/243", "1/27"},
    };
    check_bruteforce("aC", "bC", 10, aC_bC);
    check_bruteforce("aab", "bca", 6, aab_bca);
}

static void test_graded_errors(void)
{
    tkc_error err;
    tkc_series_cache *c = tkc_series_cache_alloc(3, &err);
    tkc_pattern pat;
    memset(&pat, 0, sizeof pat);
    pat.k = 4;
    mpq_t q[8];
    for (int m = 0; m < 8; m++)
        mpq_init(q[m]);
    CHECK(tkc_series_compute_graded(q, &pat, 4, c, &err) == TKC_EINPUT,
          "a cache for k = 3 refused for k = 4");
    pat.k = 3;
    CHECK(tkc_series_compute_graded(q, &pat, 5, c, &err) == TKC_EINPUT,
          "odd total order refused");
    CHECK(tkc_series_cache_alloc(0, &err) == NULL && err.status == TKC_EINPUT,
          "k = 0 refused");
    for (int m = 0; m < 8; m++)
        mpq_clear(q[m]);
    tkc_series_cache_free(c);
    /* the graded work is a small part of the table's at the same order */
    uint8_t x[11] = {0, 1, 2, 0, 1, 3, 0, 1, 2, 4, 5}, y[11];
    for (int a = 0; a < 11; a++)
        y[a] = (uint8_t)(x[a] ? x[a] + 5 : 5);
    memcpy(pat.x, x, 11);
    memcpy(pat.y, y, 11);
    pat.k = 11;
    CHECK(tkc_series_cost_graded(&pat, 10) < 0.1 * tkc_series_cost(&pat, 10),
          "graded cost %g vs table %g at k = 11, order 10",
          tkc_series_cost_graded(&pat, 10), tkc_series_cost(&pat, 10));
}

/* ---- the series estimator against Monte Carlo ------------------------------ */

static int eval(const tkc_kernel_spec *spec, const char *x, const char *y,
                double *value, double *se, tkc_error_kind *kind, tkc_error *err)
{
    tkc_token tx[TKC_K_MAX], ty[TKC_K_MAX];
    tokens(x, tx);
    tokens(y, ty);
    return tkc_kernel_eval(spec, tx, ty, strlen(x), value, se, kind, err);
}

static void test_series_vs_mc(void)
{
    const char *pairs[][2] = {{"aC", "bC"}, {"aab", "bca"}, {"abab", "aabb"},
                              {"abC", "abC"}, {"abc", "cab"}};
    for (size_t n = 0; n < sizeof pairs / sizeof pairs[0]; n++) {
        const char *x = pairs[n][0], *y = pairs[n][1];
        tkc_kernel_spec ss, sm;
        spec_attn(&ss, tkc_attn_series, 0.25, 0.5);
        spec_attn(&sm, tkc_attn_mc, 0.25, 0.5);
        sm.mc.samples = 1 << 19;
        sm.seed = 11 + n;
        double vs, es, vm, em;
        tkc_error_kind ks, km;
        tkc_error err;
        int rc = eval(&ss, x, y, &vs, &es, &ks, &err);
        CHECK(rc == 0, "series (%s, %s): %s", x, y, rc ? err.message : "");
        rc = eval(&sm, x, y, &vm, &em, &km, &err);
        CHECK(rc == 0, "mc (%s, %s): %s", x, y, rc ? err.message : "");
        CHECK(ks == TKC_ERROR_TRUNCATION, "series error kind");
        CHECK(es > 0 && es < 1e-4, "series error estimate %g at beta 0.25", es);
        CHECK_WITHIN_SE(vm, vs, sqrt(em * em + es * es), 4.0,
                        "series vs high-sample MC at beta 0.25");
    }
    /* a fixed order sums exactly the table: order 2 = K0 + c1 β² */
    tkc_kernel_spec ss;
    spec_attn(&ss, tkc_attn_series, 0.25, 0.5);
    ss.series.order = 2;
    double v, e;
    tkc_error_kind kind;
    tkc_error err;
    CHECK(eval(&ss, "aC", "bC", &v, &e, &kind, &err) == 0, "fixed order 2");
    CHECK_CLOSE(v, 3.0 / 8 + 9.0 / 64 / 16, 1e-15, "order-2 sum");
    CHECK_CLOSE(e, 45.0 / 256 / 256, 1e-15, "order-2 estimate = next term");
}

/* k = 2 by quadrature: the softmax of two logits depends on their
 * difference only, so K_attn = E[Σ_ab M_ab s_a t_b] over the 2-D Gaussian
 * (Δu, Δv) = (u_1 − u_2, v_1 − v_2): Var Δu = 2 − 2·1(x_1 = x_2) + 2γ²,
 * Cov = 1(x_1=y_1) − 1(x_1=y_2) − 1(x_2=y_1) + 1(x_2=y_2) + 2γ².  Gauss–Hermite
 * with 80² nodes is good to ~1e-13 here: a check of the high-order
 * coefficients (β = 0.3 summed to β^20, β = 0.15 to β^12). */
static double quad_k2(const char *x, const char *y, double beta, double gamma)
{
    double g = gamma * gamma;
    double vu = 2 - 2 * (x[0] == x[1]) + 2 * g, vv = 2 - 2 * (y[0] == y[1]) + 2 * g;
    double c = (x[0] == y[0]) - (x[0] == y[1]) - (x[1] == y[0]) + (x[1] == y[1]) + 2 * g;
    double l11 = sqrt(vu), l21 = c / l11, l22 = sqrt(fmax(0.0, vv - l21 * l21));
    double M[2][2];
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            M[a][b] = (x[a] == y[b]) + (a == b ? g : 0.0);
    size_t n = 80;
    gsl_integration_fixed_workspace *q =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0, 1, 0, 0);
    const double *node = gsl_integration_fixed_nodes(q);
    const double *wt = gsl_integration_fixed_weights(q);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double z1 = M_SQRT2 * node[i], z2 = M_SQRT2 * node[j];
            double du = l11 * z1, dv = l21 * z1 + l22 * z2;
            double s1 = 1 / (1 + exp(-beta * du)), t1 = 1 / (1 + exp(-beta * dv));
            double s[2] = {s1, 1 - s1}, t[2] = {t1, 1 - t1}, f = 0;
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    f += M[a][b] * s[a] * t[b];
            sum += wt[i] * wt[j] * f;
        }
    gsl_integration_fixed_free(q);
    return sum / M_PI;
}

static void test_series_vs_quadrature(void)
{
    const char *pairs[][2] = {{"aC", "bC"}, {"ab", "ba"}, {"aa", "ab"}, {"ab", "ab"},
                              {"ab", "cd"}};
    const double betas[] = {0.15, 0.3};
    for (size_t n = 0; n < sizeof pairs / sizeof pairs[0]; n++)
        for (size_t b = 0; b < 2; b++) {
            tkc_kernel_spec ss;
            spec_attn(&ss, tkc_attn_series, betas[b], 0.5);
            ss.series.order = b ? 20 : 12;        /* fixed: error = next term */
            double v, e;
            tkc_error_kind kind;
            tkc_error err;
            int rc = eval(&ss, pairs[n][0], pairs[n][1], &v, &e, &kind, &err);
            CHECK(rc == 0, "series k = 2: %s", rc ? err.message : "");
            double qv = quad_k2(pairs[n][0], pairs[n][1], betas[b], 0.5);
            char what[80];
            snprintf(what, sizeof what, "series vs quadrature (%s, %s) beta %g",
                     pairs[n][0], pairs[n][1], betas[b]);
            CHECK_WITHIN_SE(v, qv, e + 1e-12, 3.0, what);
            CHECK(e < (betas[b] < 0.2 ? 1e-9 : 1e-5), "%s: estimate %g", what, e);
        }
}

/* Outside the useful range the estimator refuses and names alternatives. */
static void test_refusal(void)
{
    tkc_kernel_spec ss;
    spec_attn(&ss, tkc_attn_series, 1.0, 0.5);
    double v, e;
    tkc_error_kind kind;
    tkc_error err;
    int rc = eval(&ss, "aC", "bC", &v, &e, &kind, &err);
    CHECK(rc == TKC_ERANGE, "beta = 1 refused (rc %d)", rc);
    CHECK(strstr(err.message, "mc") != NULL, "refusal names another estimator: %s",
          err.message);
    /* β = 0 is exact, whatever the estimator */
    spec_attn(&ss, tkc_attn_series, 0.0, 0.5);
    CHECK(eval(&ss, "aab", "bca", &v, &e, &kind, &err) == 0, "beta 0");
    CHECK_CLOSE(v, 3.0 / 9 + 0.25 / 3, 1e-15, "beta 0 value");
}

/* ---- β-derivatives by Monte Carlo (mixed β²γ², β⁴γ² coefficients) -------- */

/* Per draw z, the antithetic average f_z(β) is even in β with f_z(0) = K0:
 * f_z(β) = K0 + a1 β² + a2 β⁴ + a3 β⁶ + ....  From β = h, 2h, 3h the
 * Vandermonde solve gives a1(z), a2(z) with bias O(h⁶), O(h⁴); E a_i = c_i(γ²).
 * Doing it at four γ with the same z and solving in g = γ² per draw gives
 * Monte Carlo estimates of every c_ij, with standard errors. */
static void test_mc_derivatives(const char *x, const char *y, double h,
                                size_t ndraws)
{
    enum { NB = 3, NG = 4 };
    const double gam[NG] = {0.0, 0.5, 0.8, 1.1};
    size_t k = strlen(x);
    tkc_strings *S = tkc_strings_alloc(2, k, NULL);
    tokens(x, tkc_strings_row(S, 0));
    tokens(y, tkc_strings_row(S, 1));
    tkc_pair p = {0, 1};
    tkc_attn_layout *L[NB][NG];
    tkc_attn_work *W[NB][NG];
    for (int b = 0; b < NB; b++)
        for (int g = 0; g < NG; g++) {
            L[b][g] = tkc_attn_layout_alloc(S, &p, 1, (b + 1) * h, gam[g], NULL);
            W[b][g] = tkc_attn_work_alloc(L[b][g], NULL);
        }
    size_t dim = tkc_attn_layout_dim(L[0][0]);
    double z[2 * TKC_K_MAX + TKC_K_MAX];
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    tkc_rng rng;
    tkc_rng_stream(&rng, 2024, TKC_RNG_MC, 0);
    /* running sums of the per-draw estimates of c_{1j}, c_{2j} */
    double sum[2][NG] = {{0}}, sq[2][NG] = {{0}};
    for (size_t n = 0; n < ndraws; n++) {
        for (size_t d = 0; d < dim; d++)
            z[d] = tkc_rng_normal(&zig, &rng);
        double a[2][NG];
        for (int g = 0; g < NG; g++) {
            double r[NB];
            for (int b = 0; b < NB; b++) {
                double fp, fm, bb = (b + 1) * h;
                tkc_attn_integrand_antithetic(L[b][g], W[b][g], z, &fp, &fm);
                r[b] = (0.5 * (fp + fm) - tkc_attn_layout_beta0(L[b][g], 0)) /
                       (bb * bb);
            }
            /* r(t) = a1 + a2 t + a3 t², t = β² ∈ {h², 4h², 9h²} */
            double t1 = h * h, t2 = 4 * h * h, t3 = 9 * h * h;
            double d12 = (r[1] - r[0]) / (t2 - t1), d23 = (r[2] - r[1]) / (t3 - t2);
            double a3 = (d23 - d12) / (t3 - t1);
            double a2 = d12 - a3 * (t1 + t2);
            double a1 = r[0] - a2 * t1 - a3 * t1 * t1;
            a[0][g] = a1;
            a[1][g] = a2;
        }
        /* solve a(g) = Σ_j c_j g^j through the four g = γ² (Lagrange) */
        for (int i = 0; i < 2; i++) {
            double c[NG] = {0};
            for (int g = 0; g < NG; g++) {
                /* basis polynomial of node g, expanded in powers of G */
                double poly[NG] = {1, 0, 0, 0}, den = 1;
                int deg = 0;
                for (int o = 0; o < NG; o++) {
                    if (o == g)
                        continue;
                    double go = gam[o] * gam[o];
                    for (int d = ++deg; d > 0; d--)
                        poly[d] = poly[d - 1] - go * poly[d];
                    poly[0] *= -go;
                    den *= gam[g] * gam[g] - go;
                }
                for (int d = 0; d < NG; d++)
                    c[d] += a[i][g] * poly[d] / den;
            }
            for (int j = 0; j < NG; j++) {
                sum[i][j] += c[j];
                sq[i][j] += c[j] * c[j];
            }
        }
    }
    tkc_series *s = series_of(x, y, 4);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < NG && j <= i + 2; j++) {
            double nn = (double)ndraws, mean = sum[i][j] / nn;
            double se = sqrt((sq[i][j] / nn - mean * mean) / (nn - 1));
            double exact = mpq_get_d(tkc_series_coeff(s, i + 1, j));
            char what[96];
            snprintf(what, sizeof what, "MC derivative (%s, %s) beta^%d gamma^%d",
                     x, y, 2 * (i + 1), 2 * j);
            /* bias of the extrapolation is O(h^4) ≪ se here */
            CHECK_WITHIN_SE(mean, exact, se + 1e-3, 4.0, what);
        }
    tkc_series_free(s);
    for (int b = 0; b < NB; b++)
        for (int g = 0; g < NG; g++) {
            tkc_attn_work_free(W[b][g]);
            tkc_attn_layout_free(L[b][g]);
        }
    tkc_strings_free(S);
}

/* ---- control-variate Monte Carlo and auto --------------------------------- */

static void test_cvmc(void)
{
    tkc_kernel_spec sc, sm, ss;
    spec_attn(&ss, tkc_attn_series, 0.25, 0.5);
    spec_attn(&sc, tkc_attn_cvmc, 0.25, 0.5);
    spec_attn(&sm, tkc_attn_mc, 0.25, 0.5);
    sc.cvmc.samples = sm.mc.samples = 1 << 16;
    sc.seed = sm.seed = 3;
    const char *pairs[][2] = {{"aC", "bC"}, {"abab", "aabb"}, {"abcab", "ccbaa"}};
    for (size_t n = 0; n < 3; n++) {
        const char *x = pairs[n][0], *y = pairs[n][1];
        double vc, ec, vm, em, vs, es;
        tkc_error_kind kc;
        tkc_error err;
        CHECK(eval(&sc, x, y, &vc, &ec, &kc, &err) == 0, "cvmc: %s", err.message);
        CHECK(eval(&sm, x, y, &vm, &em, &kc, &err) == 0, "mc: %s", err.message);
        CHECK(eval(&ss, x, y, &vs, &es, &kc, &err) == 0, "series: %s", err.message);
        CHECK_WITHIN_SE(vc, vs, sqrt(ec * ec + es * es), 4.0, "cvmc vs series");
        /* variance O(β⁸) instead of O(β⁴): at β = 1/4 far smaller */
        CHECK(em / ec > 5.0, "cvmc se %g vs mc se %g at beta 0.25 (%s, %s)", ec,
              em, x, y);
    }
    /* the β⁴ control beats the β² one at small β; both unbiased */
    {
        double v2, e2, v4, e4;
        tkc_error_kind kk;
        tkc_error er;
        sc.cvmc.order = 2;
        CHECK(eval(&sc, "abab", "aabb", &v2, &e2, &kk, &er) == 0, "cvmc order 2");
        sc.cvmc.order = 4;
        CHECK(eval(&sc, "abab", "aabb", &v4, &e4, &kk, &er) == 0, "cvmc order 4");
        CHECK(e4 * 3 < e2, "order-4 control se %g vs order-2 %g at beta 0.25", e4, e2);
        double vs, es;
        CHECK(eval(&ss, "abab", "aabb", &vs, &es, &kk, &er) == 0, "series");
        CHECK_WITHIN_SE(v2, vs, sqrt(e2 * e2 + es * es), 4.0, "cvmc order 2 vs series");
        CHECK_WITHIN_SE(v4, vs, sqrt(e4 * e4 + es * es), 4.0, "cvmc order 4 vs series");
        sc.cvmc.order = 3;
        CHECK(eval(&sc, "abab", "aabb", &v2, &e2, &kk, &er) == TKC_EINPUT,
              "cvmc order 3 refused");
        sc.cvmc.order = 4;
    }
    /* unbiased at large β too, where the control helps little */
    sc.beta = sm.beta = 1.5;
    sc.seed = 5;
    sm.mc.samples = 1 << 18;
    double vc, ec, vm, em;
    tkc_error_kind kind;
    tkc_error err;
    CHECK(eval(&sc, "abab", "aabb", &vc, &ec, &kind, &err) == 0, "cvmc beta 1.5");
    CHECK(eval(&sm, "abab", "aabb", &vm, &em, &kind, &err) == 0, "mc beta 1.5");
    CHECK_WITHIN_SE(vc, vm, sqrt(ec * ec + em * em), 4.0, "cvmc vs mc at beta 1.5");
    CHECK(kind == TKC_ERROR_STATISTICAL, "cvmc error kind");
    /* same seed, same digits; covariance of common random numbers */
    tkc_strings *S = tkc_strings_alloc(3, 3, NULL);
    tokens("aab", tkc_strings_row(S, 0));
    tokens("bca", tkc_strings_row(S, 1));
    tokens("ccc", tkc_strings_row(S, 2));
    tkc_pair p[2] = {{0, 1}, {0, 2}};
    tkc_kernel_values *v1 = tkc_kernel_values_alloc(2, 1, NULL);
    tkc_kernel_values *v2 = tkc_kernel_values_alloc(2, 1, NULL);
    sc.beta = 0.5;
    CHECK(tkc_attn_cvmc->eval_pairs(&sc, S, p, 2, v1, &err) == 0, "cvmc pairs");
    CHECK(tkc_attn_cvmc->eval_pairs(&sc, S, p, 2, v2, &err) == 0, "cvmc pairs");
    CHECK(v1->value[0] == v2->value[0] && v1->value[1] == v2->value[1],
          "cvmc reproducible");
    CHECK(v1->cov[1] == v1->cov[2] && v1->cov[0] == v1->se[0] * v1->se[0] &&
              fabs(v1->cov[1]) <= v1->se[0] * v1->se[1] * (1 + 1e-12),
          "cvmc covariance symmetric, diagonal se^2, |rho| <= 1");
    CHECK(strstr(v1->note, "reduced") != NULL, "cvmc note: %s", v1->note);
    tkc_kernel_values_free(v1);
    tkc_kernel_values_free(v2);
    tkc_strings_free(S);
}

static void auto_eval(double beta, double target, const char *x, const char *y,
                      const char **picked, double *value, double *se)
{
    tkc_kernel_spec sa;
    spec_attn(&sa, tkc_attn_auto, beta, 0.5);
    sa.automatic.target_se = target;
    tkc_strings *S = tkc_strings_alloc(2, strlen(x), NULL);
    tokens(x, tkc_strings_row(S, 0));
    tokens(y, tkc_strings_row(S, 1));
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, NULL);
    tkc_error err;
    int rc = tkc_attn_auto->eval_pairs(&sa, S, &p, 1, v, &err);
    CHECK(rc == 0, "auto at beta %g: %s", beta, rc ? err.message : "");
    CHECK(strstr(v->note, "auto:") != NULL, "auto note says why: %s", v->note);
    *picked = v->estimator;
    *value = v->value[0];
    *se = v->se[0];
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
}

static void test_auto(void)
{
    const char *picked;
    double v, se, vm, em;
    tkc_error_kind kind;
    tkc_error err;
    /* small β: the series alone reaches the target */
    auto_eval(0.25, 1e-4, "aab", "bca", &picked, &v, &se);
    CHECK(!strcmp(picked, "series"), "auto at beta 0.25 picked %s", picked);
    CHECK(se <= 1e-4, "auto se %g within target", se);
    /* moderate β: the series cannot; the control variate and RQMC both
     * beat plain Monte Carlo (6x and ~60x less variance in the pilots) */
    auto_eval(0.45, 1e-4, "abab", "aabb", &picked, &v, &se);
    CHECK(!strcmp(picked, "cvmc") || !strcmp(picked, "qmc"),
          "auto at beta 0.45 picked %s", picked);
    CHECK(se <= 1e-4 * 1.25, "auto se %g near target", se);
    tkc_kernel_spec sm;
    spec_attn(&sm, tkc_attn_mc, 0.45, 0.5);
    sm.mc.samples = 1 << 18;
    CHECK(eval(&sm, "abab", "aabb", &vm, &em, &kind, &err) == 0, "mc");
    CHECK_WITHIN_SE(v, vm, sqrt(se * se + em * em), 4.0, "auto vs mc at beta 0.45");
    /* the choice and the digits depend on the inputs and seed only */
    {
        const char *p2;
        double v2, se2;
        auto_eval(0.45, 1e-4, "abab", "aabb", &p2, &v2, &se2);
        CHECK(!strcmp(p2, picked) && v2 == v && se2 == se,
              "auto reproducible: %s %.17g vs %s %.17g", picked, v, p2, v2);
    }
    /* large β: the series refuses, a sampler is used and agrees with mc */
    auto_eval(3.0, 2e-3, "abab", "aabb", &picked, &v, &se);
    CHECK(strcmp(picked, "series") != 0, "auto at beta 3 picked %s", picked);
    sm.beta = 3.0;
    CHECK(eval(&sm, "abab", "aabb", &vm, &em, &kind, &err) == 0, "mc beta 3");
    CHECK_WITHIN_SE(v, vm, sqrt(se * se + em * em), 4.0, "auto vs mc at beta 3");
}

int main(void)
{
    test_beta0();
    test_spec_example();
    test_bruteforce_tables();
    test_symmetries();
    test_monomial_order();
    test_graded_vs_table();
    test_graded_bruteforce();
    test_bruteforce_high_order();
    test_graded_errors();
    test_series_vs_mc();
    test_series_vs_quadrature();
    test_refusal();
    test_mc_derivatives("aC", "bC", 0.05, 40000);
    test_mc_derivatives("aab", "bca", 0.05, 40000);
    test_cvmc();
    test_auto();
    return check_summary();
}
