/* pattern.c — token strings, canonical pair patterns and the pattern index.
 *
 * The canonical pattern relabels tokens 0, 1, 2, ... in order of first
 * appearance along x then y; two ordered pairs are token relabellings of
 * each other exactly when their patterns are equal (tests/test_pattern.c
 * checks this exhaustively against brute force for small k). */
#include "tkc/pattern.h"

#include <stdlib.h>
#include <string.h>

tkc_strings *tkc_strings_alloc(size_t count, size_t k, tkc_error *err)
{
    if (k == 0 || k > TKC_K_MAX) {
        tkc_fail(err, TKC_EINPUT, "string length %zu is outside 1..%d", k,
                 TKC_K_MAX);
        return NULL;
    }
    if (count > ((size_t)1 << 40) / k) {
        tkc_fail(err, TKC_ENOMEM, "%zu strings of length %zu is too many",
                 count, k);
        return NULL;
    }
    tkc_strings *s = malloc(sizeof *s);
    tkc_token *tok = calloc(count ? count * k : 1, sizeof *tok);
    if (!s || !tok) {
        free(s);
        free(tok);
        tkc_fail(err, TKC_ENOMEM, "out of memory allocating %zu strings",
                 count);
        return NULL;
    }
    s->count = count;
    s->k = k;
    s->tok = tok;
    return s;
}

void tkc_strings_free(tkc_strings *s)
{
    if (s) {
        free(s->tok);
        free(s);
    }
}

/* ---- canonical patterns ------------------------------------------------ */

/* Relabel one token: its index among the tokens seen so far, appending it
 * when new.  At most 2 * TKC_K_MAX distinct tokens, so a linear scan is as
 * fast as anything else. */
static uint8_t relabel(tkc_token t, tkc_token *seen, unsigned *nseen)
{
    for (unsigned i = 0; i < *nseen; i++)
        if (seen[i] == t)
            return (uint8_t)i;
    seen[*nseen] = t;
    return (uint8_t)(*nseen)++;
}

void tkc_pattern_of_pair(tkc_pattern *pat, const tkc_token *x,
                         const tkc_token *y, size_t k)
{
    tkc_token seen[2 * TKC_K_MAX];
    unsigned nseen = 0;
    memset(pat, 0, sizeof *pat);    /* unused tail bytes are zero */
    pat->k = (uint8_t)k;
    for (size_t a = 0; a < k; a++)
        pat->x[a] = relabel(x[a], seen, &nseen);
    for (size_t b = 0; b < k; b++)
        pat->y[b] = relabel(y[b], seen, &nseen);
    pat->ntokens = (uint8_t)nseen;
}

int tkc_pattern_compare(const tkc_pattern *a, const tkc_pattern *b)
{
    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    if (a->ntokens != b->ntokens)
        return a->ntokens < b->ntokens ? -1 : 1;
    int c = memcmp(a->x, b->x, a->k);
    return c ? c : memcmp(a->y, b->y, a->k);
}

void tkc_pattern_of_unordered_pair(tkc_pattern *pat, const tkc_token *x,
                                   const tkc_token *y, size_t k, int *swapped)
{
    tkc_pattern yx;
    tkc_pattern_of_pair(pat, x, y, k);
    tkc_pattern_of_pair(&yx, y, x, k);
    int take_yx = tkc_pattern_compare(&yx, pat) < 0;
    if (take_yx)
        *pat = yx;
    if (swapped)
        *swapped = take_yx;
}

/* FNV-1a over the bytes that define the pattern, then a splitmix finalizer
 * so that the low bits (used for buckets) depend on every byte. */
uint64_t tkc_pattern_hash(const tkc_pattern *pat)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = (h ^ pat->k) * 0x100000001b3ULL;
    h = (h ^ pat->ntokens) * 0x100000001b3ULL;
    for (unsigned a = 0; a < pat->k; a++)
        h = (h ^ pat->x[a]) * 0x100000001b3ULL;
    for (unsigned a = 0; a < pat->k; a++)
        h = (h ^ pat->y[a]) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

void tkc_pattern_representative(const tkc_pattern *pat, tkc_token *x,
                                tkc_token *y)
{
    for (unsigned a = 0; a < pat->k; a++) {
        x[a] = pat->x[a];
        y[a] = pat->y[a];
    }
}

unsigned tkc_pattern_matches(const tkc_pattern *pat)
{
    unsigned count_x[2 * TKC_K_MAX] = {0}, m = 0;
    for (unsigned a = 0; a < pat->k; a++)
        count_x[pat->x[a]]++;
    for (unsigned b = 0; b < pat->k; b++)
        m += count_x[pat->y[b]];
    return m;
}

