/* test_arb_enclosure.c — balls as double boxes: the box contains the ball
 * (checked exactly in MPFR), mid is the nearest double, the radius covers
 * the rounding of mid and is tight to it, values below and above the double
 * range, and the evidence forms. */
#include <float.h>
#include <string.h>

#include "check.h"
#include "ref_dual.h"

/* The box contains both ends of the ball, exactly. */
static int box_holds_ball(const tkc_enclosure *e, const arb_t x)
{
    mpfr_t lo, hi;
    mpfr_inits2(REF_PREC, lo, hi, (mpfr_ptr)0);
    arb_get_interval_mpfr(lo, hi, x);
    int ok = ref_box_contains(e, 0, lo) && ref_box_contains(e, 0, hi);
    mpfr_clears(lo, hi, (mpfr_ptr)0);
    return ok;
}

static void test_rounding_of_mid(void)
{
    /* 1/3 at 200 bits: mid is the nearest double, rad its rounding error
     * plus 2^-200-ish; halving it loses 1/3. */
    arb_t x;
    arb_init(x);
    arb_set_ui(x, 1);
    arb_div_ui(x, x, 3, 200);
    tkc_enclosure e;
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, NULL) == 0, "status");
    CHECK(e.mid == 1.0 / 3, "mid %.17g is the nearest double", e.mid);
    CHECK(e.rad > 0 && e.rad < DBL_EPSILON / 4 && box_holds_ball(&e, x),
          "rad %.3g covers the rounding of mid", e.rad);
    mpfr_t third;
    mpfr_init2(third, REF_PREC);
    mpfr_set_ui(third, 1, MPFR_RNDN);
    mpfr_div_ui(third, third, 3, MPFR_RNDN);
    CHECK(ref_box_contains(&e, 0, third) && !ref_box_contains(&e, -1, third),
          "tight: the halved box loses 1/3");
    mpfr_clear(third);

    /* An exact double: radius 0. */
    arb_set_d(x, 0.625);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, NULL) == 0 &&
              e.mid == 0.625 && e.rad == 0, "exact double: rad 0");
    /* A wide ball: its radius, rounded up. */
    arb_set_d(x, 2.0);
    arb_add_error_2exp_si(x, -10);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, NULL) == 0 &&
              e.mid == 2.0 && e.rad >= 0x1p-10 && e.rad < 0x1p-10 * (1 + 1e-8),
          "wide ball: rad %.17g", e.rad);
    arb_clear(x);
}

static void test_range(void)
{
    arb_t x;
    arb_init(x);
    tkc_enclosure e;
    tkc_error err;
    /* exp(-10^5) is far below the least subnormal: mid 0, rad > 0. */
    arb_set_si(x, -100000);
    arb_exp(x, x, 128);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, &err) == 0 &&
              e.mid == 0 && e.rad > 0 && e.rad <= 0x1p-1074 &&
              box_holds_ball(&e, x), "underflow: 0 +/- %.3g", e.rad);
    arb_neg(x, x);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, &err) == 0 &&
              e.mid == 0 && e.rad > 0 && box_holds_ball(&e, x),
          "negative underflow");
    arb_set_si(x, 100000);
    arb_exp(x, x, 128);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, &err) == TKC_ERANGE &&
              strstr(err.message, "overflows"), "overflow refused");
    arb_indeterminate(x);
    CHECK(tkc_enclosure_set_arb(&e, x, TKC_EVIDENCE_PROOF, &err) == TKC_ENUMERIC,
          "NaN refused");
    arb_clear(x);
}

static void test_set_box(void)
{
    arb_t x;
    arb_init(x);
    tkc_error err;
    CHECK(tkc_arb_set_box(x, 0.1, 1e-3, NULL) == 0, "status");
    mpfr_t lo, hi;
    mpfr_inits2(REF_PREC, lo, hi, (mpfr_ptr)0);
    mpfr_set_d(lo, 0.1, MPFR_RNDN);
    mpfr_sub_d(lo, lo, 1e-3, MPFR_RNDN);
    mpfr_set_d(hi, 0.1, MPFR_RNDN);
    mpfr_add_d(hi, hi, 1e-3, MPFR_RNDN);
    CHECK(arb_contains_mpfr(x, lo) && arb_contains_mpfr(x, hi),
          "ball holds the box's ends");
    CHECK(mag_cmp_2exp_si(arb_radref(x), -9) < 0 &&
              mag_get_d(arb_radref(x)) < 1e-3 * (1 + 1e-8), "and not much more");
    mpfr_clears(lo, hi, (mpfr_ptr)0);
    CHECK(tkc_arb_set_box(x, 1, -1, &err) == TKC_EINPUT &&
              strstr(err.message, "non-negative"), "negative radius refused");
    CHECK(tkc_arb_set_box(x, NAN, 1, &err) == TKC_EINPUT, "NaN refused");
    arb_clear(x);
}

static void test_evidence(void)
{
    tkc_evidence ok[] = {TKC_EVIDENCE_PROOF, {TKC_EVIDENCE_CONFIDENCE, 0.999},
                         {TKC_EVIDENCE_ESTIMATE, 0}};
    tkc_evidence bad[] = {{TKC_EVIDENCE_PROVED, 0.999},
                          {TKC_EVIDENCE_CONFIDENCE, 1},
                          {TKC_EVIDENCE_CONFIDENCE, 0},
                          {TKC_EVIDENCE_ESTIMATE, 0.5},
                          {(tkc_evidence_kind)7, 1}};
    for (size_t i = 0; i < 3; i++)
        CHECK(tkc_evidence_validate(ok[i], NULL) == 0, "evidence %zu valid", i);
    for (size_t i = 0; i < 5; i++)
        CHECK(tkc_evidence_validate(bad[i], NULL) == TKC_EINPUT,
              "evidence %zu refused", i);
    CHECK(strcmp(tkc_evidence_kind_name(TKC_EVIDENCE_CONFIDENCE), "confidence") == 0 &&
              strcmp(tkc_evidence_kind_name(TKC_EVIDENCE_PROVED), "proved") == 0,
          "names");
    /* Percent in the words: never rounded up to 100% */
    static const struct {
        double c;
        const char *words;
    } pct[] = {{0.999, "99.9%"}, {0.5, "50%"}, {0.99999, "99.999%"},
               {1 - 1e-12, "99.9999999999%"}, {0.99995, "99.995%"}};
    for (size_t i = 0; i < sizeof pct / sizeof *pct; i++) {
        char buf[32];
        tkc_evidence_percent(buf, sizeof buf, pct[i].c);
        CHECK(!strcmp(buf, pct[i].words), "%.17g: %s, not %s", pct[i].c, buf,
              pct[i].words);
    }
    /* The enclosure carries what it is given and refuses bad evidence. */
    arb_t x;
    arb_init(x);
    arb_set_d(x, 1.5);
    tkc_enclosure e;
    CHECK(tkc_enclosure_set_arb(&e, x, ok[1], NULL) == 0 &&
              e.evidence.kind == TKC_EVIDENCE_CONFIDENCE &&
              e.evidence.confidence == 0.999, "evidence carried");
    CHECK(tkc_enclosure_set_arb(&e, x, bad[0], NULL) == TKC_EINPUT,
          "bad evidence refused");
    arb_clear(x);
}

int main(void)
{
    ref_init();
    test_rounding_of_mid();
    test_range();
    test_set_box();
    test_evidence();
    flint_cleanup();
    return check_summary();
}
