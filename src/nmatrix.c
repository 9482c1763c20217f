/* nmatrix.c — the matrix N of a template set and its structural evidence.
 *
 * N_ij = K(x_i, y_j) with x_i = sub(z_i, s), y_j = sub(z_j, s'), all r²
 * entries from one kernel-layer call (common random numbers; the layer's
 * pattern cache evaluates each distinct pattern once, which also makes N
 * exactly symmetric: (x_i, y_j) and (x_j, y_i) are relabellings of each
 * other's swap).  Rows proved identical by the kernel's pair invariant make
 * N singular exactly, whatever the parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lapacke.h>

#include "tkc/certify.h"
#include "tkc/mpmat.h"
#include "tkc/nmatrix.h"
#include "tkc/series.h"

/* ---- substitution ------------------------------------------------------ */

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
    const char *name = spec->kernel ? spec->kernel->name : "";
    size_t (*f)(const tkc_kernel_spec *, const tkc_token *, const tkc_token *,
                size_t, uint8_t *) = key_pattern;
    const char *words = "the pairs' token-equality patterns";
    if (!strcmp(name, "mlp")) {
        f = key_positional;
        words = "the number of positions holding equal tokens";
    } else if (!strcmp(name, "mlpxx")) {
        f = key_positional_gram;
        words = "the positions holding equal tokens and the XX^T overlaps";
    }
    if (what)
        *what = words;
    return f(spec, x, y, k, key);
}

/* ---- structural evidence ----------------------------------------------- */

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
    free(nm->row_class);
    free(nm);
}

static int evaluate(tkc_nmatrix *nm, const tkc_kernel_spec *spec, int cov,
                    tkc_error *err)
{
    size_t r = nm->r, n = r * r;
    tkc_pair *pairs = malloc(n * sizeof *pairs);
    tkc_kernel_values *v = tkc_kernel_values_alloc(n, cov, err);
    if (!pairs || !v) {
        free(pairs);
        tkc_kernel_values_free(v);
        return tkc_fail(err, TKC_ENOMEM, "out of memory for %zu pairs", n);
    }
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            pairs[i * r + j] = (tkc_pair){i, r + j};
    int rc = tkc_kernel_eval_pairs(spec, nm->strings, pairs, n, v, err);
    free(pairs);
    if (rc) {
        tkc_kernel_values_free(v);
        return rc;
    }
    for (size_t e = 0; e < n; e++)
        if (!isfinite(v->value[e]) || !isfinite(v->se[e]) || v->se[e] < 0) {
            tkc_kernel_values_free(v);
            return tkc_fail(err, TKC_ENUMERIC,
                            "kernel gave a non-finite value for N[%zu][%zu]",
                            e / r + 1, e % r + 1);
        }
    /* Take the arrays over rather than copy them (r⁴ doubles for cov). */
    nm->N = v->value;
    nm->se = v->se;
    nm->cov = v->cov;
    v->value = v->se = v->cov = NULL;
    nm->error_kind = v->error_kind;
    snprintf(nm->estimator, sizeof nm->estimator, "%s",
             v->estimator ? v->estimator : spec->kernel->name);
    nm->samples = v->samples;
    snprintf(nm->note, sizeof nm->note, "%s", v->note);
    tkc_kernel_values_free(v);
    return TKC_SUCCESS;
}

int tkc_nmatrix_build(const tkc_template_set *set,
                      const tkc_kernel_spec *spec, int want_cov,
                      tkc_nmatrix **out, tkc_error *err)
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
    int cov = want_cov == TKC_NMATRIX_COV_AUTO
                  ? nm->r <= TKC_NMATRIX_COV_MAX_R
                  : want_cov != 0;
    if ((rc = evaluate(nm, spec, cov, err)))
        goto fail;
    *out = nm;
    return TKC_SUCCESS;
fail:
    tkc_nmatrix_free(nm);
    return rc;
}

/* ---- the verdict -------------------------------------------------------- */

