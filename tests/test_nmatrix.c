/* test_nmatrix.c — the matrix N: structure (exact singularity for the MLP
 * kernel), symmetry, independence of the substitution maps, agreement with
 * single kernel evaluations, and exact values at β = 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/kernel.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"

static tkc_template_set *parse(const char *text, int cls)
{
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    opt.append_cls = cls;
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "test", &opt, &set, &err)) {
        fprintf(stderr, "parse: %s\n", err.message);
        return NULL;
    }
    return set;
}

static void spec_of(tkc_kernel_spec *spec, const char *kernel)
{
    tkc_kernel_spec_default(spec);
    spec->kernel = tkc_kernel_type_lookup(kernel);
    spec->estimator = tkc_attn_mc;
    spec->mc.samples = 4096;
}

static tkc_nmatrix *build(const tkc_template_set *set,
                          const tkc_kernel_spec *spec)
{
    tkc_nmatrix *nm = NULL;
    tkc_error err;
    if (!set || tkc_nmatrix_build(set, spec, TKC_NMATRIX_COV_AUTO, &nm, &err)) {
        fprintf(stderr, "build: %s\n", set ? err.message : "no set");
        return NULL;
    }
    return nm;
}

/* ---- exact structural singularity of the MLP kernel --------------------- */

static const char *majority(unsigned k, char *buf, size_t size)
{
    /* α × {α, β}^{k−1}: +1 when α is a strict majority. */
    size_t len = 0;
    for (unsigned m = 0; m < 1u << (k - 1); m++) {
        unsigned alphas = 1;
        for (unsigned a = 0; a < k - 1; a++)
            alphas += !(m >> a & 1);
        len += (size_t)snprintf(buf + len, size - len, "%s ",
                                2 * alphas > k ? "1" : "-1");
        len += (size_t)snprintf(buf + len, size - len, "α");
        for (unsigned a = 0; a < k - 1; a++)
            len += (size_t)snprintf(buf + len, size - len, " %s",
                                    m >> a & 1 ? "β" : "α");
        len += (size_t)snprintf(buf + len, size - len, "\n");
    }
    return buf;
}

static void test_mlp_singular(const char *name, const char *text,
                              size_t expect_classes)
{
    for (int cls = 0; cls <= 1; cls++) {
        tkc_template_set *set = parse(text, cls);
        tkc_kernel_spec spec;
        spec_of(&spec, "mlp");
        tkc_nmatrix *nm = build(set, &spec);
        CHECK(nm != NULL, "%s: N built", name);
        if (nm) {
            CHECK(nm->nclasses == expect_classes,
                  "%s (cls %d): %zu row classes, expected %zu", name, cls,
                  nm->nclasses, expect_classes);
            /* Rows in one class are identical numbers, exactly. */
            for (size_t i = 0; i < nm->r; i++) {
                size_t c = nm->row_class[i];
                CHECK(!memcmp(nm->N + i * nm->r, nm->N + c * nm->r,
                              nm->r * sizeof(double)),
                      "%s: row %zu equals row %zu", name, i + 1, c + 1);
            }
            size_t i, ip;
            CHECK(tkc_nmatrix_identical_rows(nm, &i, &ip) && i < ip &&
                      nm->row_class[ip] == i,
                  "%s: identical rows named", name);
            CHECK(nm->error_kind == TKC_ERROR_ROUNDING ||
                      nm->error_kind == TKC_ERROR_EXACT,
                  "%s: closed form", name);
        }
        tkc_nmatrix_free(nm);
        tkc_template_set_free(set);
    }
}

/* The attention and transformer kernels see the wildcard relations: no two
 * rows of these sets are structurally equal. */
