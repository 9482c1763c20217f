/* nmatrix.c — the matrix N of a template set and its structural evidence.
 *
 * N_ij = K(x_i, y_j) with x_i = sub(z_i, s), y_j = sub(z_j, s'), all r²
 * entries from one kernel-layer call (common random numbers; the layer's
 * pattern cache evaluates each distinct pattern once, which also makes N
 * exactly symmetric: (x_i, y_j) and (x_j, y_i) are relabellings of each
 * other's swap).  Rows proved identical by the kernel's pair invariant make
 * N singular exactly, whatever the parameters.  What N's numbers prove (the
 * verdict) is verdict.c's. */
#include "tkc/nmatrix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict_rounds.h"

/* ---- substitution ------------------------------------------------------- */

int tkc_nmatrix_strings(const tkc_template_set *set, tkc_strings **out,
                        tkc_error *err)
{
    *out = NULL;
    if (!set || set->count == 0)
        return tkc_fail(err, TKC_EINPUT, "N needs at least one template");
    size_t r = set->count, k = set->k, W = tkc_template_set_max_wildcards(set);
    if (k == 0 || k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "template length %zu outside 1..%d",
                        k, TKC_K_MAX);
    if (set->nsymbols + 2 * W > INT32_MAX)
        return tkc_fail(err, TKC_EINPUT, "too many symbols for token ids");
    tkc_strings *S = tkc_strings_alloc(2 * r, k, err);
    tkc_token *s = malloc((2 * W + 1) * sizeof *s);
    if (!S || !s) {
        tkc_strings_free(S);
        free(s);
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's strings");
    }
    /* s: w -> nsymbols + w;  s': w -> nsymbols + W + w.  Disjoint images,
     * both avoiding every regular token (ids < nsymbols). */
    for (size_t w = 0; w < 2 * W; w++)
        s[w] = (tkc_token)(set->nsymbols + w);
    for (size_t i = 0; i < r; i++) {
        if (tkc_template_substitute(set, i, s, tkc_strings_row(S, i), err) ||
            tkc_template_substitute(set, i, s + W, tkc_strings_row(S, r + i),
                                    err)) {
            tkc_strings_free(S);
            free(s);
            return err ? err->status : TKC_EINPUT;
        }
    }
    free(s);
    *out = S;
    return TKC_SUCCESS;
}

/* ---- pair invariants ---------------------------------------------------- */

/* The canonical unordered pattern: every token-symmetric kernel. */
static size_t key_pattern(const tkc_kernel_spec *spec, const tkc_token *x,
                          const tkc_token *y, size_t k, uint8_t *key)
{
    (void)spec;
    tkc_pattern pat;
    int swapped;
    tkc_pattern_of_unordered_pair(&pat, x, y, k, &swapped);
    key[0] = pat.k;
    key[1] = pat.ntokens;
    memcpy(key + 2, pat.x, k);
    memcpy(key + 2 + k, pat.y, k);
    return 2 + 2 * k;
}

static unsigned positional_matches(const tkc_token *x, const tkc_token *y,
                                   size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        m += x[a] == y[a];
    return m;
}

/* ⟨XXᵀ, YYᵀ⟩_F = #{(a, b) : x_a = x_b and y_a = y_b}. */
static unsigned gram_overlap(const tkc_token *x, const tkc_token *y, size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == x[b] && y[a] == y[b];
    return m;
}

static void put16(uint8_t *key, unsigned v)
{
    key[0] = (uint8_t)(v >> 8);
    key[1] = (uint8_t)v;
}

/* MLP on concatenated one-hots: every input has norm² k, so the kernel is a
 * function of ⟨x, y⟩ = #positions holding equal tokens alone. */
static size_t key_positional(const tkc_kernel_spec *spec, const tkc_token *x,
                             const tkc_token *y, size_t k, uint8_t *key)
{
    (void)spec;
    put16(key, positional_matches(x, y, k));
    return 2;
}

/* MLP on [one-hot, XXᵀ]: a function of the inner product and the two norms,
 * ⟨x, y⟩ + ⟨XXᵀ, YYᵀ⟩ and k + ‖XXᵀ‖², ‖YYᵀ‖² (unordered). */
static size_t key_positional_gram(const tkc_kernel_spec *spec,
                                  const tkc_token *x, const tkc_token *y,
                                  size_t k, uint8_t *key)
{
    (void)spec;
    unsigned nx = gram_overlap(x, x, k), ny = gram_overlap(y, y, k);
    put16(key, positional_matches(x, y, k));
    put16(key + 2, gram_overlap(x, y, k));
    put16(key + 4, nx < ny ? nx : ny);
    put16(key + 6, nx < ny ? ny : nx);
    return 8;
}

