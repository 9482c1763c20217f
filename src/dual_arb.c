/* dual_arb.c — rigorous enclosures of the dual kernels (cos, relu, erf) at
 * ball inputs, in Arb ball arithmetic.  What each enclosure is and why it is
 * tight: dual_arb.h.  Every function here computes at the caller's
 * precision `prec` and is rigorous (no _approx_ steps). */
#include "dual_arb.h"
#include "registry.h"

#include <math.h>
#include <stdio.h>

/* ---- the box ------------------------------------------------------------- */

/* "m +/- r" of a ball, for messages (doubles: approximate on purpose). */
static void ball_str(char *buf, size_t n, const arb_t x)
{
    snprintf(buf, n, "%.6g +/- %.3g", arf_get_d(arb_midref(x), ARF_RND_NEAR),
             mag_get_d(arb_radref(x)));
}

static int check_prec(const char *what, slong prec, tkc_error *err)
{
    if (prec < 16 || prec > TKC_ARB_PREC_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "%s: working precision %ld bits outside 16..%ld", what,
                        (long)prec, (long)TKC_ARB_PREC_MAX);
    return TKC_SUCCESS;
}

/* The covariance box: A, B clamped to [0, ∞) (variances), refused when it
 * certainly holds no covariance — A or B negative, or C entirely beyond
 * ±√(A_hi B_hi), the largest √(ab) in the box. */
static int covariance_box(arb_t Ac, arb_t Bc, arb_t Cc, const char *what,
                          const arb_t A, const arb_t B, const arb_t C,
                          slong prec, tkc_error *err)
{
    if (!arb_is_finite(A) || !arb_is_finite(B) || !arb_is_finite(C))
        return tkc_fail(err, TKC_EINPUT, "%s dual: a ball argument is not finite",
                        what);
    int empty = arb_is_negative(A) || arb_is_negative(B);
    if (!empty) {
        arf_t ah, bh;
        arb_t s;
        arf_init(ah);
        arf_init(bh);
        arb_init(s);
        arb_get_ubound_arf(ah, A, prec);
        arb_get_ubound_arf(bh, B, prec);
        arb_set_arf(s, ah);
        arb_mul_arf(s, s, bh, prec);
        arb_sqrtpos(s, s, prec);
        empty = arb_gt(C, s);
        arb_neg(s, s);
        empty = empty || arb_lt(C, s);
        arf_clear(ah);
        arf_clear(bh);
        arb_clear(s);
    }
    if (empty) {
        char a[64], b[64], c[64];
        ball_str(a, sizeof a, A);
        ball_str(b, sizeof b, B);
        ball_str(c, sizeof c, C);
        return tkc_fail(err, TKC_ERANGE,
                        "%s dual: the box A = %s, B = %s, C = %s holds no "
                        "covariance (A, B >= 0, C^2 <= A B)", what, a, b, c);
    }
    arb_nonnegative_part(Ac, A);
    arb_nonnegative_part(Bc, B);
    arb_set(Cc, C);
    return TKC_SUCCESS;
}

/* e := [0 ± rad(x)], the deviation of a point of x from its midpoint. */
static void deviation(arb_t e, const arb_t x)
{
    arf_zero(arb_midref(e));
    mag_set(arb_radref(e), arb_radref(x));
}

/* The midpoint of x as an exact ball. */
static void midpoint(arb_t m, const arb_t x)
{
    arb_set_arf(m, arb_midref(x));
}

/* K := K ∩ D (both enclose the same set, so they overlap). */
static void intersect(arb_t K, const arb_t D, slong prec)
{
    arb_t t;
    arb_init(t);
    if (arb_intersection(t, K, D, prec))
        arb_swap(K, t);
    arb_clear(t);
}

/* ---- relu ---------------------------------------------------------------- */

/* J(t) = (w + t (π − acos t)) / (2π) at an exact t ∈ [−1, 1], with
 * w = √((1 − t)(1 + t)) and π − acos t = atan2(w, −t): tight at |t| = 1. */
