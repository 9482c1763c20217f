/* test_arb_mlp.c — the MLP kernels as balls (mlp_arb.h) against the
 * 1024-bit MPFR recursion of ref_dual.c, on 12 000 random string pairs per
 * encoding (one-hot, XXᵀ-augmented): lengths 1..8, small alphabets (many
 * repeats), x = y one time in ten, depth 0..4, each activation, b1 up to 50.
 * The ball and the kernel layer's value ± se for the same pair (the mlp and
 * mlpxx kernel types: Grams cached, balls turned into double boxes) must
 * contain the reference, and the box halved must lose it wherever the
 * rounding of its midpoint shows (ref_dual.h).  The input Grams are counted
 * here again, independently of mlp.c.  Also: hand values and argument
 * checks. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "ref_dual.h"
#include "mlp.h"
#include "mlp_arb.h"

#define PREC 128
#define INPUTS 12000
#define KMAX 8

/* The Gram numerators over the common denominator: one-hot m/k (den k),
 * augmented (k m + r)/(2k²). */
static unsigned long gram_num(const tkc_token *x, const tkc_token *y, size_t k,
                              int xx)
{
    unsigned long m = 0, r = 0;
    for (size_t a = 0; a < k; a++) {
        m += x[a] == y[a];
        for (size_t b = 0; b < k; b++)
            r += x[a] == x[b] && y[a] == y[b];
    }
    return xx ? k * m + r : m;
}

/* The depth-L recursion at REF_PREC, self terms by the general formula. */
static void ref_mlp(mpfr_t K, const tkc_kernel_spec *s, const tkc_token *x,
                    const tkc_token *y, size_t k, int xx)
{
    unsigned long den = xx ? 2 * k * k : k;
    mpfr_t A, B, C, nA, nB;
    mpfr_inits2(REF_PREC, A, B, C, nA, nB, (mpfr_ptr)0);
    mpfr_set_ui(A, gram_num(x, x, k, xx), MPFR_RNDN);
    mpfr_set_ui(B, gram_num(y, y, k, xx), MPFR_RNDN);
    mpfr_set_ui(C, gram_num(x, y, k, xx), MPFR_RNDN);
    mpfr_div_ui(A, A, den, MPFR_RNDN);
    mpfr_div_ui(B, B, den, MPFR_RNDN);
    mpfr_div_ui(C, C, den, MPFR_RNDN);
    for (unsigned l = 0; l < s->mlp_depth; l++) {
        ref_dual(nA, s->activation, A, A, A, s->b1, s->b2);
        ref_dual(nB, s->activation, B, B, B, s->b1, s->b2);
        ref_dual(C, s->activation, A, B, C, s->b1, s->b2);
        mpfr_swap(A, nA);
        mpfr_swap(B, nB);
    }
    mpfr_set(K, C, MPFR_RNDN);
    mpfr_clears(A, B, C, nA, nB, (mpfr_ptr)0);
}

/* Hand values: depth 0 is the Gram itself; relu at depth 1 on x = y is
 * K⁰/2 exactly; cos depth 1 one-hot, ½ e^{−q} [e^{q m/k} + cos 2b2 e^{−q m/k}]. */
static void test_hand_values(void)
{
    const tkc_token x[] = {0, 1, 2}, y[] = {0, 1, 3};
    arb_t K, want, t;
    arb_init(K), arb_init(want), arb_init(t);
    tkc_kernel_spec s = ref_spec(tkc_activation_relu, 0, 1, 0.5);
    CHECK(tkc_mlp_arb_onehot(K, &s, x, y, 3, PREC, NULL) == 0, "status");
    arb_set_ui(want, 2);
    arb_div_ui(want, want, 3, PREC);
    CHECK(arb_overlaps(K, want) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "depth 0 one-hot is m/k = 2/3");
    s.mlp_depth = 1;
    CHECK(tkc_mlp_arb_xx(K, &s, x, x, 3, PREC, NULL) == 0, "status");
    /* K⁰(x, x) = ½ (1 + 3/9) = 2/3; relu: 1/3. */
    arb_set_ui(want, 1);
    arb_div_ui(want, want, 3, PREC);
    CHECK(arb_overlaps(K, want) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "relu depth 1 on x = x is 1/3");
    s = ref_spec(tkc_activation_cos, 1, 1.1, 0.4);
    CHECK(tkc_mlp_arb_onehot(K, &s, x, y, 3, PREC, NULL) == 0, "status");
    double q = 1.1 * 1.1, c = 2.0 / 3;
    double hand = 0.5 * exp(-q) * (exp(q * c) + cos(0.8) * exp(-q * c));
    CHECK(fabs(arf_get_d(arb_midref(K), ARF_RND_NEAR) - hand) < 1e-15 &&
              mag_cmp_2exp_si(arb_radref(K), -110) < 0,
          "cos depth 1: %.17g vs hand %.17g",
          arf_get_d(arb_midref(K), ARF_RND_NEAR), hand);
    arb_clear(K), arb_clear(want), arb_clear(t);
}