const char *tkc_nmatrix_verdict_name(tkc_nmatrix_verdict_kind v)
{
    switch (v) {
    case TKC_NMATRIX_SINGULAR:
        return "singular";
    case TKC_NMATRIX_NONSINGULAR:
        return "nonsingular";
    default:
        return "undecided";
    }
}

void tkc_nmatrix_options_default(tkc_nmatrix_options *opt)
{
    opt->want_cov = TKC_NMATRIX_COV_AUTO;
    opt->prec = 256;
    opt->confidence = 0.999;
    opt->auto_refine = 0;
    opt->budget = UINT64_C(1) << 26;
    opt->time_budget = 0;
    opt->ladder = -1;
}

void tkc_nmatrix_decision_free(tkc_nmatrix_decision *d)
{
    if (!d)
        return;
    free(d->singular_values);
    free(d);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Do templates i and i' hold the same regular tokens at the same positions
 * (so that only their wildcard relations tell them apart)? */
static int same_regular_profile(const tkc_template_set *set, size_t i,
                                size_t ip)
{
    for (size_t a = 0; a < set->k; a++) {
        int32_t u = set->t[i].sym[a], v = set->t[ip].sym[a];
        if (TKC_IS_WILDCARD(u) != TKC_IS_WILDCARD(v) ||
            (!TKC_IS_WILDCARD(u) && u != v))
            return 0;
    }
    return 1;
}

static void structural_evidence(const tkc_template_set *set,
                                const tkc_nmatrix *nm, tkc_nmatrix_decision *d)
{
    size_t i, ip;
    tkc_nmatrix_identical_rows(nm, &i, &ip);
    d->verdict = TKC_NMATRIX_SINGULAR;
    int n = snprintf(d->evidence, sizeof d->evidence, "rows %zu,%zu identical: %s",
                     i + 1, ip + 1,
                     same_regular_profile(set, i, ip)
                         ? "templates differ only in wildcard relations"
                         : "equal pair invariants in every column");
    if (nm->r - nm->nclasses > 1 && n > 0 && (size_t)n < sizeof d->evidence)
        snprintf(d->evidence + n, sizeof d->evidence - (size_t)n,
                 " (%zu distinct rows of %zu: rank <= %zu)", nm->nclasses,
                 nm->r, nm->nclasses);
    snprintf(d->method, sizeof d->method,
             "structure: the kernel depends only on %s", nm->invariant);
}

static tkc_radius_kind radius_kind_of(tkc_error_kind kind)
{
    switch (kind) {
    case TKC_ERROR_STATISTICAL:
        return TKC_RADIUS_STATISTICAL;
    case TKC_ERROR_TRUNCATION:
        return TKC_RADIUS_TRUNCATION;
    default:
        return TKC_RADIUS_ROUNDING;
    }
}

/* Distinct estimates among N's entries: pairs with equal unordered
 * patterns are one estimate (the kernel layer evaluates each pattern once).
 * The count the Bonferroni correction needs. */
static int distinct_entries(const tkc_nmatrix *nm, size_t *count,
                            tkc_error *err)
{
    size_t r = nm->r;
    tkc_pattern_index *ix = tkc_pattern_index_alloc(r * r, err);
    if (!ix)
        return err ? err->status : TKC_ENOMEM;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            tkc_pattern pat;
            int swapped;
            tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(nm->strings, i),
                                          tkc_strings_row(nm->strings, r + j),
                                          nm->k, &swapped);
            if (tkc_pattern_index_insert(ix, &pat, NULL, err) < 0) {
                tkc_pattern_index_free(ix);
                return err ? err->status : TKC_ENOMEM;
            }
        }
    *count = tkc_pattern_index_size(ix);
    tkc_pattern_index_free(ix);
    return TKC_SUCCESS;
}

/* σ's of the computed N in double (LAPACK dgesdd): for display; the proved
 * statements come from tkc_certify. */
