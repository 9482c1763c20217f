/* test_series_det.c — the exact small-β determinant: the Q[[t]]
 * elimination against the Leibniz determinant of the full polynomial
 * matrix (whatever the terms it did not see), against det P·det Q·t^Σk for
 * P·diag(t^k)·Q, and N_attn's leading term against the one assembled here
 * pair by pair from tkc_series_compute_pair. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "permutations.h"
#include "tkc/nmatrix.h"
#include "tkc/series.h"
#include "series_det.h"

static unsigned long lcg_state = 987654321;
static long rnd_int(long lo, long hi)
{
    lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
    return lo + (long)((lcg_state >> 33) % (unsigned long)(hi - lo + 1));
}

/* ---- the elimination against Leibniz ------------------------------------ */

static void mpq_array_free(mpq_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpq_clear(a[i]);
    free(a);
}

/* Leibniz determinant of the polynomial matrix Σ_{i<F} N_i t^i, its P
 * first coefficients: Σ over permutations p of sign(p) Π_a N(t)_{a p(a)}. */
typedef struct leibniz {
    size_t F, P;
    const mpq_t *coef;
    mpq_t *out, *acc, *nx, t;
} leibniz;

static void leibniz_visit(const size_t *p, size_t r, void *ctx)
{
    leibniz *L = ctx;
    size_t P = L->P;
    int sg = 1;
    for (size_t i = 0; i < r; i++)
        for (size_t j = i + 1; j < r; j++)
            if (p[i] > p[j])
                sg = -sg;
    for (size_t i = 0; i < P; i++)
        mpq_set_ui(L->acc[i], i == 0, 1);
    for (size_t a = 0; a < r; a++) {          /* acc ·= N(t)_{a p(a)} mod t^P */
        for (size_t i = 0; i < P; i++) {
            mpq_set_ui(L->nx[i], 0, 1);
            for (size_t j = 0; j <= i; j++) {
                if (i - j >= L->F)
                    continue;
                mpq_mul(L->t, L->acc[j], L->coef[((i - j) * r + a) * r + p[a]]);
                mpq_add(L->nx[i], L->nx[i], L->t);
            }
        }
        for (size_t i = 0; i < P; i++)
            mpq_set(L->acc[i], L->nx[i]);
    }
    for (size_t i = 0; i < P; i++)
        (sg > 0 ? mpq_add : mpq_sub)(L->out[i], L->out[i], L->acc[i]);
}

static void leibniz_series(mpq_t *out, size_t r, size_t F, size_t P,
                           const mpq_t *coef)
{
    leibniz L = {.F = F, .P = P, .coef = coef, .out = out,
                 .acc = malloc(2 * P * sizeof(mpq_t))};
    L.nx = L.acc + P;
    for (size_t i = 0; i < 2 * P; i++)
        mpq_init(L.acc[i]);
    mpq_init(L.t);
    for (size_t i = 0; i < P; i++)
        mpq_set_ui(out[i], 0, 1);
    for_each_permutation(r, leibniz_visit, &L);
    mpq_clear(L.t);
    mpq_array_free(L.acc, 2 * P);
}

