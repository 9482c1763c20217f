/* activation.c — activations φ, the closed forms of their duals
 * E[φ(a) φ(b)] with gradients, and a Gauss–Hermite quadrature of the dual
 * for any φ (the cross-check of the closed forms).  Formulas: see
 * activation.h. */
#include "activation.h"
#include "registry.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>

/* Relative slack allowed in |C| ≤ √(AB) before the triple is refused: MC
 * estimates with common random numbers are Gram matrices (exactly PSD), so
 * only rounding can push C past √(AB). */
#define CS_SLACK 1e-6

static int check_variances(const char *what, double A, double B, double C,
                           tkc_error *err)
{
    if (!isfinite(A) || !isfinite(B) || !isfinite(C))
        return tkc_fail(err, TKC_EINPUT,
                        "%s dual: non-finite argument (A = %g, B = %g, C = %g)",
                        what, A, B, C);
    if (A < 0 || B < 0)
        return tkc_fail(err, TKC_EINPUT,
                        "%s dual: variance is negative (A = %g, B = %g)", what,
                        A, B);
    return TKC_SUCCESS;
}

/* C clamped to [−√(AB), √(AB)]; fails when it is out by more than slack. */
static int clamp_covariance(const char *what, double A, double B, double *C,
                            tkc_error *err)
{
    double r = sqrt(A * B);
    if (fabs(*C) > r * (1 + CS_SLACK) + 1e-300)
        return tkc_fail(err, TKC_ERANGE,
                        "%s dual: |C| = %g exceeds sqrt(A B) = %g: "
                        "(A, B, C) is not a covariance", what, fabs(*C), r);
    if (*C > r)
        *C = r;
    if (*C < -r)
        *C = -r;
    return TKC_SUCCESS;
}

/* ---- cos(b1 t + b2) ------------------------------------------------------ */

static double cos_phi(double t, const tkc_kernel_spec *spec)
{
    return cos(spec->b1 * t + spec->b2);
}

/* cos(b1 a + b2) cos(b1 b + b2) = ½[cos(b1(a − b)) + cos(b1(a + b) + 2 b2)],
 * and E cos(s + c) = cos(c) exp(−Var s / 2) for centred Gaussian s. */
static int cos_dual(double A, double B, double C, const tkc_kernel_spec *spec,
                    double *K, double grad[3], tkc_error *err)
{
    int rc = check_variances("cos", A, B, C, err);
    if (rc)
        return rc;
    if (!spec)
        return tkc_fail(err, TKC_EINPUT, "cos dual: needs a spec for b1, b2");
    double q = spec->b1 * spec->b1;
    double base = 0.5 * exp(-q * (A + B) / 2);
    double ep = exp(q * C), em = cos(2 * spec->b2) * exp(-q * C);
    *K = base * (ep + em);
    if (grad) {
        grad[0] = grad[1] = -q / 2 * *K;
        grad[2] = q * base * (ep - em);
    }
    if (!isfinite(*K))
        return tkc_fail(err, TKC_ERANGE,
                        "cos dual overflows at b1 = %g, A = %g, B = %g, C = %g",
                        spec->b1, A, B, C);
    return TKC_SUCCESS;
}

/* ---- relu ---------------------------------------------------------------- */

static double relu_phi(double t, const tkc_kernel_spec *spec)
{
    (void)spec;
    return t > 0 ? t : 0;
}

/* K = (√(AB − C²) + C (π − θ)) / (2π), θ = acos(C / √(AB));
 * ∂K/∂C = (π − θ)/(2π), ∂K/∂A = √(AB − C²)/(4π A), likewise B.
 * When A or B is 0 one of a, b is 0 a.s. and K = 0; the A-, B-derivatives
 * are then infinite (K ~ √A), reported as 0 with ∂K/∂C = 1/4 (θ = π/2). */
static int relu_dual(double A, double B, double C, const tkc_kernel_spec *spec,
                     double *K, double grad[3], tkc_error *err)
{
    (void)spec;
    int rc = check_variances("relu", A, B, C, err);
    if (!rc)
        rc = clamp_covariance("relu", A, B, &C, err);
    if (rc)
        return rc;
    if (A == 0 || B == 0) {
        *K = 0;
        if (grad) {
            grad[0] = grad[1] = 0;
            grad[2] = 0.25;
        }
        return TKC_SUCCESS;
    }
    double r = sqrt(A) * sqrt(B);
    double rho = fmax(-1.0, fmin(1.0, C / r));
    double theta = acos(rho);
    /* √(AB − C²) as r √(1 − ρ²) = r √((1 − ρ)(1 + ρ)): no cancellation. */
    double s = r * sqrt((1 - rho) * (1 + rho));
    *K = (s + C * (M_PI - theta)) / (2 * M_PI);
    if (grad) {
        grad[0] = s / (4 * M_PI * A);
        grad[1] = s / (4 * M_PI * B);
        grad[2] = (M_PI - theta) / (2 * M_PI);
    }
    return TKC_SUCCESS;
}