static int singular_values(const tkc_nmatrix *nm, double *sv, tkc_error *err)
{
    size_t r = nm->r;
    double *a = malloc(r * r * sizeof *a);
    if (!a)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's SVD");
    memcpy(a, nm->N, r * r * sizeof *a);
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)r,
                                     (lapack_int)r, a, (lapack_int)r, sv, NULL,
                                     (lapack_int)r, NULL, (lapack_int)r);
    free(a);
    if (info != 0)
        return tkc_fail(err, TKC_ENUMERIC, "LAPACK dgesdd failed on N (info %d)",
                        (int)info);
    return TKC_SUCCESS;
}

/* det N = mantissa · 2^exponent by MPFR LU at prec bits (a 144×144 kernel
 * matrix's determinant is far below the double range). */
static int determinant(const tkc_nmatrix *nm, long prec,
                       tkc_nmatrix_decision *d, tkc_error *err)
{
    size_t r = nm->r;
    tkc_mpmat *A = tkc_mpmat_alloc(r, r, (mpfr_prec_t)prec, err);
    if (!A)
        return err ? err->status : TKC_ENOMEM;
    int rc = tkc_mpmat_set_d(A, nm->N, r, err);
    if (!rc) {
        mpfr_t det;
        mpfr_init2(det, 64);
        rc = tkc_mpmat_det(det, A, err);
        d->det_mantissa = 0;
        d->det_exponent = 0;
        if (!rc && !mpfr_zero_p(det))
            d->det_mantissa = mpfr_get_d_2exp(&d->det_exponent, det, MPFR_RNDN);
        mpfr_clear(det);
    }
    tkc_mpmat_free(A);
    return rc;
}

/* σ_min at 53, 128, 256, 512 bits: stable, or shrinking with the precision
 * (then the midpoint is numerically singular).  A failure here (e.g. Jacobi
 * not converging) is reported in the text, not fatal. */
static void ladder(const tkc_nmatrix *nm, int want, tkc_nmatrix_decision *d)
{
    if (!want) {
        snprintf(d->ladder_text, sizeof d->ladder_text,
                 "skipped for r = %zu > %d (--ladder to force)", nm->r,
                 TKC_NMATRIX_LADDER_MAX_R);
        return;
    }
    tkc_sigma_ladder lad;
    tkc_error e;
    if (tkc_certify_ladder(&lad, nm->r, nm->N, &e)) {
        snprintf(d->ladder_text, sizeof d->ladder_text, "failed: %.200s", e.message);
        return;
    }
    for (int l = 0; l < TKC_NMATRIX_LADDER && l < TKC_LADDER_RUNGS; l++) {
        d->ladder_prec[l] = (long)lad.prec[l];
        d->ladder_sigma_min[l] = lad.sigma_min[l];
    }
    snprintf(d->ladder_text, sizeof d->ladder_text, "%s", lad.text);
}

static int numbers(const tkc_nmatrix *nm, const tkc_nmatrix_options *opt,
                   tkc_nmatrix_decision *d, tkc_error *err)
{
    size_t r = nm->r;
    if (!(d->singular_values = malloc(r * sizeof *d->singular_values)))
        return tkc_fail(err, TKC_ENOMEM, "out of memory for N's numbers");
    int rc = singular_values(nm, d->singular_values, err);
    if (!rc)
        rc = determinant(nm, opt->prec, d, err);
    if (rc)
        return rc;
    d->sigma_min = d->singular_values[r - 1];
    d->inv_norm = d->sigma_min > 0 ? 1 / d->sigma_min : INFINITY;
    d->cond = d->sigma_min > 0 ? d->singular_values[0] / d->sigma_min : INFINITY;
    ladder(nm, opt->ladder < 0 ? r <= TKC_NMATRIX_LADDER_MAX_R : opt->ladder, d);
    return TKC_SUCCESS;
}

/* Statistical radii for a joint confidence over the distinct estimates. */
static int radii(const tkc_nmatrix *nm, double confidence, double *z,
                 tkc_error *err)
{
    *z = 1;
    if (nm->error_kind != TKC_ERROR_STATISTICAL)
        return TKC_SUCCESS;
    size_t m;
    int rc = distinct_entries(nm, &m, err);
    return rc ? rc : tkc_certify_bonferroni_z(z, confidence, m, err);
}

