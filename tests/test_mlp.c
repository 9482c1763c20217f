/* test_mlp.c — the MLP kernels: exact input Gram counts, closed values
 * against hand formulas and long-double recomputation (the rounding bound
 * must cover the difference), depth recursion against quadrature, the
 * inner-product property that makes N singular, and the XXᵀ augmentation
 * that breaks it. */
#include <float.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "check.h"
#include "activation.h"
#include "mlp.h"
#include "mlp_arb.h"

static tkc_kernel_spec spec_for(const tkc_activation_type *act, unsigned depth)
{
    tkc_kernel_spec s;
    memset(&s, 0, sizeof s);
    s.activation = act;
    s.mlp_depth = depth;
    s.b1 = 1.1;
    s.b2 = 0.4;
    return s;
}

static void test_counts(void)
{
    const tkc_token x[] = {0, 0, 1, 2}, y[] = {0, 3, 3, 2}, z[] = {5, 5, 6, 7};
    CHECK(tkc_onehot_matches(x, y, 4) == 2, "matches x,y");
    CHECK(tkc_onehot_matches(x, z, 4) == 0, "matches x,z");
    /* Relations: x has {0,1} equal; y has {1,2}; z has {0,1}.  Common
     * equal pairs: the 4 diagonal ones, plus (0,1),(1,0) for x,z. */
    CHECK(tkc_incidence_inner(x, y, 4) == 4, "incidence x,y = %u",
          tkc_incidence_inner(x, y, 4));
    CHECK(tkc_incidence_inner(x, z, 4) == 6, "incidence x,z = %u",
          tkc_incidence_inner(x, z, 4));
    CHECK(tkc_incidence_inner(x, x, 4) == 6, "incidence x,x");
}

/* Depth 1, cos: ½ e^{−b1²} [e^{b1² m/k} + cos 2b2 e^{−b1² m/k}]. */
static void test_depth1_cos(void)
{
    tkc_kernel_spec s = spec_for(tkc_activation_cos, 1);
    const tkc_token x[] = {0, 1, 2}, y[] = {0, 1, 3};
    double K, se, q = s.b1 * s.b1;
    CHECK(tkc_mlp_kernel_onehot(&s, x, y, 3, &K, &se, NULL) == 0, "status");
    long double ql = (long double)q, cl = 2.0L / 3;
    long double want = 0.5L * expl(-ql) *
                       (expl(ql * cl) + cosl(2.0L * s.b2) * expl(-ql * cl));
    CHECK_CLOSE(K, (double)want, 4e-16, "mlp cos depth 1");
    CHECK(se > 0 && se < 1e-16, "rigorous bound %.3g", se);
    /* the hand formula in long double is off by a few of its own ulps */
    CHECK(fabsl(K - want) <= se + 8 * LDBL_EPSILON * want,
          "bound covers hand formula");
}

/* Long-double recomputation of the cos recursion: the double result must
 * be within its own rounding bound. */
static void test_rounding_bound(void)
{
    for (unsigned depth = 1; depth <= 4; depth++) {
        tkc_kernel_spec s = spec_for(tkc_activation_cos, depth);
        const tkc_token x[] = {0, 1, 2, 0, 4}, y[] = {0, 1, 3, 3, 3};
        double K, se;
        CHECK(tkc_mlp_kernel_xx(&s, x, y, 5, &K, &se, NULL) == 0, "status");
        long double A = 0.5L * (1 + 7.0L / 25), B = 0.5L * (1 + 11.0L / 25),
                    C = 0.5L * (2.0L / 5 + 5.0L / 25);
        long double qq = (long double)s.b1 * s.b1, c2 = cosl(2.0L * s.b2);
        for (unsigned l = 0; l < depth; l++) {
            long double nA = 0.5L * expl(-qq * A) * (expl(qq * A) + c2 * expl(-qq * A));
            long double nB = 0.5L * expl(-qq * B) * (expl(qq * B) + c2 * expl(-qq * B));
            long double nC = 0.5L * expl(-qq * (A + B) / 2) *
                             (expl(qq * C) + c2 * expl(-qq * C));
            A = nA, B = nB, C = nC;
        }
        CHECK(fabs(K - (double)C) <= se, "depth %u: |K - K_ld| = %.3g > se %.3g", depth,
              fabs(K - (double)C), se);
        CHECK(se < 1e-13, "depth %u: bound %.3g is tight", depth, se);
    }
}

