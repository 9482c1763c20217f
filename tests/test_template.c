/* test_template.c — the template language: round trips, every error case,
 * matching (Definition 2.1), disjointness against hand-checked pairs and
 * against brute force over small alphabets, ρ against enumeration of the
 * uniform maps, and the fuzzer's regression inputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/template.h"

static tkc_template_set *parse_opt(const char *text, int cls, int overlap)
{
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    opt.append_cls = cls;
    opt.allow_overlap = overlap;
    tkc_template_set *set = NULL;
    tkc_error err;
    tkc_error_clear(&err);
    if (tkc_template_set_parse(text, strlen(text), "t.tpl", &opt, &set, &err))
        fprintf(stderr, "unexpected parse error: %s\n", err.message);
    return set;
}

static tkc_template_set *parse(const char *text) { return parse_opt(text, 1, 0); }

static tkc_token token_id(const tkc_template_set *set, const char *name)
{
    for (size_t i = 0; i < set->nsymbols; i++)
        if (!strcmp(set->symbol_names[i], name))
            return (tkc_token)i;
    return -1;
}

/* ---- round trips -------------------------------------------------------- */

/* Same templates, symbol by symbol, by spelling. */
static int same_sets(const tkc_template_set *a, const tkc_template_set *b)
{
    if (a->count != b->count || a->k != b->k || a->symbolic_labels != b->symbolic_labels)
        return 0;
    char x[1024], y[1024];
    for (size_t i = 0; i < a->count; i++) {
        const tkc_template *s = &a->t[i], *t = &b->t[i];
        tkc_template_format(a, i, x, sizeof x);
        tkc_template_format(b, i, y, sizeof y);
        if (strcmp(x, y) || s->nwild != t->nwild ||
            s->label_wildcard != t->label_wildcard ||
            (s->label_wildcard < 0 && s->label != t->label) ||
            fabs(s->weight - t->weight) > 1e-15)
            return 0;
        for (size_t p = 0; p < a->k; p++)
            if ((s->sym[p] < 0) != (t->sym[p] < 0) ||
                (s->sym[p] < 0 && s->sym[p] != t->sym[p]))
                return 0;
    }
    return 1;
}

static void round_trip(const char *text)
{
    tkc_template_set *a = parse(text), *b = NULL;
    CHECK(a != NULL, "parse %s", text);
    if (!a)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(tkc_template_set_write(a, f, NULL) == TKC_SUCCESS, "write");
    fclose(f);
    b = parse(buf);
    CHECK(b && same_sets(a, b), "round trip of [%s] through [%s]", text, buf);
    free(buf);
    tkc_template_set_free(a);
    tkc_template_set_free(b);
}