/* Lemma 3.6's permutation condition on N_attn: N itself for attn, a second
 * evaluation (same estimator and seed) for trans; not applicable to the MLPs. */
static int lemma36(const tkc_template_set *set, const tkc_kernel_spec *spec,
                   const tkc_nmatrix *nm, double confidence,
                   tkc_nmatrix_decision *d, tkc_error *err)
{
    d->lemma36 = -1;
    int is_attn = !strcmp(spec->kernel->name, "attn");
    if (!is_attn && strcmp(spec->kernel->name, "trans"))
        return TKC_SUCCESS;
    tkc_nmatrix *A = NULL;
    tkc_kernel_spec s = *spec;
    s.kernel = tkc_kernel_attn;
    /* The exhaustive test (small r) is cheap: give it at least the default
     * accuracy even when the verdict was reached from a cheap round. */
    if (nm->r <= TKC_PERM_EXHAUSTIVE_MAX) {
        tkc_kernel_spec def;
        tkc_kernel_spec_default(&def);
        if (s.target_se > def.target_se)
            s.target_se = def.target_se;
        if (s.samples < def.samples)
            s.samples = def.samples;
        is_attn = 0;            /* evaluate N_attn at that accuracy */
    }
    int rc = TKC_SUCCESS;
    if (!is_attn && (rc = tkc_nmatrix_build(set, &s, TKC_NMATRIX_COV_NO, &A, err)))
        return rc;
    const tkc_nmatrix *a = is_attn ? nm : A;
    size_t n = a->r * a->r;
    double z, *rad = malloc(n * sizeof *rad);
    if (!rad)
        rc = tkc_fail(err, TKC_ENOMEM, "out of memory for N_attn's radii");
    if (!rc)
        rc = radii(a, confidence, &z, err);
    if (!rc) {
        for (size_t e = 0; e < n; e++)
            rad[e] = z * a->se[e];
        tkc_perm_condition pc;
        rc = tkc_certify_permutation_condition(&pc, a->r, a->N, rad, err);
        if (!rc) {
            d->lemma36 = pc.status == TKC_PERM_ESTABLISHED ? 1
                         : pc.status == TKC_PERM_VIOLATED  ? 0
                                                           : 2;
            snprintf(d->lemma36_method, sizeof d->lemma36_method, "%s",
                     pc.method);
            snprintf(d->lemma36_text, sizeof d->lemma36_text, "%s", pc.text);
        }
    }
    free(rad);
    tkc_nmatrix_free(A);
    return rc;
}

/* What produced the entries, in a few words. */
static void source_words(const tkc_nmatrix *nm, double confidence, char *buf,
                         size_t size)
{
    switch (nm->error_kind) {
    case TKC_ERROR_STATISTICAL:
        snprintf(buf, size, "%s %llu samples, %.4g%% confidence",
                 nm->estimator, (unsigned long long)nm->samples,
                 100 * confidence);
        break;
    case TKC_ERROR_TRUNCATION:
        snprintf(buf, size, "%s, truncation estimate", nm->estimator);
        break;
    case TKC_ERROR_EXACT:
        snprintf(buf, size, "exact entries");
        break;
    default:
        snprintf(buf, size, "closed form, rounding only");
    }
}