static void relu_J(arb_t J, const arf_t t, slong prec)
{
    arb_t u, w, a, pi;
    arb_init(u);
    arb_init(w);
    arb_init(a);
    arb_init(pi);
    arb_set_arf(u, t);
    arb_sub_ui(w, u, 1, prec);
    arb_neg(w, w);
    arb_add_ui(a, u, 1, prec);
    arb_mul(w, w, a, prec);
    arb_sqrtpos(w, w, prec);
    arb_neg(a, u);
    arb_atan2(a, w, a, prec);
    arb_mul(a, a, u, prec);
    arb_add(J, w, a, prec);
    arb_const_pi(pi, prec);
    arb_div(J, J, pi, prec);
    arb_mul_2exp_si(J, J, -1);
    arb_clear(u);
    arb_clear(w);
    arb_clear(a);
    arb_clear(pi);
}

/* At an exact corner (a, b, c): s := √(a b) and t := c / s, the
 * correlation there (indeterminate when s may be 0; the callers look at s
 * first). */
static void relu_corner(arb_t s, arb_t t, const arf_t a, const arf_t b,
                        const arf_t c, slong prec)
{
    arb_set_arf(s, a);
    arb_mul_arf(s, s, b, prec);
    arb_sqrtpos(s, s, prec);
    arb_set_arf(t, c);
    arb_div(t, t, s, prec);
}

/* lo := a ball whose lower end bounds the relu dual from below on the box
 * with low corner (al, bl, cl).  K is nondecreasing in A, B, C, so the
 * minimum is at A = al, B = bl, C = max(cl, −√(al bl)): with s = √(al bl)
 * and t = cl/s, it is s J(t) for t ∈ [−1, 1], 0 for t ≤ −1, and cl/2 for
 * t ≥ 1 (then the corner holds no covariance, the box's do have C ≥ cl > 0
 * and K ≥ C/2 for every covariance: K − C/2 = (√(AB − C²) − Cθ)/(2π) ≥ 0
 * since sin θ ≥ θ cos θ).  J is nondecreasing, so J at the lower end of the
 * t ball bounds J(t) from below. */
static void relu_low(arb_t lo, const arf_t al, const arf_t bl, const arf_t cl,
                     slong prec)
{
    arb_t s, t;
    arf_t tl;
    arb_init(s);
    arb_init(t);
    arf_init(tl);
    relu_corner(s, t, al, bl, cl, prec);
    if (!arb_is_positive(s)) {
        /* a or b has variance 0: K ≥ max(0, C/2) ≥ max(0, cl/2). */
        arb_set_arf(lo, cl);
        arb_mul_2exp_si(lo, lo, -1);
        if (arf_sgn(cl) < 0)
            arb_zero(lo);
    } else {
        arb_get_lbound_arf(tl, t, prec);
        if (arf_cmp_si(tl, 1) >= 0) {
            arb_set_arf(lo, cl);
            arb_mul_2exp_si(lo, lo, -1);
        } else if (arf_cmp_si(tl, -1) <= 0) {
            arb_zero(lo);
        } else {
            relu_J(t, tl, prec);
            arb_mul(lo, s, t, prec);
        }
    }
    arb_clear(s);
    arb_clear(t);
    arf_clear(tl);
}

/* hi := a ball whose upper end bounds the relu dual from above on the box
 * with high corner (ah, bh, ch): the maximum is at A = ah, B = bh,
 * C = min(ch, √(ah bh)), S J(min(t, 1)) with S = √(ah bh), t = ch/S; and
 * K ≤ √(ab)/2 ≤ S/2 always (Cauchy–Schwarz). */