/* Depth 3 relu / erf against the recursion done by quadrature of φ. */
static void test_depth_vs_quadrature(void)
{
    const tkc_token x[] = {0, 1, 2, 3}, y[] = {0, 1, 5, 6};
    for (int which = 0; which < 2; which++) {
        const tkc_activation_type *act = which ? tkc_activation_erf : tkc_activation_cos;
        tkc_kernel_spec s = spec_for(act, 3);
        double K, se;
        CHECK(tkc_mlp_kernel_onehot(&s, x, y, 4, &K, &se, NULL) == 0, "status");
        double A = 1, C = 0.5;
        for (int l = 0; l < 3; l++) {
            double nA = NAN, nC = NAN;
            CHECK(tkc_activation_dual_quadrature(act, A, A, A, &s, 128, &nA, NULL, NULL) == 0 &&
                      tkc_activation_dual_quadrature(act, A, A, C, &s, 128, &nC, NULL,
                                                     NULL) == 0,
                  "quadrature status");
            A = nA, C = nC;
        }
        CHECK_CLOSE(K, C, 1e-12, which ? "erf depth 3 vs quadrature" : "cos depth 3 vs quadrature");
    }
    /* relu, unit variances: arc-cosine of degree 1 in Cho & Saul's form. */
    tkc_kernel_spec s = spec_for(tkc_activation_relu, 2);
    double K, se;
    CHECK(tkc_mlp_kernel_onehot(&s, x, y, 4, &K, &se, NULL) == 0, "status");
    double th = acos(0.5), k1 = (sin(th) + (M_PI - th) * cos(th)) / (2 * M_PI);
    double th2 = acos(k1 / 0.5), k2 = 0.5 * (sin(th2) + (M_PI - th2) * cos(th2)) / (2 * M_PI);
    CHECK_CLOSE(K, k2, 1e-15, "relu depth 2 arc-cosine");
}

/* Same/different with [CLS] (token 9): αα vs αβ under disjoint fresh
 * substitutions.  mlp: all four N entries are κ(1/2) — exactly singular.
 * mlpxx: the relation block tells the templates apart. */
static void test_same_different(void)
{
    const tkc_token s1[] = {0, 0, 9}, s2[] = {1, 2, 9};  /* αα, αβ under s  */
    const tkc_token t1[] = {3, 3, 9}, t2[] = {4, 5, 9};  /* αα, αβ under s' */
    for (size_t a = 0; tkc_activation_types[a]; a++) {
        tkc_kernel_spec s = spec_for(tkc_activation_types[a], 2);
        double n11, n12, n21, n22, se;
        tkc_mlp_kernel_onehot(&s, s1, t1, 3, &n11, &se, NULL);
        tkc_mlp_kernel_onehot(&s, s1, t2, 3, &n12, &se, NULL);
        tkc_mlp_kernel_onehot(&s, s2, t1, 3, &n21, &se, NULL);
        tkc_mlp_kernel_onehot(&s, s2, t2, 3, &n22, &se, NULL);
        CHECK(n11 == n12 && n12 == n21 && n21 == n22,
              "%s mlp: N entries identical (singular)", s.activation->name);
        tkc_mlp_kernel_xx(&s, s1, t1, 3, &n11, &se, NULL);
        tkc_mlp_kernel_xx(&s, s1, t2, 3, &n12, &se, NULL);
        tkc_mlp_kernel_xx(&s, s2, t1, 3, &n21, &se, NULL);
        tkc_mlp_kernel_xx(&s, s2, t2, 3, &n22, &se, NULL);
        double det = n11 * n22 - n12 * n21;
        CHECK(fabs(n12 - n21) <= 2 * se, "%s mlpxx: N symmetric", s.activation->name);
        CHECK(fabs(det) > 1e-6, "%s mlpxx: det N = %.3g is clearly nonzero",
              s.activation->name, det);
    }
}

