/* kernel.c — the kernel layer: results, the specification, and pair
 * evaluation through the pattern cache.  The type tables are each in the
 * file of its concept, listed by registry.c. */
#include "tkc/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "enclosure.h"

/* ---- results ------------------------------------------------------------ */

/* Largest covariance tkc will allocate: 2^28 doubles (2 GiB). */
#define COV_MAX_ENTRIES ((size_t)1 << 28)

tkc_kernel_values *tkc_kernel_values_alloc(size_t npairs, int want_cov,
                                           tkc_error *err)
{
    if (npairs > ((size_t)1 << 32)) {
        tkc_fail(err, TKC_ENOMEM, "%zu kernel entries is absurd", npairs);
        return NULL;
    }
    if (want_cov && npairs > 0 && npairs > COV_MAX_ENTRIES / npairs) {
        tkc_fail(err, TKC_ENOMEM,
                 "a covariance of %zu x %zu entries is too large", npairs,
                 npairs);
        return NULL;
    }
    size_t n = npairs ? npairs : 1;
    tkc_kernel_values *v = calloc(1, sizeof *v);
    if (v) {
        v->value = calloc(n, sizeof *v->value);
        v->se = calloc(n, sizeof *v->se);
        if (want_cov)
            v->cov = calloc(n * n, sizeof *v->cov);
    }
    if (!v || !v->value || !v->se || (want_cov && !v->cov)) {
        tkc_kernel_values_free(v);
        tkc_fail(err, TKC_ENOMEM, "out of memory for %zu kernel entries",
                 npairs);
        return NULL;
    }
    v->npairs = npairs;
    v->error_kind = TKC_ERROR_EXACT;
    v->estimator = "";
    return v;
}

void tkc_kernel_values_free(tkc_kernel_values *v)
{
    if (v) {
        free(v->value);
        free(v->se);
        free(v->cov);
        free(v->box_mid);
        free(v->box_rad);
        free(v);
    }
}

int tkc_kernel_values_want_boxes(tkc_kernel_values *v, double confidence,
                                 tkc_error *err)
{
    if (!(confidence > 0 && confidence < 1))
        return tkc_fail(err, TKC_EINPUT,
                        "kernel boxes: confidence %g is not in (0, 1)",
                        confidence);
    size_t n = v->npairs ? v->npairs : 1;
    if (!v->box_mid)
        v->box_mid = calloc(n, sizeof *v->box_mid);
    if (!v->box_rad)
        v->box_rad = calloc(n, sizeof *v->box_rad);
    if (!v->box_mid || !v->box_rad)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for %zu kernel boxes",
                        v->npairs);
    v->box_confidence = confidence;
    return TKC_SUCCESS;
}

const char *tkc_error_kind_name(tkc_error_kind kind)
{
    switch (kind) {
    case TKC_ERROR_EXACT:       return "exact";
    case TKC_ERROR_ROUNDING:    return "rounding";
    case TKC_ERROR_STATISTICAL: return "statistical";
    case TKC_ERROR_TRUNCATION:  return "truncation";
    }
    return "unknown";
}

/* ---- the specification -------------------------------------------------- */

void tkc_kernel_spec_default(tkc_kernel_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->kernel = tkc_kernel_trans;
    spec->estimator = tkc_attn_auto;
    spec->activation = tkc_activation_cos;
    spec->beta = 1.0;
    spec->gamma = 1.0;
    spec->b1 = 1.0;
    spec->b2 = 0.5;
    spec->mlp_depth = 1;
    spec->seed = 1;
    spec->threads = 1;
    spec->mc.samples = (uint64_t)1 << 16;
    spec->qmc.points = (uint64_t)1 << 16;
    spec->qmc.replicates = 16;
    spec->series.order = 0;
    spec->series.prec = 256;
    spec->cvmc.samples = (uint64_t)1 << 16;
    spec->cvmc.order = 4;
    spec->automatic.target_se = 1e-4;
    spec->automatic.max_evals = (uint64_t)1 << 21;
}

#define PARAM_MAX 1e6

static int check_real(const char *name, double v, tkc_error *err)
{
    if (!isfinite(v) || fabs(v) > PARAM_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel spec: %s must be finite with |%s| <= %g, got %g",
                        name, name, PARAM_MAX, v);
    return TKC_SUCCESS;
}