static void test_elimination(void)
{
    tkc_series_det d;
    tkc_series_det_init(&d);
    /* random polynomial matrices, N_0 of rank 1 (like β = 0): the routine
     * sees the first P terms; the "true" series has 2 more random terms.
     * A determined answer must match the exact (Leibniz) determinant of
     * the full polynomial — whatever the unseen terms — and an undetermined
     * one must bound its order from below. */
    int ok = 0, trials = 0, positive_order = 0;
    for (int trial = 0; trial < 40; trial++) {
        size_t r = 2 + (size_t)(trial % 3), P = 1 + (size_t)(trial % 4);
        size_t F = P + 2, D = r * (F - 1) + 1;     /* full terms, det terms */
        mpq_t *c = malloc(F * r * r * sizeof *c), *ref = malloc(D * sizeof *ref);
        long u[4], v[4];
        for (size_t i = 0; i < r; i++)
            u[i] = rnd_int(-3, 3), v[i] = rnd_int(-3, 3);
        for (size_t i = 0; i < F; i++)
            for (size_t a = 0; a < r; a++)
                for (size_t b = 0; b < r; b++) {
                    mpq_t *e = &c[(i * r + a) * r + b];
                    mpq_init(*e);
                    if (i == 0)
                        mpq_set_si(*e, u[a] * v[b], 1);
                    else if (trial % 5 == 4 && a == r - 1 && i < P)
                        mpq_set_si(*e, rnd_int(-5, 5) * (i == 1), 1 + rnd_int(0, 6));
                    else
                        mpq_set_si(*e, rnd_int(-5, 5), 1 + (unsigned long)rnd_int(0, 6));
                    mpq_canonicalize(*e);
                }
        for (size_t i = 0; i < D; i++)
            mpq_init(ref[i]);
        leibniz_series(ref, r, F, D, c);
        CHECK(tkc_series_det_leading(&d, r, P, c, NULL) == 0, "series rc");
        size_t lead = 0;
        while (lead < D && mpq_sgn(ref[lead]) == 0)
            lead++;
        trials++;
        if (d.determined)
            ok += d.order == lead && mpq_equal(d.leading, ref[lead]);
        else
            ok += lead >= d.order_lower_bound;
        if (!(d.determined ? d.order == lead && mpq_equal(d.leading, ref[lead])
                           : lead >= d.order_lower_bound))
            fprintf(stderr, "series trial %d: r %zu P %zu det %d order %lu "
                    "bound %lu, true order %zu\n", trial, r, P, d.determined,
                    d.order, d.order_lower_bound, lead);
        positive_order += d.determined && d.order > 0;
        mpq_array_free(c, F * r * r);
        mpq_array_free(ref, D);
    }
    CHECK(ok == trials && positive_order > 10, "series det vs Leibniz: %d/%d, "
          "%d with N_0 singular", ok, trials, positive_order);
    /* P · diag(t^k) · Q: det = det P det Q t^(Σk), exactly; with too few
     * terms, undetermined with a sound lower bound */
    enum { R = 5 };
    long P5[R * R], Q5[R * R];
    unsigned long k5[R] = {0, 2, 1, 3, 1}, ksum = 7;
    for (int i = 0; i < R * R; i++)
        P5[i] = rnd_int(-2, 2), Q5[i] = rnd_int(-2, 2);
    for (int i = 0; i < R; i++)
        P5[i * R + i] += 7, Q5[i * R + i] -= 6;     /* nonsingular */
    mpq_t dp, dq, pq[2 * R * R];
    mpq_inits(dp, dq, NULL);
    for (int i = 0; i < R * R; i++) {
        mpq_init(pq[i]), mpq_set_si(pq[i], P5[i], 1);
        mpq_init(pq[R * R + i]), mpq_set_si(pq[R * R + i], Q5[i], 1);
    }
    leibniz_series(&dp, R, 1, 1, pq);            /* det P, det Q exactly */
    leibniz_series(&dq, R, 1, 1, pq + R * R);
    mpq_mul(dp, dp, dq);
    for (int i = 0; i < 2 * R * R; i++)
        mpq_clear(pq[i]);
    for (size_t nterms = 3; nterms <= 5; nterms++) {
        mpq_t *c = malloc(nterms * R * R * sizeof *c);
        for (size_t i = 0; i < nterms; i++)
            for (int a = 0; a < R; a++)
                for (int b = 0; b < R; b++) {
                    mpq_t *e = &c[(i * R + a) * R + b];
                    mpq_init(*e);
                    long s = 0;
                    for (int m = 0; m < R; m++)
                        s += k5[m] == i ? P5[a * R + m] * Q5[m * R + b] : 0;
                    mpq_set_si(*e, s, 1);
                }
        CHECK(tkc_series_det_leading(&d, R, nterms, c, NULL) == 0, "rc");
        /* each diagonal power needs k_m < nterms; the total order 7 is
         * reached by the elimination even with nterms = 4 */
        if (nterms >= 4)
            CHECK(d.determined && d.order == ksum && mpq_equal(d.leading, dp),
                  "P diag(t^k) Q with %zu terms: order %lu", nterms, d.order);
        else
            CHECK(!d.determined && d.order_lower_bound <= ksum,
                  "too few terms: undetermined, bound %lu <= 7",
                  d.order_lower_bound);
        mpq_array_free(c, nterms * R * R);
    }
    /* the statement in words: same/different-like 2×2, N_0 = (1/4)J,
     * N_1 = [[1, 0], [0, 2]]: det = (1/4)(2 + 1)t + 2t² → 3/4 β² */
    {
        mpq_t e[8];
        const long num[8] = {1, 1, 1, 1, 1, 0, 0, 2}, den[8] = {4, 4, 4, 4, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++)
            mpq_init(e[i]), mpq_set_si(e[i], num[i], (unsigned long)den[i]);
        char text[256];
        CHECK(tkc_series_det_leading(&d, 2, 2, e, NULL) == 0 && d.determined &&
                  d.order == 1, "2x2 order 1");
        tkc_series_det_snprint(text, sizeof text, &d);
        CHECK(strstr(text, "3/4·β^2") != NULL, "statement: %s", text);
        for (int i = 0; i < 8; i++)
            mpq_clear(e[i]);
    }
    /* equal rows: never determined */
    mpq_t e2[2 * 4];
    for (int i = 0; i < 8; i++)
        mpq_init(e2[i]), mpq_set_si(e2[i], 1 + i % 2 + (i >= 4), 3);
    CHECK(tkc_series_det_leading(&d, 2, 2, e2, NULL) == 0 && !d.determined,
          "equal rows undetermined");
    for (int i = 0; i < 8; i++)
        mpq_clear(e2[i]);
    tkc_error err;
    CHECK(tkc_series_det_leading(&d, 0, 2, NULL, &err) == TKC_EINPUT, "r = 0");
    mpq_clears(dp, dq, NULL);
    tkc_series_det_clear(&d);
}

