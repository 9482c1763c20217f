/* mlp.c — the MLP kernels on one-hot and XXᵀ-augmented inputs: exact input
 * Gram counts, then the dual recursion in double precision with a rounding
 * bound carried along.  Definitions and normalization: mlp.h. */
#include "mlp.h"

#include <float.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "activation.h"
#include "registry.h"

unsigned tkc_onehot_matches(const tkc_token *x, const tkc_token *y, size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        m += x[a] == y[a];
    return m;
}

unsigned tkc_incidence_inner(const tkc_token *x, const tkc_token *y, size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == x[b] && y[a] == y[b];
    return m;
}

/* One dual evaluation with its error: propagated input errors plus a
 * rounding term of a few ulps of the magnitudes involved. */
static int dual_with_bound(const tkc_activation_type *act,
                           const tkc_kernel_spec *spec, double A, double B,
                           double C, double eA, double eB, double eC,
                           double *K, double *e, tkc_error *err)
{
    double g[3];
    int rc = tkc_activation_dual_eval(act, A, B, C, spec, K, g, err);
    if (rc)
        return rc;
    *e = fabs(g[0]) * eA + fabs(g[1]) * eB + fabs(g[2]) * eC +
         tkc_activation_dual_rounding(*K, g, A, B, C);
    return TKC_SUCCESS;
}

int tkc_mlp_recursion(const tkc_activation_type *act,
                      const tkc_kernel_spec *spec, unsigned depth, double A0,
                      double B0, double C0, const double e0[3], double *K,
                      double *se, tkc_error *err)
{
    if (!act)
        return tkc_fail(err, TKC_EINPUT, "MLP kernel: no activation given");
    double A = A0, B = B0, C = C0;
    double eA = e0 ? e0[0] : 0, eB = e0 ? e0[1] : 0, eC = e0 ? e0[2] : 0;
    for (unsigned l = 0; l < depth; l++) {
        double nA, nB, nC, fA, fB, fC;
        int rc = dual_with_bound(act, spec, A, A, A, eA, eA, eA, &nA, &fA, err);
        if (!rc)
            rc = dual_with_bound(act, spec, B, B, B, eB, eB, eB, &nB, &fB, err);
        if (!rc)
            rc = dual_with_bound(act, spec, A, B, C, eA, eB, eC, &nC, &fC, err);
        if (rc)
            return rc;
        A = nA, B = nB, C = nC;
        eA = fA, eB = fB, eC = fC;
    }
    *K = C;
    *se = eC;
    return TKC_SUCCESS;
}

static int check_args(const tkc_kernel_spec *spec, size_t k, tkc_error *err)
{
    if (!spec || !spec->activation)
        return tkc_fail(err, TKC_EINPUT, "MLP kernel: spec has no activation");
    if (k == 0)
        return tkc_fail(err, TKC_EINPUT, "MLP kernel: strings are empty");
    return TKC_SUCCESS;
}

int tkc_mlp_kernel_onehot(const tkc_kernel_spec *spec, const tkc_token *x,
                          const tkc_token *y, size_t k, double *K, double *se,
                          tkc_error *err)
{
    int rc = check_args(spec, k, err);
    if (rc)
        return rc;
    double C0 = (double)tkc_onehot_matches(x, y, k) / (double)k;
    double e0[3] = {0, 0, 0.5 * DBL_EPSILON * C0};  /* one division */
    return tkc_mlp_recursion(spec->activation, spec, spec->mlp_depth, 1.0, 1.0,
                             C0, e0, K, se, err);
}

/* ½ (m/k + r/k²), each part in [0, 1]; four roundings at most. */
static double xx_gram(const tkc_token *x, const tkc_token *y, size_t k)
{
    double kk = (double)k;
    return 0.5 * ((double)tkc_onehot_matches(x, y, k) / kk +
                  (double)tkc_incidence_inner(x, y, k) / (kk * kk));
}

int tkc_mlp_kernel_xx(const tkc_kernel_spec *spec, const tkc_token *x,
                      const tkc_token *y, size_t k, double *K, double *se,
                      tkc_error *err)
{
    int rc = check_args(spec, k, err);
    if (rc)
        return rc;
    double A0 = xx_gram(x, x, k), B0 = xx_gram(y, y, k), C0 = xx_gram(x, y, k);
    double e0[3] = {2 * DBL_EPSILON * A0, 2 * DBL_EPSILON * B0,
                    2 * DBL_EPSILON * C0};
    return tkc_mlp_recursion(spec->activation, spec, spec->mlp_depth, A0, B0,
                             C0, e0, K, se, err);
}

/* ---- the kernel types ---------------------------------------------------- */

typedef int (*one_value_fn)(const tkc_kernel_spec *, const tkc_token *,
                            const tkc_token *, size_t, double *, double *,
                            tkc_error *);

/* Closed forms: each pair on its own; rounding errors are bounds, not
 * variances, so the covariance (if asked for) is diag(se²). */
static int eval_closed_pairs(one_value_fn f, const tkc_kernel_spec *spec,
                             const tkc_strings *S, const tkc_pair *pairs,
                             size_t npairs, tkc_kernel_values *out,
                             tkc_error *err)
{
    for (size_t p = 0; p < npairs; p++) {
        if (pairs[p].x >= S->count || pairs[p].y >= S->count)
            return tkc_fail(err, TKC_EINPUT,
                            "MLP kernel: pair %zu refers to string %zu of %zu",
                            p, pairs[p].x > pairs[p].y ? pairs[p].x : pairs[p].y,
                            S->count);
        int rc = f(spec, tkc_strings_row(S, pairs[p].x),
                   tkc_strings_row(S, pairs[p].y), S->k, &out->value[p],
                   &out->se[p], err);
        if (rc)
            return rc;
    }
    if (out->cov) {
        memset(out->cov, 0, npairs * npairs * sizeof *out->cov);
        for (size_t p = 0; p < npairs; p++)
            out->cov[p * npairs + p] = out->se[p] * out->se[p];
    }
    out->error_kind = TKC_ERROR_ROUNDING;
    out->estimator = "closed form";
    out->samples = 0;
    snprintf(out->note, sizeof out->note,
             "closed form, %s, depth %u; se bounds rounding",
             spec->activation->name, spec->mlp_depth);
    return TKC_SUCCESS;
}

static int mlp_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err)
{
    return eval_closed_pairs(tkc_mlp_kernel_onehot, spec, S, pairs, npairs,
                             out, err);
}

static int mlpxx_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err)
{
    return eval_closed_pairs(tkc_mlp_kernel_xx, spec, S, pairs, npairs, out,
                             err);
}

/* Named structs for the list in kernel.c (it needs address constants). */
const tkc_kernel_type tkc_kernel_mlp_type = {
    "mlp", "MLP on concatenated one-hot inputs (inner-product kernel)",
    mlp_eval_pairs, 0};
const tkc_kernel_type tkc_kernel_mlpxx_type = {
    "mlpxx", "MLP on one-hot inputs augmented by vec(XX^T)", mlpxx_eval_pairs, 0};

