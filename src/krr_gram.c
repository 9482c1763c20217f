/* krr_gram.c — K̂ of strings that are substitutions of templates, through
 * pattern keys (tkc/krr.h, "structured").
 *
 * For strings x = sub(z_i, s), y = sub(z_j, s') with fresh substituted
 * symbols, distinct per wildcard, the regular tokens are the templates' own
 * and the substituted ones never equal them, so the pattern of (x, y) is
 * fixed by (z_i, z_j) and by the partial matching {(a, b) : s(a) = s'(b)}
 * of their wildcards.  That triple is the key.  Pairs without coincidences
 * (almost all of them when the alphabet is large) have key (z_i, z_j): the
 * base table, which is also N.  Pairs that share a symbol are found through
 * an inverted index (symbol → strings) sorted once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krr_gram.h"
#include "rng.h"

typedef struct gram_key {
    uint32_t ti, tj;            /* templates of the row and column string   */
    uint8_t m[TKC_K_MAX];       /* m[a] = b + 1 when s(a) = s'(b), else 0     */
} gram_key;

typedef struct gram_entry {
    tkc_token token;
    uint32_t string;
} gram_entry;

/* The kernel values of one kernel estimate (replicate). */
typedef struct gram_values {
    double *base;               /* r × r: no coincidences (= N)             */
    double *diag;               /* r: K(x, x)                               */
    double *key_value;          /* nkeys: the coincidence keys              */
    tkc_krr_kernel_info info;
} gram_values;

struct tkc_krr_gram {
    const tkc_template_set *set;
    size_t n, r, wmax;
    uint32_t *tmpl;             /* n: template of each string               */
    tkc_token *subs;            /* n × wmax: symbol of each wildcard        */
    gram_entry *entries;        /* substituted symbols, sorted by symbol    */
    size_t nentries;
    size_t nshared;             /* pairs i > j that share a symbol          */
    /* open-addressing table of coincidence keys */
    gram_key *keys;
    size_t nkeys, keys_cap;
    long *slot;                 /* hash slots → key index, -1 empty         */
    size_t nslots;
    size_t nrep;                /* kernel estimates: 0 is the fit's         */
    gram_values *rep;
    /* The shared pairs by column (tkc_krr_gram_index_shared): column j's
     * rows i > j, sorted, at prow[pcol[j] .. pcol[j+1]), their keys in
     * pkey; NULL until indexed. */
    size_t *pcol;
    uint32_t *prow, *pkey;
};

/* ---- the key table ------------------------------------------------------ */