static void test_round_trips(void)
{
    round_trip("+1 α α\n-1 α β\n");
    round_trip("# comment\n  0.5 [w=0.25] α β α # trailing\n-2e-3 [w=0.75] αββ\n");
    round_trip("+1 α = 1 ; β = - 1 ; print ( α )\n-1 α = 1 ; β = - 1 ; print ( β )\n");
    round_trip("β α β β ?\nγ α γ α ?\n");                        /* symbolic */
    round_trip("1 $x \\# \\\\ $y\n2 $x \\α \\$z \\[w=1]\n");      /* escapes */
    round_trip("1 α1 α2 α1 [CLS]\n2 α1 α1 α2 [CLS]\n");
    round_trip("0.1 [w=0.2] ααA\n0.2 αβA\n0.3 AαA\n");           /* mixed weights */
    round_trip("\xEF\xBB\xBF+1 ααβST\r\n-1 αβαST\r\n");              /* BOM, CRLF */

    /* compact and spaced forms are the same template */
    tkc_template_set *a = parse("+1 ααβST\n"), *b = parse("+1 α α β S T\n");
    CHECK(a && b && same_sets(a, b), "compact = spaced");
    CHECK(a && a->k == 6 && a->cls_appended && a->t[0].nwild == 2,
          "ααβST: k 6 with [CLS], 2 wildcards");
    tkc_template_set_free(a);
    tkc_template_set_free(b);

    /* [CLS]: appended, not twice, and not with --no-cls */
    a = parse("+1 α α [CLS]\n-1 α β\n");
    CHECK(a && a->k == 3 && a->cls_appended, "[CLS] appended where missing");
    tkc_template_set_free(a);
    a = parse("+1 α α [CLS]\n-1 α β [CLS]\n");
    CHECK(a && a->k == 3 && !a->cls_appended, "[CLS] already there");
    tkc_template_set_free(a);
    a = parse_opt("+1 αα\n-1 αβ\n", 0, 0);
    CHECK(a && a->k == 2 && !a->cls_appended && a->nsymbols == 0, "--no-cls");
    tkc_template_set_free(a);

    /* weights */
    a = parse("1 [w=0.25] αα\n2 [w=0.75] αβ\n");
    CHECK(a && a->t[0].weight == 0.25 && a->t[1].weight == 0.75, "weights kept");
    tkc_template_set_free(a);
    a = parse("1 [w=0.5] ααA\n2 αβA\n3 AαA\n");
    CHECK(a && a->t[1].weight == 0.25 && a->t[2].weight == 0.25,
          "the rest share what is left");
    tkc_template_set_free(a);
    a = parse("1 ααA\n2 αβA\n3 AαA\n4 AAA\n");
    CHECK(a && a->t[3].weight == 0.25, "uniform by default");
    tkc_template_set_free(a);

    /* wildcard kinds and regular tokens */
    a = parse("1 $x α ϵ Ω α12 \\β x$\n");
    CHECK(a && a->t[0].nwild == 5 && a->nsymbols == 3, "5 wildcards, β x$ [CLS]");
    CHECK(a && token_id(a, "β") >= 0 && token_id(a, "x$") >= 0, "escaped β");
    tkc_template_set_free(a);
}

/* ---- errors ------------------------------------------------------------- */

static void expect_error(const char *text, size_t len, const char *where,
                         const char *phrase)
{
    tkc_template_set *set = (tkc_template_set *)1;
    tkc_error err;
    tkc_error_clear(&err);
    int rc = tkc_template_set_parse(text, len, "t.tpl", NULL, &set, &err);
    CHECK(rc == TKC_EINPUT && set == NULL, "expected EINPUT for %s: rc %d",
          where, rc);
    CHECK(!strncmp(err.message, where, strlen(where)) &&
              strstr(err.message, phrase) != NULL,
          "message '%s' should start with '%s' and say '%s'", err.message,
          where, phrase);
}

#define ERR(text, where, phrase) expect_error(text, strlen(text), where, phrase)

static char *repeat(const char *head, const char *unit, size_t times,
                    const char *tail, size_t *len)
{
    size_t h = strlen(head), u = strlen(unit), t = strlen(tail);
    char *s = malloc(h + u * times + t + 1);
    memcpy(s, head, h);
    for (size_t i = 0; i < times; i++)
        memcpy(s + h + i * u, unit, u);
    memcpy(s + h + u * times, tail, t + 1);
    *len = h + u * times + t;
    return s;
}

