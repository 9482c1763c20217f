/* test_coeffs.c — the exact coefficient matrices of N_attn, checked against
 * independent computations: every entry against the pair-by-pair table of
 * tkc_series_compute on the raw strings (no pattern index, no cache, no
 * threads), the symmetry A_ij = A_ji both as patterns (every shipped set)
 * and as numbers computed from the raw strings, raising on demand (only
 * the entries asked for, nothing recomputed, lower coefficients kept), and
 * identical results on 1, 2 and 3 threads. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shipped.h"
#include "tkc/coeffs.h"
#include "tkc/nmatrix.h"
#include "tkc/series.h"
#include "tkc/template.h"

static tkc_template_set *parse(const char *text)
{
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "test", &opt, &set, &err)) {
        fprintf(stderr, "parse: %s\n", err.message);
        exit(2);
    }
    return set;
}

static tkc_coeffs *coeffs_at(const tkc_template_set *set, int D,
                             unsigned threads)
{
    tkc_error err;
    tkc_coeffs *c = tkc_coeffs_alloc(set, &err);
    if (!c || tkc_coeffs_raise(c, D, NULL, threads, NULL, NULL, &err)) {
        fprintf(stderr, "coeffs: %s\n", err.message);
        exit(2);
    }
    return c;
}

/* ---- every entry against the table of its raw pair ------------------------ */

static void test_against_tables(const tkc_template_set *set, int D,
                                const char *what)
{
    tkc_coeffs *c = coeffs_at(set, D, 2);
    tkc_strings *S;
    tkc_error err;
    tkc_nmatrix_strings(set, &S, &err);
    size_t r = set->count, M = tkc_series_monomials(D), bad = 0;
    tkc_series *t = tkc_series_alloc(D, &err);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            CHECK(tkc_coeffs_order(c, i, j) == D, "%s: entry (%zu, %zu) at "
                  "order %d", what, i, j, tkc_coeffs_order(c, i, j));
            tkc_series_compute_pair(t, tkc_strings_row(S, i),
                                    tkc_strings_row(S, r + j), S->k, &err);
            const mpq_t *e = tkc_coeffs_entry(c, i, j);
            for (size_t m = 0; m < M; m++) {
                int a, b;
                tkc_series_monomial(m, &a, &b);
                bad += !mpq_equal(e[m], tkc_series_coeff(t, a, b));
            }
        }
    CHECK(bad == 0, "%s: %zu coefficients differ from tkc_series_compute",
          what, bad);
    tkc_series_free(t);
    tkc_strings_free(S);
    tkc_coeffs_free(c);
}

/* ---- A_ij = A_ji ----------------------------------------------------------- */

/* As patterns, on every shipped set (cheap: no coefficients). */
static void test_symmetric_patterns(void)
{
    for (size_t s = 0; s < SHIPPED_SETS; s++) {
        const char *name = shipped_sets[s];
        tkc_template_set *set = shipped(name);
        tkc_error err;
        tkc_coeffs *c = tkc_coeffs_alloc(set, &err);
        CHECK(c != NULL, "%s: %s", name, c ? "" : err.message);
        if (!c) {
            tkc_template_set_free(set);
            continue;
        }
        size_t r = tkc_coeffs_r(c), asym = 0;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < i; j++)
                asym += tkc_coeffs_pattern_id(c, i, j) !=
                        tkc_coeffs_pattern_id(c, j, i);
        CHECK(asym == 0, "%s: %zu entries with A_ij, A_ji of different "
              "patterns", name, asym);
        CHECK(tkc_coeffs_patterns(c) <= r * (r + 1) / 2,
              "%s: %zu patterns > r(r+1)/2", name, tkc_coeffs_patterns(c));
        tkc_coeffs_free(c);
        tkc_template_set_free(set);
    }
}

/* As numbers from the raw strings: the table of (x_i, y_j) equals that of
 * (x_j, y_i), though the two pairs are different strings. */
static void test_symmetric_values(void)
{
    tkc_template_set *set = parse("1 αβαA\n-1 αββA\n1 ααBβ\n-1 αβγα\n");
    tkc_strings *S;
    tkc_error err;
    tkc_nmatrix_strings(set, &S, &err);
    size_t r = set->count;
    tkc_series *a = tkc_series_alloc(6, &err), *b = tkc_series_alloc(6, &err);
    int same = 1, distinct_strings = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < i; j++) {
            tkc_series_compute_pair(a, tkc_strings_row(S, i),
                                    tkc_strings_row(S, r + j), S->k, &err);
            tkc_series_compute_pair(b, tkc_strings_row(S, j),
                                    tkc_strings_row(S, r + i), S->k, &err);
            for (int p = 0; p < a->nbeta; p++)
                for (int q = 0; q < a->ngamma; q++)
                    same &= mpq_equal(tkc_series_coeff(a, p, q),
                                      tkc_series_coeff(b, p, q)) != 0;
            distinct_strings += memcmp(tkc_strings_row(S, i),
                                       tkc_strings_row(S, j),
                                       S->k * sizeof(tkc_token)) != 0;
        }
    CHECK(same, "A_ij = A_ji from the raw strings through beta^6");
    CHECK(distinct_strings == 6, "the pairs compared are different strings");
    tkc_series_free(a);
    tkc_series_free(b);
    tkc_strings_free(S);
    tkc_template_set_free(set);
}