static uint64_t key_hash(const gram_key *k, size_t w)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ k->ti) * 1099511628211ULL;
    h = (h ^ k->tj) * 1099511628211ULL;
    for (size_t a = 0; a < w; a++)
        h = (h ^ k->m[a]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int key_equal(const gram_key *a, const gram_key *b, size_t w)
{
    return a->ti == b->ti && a->tj == b->tj && !memcmp(a->m, b->m, w);
}

static long key_find(const tkc_krr_gram *g, const gram_key *k)
{
    size_t mask = g->nslots - 1;
    for (size_t h = key_hash(k, g->wmax) & mask;; h = (h + 1) & mask) {
        long s = g->slot[h];
        if (s < 0 || key_equal(&g->keys[s], k, g->wmax))
            return s;
    }
}

static int key_grow(tkc_krr_gram *g, tkc_error *err)
{
    size_t nslots = g->nslots ? 2 * g->nslots : 64;
    size_t cap = nslots / 2;
    long *slot = malloc(nslots * sizeof *slot);
    gram_key *keys = realloc(g->keys, cap * sizeof *keys);
    if (!slot || !keys) {
        free(slot);
        if (keys)
            g->keys = keys;
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot grow the pattern-key table");
    }
    g->keys = keys;
    g->keys_cap = cap;
    for (size_t s = 0; s < nslots; s++)
        slot[s] = -1;
    free(g->slot);
    g->slot = slot;
    g->nslots = nslots;
    for (size_t i = 0; i < g->nkeys; i++) {
        size_t h = key_hash(&g->keys[i], g->wmax) & (nslots - 1);
        while (slot[h] >= 0)
            h = (h + 1) & (nslots - 1);
        slot[h] = (long)i;
    }
    return TKC_SUCCESS;
}

static int key_insert(tkc_krr_gram *g, const gram_key *k, tkc_error *err)
{
    if (g->nkeys + 1 > g->keys_cap) {
        int st = key_grow(g, err);
        if (st)
            return st;
    }
    if (key_find(g, k) >= 0)
        return TKC_SUCCESS;
    size_t mask = g->nslots - 1;
    size_t h = key_hash(k, g->wmax) & mask;
    while (g->slot[h] >= 0)
        h = (h + 1) & mask;
    g->keys[g->nkeys] = *k;
    g->slot[h] = (long)g->nkeys++;
    return TKC_SUCCESS;
}

/* Key of the pair (row string i, column string j); *first receives the
 * smallest symbol the two share. */
static void pair_key(const tkc_krr_gram *g, size_t i, size_t j, gram_key *k,
                     tkc_token *first)
{
    memset(k, 0, sizeof *k);
    k->ti = g->tmpl[i];
    k->tj = g->tmpl[j];
    size_t wi = g->set->t[k->ti].nwild, wj = g->set->t[k->tj].nwild;
    const tkc_token *si = g->subs + i * g->wmax, *sj = g->subs + j * g->wmax;
    *first = -1;
    for (size_t a = 0; a < wi; a++)
        for (size_t b = 0; b < wj; b++)
            if (si[a] == sj[b]) {
                k->m[a] = (uint8_t)(b + 1);
                if (*first < 0 || si[a] < *first)
                    *first = si[a];
            }
}

/* ---- pairs that share a symbol ------------------------------------------- */

static int entry_compare(const void *pa, const void *pb)
{
    const gram_entry *a = pa, *b = pb;
    if (a->token != b->token)
        return a->token < b->token ? -1 : 1;
    return (a->string > b->string) - (a->string < b->string);
}

/* Visit every pair i > j of strings that share a substituted symbol once,
 * at the smallest symbol they share (symbols are visited in increasing
 * order, so that is also the first time the pair is met). */
typedef int (*pair_visit)(const tkc_krr_gram *g, size_t i, size_t j,
                          const gram_key *key, void *ctx);

static int for_shared_pairs(const tkc_krr_gram *g, pair_visit visit, void *ctx)
{
    size_t e = 0;
    while (e < g->nentries) {
        tkc_token t = g->entries[e].token;
        size_t end = e + 1;
        while (end < g->nentries && g->entries[end].token == t)
            end++;
        /* A symbol occurs once per string: within [e, end) the strings are
         * distinct and increasing. */
        for (size_t p = e + 1; p < end; p++)
            for (size_t q = e; q < p; q++) {
                size_t i = g->entries[p].string, j = g->entries[q].string;
                gram_key k;
                tkc_token first;
                pair_key(g, i, j, &k, &first);
                if (first != t)
                    continue;                  /* met at a smaller symbol */
                int st = visit(g, i, j, &k, ctx);
                if (st)
                    return st;
            }
        e = end;
    }
    return TKC_SUCCESS;
}

static int visit_collect(const tkc_krr_gram *g, size_t i, size_t j,
                         const gram_key *key, void *ctx)
{
    (void)i, (void)j;
    ((tkc_krr_gram *)g)->nshared++;
    return key_insert((tkc_krr_gram *)g, key, ctx);
}

typedef struct shared_walk {
    tkc_krr_gram_pair_fn fn;
    void *ctx;
    tkc_error *err;
} shared_walk;

static int visit_shared(const tkc_krr_gram *g, size_t i, size_t j,
                        const gram_key *key, void *ctx)
{
    shared_walk *w = ctx;
    long s = key_find(g, key);
    if (s < 0)
        return tkc_fail(w->err, TKC_ENUMERIC,
                        "krr: internal error: pair (%zu, %zu) has no key "
                        "in its own gram", i, j);
    return w->fn(w->ctx, i, j, (size_t)s);
}

int tkc_krr_gram_foreach_shared(const tkc_krr_gram *g,
                                tkc_krr_gram_pair_fn fn, void *ctx,
                                tkc_error *err)
{
    shared_walk w = {fn, ctx, err};
    return for_shared_pairs(g, visit_shared, &w);
}

/* ---- strings as substitutions ------------------------------------------ */

typedef enum { SUB_OK, SUB_REGULAR, SUB_WILDCARD, SUB_REPEATED } sub_status;

/* The symbol of each wildcard of x read as a substitution of template t:
 * regular positions must hold the template's tokens, wildcards fresh
 * symbols (>= nsymbols), one per wildcard and distinct. */
static sub_status read_substitution(const tkc_template_set *set, size_t t,
                                    const tkc_token *x, tkc_token *subs,
                                    size_t *where)
{
    const tkc_template *z = &set->t[t];
    for (size_t w = 0; w < z->nwild; w++)
        subs[w] = -1;
    for (size_t a = 0; a < set->k; a++) {
        int32_t v = z->sym[a];
        *where = a;
        if (!TKC_IS_WILDCARD(v)) {
            if (x[a] != v)
                return SUB_REGULAR;
            continue;
        }
        size_t w = TKC_WILDCARD_INDEX(v);
        if (x[a] < (tkc_token)set->nsymbols || (subs[w] >= 0 && subs[w] != x[a]))
            return SUB_WILDCARD;
        subs[w] = x[a];
    }
    for (size_t w = 1; w < z->nwild; w++)
        for (size_t u = 0; u < w; u++)
            if (subs[u] == subs[w])
                return SUB_REPEATED;
    return SUB_OK;
}

/* String i's template (given, or the first that matches) and symbols. */
static int index_string(tkc_krr_gram *g, const tkc_token *x, size_t i,
                        const size_t *template_index, tkc_error *err)
{
    tkc_token *subs = g->subs + i * g->wmax;
    size_t where = 0;
    if (!template_index) {
        for (size_t t = 0; t < g->r; t++)
            if (read_substitution(g->set, t, x, subs, &where) == SUB_OK) {
                g->tmpl[i] = (uint32_t)t;
                return TKC_SUCCESS;
            }
        return tkc_fail(err, TKC_EINPUT,
                        "krr: string %zu is not a substitution of any template "
                        "of %s with fresh symbols (distinct tokens >= %zu at "
                        "the wildcards); fit without a template set for "
                        "arbitrary strings", i,
                        g->set->source ? g->set->source : "the set",
                        g->set->nsymbols);
    }
    size_t t = template_index[i];
    if (t >= g->r)
        return tkc_fail(err, TKC_EINPUT, "krr: string %zu has template %zu of %zu",
                        i, t, g->r);
    g->tmpl[i] = (uint32_t)t;
    switch (read_substitution(g->set, t, x, subs, &where)) {
    case SUB_OK:
        return TKC_SUCCESS;
    case SUB_REPEATED:
        return tkc_fail(err, TKC_EINPUT,
                        "krr: string %zu gives two wildcards of its template "
                        "%zu the same symbol; fit without a template set for "
                        "such strings", i, t);
    default:
        return tkc_fail(err, TKC_EINPUT,
                        "krr: string %zu does not match its template %zu "
                        "(position %zu)", i, t, where);
    }
}

static int gram_index_strings(tkc_krr_gram *g, const tkc_strings *X,
                              const size_t *template_index, tkc_error *err)
{
    size_t n = g->n, total = 0;
    for (size_t i = 0; i < n; i++) {
        int st = index_string(g, tkc_strings_row(X, i), i, template_index, err);
        if (st)
            return st;
        total += g->set->t[g->tmpl[i]].nwild;
    }
    g->entries = malloc((total ? total : 1) * sizeof *g->entries);
    if (!g->entries)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the symbol index");
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < g->set->t[g->tmpl[i]].nwild; w++)
            g->entries[g->nentries++] =
                (gram_entry){g->subs[i * g->wmax + w], (uint32_t)i};
    qsort(g->entries, g->nentries, sizeof *g->entries, entry_compare);
    return TKC_SUCCESS;
}

