/* test_finite.c — finite-width networks converge to the kernel formulas:
 * the RMS error of the empirical kernels falls like d^(-1/2) (fitted slope
 * of log RMS vs log d within -0.5 ± 0.15), and at the largest width the
 * seed-averaged empirical kernel is within a few standard errors of the
 * formula.  β = 0 (K_attn exact) and β ≠ 0 (K_attn by a plain Monte Carlo
 * of the generative form, written here independently of the library's
 * estimators).  The in-law sampling of V_η and ω_j is checked against
 * explicitly drawn weights, and the MLP network against the MLP kernel. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "activation.h"
#include "tkc/finite.h"
#include "mlp.h"

#define NSEEDS 48
static const size_t widths[] = {64, 256, 1024};
#define NWIDTHS 3

/* x = a b c, y = d b a (the middle tokens match, a moves). */
static tkc_token pair_tokens[] = {0, 1, 2, 3, 1, 0};
static const tkc_strings pair = {2, 3, pair_tokens};

static tkc_kernel_spec spec_for(double beta, double gamma)
{
    tkc_kernel_spec s;
    memset(&s, 0, sizeof s);
    s.activation = tkc_activation_cos;
    s.beta = beta;
    s.gamma = gamma;
    s.b1 = 1;
    s.b2 = 0.5;
    s.mlp_depth = 1;
    return s;
}

/* K_attn Gram of the pair: exact at β = 0, otherwise Monte Carlo of
 * u_a = ζ_{x_a} + γ p_a with antithetic pairs (se ~ 3e-4 here). */
static void attn_gram(const tkc_kernel_spec *s, double G[4])
{
    size_t k = pair.k;
    const tkc_token *x = pair.tok, *y = pair.tok + k;
    const tkc_token *str[2] = {x, y};
    if (s->beta == 0) {
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                unsigned m = 0;
                for (size_t a = 0; a < k; a++)
                    for (size_t b = 0; b < k; b++)
                        m += str[i][a] == str[j][b];
                G[2 * i + j] = (double)m / (double)(k * k) + s->gamma * s->gamma / (double)k;
            }
        return;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 77);
    const size_t n = 200000;
    double acc[4] = {0, 0, 0, 0};
    for (size_t t = 0; t < n; t++) {
        double zeta[4], p[3], f[2][7];  /* feature: 4 token + 3 position coords */
        for (int i = 0; i < 4; i++)
            zeta[i] = gsl_ran_gaussian_ziggurat(r, 1);
        for (size_t a = 0; a < k; a++)
            p[a] = gsl_ran_gaussian_ziggurat(r, 1);
        for (int sign = -1; sign <= 1; sign += 2) {
            for (int i = 0; i < 2; i++) {
                double l[3], mx = -INFINITY, z = 0;
                for (size_t a = 0; a < k; a++) {
                    l[a] = sign * s->beta * (zeta[str[i][a]] + s->gamma * p[a]);
                    mx = fmax(mx, l[a]);
                }
                for (size_t a = 0; a < k; a++)
                    z += l[a] = exp(l[a] - mx);
                memset(f[i], 0, sizeof f[i]);
                for (size_t a = 0; a < k; a++) {
                    f[i][str[i][a]] += l[a] / z;
                    f[i][4 + a] += s->gamma * l[a] / z;
                }
            }
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    for (int c = 0; c < 7; c++)
                        acc[2 * i + j] += f[i][c] * f[j][c] / (2.0 * n);
        }
    }
    memcpy(G, acc, sizeof acc);
    gsl_rng_free(r);
}

/* Least-squares slope of log rms against log d. */
static double fitted_slope(const double *rms)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < NWIDTHS; i++) {
        double lx = log((double)widths[i]), ly = log(rms[i]);
        sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
    }
    return (NWIDTHS * sxy - sx * sy) / (NWIDTHS * sxx - sx * sx);
}

/* Convergence of one empirical Gram (the 3 distinct entries) to `limit`:
 * slope check, and the mean at the largest width within 4 se. */
typedef int (*gram_fn)(const tkc_kernel_spec *, size_t d, unsigned long seed,
                       double attn[4], double trans[4]);

