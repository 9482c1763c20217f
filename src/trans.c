/* trans.c — K_trans = dual_φ(K_attn(x,x), K_attn(y,y), K_attn(x,y)), with
 * every K_attn entry from one estimator call and its errors carried to
 * K_trans.  The why of each step: tkc/trans.h. */
#include "tkc/trans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/activation.h"

/* Propagated covariance of outputs p and q: Σ_ab g_pa g_qb Σ[ix_pa, ix_qb]. */
static double sandwich(const double *g, const tkc_trans_index *ix,
                       const double *cov, size_t nu, size_t p, size_t q)
{
    double s = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            s += g[3 * p + a] * g[3 * q + b] * cov[ix[p][a] * nu + ix[q][b]];
    return s;
}

/* Delta method with the estimator's full covariance. */
static void propagate_covariance(const double *g, const tkc_trans_index *ix,
                                 const tkc_kernel_values *attn, size_t npairs,
                                 tkc_kernel_values *out)
{
    size_t nu = attn->npairs;
    for (size_t p = 0; p < npairs; p++) {
        double v = sandwich(g, ix, attn->cov, nu, p, p);
        out->se[p] = sqrt(fmax(v, 0.0));
        if (!out->cov)
            continue;
        out->cov[p * npairs + p] = fmax(v, 0.0);
        for (size_t q = 0; q < p; q++)
            out->cov[p * npairs + q] = out->cov[q * npairs + p] =
                sandwich(g, ix, attn->cov, nu, p, q);
    }
}

/* Worst-case linear bound: for deterministic errors (truncation, rounding)
 * and for statistical ones whose covariance is unknown. */
static void propagate_bound(const double *g, const double *rnd,
                            const tkc_trans_index *ix,
                            const tkc_kernel_values *attn, size_t npairs,
                            tkc_kernel_values *out)
{
    for (size_t p = 0; p < npairs; p++) {
        double e = rnd[p];
        for (int a = 0; a < 3; a++)
            e += fabs(g[3 * p + a]) * attn->se[ix[p][a]];
        out->se[p] = e;
    }
    if (out->cov) {
        memset(out->cov, 0, npairs * npairs * sizeof *out->cov);
        for (size_t p = 0; p < npairs; p++)
            out->cov[p * npairs + p] = out->se[p] * out->se[p];
    }
}

int tkc_trans_from_attn(const tkc_kernel_spec *spec,
                        const tkc_kernel_values *attn,
                        const tkc_trans_index *ix, size_t npairs,
                        tkc_kernel_values *out, tkc_error *err)
{
    if (!spec || !spec->activation)
        return tkc_fail(err, TKC_EINPUT, "trans kernel: spec has no activation");
    for (size_t p = 0; p < npairs; p++)
        for (int a = 0; a < 3; a++)
            if (ix[p][a] >= attn->npairs)
                return tkc_fail(err, TKC_EINPUT,
                                "trans kernel: pair %zu refers to K_attn entry "
                                "%zu of %zu", p, ix[p][a], attn->npairs);
    double *g = malloc((3 * npairs + npairs + 1) * sizeof *g);
    if (!g)
        return tkc_fail(err, TKC_ENOMEM, "trans kernel: %zu gradients", npairs);
    double *rnd = g + 3 * npairs;
    for (size_t p = 0; p < npairs; p++) {
        double A = attn->value[ix[p][0]], B = attn->value[ix[p][1]],
               C = attn->value[ix[p][2]];
        int rc = tkc_activation_dual_eval(spec->activation, A, B, C, spec,
                                          &out->value[p], g + 3 * p, err);
        if (rc) {
            free(g);
            return rc;
        }
        rnd[p] = tkc_activation_dual_rounding(out->value[p], g + 3 * p, A, B, C);
    }
    int statistical = attn->error_kind == TKC_ERROR_STATISTICAL;
    if (statistical && attn->cov)
        propagate_covariance(g, ix, attn, npairs, out);
    else
        propagate_bound(g, rnd, ix, attn, npairs, out);
    out->error_kind = attn->error_kind == TKC_ERROR_EXACT ? TKC_ERROR_ROUNDING
                                                          : attn->error_kind;
    out->estimator = attn->estimator;
    out->samples = attn->samples;
    snprintf(out->note, sizeof out->note, "K_attn by %s%s%.120s; dual of %s%s",
             attn->estimator ? attn->estimator : "?", attn->note[0] ? ": " : "",
             attn->note, spec->activation->name,
             statistical ? (attn->cov ? ", errors by the delta method"
                                      : ", errors bounded linearly (no covariance)")
                         : "");
    free(g);
    return TKC_SUCCESS;
}