/* ---- evaluation ---------------------------------------------------------- */

/* Representative strings of a key: wildcard a of z_ti ↦ fresh token a;
 * wildcard b of z_tj ↦ the same token when matched, else fresh wmax + b. */
static int key_strings(const tkc_template_set *set, const gram_key *k,
                       size_t wmax, int self, tkc_token *x, tkc_token *y,
                       tkc_error *err)
{
    tkc_token mi[TKC_K_MAX], mj[TKC_K_MAX];
    tkc_token fresh = (tkc_token)set->nsymbols;
    for (size_t a = 0; a < set->t[k->ti].nwild; a++)
        mi[a] = fresh + (tkc_token)a;
    for (size_t b = 0; b < set->t[k->tj].nwild; b++)
        mj[b] = fresh + (tkc_token)(wmax + b);
    for (size_t a = 0; a < set->t[k->ti].nwild; a++)
        if (k->m[a])
            mj[k->m[a] - 1] = mi[a];
    int st = tkc_template_substitute(set, k->ti, mi, x, err);
    if (!st)
        st = self ? (memcpy(y, x, set->k * sizeof *x), 0)
                  : tkc_template_substitute(set, k->tj, mj, y, err);
    return st;
}

uint64_t tkc_krr_replicate_seed(uint64_t seed, size_t replicate)
{
    return replicate ? tkc_rng_derived_seed(seed, TKC_KRR_REPLICATE_STREAM,
                                            replicate)
                     : seed;
}