static void relu_high(arb_t hi, const arf_t ah, const arf_t bh,
                      const arf_t ch, slong prec)
{
    arb_t S, t;
    arf_t th;
    arb_init(S);
    arb_init(t);
    arf_init(th);
    relu_corner(S, t, ah, bh, ch, prec);
    if (arb_is_zero(S)) {
        arb_zero(hi);  /* a or b is 0 almost surely */
    } else {
        arb_get_ubound_arf(th, t, prec);
        if (!arb_is_positive(S) || arf_cmp_si(th, 1) >= 0) {
            arb_mul_2exp_si(hi, S, -1);
        } else {
            /* th ≥ −1 here: covariance_box refused C entirely below −S. */
            if (arf_cmp_si(th, -1) < 0)
                arf_set_si(th, -1);
            relu_J(t, th, prec);
            arb_mul(hi, S, t, prec);
        }
    }
    arb_clear(S);
    arb_clear(t);
    arf_clear(th);
}

static void relu_dual_arb(arb_t K, const arb_t A, const arb_t B, const arb_t C,
                          const tkc_kernel_spec *spec, slong prec)
{
    (void)spec;
    arf_t al, ah, bl, bh, cl, ch;
    arb_t lo, hi;
    arf_init(al), arf_init(ah), arf_init(bl), arf_init(bh);
    arf_init(cl), arf_init(ch);
    arb_init(lo);
    arb_init(hi);
    arb_get_interval_arf(al, ah, A, prec);
    arb_get_interval_arf(bl, bh, B, prec);
    arb_get_interval_arf(cl, ch, C, prec);
    if (arf_sgn(al) < 0)  /* nonnegative_part can round its midpoint */
        arf_zero(al);
    if (arf_sgn(bl) < 0)
        arf_zero(bl);
    relu_low(lo, al, bl, cl, prec);
    relu_high(hi, ah, bh, ch, prec);
    arb_union(K, lo, hi, prec);
    arf_clear(al), arf_clear(ah), arf_clear(bl), arf_clear(bh);
    arf_clear(cl), arf_clear(ch);
    arb_clear(lo);
    arb_clear(hi);
}

/* relu(a)² averages to a/2: exact. */
static void relu_diag_point(arb_t K, const arf_t a,
                            const tkc_kernel_spec *spec, slong prec)
{
    (void)spec, (void)prec;
    arb_set_arf(K, a);
    arb_mul_2exp_si(K, K, -1);
}

/* ---- cos ----------------------------------------------------------------- */

/* q = b1², c2 = cos(2 b2) from the exact doubles b1, b2. */
static void cos_params(arb_t q, arb_t c2, const tkc_kernel_spec *spec,
                       slong prec)
{
    arb_set_d(q, spec->b1);
    arb_sqr(q, q, prec);
    arb_set_d(c2, spec->b2);
    arb_mul_2exp_si(c2, c2, 1);
    arb_cos(c2, c2, prec);
}

/* exp(−q s/2) at an exact s. */
static void cos_base(arb_t b, const arf_t s, const arb_t q, slong prec)
{
    arb_set_arf(b, s);
    arb_mul(b, b, q, prec);
    arb_mul_2exp_si(b, b, -1);
    arb_neg(b, b);
    arb_exp(b, b, prec);
}

/* h(c) = ½[exp(qc) + c2 exp(−qc)] at an exact c. */
static void cos_h(arb_t h, const arf_t c, const arb_t q, const arb_t c2,
                  slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_arf(t, c);
    arb_mul(t, t, q, prec);
    arb_exp(h, t, prec);
    arb_neg(t, t);
    arb_exp(t, t, prec);
    arb_addmul(h, t, c2, prec);
    arb_mul_2exp_si(h, h, -1);
    arb_clear(t);
}

/* H ⊇ h([cl, ch]).  h' = (q/2)[exp(qc) − c2 exp(−qc)]: h is increasing when
 * c2 < 0, and convex with its minimum √c2 at c* = ln(c2)/(2q) when c2 > 0;
 * its maximum is at an end either way. */