/* ---- erf ----------------------------------------------------------------- */

static double erf_phi(double t, const tkc_kernel_spec *spec)
{
    (void)spec;
    return erf(t);
}

/* K = (2/π) asin(r), r = 2C/√((1+2A)(1+2B));  ∂K/∂r = (2/π)/√(1 − r²),
 * ∂r/∂C = r/C = 2/√(…), ∂r/∂A = −r/(1 + 2A). */
static int erf_dual(double A, double B, double C, const tkc_kernel_spec *spec,
                    double *K, double grad[3], tkc_error *err)
{
    (void)spec;
    int rc = check_variances("erf", A, B, C, err);
    if (rc)
        return rc;
    double d = sqrt((1 + 2 * A) * (1 + 2 * B));
    double r = 2 * C / d;
    if (fabs(r) >= 1)  /* impossible when C² ≤ AB, since d > 2√(AB) */
        return tkc_fail(err, TKC_ERANGE,
                        "erf dual: (A, B, C) = (%g, %g, %g) is not a covariance",
                        A, B, C);
    *K = M_2_PI * asin(r);
    if (grad) {
        double dr = M_2_PI / sqrt((1 - r) * (1 + r));
        grad[0] = -dr * r / (1 + 2 * A);
        grad[1] = -dr * r / (1 + 2 * B);
        grad[2] = dr * 2 / d;
    }
    return TKC_SUCCESS;
}

/* ---- the type table ------------------------------------------------------ */

const tkc_activation_type tkc_activation_cos_type = {
    "cos", "cos(b1 t + b2), the paper's choice", cos_phi, cos_dual,
    &tkc_activation_ball_cos};
const tkc_activation_type tkc_activation_relu_type = {
    "relu", "max(0, t): degree-1 arc-cosine kernel", relu_phi, relu_dual,
    &tkc_activation_ball_relu};
const tkc_activation_type tkc_activation_erf_type = {
    "erf", "erf(t): arcsine kernel", erf_phi, erf_dual,
    &tkc_activation_ball_erf};

/* ---- Gauss–Hermite quadrature -------------------------------------------- */

struct tkc_dual_quadrature {
    gsl_integration_fixed_workspace *rule;
};

tkc_dual_quadrature *tkc_dual_quadrature_alloc(size_t nodes, tkc_error *err)
{
    if (nodes < 2 || nodes > 1024) {
        tkc_fail(err, TKC_EINPUT, "dual quadrature: nodes = %zu outside 2..1024",
                 nodes);
        return NULL;
    }
    tkc_dual_quadrature *q = malloc(sizeof *q);
    if (q)
        q->rule = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite,
                                              nodes, 0, 1, 0, 0);
    if (!q || !q->rule) {
        free(q);
        tkc_fail(err, TKC_ENOMEM,
                 "Gauss-Hermite rule with %zu nodes: allocation failed", nodes);
        return NULL;
    }
    return q;
}

void tkc_dual_quadrature_free(tkc_dual_quadrature *q)
{
    if (q) {
        gsl_integration_fixed_free(q->rule);
        free(q);
    }
}

size_t tkc_dual_quadrature_nodes(const tkc_dual_quadrature *q)
{
    return gsl_integration_fixed_n(q->rule);
}

/* E φ(a) φ(b) with a = sa z1, b = c z1 + s z2, z ~ N(0, I₂):
 * ∫ e^{−x²} f = Σ w_i f(x_i), so E g(z) = (1/π) Σ_ij w_i w_j g(√2 x_i, √2 x_j). */
int tkc_dual_quadrature_eval(const tkc_dual_quadrature *q,
                             const tkc_activation_type *act, double A, double B,
                             double C, const tkc_kernel_spec *spec, double *K,
                             tkc_error *err)
{
    if (!act || !act->phi)
        return tkc_fail(err, TKC_EINPUT, "dual quadrature: no activation phi");
    int rc = check_variances(act->name, A, B, C, err);
    if (!rc)
        rc = clamp_covariance(act->name, A, B, &C, err);
    if (rc)
        return rc;
    /* Pivoted Cholesky: factor through the larger variance (symmetric in
     * (a, b) ↔ (b, a), so swapping A and B changes nothing). */
    if (B > A) {
        double t = A;
        A = B;
        B = t;
    }
    double sa = sqrt(A), c = 0, s = 0;
    if (A > 0) {
        c = C / sa;
        s = sqrt(fmax(0.0, B - c * c));
    }
    size_t n = gsl_integration_fixed_n(q->rule);
    const double *x = gsl_integration_fixed_nodes(q->rule);
    const double *wt = gsl_integration_fixed_weights(q->rule);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        double z1 = M_SQRT2 * x[i];
        double fa = act->phi(sa * z1, spec);
        if (fa == 0)
            continue;
        double inner = 0;
        for (size_t j = 0; j < n; j++)
            inner += wt[j] * act->phi(c * z1 + s * M_SQRT2 * x[j], spec);
        total += wt[i] * fa * inner;
    }
    *K = total / M_PI;
    if (!isfinite(*K))
        return tkc_fail(err, TKC_ENUMERIC,
                        "Gauss-Hermite dual of %s is not finite", act->name);
    return TKC_SUCCESS;
}