/* A truncation error is not random: replicate q > 0 moves each value to
 * an edge of its radius, the sign drawn independently per value (stream
 * (seed_q, replicate stream, 0)).  The spread of a number φ over such
 * replicates is sqrt(Σ_p g_p² e_p²) to first order (g = ∂φ/∂v, e the
 * radii), and the truncation can move φ by at most Σ_p |g_p| e_p, which is
 * at most sqrt(P) times that spread for P values (Cauchy–Schwarz). */
static void perturb_within_radii(const double *se, size_t np, uint64_t seed,
                                 double *value)
{
    tkc_rng rng;
    tkc_rng_stream(&rng, seed, TKC_KRR_REPLICATE_STREAM, 0);
    for (size_t p = 0; p < np; p++)
        value[p] += tkc_rng_next(&rng) >> 63 ? se[p] : -se[p];
}

int tkc_krr_eval_representatives(const tkc_kernel_spec *spec,
                                 const tkc_strings *S, size_t replicate,
                                 double *value, double *se,
                                 tkc_gram_info *info, tkc_error *err)
{
    size_t np = S->count / 2;
    double *radius = se ? se : malloc((np ? np : 1) * sizeof *radius);
    tkc_kernel_spec rs = *spec;
    rs.seed = tkc_krr_replicate_seed(spec->seed, replicate);
    if (!radius)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate %zu pairs", np);
    int st = tkc_gram_eval_representatives(&rs, S, value, radius, info, err);
    if (!st && replicate && info->error_kind == TKC_ERROR_TRUNCATION)
        perturb_within_radii(radius, np, rs.seed, value);
    if (radius != se)
        free(radius);
    return st;
}

void tkc_krr_kernel_info_of(const tkc_gram_info *g, tkc_krr_kernel_info *out)
{
    out->npatterns = g->npatterns;
    out->se_max = g->se_max;
    out->error_kind = g->error_kind;
    snprintf(out->estimator, sizeof out->estimator, "%s", g->estimator);
}

size_t tkc_krr_replicates_needed(tkc_error_kind kind, size_t asked)
{
    return kind == TKC_ERROR_STATISTICAL || kind == TKC_ERROR_TRUNCATION
               ? asked
               : 1;
}