static void test_errors(void)
{
    ERR("", "t.tpl:1:1:", "at least one template");
    ERR("# nothing\n\n   \n", "t.tpl:1:1:", "at least one template");
    ERR("+1 a\\qb c\n", "t.tpl:1:5:", "unknown escape '\\q'");
    ERR("+1 α\\\n", "t.tpl:1:5:", "unknown escape");
    ERR("nan α β\n", "t.tpl:1:1:", "finite real label");
    ERR("+1 αα\n-inf αβ\n", "t.tpl:2:1:", "finite real label");
    ERR("Infinity αβ\n", "t.tpl:1:1:", "finite real label");
    ERR("1e999 αβ\n", "t.tpl:1:1:", "out of the range");
    ERR("0x10 αβ\n", "t.tpl:1:1:", "expected a label");
    ERR("+1 [w=0] α β\n-1 [w=1] α α\n", "t.tpl:1:7:", "expected 0 < w <= 1");
    ERR("+1 [w=-0.5] α β\n", "t.tpl:1:7:", "expected 0 < w <= 1");
    ERR("+1 [w=nan] α β\n", "t.tpl:1:4:", "expected a weight");
    ERR("+1 [w=0.3] α β\n-1 [w=0.3] α α\n", "t.tpl:2:4:", "sum to 0.6");
    ERR("+1 [w=0.6] α β\n-1 [w=0.4] α α\n0 A B\n", "t.tpl:2:4:",
        "leaving nothing");
    ERR("+1 α β\n-1 α α β\n", "t.tpl:2:4:", "expected 3 like line 1");
    ERR("+1 α β\n-1 γ δ\n", "t.tpl:2:4:", "same as line 1");
    ERR("+1 α β\n-1 S β\n", "t.tpl:2:4:", "overlaps line 1's: both match 'S t1 [CLS]'");
    ERR("+1 α β\n# x\n-1 α A\n", "t.tpl:3:4:", "both match 't1 A [CLS]'");
    ERR("γ α β\n", "t.tpl:1:1:", "label wildcard 'γ' does not appear");
    ERR("+1 αα\nα αβ\n", "t.tpl:2:1:", "all real numbers or all wildcards");
    ERR("+1 αβ γ\n", "t.tpl:1:4:", "starting with a Greek letter");
    ERR("+1 $ x\n", "t.tpl:1:4:", "wildcard name");
    ERR("+1 $x$y\n", "t.tpl:1:4:", "'$' in a template without spaces");
    ERR("+1 αα[CLS]\n", "t.tpl:1:6:", "[CLS] in a template without spaces");
    ERR("+1\n", "t.tpl:1:3:", "template after the label");
    ERR("+1 [w=0.5]  # c\n", "t.tpl:1:11:", "template after the weight");
    ERR("+1 a\xff b\n", "t.tpl:1:5:", "invalid UTF-8 (byte 0xFF)");
    ERR("+1 αβ\n-1 \xc0\xaf\n", "t.tpl:2:4:", "invalid UTF-8");      /* overlong */
    ERR("+1 \xed\xa0\x80\n", "t.tpl:1:4:", "invalid UTF-8");     /* surrogate */
    ERR("+1 ab \xe2\x82", "t.tpl:1:7:", "invalid UTF-8");           /* truncated */
    ERR("+1 a\x01 b\n", "t.tpl:1:5:", "control character U+0001");
    expect_error("+1 a\0b\n", 7, "t.tpl:1:5:", "NUL byte");
    ERR("+1 α\xc2\xa0β\n", "t.tpl:1:5:", "Unicode space U+00A0");
    ERR("+1 αβ\n-1 α\xe2\x80\x83α\n", "t.tpl:2:5:", "Unicode space U+2003");

    /* 10 MB lines: too many symbols, one huge symbol, a huge label, and a
     * huge comment (which is fine) */
    size_t len;
    char *s = repeat("+1 ", "a ", 5000000, "\n", &len);
    expect_error(s, len, "t.tpl:1:132:", "more than 64 symbols");
    free(s);
    s = repeat("+1 x ", "a", 10000000, "\n", &len);
    expect_error(s, len, "t.tpl:1:6:", "longer than 256 bytes");
    free(s);
    s = repeat("+1 ", "a", 10000000, "\n", &len);             /* compact */
    expect_error(s, len, "t.tpl:1:68:", "more than 64 symbols");
    free(s);
    s = repeat("", "1", 10000000, " a b\n", &len);
    expect_error(s, len, "t.tpl:1:1:", "longer than 256 bytes");
    free(s);
    s = repeat("+1 α β # ", "α", 5000000, "\n-1 α α\n", &len);
    tkc_template_set *set = NULL;
    CHECK(tkc_template_set_parse(s, len, "t", NULL, &set, NULL) == 0 && set &&
              set->count == 2,
          "a 10 MB comment is fine");
    tkc_template_set_free(set);
    free(s);

    /* the file reader: a missing file is bad input too */
    tkc_error err;
    CHECK(tkc_template_set_read_file("/nonexistent/x.tpl", NULL, &set, &err) ==
                  TKC_EINPUT && set == NULL,
          "missing file");
}

