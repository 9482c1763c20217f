/* test_sample.c — the sampler of Definition 2.2: reproducible for a seed,
 * prefix-stable, disjoint train and test alphabets, every sample matching
 * its template, and the distributions (templates by weight, maps uniform and
 * injective, Gaussian label noise) within a few standard errors, with fixed
 * seeds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/sample.h"

static tkc_template_set *parse(const char *text)
{
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "t.tpl", NULL, &set, &err))
        fprintf(stderr, "parse: %s\n", err.message);
    return set;
}

static tkc_sample *draw(const tkc_template_set *set, size_t n, size_t A,
                        unsigned id, double sigma, uint64_t seed)
{
    tkc_sample *s = NULL;
    tkc_error err;
    if (tkc_sample_draw(set, n, A, id, sigma, seed, &s, &err))
        fprintf(stderr, "draw: %s\n", err.message);
    return s;
}

static int same_samples(const tkc_sample *a, const tkc_sample *b, size_t n)
{
    size_t k = a->strings->k;
    return !memcmp(a->strings->tok, b->strings->tok, n * k * sizeof(tkc_token)) &&
           !memcmp(a->template_index, b->template_index, n * sizeof(size_t)) &&
           !memcmp(a->label, b->label, n * sizeof(double));
}

static void test_reproducible(const tkc_template_set *set)
{
    tkc_sample *a = draw(set, 500, 20, 0, 0.3, 42),
               *b = draw(set, 500, 20, 0, 0.3, 42),
               *c = draw(set, 500, 20, 0, 0.3, 43),
               *p = draw(set, 123, 20, 0, 0.3, 42);
    CHECK(a && b && c && p, "draws");
    if (a && b && c && p) {
        CHECK(same_samples(a, b, 500), "same seed, same samples");
        CHECK(!same_samples(a, c, 500), "another seed, other samples");
        CHECK(same_samples(a, p, 123), "the first 123 of 500 are the draw of 123");
    }
    tkc_sample_free(a);
    tkc_sample_free(b);
    tkc_sample_free(c);
    tkc_sample_free(p);
}

static void test_alphabets(const tkc_template_set *set)
{
    size_t A = 7, n = 2000;
    tkc_sample *tr = draw(set, n, A, 0, 0.0, 9), *te = draw(set, n, A, 1, 0.0, 9);
    if (!tr || !te) {
        CHECK(0, "draws");
        goto done;
    }
    tkc_token lo = (tkc_token)set->nsymbols;
    int in_range = 1, matches = 1, labels = 1;
    unsigned char used_train[64] = {0}, used_test[64] = {0};
    for (size_t m = 0; m < n; m++) {
        for (int split = 0; split < 2; split++) {
            const tkc_sample *s = split ? te : tr;
            const tkc_token *x = tkc_strings_row(s->strings, m);
            size_t i = s->template_index[m];
            matches &= tkc_template_matches(set, i, x);
            labels &= s->label[m] == set->t[i].label;
            for (size_t a = 0; a < set->k; a++) {
                if (x[a] < lo)
                    continue;                           /* a regular token */
                tkc_token first = lo + (tkc_token)(split * A);
                in_range &= x[a] >= first && x[a] < first + (tkc_token)A;
                (split ? used_test : used_train)[x[a] - lo] = 1;
            }
        }
    }
    int overlap = 0, all_used = 1;
    for (size_t t = 0; t < 2 * A; t++) {
        overlap |= used_train[t] && used_test[t];
        all_used &= t < A ? used_train[t] : used_test[t];
    }
    CHECK(in_range, "train tokens in [ns, ns+A), test tokens in [ns+A, ns+2A)");
    CHECK(!overlap, "train and test alphabets are disjoint");
    CHECK(all_used, "every token of each alphabet is used");
    CHECK(matches, "every sample matches its template");
    CHECK(labels, "sigma = 0: labels are f*(z) exactly");
done:
    tkc_sample_free(tr);
    tkc_sample_free(te);
}