/* The representative pairs of the gram, in the order of gram_evaluate:
 * base (r(r+1)/2), diagonal (r), coincidence keys. */
static int gram_representatives(const tkc_krr_gram *g, tkc_strings **out,
                                tkc_error *err)
{
    size_t r = g->r, npairs = r * (r + 1) / 2 + r + g->nkeys;
    tkc_strings *S = tkc_strings_alloc(2 * npairs, g->set->k, err);
    if (!S)
        return TKC_ENOMEM;
    size_t p = 0;
    int st = TKC_SUCCESS;
    for (size_t i = 0; i < r && !st; i++)
        for (size_t j = 0; j <= i && !st; j++, p++) {
            gram_key k = {.ti = (uint32_t)i, .tj = (uint32_t)j};
            st = key_strings(g->set, &k, g->wmax, 0, tkc_strings_row(S, 2 * p),
                             tkc_strings_row(S, 2 * p + 1), err);
        }
    for (size_t i = 0; i < r && !st; i++, p++) {
        gram_key k = {.ti = (uint32_t)i, .tj = (uint32_t)i};
        st = key_strings(g->set, &k, g->wmax, 1, tkc_strings_row(S, 2 * p),
                         tkc_strings_row(S, 2 * p + 1), err);
    }
    for (size_t q = 0; q < g->nkeys && !st; q++, p++)
        st = key_strings(g->set, &g->keys[q], g->wmax, 0,
                         tkc_strings_row(S, 2 * p), tkc_strings_row(S, 2 * p + 1),
                         err);
    if (st) {
        tkc_strings_free(S);
        return st;
    }
    *out = S;
    return TKC_SUCCESS;
}

static void values_free(gram_values *v)
{
    free(v->base);
    free(v->diag);
    free(v->key_value);
}

/* Kernel estimate q of every representative pair, in one call. */
static int gram_evaluate(tkc_krr_gram *g, const tkc_kernel_spec *spec,
                         const tkc_strings *S, size_t q, tkc_error *err)
{
    size_t r = g->r, npairs = S->count / 2;
    gram_values *v = &g->rep[q];
    tkc_gram_info info;
    double *value = malloc(npairs * sizeof *value);
    v->base = malloc(r * r * sizeof *v->base);
    v->diag = malloc(r * sizeof *v->diag);
    v->key_value = malloc((g->nkeys ? g->nkeys : 1) * sizeof *v->key_value);
    int st = TKC_SUCCESS;
    if (!value || !v->base || !v->diag || !v->key_value)
        st = tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate %zu pairs", npairs);
    if (!st)
        st = tkc_krr_eval_representatives(spec, S, q, value, NULL, &info, err);
    if (!st)
        tkc_krr_kernel_info_of(&info, &v->info);
    if (!st) {
        size_t p = 0;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j <= i; j++, p++)
                v->base[i * r + j] = v->base[j * r + i] = value[p];
        for (size_t i = 0; i < r; i++, p++)
            v->diag[i] = value[p];
        for (size_t k = 0; k < g->nkeys; k++, p++)
            v->key_value[k] = value[p];
    }
    free(value);
    return st;
}

/* Estimate 0, then the replicates its error kind calls for. */
static int gram_evaluate_all(tkc_krr_gram *g, const tkc_kernel_spec *spec,
                             size_t replicates, tkc_error *err)
{
    tkc_strings *S = NULL;
    g->rep = calloc(replicates, sizeof *g->rep);
    if (!g->rep)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the Gram cache");
    int st = gram_representatives(g, &S, err);
    if (!st) {
        g->nrep = 1;
        st = gram_evaluate(g, spec, S, 0, err);
    }
    size_t want = st ? 0
                     : tkc_krr_replicates_needed(g->rep[0].info.error_kind,
                                                 replicates);
    while (!st && g->nrep < want) {
        st = gram_evaluate(g, spec, S, g->nrep, err);
        g->nrep++;
    }
    tkc_strings_free(S);
    return st;
}

/* ---- the public calls ---------------------------------------------------- */