static void check_convergence(const char *what, const tkc_kernel_spec *s, gram_fn f,
                              int which, const double limit[4])
{
    static const int entries[3] = {0, 1, 3};
    double rms[NWIDTHS];
    for (int w = 0; w < NWIDTHS; w++) {
        double sq = 0, sum[3] = {0, 0, 0}, sum2[3] = {0, 0, 0};
        for (unsigned long seed = 0; seed < NSEEDS; seed++) {
            double g[2][4];
            int rc = f(s, widths[w], 1000 * w + seed + 1, g[0], g[1]);
            CHECK(rc == 0, "%s: network status %d", what, rc);
            for (int e = 0; e < 3; e++) {
                double dev = g[which][entries[e]] - limit[entries[e]];
                sq += dev * dev;
                sum[e] += dev;
                sum2[e] += dev * dev;
            }
        }
        rms[w] = sqrt(sq / (3 * NSEEDS));
        if (w == NWIDTHS - 1)
            for (int e = 0; e < 3; e++) {
                double mean = sum[e] / NSEEDS;
                double se = sqrt((sum2[e] / NSEEDS - mean * mean) / (NSEEDS - 1));
                char label[128];
                snprintf(label, sizeof label, "%s entry %d at d = %zu", what, entries[e],
                         widths[w]);
                CHECK_WITHIN_SE(limit[entries[e]] + mean, limit[entries[e]], se, 4, label);
            }
    }
    double slope = fitted_slope(rms);
    printf("%s: rms %.4g %.4g %.4g at d = %zu, %zu, %zu; slope %.3f\n", what, rms[0],
           rms[1], rms[2], widths[0], widths[1], widths[2], slope);
    CHECK(fabs(slope + 0.5) <= 0.15, "%s: slope %.3f not within -0.5 +- 0.15", what, slope);
}

static int transformer(const tkc_kernel_spec *s, size_t d, unsigned long seed,
                       double attn[4], double trans[4])
{
    tkc_finite_spec fs = {d, d, d, 0, seed};  /* H = m = d */
    return tkc_finite_transformer_gram(s, &fs, &pair, attn, trans, NULL);
}

static void test_transformer(double beta, double gamma)
{
    tkc_kernel_spec s = spec_for(beta, gamma);
    double A[4], T[4];
    attn_gram(&s, A);
    for (int e = 0; e < 4; e++)
        CHECK(s.activation->dual(A[e / 2 * 3], A[e % 2 * 3], A[e], &s, &T[e], NULL, NULL) == 0,
              "dual status");
    /* The library's K_trans (MC estimator, delta-method se) is the same
     * limit: tie the network to tkc_kernel_trans, not just to the dual. */
    if (beta != 0) {
        tkc_kernel_spec lib;
        tkc_kernel_spec_default(&lib);
        lib.kernel = tkc_kernel_trans;
        lib.estimator = tkc_attn_mc;
        lib.activation = s.activation;
        lib.beta = s.beta, lib.gamma = s.gamma, lib.b1 = s.b1, lib.b2 = s.b2;
        lib.mc.samples = 1 << 17;
        lib.seed = 5;
        tkc_kernel_values *v = tkc_kernel_values_alloc(3, 0, NULL);
        const tkc_pair pp[3] = {{0, 0}, {0, 1}, {1, 1}};
        tkc_error err;
        int rc = v ? tkc_kernel_trans->eval_pairs(&lib, &pair, pp, 3, v, &err) : -1;
        CHECK(rc == 0, "library K_trans: %s", rc > 0 ? err.message : "alloc");
        /* se: the library's, plus 1e-3 for the test's own Monte Carlo
         * (2·10⁵ antithetic draws: its K_attn se is a few 1e-4). */
        static const int entry[3] = {0, 1, 3};
        for (int e = 0; rc == 0 && e < 3; e++)
            CHECK_WITHIN_SE(v->value[e], T[entry[e]], v->se[e] + 1e-3, 4,
                            "library K_trans vs dual of the test's K_attn");
        tkc_kernel_values_free(v);
    }
    char what[64];
    snprintf(what, sizeof what, "K_attn beta=%g", beta);
    check_convergence(what, &s, transformer, 0, A);
    snprintf(what, sizeof what, "K_trans beta=%g", beta);
    check_convergence(what, &s, transformer, 1, T);
}

static int mlp_network(const tkc_kernel_spec *s, size_t d, unsigned long seed,
                       double attn[4], double gram[4])
{
    tkc_finite_spec fs = {d, 1, 1, 0, seed};
    (void)attn;
    return tkc_finite_mlp_gram(s, &fs, &pair, gram, NULL);
}

static void test_mlp(const tkc_activation_type *act, unsigned depth)
{
    tkc_kernel_spec s = spec_for(0, 0);
    s.activation = act;
    s.mlp_depth = depth;
    double K[4], se;
    for (int e = 0; e < 4; e++) {
        const tkc_token *x = pair.tok + (e / 2) * pair.k, *y = pair.tok + (e % 2) * pair.k;
        CHECK(tkc_mlp_kernel_onehot(&s, x, y, pair.k, &K[e], &se, NULL) == 0, "mlp kernel");
    }
    char what[64];
    snprintf(what, sizeof what, "MLP %s depth %u", act->name, depth);
    check_convergence(what, &s, mlp_network, 1, K);
}

/* Accumulates the 3 distinct entries of a 2×2 Gram for mean/variance. */
typedef struct moments {
    double sum[3], sum2[3];
} moments;

