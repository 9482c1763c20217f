/* dual_arb.h (internal) — rigorous enclosures of the dual kernels at ball inputs.
 *
 * The dual of φ at (A, B, C) is E[φ(a) φ(b)] for (a, b) centred Gaussian with
 * Var a = A, Var b = B, Cov(a, b) = C (closed forms: activation.h).  Here
 * A, B, C are Arb balls, and the result K is a ball that contains
 *
 *     { dual(a, b, c) : a ∈ A, b ∈ B, c ∈ C, a ≥ 0, b ≥ 0, c² ≤ a b },
 *
 * the dual at EVERY covariance triple in the box, each argument free to vary
 * on its own.  The restriction to covariances (the Cauchy–Schwarz clamp) is
 * a rigorous intersection: the true triple is a covariance, so nothing it
 * can be is lost.  A box that certainly holds no covariance is refused
 * (TKC_ERANGE); all three duals refuse the same boxes.
 *
 * How each dual is enclosed (all at the working precision `prec`, in bits):
 *   relu  monotone: ∂K/∂A = √(AB − C²)/(4πA), ∂K/∂B likewise and
 *         ∂K/∂C = (π − θ)/(2π) are all ≥ 0 on the covariances, so the range
 *         over the box is spanned by two corners, the low one and the high
 *         one, with C clamped to ±√(AB) there.  With ρ = C/√(AB) and
 *         J(ρ) = (√(1 − ρ²) + ρ(π − acos ρ))/(2π), K = √(AB) J(ρ); J is
 *         evaluated as (w + ρ(π − atan2(w, ρ)))/(2π), w = √((1 − ρ)(1 + ρ)),
 *         which stays tight at the kink |ρ| = 1 where acos(ρ) loses half its
 *         digits.  A ρ ball straddling ±1 is clamped (the kink is the edge of
 *         the domain, not a guess), and the bounds max(0, C/2) ≤ K ≤ √(AB)/2
 *         cover the corners where √(AB) may be 0.  The result is the exact
 *         range up to rounding.
 *   cos   K = exp(−q(A + B)/2) · h(C), q = b1²,
 *         h(C) = ½[exp(qC) + cos(2 b2) exp(−qC)]: a function of A + B times
 *         a function of C, so the product of their two ranges is the range
 *         over the box.  The first is monotone; h is increasing when
 *         cos(2 b2) < 0 and convex with minimum √cos(2 b2) otherwise, so its
 *         range comes from its ends (and that minimum).  The result is the
 *         exact range over the box up to rounding; it does not use the
 *         Cauchy–Schwarz clamp, so a box straddling |C| = √(AB) is enclosed
 *         over its non-covariances too (rigorous, a little wider).
 *   erf   K = (2/π) atan(2C / √n), n = (1 + 2A)(1 + 2B) − 4C²
 *         = 1 + 2A + 2B + 4(AB − C²) — Williams' (2/π) asin(2C/√((1+2A)(1+2B)))
 *         without the asin, whose argument tends to 1 for large A, B: the
 *         interval evaluation with AB − C² clamped to ≥ 0, intersected with
 *         the mean-value form K(mid) + Σ ∂K(box)·[−r, r]
 *         (∂K/∂C = (4/π)/√n, ∂K/∂A = −(4/π) C/((1 + 2A)√n)) when n > 0 on
 *         the whole box, which is tight to second order in the radii.
 * Point balls (radius 0) give balls whose radius is rounding only.
 *
 * The diagonal forms give dual(A, A, A) — K(x, x) when A = K(x, x) is one
 * quantity in all three places — as a function of ONE ball, which the
 * general form (three independent arguments) can only overestimate:
 *   cos  ½[1 + cos(2 b2) exp(−2 q A)],  relu  A/2,
 *   erf  (2/π) atan(2A/√(1 + 4A)),
 * each monotone in A ≥ 0 and enclosed from its values at the ends of A.
 *
 * Supported activations: those whose type table has a `ball` entry
 * (tkc/kernel.h) — cos, relu and erf, defined here; others are refused
 * (TKC_EINPUT).  spec must not be NULL; cos reads b1, b2 from it, taken as
 * the exact doubles they are.
 * prec: 16 .. TKC_ARB_PREC_MAX bits; the library evaluates its kernels at
 * TKC_ARB_PREC (128 bits: the enclosures are then as tight as their double
 * boxes can show, even after depth 64 of the MLP recursion). */
#ifndef TKC_DUAL_ARB_H
#define TKC_DUAL_ARB_H

#include <arb.h>

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TKC_ARB_PREC 128
#define TKC_ARB_PREC_MAX (1L << 20)

/* Nonzero when act has a ball dual (its table's `ball` entry). */
int tkc_dual_arb_supports(const tkc_activation_type *act);

/* K := a ball containing dual_act over the covariances of the box A × B × C
 * (see above).  K may alias A, B or C. */
int tkc_dual_arb(arb_t K, const tkc_activation_type *act, const arb_t A,
                 const arb_t B, const arb_t C, const tkc_kernel_spec *spec,
                 slong prec, tkc_error *err);

/* K := a ball containing dual_act(a, a, a) for every a ≥ 0 in A. */
int tkc_dual_arb_diag(arb_t K, const tkc_activation_type *act, const arb_t A,
                      const tkc_kernel_spec *spec, slong prec, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