void tkc_krr_gram_free(tkc_krr_gram *g)
{
    if (!g)
        return;
    free(g->tmpl);
    free(g->subs);
    free(g->entries);
    for (size_t q = 0; q < g->nrep; q++)
        values_free(&g->rep[q]);
    free(g->rep);
    free(g->keys);
    free(g->slot);
    free(g->pcol);
    free(g->prow);
    free(g->pkey);
    free(g);
}

int tkc_krr_gram_build(const tkc_kernel_spec *spec, const tkc_template_set *set,
                       const tkc_strings *X, const size_t *template_index,
                       size_t replicates, tkc_krr_gram **out, tkc_error *err)
{
    *out = NULL;
    size_t n = X ? X->count : 0;
    if (!set || set->count == 0)
        return tkc_fail(err, TKC_EINPUT, "krr: the template set is empty");
    if (n == 0 || n > UINT32_MAX || X->k != set->k)
        return tkc_fail(err, TKC_EINPUT,
                        "krr: %zu training strings of length %zu (templates "
                        "have length %zu)", n, X ? X->k : 0, set->k);
    if (replicates < 1)
        return tkc_fail(err, TKC_EINPUT, "krr: at least one kernel estimate");
    int st = tkc_kernel_spec_validate(spec, err);
    if (st)
        return st;
    tkc_krr_gram *g = calloc(1, sizeof *g);
    if (!g)
        return tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the Gram cache");
    g->set = set;
    g->n = n;
    g->r = set->count;
    g->wmax = tkc_template_set_max_wildcards(set);
    if (g->wmax == 0)
        g->wmax = 1;                       /* keeps strides non-zero */
    g->tmpl = malloc(n * sizeof *g->tmpl);
    g->subs = malloc(n * g->wmax * sizeof *g->subs);
    if (!g->tmpl || !g->subs)
        st = tkc_fail(err, TKC_ENOMEM, "krr: cannot allocate the Gram cache");
    if (!st)
        st = gram_index_strings(g, X, template_index, err);
    if (!st)
        st = key_grow(g, err);
    if (!st)
        st = for_shared_pairs(g, visit_collect, err);
    if (!st)
        st = gram_evaluate_all(g, spec, replicates, err);
    if (st) {
        tkc_krr_gram_free(g);
        return st;
    }
    *out = g;
    return TKC_SUCCESS;
}

typedef struct fill_target {
    const double *key_value;
    double *K;
    size_t lda;
} fill_target;

static int fill_shared(void *ctx, size_t i, size_t j, size_t key)
{
    fill_target *f = ctx;
    f->K[i + j * f->lda] = f->K[j + i * f->lda] = f->key_value[key];
    return TKC_SUCCESS;
}

int tkc_krr_gram_fill(const tkc_krr_gram *g, size_t q, double *K, size_t lda,
                      tkc_error *err)
{
    if (lda < g->n)
        return tkc_fail(err, TKC_EINPUT, "krr: lda %zu < n %zu", lda, g->n);
    const gram_values *v = &g->rep[q];
    /* Column j is a gather from row tmpl[j] of the base table: contiguous
     * writes, both triangles, no transpose. */
    for (size_t j = 0; j < g->n; j++) {
        double *col = K + j * lda;
        const double *brow = v->base + (size_t)g->tmpl[j] * g->r;
        for (size_t i = 0; i < g->n; i++)
            col[i] = brow[g->tmpl[i]];
        col[j] = v->diag[g->tmpl[j]];
    }
    fill_target f = {v->key_value, K, lda};
    return tkc_krr_gram_foreach_shared(g, fill_shared, &f, err);
}