static void cos_h_range(arb_t H, const arf_t cl, const arf_t ch,
                        const arb_t q, const arb_t c2, slong prec)
{
    arb_t t, cs;
    arb_init(t);
    arb_init(cs);
    cos_h(H, cl, q, c2, prec);
    cos_h(t, ch, q, c2, prec);
    arb_union(H, H, t, prec);
    if (arb_is_positive(c2) && arb_is_positive(q)) {
        arb_log(cs, c2, prec);
        arb_div(cs, cs, q, prec);
        arb_mul_2exp_si(cs, cs, -1);
        arb_set_arf(t, cl);
        int right_of_min = arb_ge(t, cs);
        arb_set_arf(t, ch);
        if (!right_of_min && !arb_le(t, cs)) {  /* c* may lie inside */
            arb_sqrt(t, c2, prec);
            arb_union(H, H, t, prec);
        }
    } else if (!arb_is_negative(c2) && arb_is_positive(q)) {
        arb_zero(t);  /* c2 ≈ 0: h increasing (c2 < 0) or h > 0 (c2 ≥ 0) */
        arb_union(H, H, t, prec);
    }
    arb_clear(t);
    arb_clear(cs);
}

/* K = exp(−q(A + B)/2) · h(C), a product of a function of A + B and one of
 * C, so the product of their ranges is the range over the box (no
 * dependency): the base is monotone in A + B, h as above, and the product
 * of two intervals is spanned by its four corners. */
static void cos_dual_arb(arb_t K, const arb_t A, const arb_t B, const arb_t C,
                         const tkc_kernel_spec *spec, slong prec)
{
    arb_t q, c2, s, blo, bhi, H, t;
    arf_t sl, sh, cl, ch;
    arb_init(q), arb_init(c2), arb_init(s), arb_init(blo), arb_init(bhi);
    arb_init(H), arb_init(t);
    arf_init(sl), arf_init(sh), arf_init(cl), arf_init(ch);
    cos_params(q, c2, spec, prec);
    arb_add(s, A, B, prec);
    arb_get_interval_arf(sl, sh, s, prec);
    cos_base(blo, sh, q, prec);
    cos_base(bhi, sl, q, prec);
    arb_get_interval_arf(cl, ch, C, prec);
    cos_h_range(H, cl, ch, q, c2, prec);
    arb_get_interval_arf(cl, ch, H, prec);  /* now the ends of h */
    arb_mul_arf(K, blo, cl, prec);
    arb_mul_arf(t, blo, ch, prec);
    arb_union(K, K, t, prec);
    arb_mul_arf(t, bhi, cl, prec);
    arb_union(K, K, t, prec);
    arb_mul_arf(t, bhi, ch, prec);
    arb_union(K, K, t, prec);
    arb_clear(q), arb_clear(c2), arb_clear(s), arb_clear(blo), arb_clear(bhi);
    arb_clear(H), arb_clear(t);
    arf_clear(sl), arf_clear(sh), arf_clear(cl), arf_clear(ch);
}

/* ½[1 + c2 exp(−2 q a)] at an exact a. */
static void cos_diag_point(arb_t K, const arf_t a, const tkc_kernel_spec *spec,
                           slong prec)
{
    arb_t q, c2;
    arb_init(q);
    arb_init(c2);
    cos_params(q, c2, spec, prec);
    arb_mul_2exp_si(q, q, 2);  /* exp(−(4q) a/2) */
    cos_base(K, a, q, prec);
    arb_mul(K, K, c2, prec);
    arb_add_ui(K, K, 1, prec);
    arb_mul_2exp_si(K, K, -1);
    arb_clear(q);
    arb_clear(c2);
}

/* ---- erf ----------------------------------------------------------------- */

/* n = 1 + 2A + 2B + 4(AB − C²), with AB − C² clamped to [0, ∞) if `clamp`
 * (then n ≥ 1). */
static void erf_n(arb_t n, const arb_t A, const arb_t B, const arb_t C,
                  int clamp, slong prec)
{
    arb_t d;
    arb_init(d);
    arb_mul(d, A, B, prec);
    arb_submul(d, C, C, prec);
    if (clamp)
        arb_nonnegative_part(d, d);
    arb_mul_2exp_si(d, d, 1);
    arb_add(d, d, A, prec);
    arb_add(d, d, B, prec);
    arb_mul_2exp_si(d, d, 1);
    arb_add_ui(n, d, 1, prec);
    arb_clear(d);
}