static void moments_add(moments *m, const double g[4])
{
    static const int entries[3] = {0, 1, 3};
    for (int e = 0; e < 3; e++) {
        m->sum[e] += g[entries[e]];
        m->sum2[e] += g[entries[e]] * g[entries[e]];
    }
}

/* Same distribution: means within 4 se of their difference, variances
 * within a factor 1.5.  The empirical kernels at d = 6 are heavy-tailed:
 * over many seeds the log variance ratio of n draws has sd ≈ 4/√n (attn),
 * 2/√n (trans), 7/√n (relu MLP, depth 2), so n = 8000 puts the factor 1.5
 * (log 1.5 = 0.41) at 5 sd or more for each. */
static void check_same_law(const char *what, const moments *a, const moments *b, int n)
{
    for (int e = 0; e < 3; e++) {
        double ma = a->sum[e] / n, mb = b->sum[e] / n;
        double va = (a->sum2[e] / n - ma * ma) * n / (n - 1);
        double vb = (b->sum2[e] / n - mb * mb) * n / (n - 1);
        char label[96];
        snprintf(label, sizeof label, "%s entry %d: in-law vs explicit mean", what, e);
        CHECK_WITHIN_SE(ma, mb, sqrt((va + vb) / n), 4, label);
        CHECK(va < 1.5 * vb && vb < 1.5 * va, "%s entry %d: variances %.4g vs %.4g", what,
              e, va, vb);
    }
}

/* V_η, w_η, ω_j (and the MLP weights) drawn in law vs explicitly: the
 * empirical kernels have the same distribution, at small widths where
 * finite-width effects are large (d = 6 < k H: no accidental agreement). */
static void test_in_law_vs_explicit(void)
{
    /* cos for the transformer (relu's heavy tails at d = 6 would need
     * ~10⁴ draws for the variance comparison); relu, depth 2 for the MLP. */
    tkc_kernel_spec s = spec_for(1.0, 0.7), sm = s;
    sm.activation = tkc_activation_relu;
    sm.mlp_depth = 2;
    const int n = 8000;
    moments m[3][2];
    memset(m, 0, sizeof m);
    int ok = 1;
    for (int mode = 0; mode < 2; mode++)
        for (int t = 0; t < n; t++) {
            tkc_finite_spec fs = {6, 5, 7, mode, (unsigned long)(50000 * mode + t)};
            double g[3][4];
            ok &= tkc_finite_transformer_gram(&s, &fs, &pair, g[0], g[1], NULL) == 0 &&
                  tkc_finite_mlp_gram(&sm, &fs, &pair, g[2], NULL) == 0;
            for (int which = 0; which < 3; which++)
                moments_add(&m[which][mode], g[which]);
        }
    CHECK(ok, "finite status");
    check_same_law("attn", &m[0][0], &m[0][1], n);
    check_same_law("trans", &m[1][0], &m[1][1], n);
    check_same_law("mlp", &m[2][0], &m[2][1], n);
}

static void test_reproducible_and_bad_input(void)
{
    tkc_kernel_spec s = spec_for(1.0, 0.5);
    tkc_finite_spec fs = {16, 4, 8, 0, 99};
    double a1[4], t1[4], a2[4], t2[4];
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a1, t1, NULL) == 0 &&
              tkc_finite_transformer_gram(&s, &fs, &pair, a2, t2, NULL) == 0,
          "status");
    CHECK(memcmp(a1, a2, sizeof a1) == 0 && memcmp(t1, t2, sizeof t1) == 0,
          "same seed, same digits");
    CHECK(a1[1] == a1[2] && t1[1] == t1[2], "Gram matrices symmetric");
    fs.seed = 100;
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a2, t2, NULL) == 0 && a1[1] != a2[1],
          "another seed, another network");
    tkc_error err;
    fs.d = 0;
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a1, t1, &err) == TKC_EINPUT &&
              strstr(err.message, "width"),
          "zero width refused: %s", err.message);
    fs.d = 8;
    fs.heads = 0;
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a1, t1, &err) == TKC_EINPUT &&
              strstr(err.message, "heads"),
          "zero heads refused: %s", err.message);
    fs.heads = 2;
    s.activation = NULL;
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a1, t1, &err) == TKC_EINPUT,
          "missing activation refused");
    CHECK(tkc_finite_transformer_gram(&s, &fs, &pair, a1, NULL, &err) == 0,
          "attention alone needs no activation");
    s.mlp_depth = 1;
    CHECK(tkc_finite_mlp_gram(&s, &fs, &pair, a1, &err) == TKC_EINPUT,
          "finite MLP without activation refused");
}

int main(void)
{
    test_transformer(0.0, 0.5);
    test_transformer(1.0, 0.7);
    test_mlp(tkc_activation_cos, 1);
    test_mlp(tkc_activation_relu, 2);
    test_in_law_vs_explicit();
    test_reproducible_and_bad_input();
    return check_summary();
}