/* ---- matching and substitution ------------------------------------------ */

static void test_matching(void)
{
    tkc_template_set *set = parse_opt("+1 ααβST\n", 0, 0);
    if (!set) {
        CHECK(0, "parse ααβST");
        return;
    }
    tkc_token S = token_id(set, "S"), T = token_id(set, "T");
    tkc_token Q = (tkc_token)set->nsymbols, R = Q + 1;
    tkc_token qqrst[5] = {Q, Q, R, S, T}, qqqst[5] = {Q, Q, Q, S, T},
              qqsst[5] = {Q, Q, S, S, T}, qrrst[5] = {Q, R, R, S, T};
    CHECK(tkc_template_matches(set, 0, qqrst), "ααβST matches QQRST");
    CHECK(!tkc_template_matches(set, 0, qqqst), "not QQQST (s not injective)");
    CHECK(!tkc_template_matches(set, 0, qqsst), "not QQSST (β ↦ S)");
    CHECK(!tkc_template_matches(set, 0, qrrst), "not QRRST");

    tkc_token map[2] = {Q, R}, out[5];
    CHECK(tkc_template_substitute(set, 0, map, out, NULL) == 0 &&
              !memcmp(out, qqrst, sizeof out),
          "sub(ααβST, α→Q, β→R) = QQRST");
    tkc_token bad1[2] = {Q, Q}, bad2[2] = {Q, S};
    CHECK(tkc_template_substitute(set, 0, bad1, out, NULL) == TKC_EINPUT,
          "non-injective map refused");
    CHECK(tkc_template_substitute(set, 0, bad2, out, NULL) == TKC_EINPUT,
          "map onto the template's own token refused");
    tkc_template_set_free(set);
}

/* ---- disjointness: hand-checked pairs ----------------------------------- */

static void pair(const char *text, int expect_disjoint, const char *witness)
{
    tkc_template_set *set = parse_opt(text, 0, 1);
    if (!set) {
        CHECK(0, "parse %s", text);
        return;
    }
    int disjoint = -1;
    tkc_token w[TKC_K_MAX];
    CHECK(tkc_template_disjoint(set, 0, 1, &disjoint, w, NULL) == 0 &&
              disjoint == expect_disjoint,
          "%s: disjoint %d, expected %d", text, disjoint, expect_disjoint);
    int sym = -1;
    tkc_template_disjoint(set, 1, 0, &sym, NULL, NULL);
    CHECK(sym == disjoint, "%s: disjointness is symmetric", text);
    if (!disjoint && witness) {
        char buf[256] = "", name[64];
        for (size_t a = 0; a < set->k; a++) {
            tkc_template_token_name(set, w[a], name, sizeof name);
            strcat(buf, a ? " " : "");
            strcat(buf, name);
        }
        CHECK(!strcmp(buf, witness), "%s: witness '%s', expected '%s'", text,
              buf, witness);
        CHECK(tkc_template_matches(set, 0, w) && tkc_template_matches(set, 1, w),
              "%s: the witness matches both", text);
    }
    tkc_template_set_free(set);
}

static void test_disjoint_pairs(void)
{
    pair("1 αα\n2 αβ\n", 1, NULL);
    pair("1 αβα\n2 αββ\n", 1, NULL);
    pair("1 αβαβ\n2 ααββ\n", 1, NULL);
    pair("1 α β\n2 S β\n", 0, "S t1");
    pair("1 α β\n2 α A\n", 0, "t1 A");
    pair("1 A α\n2 α B\n", 0, "A B");
    pair("1 α A\n2 A α\n", 1, NULL);        /* x1 = A would be α's image */
    pair("1 α β S\n2 α S β\n", 1, NULL);    /* β ↦ S, S is in template 1 */
    pair("1 α β γ\n2 α β α\n", 1, NULL);
    pair("1 α β\n2 β α\n", 0, "t1 t2");     /* identical up to renaming */
    pair("1 α β β\n2 γ δ δ\n", 0, "t1 t2 t2");
    pair("1 A B\n2 A B\n", 0, "A B");
    pair("1 A B\n2 A C\n", 1, NULL);
    pair("1 t1 α\n2 t1 β\n", 0, "t1 tt1");  /* fresh tokens renamed */
}

