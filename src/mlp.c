/* mlp.c — the MLP kernels on one-hot and XXᵀ-augmented inputs: exact input
 * Gram counts, then the dual recursion in ball arithmetic (mlp_arb.c), once
 * per distinct triple of Grams.  Definitions and normalization: mlp.h. */
#include "mlp.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dual_arb.h"
#include "enclosure.h"
#include "mlp_arb.h"
#include "registry.h"

/* ---- one value ----------------------------------------------------------- */

/* The ball as a value and its rigorous bound. */
static int value_of(const arb_t K, double *value, double *se, tkc_error *err)
{
    tkc_enclosure e;
    int rc = tkc_enclosure_set_arb(&e, K, TKC_EVIDENCE_PROOF, err);
    if (!rc) {
        *value = e.mid;
        *se = e.rad;
    }
    return rc;
}

typedef int (*ball_fn)(arb_t K, const tkc_kernel_spec *spec,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       slong prec, tkc_error *err);

static int one_value(ball_fn f, const tkc_kernel_spec *spec,
                     const tkc_token *x, const tkc_token *y, size_t k,
                     double *K, double *se, tkc_error *err)
{
    arb_t b;
    arb_init(b);
    int rc = f(b, spec, x, y, k, TKC_ARB_PREC, err);
    if (!rc)
        rc = value_of(b, K, se, err);
    arb_clear(b);
    return rc;
}

int tkc_mlp_kernel_onehot(const tkc_kernel_spec *spec, const tkc_token *x,
                          const tkc_token *y, size_t k, double *K, double *se,
                          tkc_error *err)
{
    return one_value(tkc_mlp_arb_onehot, spec, x, y, k, K, se, err);
}

int tkc_mlp_kernel_xx(const tkc_kernel_spec *spec, const tkc_token *x,
                      const tkc_token *y, size_t k, double *K, double *se,
                      tkc_error *err)
{
    return one_value(tkc_mlp_arb_xx, spec, x, y, k, K, se, err);
}

/* ---- the kernel types ---------------------------------------------------- */

/* Values already computed, keyed by their Gram numerators (a <= b, c): the
 * kernel is a function of these alone and symmetric in x, y, so a 144-
 * template N (10⁴ pair patterns) needs a few hundred ball evaluations. */
typedef struct gram_cache {
    unsigned long (*key)[3];
    double *value, *se;
    size_t mask, n;
} gram_cache;

static int gram_cache_init(gram_cache *c, size_t npairs)
{
    size_t cap = 16;
    while (cap < 2 * npairs)
        cap *= 2;
    c->key = malloc(cap * sizeof *c->key);
    c->value = malloc(2 * cap * sizeof *c->value);
    c->se = c->value ? c->value + cap : NULL;
    c->mask = cap - 1;
    c->n = 0;
    if (c->key)
        for (size_t i = 0; i < cap; i++)
            c->key[i][0] = ULONG_MAX;  /* empty: no Gram numerator is this */
    return c->key && c->value;
}

static void gram_cache_free(gram_cache *c)
{
    free(c->key);
    free(c->value);
}

/* The slot of (a, b, c): its own, or the empty one it would go in. */
static size_t gram_cache_slot(const gram_cache *c, const unsigned long g[3])
{
    uint64_t h = (uint64_t)g[0] * 0x9E3779B97F4A7C15u ^
                 (uint64_t)g[1] * 0xC2B2AE3D27D4EB4Fu ^
                 (uint64_t)g[2] * 0x165667B19E3779F9u;
    for (size_t i = (size_t)(h ^ h >> 31) & c->mask;; i = (i + 1) & c->mask)
        if (c->key[i][0] == ULONG_MAX ||
            (c->key[i][0] == g[0] && c->key[i][1] == g[1] &&
             c->key[i][2] == g[2]))
            return i;
}

/* Closed forms: each pair from its Grams, each distinct triple once, in
 * ball arithmetic; se bounds the error rigorously, and these bounds are not
 * variances, so the covariance (if asked for) is diag(se²). */
static int eval_closed_pairs(tkc_mlp_grams_fn grams,
                             const tkc_kernel_spec *spec, const tkc_strings *S,
                             const tkc_pair *pairs, size_t npairs,
                             tkc_kernel_values *out, tkc_error *err)
{
    if (!spec->activation)
        return tkc_fail(err, TKC_EINPUT, "MLP kernel: spec has no activation");
    gram_cache c;
    arb_t K;
    if (!gram_cache_init(&c, npairs)) {
        gram_cache_free(&c);
        return tkc_fail(err, TKC_ENOMEM, "MLP kernel: %zu pairs", npairs);
    }
    arb_init(K);
    int rc = TKC_SUCCESS;
    for (size_t p = 0; p < npairs && !rc; p++) {
        if (pairs[p].x >= S->count || pairs[p].y >= S->count) {
            rc = tkc_fail(err, TKC_EINPUT,
                          "MLP kernel: pair %zu refers to string %zu of %zu", p,
                          pairs[p].x > pairs[p].y ? pairs[p].x : pairs[p].y,
                          S->count);
            break;
        }
        unsigned long g[3], den;
        grams(tkc_strings_row(S, pairs[p].x), tkc_strings_row(S, pairs[p].y),
              S->k, g, &den);
        if (g[0] > g[1]) {
            unsigned long t = g[0];
            g[0] = g[1];
            g[1] = t;
        }
        size_t i = gram_cache_slot(&c, g);
        if (c.key[i][0] == ULONG_MAX) {
            rc = tkc_mlp_arb_grams(K, spec, g[0], g[1], g[2], den,
                                   TKC_ARB_PREC, err);
            if (!rc)
                rc = value_of(K, &c.value[i], &c.se[i], err);
            memcpy(c.key[i], g, sizeof g);
            c.n++;
        }
        out->value[p] = c.value[i];
        out->se[p] = c.se[i];
    }
    if (!rc && out->cov) {
        memset(out->cov, 0, npairs * npairs * sizeof *out->cov);
        for (size_t p = 0; p < npairs; p++)
            out->cov[p * npairs + p] = out->se[p] * out->se[p];
    }
    out->error_kind = TKC_ERROR_ROUNDING;
    out->estimator = "closed form";
    out->samples = 0;
    snprintf(out->note, sizeof out->note,
             "closed form, %s, depth %u, in ball arithmetic (%zu Gram "
             "triples): se is a rigorous bound",
             spec->activation->name, spec->mlp_depth, c.n);
    arb_clear(K);
    gram_cache_free(&c);
    return rc;
}

static int mlp_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err)
{
    return eval_closed_pairs(tkc_mlp_grams_onehot, spec, S, pairs, npairs,
                             out, err);
}

static int mlpxx_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err)
{
    return eval_closed_pairs(tkc_mlp_grams_xx, spec, S, pairs, npairs, out,
                             err);
}

/* Named structs for the list in registry.c (it needs address constants). */
const tkc_kernel_type tkc_kernel_mlp_type = {
    "mlp", "MLP on concatenated one-hot inputs (inner-product kernel)",
    mlp_eval_pairs, 0};
const tkc_kernel_type tkc_kernel_mlpxx_type = {
    "mlpxx", "MLP on one-hot inputs augmented by vec(XX^T)", mlpxx_eval_pairs, 0};