/* K = (2/π) atan(2C/√n). */
static void erf_from_n(arb_t K, const arb_t C, const arb_t n, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_sqrtpos(t, n, prec);
    arb_div(t, C, t, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_atan(K, t, prec);
    arb_const_pi(t, prec);
    arb_div(K, K, t, prec);
    arb_mul_2exp_si(K, K, 1);
    arb_clear(t);
}

/* One mean-value term of erf: ∂_A K = −(4/π) C / ((1 + 2A)√n) times [±r_A]. */
static void erf_add_variance_term(arb_t K, const arb_t A, const arb_t C,
                                  const arb_t rn, const arb_t pi, slong prec)
{
    arb_t g, e;
    arb_init(g);
    arb_init(e);
    arb_mul_2exp_si(g, A, 1);
    arb_add_ui(g, g, 1, prec);
    arb_mul(g, g, rn, prec);
    arb_mul(g, g, pi, prec);
    arb_div(g, C, g, prec);
    arb_mul_2exp_si(g, g, 2);
    arb_neg(g, g);
    deviation(e, A);
    arb_addmul(K, g, e, prec);
    arb_clear(g);
    arb_clear(e);
}

static void erf_dual_arb(arb_t K, const arb_t A, const arb_t B, const arb_t C,
                         const tkc_kernel_spec *spec, slong prec)
{
    (void)spec;
    arb_t n, D, mA, mB, mC, pi, g, e;
    arb_init(n), arb_init(D), arb_init(mA), arb_init(mB), arb_init(mC);
    arb_init(pi), arb_init(g), arb_init(e);
    /* The interval form on the covariances. */
    erf_n(n, A, B, C, 1, prec);
    erf_from_n(D, C, n, prec);
    erf_n(n, A, B, C, 0, prec);
    if (arb_is_exact(A) && arb_is_exact(B) && arb_is_exact(C)) {
        arb_swap(K, D);
    } else if (!arb_is_positive(n)) {
        arb_swap(K, D);  /* the box reaches |2C| ≥ √((1+2A)(1+2B)) */
    } else {
        /* Mean-value form on the box, where K is smooth (n > 0). */
        midpoint(mA, A), midpoint(mB, B), midpoint(mC, C);
        erf_n(g, mA, mB, mC, 0, prec);
        erf_from_n(K, mC, g, prec);
        arb_const_pi(pi, prec);
        arb_sqrtpos(n, n, prec);          /* √n over the box */
        arb_mul(g, n, pi, prec);
        arb_ui_div(g, 4, g, prec);        /* ∂_C K = (4/π)/√n */
        deviation(e, C);
        arb_addmul(K, g, e, prec);
        erf_add_variance_term(K, A, C, n, pi, prec);
        erf_add_variance_term(K, B, C, n, pi, prec);
        intersect(K, D, prec);
    }
    arb_clear(n), arb_clear(D), arb_clear(mA), arb_clear(mB), arb_clear(mC);
    arb_clear(pi), arb_clear(g), arb_clear(e);
}

/* (2/π) atan(2a/√(1 + 4a)) = (2/π) asin(2a/(1 + 2a)) at an exact a ≥ 0. */
static void erf_diag_point(arb_t K, const arf_t a, const tkc_kernel_spec *spec,
                           slong prec)
{
    (void)spec;
    arb_t x, n;
    arb_init(x);
    arb_init(n);
    arb_set_arf(x, a);
    arb_mul_2exp_si(n, x, 2);
    arb_add_ui(n, n, 1, prec);
    erf_from_n(K, x, n, prec);
    arb_clear(x);
    arb_clear(n);
}

/* ---- dispatch ------------------------------------------------------------ */

typedef void (*dual_arb_fn)(arb_t K, const arb_t A, const arb_t B,
                            const arb_t C, const tkc_kernel_spec *spec,
                            slong prec);
/* The diagonal form at an exact a ≥ 0; each is monotone in a. */
typedef void (*diag_point_fn)(arb_t K, const arf_t a,
                              const tkc_kernel_spec *spec, slong prec);

/* The ball entries of the activation tables (activation.c). */
struct tkc_activation_ball {
    dual_arb_fn dual;
    diag_point_fn diag;
};

const struct tkc_activation_ball tkc_activation_ball_cos = {cos_dual_arb,
                                                            cos_diag_point};
const struct tkc_activation_ball tkc_activation_ball_relu = {relu_dual_arb,
                                                             relu_diag_point};
const struct tkc_activation_ball tkc_activation_ball_erf = {erf_dual_arb,
                                                            erf_diag_point};

/* A monotone function of one ball a ≥ 0: its values at the two ends. */
static void diag_from_ends(arb_t K, diag_point_fn f, const arb_t A,
                           const tkc_kernel_spec *spec, slong prec)
{
    arf_t lo, hi;
    arb_t k;
    arf_init(lo);
    arf_init(hi);
    arb_init(k);
    arb_get_interval_arf(lo, hi, A, prec);
    if (arf_sgn(lo) < 0)
        arf_zero(lo);
    f(K, lo, spec, prec);
    if (!arf_equal(lo, hi)) {
        f(k, hi, spec, prec);
        arb_union(K, K, k, prec);
    }
    arf_clear(lo);
    arf_clear(hi);
    arb_clear(k);
}

int tkc_dual_arb_supports(const tkc_activation_type *act)
{
    return act && act->ball;
}

static int check_call(const struct tkc_activation_ball *bd,
                      const tkc_activation_type *act,
                      const tkc_kernel_spec *spec, slong prec, tkc_error *err)
{
    if (!bd)
        return tkc_fail(err, TKC_EINPUT,
                        "ball dual: activation \"%s\" has no rigorous dual "
                        "(cos, relu and erf have)", act ? act->name : "(none)");
    if (!spec)
        return tkc_fail(err, TKC_EINPUT, "%s ball dual: needs a spec for b1, b2",
                        act->name);
    if (!isfinite(spec->b1) || !isfinite(spec->b2))
        return tkc_fail(err, TKC_EINPUT, "%s ball dual: b1 = %g, b2 = %g",
                        act->name, spec->b1, spec->b2);
    return check_prec(act->name, prec, err);
}

int tkc_dual_arb(arb_t K, const tkc_activation_type *act, const arb_t A,
                 const arb_t B, const arb_t C, const tkc_kernel_spec *spec,
                 slong prec, tkc_error *err)
{
    const struct tkc_activation_ball *bd = act ? act->ball : NULL;
    int rc = check_call(bd, act, spec, prec, err);
    if (rc)
        return rc;
    arb_t a, b, c;
    arb_init(a);
    arb_init(b);
    arb_init(c);
    rc = covariance_box(a, b, c, act->name, A, B, C, prec, err);
    if (!rc)
        bd->dual(K, a, b, c, spec, prec);
    arb_clear(a);
    arb_clear(b);
    arb_clear(c);
    return rc;
}

int tkc_dual_arb_diag(arb_t K, const tkc_activation_type *act, const arb_t A,
                      const tkc_kernel_spec *spec, slong prec, tkc_error *err)
{
    const struct tkc_activation_ball *bd = act ? act->ball : NULL;
    int rc = check_call(bd, act, spec, prec, err);
    if (rc)
        return rc;
    arb_t a, b, c;
    arb_init(a);
    arb_init(b);
    arb_init(c);
    rc = covariance_box(a, b, c, act->name, A, A, A, prec, err);
    if (!rc)
        diag_from_ends(K, bd->diag, a, spec, prec);
    arb_clear(a);
    arb_clear(b);
    arb_clear(c);
    return rc;
}
