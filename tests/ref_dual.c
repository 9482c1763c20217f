/* ref_dual.c — the 1024-bit MPFR reference of the dual formulas and the box
 * containment check shared by the ball tests.  See ref_dual.h. */
#include "ref_dual.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ref_init(void)
{
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
}

double ref_uniform(ref_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

double ref_log_uniform(ref_rng *r, double lo, double hi)
{
    return exp(log(lo) + (log(hi) - log(lo)) * ref_uniform(r));
}

void ref_draw_b(ref_rng *r, double *b1, double *b2)
{
    *b1 = ref_uniform(r) < 0.25 ? ref_log_uniform(r, 5, 50)
                                : ref_log_uniform(r, 0.01, 5);
    *b2 = REF_PI * (2 * ref_uniform(r) - 1);
}

tkc_kernel_spec ref_spec(const tkc_activation_type *act, unsigned depth,
                         double b1, double b2)
{
    tkc_kernel_spec s;
    memset(&s, 0, sizeof s);
    s.activation = act;
    s.mlp_depth = depth;
    s.b1 = b1;
    s.b2 = b2;
    s.threads = 1;
    return s;
}

/* ---- the formulas, as activation.h states them ---------------------- */

/* ½ exp(−q(A+B)/2) [exp(qC) + cos(2 b2) exp(−qC)], q = b1². */
static void ref_cos(mpfr_t K, const mpfr_t A, const mpfr_t B, const mpfr_t C,
                    double b1, double b2)
{
    mpfr_t q, e, t, u;
    mpfr_inits2(REF_PREC, q, e, t, u, (mpfr_ptr)0);
    mpfr_set_d(q, b1, MPFR_RNDN);
    mpfr_sqr(q, q, MPFR_RNDN);
    mpfr_add(e, A, B, MPFR_RNDN);
    mpfr_mul(e, e, q, MPFR_RNDN);
    mpfr_div_2ui(e, e, 1, MPFR_RNDN);
    mpfr_neg(e, e, MPFR_RNDN);
    mpfr_exp(e, e, MPFR_RNDN);
    mpfr_mul(t, q, C, MPFR_RNDN);
    mpfr_exp(u, t, MPFR_RNDN);
    mpfr_neg(t, t, MPFR_RNDN);
    mpfr_exp(t, t, MPFR_RNDN);
    mpfr_set_d(q, b2, MPFR_RNDN);
    mpfr_mul_2ui(q, q, 1, MPFR_RNDN);
    mpfr_cos(q, q, MPFR_RNDN);
    mpfr_mul(t, t, q, MPFR_RNDN);
    mpfr_add(t, t, u, MPFR_RNDN);
    mpfr_mul(K, t, e, MPFR_RNDN);
    mpfr_div_2ui(K, K, 1, MPFR_RNDN);
    mpfr_clears(q, e, t, u, (mpfr_ptr)0);
}

/* (√(AB − C²) + C(π − θ)) / (2π), θ = acos(C/√(AB)); 0 when AB = 0. */
static void ref_relu(mpfr_t K, const mpfr_t A, const mpfr_t B, const mpfr_t C)
{
    mpfr_t ab, r, th, pi, s;
    mpfr_inits2(REF_PREC, ab, r, th, pi, s, (mpfr_ptr)0);
    mpfr_mul(ab, A, B, MPFR_RNDN);
    if (mpfr_zero_p(ab)) {
        mpfr_set_zero(K, 1);
    } else {
        mpfr_sqrt(r, ab, MPFR_RNDN);
        mpfr_div(th, C, r, MPFR_RNDN);
        if (mpfr_cmp_si(th, 1) > 0)      /* rounding at the kink */
            mpfr_set_si(th, 1, MPFR_RNDN);
        if (mpfr_cmp_si(th, -1) < 0)
            mpfr_set_si(th, -1, MPFR_RNDN);
        mpfr_acos(th, th, MPFR_RNDN);
        mpfr_const_pi(pi, MPFR_RNDN);
        mpfr_sub(th, pi, th, MPFR_RNDN);
        mpfr_mul(th, th, C, MPFR_RNDN);
        mpfr_sqr(s, C, MPFR_RNDN);
        mpfr_sub(s, ab, s, MPFR_RNDN);
        if (mpfr_sgn(s) < 0)
            mpfr_set_zero(s, 1);
        mpfr_sqrt(s, s, MPFR_RNDN);
        mpfr_add(K, s, th, MPFR_RNDN);
        mpfr_div(K, K, pi, MPFR_RNDN);
        mpfr_div_2ui(K, K, 1, MPFR_RNDN);
    }
    mpfr_clears(ab, r, th, pi, s, (mpfr_ptr)0);
}

/* (2/π) asin(2C / √((1 + 2A)(1 + 2B))). */
static void ref_erf(mpfr_t K, const mpfr_t A, const mpfr_t B, const mpfr_t C)
{
    mpfr_t a, b, pi;
    mpfr_inits2(REF_PREC, a, b, pi, (mpfr_ptr)0);
    mpfr_mul_2ui(a, A, 1, MPFR_RNDN);
    mpfr_add_ui(a, a, 1, MPFR_RNDN);
    mpfr_mul_2ui(b, B, 1, MPFR_RNDN);
    mpfr_add_ui(b, b, 1, MPFR_RNDN);
    mpfr_mul(a, a, b, MPFR_RNDN);
    mpfr_sqrt(a, a, MPFR_RNDN);
    mpfr_mul_2ui(b, C, 1, MPFR_RNDN);
    mpfr_div(a, b, a, MPFR_RNDN);
    mpfr_asin(a, a, MPFR_RNDN);
    mpfr_const_pi(pi, MPFR_RNDN);
    mpfr_div(K, a, pi, MPFR_RNDN);
    mpfr_mul_2ui(K, K, 1, MPFR_RNDN);
    mpfr_clears(a, b, pi, (mpfr_ptr)0);
}

void ref_dual(mpfr_t K, const tkc_activation_type *act, const mpfr_t A,
              const mpfr_t B, const mpfr_t C, double b1, double b2)
{
    if (act == tkc_activation_cos)
        ref_cos(K, A, B, C, b1, b2);
    else if (act == tkc_activation_relu)
        ref_relu(K, A, B, C);
    else
        ref_erf(K, A, B, C);
}

/* ---- boxes ---------------------------------------------------------------- */

/* lo, hi of coordinate i, exactly (REF_PREC bits hold mid ± rad). */
static void box_end(mpfr_t x, const ref_box *box, int i, int sign)
{
    mpfr_set_d(x, box->mid[i], MPFR_RNDN);
    if (sign > 0)
        mpfr_add_d(x, x, box->rad[i], MPFR_RNDN);
    else if (sign < 0)
        mpfr_sub_d(x, x, box->rad[i], MPFR_RNDN);
}

/* The same for a variance (i < 2) of a feasible box: negative ends are
 * clamped to 0, which the box then holds. */
static void box_variance(mpfr_t x, const ref_box *box, int i, int sign)
{
    box_end(x, box, i, sign);
    if (mpfr_sgn(x) < 0)
        mpfr_set_zero(x, 1);
}

static int covariance(const mpfr_t a, const mpfr_t b, const mpfr_t c)
{
    if (mpfr_sgn(a) < 0 || mpfr_sgn(b) < 0)
        return 0;
    mpfr_t ab, cc;
    mpfr_inits2(3 * REF_PREC, ab, cc, (mpfr_ptr)0);
    mpfr_mul(ab, a, b, MPFR_RNDN);  /* exact at 3 REF_PREC bits */
    mpfr_sqr(cc, c, MPFR_RNDN);
    int ok = mpfr_cmp(cc, ab) <= 0;
    mpfr_clears(ab, cc, (mpfr_ptr)0);
    return ok;
}

int ref_box_feasible(const ref_box *box)
{
    mpfr_t a, b, c, s;
    mpfr_inits2(REF_PREC, a, b, c, s, (mpfr_ptr)0);
    box_end(a, box, 0, 1);
    box_end(b, box, 1, 1);
    int ok = mpfr_sgn(a) >= 0 && mpfr_sgn(b) >= 0;
    if (ok) {  /* [c_lo, c_hi] meets [−√(a_hi b_hi), √(a_hi b_hi)] */
        mpfr_mul(s, a, b, MPFR_RNDU);
        mpfr_sqrt(s, s, MPFR_RNDU);
        box_end(c, box, 2, -1);
        ok = mpfr_cmp(c, s) <= 0;
        box_end(c, box, 2, 1);
        mpfr_neg(s, s, MPFR_RNDN);
        ok = ok && mpfr_cmp(c, s) >= 0;
    }
    mpfr_clears(a, b, c, s, (mpfr_ptr)0);
    return ok;
}

int ref_ball_contains(const arb_t K, int scale2, const mpfr_t y)
{
    arb_t w;
    arf_t t;
    mag_t m;
    arb_init(w);
    arf_init(t);
    mag_init(m);
    arb_set(w, K);
    mag_mul_2exp_si(arb_radref(w), arb_radref(w), scale2);
    arf_set_mpfr(t, y);
    arf_get_mag(m, t);
    mag_mul_2exp_si(m, m, -1000);
    arb_add_error_mag(w, m);
    int in = arb_contains_mpfr(w, y);
    arb_clear(w);
    arf_clear(t);
    mag_clear(m);
    return in;
}

int ref_box_contains(const tkc_enclosure *e, int scale2, const mpfr_t y)
{
    mpfr_t d, r;
    mpfr_inits2(REF_PREC, d, r, (mpfr_ptr)0);
    mpfr_sub_d(d, y, e->mid, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_set_d(r, e->rad, MPFR_RNDN);
    mpfr_mul_2si(r, r, scale2, MPFR_RNDN);
    mpfr_t w;
    mpfr_init2(w, REF_PREC);
    mpfr_abs(w, y, MPFR_RNDN);
    mpfr_div_2ui(w, w, 1000, MPFR_RNDN);
    mpfr_add(r, r, w, MPFR_RNDN);
    int in = mpfr_cmp(d, r) <= 0;
    mpfr_clears(d, r, w, (mpfr_ptr)0);
    return in;
}

/* The reference values met so far. */
typedef struct span {
    mpfr_t lo, hi, mid_error;  /* min, max, max |y − e->mid| */
} span;

/* One reference value y: check, record; 0 if K or e misses it. */
static int record(mpfr_t y, const arb_t K, const tkc_enclosure *e,
                  ref_outcome *out, span *sp)
{
    int ball = ref_ball_contains(K, 0, y), box = ref_box_contains(e, 0, y);
    out->ball_ok &= ball;
    out->box_ok &= box;
    out->shrunk_misses |= out->point ? !ref_box_contains(e, -1, y)
                                     : !ref_ball_contains(K, -1, y);
    if (out->points++ == 0) {
        mpfr_set(sp->lo, y, MPFR_RNDN);
        mpfr_set(sp->hi, y, MPFR_RNDN);
    }
    mpfr_min(sp->lo, sp->lo, y, MPFR_RNDN);
    mpfr_max(sp->hi, sp->hi, y, MPFR_RNDN);
    mpfr_sub_d(y, y, e->mid, MPFR_RNDN);
    mpfr_abs(y, y, MPFR_RNDN);
    mpfr_max(sp->mid_error, sp->mid_error, y, MPFR_RNDN);
    return ball && box;
}

static void print_miss(const char *what, const char *where, const mpfr_t y,
                       const arb_t K, const tkc_enclosure *e)
{
    char *s = arb_get_str(K, 30, 0);
    mpfr_fprintf(stderr, "%s: missed %s: reference %.30Rg, ball %s, box "
                 "%.17g +/- %.3g\n", what, where, y, s, e->mid, e->rad);
    flint_free(s);
}

/* One point of the box: evaluate, check, record; print failures. */
static void check_point(const tkc_activation_type *act, double b1, double b2,
                        const mpfr_t a, const mpfr_t b, const mpfr_t c,
                        const arb_t K, const tkc_enclosure *e,
                        const char *what, ref_outcome *out, span *sp)
{
    mpfr_t y;
    mpfr_init2(y, REF_PREC);
    ref_dual(y, act, a, b, c, b1, b2);
    mpfr_t y0;
    mpfr_init2(y0, REF_PREC);
    mpfr_set(y0, y, MPFR_RNDN);
    if (!record(y, K, e, out, sp)) {
        char where[200];
        mpfr_snprintf(where, sizeof where, "(A, B, C) = (%.20Rg, %.20Rg, %.20Rg)",
                      a, b, c);
        print_miss(what, where, y0, K, e);
    }
    mpfr_clears(y, y0, (mpfr_ptr)0);
}

/* Whether halving a radius can lose the reference (ref_dual.h). */
static int resolvable(const ref_outcome *out, span *sp)
{
    if (out->points == 0)
        return 0;
    mpfr_t size, gap;
    mpfr_inits2(REF_PREC, size, gap, (mpfr_ptr)0);
    mpfr_abs(size, sp->lo, MPFR_RNDN);
    mpfr_abs(gap, sp->hi, MPFR_RNDN);
    mpfr_max(size, size, gap, MPFR_RNDN);
    if (out->point)
        mpfr_set(gap, sp->mid_error, MPFR_RNDN);
    else
        mpfr_sub(gap, sp->hi, sp->lo, MPFR_RNDN);
    mpfr_div_2ui(size, size, 100, MPFR_RNDN);
    int ok = mpfr_cmp(gap, size) >= 0 && mpfr_sgn(gap) > 0 &&
             (mpfr_cmp_ui_2exp(sp->hi, 1, -1000) >= 0 ||
              mpfr_cmp_si_2exp(sp->lo, -1, -1000) <= 0);
    mpfr_clears(size, gap, (mpfr_ptr)0);
    return ok;
}

/* A point of the box drawn uniformly, C drawn inside its Cauchy–Schwarz
 * range at that (a, b); 0 if that range misses [c_lo, c_hi]. */
static int random_point(ref_rng *r, const ref_box *box, mpfr_t x[3])
{
    for (int i = 0; i < 3; i++) {
        mpfr_set_d(x[i], box->rad[i], MPFR_RNDN);
        mpfr_mul_d(x[i], x[i], 2 * ref_uniform(r) - 1, MPFR_RNDN);
        mpfr_add_d(x[i], x[i], box->mid[i], MPFR_RNDN);
    }
    for (int i = 0; i < 2; i++)
        if (mpfr_sgn(x[i]) < 0)
            mpfr_set_zero(x[i], 1);
    return covariance(x[0], x[1], x[2]);
}

static void span_init(span *sp)
{
    mpfr_inits2(REF_PREC, sp->lo, sp->hi, sp->mid_error, (mpfr_ptr)0);
    mpfr_set_zero(sp->mid_error, 1);
}

static void span_clear(span *sp)
{
    mpfr_clears(sp->lo, sp->hi, sp->mid_error, (mpfr_ptr)0);
}

void ref_check_value(const mpfr_t y, const arb_t K, const tkc_enclosure *e,
                     const char *what, ref_outcome *out)
{
    *out = (ref_outcome){0, 1, 1, 1, 0, 0};
    span sp;
    span_init(&sp);
    mpfr_t t;
    mpfr_init2(t, REF_PREC);
    mpfr_set(t, y, MPFR_RNDN);
    if (!record(t, K, e, out, &sp))
        print_miss(what, "the value", y, K, e);
    out->resolvable = resolvable(out, &sp);
    mpfr_clear(t);
    span_clear(&sp);
}

void ref_check_box(ref_rng *r, const tkc_activation_type *act, double b1,
                   double b2, const ref_box *box, int diag, int random,
                   const arb_t K, const tkc_enclosure *e, const char *what,
                   ref_outcome *out)
{
    int point = !box->rad[0] && !box->rad[1] && !box->rad[2];
    *out = (ref_outcome){0, 1, 1, point, 0, 0};
    span sp;
    span_init(&sp);
    mpfr_t x[3], s;
    for (int i = 0; i < 3; i++)
        mpfr_init2(x[i], REF_PREC);
    mpfr_init2(s, REF_PREC);
    int sides[3] = {0, -1, 1};
    if (diag) {
        for (int k = 0; k < 3; k++) {
            box_variance(x[0], box, 0, sides[k]);
            check_point(act, b1, b2, x[0], x[0], x[0], K, e, what, out, &sp);
        }
        for (int k = 0; k < random; k++) {
            mpfr_set_d(x[0], box->rad[0] * (2 * ref_uniform(r) - 1), MPFR_RNDN);
            mpfr_add_d(x[0], x[0], box->mid[0], MPFR_RNDN);
            if (mpfr_sgn(x[0]) >= 0)
                check_point(act, b1, b2, x[0], x[0], x[0], K, e, what, out, &sp);
        }
    } else {
        /* Midpoint, then each (a, b) corner with c at its ends and at the
         * Cauchy–Schwarz edges ±√(ab) (rounded toward 0) when in range. */
        int nside = point ? 1 : 3;
        for (int ia = 0; ia < nside; ia++)
            for (int ib = 0; ib < nside; ib++) {
                if ((ia == 0) != (ib == 0))
                    continue;
                box_variance(x[0], box, 0, sides[ia]);
                box_variance(x[1], box, 1, sides[ib]);
                for (int ic = ia ? 1 : 0; ic < (ia ? 5 : 1); ic++) {
                    if (ic < 3) {
                        box_end(x[2], box, 2, sides[ic]);
                    } else {
                        mpfr_mul(s, x[0], x[1], MPFR_RNDZ);
                        mpfr_sqrt(x[2], s, MPFR_RNDZ);
                        if (ic == 3)
                            mpfr_neg(x[2], x[2], MPFR_RNDN);
                        box_end(s, box, 2, -1);
                        if (mpfr_cmp(x[2], s) < 0)
                            continue;
                        box_end(s, box, 2, 1);
                        if (mpfr_cmp(x[2], s) > 0)
                            continue;
                    }
                    if (covariance(x[0], x[1], x[2]))
                        check_point(act, b1, b2, x[0], x[1], x[2], K, e, what,
                                    out, &sp);
                }
            }
        for (int k = 0; k < random; k++)
            if (random_point(r, box, x))
                check_point(act, b1, b2, x[0], x[1], x[2], K, e, what, out, &sp);
    }
    out->resolvable = resolvable(out, &sp);
    for (int i = 0; i < 3; i++)
        mpfr_clear(x[i]);
    mpfr_clear(s);
    span_clear(&sp);
}

void ref_tally_add(ref_tally *t, const ref_outcome *o)
{
    t->inputs++;
    t->points += o->points;
    t->ball_fail += !o->ball_ok;
    t->box_fail += !o->box_ok;
    t->resolvable += o->resolvable;
    t->shrunk_misses += o->resolvable && o->shrunk_misses;
}

double ref_tally_tightness(const ref_tally *t)
{
    return t->resolvable ? (double)t->shrunk_misses / (double)t->resolvable
                         : 1.0;
}

void ref_tally_print(const char *what, const ref_tally *t)
{
    printf("%-30s %5ld inputs, %6ld reference points, %ld + %ld missed "
           "(ball + box); halved radius loses it: %5.1f%% of %ld\n",
           what, t->inputs, t->points, t->ball_fail, t->box_fail,
           100 * ref_tally_tightness(t), t->resolvable);
}
