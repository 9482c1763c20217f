/* test_arb_dual.c — the ball duals (dual_arb.h) contain the 1024-bit
 * MPFR reference (ref_dual.c) at every covariance point of their input box
 * that is evaluated, for 12 000 random inputs per activation: point and
 * ball inputs, A and B from 1e-12 to 1e6, b1 up to 50, the relu kink
 * |C| → √(AB) from below, exactly at it and from above (a point above it is
 * refused; a ball straddling it is not), and the diagonal form.  Halving
 * the radius of the ball (or of its double box) must lose the reference
 * for most inputs: the enclosures are tight, so the containment check is
 * not vacuous (why each input class can fail: ref_dual.h).  Exact special
 * cases and the argument checks come first. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "ref_dual.h"
#include "dual_arb.h"

#define PREC 128
#define INPUTS 12000

/* ---- exact special cases -------------------------------------------------- */

static void test_special_values(void)
{
    tkc_kernel_spec s = ref_spec(NULL, 0, 0, 0.3);
    arb_t A, B, C, K, want;
    arb_init(A), arb_init(B), arb_init(C), arb_init(K), arb_init(want);

    /* relu at the kink: C = √(AB) gives √(AB)/2 (A = 4, B = 9, C = 6). */
    arb_set_ui(A, 4), arb_set_ui(B, 9), arb_set_ui(C, 6);
    CHECK(tkc_dual_arb(K, tkc_activation_relu, A, B, C, &s, PREC, NULL) == 0,
          "relu at the kink: status");
    arb_set_ui(want, 3);
    CHECK(arb_contains(K, want) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "relu at the kink is 3, tightly");
    /* C = −√(AB): 0.  A = 0: 0.  Diagonal A/2 exactly. */
    arb_set_si(C, -6);
    CHECK(tkc_dual_arb(K, tkc_activation_relu, A, B, C, &s, PREC, NULL) == 0 &&
              arb_contains_si(K, 0) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "relu at C = -sqrt(AB) is 0");
    arb_zero(A), arb_zero(C);
    CHECK(tkc_dual_arb(K, tkc_activation_relu, A, B, C, &s, PREC, NULL) == 0 &&
              arb_is_zero(K), "relu with A = 0 is exactly 0");
    arb_set_d(A, 0.75);
    CHECK(tkc_dual_arb_diag(K, tkc_activation_relu, A, &s, PREC, NULL) == 0 &&
              arb_is_exact(K) && arf_get_d(arb_midref(K), ARF_RND_NEAR) == 0.375,
          "relu diagonal is A/2 exactly");

    /* cos with b1 = 0: φ is the constant cos(b2), K = cos²(b2). */
    arb_set_d(A, 2.5), arb_set_d(B, 0.5), arb_set_d(C, -1.0);
    CHECK(tkc_dual_arb(K, tkc_activation_cos, A, B, C, &s, PREC, NULL) == 0,
          "cos b1 = 0: status");
    arb_set_d(want, 0.3);
    arb_cos(want, want, PREC);
    arb_sqr(want, want, PREC);
    CHECK(arb_overlaps(K, want) && mag_cmp_2exp_si(arb_radref(K), -110) < 0,
          "cos with b1 = 0 is cos^2(b2)");

    /* erf with C = 0: a and b independent, E erf = 0. */
    arb_zero(C);
    CHECK(tkc_dual_arb(K, tkc_activation_erf, A, B, C, &s, PREC, NULL) == 0 &&
              arb_contains_si(K, 0) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "erf with C = 0 is 0");
    /* erf diagonal at A = 1/2·(…): A = 1.5 gives (2/π) asin(3/4). */
    arb_set_d(A, 1.5);
    CHECK(tkc_dual_arb_diag(K, tkc_activation_erf, A, &s, PREC, NULL) == 0,
          "erf diagonal: status");
    arb_set_d(want, 0.75);
    arb_asin(want, want, PREC);
    arb_const_pi(C, PREC);
    arb_div(want, want, C, PREC);
    arb_mul_2exp_si(want, want, 1);
    CHECK(arb_overlaps(K, want) && mag_cmp_2exp_si(arb_radref(K), -120) < 0,
          "erf diagonal at 1.5 is (2/pi) asin(3/4)");
    arb_clear(A), arb_clear(B), arb_clear(C), arb_clear(K), arb_clear(want);
}

static double fake_phi(double t, const tkc_kernel_spec *spec)
{
    (void)spec;
    return t;
}