size_t tkc_nmatrix_pair_key(const tkc_kernel_spec *spec, const tkc_token *x,
                            const tkc_token *y, size_t k, uint8_t *key,
                            const char **what)
{
    size_t (*f)(const tkc_kernel_spec *, const tkc_token *, const tkc_token *,
                size_t, uint8_t *) = key_pattern;
    const char *words = "the pairs' token-equality patterns";
    if (spec->kernel == tkc_kernel_mlp) {
        f = key_positional;
        words = "the number of positions holding equal tokens";
    } else if (spec->kernel == tkc_kernel_mlpxx) {
        f = key_positional_gram;
        words = "the positions holding equal tokens and the XX^T overlaps";
    }
    if (what)
        *what = words;
    return f(spec, x, y, k, key);
}

/* ---- structural evidence ------------------------------------------------ */

/* Keys of row i: r keys of (x_i, y_j), each TKC_NMATRIX_KEY_MAX + 1 bytes
 * (length first). */
static void row_keys(const tkc_kernel_spec *spec, const tkc_strings *S,
                     size_t r, size_t i, uint8_t *keys)
{
    for (size_t j = 0; j < r; j++) {
        uint8_t *key = keys + j * (TKC_NMATRIX_KEY_MAX + 1);
        memset(key, 0, TKC_NMATRIX_KEY_MAX + 1);
        key[0] = (uint8_t)tkc_nmatrix_pair_key(spec, tkc_strings_row(S, i),
                                               tkc_strings_row(S, r + j), S->k,
                                               key + 1, NULL);
    }
}

int tkc_nmatrix_row_classes(const tkc_kernel_spec *spec,
                            const tkc_strings *S, size_t r, size_t *row_class,
                            size_t *nclasses, tkc_error *err)
{
    size_t rowbytes = r * (TKC_NMATRIX_KEY_MAX + 1);
    if (r && rowbytes / r != TKC_NMATRIX_KEY_MAX + 1)
        return tkc_fail(err, TKC_ENOMEM, "r = %zu too large", r);
    /* Keys of every row: r² small keys (r = 144: 3 MB). */
    uint8_t *keys = malloc(r * rowbytes + 1);
    if (!keys)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's row keys");
    for (size_t i = 0; i < r; i++)
        row_keys(spec, S, r, i, keys + i * rowbytes);
    size_t n = 0;
    for (size_t i = 0; i < r; i++) {
        row_class[i] = i;
        for (size_t c = 0; c < i; c++)
            if (row_class[c] == c &&
                !memcmp(keys + i * rowbytes, keys + c * rowbytes, rowbytes)) {
                row_class[i] = c;
                break;
            }
        n += row_class[i] == i;
    }
    free(keys);
    *nclasses = n;
    return TKC_SUCCESS;
}

int tkc_nmatrix_identical_rows(const tkc_nmatrix *nm, size_t *i, size_t *ip)
{
    for (size_t a = 0; a < nm->r; a++)
        if (nm->row_class[a] != a) {
            *i = nm->row_class[a];
            *ip = a;
            return 1;
        }
    return 0;
}

/* ---- building N --------------------------------------------------------- */

void tkc_nmatrix_free(tkc_nmatrix *nm)
{
    if (!nm)
        return;
    tkc_strings_free(nm->strings);
    free(nm->N);
    free(nm->se);
    free(nm->cov);
    free(nm->box_mid);
    free(nm->box_rad);
    free(nm->row_class);
    free(nm);
}