static void from_certificate(const tkc_nmatrix *nm, const tkc_certificate *c,
                             double confidence, tkc_nmatrix_decision *d)
{
    char src[128];
    source_words(nm, confidence, src, sizeof src);
    d->confidence = nm->error_kind == TKC_ERROR_STATISTICAL ? confidence : 1;
    d->radius_scale = nm->error_kind == TKC_ERROR_STATISTICAL ? c->z : 1;
    d->radius_norm = c->radius_norm2_upper;
    snprintf(d->method, sizeof d->method, "%s", c->method);
    switch (c->verdict) {
    case TKC_VERDICT_NONSINGULAR:
        d->verdict = TKC_NMATRIX_NONSINGULAR;
        d->sigma_min_lower = c->sigma_min_lower;
        d->inv_norm_upper = c->sigma_min_lower > 0 ? 1 / c->sigma_min_lower
                                                   : INFINITY;
        snprintf(d->evidence, sizeof d->evidence, "%s, %s", src,
                 c->rump_alpha < 1 ? "Rump test" : "Weyl bound");
        break;
    case TKC_VERDICT_SINGULAR:
        d->verdict = TKC_NMATRIX_SINGULAR;
        snprintf(d->evidence, sizeof d->evidence, "rows %zu,%zu: %s",
                 c->row_i + 1, c->row_j + 1, c->reason);
        break;
    default:
        d->verdict = TKC_NMATRIX_UNDECIDED;
        snprintf(d->evidence, sizeof d->evidence, "%s: radii too wide to certify",
                 src);
        if (nm->error_kind == TKC_ERROR_STATISTICAL && isfinite(c->shrink_factor))
            snprintf(d->settle, sizeof d->settle,
                     "radii must shrink %.2gx -> about %.3gx more samples "
                     "(%.2g in all: --auto-refine, --samples, --target-se)",
                     c->shrink_factor, c->samples_factor,
                     ceil((double)nm->samples * c->samples_factor * 1.1));
        else
            snprintf(d->settle, sizeof d->settle, "%s", c->advice);
    }
}

/* ---- small β, exactly --------------------------------------------------- */

/* Taylor tables of every distinct pattern of N, and the coefficient
 * matrices N_t (t = 0 .. nterms−1) at g = γ², exactly. */
static int series_coefficients(const tkc_nmatrix *nm, double gamma,
                               size_t nterms, mpq_t *coef, tkc_error *err)
{
    size_t r = nm->r, order = 2 * (nterms - 1);
    tkc_pattern_index *ix = tkc_pattern_index_alloc(r * r, err);
    long *id = malloc(r * r * sizeof *id);
    tkc_series **tab = calloc(r * r, sizeof *tab);
    int rc = (!ix || !id || !tab)
                 ? tkc_fail(err, TKC_ENOMEM, "out of memory for the series")
                 : TKC_SUCCESS;
    double cost = 0;
    for (size_t e = 0; !rc && e < r * r; e++) {
        tkc_pattern pat;
        int swapped, is_new;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(nm->strings, e / r),
                                      tkc_strings_row(nm->strings, r + e % r),
                                      nm->k, &swapped);
        if ((id[e] = tkc_pattern_index_insert(ix, &pat, &is_new, err)) < 0)
            rc = err ? err->status : TKC_ENOMEM;
        else if (is_new)
            cost += tkc_series_cost(&pat, (int)order);
    }
    if (!rc && cost > 2e8)
        rc = tkc_fail(err, TKC_ERANGE,
                      "exact series to beta^%zu would take ~%.1e operations",
                      order, cost);
    mpq_t g;
    mpq_init(g);
    mpq_set_d(g, gamma);            /* exact: γ is a double */
    mpq_mul(g, g, g);
    for (size_t e = 0; !rc && e < r * r; e++) {
        size_t p = (size_t)id[e];
        if (!tab[p]) {
            const tkc_pattern *pat = tkc_pattern_index_get(ix, p);
            if (!(tab[p] = tkc_series_alloc((int)order, err)) ||
                tkc_series_compute(tab[p], pat, err)) {
                rc = err ? err->status : TKC_ENOMEM;
                break;
            }
        }
        for (size_t t = 0; t < nterms; t++)
            tkc_series_beta_coeff_q(coef[t * r * r + e], tab[p], (int)t, g);
    }
    mpq_clear(g);
    for (size_t e = 0; tab && e < r * r; e++)
        tkc_series_free(tab[e]);
    free(tab);
    free(id);
    tkc_pattern_index_free(ix);
    return rc;
}