/* Templates by weight; maps uniform over the injective ones. */
static void test_distribution(void)
{
    tkc_template_set *set = parse("1 [w=0.25] α α\n-1 [w=0.75] α β\n");
    size_t n = 40000, A = 5;
    tkc_sample *s = set ? draw(set, n, A, 0, 0.0, 2024) : NULL;
    if (!s) {
        CHECK(0, "draw");
        tkc_template_set_free(set);
        return;
    }
    double count0 = 0, pairs[5][5] = {{0}}, hit[5] = {0}, n1 = 0;
    for (size_t m = 0; m < n; m++) {
        const tkc_token *x = tkc_strings_row(s->strings, m);
        if (s->template_index[m] == 0) {
            count0++;
            continue;
        }
        n1++;
        size_t a = (size_t)(x[0] - (tkc_token)set->nsymbols),
               b = (size_t)(x[1] - (tkc_token)set->nsymbols);
        pairs[a][b]++;
        hit[a]++;
        hit[b]++;
    }
    double p = 0.25;
    CHECK_WITHIN_SE(count0 / n, p, sqrt(p * (1 - p) / n), 4, "P(template 1)");
    int bad = 0;
    for (size_t a = 0; a < A; a++)
        for (size_t b = 0; b < A; b++) {
            double q = a == b ? 0.0 : 1.0 / 20.0, f = pairs[a][b] / n1;
            if (a == b ? f != 0.0 : fabs(f - q) > 4.5 * sqrt(q * (1 - q) / n1))
                bad++;
        }
    CHECK(bad == 0, "(s(α), s(β)) uniform over the 20 injective maps: %d off", bad);
    /* ρ = 1 / max_t P[t ∈ s(W)] is A / 2 for αβ */
    double maxp = 0;
    for (size_t t = 0; t < A; t++)
        maxp = fmax(maxp, hit[t] / n1);
    CHECK_WITHIN_SE(1.0 / maxp, A / 2.0, 0.15, 1, "empirical rho near A/w");
    double rho;
    CHECK(tkc_template_set_rho(set, A, &rho, NULL) == 0 && rho == A / 2.0,
          "rho = A / max w");
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

static void test_noise(void)
{
    tkc_template_set *set = parse("2 αα\n-1 αβ\n");
    size_t n = 20000;
    double sigma = 0.5;
    tkc_sample *s = set ? draw(set, n, 10, 0, sigma, 77) : NULL;
    if (!s) {
        CHECK(0, "draw");
        tkc_template_set_free(set);
        return;
    }
    double sum = 0, sum2 = 0;
    for (size_t m = 0; m < n; m++) {
        double e = s->label[m] - set->t[s->template_index[m]].label;
        sum += e;
        sum2 += e * e;
    }
    double var = sigma * sigma;
    CHECK_WITHIN_SE(sum / n, 0.0, sigma / sqrt(n), 4, "noise mean");
    CHECK_WITHIN_SE(sum2 / n, var, var * sqrt(2.0 / n), 4, "noise variance");
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

static void test_symbolic(void)
{
    tkc_template_set *set = parse("α α β γ ?\nγ α γ γ ?\n");
    tkc_sample *s = set ? draw(set, 300, 6, 1, 1.0, 5) : NULL;
    if (!s) {
        CHECK(0, "draw");
        tkc_template_set_free(set);
        return;
    }
    int ok = 1;
    for (size_t m = 0; m < 300; m++) {
        const tkc_token *x = tkc_strings_row(s->strings, m);
        /* label wildcard α sits at position 0 in template 0, γ at 1 in 1 */
        size_t pos = s->template_index[m] == 0 ? 0 : 1;
        ok &= s->label[m] == (double)x[pos];
    }
    CHECK(ok, "a symbolic label is the token its wildcard became (no noise)");
    tkc_sample_free(s);
    tkc_template_set_free(set);
}

static void test_errors(const tkc_template_set *set)
{
    tkc_sample *s = (tkc_sample *)1;
    CHECK(tkc_sample_draw(set, 10, 1, 0, 0, 1, &s, NULL) == TKC_EINPUT && !s,
          "alphabet smaller than a template's wildcards");
    CHECK(tkc_sample_draw(set, 10, 5, 0, NAN, 1, &s, NULL) == TKC_EINPUT,
          "NaN noise");
    CHECK(tkc_sample_draw(set, 10, 5, 0, -1, 1, &s, NULL) == TKC_EINPUT,
          "negative noise");
    CHECK(tkc_sample_draw(set, 10, (size_t)1 << 30, 4, 0, 1, &s, NULL) ==
              TKC_EINPUT,
          "alphabet beyond the token range");
}

int main(void)
{
    tkc_template_set *set = parse("+1 α β α\n-1 α β β\n0.5 [w=0.5] A α β\n");
    CHECK(set != NULL, "parse");
    if (set) {
        test_reproducible(set);
        test_alphabets(set);
        test_errors(set);
    }
    tkc_template_set_free(set);
    test_distribution();
    test_noise();
    test_symbolic();
    return check_summary();
}