static void test_attn_distinct(const char *name, const char *text)
{
    tkc_template_set *set = parse(text, 1);
    size_t *cls = set ? malloc(set->count * sizeof *cls) : NULL;
    tkc_strings *S = NULL;
    tkc_error err;
    CHECK(set && cls && !tkc_nmatrix_strings(set, &S, &err), "%s strings", name);
    if (S)
        for (int t = 0; t < 2; t++) {
            tkc_kernel_spec spec;
            spec_of(&spec, t ? "trans" : "attn");
            size_t n = 0;
            CHECK(!tkc_nmatrix_row_classes(&spec, S, set->count, cls, &n, &err) &&
                      n == set->count,
                  "%s %s: %zu classes of %zu", name, spec.kernel->name, n,
                  set->count);
        }
    tkc_strings_free(S);
    free(cls);
    tkc_template_set_free(set);
}

/* Templates differing in a regular token: the MLP tells them apart, and N is
 * nonsingular — a 2×2 with a determinant far above rounding. */
static void test_mlp_regular_token(void)
{
    tkc_template_set *set = parse("1 α A\n-1 α B\n", 1);
    tkc_kernel_spec spec;
    spec_of(&spec, "mlp");
    tkc_nmatrix *nm = build(set, &spec);
    CHECK(nm && nm->nclasses == 2, "regular token: two classes");
    if (nm) {
        double *N = nm->N;
        double det = N[0] * N[3] - N[1] * N[2];
        double scale = fabs(N[0] * N[3]) + fabs(N[1] * N[2]);
        CHECK(fabs(det) > 1e-6 * scale, "regular token: det %g vs %g", det,
              scale);
        /* The diagonal pairs share the regular token and [CLS]: 2 matches;
         * off-diagonal only [CLS]: 1 match.  N is κ(2) I + κ(1)(J − I). */
        CHECK(N[0] == N[3] && N[1] == N[2] && N[0] != N[1],
              "regular token: N = [[κ2, κ1], [κ1, κ2]]");
    }
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

/* ---- values --------------------------------------------------------------- */

static void test_symmetric(const char *kernel, int exact)
{
    tkc_template_set *set = parse("1 α β α\n-1 α β β\n2 α α β\n", 1);
    tkc_kernel_spec spec;
    spec_of(&spec, kernel);
    tkc_nmatrix *nm = build(set, &spec);
    CHECK(nm != NULL, "%s: built", kernel);
    if (nm)
        for (size_t i = 0; i < nm->r; i++)
            for (size_t j = 0; j < i; j++) {
                double a = nm->N[i * nm->r + j], b = nm->N[j * nm->r + i];
                if (exact)
                    CHECK(a == b, "%s: N[%zu][%zu] = %.17g vs %.17g", kernel,
                          i, j, a, b);
                else
                    CHECK_WITHIN_SE(a, b,
                                    hypot(nm->se[i * nm->r + j],
                                          nm->se[j * nm->r + i]) + 1e-15,
                                    4, "symmetry (MC)");
            }
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

/* N_ij = K(x_i, y_j) by a single evaluation, and on relabelled strings (other
 * fresh tokens, s and s' exchanged): exact for closed forms, within standard
 * errors for Monte Carlo (another seed). */
static void test_single_and_relabel(const char *kernel, int exact)
{
    tkc_template_set *set = parse("1 α β α\n-1 α β β\n2 α α β\n", 1);
    tkc_kernel_spec spec;
    spec_of(&spec, kernel);
    tkc_nmatrix *nm = build(set, &spec);
    CHECK(nm != NULL, "%s: built", kernel);
    if (!nm) {
        tkc_template_set_free(set);
        return;
    }
    size_t r = nm->r, k = nm->k;
    tkc_kernel_spec other = spec;
    other.seed = spec.seed + 7;
    tkc_token x[TKC_K_MAX], y[TKC_K_MAX];
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            double N = nm->N[i * r + j], se = nm->se[i * r + j];
            double v, s;
            tkc_error_kind kind;
            tkc_error err;
            int rc = tkc_kernel_eval(&spec, tkc_strings_row(nm->strings, i),
                                     tkc_strings_row(nm->strings, r + j), k,
                                     &v, &s, &kind, &err);
            CHECK(!rc, "%s eval: %s", kernel, rc ? err.message : "");
            if (exact)
                CHECK(v == N, "%s: N[%zu][%zu] %.17g vs eval %.17g", kernel,
                      i, j, N, v);
            else
                CHECK_WITHIN_SE(N, v, hypot(se, s) + 1e-15, 4, "N vs eval");
            /* Relabel: fresh tokens + 1000, y built with s and x with s'. */
            for (size_t a = 0; a < k; a++) {
                tkc_token tx = tkc_strings_row(nm->strings, r + i)[a];
                tkc_token ty = tkc_strings_row(nm->strings, j)[a];
                x[a] = tx >= (tkc_token)set->nsymbols ? tx + 1000 : tx;
                y[a] = ty >= (tkc_token)set->nsymbols ? ty + 2000 : ty;
            }
            rc = tkc_kernel_eval(exact ? &spec : &other, x, y, k, &v, &s,
                                 &kind, &err);
            CHECK(!rc, "%s relabelled eval", kernel);
            if (exact)
                CHECK(v == N, "%s relabelled: %.17g vs %.17g", kernel, v, N);
            else
                CHECK_WITHIN_SE(N, v, hypot(se, s) + 1e-15, 4, "relabelled");
        }
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

/* β = 0: K_attn = #{(a, b): x_a = y_b}/k² + γ²/k exactly, and K_trans is the
 * cosine dual of it; computed here from the strings directly. */
static double attn_beta0(const tkc_token *x, const tkc_token *y, size_t k,
                         double gamma)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == y[b];
    return (double)m / (double)(k * k) + gamma * gamma / (double)k;
}

static void test_beta0(void)
{
    tkc_template_set *set = parse("1 α β α\n-1 α β β\n2 α α β\n3 α β γ\n", 1);
    for (int t = 0; t < 2; t++) {
        tkc_kernel_spec spec;
        spec_of(&spec, t ? "trans" : "attn");
        spec.beta = 0;
        spec.gamma = 0.7;
        tkc_nmatrix *nm = build(set, &spec);
        CHECK(nm != NULL, "beta 0 built");
        if (!nm)
            continue;
        size_t r = nm->r, k = nm->k;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++) {
                const tkc_token *x = tkc_strings_row(nm->strings, i);
                const tkc_token *y = tkc_strings_row(nm->strings, r + j);
                double C = attn_beta0(x, y, k, spec.gamma), want = C;
                if (t) {
                    double A = attn_beta0(x, x, k, spec.gamma);
                    double B = attn_beta0(y, y, k, spec.gamma);
                    double b1 = spec.b1, b2 = spec.b2;
                    want = 0.5 * exp(-b1 * b1 * (A + B) / 2) *
                           (exp(b1 * b1 * C) + cos(2 * b2) * exp(-b1 * b1 * C));
                }
                CHECK_CLOSE(nm->N[i * r + j], want, 1e-12, "beta 0 entry");
            }
        tkc_nmatrix_free(nm);
    }
    tkc_template_set_free(set);
}