size_t tkc_krr_gram_size(const tkc_krr_gram *g) { return g->n; }
size_t tkc_krr_gram_templates(const tkc_krr_gram *g) { return g->r; }
size_t tkc_krr_gram_template(const tkc_krr_gram *g, size_t i)
{
    return g->tmpl[i];
}
const uint32_t *tkc_krr_gram_template_of(const tkc_krr_gram *g)
{
    return g->tmpl;
}
size_t tkc_krr_gram_shared_pairs(const tkc_krr_gram *g) { return g->nshared; }
size_t tkc_krr_gram_replicates(const tkc_krr_gram *g) { return g->nrep; }
double tkc_krr_gram_cross(const tkc_krr_gram *g, size_t q, size_t s, size_t t)
{
    return g->rep[q].base[s * g->r + t];
}
double tkc_krr_gram_self(const tkc_krr_gram *g, size_t q, size_t t)
{
    return g->rep[q].diag[t];
}
double tkc_krr_gram_key_value(const tkc_krr_gram *g, size_t q, size_t key)
{
    return g->rep[q].key_value[key];
}
const tkc_krr_kernel_info *tkc_krr_gram_kernel_info(const tkc_krr_gram *g,
                                                    size_t q)
{
    return &g->rep[q].info;
}

/* ---- the product with K̂ in extended precision ---------------------------- */

typedef struct residual_walk {
    const tkc_krr_gram *g;
    const gram_values *v;
    const double *x;
    long double *r, *a;
} residual_walk;

/* The exceptional pair (i, j): K̂_ij − N_{t_i t_j} in both rows. */
static int residual_shared(void *ctx, size_t i, size_t j, size_t key)
{
    residual_walk *w = ctx;
    const tkc_krr_gram *g = w->g;
    long double kv = w->v->key_value[key];
    long double nv = w->v->base[(size_t)g->tmpl[i] * g->r + g->tmpl[j]];
    w->r[i] -= (kv - nv) * w->x[j];
    w->r[j] -= (kv - nv) * w->x[i];
    if (w->a) {
        long double d = fabsl(kv) - fabsl(nv);
        w->a[i] += d * fabs(w->x[j]);
        w->a[j] += d * fabs(w->x[i]);
    }
    return TKC_SUCCESS;
}

/* The pairs from the column index when there is one, else by the walk. */
static int residual_pairs(residual_walk *w, tkc_error *err)
{
    const tkc_krr_gram *g = w->g;
    if (!g->pcol)
        return tkc_krr_gram_foreach_shared(g, residual_shared, w, err);
    for (size_t j = 0; j < g->n; j++)
        for (size_t p = g->pcol[j]; p < g->pcol[j + 1]; p++)
            residual_shared(w, g->prow[p], j, g->pkey[p]);
    return TKC_SUCCESS;
}

int tkc_krr_gram_residual(const tkc_krr_gram *g, size_t q, double lambda,
                          const double *y, const double *x, long double *r,
                          long double *a, tkc_error *err)
{
    size_t n = g->n, r_ = g->r;
    const gram_values *v = &g->rep[q];
    long double *sum = calloc(4 * r_, sizeof *sum);
    if (!sum)
        return tkc_fail(err, TKC_ENOMEM, "krr: out of memory (residual)");
    long double *asum = sum + r_, *nx = sum + 2 * r_, *anx = sum + 3 * r_;
    for (size_t i = 0; i < n; i++) {
        sum[g->tmpl[i]] += x[i];
        asum[g->tmpl[i]] += fabs(x[i]);
    }
    /* (N Uᵀx)_t and (|N| Uᵀ|x|)_t, once per template. */
    for (size_t t = 0; t < r_; t++)
        for (size_t u = 0; u < r_; u++) {
            nx[t] += (long double)v->base[t * r_ + u] * sum[u];
            anx[t] += fabsl(v->base[t * r_ + u]) * asum[u];
        }
    /* Row i: N off the diagonal, K(x_i, x_i) + λ on it. */
    for (size_t i = 0; i < n; i++) {
        size_t t = g->tmpl[i];
        long double dg = (long double)v->diag[t] - v->base[t * r_ + t] + lambda;
        r[i] = y[i] - nx[t] - dg * x[i];
        if (a)
            a[i] = fabs(y[i]) + anx[t] +
                   (fabsl(v->diag[t]) - fabsl(v->base[t * r_ + t]) + lambda) *
                       fabs(x[i]);
    }
    free(sum);
    residual_walk w = {g, v, x, r, a};
    return residual_pairs(&w, err);
}