int tkc_activation_dual_quadrature(const tkc_activation_type *act, double A,
                                   double B, double C,
                                   const tkc_kernel_spec *spec, size_t nodes,
                                   double *K, double *K_err, tkc_error *err)
{
    if (K_err && nodes < 4)  /* the half rule needs 2 nodes of its own */
        return tkc_fail(err, TKC_EINPUT, "dual quadrature: an error estimate "
                        "needs nodes >= 4, got %zu", nodes);
    tkc_dual_quadrature *q = tkc_dual_quadrature_alloc(nodes, err);
    if (!q)
        return err ? (int)err->status : TKC_EINPUT;
    int rc = tkc_dual_quadrature_eval(q, act, A, B, C, spec, K, err);
    tkc_dual_quadrature_free(q);
    if (rc || !K_err)
        return rc;
    double half;
    if (!(q = tkc_dual_quadrature_alloc((nodes + 1) / 2, err)))
        return err ? (int)err->status : TKC_EINPUT;
    rc = tkc_dual_quadrature_eval(q, act, A, B, C, spec, &half, err);
    tkc_dual_quadrature_free(q);
    if (!rc)
        *K_err = fabs(*K - half);
    return rc;
}

/* Central difference for activations without a closed-form dual.  The step
 * respects the domain (A, B ≥ 0, |C| ≤ √(AB)) by shrinking when needed. */
static int quadrature_gradient(const tkc_dual_quadrature *q,
                               const tkc_activation_type *act, double A,
                               double B, double C, const tkc_kernel_spec *spec,
                               double grad[3], tkc_error *err)
{
    double arg[3] = {A, B, C};
    double scale = fmax(fmax(A, B), 1e-3);
    for (int i = 0; i < 3; i++) {
        double h = 1e-4 * scale, kp, km;
        double p[3] = {A, B, C}, m[3] = {A, B, C};
        if (i < 2 && arg[i] < 2 * h)
            h = arg[i] / 2;
        if (h == 0) {
            grad[i] = 0;
            continue;
        }
        p[i] += h;
        m[i] -= h;
        if (i == 2) {  /* keep C inside Cauchy–Schwarz */
            double r = sqrt(A * B);
            p[2] = fmin(p[2], r);
            m[2] = fmax(m[2], -r);
        }
        int rc = tkc_dual_quadrature_eval(q, act, p[0], p[1], p[2], spec, &kp, err);
        if (!rc)
            rc = tkc_dual_quadrature_eval(q, act, m[0], m[1], m[2], spec, &km, err);
        if (rc)
            return rc;
        grad[i] = p[i] > m[i] ? (kp - km) / (p[i] - m[i]) : 0;
    }
    return TKC_SUCCESS;
}

int tkc_activation_dual_eval(const tkc_activation_type *act, double A,
                             double B, double C, const tkc_kernel_spec *spec,
                             double *K, double grad[3], tkc_error *err)
{
    if (!act)
        return tkc_fail(err, TKC_EINPUT, "dual: no activation given");
    if (act->dual)
        return act->dual(A, B, C, spec, K, grad, err);
    tkc_dual_quadrature *q = tkc_dual_quadrature_alloc(TKC_ACTIVATION_QUAD_NODES, err);
    if (!q)
        return err ? (int)err->status : TKC_ENOMEM;
    int rc = tkc_dual_quadrature_eval(q, act, A, B, C, spec, K, err);
    if (!rc && grad)
        rc = quadrature_gradient(q, act, A, B, C, spec, grad, err);
    tkc_dual_quadrature_free(q);
    return rc;
}

double tkc_activation_dual_rounding(double K, const double grad[3], double A,
                                    double B, double C)
{
    double mag = fabs(K) + fabs(grad[0] * A) + fabs(grad[1] * B) +
                 fabs(grad[2] * C);
    return 16 * DBL_EPSILON * mag;
}