/* ---- raising on demand ---------------------------------------------------- */

static void test_raise_on_demand(void)
{
    tkc_template_set *set = shipped("majority3.tpl");
    tkc_error err;
    tkc_coeffs *c = tkc_coeffs_alloc(set, &err);
    size_t r = tkc_coeffs_r(c);
    uint8_t *need = calloc(r * r, 1);
    need[0 * r + 1] = 1;                /* A_01 (and so A_10) */
    need[2 * r + 2] = 1;                /* A_22 */
    tkc_coeffs_stats st;
    size_t np;
    double work = tkc_coeffs_raise_work(c, 4, need, &np);
    CHECK(np == 2 && work > 0, "raise work: %zu patterns, %g units", np, work);
    CHECK(tkc_coeffs_raise(c, 4, need, 2, NULL, &st, &err) == 0, "raise: %s",
          err.message);
    CHECK(st.patterns == 2 && st.work == work, "raised %zu patterns, work %g",
          st.patterns, st.work);
    size_t known = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            known += tkc_coeffs_order(c, i, j) == 4;
    CHECK(tkc_coeffs_order(c, 1, 0) == 4 && tkc_coeffs_order(c, 2, 2) == 4 &&
              tkc_coeffs_order(c, 0, 0) == -1 && !tkc_coeffs_entry(c, 0, 0),
          "only the entries asked for are known");
    CHECK(known == 3, "%zu entries known, expected A_01, A_10, A_22", known);
    CHECK(tkc_coeffs_raise(c, 4, need, 1, NULL, &st, &err) == 0 && st.patterns == 0,
          "raising to the same order again computes nothing (%zu)",
          st.patterns);
    /* keep the order-4 coefficients, raise everything to 8: they are the
     * prefix of the longer list */
    mpq_t keep[5];
    for (int m = 0; m < 5; m++) {
        mpq_init(keep[m]);
        mpq_set(keep[m], tkc_coeffs_entry(c, 0, 1)[m]);
    }
    CHECK(tkc_coeffs_raise(c, 8, NULL, 2, NULL, &st, &err) == 0 &&
              st.patterns == tkc_coeffs_patterns(c),
          "raise all to 8: %zu of %zu patterns", st.patterns,
          tkc_coeffs_patterns(c));
    int prefix = 1;
    for (int m = 0; m < 5; m++) {
        prefix &= mpq_equal(keep[m], tkc_coeffs_entry(c, 0, 1)[m]) != 0;
        mpq_clear(keep[m]);
    }
    CHECK(prefix, "order-4 coefficients are the prefix of the order-8 ones");
    CHECK(tkc_coeffs_raise(c, 7, NULL, 1, NULL, NULL, &err) == TKC_EINPUT,
          "odd total order refused");
    CHECK(tkc_coeffs_raise(c, -2, NULL, 1, NULL, NULL, &err) == TKC_EINPUT,
          "negative total order refused");
    free(need);
    tkc_coeffs_free(c);
    tkc_template_set_free(set);
}

/* ---- threads ---------------------------------------------------------------- */

static int coeffs_equal(const tkc_coeffs *a, const tkc_coeffs *b)
{
    size_t r = tkc_coeffs_r(a);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            int D = tkc_coeffs_order(a, i, j);
            if (D != tkc_coeffs_order(b, i, j))
                return 0;
            size_t M = tkc_series_monomials(D);
            for (size_t m = 0; m < M; m++)
                if (!mpq_equal(tkc_coeffs_entry(a, i, j)[m],
                               tkc_coeffs_entry(b, i, j)[m]))
                    return 0;
        }
    return 1;
}

static void test_threads(void)
{
    tkc_template_set *set = shipped("random.tpl");
    tkc_coeffs *c1 = coeffs_at(set, 6, 1), *c2 = coeffs_at(set, 6, 2),
               *c3 = coeffs_at(set, 6, 3);
    CHECK(coeffs_equal(c1, c2), "1 and 2 threads give the same matrices");
    CHECK(coeffs_equal(c1, c3), "1 and 3 threads give the same matrices");
    tkc_coeffs_free(c1);
    tkc_coeffs_free(c2);
    tkc_coeffs_free(c3);
    tkc_template_set_free(set);
}

static void test_errors(void)
{
    tkc_error err;
    tkc_strings *S = tkc_strings_alloc(3, 2, &err);
    CHECK(tkc_coeffs_alloc_strings(S, 2, &err) == NULL &&
              err.status == TKC_EINPUT,
          "3 strings for r = 2 refused");
    tkc_strings_free(S);
}

int main(void)
{
    tkc_template_set *set = shipped("majority3.tpl");
    test_against_tables(set, 8, "majority3 at total order 8");
    tkc_template_set_free(set);
    set = shipped("aba_abb.tpl");
    test_against_tables(set, 10, "aba_abb at total order 10");
    tkc_template_set_free(set);
    set = parse("1 αβAα\n-1 αββB\n1 ABαα\n");
    test_against_tables(set, 8, "regular tokens at total order 8");
    tkc_template_set_free(set);
    test_symmetric_patterns();
    test_symmetric_values();
    test_raise_on_demand();
    test_threads();
    test_errors();
    return check_summary();
}