/* ---- the shared pairs by column --------------------------------------------- */

typedef struct index_fill {
    size_t *next;               /* pass 1: count per column; 2: next slot   */
    uint64_t *ent;              /* pass 2: row << 32 | key                  */
} index_fill;

static int index_count(void *ctx, size_t i, size_t j, size_t key)
{
    (void)i, (void)key;
    ((index_fill *)ctx)->next[j]++;
    return TKC_SUCCESS;
}

static int index_place(void *ctx, size_t i, size_t j, size_t key)
{
    index_fill *f = ctx;
    f->ent[f->next[j]++] = (uint64_t)i << 32 | (uint64_t)key;
    return TKC_SUCCESS;
}

static int u64_compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int tkc_krr_gram_index_shared(tkc_krr_gram *g, tkc_error *err)
{
    if (g->pcol)
        return TKC_SUCCESS;
    size_t n = g->n, ns = g->nshared;
    if (g->nkeys > UINT32_MAX)
        return tkc_fail(err, TKC_ERANGE, "krr: %zu coincidence keys", g->nkeys);
    index_fill f = {calloc(n + 1, sizeof(size_t)),
                    malloc((ns ? ns : 1) * sizeof(uint64_t))};
    size_t *pcol = malloc((n + 1) * sizeof *pcol);
    uint32_t *prow = malloc((ns ? ns : 1) * sizeof *prow);
    uint32_t *pkey = malloc((ns ? ns : 1) * sizeof *pkey);
    int st = TKC_SUCCESS;
    if (!f.next || !f.ent || !pcol || !prow || !pkey)
        st = tkc_fail(err, TKC_ENOMEM, "krr: cannot index %zu shared pairs", ns);
    if (!st)
        st = tkc_krr_gram_foreach_shared(g, index_count, &f, err);
    if (!st) {
        pcol[0] = 0;
        for (size_t j = 0; j < n; j++)
            pcol[j + 1] = pcol[j] + f.next[j];
        memcpy(f.next, pcol, n * sizeof *pcol);
        st = tkc_krr_gram_foreach_shared(g, index_place, &f, err);
    }
    for (size_t j = 0; !st && j < n; j++) {
        qsort(f.ent + pcol[j], pcol[j + 1] - pcol[j], sizeof *f.ent, u64_compare);
        for (size_t p = pcol[j]; p < pcol[j + 1]; p++) {
            prow[p] = (uint32_t)(f.ent[p] >> 32);
            pkey[p] = (uint32_t)(f.ent[p] & 0xffffffffu);
        }
    }
    free(f.next);
    free(f.ent);
    if (st) {
        free(pcol), free(prow), free(pkey);
        return st;
    }
    g->pcol = pcol, g->prow = prow, g->pkey = pkey;
    return TKC_SUCCESS;
}

const size_t *tkc_krr_gram_shared_columns(const tkc_krr_gram *g)
{
    return g->pcol;
}
const uint32_t *tkc_krr_gram_shared_rows(const tkc_krr_gram *g)
{
    return g->prow;
}
const uint32_t *tkc_krr_gram_shared_keys(const tkc_krr_gram *g)
{
    return g->pkey;
}

static int symbol_in_gram(const tkc_krr_gram *g, tkc_token t)
{
    size_t lo = 0, hi = g->nentries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->entries[mid].token < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->nentries && g->entries[lo].token == t;
}

int tkc_krr_gram_unseen_template(const tkc_krr_gram *g, const tkc_token *x,
                                 size_t *t)
{
    tkc_token subs[TKC_K_MAX];
    size_t where;
    for (size_t u = 0; u < g->r; u++) {
        if (read_substitution(g->set, u, x, subs, &where) != SUB_OK)
            continue;
        for (size_t w = 0; w < g->set->t[u].nwild; w++)
            if (symbol_in_gram(g, subs[w]))
                return 0;
        *t = u;
        return 1;
    }
    return 0;
}