/* ---- disjointness and matching against brute force ---------------------- */

typedef struct lcg {
    uint64_t s;
} lcg;

static unsigned lcg_below(lcg *g, unsigned m)
{
    g->s = g->s * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)((g->s >> 33) % m);
}

/* All strings sub(z, s) over tokens 0..A-1, s injective avoiding z's own
 * tokens (Definition 2.1 directly); mark[code] = 1 for each. */
static void mark_substitutions(const tkc_template *z, size_t k, unsigned A,
                               unsigned char *mark)
{
    unsigned map[TKC_K_MAX] = {0};
    size_t w = z->nwild;
    for (;;) {
        int ok = 1;
        for (size_t v = 0; v < w && ok; v++) {
            for (size_t u = 0; u < v; u++)
                if (map[u] == map[v])
                    ok = 0;
            for (size_t a = 0; a < k; a++)
                if (z->sym[a] >= 0 && (unsigned)z->sym[a] == map[v])
                    ok = 0;
        }
        if (ok) {
            size_t code = 0;
            for (size_t a = 0; a < k; a++)
                code = code * A + (z->sym[a] >= 0
                                       ? (unsigned)z->sym[a]
                                       : map[TKC_WILDCARD_INDEX(z->sym[a])]);
            mark[code] = 1;
        }
        size_t v = 0;                            /* next map, odometer */
        while (v < w && ++map[v] == A)
            map[v++] = 0;
        if (v == w)
            return;
    }
}

static void random_template(lcg *g, size_t k, char *buf)
{
    static const char *const sym[] = {"α", "β", "γ", "A", "B"};
    buf[0] = '\0';
    for (size_t a = 0; a < k; a++) {
        strcat(buf, " ");
        strcat(buf, sym[lcg_below(g, 5)]);
    }
}

static void test_disjoint_brute_force(void)
{
    lcg g = {12345};
    int agree = 1, matches_agree = 1, nonempty = 1, seen[2] = {0, 0};
    for (int trial = 0; trial < 1500; trial++) {
        size_t k = 1 + lcg_below(&g, 4);
        char text[256], z1[64], z2[64];
        random_template(&g, k, z1);
        random_template(&g, k, z2);
        snprintf(text, sizeof text, "1%s\n2%s\n", z1, z2);
        tkc_template_set *set = parse_opt(text, 0, 1);
        if (!set) {
            CHECK(0, "parse %s", text);
            continue;
        }
        unsigned A = (unsigned)(set->nsymbols + k); /* own tokens + k fresh */
        size_t n = 1;
        for (size_t a = 0; a < k; a++)
            n *= A;
        unsigned char *m1 = calloc(n, 1), *m2 = calloc(n, 1);
        mark_substitutions(&set->t[0], k, A, m1);
        mark_substitutions(&set->t[1], k, A, m2);
        int brute_disjoint = 1;
        size_t any1 = 0;
        for (size_t c = 0; c < n; c++) {
            brute_disjoint &= !(m1[c] && m2[c]);
            any1 += m1[c];
            tkc_token x[TKC_K_MAX];
            for (size_t a = k, code = c; a-- > 0; code /= A)
                x[a] = (tkc_token)(code % A);
            if (tkc_template_matches(set, 0, x) != m1[c])
                matches_agree = 0;
        }
        nonempty &= any1 > 0;
        int disjoint;
        tkc_token w[TKC_K_MAX];
        tkc_template_disjoint(set, 0, 1, &disjoint, w, NULL);
        if (disjoint != brute_disjoint) {
            agree = 0;
            fprintf(stderr, "disagree on %s: tkc %d, brute force %d\n", text,
                    disjoint, brute_disjoint);
        } else if (!disjoint) {
            size_t code = 0;          /* witness tokens are < A by design */
            for (size_t a = 0; a < k; a++)
                code = code * A + (size_t)w[a];
            if (!(m1[code] && m2[code]))
                agree = 0;
        }
        seen[disjoint]++;
        free(m1);
        free(m2);
        tkc_template_set_free(set);
    }
    CHECK(agree, "disjointness and witnesses agree with brute force");
    CHECK(matches_agree, "matching agrees with Definition 2.1 by enumeration");
    CHECK(nonempty, "every template is matched by some string");
    CHECK(seen[0] > 100 && seen[1] > 100, "both answers seen: %d overlapping, "
          "%d disjoint", seen[0], seen[1]);
}