/* Depth 0 is the input Gram itself; symmetry; token relabelling. */
static void test_identities(void)
{
    tkc_kernel_spec s = spec_for(tkc_activation_erf, 0);
    const tkc_token x[] = {0, 0, 1}, y[] = {0, 2, 2}, xr[] = {7, 7, 3}, yr[] = {7, 5, 5};
    double K, se, Kr, Ks;
    tkc_mlp_kernel_xx(&s, x, y, 3, &K, &se, NULL);
    CHECK_CLOSE(K, 0.5 * (1.0 / 3 + 3.0 / 9), 1e-16, "mlpxx depth 0 is the Gram");
    s.mlp_depth = 3;
    for (int xx = 0; xx < 2; xx++) {
        if (xx) {
            tkc_mlp_kernel_xx(&s, x, y, 3, &K, &se, NULL);
            tkc_mlp_kernel_xx(&s, xr, yr, 3, &Kr, &se, NULL);
            tkc_mlp_kernel_xx(&s, y, x, 3, &Ks, &se, NULL);
        } else {
            tkc_mlp_kernel_onehot(&s, x, y, 3, &K, &se, NULL);
            tkc_mlp_kernel_onehot(&s, xr, yr, 3, &Kr, &se, NULL);
            tkc_mlp_kernel_onehot(&s, y, x, 3, &Ks, &se, NULL);
        }
        CHECK(K == Kr, "token relabelling invariance");
        CHECK(K == Ks, "symmetry");
    }
}

static void test_kernel_type(void)
{
    tkc_token tok[] = {0, 0, 9, 1, 2, 9, 3, 3, 9};
    tkc_strings S = {3, 3, tok};
    tkc_pair pairs[] = {{0, 1}, {0, 2}, {1, 1}};
    double value[3], se[3], cov[9];
    tkc_kernel_values out;
    memset(&out, 0, sizeof out);
    out.npairs = 3;
    out.value = value;
    out.se = se;
    out.cov = cov;
    tkc_kernel_spec s = spec_for(tkc_activation_cos, 1);
    CHECK(strcmp(tkc_kernel_mlp->name, "mlp") == 0 &&
              strcmp(tkc_kernel_mlpxx->name, "mlpxx") == 0, "type names");
    CHECK(tkc_kernel_mlpxx->eval_pairs(&s, &S, pairs, 3, &out, NULL) == 0, "eval_pairs");
    for (size_t p = 0; p < 3; p++) {
        double K, e;
        tkc_mlp_kernel_xx(&s, tkc_strings_row(&S, pairs[p].x), tkc_strings_row(&S, pairs[p].y),
                          3, &K, &e, NULL);
        CHECK(value[p] == K && se[p] == e, "eval_pairs value %zu", p);
        CHECK(cov[p * 3 + p] == e * e, "cov diagonal %zu", p);
    }
    CHECK(cov[1] == 0 && cov[3] == 0, "cov off-diagonal zero");
    CHECK(out.error_kind == TKC_ERROR_ROUNDING && out.samples == 0, "error kind");
    tkc_error err;
    tkc_pair bad[] = {{0, 3}};
    CHECK(tkc_kernel_mlp->eval_pairs(&s, &S, bad, 1, &out, &err) == TKC_EINPUT,
          "out-of-range pair refused");
    s.activation = NULL;
    CHECK(tkc_kernel_mlp->eval_pairs(&s, &S, pairs, 1, &out, &err) == TKC_EINPUT &&
              strstr(err.message, "activation"),
          "missing activation refused: %s", err.message);
}

int main(void)
{
    test_counts();
    test_depth1_cos();
    test_rounding_bound();
    test_depth_vs_quadrature();
    test_same_different();
    test_identities();
    test_kernel_type();
    return check_summary();
}