int tkc_nmatrix_series_det(const tkc_nmatrix *nm, const tkc_kernel_spec *spec,
                           size_t nterms, tkc_nmatrix_decision *d,
                           tkc_error *err)
{
    size_t r = nm->r, n = nterms * r * r;
    if (nterms < 1 || 2 * (nterms - 1) > TKC_SERIES_ORDER_MAX)
        return tkc_fail(err, TKC_EINPUT, "series terms must be 1..%d",
                        TKC_SERIES_ORDER_MAX / 2 + 1);
    mpq_t *coef = malloc(n * sizeof *coef);
    if (!coef)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for the series");
    for (size_t e = 0; e < n; e++)
        mpq_init(coef[e]);
    tkc_series_det sd;
    tkc_series_det_init(&sd);
    int rc = series_coefficients(nm, spec->gamma, nterms, coef, err);
    if (!rc)
        rc = tkc_series_det_leading(&sd, r, nterms, coef, err);
    if (!rc) {
        d->series_det_status = sd.determined ? 1 : 0;
        d->series_det_beta_power =
            2 * (long)(sd.determined ? sd.order : sd.order_lower_bound);
        d->series_det_leading[0] = 0;
        if (sd.determined && mpz_sizeinbase(mpq_numref(sd.leading), 10) +
                                     mpz_sizeinbase(mpq_denref(sd.leading), 10) +
                                     3 < sizeof d->series_det_leading)
            mpq_get_str(d->series_det_leading, 10, sd.leading);
        tkc_series_det_snprint(d->series_det_text, sizeof d->series_det_text,
                               &sd);
    }
    tkc_series_det_clear(&sd);
    for (size_t e = 0; e < n; e++)
        mpq_clear(coef[e]);
    free(coef);
    return rc;
}

/* Run by default for attn/trans and small r; a cost refusal is reported,
 * not fatal. */
static int small_beta(const tkc_nmatrix *nm, const tkc_kernel_spec *spec,
                      tkc_nmatrix_decision *d, tkc_error *err)
{
    d->series_det_status = -1;
    const char *name = spec->kernel->name;
    if (strcmp(name, "attn") && strcmp(name, "trans"))
        return TKC_SUCCESS;
    if (nm->r > TKC_NMATRIX_SERIES_MAX_R) {
        snprintf(d->series_det_text, sizeof d->series_det_text,
                 "not computed for r = %zu > %d", nm->r,
                 TKC_NMATRIX_SERIES_MAX_R);
        return TKC_SUCCESS;
    }
    tkc_error e;
    /* N_attn(0)_ij = m_ij/k² + γ²/k sees only the shared regular tokens
     * (m_ij of them), so it is often of low rank (rank 1 when they are
     * [CLS] alone) and det N_attn starts late: r + 1 terms reach β^(2r). */
    int rc = tkc_nmatrix_series_det(nm, spec, nm->r + 1, d, &e);
    if (rc == TKC_ERANGE) {
        snprintf(d->series_det_text, sizeof d->series_det_text,
                 "not computed: %.200s", e.message);
        return TKC_SUCCESS;
    }
    if (rc && err)
        *err = e;
    return rc;
}

/* Rounds auto-refine may take: samples ×4 per round within the budget. */
static unsigned max_rounds(const tkc_kernel_spec *spec,
                           const tkc_nmatrix_options *opt)
{
    unsigned n = 1;
    for (uint64_t s = spec->samples; opt->auto_refine && s <= opt->budget / 4;
         s *= 4)
        n++;
    return n;
}

static int certify_once(const tkc_nmatrix *nm, const tkc_nmatrix_options *opt,
                        double confidence, tkc_certificate *cert,
                        tkc_error *err)
{
    size_t m = nm->r * nm->r;
    int rc;
    if (nm->error_kind == TKC_ERROR_STATISTICAL &&
        (rc = distinct_entries(nm, &m, err)))
        return rc;
    tkc_certify_input in = {.r = nm->r,
                            .mid = nm->N,
                            .radius = nm->se,
                            .kind = radius_kind_of(nm->error_kind),
                            .confidence = confidence,
                            .n_estimates = m,
                            .prec = (mpfr_prec_t)opt->prec,
                            .row_names = NULL};
    return tkc_certify(cert, &in, err);
}

