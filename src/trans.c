/* trans.c — K_trans = dual_φ(K_attn(x,x), K_attn(y,y), K_attn(x,y)), with
 * every K_attn entry from one estimator call and its errors carried to
 * K_trans, in double and then in ball arithmetic (trans_arb.c).  The why
 * of each step: trans.h. */
#include "trans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "registry.h"
#include "trans_arb.h"

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

/* The range check of K_trans: a dual kernel is an inner product,
 * E[φ(a) φ(b)], so Cauchy–Schwarz bounds it by the self terms,
 * |K(x, y)| <= sqrt(K(x, x) K(y, y)) = sqrt(dual(A, A, A) dual(B, B, B))
 * (for cos that implies |K| <= 1).  It holds exactly for any triple the
 * dual accepts (A, B >= 0, |C| <= sqrt(AB)); past it by more than the
 * duals' rounding the value is impossible, and refused (TKC_ERANGE). */
static int check_cauchy_schwarz(const tkc_kernel_spec *spec, double A,
                                double B, double K, double rnd, size_t p,
                                tkc_error *err)
{
    double Kxx, Kyy, g[3];
    int rc = tkc_activation_dual_eval(spec->activation, A, A, A, spec, &Kxx,
                                      g, err);
    double slack = rnd + tkc_activation_dual_rounding(Kxx, g, A, A, A);
    if (!rc)
        rc = tkc_activation_dual_eval(spec->activation, B, B, B, spec, &Kyy,
                                      g, err);
    if (rc)
        return rc;
    slack += tkc_activation_dual_rounding(Kyy, g, B, B, B);
    double bound = sqrt(fmax(Kxx, 0.0) * fmax(Kyy, 0.0));
    if (Kxx < -slack || Kyy < -slack || fabs(K) > bound + 2 * slack)
        return tkc_fail(err, TKC_ERANGE, "trans kernel: pair %zu is %.6g, "
                        "beyond sqrt(K(x,x) K(y,y)) = %.6g (K(x,x) = %.6g, "
                        "K(y,y) = %.6g), which a %s dual kernel cannot pass: "
                        "a numerical failure", p, K, bound, Kxx, Kyy,
                        spec->activation->name);
    return TKC_SUCCESS;
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
        if ((rc = check_cauchy_schwarz(spec, A, B, out->value[p], rnd[p], p,
                                       err))) {
            free(g);
            return rc;
        }
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
    /* K_attn's note whole (it stays below TKC_ATTN_NOTE_MAX) */
    snprintf(out->note, sizeof out->note, "K_attn by %s%s%.*s; dual of %s%s",
             attn->estimator ? attn->estimator : "?", attn->note[0] ? ": " : "",
             TKC_ATTN_NOTE_MAX, attn->note, spec->activation->name,
             statistical ? (attn->cov ? ", errors by the delta method"
                                      : ", errors bounded linearly (no covariance)")
                         : "");
    free(g);
    /* then the enclosures: exact K_attn's values and bounds, and boxes */
    return tkc_trans_arb_from_attn(spec, attn, ix, npairs, out, err);
}

/* ---- the kernel type ----------------------------------------------------- */

/* The K_attn entries to estimate, each once.  Every distinct cross pattern
 * gets one representative pair (x, y) — the first met — and its self terms
 * come from that pair's own rows, so each (A, B, C) triple is estimated on
 * the same tokens: with common random numbers every sample is then a Gram
 * matrix and the estimated triple is positive semidefinite, as the relu and
 * quadrature duals need.  Entries are deduplicated by content (a hash of
 * the two rows, order-free), so equal self terms are estimated once. */
typedef struct entry_set {
    const tkc_strings *S;
    tkc_pair *pair;     /* the estimator's pair list            */
    size_t n;
    size_t *slot;       /* open addressing: entry id + 1, or 0  */
    size_t mask;
} entry_set;

static uint64_t row_hash(const tkc_strings *S, size_t r)
{
    const tkc_token *t = tkc_strings_row(S, r);
    uint64_t h = 1469598103934665603u;  /* FNV-1a */
    for (size_t a = 0; a < S->k; a++) {
        h ^= (uint64_t)(uint32_t)t[a];
        h *= 1099511628211u;
    }
    return h;
}

static int rows_equal(const tkc_strings *S, size_t r, size_t q)
{
    return r == q || memcmp(tkc_strings_row(S, r), tkc_strings_row(S, q),
                            S->k * sizeof(tkc_token)) == 0;
}

