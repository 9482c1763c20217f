/* generic_search.c — search for two-template sets whose generic verdict
 * needs a high order (not a test: a helper that found the sets
 * test_generic.c checks).
 *
 * For each length L in [LMIN, LMAX] it takes every pair of wildcard-only
 * templates of length L (equality patterns as restricted growth strings:
 * two different patterns are disjoint), appends [CLS] as tkc does, decides
 * the pair with the exhaustive test up to total order MAXORDER and counts
 * the deciding monomials; pairs decided at β^{2A}γ^{2B} are printed.
 *
 * usage: generic_search LMIN LMAX [MAXORDER [A B]]   (defaults 12, 3 2) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/generic.h"
#include "tkc/template.h"

#define LMAX_ALLOWED 8

/* Restricted growth strings of length L: s[0] = 0, s[i] <= 1 + max s[<i]. */
static size_t rgs_all(int L, int *out)
{
    int s[LMAX_ALLOWED] = {0};
    size_t n = 0;
    for (;;) {
        memcpy(out + n++ * L, s, (size_t)L * sizeof *s);
        int i = L - 1;
        for (; i > 0; i--) {
            int mx = 0;
            for (int j = 0; j < i; j++)
                mx = s[j] > mx ? s[j] : mx;
            if (s[i] <= mx) {
                s[i]++;
                for (int j = i + 1; j < L; j++)
                    s[j] = 0;
                break;
            }
        }
        if (i == 0)
            return n;
    }
}

static const char *const greek[] = {"α", "β", "γ", "δ", "ε", "ζ", "η", "θ"};

static void spell(char *buf, const int *s, int L)
{
    buf[0] = '\0';
    for (int i = 0; i < L; i++)
        strcat(buf, greek[s[i]]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: generic_search LMIN LMAX [MAXORDER [A B]]\n");
        return 2;
    }
    int lmin = atoi(argv[1]), lmax = atoi(argv[2]);
    int maxorder = argc > 3 ? atoi(argv[3]) : 12;
    int want_a = argc > 5 ? atoi(argv[4]) : 3, want_b = argc > 5 ? atoi(argv[5]) : 2;
    if (lmin < 1 || lmax > LMAX_ALLOWED || lmin > lmax) {
        fprintf(stderr, "lengths must be in 1..%d\n", LMAX_ALLOWED);
        return 2;
    }
    tkc_generic_options opt;
    tkc_generic_options_default(&opt);
    opt.max_order = maxorder;
    opt.threads = 1;
    tkc_parse_options po;
    tkc_parse_options_default(&po);
    for (int L = lmin; L <= lmax; L++) {
        int *pat = malloc(4140 * (size_t)L * sizeof *pat);   /* Bell(8) */
        size_t n = rgs_all(L, pat);
        long count[TKC_SERIES_ORDER_MAX + 2][TKC_SERIES_ORDER_MAX + 2] = {{0}};
        long open = 0, pairs = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                char a[64], b[64], text[160];
                spell(a, pat + i * L, L);
                spell(b, pat + j * L, L);
                snprintf(text, sizeof text, "+1 %s\n-1 %s\n", a, b);
                tkc_template_set *set;
                tkc_error err;
                tkc_generic_verdict v;
                if (tkc_template_set_parse(text, strlen(text), "search", &po,
                                           &set, &err) ||
                    tkc_generic_decide_set(set, &opt, &v, &err)) {
                    fprintf(stderr, "%s / %s: %s\n", a, b, err.message);
                    return 1;
                }
                pairs++;
                if (v.status == TKC_GENERIC_PROVED && v.deciding_a >= 0) {
                    count[v.deciding_a][v.deciding_b]++;
                    if (v.deciding_a == want_a && v.deciding_b == want_b)
                        printf("L=%d  %s / %s  decided at β^%dγ^%d (%s)\n", L,
                               a, b, 2 * want_a, 2 * want_b, v.weight_text);
                } else if (v.status != TKC_GENERIC_PROVED) {
                    open++;
                    printf("L=%d  %s / %s  not established through order %d\n",
                           L, a, b, v.order);
                }
                tkc_generic_verdict_clear(&v);
                tkc_template_set_free(set);
            }
        printf("L=%d: %ld pairs, %ld not established; deciding monomials:", L,
               pairs, open);
        for (int x = 0; x <= TKC_SERIES_ORDER_MAX / 2; x++)
            for (int y = 0; y <= x + 1; y++)
                if (count[x][y]) {
                    char name[32];
                    tkc_series_monomial_name(name, sizeof name, x, y);
                    printf(" %s:%ld", name, count[x][y]);
                }
        printf("\n");
        free(pat);
    }
    return 0;
}