/* ---- ρ against enumeration of the uniform injective maps ---------------- */

/* min over t of 1 / P[t ∈ s(W)] for w wildcards into A tokens, counting. */
static double rho_by_enumeration(size_t w, unsigned A)
{
    unsigned map[8] = {0};
    double total = 0, hits[16] = {0};
    for (;;) {
        int injective = 1;
        for (size_t v = 0; v < w; v++)
            for (size_t u = 0; u < v; u++)
                injective &= map[u] != map[v];
        if (injective) {
            total++;
            for (size_t v = 0; v < w; v++)
                hits[map[v]]++;
        }
        size_t v = 0;
        while (v < w && ++map[v] == A)
            map[v++] = 0;
        if (v == w)
            break;
    }
    double rho = INFINITY;
    for (unsigned t = 0; t < A; t++)
        if (hits[t] > 0 && total / hits[t] < rho)
            rho = total / hits[t];
    return rho;
}

static void test_rho(void)
{
    tkc_template_set *set = parse("1 ααα\n2 αβα\n3 αβγ\n4 AAB\n");
    for (unsigned A = 3; A <= 7 && set; A++) {
        double rho;
        CHECK(tkc_template_set_rho(set, A, &rho, NULL) == 0, "rho A=%u", A);
        CHECK_CLOSE(rho, rho_by_enumeration(3, A), 1e-12, "rho vs enumeration");
        CHECK_CLOSE(rho, A / 3.0, 1e-15, "rho = A / 3");
    }
    double rho;
    CHECK(set && tkc_template_set_rho(set, 2, &rho, NULL) == TKC_EINPUT,
          "alphabet smaller than the wildcards refused");
    CHECK(set && tkc_template_set_max_wildcards(set) == 3, "max wildcards 3");
    tkc_template_set_free(set);
    set = parse("1 AB\n2 BA\n");
    CHECK(set && tkc_template_set_rho(set, 5, &rho, NULL) == 0 && isinf(rho),
          "no wildcards: rho infinite");
    tkc_template_set_free(set);
    set = parse("1 αα\n2 αβ\n");
    CHECK(set && tkc_template_set_rho(set, 6, &rho, NULL) == 0, "rho");
    CHECK_CLOSE(rho, rho_by_enumeration(2, 6), 1e-12, "same/different rho");
    tkc_template_set_free(set);
}

/* ---- fuzzer regressions ------------------------------------------------- */

/* Each input parses, or fails with TKC_EINPUT, a message and no set. */
static void replay_parse(const char *file, void *ctx)
{
    (void)ctx;
    for (int cls = 0; cls < 2; cls++) {
        tkc_parse_options opt = {cls, 0};
        tkc_template_set *set = NULL;
        tkc_error err;
        tkc_error_clear(&err);
        int rc = tkc_template_set_read_file(file, &opt, &set, &err);
        CHECK((rc == 0 && set) || (rc == TKC_EINPUT && !set && err.message[0]),
              "%s: rc %d", file, rc);
        tkc_template_set_free(set);
    }
}

static void test_fuzz_regressions(void)
{
    check_each_file("fuzz_regressions", replay_parse, NULL);
}

int main(void)
{
    test_round_trips();
    test_errors();
    test_matching();
    test_disjoint_pairs();
    test_disjoint_brute_force();
    test_rho();
    test_fuzz_regressions();
    return check_summary();
}