static size_t entry_id(entry_set *E, size_t x, size_t y)
{
    uint64_t h = row_hash(E->S, x) + row_hash(E->S, y);  /* order-free */
    h ^= h >> 29;
    for (size_t i = (size_t)(h * 0x9E3779B97F4A7C15u) & E->mask;; i = (i + 1) & E->mask) {
        if (!E->slot[i]) {
            E->pair[E->n] = (tkc_pair){x, y};
            E->slot[i] = ++E->n;
            return E->n - 1;
        }
        const tkc_pair *q = &E->pair[E->slot[i] - 1];
        if ((rows_equal(E->S, q->x, x) && rows_equal(E->S, q->y, y)) ||
            (rows_equal(E->S, q->x, y) && rows_equal(E->S, q->y, x)))
            return E->slot[i] - 1;
    }
}

/* Fills E and ix (the three entry ids of each output pair).  At most
 * 3 npairs entries; E->slot must have room for twice that. */
static int collect_entries(const tkc_strings *S, const tkc_pair *pairs,
                           size_t npairs, entry_set *E, tkc_trans_index *ix,
                           tkc_error *err)
{
    tkc_pattern_index *pix = tkc_pattern_index_alloc(npairs, err);
    tkc_trans_index *trip = malloc(npairs * sizeof *trip);
    int *rep_swapped = malloc(npairs * sizeof *rep_swapped);
    int rc = TKC_SUCCESS;
    if (!pix || !trip || !rep_swapped) {
        rc = tkc_fail(err, TKC_ENOMEM, "trans kernel: pattern index of %zu pairs",
                      npairs);
        goto done;
    }
    for (size_t p = 0; p < npairs; p++) {
        size_t x = pairs[p].x, y = pairs[p].y;
        tkc_pattern pat;
        int swapped, is_new;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, x),
                                      tkc_strings_row(S, y), S->k, &swapped);
        long c = tkc_pattern_index_insert(pix, &pat, &is_new, err);
        if (c < 0) {
            rc = TKC_ENOMEM;
            goto done;
        }
        if (is_new) {
            trip[c][0] = entry_id(E, x, x);
            trip[c][1] = entry_id(E, y, y);
            trip[c][2] = entry_id(E, x, y);
            rep_swapped[c] = swapped;
        }
        /* Same orientation as the representative, or reversed: A ↔ B. */
        int same = swapped == rep_swapped[c];
        ix[p][0] = trip[c][same ? 0 : 1];
        ix[p][1] = trip[c][same ? 1 : 0];
        ix[p][2] = trip[c][2];
    }
done:
    free(rep_swapped);
    free(trip);
    tkc_pattern_index_free(pix);
    return rc;
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
    size_t cap = 8;
    while (cap < 6 * npairs)
        cap *= 2;
    entry_set E = {S, malloc(3 * npairs * sizeof(tkc_pair)), 0,
                   calloc(cap, sizeof(size_t)), cap - 1};
    tkc_trans_index *ix = malloc(npairs * sizeof *ix);
    tkc_kernel_values *attn = NULL;
    if (!E.pair || !E.slot || !ix) {
        rc = tkc_fail(err, TKC_ENOMEM, "trans kernel: %zu pairs", npairs);
        goto done;
    }
    if ((rc = collect_entries(S, pairs, npairs, &E, ix, err)))
        goto done;
    /* One call, full covariance: the K_attn entries share their samples.
     * The covariance costs E.n² per sample and E.n² doubles, so for many
     * entries (N of a 144-template set: ~10⁴) it is taken only when the
     * caller wants the output covariance; otherwise the errors are bounded
     * linearly (tkc_trans_from_attn without attn->cov: conservative). */
    int want_cov = out->cov != NULL || E.n <= TKC_TRANS_COV_MAX_ENTRIES;
    if (!(attn = tkc_kernel_values_alloc(E.n, want_cov, err))) {
        rc = TKC_ENOMEM;
        goto done;
    }
    rc = spec->estimator->eval_pairs(spec, S, E.pair, E.n, attn, err);
    if (!rc)
        rc = tkc_trans_from_attn(spec, attn, ix, npairs, out, err);
done:
    tkc_kernel_values_free(attn);
    free(ix);
    free(E.slot);
    free(E.pair);
    return rc;
}

/* Named struct for the list in kernel.c (it needs address constants). */
const tkc_kernel_type tkc_kernel_trans_type = {
    "trans", "transformer: MLP layer with activation phi on top of attention",
    trans_eval_pairs, 1};