/* ---- the index: open addressing over a dense array of patterns -------- */

struct tkc_pattern_index {
    tkc_pattern *pats;        /* dense, in insertion order          */
    uint64_t *hashes;         /* hash of pats[i]                     */
    size_t size, cap;         /* of pats                             */
    long *slots;              /* nslots entries: id or -1            */
    size_t nslots;            /* power of two, >= 2 * cap            */
};

static size_t pow2_at_least(size_t n)
{
    size_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

tkc_pattern_index *tkc_pattern_index_alloc(size_t capacity_hint,
                                           tkc_error *err)
{
    if (capacity_hint > ((size_t)1 << 32)) {
        tkc_fail(err, TKC_ENOMEM, "pattern index capacity %zu is absurd",
                 capacity_hint);
        return NULL;
    }
    tkc_pattern_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        goto nomem;
    ix->cap = capacity_hint < 8 ? 8 : capacity_hint;
    ix->nslots = pow2_at_least(2 * ix->cap);
    ix->pats = malloc(ix->cap * sizeof *ix->pats);
    ix->hashes = malloc(ix->cap * sizeof *ix->hashes);
    ix->slots = malloc(ix->nslots * sizeof *ix->slots);
    if (!ix->pats || !ix->hashes || !ix->slots)
        goto nomem;
    for (size_t i = 0; i < ix->nslots; i++)
        ix->slots[i] = -1;
    return ix;
nomem:
    tkc_pattern_index_free(ix);
    tkc_fail(err, TKC_ENOMEM, "out of memory allocating a pattern index");
    return NULL;
}

void tkc_pattern_index_free(tkc_pattern_index *ix)
{
    if (ix) {
        free(ix->pats);
        free(ix->hashes);
        free(ix->slots);
        free(ix);
    }
}

/* Slot holding pat, or the empty slot where it would go. */
static size_t find_slot(const tkc_pattern_index *ix, const tkc_pattern *pat,
                        uint64_t h)
{
    size_t mask = ix->nslots - 1, s = (size_t)h & mask;
    for (;;) {
        long id = ix->slots[s];
        if (id < 0 || (ix->hashes[id] == h &&
                       tkc_pattern_compare(&ix->pats[id], pat) == 0))
            return s;
        s = (s + 1) & mask;
    }
}

static int grow(tkc_pattern_index *ix, tkc_error *err)
{
    size_t cap = 2 * ix->cap, nslots = pow2_at_least(2 * cap);
    tkc_pattern *pats = realloc(ix->pats, cap * sizeof *pats);
    if (pats)
        ix->pats = pats;
    uint64_t *hashes = realloc(ix->hashes, cap * sizeof *hashes);
    if (hashes)
        ix->hashes = hashes;
    long *slots = malloc(nslots * sizeof *slots);
    if (!pats || !hashes || !slots) {
        free(slots);
        return tkc_fail(err, TKC_ENOMEM,
                        "out of memory growing a pattern index to %zu", cap);
    }
    free(ix->slots);
    ix->slots = slots;
    ix->nslots = nslots;
    ix->cap = cap;
    for (size_t i = 0; i < nslots; i++)
        slots[i] = -1;
    for (size_t id = 0; id < ix->size; id++)
        slots[find_slot(ix, &ix->pats[id], ix->hashes[id])] = (long)id;
    return TKC_SUCCESS;
}

long tkc_pattern_index_insert(tkc_pattern_index *ix, const tkc_pattern *pat,
                              int *is_new, tkc_error *err)
{
    uint64_t h = tkc_pattern_hash(pat);
    size_t s = find_slot(ix, pat, h);
    if (ix->slots[s] >= 0) {
        if (is_new)
            *is_new = 0;
        return ix->slots[s];
    }
    if (ix->size == ix->cap) {
        if (grow(ix, err))
            return -1;
        s = find_slot(ix, pat, h);
    }
    long id = (long)ix->size++;
    ix->pats[id] = *pat;
    ix->hashes[id] = h;
    ix->slots[s] = id;
    if (is_new)
        *is_new = 1;
    return id;
}

long tkc_pattern_index_find(const tkc_pattern_index *ix,
                            const tkc_pattern *pat)
{
    return ix->slots[find_slot(ix, pat, tkc_pattern_hash(pat))];
}

size_t tkc_pattern_index_size(const tkc_pattern_index *ix)
{
    return ix->size;
}

const tkc_pattern *tkc_pattern_index_get(const tkc_pattern_index *ix,
                                         size_t id)
{
    return id < ix->size ? &ix->pats[id] : NULL;
}