static void test_argument_checks(void)
{
    const tkc_token x[] = {0, 1};
    arb_t K;
    arb_init(K);
    tkc_error err;
    tkc_kernel_spec s = ref_spec(NULL, 1, 1, 0.5);
    CHECK(tkc_mlp_arb_onehot(K, &s, x, x, 2, PREC, &err) == TKC_EINPUT &&
              strstr(err.message, "activation"), "no activation");
    s.activation = tkc_activation_erf;
    CHECK(tkc_mlp_arb_xx(K, &s, x, x, 0, PREC, &err) == TKC_EINPUT &&
              strstr(err.message, "empty"), "empty strings");
    CHECK(tkc_mlp_arb_xx(K, &s, x, x, 2, 4, &err) == TKC_EINPUT &&
              strstr(err.message, "precision"), "precision checked");
    arb_clear(K);
}

static void draw_strings(ref_rng *r, tkc_token *x, tkc_token *y, size_t k)
{
    int n = 1 + (int)(ref_uniform(r) * (double)(k + 1));  /* alphabet */
    for (size_t a = 0; a < k; a++)
        x[a] = (tkc_token)(ref_uniform(r) * n);
    double mode = ref_uniform(r);
    for (size_t a = 0; a < k; a++)
        y[a] = mode < 0.1 ? x[a]                              /* x = y      */
               : mode < 0.4 && ref_uniform(r) < 0.7 ? x[a]    /* near copy  */
                            : (tkc_token)(ref_uniform(r) * n);
}

/* The kernel layer's value ± se for the pair (x, y) of S, as a box. */
static int layer_box(const tkc_kernel_spec *s, const tkc_strings *S,
                     tkc_enclosure *e, tkc_error *err)
{
    tkc_pair pair = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, err);
    int rc = v ? tkc_kernel_eval_pairs(s, S, &pair, 1, v, err) : TKC_ENOMEM;
    if (!rc) {
        *e = (tkc_enclosure){v->value[0], v->se[0], TKC_EVIDENCE_PROOF};
        CHECK(v->error_kind == TKC_ERROR_ROUNDING, "kind rounding (rigorous)");
    }
    tkc_kernel_values_free(v);
    return rc;
}

static void run_encoding(int xx, uint64_t seed)
{
    const char *name = xx ? "mlpxx" : "mlp";
    int (*f)(arb_t, const tkc_kernel_spec *, const tkc_token *,
             const tkc_token *, size_t, slong, tkc_error *) =
        xx ? tkc_mlp_arb_xx : tkc_mlp_arb_onehot;
    ref_rng r = {seed};
    ref_tally tally = {0};
    tkc_strings *S = tkc_strings_alloc(2, KMAX, NULL);
    arb_t K;
    arb_init(K);
    mpfr_t y;
    mpfr_init2(y, REF_PREC);
    for (long n = 0; n < INPUTS; n++) {
        size_t k = 1 + (size_t)(ref_uniform(&r) * KMAX);
        S->k = k;
        tkc_token *x = tkc_strings_row(S, 0), *z = tkc_strings_row(S, 1);
        draw_strings(&r, x, z, k);
        unsigned depth = (unsigned)(ref_uniform(&r) * 5);
        double b1, b2;
        ref_draw_b(&r, &b1, &b2);
        tkc_kernel_spec s = ref_spec(tkc_activation_types[n % 3], depth, b1, b2);
        s.kernel = xx ? tkc_kernel_mlpxx : tkc_kernel_mlp;
        tkc_error err;
        tkc_enclosure e;
        int rc = f(K, &s, x, z, k, PREC, &err);
        /* depth 0 is outside the kernel spec's range (1..64): balls only */
        if (!rc && depth > 0)
            rc = layer_box(&s, S, &e, &err);
        else if (!rc)
            rc = tkc_enclosure_set_arb(&e, K, TKC_EVIDENCE_PROOF, &err);
        CHECK(rc == 0, "%s input %ld: %s", name, n, err.message);
        if (rc)
            continue;
        ref_mlp(y, &s, x, z, k, xx);
        char what[96];
        snprintf(what, sizeof what, "%s %s depth %u k %zu b1 %g b2 %g, input %ld",
                 name, s.activation->name, s.mlp_depth, k, s.b1, s.b2, n);
        ref_outcome o;
        ref_check_value(y, K, &e, what, &o);
        ref_tally_add(&tally, &o);
    }
    mpfr_clear(y);
    arb_clear(K);
    tkc_strings_free(S);
    ref_tally_print(name, &tally);
    CHECK(tally.ball_fail == 0 && tally.box_fail == 0,
          "%s: %ld balls and %ld boxes miss the reference", name,
          tally.ball_fail, tally.box_fail);
    CHECK(tally.inputs >= 10000, "%s: %ld inputs", name, tally.inputs);
    CHECK(ref_tally_tightness(&tally) >= 0.9 && tally.resolvable >= tally.inputs / 2,
          "%s: halving the box loses the reference for %.1f%% of %ld", name,
          100 * ref_tally_tightness(&tally), tally.resolvable);
}

int main(void)
{
    ref_init();
    test_hand_values();
    test_argument_checks();
    run_encoding(0, 21);
    run_encoding(1, 22);
    flint_cleanup();
    return check_summary();
}