/* The maps: images disjoint from each other and from the regular tokens. */
static void test_strings(void)
{
    tkc_template_set *set = parse("1 α A β\n-1 β B β\n", 1);
    tkc_strings *S = NULL;
    tkc_error err;
    CHECK(set && !tkc_nmatrix_strings(set, &S, &err), "strings");
    if (S) {
        size_t r = set->count, k = S->k;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++)
                for (size_t a = 0; a < k; a++)
                    for (size_t b = 0; b < k; b++) {
                        tkc_token u = tkc_strings_row(S, i)[a];
                        tkc_token v = tkc_strings_row(S, r + j)[b];
                        if (u == v)
                            CHECK(u < (tkc_token)set->nsymbols,
                                  "x_%zu and y_%zu share only regular tokens",
                                  i, j);
                    }
        for (size_t i = 0; i < 2 * r; i++)
            CHECK(tkc_template_matches(set, i % r, tkc_strings_row(S, i)),
                  "string %zu matches its template", i);
    }
    tkc_strings_free(S);
    tkc_template_set_free(set);
}

/* The patterns of N's entries: ids agree exactly when the canonical
 * patterns do (checked pairwise), the id order is first appearance, and
 * entries with one pattern are one Monte Carlo estimate (equal numbers). */
static void test_patterns(const char *text)
{
    tkc_template_set *set = parse(text, 1);
    tkc_kernel_spec spec;
    spec_of(&spec, "attn");
    tkc_nmatrix *nm = build(set, &spec);
    size_t r = nm ? nm->r : 0;
    long *id = malloc((r ? r * r : 1) * sizeof *id);
    tkc_pattern_index *ix = NULL;
    tkc_error err;
    CHECK(nm && id && !tkc_nmatrix_patterns(nm, &ix, id, &err), "patterns");
    int agree = 1, first = 1, equal = 1;
    long next = 0;
    for (size_t e = 0; ix && e < r * r; e++) {
        tkc_pattern pe, pf;
        int sw;
        tkc_pattern_of_unordered_pair(&pe, tkc_strings_row(nm->strings, e / r),
                                      tkc_strings_row(nm->strings, r + e % r),
                                      nm->k, &sw);
        first &= id[e] <= next;
        next += id[e] == next;
        for (size_t f = 0; f < e; f++) {
            tkc_pattern_of_unordered_pair(&pf,
                                          tkc_strings_row(nm->strings, f / r),
                                          tkc_strings_row(nm->strings, r + f % r),
                                          nm->k, &sw);
            agree &= (id[e] == id[f]) == !tkc_pattern_compare(&pe, &pf);
            equal &= id[e] != id[f] || nm->N[e] == nm->N[f];
        }
    }
    CHECK(ix && agree && first && (size_t)next == tkc_pattern_index_size(ix),
          "pattern ids: agree %d, first appearance %d, %ld of %zu", agree,
          first, next, ix ? tkc_pattern_index_size(ix) : 0);
    CHECK(equal, "one pattern, one estimate");
    tkc_pattern_index_free(ix);
    free(id);
    tkc_nmatrix_free(nm);
    tkc_template_set_free(set);
}