static void test_argument_checks(void)
{
    tkc_kernel_spec s = ref_spec(NULL, 0, 1, 0.5);
    tkc_activation_type fake = {"linear", "no ball dual", fake_phi, NULL, NULL};
    arb_t A, B, C, K;
    arb_init(A), arb_init(B), arb_init(C), arb_init(K);
    arb_one(A), arb_one(B), arb_zero(C);
    tkc_error err;
    CHECK(!tkc_dual_arb_supports(&fake) &&
              tkc_dual_arb_supports(tkc_activation_erf), "supports");
    CHECK(tkc_dual_arb(K, &fake, A, B, C, &s, PREC, &err) == TKC_EINPUT &&
              strstr(err.message, "linear"), "unsupported activation named");
    CHECK(tkc_dual_arb(K, tkc_activation_cos, A, B, C, NULL, PREC, &err) ==
              TKC_EINPUT, "spec required");
    CHECK(tkc_dual_arb(K, tkc_activation_cos, A, B, C, &s, 8, &err) ==
              TKC_EINPUT && strstr(err.message, "precision"), "prec checked");
    arb_indeterminate(C);
    CHECK(tkc_dual_arb(K, tkc_activation_relu, A, B, C, &s, PREC, &err) ==
              TKC_EINPUT && strstr(err.message, "not finite"), "NaN refused");
    /* Certainly not a covariance: C = 1 + 2^-100 with A = B = 1, and A < 0.
     * All three duals refuse the same boxes. */
    arb_one(C);
    arb_mul_2exp_si(K, C, -100);
    arb_add(C, C, K, PREC);
    for (const tkc_activation_type *const *a = tkc_activation_types; *a; a++) {
        CHECK(tkc_dual_arb(K, *a, A, B, C, &s, PREC, &err) == TKC_ERANGE &&
                  strstr(err.message, "covariance"),
              "%s refuses C just above sqrt(AB)", (*a)->name);
        arb_set_si(K, -1);
        CHECK(tkc_dual_arb_diag(K, *a, K, &s, PREC, &err) == TKC_ERANGE,
              "%s diagonal refuses A < 0", (*a)->name);
    }
    arb_clear(A), arb_clear(B), arb_clear(C), arb_clear(K);
}

/* ---- the random containment test ---------------------------------------- */

enum input_class { POINT, KINK_BELOW, KINK_EXACT, KINK_ABOVE, BALL, BALL_KINK,
                   DIAG, NCLASS };
static const char *class_name[NCLASS] = {
    "point", "kink from below", "kink exactly", "kink from above (point)",
    "ball", "ball across the kink", "diagonal"};

/* A double with 26 significant bits, so that products of two are exact. */
static double short_double(ref_rng *r, double lo, double hi)
{
    double x = ref_log_uniform(r, lo, hi);
    int e;
    double m = frexp(x, &e);
    return ldexp(nearbyint(m * 0x1p26), e - 26);
}

static double sign(ref_rng *r)
{
    return ref_uniform(r) < 0.5 ? -1 : 1;
}

/* Relative radius 10^-u, u uniform in [1, 12], or 0 one time in five. */
static double radius(ref_rng *r, double x)
{
    return ref_uniform(r) < 0.2 ? 0 : fabs(x) * pow(10, -1 - 11 * ref_uniform(r));
}

static void draw_input(ref_rng *r, enum input_class cls, ref_box *box)
{
    double A = ref_log_uniform(r, 1e-12, 1e6), B = ref_log_uniform(r, 1e-12, 1e6);
    double rho = 2 * ref_uniform(r) - 1, u = pow(10, -0.5 - 15.5 * ref_uniform(r));
    memset(box, 0, sizeof *box);
    switch (cls) {
    case POINT:
    case BALL:
        break;
    case KINK_BELOW:
        rho = sign(r) * (1 - u);
        break;
    case KINK_ABOVE:
        rho = sign(r) * (1 + u);
        break;
    case BALL_KINK:  /* mid within 10^-u of the kink, radius reaching it */
        rho = sign(r) * (1 + (ref_uniform(r) - 0.5) * u);
        break;
    case KINK_EXACT: {
        double a = short_double(r, 1e-6, 1e3), b = short_double(r, 1e-6, 1e3);
        *box = (ref_box){{a * a, b * b, sign(r) * a * b}, {0, 0, 0}};
        return;
    }
    case DIAG:
        box->mid[0] = box->mid[1] = box->mid[2] = A;
        box->rad[0] = box->rad[1] = box->rad[2] = radius(r, A);
        return;
    default:
        break;
    }
    box->mid[0] = A;
    box->mid[1] = B;
    box->mid[2] = rho * sqrt(A) * sqrt(B);
    if (cls == BALL)
        for (int i = 0; i < 3; i++)
            box->rad[i] = radius(r, box->mid[i]);
    if (cls == BALL_KINK) {
        box->rad[2] = fabs(box->mid[2]) * u * (0.5 + 4 * ref_uniform(r));
        box->rad[0] = radius(r, A);
        box->rad[1] = radius(r, B);
    }
}