int tkc_nmatrix_decide(const tkc_template_set *set,
                       const tkc_kernel_spec *spec,
                       const tkc_nmatrix_options *opt, tkc_nmatrix **nm_out,
                       tkc_nmatrix_decision **out, tkc_error *err)
{
    *nm_out = NULL;
    *out = NULL;
    if (!(opt->confidence > 0 && opt->confidence < 1) || opt->prec < 53)
        return tkc_fail(err, TKC_EINPUT,
                        "confidence must be in (0, 1) and precision >= 53 bits");
    double t0 = now_seconds();
    tkc_nmatrix_decision *d = calloc(1, sizeof *d);
    if (!d)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for the verdict");
    tkc_kernel_spec s = *spec;
    /* Each round's box holds the truth with 1 − α/R, so the one reported
     * holds it with 1 − α whichever round stops (union bound). */
    unsigned R = max_rounds(spec, opt);
    double conf = 1 - (1 - opt->confidence) / R;
    tkc_nmatrix *nm = NULL;
    tkc_certificate cert;
    char stop[200] = "";
    int rc;
    for (;;) {
        double t = now_seconds();
        if ((rc = tkc_nmatrix_build(set, &s, opt->want_cov, &nm, err)))
            goto fail;
        d->rounds++;
        d->samples_total += nm->samples;
        if (nm->nclasses < nm->r)
            break;
        if ((rc = certify_once(nm, opt, conf, &cert, err)))
            goto fail;
        if (cert.verdict != TKC_VERDICT_UNDECIDED || !opt->auto_refine ||
            nm->error_kind != TKC_ERROR_STATISTICAL)
            break;
        if (d->rounds >= R) {
            snprintf(stop, sizeof stop,
                     "auto-refine stopped after its %u rounds (the confidence "
                     "is split over them)", R);
            break;
        }
        double f = isfinite(cert.samples_factor) && cert.samples_factor > 4
                       ? ceil(cert.samples_factor * 1.1) : 4;
        /* From the samples actually used (`auto` picks its own count). */
        double base = (double)(nm->samples > s.samples ? nm->samples : s.samples);
        double next = base * f;
        double spent = now_seconds() - t0, round = now_seconds() - t;
        if (next > (double)opt->budget) {
            snprintf(stop, sizeof stop,
                     "auto-refine stopped at %.0f samples: the next round "
                     "(%.0f) exceeds --budget %llu",
                     base, next,
                     (unsigned long long)opt->budget);
            break;
        }
        if (opt->time_budget > 0 && spent + round * f > opt->time_budget) {
            snprintf(stop, sizeof stop,
                     "auto-refine stopped at %.0f samples: the next round "
                     "(%.0f samples, about %.0f s) exceeds the time budget of "
                     "%g s",
                     base, next, round * f,
                     opt->time_budget);
            break;
        }
        s.samples = (uint64_t)next;
        s.target_se /= sqrt(f);  /* so that `auto` refines too */
        tkc_nmatrix_free(nm);
        nm = NULL;
    }
    if (nm->nclasses < nm->r) {
        structural_evidence(set, nm, d);
        d->confidence = 1;
        d->radius_scale = 1;
    } else {
        from_certificate(nm, &cert, opt->confidence, d);
        if (d->verdict == TKC_NMATRIX_UNDECIDED && stop[0])
            snprintf(d->settle + strlen(d->settle),
                     sizeof d->settle - strlen(d->settle), "; %s", stop);
    }
    if (R > 1 && nm->error_kind == TKC_ERROR_STATISTICAL) {
        size_t len = strlen(d->method);
        snprintf(d->method + len, sizeof d->method - len,
                 "; per-round confidence %.6g over up to %u auto-refine rounds",
                 conf, R);
    }
    d->samples = nm->samples;
    if ((rc = numbers(nm, opt, d, err)) ||
        (rc = lemma36(set, &s, nm, opt->confidence, d, err)) ||
        (rc = small_beta(nm, &s, d, err)))
        goto fail;
    d->seconds = now_seconds() - t0;
    *nm_out = nm;
    *out = d;
    return TKC_SUCCESS;
fail:
    tkc_nmatrix_free(nm);
    tkc_nmatrix_decision_free(d);
    return rc;
}