int tkc_kernel_spec_validate(const tkc_kernel_spec *spec, tkc_error *err)
{
    if (!spec)
        return tkc_fail(err, TKC_EINPUT, "kernel spec: NULL");
    if (!spec->kernel || !spec->kernel->eval_pairs)
        return tkc_fail(err, TKC_EINPUT, "kernel spec: kernel is not set");
    const tkc_attn_estimator_type *e = spec->estimator;
    if (spec->kernel->uses_attn && (!e || !e->eval_pairs || !e->check_options))
        return tkc_fail(err, TKC_EINPUT,
                        "kernel spec: kernel %s needs an estimator",
                        spec->kernel->name);
    int rc;
    if ((rc = check_real("beta", spec->beta, err)) ||
        (rc = check_real("gamma", spec->gamma, err)) ||
        (rc = check_real("b1", spec->b1, err)) ||
        (rc = check_real("b2", spec->b2, err)))
        return rc;
    if (spec->mlp_depth < 1 || spec->mlp_depth > 64)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel spec: mlp_depth must be in 1..64, got %u",
                        spec->mlp_depth);
    if (spec->threads < 1 || spec->threads > 256)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel spec: threads must be in 1..256, got %u",
                        spec->threads);
    const tkc_shard *sh = spec->shard;
    if (sh && (!sh->type || !sh->type->agree || !sh->type->gather ||
               !sh->type->broadcast || sh->size < 1 || sh->rank < 0 ||
               sh->rank >= sh->size))
        return tkc_fail(err, TKC_EINPUT, "kernel spec: the shard is not "
                        "valid (a type with its three operations, 0 <= "
                        "rank < size)");
    return spec->kernel->uses_attn ? e->check_options(spec, err) : TKC_SUCCESS;
}

/* ---- pairs and the pattern cache ------------------------------------------ */

static int check_pairs(const tkc_strings *S, const tkc_pair *pairs,
                       size_t npairs, const tkc_kernel_values *out,
                       tkc_error *err)
{
    if (!S || !S->tok || S->k < 1 || S->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel: strings missing or of length outside 1..%d",
                        TKC_K_MAX);
    if (npairs && !pairs)
        return tkc_fail(err, TKC_EINPUT, "kernel: pair list is NULL");
    if (!out || out->npairs != npairs)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel: result holds %zu entries, %zu pairs given",
                        out ? out->npairs : 0, npairs);
    for (size_t i = 0; i < npairs; i++)
        if (pairs[i].x >= S->count || pairs[i].y >= S->count)
            return tkc_fail(err, TKC_EINPUT,
                            "kernel: pair %zu = (%zu, %zu) is out of range "
                            "(%zu strings)",
                            i, pairs[i].x, pairs[i].y, S->count);
    return TKC_SUCCESS;
}

/* Distinct unordered patterns of the pairs: ids[i] for each pair, and for
 * each pattern j its first pair, oriented as its unordered pattern is
 * (*first, nd entries).  The kernel then sees original strings, so a whole
 * matrix shares its few distinct strings (and their random numbers) instead
 * of one representative pair per pattern; and since estimators number
 * tokens by first appearance, a relabelling of the whole list gives the
 * same digits, and so do (x, y) and (y, x) evaluated alone. */
static int distinct_patterns(const tkc_strings *S, const tkc_pair *pairs,
                             size_t npairs, size_t *ids, tkc_pair **first,
                             size_t *nd, tkc_error *err)
{
    tkc_pattern_index *ix = tkc_pattern_index_alloc(npairs / 4 + 8, err);
    *first = malloc(npairs * sizeof **first);
    if (!ix || !*first) {
        tkc_pattern_index_free(ix);
        free(*first);
        *first = NULL;
        return tkc_fail(err, TKC_ENOMEM, "kernel: out of memory");
    }
    for (size_t i = 0; i < npairs; i++) {
        tkc_pattern pat;
        int swapped, is_new;
        tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, pairs[i].x),
                                      tkc_strings_row(S, pairs[i].y), S->k,
                                      &swapped);
        long id = tkc_pattern_index_insert(ix, &pat, &is_new, err);
        if (id < 0) {
            tkc_pattern_index_free(ix);
            free(*first);
            *first = NULL;
            return TKC_ENOMEM;
        }
        ids[i] = (size_t)id;
        if (is_new)
            (*first)[id] = swapped ? (tkc_pair){pairs[i].y, pairs[i].x}
                                   : pairs[i];
    }
    *nd = tkc_pattern_index_size(ix);
    tkc_pattern_index_free(ix);
    return TKC_SUCCESS;
}

/* No kernel lets a NaN, an infinity or a negative error radius out: each
 * checks its own range first (K_attn's estimators against the range of
 * the integrand, trans against Cauchy–Schwarz); this is the last guard. */
static int check_finite(const tkc_kernel_spec *spec,
                        const tkc_kernel_values *v, tkc_error *err)
{
    for (size_t i = 0; i < v->npairs; i++)
        if (!isfinite(v->value[i]) || !(v->se[i] >= 0) || !isfinite(v->se[i]))
            return tkc_fail(err, TKC_ENUMERIC, "kernel %s: entry %zu is %g "
                            "+- %g, not a finite value with a finite error",
                            spec->kernel->name, i, v->value[i], v->se[i]);
    return TKC_SUCCESS;
}

