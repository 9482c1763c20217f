/* activation.h (internal) — activations φ and their dual kernels beyond the type
 * table of tkc/kernel.h: the generic Gauss–Hermite quadrature of the dual,
 * which works for any φ (closed forms are the default, this the check).
 *
 * The dual of φ at (A, B, C) is E[φ(a) φ(b)] for (a, b) centred Gaussian
 * with Var a = A, Var b = B, Cov(a, b) = C.  Closed forms (activation.c):
 *   cos   φ(t) = cos(b1 t + b2):
 *         K = ½ exp(−b1²(A+B)/2) [exp(b1² C) + cos(2 b2) exp(−b1² C)]
 *   relu  φ(t) = max(0, t) (no factor 2): the degree-1 arc-cosine kernel of
 *         Cho & Saul, K = (√(AB−C²) + C (π − θ)) / (2π), θ = acos(C/√(AB))
 *   erf   φ(t) = erf(t): Williams' (1997) arcsine formula for a centred
 *         Gaussian, K = (2/π) asin(2C / √((1+2A)(1+2B)))
 * Each closed form is accurate to a few ulps of its magnitude (it is a short
 * composition of correctly-rounded-ish libm calls). */
#ifndef TKC_ACTIVATION_H
#define TKC_ACTIVATION_H

#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The dual of act->phi at (A, B, C) by tensor-product Gauss–Hermite
 * quadrature with `nodes` points per axis (GSL gsl_integration_fixed_hermite),
 * after a pivoted Cholesky factorization of [[A, C], [C, B]].  K_err
 * (nullable) receives |Q(nodes) − Q(⌈nodes/2⌉)|, an error estimate that is
 * very pessimistic for smooth φ (where the error falls exponentially) and
 * about right for kinked φ such as relu (algebraic convergence) — except
 * near |C| = √(AB), where the kinks of φ(a) and φ(b) bound a thin wedge
 * (angle acos(C/√(AB)) in whitened coordinates) that neither rule resolves:
 * there the estimate misses an error of order (angle)³ (3e-6 at ρ = 0.9995).
 * Needs A, B ≥ 0; C is clamped to the Cauchy–Schwarz range |C| ≤ √(AB).
 * nodes in 2 .. 1024, and >= 4 when K_err is asked for. */
int tkc_activation_dual_quadrature(const tkc_activation_type *act, double A,
                                   double B, double C,
                                   const tkc_kernel_spec *spec, size_t nodes,
                                   double *K, double *K_err, tkc_error *err);

/* A reusable Gauss–Hermite rule (GSL computes its nodes by Golub–Welsch:
 * O(nodes²), worth keeping when evaluating many triples). */
typedef struct tkc_dual_quadrature tkc_dual_quadrature;
tkc_dual_quadrature *tkc_dual_quadrature_alloc(size_t nodes, tkc_error *err);
void tkc_dual_quadrature_free(tkc_dual_quadrature *q);
size_t tkc_dual_quadrature_nodes(const tkc_dual_quadrature *q);
/* The dual of act->phi at (A, B, C) with the rule q (no error estimate). */
int tkc_dual_quadrature_eval(const tkc_dual_quadrature *q,
                             const tkc_activation_type *act, double A, double B,
                             double C, const tkc_kernel_spec *spec, double *K,
                             tkc_error *err);

/* The dual with its gradient (∂K/∂A, ∂K/∂B, ∂K/∂C) for any activation: the
 * closed form act->dual when there is one, otherwise quadrature with
 * `TKC_ACTIVATION_QUAD_NODES` nodes and a central-difference gradient.
 * grad may be NULL. */
#define TKC_ACTIVATION_QUAD_NODES 96
int tkc_activation_dual_eval(const tkc_activation_type *act, double A,
                             double B, double C, const tkc_kernel_spec *spec,
                             double *K, double grad[3], tkc_error *err);

/* A bound on the floating-point error of one closed-form dual evaluation
 * K at (A, B, C) with gradient grad: 16 ε (|K| + Σ_i |grad_i · arg_i|), a
 * few ulps of the magnitude of every term the formulas add up
 * (ε = DBL_EPSILON). */
double tkc_activation_dual_rounding(double K, const double grad[3], double A,
                                    double B, double C);

#ifdef __cplusplus
}
#endif
#endif