static void test_bad_input(void)
{
    tkc_kernel_spec spec;
    spec_of(&spec, "mlp");
    spec.beta = NAN;
    tkc_template_set *set = parse("1 α α\n-1 α β\n", 1);
    tkc_nmatrix *nm = NULL;
    tkc_error err;
    CHECK(set && tkc_nmatrix_build(set, &spec, 0, &nm, &err) == TKC_EINPUT &&
              nm == NULL,
          "NaN beta refused");
    tkc_template_set_free(set);
}

int main(void)
{
    char buf[8192];
    test_strings();
    test_mlp_singular("same/different", "1 α α\n-1 α β\n", 1);
    test_mlp_singular("aba/abb", "1 α β α\n-1 α β β\n", 1);
    test_mlp_singular("majority-3", majority(3, buf, sizeof buf), 1);
    test_mlp_singular("majority-5", majority(5, buf, sizeof buf), 1);
    test_attn_distinct("same/different", "1 α α\n-1 α β\n");
    test_attn_distinct("majority-5", majority(5, buf, sizeof buf));
    test_mlp_regular_token();
    test_symmetric("mlp", 1);
    test_symmetric("mlpxx", 1);
    test_symmetric("attn", 0);
    test_symmetric("trans", 0);
    test_single_and_relabel("mlp", 1);
    test_single_and_relabel("mlpxx", 1);
    test_single_and_relabel("attn", 0);
    test_single_and_relabel("trans", 0);
    test_beta0();
    test_patterns("1 α α\n-1 α β\n");
    test_patterns(majority(5, buf, sizeof buf));
    test_bad_input();
    return check_summary();
}