static void run_activation(const tkc_activation_type *act, uint64_t seed)
{
    ref_rng r = {seed};
    ref_tally tally[NCLASS];
    memset(tally, 0, sizeof tally);
    long refused = 0, refused_wrong = 0, exact_kink_wide = 0;
    arb_t X[3], K;
    for (int i = 0; i < 3; i++)
        arb_init(X[i]);
    arb_init(K);
    for (long n = 0; n < INPUTS; n++) {
        enum input_class cls = (enum input_class)(n % NCLASS);
        ref_box box;
        draw_input(&r, cls, &box);
        double b1, b2;
        ref_draw_b(&r, &b1, &b2);
        tkc_kernel_spec s = ref_spec(NULL, 0, b1, b2);
        for (int i = 0; i < 3; i++)
            tkc_arb_set_box(X[i], box.mid[i], box.rad[i], NULL);
        tkc_error err;
        int rc = cls == DIAG
                     ? tkc_dual_arb_diag(K, act, X[0], &s, PREC, &err)
                     : tkc_dual_arb(K, act, X[0], X[1], X[2], &s, PREC, &err);
        int point = !box.rad[0] && !box.rad[1] && !box.rad[2];
        if (!ref_box_feasible(&box)) {
            /* No covariance: a point is certainly refused, a ball may be. */
            refused += rc == TKC_ERANGE;
            refused_wrong += point ? rc != TKC_ERANGE
                                   : (rc != 0 && rc != TKC_ERANGE);
            continue;
        }
        tkc_enclosure e = {0, 0, TKC_EVIDENCE_PROOF};
        CHECK(rc == 0, "%s %s input %ld: status %d (%s)", act->name,
              class_name[cls], n, rc, err.message);
        if (rc || tkc_enclosure_set_arb(&e, K, TKC_EVIDENCE_PROOF, &err))
            continue;
        char what[96];
        snprintf(what, sizeof what, "%s, %s, input %ld, b1 = %g, b2 = %g",
                 act->name, class_name[cls], n, s.b1, s.b2);
        ref_outcome o;
        ref_check_box(&r, act, s.b1, s.b2, &box, cls == DIAG, point ? 0 : 2, K,
                      &e, what, &o);
        ref_tally_add(&tally[cls], &o);
        if (act == tkc_activation_relu && cls == KINK_EXACT)
            exact_kink_wide += mag_get_d(arb_radref(K)) >
                               ldexp(fabs(box.mid[2]), -100);  /* K = 0 or C/2 */
    }
    for (int i = 0; i < 3; i++)
        arb_clear(X[i]);
    arb_clear(K);

    char label[64];
    ref_tally all = {0};
    for (int c = 0; c < NCLASS; c++) {
        snprintf(label, sizeof label, "%s %s", act->name, class_name[c]);
        ref_tally_print(label, &tally[c]);
        all.inputs += tally[c].inputs;
        all.ball_fail += tally[c].ball_fail;
        all.box_fail += tally[c].box_fail;
    }
    printf("%s: %ld boxes without a covariance refused\n", act->name, refused);
    CHECK(all.ball_fail == 0 && all.box_fail == 0,
          "%s: %ld balls and %ld double boxes miss the reference", act->name,
          all.ball_fail, all.box_fail);
    CHECK(refused_wrong == 0 && tally[KINK_ABOVE].inputs < INPUTS / NCLASS / 10,
          "%s: %ld wrong answers to boxes without a covariance, %ld points "
          "above the kink taken", act->name, refused_wrong,
          tally[KINK_ABOVE].inputs);
    CHECK(all.inputs >= 10000 - INPUTS / NCLASS, "%s: %ld inputs checked",
          act->name, all.inputs);
    /* Tightness: where halving a radius can lose the reference, it does
     * (ref_dual.h).  relu exactly at the kink is K = C/2, a double: there
     * the box is exact but for the ball's radius, which must be tiny. */
    for (int c = 0; c < NCLASS; c++) {
        double f = ref_tally_tightness(&tally[c]);
        CHECK(f >= 0.9, "%s %s: halving the radius loses the reference for "
              "only %.1f%% of %ld inputs", act->name, class_name[c], 100 * f,
              tally[c].resolvable);
    }
    CHECK(tally[POINT].resolvable >= tally[POINT].inputs / 2 &&
              tally[BALL].resolvable >= tally[BALL].inputs / 2,
          "%s: most inputs can show a halved radius (%ld of %ld points, "
          "%ld of %ld balls)", act->name, tally[POINT].resolvable,
          tally[POINT].inputs, tally[BALL].resolvable, tally[BALL].inputs);
    CHECK(exact_kink_wide == 0, "relu at the kink: %ld balls wider than "
          "2^-100 |C|", exact_kink_wide);
}

int main(void)
{
    ref_init();
    test_special_values();
    test_argument_checks();
    run_activation(tkc_activation_cos, 11);
    run_activation(tkc_activation_relu, 12);
    run_activation(tkc_activation_erf, 13);
    flint_cleanup();
    return check_summary();
}