/* ---- the kernel type ----------------------------------------------------- */

/* Distinct unordered patterns among the pairs and their self pairs: reps
 * receives one representative pair per pattern, ix the three ids of each
 * output pair.  Returns the number of distinct patterns, or 0 on error. */
static size_t collect_patterns(const tkc_strings *S, const tkc_pair *pairs,
                               size_t npairs, tkc_pattern_index *pix,
                               tkc_pair *reps, tkc_trans_index *ix,
                               tkc_error *err)
{
    for (size_t p = 0; p < npairs; p++) {
        const tkc_pair three[3] = {{pairs[p].x, pairs[p].x},
                                   {pairs[p].y, pairs[p].y},
                                   {pairs[p].x, pairs[p].y}};
        for (int a = 0; a < 3; a++) {
            tkc_pattern pat;
            int swapped, is_new;
            tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, three[a].x),
                                          tkc_strings_row(S, three[a].y), S->k,
                                          &swapped);
            long id = tkc_pattern_index_insert(pix, &pat, &is_new, err);
            if (id < 0)
                return 0;
            if (is_new)
                reps[id] = three[a];
            ix[p][a] = (size_t)id;
        }
    }
    return tkc_pattern_index_size(pix);
}

static int check_input(const tkc_kernel_spec *spec, const tkc_strings *S,
                       const tkc_pair *pairs, size_t npairs, tkc_error *err)
{
    if (!spec || !spec->estimator || !spec->estimator->eval_pairs)
        return tkc_fail(err, TKC_EINPUT, "trans kernel: spec has no K_attn estimator");
    if (!spec->activation)
        return tkc_fail(err, TKC_EINPUT, "trans kernel: spec has no activation");
    if (S->k < 1 || S->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "trans kernel: string length %zu outside 1..%d", S->k,
                        TKC_K_MAX);
    for (size_t p = 0; p < npairs; p++)
        if (pairs[p].x >= S->count || pairs[p].y >= S->count)
            return tkc_fail(err, TKC_EINPUT,
                            "trans kernel: pair %zu refers to string %zu of %zu",
                            p, pairs[p].x > pairs[p].y ? pairs[p].x : pairs[p].y,
                            S->count);
    return TKC_SUCCESS;
}

static int trans_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err)
{
    int rc = check_input(spec, S, pairs, npairs, err);
    if (rc || npairs == 0)
        return rc;
    tkc_pattern_index *pix = tkc_pattern_index_alloc(3 * npairs, err);
    tkc_pair *reps = malloc(3 * npairs * sizeof *reps);
    tkc_trans_index *ix = malloc(npairs * sizeof *ix);
    tkc_kernel_values *attn = NULL;
    if (!pix || !reps || !ix) {
        rc = pix ? tkc_fail(err, TKC_ENOMEM, "trans kernel: %zu pairs", npairs)
                 : (err ? (int)err->status : TKC_ENOMEM);
        goto done;
    }
    size_t nu = collect_patterns(S, pairs, npairs, pix, reps, ix, err);
    if (nu == 0) {
        rc = err ? (int)err->status : TKC_ENOMEM;
        goto done;
    }
    /* One call, full covariance: the K_attn entries share their samples. */
    if (!(attn = tkc_kernel_values_alloc(nu, 1, err))) {
        rc = err ? (int)err->status : TKC_ENOMEM;
        goto done;
    }
    rc = spec->estimator->eval_pairs(spec, S, reps, nu, attn, err);
    if (!rc)
        rc = tkc_trans_from_attn(spec, attn, ix, npairs, out, err);
done:
    tkc_kernel_values_free(attn);
    free(ix);
    free(reps);
    tkc_pattern_index_free(pix);
    return rc;
}

/* Named struct for the list in kernel.c (it needs address constants). */
const tkc_kernel_type tkc_kernel_trans_type = {
    "trans", "transformer: MLP layer with activation phi on top of attention",
    trans_eval_pairs};

const tkc_kernel_type *const tkc_kernel_trans = &tkc_kernel_trans_type;