/* ---- boxes ---------------------------------------------------------------- */

/* What a kernel type leaves in box_evidence when it does not fill the boxes
 * itself (out of the enum's range on purpose). */
#define BOXES_UNFILLED ((tkc_evidence_kind)-1)

/* Boxes from value ± radius by the error kind (tkc_enclosure_radii: the
 * statistical ones at the joint confidence over the distinct estimates). */
static int boxes_from_se(tkc_kernel_values *v, tkc_error *err)
{
    tkc_evidence ev;
    memcpy(v->box_mid, v->value, v->npairs * sizeof *v->box_mid);
    int rc = tkc_enclosure_radii(v->box_rad, &ev, &v->box_z, v,
                                 v->box_confidence, err);
    v->box_evidence = ev.kind;
    return rc;
}

/* ---- evaluation ------------------------------------------------------------ */

static int eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                      const tkc_pair *pairs, size_t npairs,
                      tkc_kernel_values *out, tkc_error *err)
{
    int rc;
    if ((rc = tkc_kernel_spec_validate(spec, err)) ||
        (rc = check_pairs(S, pairs, npairs, out, err)))
        return rc;
    if (npairs == 0)
        return TKC_SUCCESS;
    size_t *ids = malloc(npairs * sizeof *ids), nd = 0;
    if (!ids)
        return tkc_fail(err, TKC_ENOMEM, "kernel: out of memory");
    tkc_pair *first = NULL;
    tkc_kernel_values *dv = NULL;
    if ((rc = distinct_patterns(S, pairs, npairs, ids, &first, &nd, err)))
        goto done;
    if (!(dv = tkc_kernel_values_alloc(nd, out->cov != NULL, err))) {
        rc = TKC_ENOMEM;
        goto done;
    }
    if (out->box_mid &&
        (rc = tkc_kernel_values_want_boxes(dv, out->box_confidence, err)))
        goto done;
    dv->box_evidence = BOXES_UNFILLED;
    if ((rc = spec->kernel->eval_pairs(spec, S, first, nd, dv, err)) ||
        (rc = check_finite(spec, dv, err)))
        goto done;
    if (out->box_mid && dv->box_evidence == BOXES_UNFILLED &&
        (rc = boxes_from_se(dv, err)))
        goto done;
    for (size_t i = 0; i < npairs; i++) {
        out->value[i] = dv->value[ids[i]];
        out->se[i] = dv->se[ids[i]];
        if (out->box_mid) {
            out->box_mid[i] = dv->box_mid[ids[i]];
            out->box_rad[i] = dv->box_rad[ids[i]];
        }
        if (out->cov)
            for (size_t j = 0; j < npairs; j++)
                out->cov[i * npairs + j] = dv->cov[ids[i] * nd + ids[j]];
    }
    if (out->box_mid) {
        out->box_evidence = dv->box_evidence;
        out->box_z = dv->box_z;
    }
    out->error_kind = dv->error_kind;
    out->estimator = dv->estimator;
    out->samples = dv->samples;
    memcpy(out->note, dv->note, sizeof out->note);
done:
    free(ids);
    free(first);
    tkc_kernel_values_free(dv);
    return rc;
}

/* The notes hold numbers as text: written in the C locale (c_locale.h). */
int tkc_kernel_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err)
{
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    int rc = eval_pairs(spec, S, pairs, npairs, out, err);
    tkc_c_locale_leave(&g);
    return rc;
}

int tkc_kernel_eval(const tkc_kernel_spec *spec, const tkc_token *x,
                    const tkc_token *y, size_t k, double *value, double *se,
                    tkc_error_kind *kind, tkc_error *err)
{
    if (!x || !y)
        return tkc_fail(err, TKC_EINPUT, "kernel: string is NULL");
    tkc_strings *S = tkc_strings_alloc(2, k, err);
    if (!S)
        return err ? err->status : TKC_EINPUT;
    memcpy(tkc_strings_row(S, 0), x, k * sizeof *x);
    memcpy(tkc_strings_row(S, 1), y, k * sizeof *y);
    tkc_pair p = {0, 1};
    tkc_kernel_values *v = tkc_kernel_values_alloc(1, 0, err);
    int rc = v ? tkc_kernel_eval_pairs(spec, S, &p, 1, v, err) : TKC_ENOMEM;
    if (!rc) {
        if (value)
            *value = v->value[0];
        if (se)
            *se = v->se[0];
        if (kind)
            *kind = v->error_kind;
    }
    tkc_kernel_values_free(v);
    tkc_strings_free(S);
    return rc;
}