/* ---- N_attn of a template set ------------------------------------------- */

/* For the set in `text` (N built with the MLP kernel: the strings are the
 * same for every kernel), tkc_series_det_attn with nterms terms against
 * the determinant assembled from pair-by-pair tables with `extra` more
 * terms (Leibniz, exact through t^(nterms + extra − 1)). */
static void attn_case(const char *text, double gamma, size_t nterms,
                      size_t extra)
{
    tkc_template_set *set = NULL;
    tkc_nmatrix *nm = NULL;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup("mlp");
    tkc_error err;
    CHECK(!tkc_template_set_parse(text, strlen(text), "test", NULL, &set, &err)
              && !tkc_nmatrix_build(set, &spec, TKC_NMATRIX_COV_NO, &nm, &err),
          "%s: %s", text, err.message);
    if (!nm) {
        tkc_template_set_free(set);
        return;
    }
    size_t r = nm->r, F = nterms + extra;
    mpq_t *c = malloc(F * r * r * sizeof *c), *ref = malloc(F * sizeof *ref), g;
    mpq_init(g);
    mpq_set_d(g, gamma * gamma);
    for (size_t e = 0; e < r * r; e++) {
        tkc_series *s = tkc_series_alloc(2 * (int)(F - 1), NULL);
        CHECK(s && !tkc_series_compute_pair(s, tkc_strings_row(nm->strings, e / r),
                                            tkc_strings_row(nm->strings, r + e % r),
                                            nm->k, NULL), "pair table");
        for (size_t t = 0; t < F; t++) {
            mpq_init(c[t * r * r + e]);
            tkc_series_beta_coeff_q(c[t * r * r + e], s, (int)t, g);
        }
        tkc_series_free(s);
    }
    for (size_t i = 0; i < F; i++)
        mpq_init(ref[i]);
    leibniz_series(ref, r, F, F, c);
    size_t lead = 0;
    while (lead < F && mpq_sgn(ref[lead]) == 0)
        lead++;
    tkc_series_det d;
    tkc_series_det_init(&d);
    CHECK(!tkc_series_det_attn(&d, nm, gamma, nterms, &err), "%s: %s", text,
          err.message);
    if (d.determined)
        CHECK(d.order == lead && lead < F && mpq_equal(d.leading, ref[lead]),
              "%s, γ = %g: order %lu vs %zu", text, gamma, d.order, lead);
    else
        CHECK(lead >= d.order_lower_bound, "%s: bound %lu, true order %zu",
              text, d.order_lower_bound, lead);
    CHECK(d.determined, "%s, γ = %g, %zu terms: determined", text, gamma,
          nterms);
    tkc_series_det_clear(&d);
    mpq_array_free(c, F * r * r);
    mpq_array_free(ref, F);
    mpq_clear(g);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

static void test_attn(void)
{
    attn_case("1 α α\n-1 α β\n", 1, 3, 1);
    attn_case("1 α α\n-1 α β\n", 0.5, 3, 1);
    attn_case("1 α β α\n-1 α β β\n", 1, 3, 1);
    attn_case("1 α α α\n1 α α β\n-1 α β α\n-1 α β β\n", 0.75, 5, 2);
    attn_case("1 a α\n-1 b α\n1 a a\n", 1, 4, 1);
    /* bad term counts */
    tkc_template_set *set = NULL;
    tkc_nmatrix *nm = NULL;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup("mlp");
    const char *sd = "1 α α\n-1 α β\n";
    tkc_template_set_parse(sd, strlen(sd), "sd", NULL, &set, NULL);
    tkc_nmatrix_build(set, &spec, TKC_NMATRIX_COV_NO, &nm, NULL);
    tkc_series_det d;
    tkc_series_det_init(&d);
    tkc_error err;
    CHECK(nm && tkc_series_det_attn(&d, nm, 1, 0, &err) == TKC_EINPUT,
          "0 terms refused");
    CHECK(nm && tkc_series_det_attn(&d, nm, 1, TKC_SERIES_ORDER_MAX, &err) ==
                    TKC_EINPUT, "beyond the largest order refused");
    tkc_series_det_clear(&d);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

int main(void)
{
    test_elimination();
    test_attn();
    mpfr_free_cache();
    return check_summary();
}