/* confidence: 0 for no boxes. */
static int evaluate(tkc_nmatrix *nm, const tkc_kernel_spec *spec, int cov,
                    double confidence, tkc_error *err)
{
    size_t r = nm->r, n = r * r;
    tkc_pair *pairs = malloc(n * sizeof *pairs);
    tkc_kernel_values *v = tkc_kernel_values_alloc(n, cov, err);
    if (!pairs || !v) {
        free(pairs);
        tkc_kernel_values_free(v);
        return tkc_fail(err, TKC_ENOMEM, "out of memory for %zu pairs", n);
    }
    int rc;
    if (confidence != 0 &&
        (rc = tkc_kernel_values_want_boxes(v, confidence, err))) {
        free(pairs);
        tkc_kernel_values_free(v);
        return rc;
    }
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            pairs[i * r + j] = (tkc_pair){i, r + j};
    rc = tkc_kernel_eval_pairs(spec, nm->strings, pairs, n, v, err);
    free(pairs);
    if (rc) {
        tkc_kernel_values_free(v);
        return rc;
    }
    for (size_t e = 0; e < n; e++)
        if (!isfinite(v->value[e]) || !isfinite(v->se[e]) || v->se[e] < 0 ||
            (v->box_mid && (!isfinite(v->box_mid[e]) ||
                            !isfinite(v->box_rad[e]) || v->box_rad[e] < 0))) {
            tkc_kernel_values_free(v);
            return tkc_fail(err, TKC_ENUMERIC,
                            "kernel gave a non-finite value for N[%zu][%zu]",
                            e / r + 1, e % r + 1);
        }
    /* Take the arrays over rather than copy them (r⁴ doubles for cov). */
    nm->N = v->value;
    nm->se = v->se;
    nm->cov = v->cov;
    nm->box_mid = v->box_mid;
    nm->box_rad = v->box_rad;
    v->value = v->se = v->cov = v->box_mid = v->box_rad = NULL;
    nm->box_evidence = v->box_evidence;
    nm->box_confidence = v->box_confidence;
    nm->box_z = v->box_z;
    nm->error_kind = v->error_kind;
    snprintf(nm->estimator, sizeof nm->estimator, "%s",
             v->estimator ? v->estimator : spec->kernel->name);
    nm->samples = v->samples;
    snprintf(nm->note, sizeof nm->note, "%s", v->note);
    tkc_kernel_values_free(v);
    return TKC_SUCCESS;
}

int tkc_nmatrix_takes_cov(int want_cov, size_t r)
{
    return want_cov == TKC_NMATRIX_COV_AUTO ? r <= TKC_NMATRIX_COV_MAX_R
                                            : want_cov != 0;
}

/* confidence: 0 for no boxes. */
static int build(const tkc_template_set *set, const tkc_kernel_spec *spec,
                 int want_cov, double confidence, tkc_nmatrix **out,
                 tkc_error *err)
{
    *out = NULL;
    int rc = tkc_kernel_spec_validate(spec, err);
    if (rc)
        return rc;
    tkc_nmatrix *nm = calloc(1, sizeof *nm);
    if (!nm)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N");
    if ((rc = tkc_nmatrix_strings(set, &nm->strings, err)))
        goto fail;
    nm->r = set->count;
    nm->k = set->k;
    if (!(nm->row_class = malloc(nm->r * sizeof *nm->row_class))) {
        rc = tkc_fail(err, TKC_ENOMEM, "out of memory for N");
        goto fail;
    }
    tkc_nmatrix_pair_key(spec, tkc_strings_row(nm->strings, 0),
                         tkc_strings_row(nm->strings, nm->r), nm->k,
                         (uint8_t[TKC_NMATRIX_KEY_MAX]){0}, &nm->invariant);
    if ((rc = tkc_nmatrix_row_classes(spec, nm->strings, nm->r, nm->row_class,
                                      &nm->nclasses, err)))
        goto fail;
    if ((rc = evaluate(nm, spec, tkc_nmatrix_takes_cov(want_cov, nm->r),
                       confidence, err)))
        goto fail;
    *out = nm;
    return TKC_SUCCESS;
fail:
    tkc_nmatrix_free(nm);
    return rc;
}

int tkc_nmatrix_build(const tkc_template_set *set,
                      const tkc_kernel_spec *spec, int want_cov,
                      tkc_nmatrix **out, tkc_error *err)
{
    return build(set, spec, want_cov, 0, out, err);
}

int tkc_nmatrix_build_boxed(const tkc_template_set *set,
                            const tkc_kernel_spec *spec, int want_cov,
                            double confidence, tkc_nmatrix **out,
                            tkc_error *err)
{
    *out = NULL;
    if (!(confidence > 0 && confidence < 1))
        return tkc_fail(err, TKC_EINPUT,
                        "N's boxes: confidence %g is not in (0, 1)",
                        confidence);
    return build(set, spec, want_cov, confidence, out, err);
}

/* ---- the patterns of N's entries ---------------------------------------- */

int tkc_nmatrix_patterns(const tkc_nmatrix *nm, tkc_pattern_index **out,
                         long *id, tkc_error *err)
{
    size_t r = nm->r;
    tkc_pattern_index *ix = tkc_pattern_index_alloc(r * r, err);
    *out = NULL;
    if (!ix)
        return err ? err->status : TKC_ENOMEM;
    for (size_t e = 0; e < r * r; e++) {
        tkc_pattern pat;
        int swapped;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(nm->strings, e / r),
                                      tkc_strings_row(nm->strings, r + e % r),
                                      nm->k, &swapped);
        long p = tkc_pattern_index_insert(ix, &pat, NULL, err);
        if (p < 0) {
            tkc_pattern_index_free(ix);
            return err ? err->status : TKC_ENOMEM;
        }
        if (id)
            id[e] = p;
    }
    *out = ix;
    return TKC_SUCCESS;
}
