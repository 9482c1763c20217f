/* fuzz_template_parse.c — libFuzzer target for the template parser.
 *
 * Any input must either parse, or fail with TKC_EINPUT, a message and no
 * set.  A parsed set must survive its own invariants: writing it and reading
 * it back gives the same shape; every pair reported overlapping has a
 * witness that matches both templates (and a set parsed without
 * allow_overlap has none); every sample matches its template.  Violations
 * abort, so libFuzzer keeps the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/sample.h"
#include "tkc/template.h"

#include "fuzz.h"

static void round_trip(const tkc_template_set *set,
                       const tkc_parse_options *opt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    REQUIRE(f);
    REQUIRE(tkc_template_set_write(set, f, NULL) == TKC_SUCCESS);
    fclose(f);
    tkc_template_set *again = NULL;
    tkc_error err;
    int rc = tkc_template_set_parse(buf, len, "again", opt, &again, &err);
    if (rc)
        fprintf(stderr, "round trip failed: %s\n--\n%s--\n", err.message, buf);
    REQUIRE(rc == TKC_SUCCESS);
    REQUIRE(again->count == set->count && again->k == set->k);
    for (size_t i = 0; i < set->count; i++) {
        REQUIRE(again->t[i].nwild == set->t[i].nwild);
        REQUIRE(again->t[i].label_wildcard == set->t[i].label_wildcard);
        REQUIRE(set->t[i].label_wildcard >= 0 ||
                again->t[i].label == set->t[i].label);
        char a[8192], b[8192];
        tkc_template_format(set, i, a, sizeof a);
        tkc_template_format(again, i, b, sizeof b);
        REQUIRE(!strcmp(a, b));
    }
    tkc_template_set_free(again);
    free(buf);
}

static void pairs(const tkc_template_set *set, int must_be_disjoint)
{
    size_t r = set->count < 40 ? set->count : 40;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            int disjoint;
            tkc_token w[TKC_K_MAX];
            REQUIRE(tkc_template_disjoint(set, i, j, &disjoint, w, NULL) == 0);
            REQUIRE(i != j || !disjoint);
            if (!disjoint) {
                REQUIRE(!must_be_disjoint || i == j);
                REQUIRE(tkc_template_matches(set, i, w));
                REQUIRE(tkc_template_matches(set, j, w));
            }
        }
}

static void samples(const tkc_template_set *set)
{
    size_t A = tkc_template_set_max_wildcards(set) + 2;
    tkc_sample *s = NULL;
    REQUIRE(tkc_sample_draw(set, 8, A, 1, 0.5, 99, &s, NULL) == 0);
    for (size_t m = 0; m < 8; m++)
        REQUIRE(tkc_template_matches(set, s->template_index[m],
                                     tkc_strings_row(s->strings, m)));
    tkc_sample_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        tkc_parse_options opt = {.append_cls = !mode, .allow_overlap = mode};
        tkc_template_set *set = (tkc_template_set *)&opt;   /* must be reset */
        tkc_error err;
        tkc_error_clear(&err);
        int rc = tkc_template_set_parse((const char *)data, size, "fuzz", &opt,
                                        &set, &err);
        if (rc) {
            REQUIRE(rc == TKC_EINPUT && set == NULL);
            REQUIRE(!strncmp(err.message, "fuzz:", 5));
            continue;
        }
        REQUIRE(set && set->count > 0 && set->k > 0 && set->k <= TKC_K_MAX);
        double total = 0;
        for (size_t i = 0; i < set->count; i++)
            total += set->t[i].weight;
        REQUIRE(total > 1 - 1e-9 && total < 1 + 1e-9);
        round_trip(set, &opt);
        pairs(set, !opt.allow_overlap);
        samples(set);
        tkc_template_set_free(set);
    }
    return 0;
}
