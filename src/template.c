/* template.c — what a template means (paper §2, docs/mathematics.md): matching
 * (Definition 2.1), substitution, exact disjointness (Definition 3.2), the
 * data diversity ρ, and the spelling of tokens and templates.  The file
 * format that builds a tkc_template_set is template_parse.c's.
 *
 * Fresh tokens (witnesses, samples) have ids >= nsymbols and are spelled
 * fresh_prefix + number: t1, t2, ... */
#include "tkc/template.h"

#include <math.h>
#include <stdio.h>

/* ---- disjointness ------------------------------------------------------- */

static size_t uf_find(size_t *parent, size_t a)
{
    while (parent[a] != a)
        a = parent[a] = parent[parent[a]];
    return a;
}

static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

static int uses_token(const int32_t *z, size_t k, int32_t t)
{
    for (size_t a = 0; a < k; a++)
        if (z[a] == t)
            return 1;
    return 0;
}

/* Merge the positions one template forces equal: same symbol. */
static void merge_equal_symbols(size_t *parent, const int32_t *z, size_t k)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
            if (z[a] == z[b])
                uf_union(parent, a, b);
}

/* Union-find over positions, then the three ways a class can make
 * matching both impossible.  Positions holding the same regular token in
 * either template are merged, so each token lies in at most one class. */
static int disjoint_core(const int32_t *za, const int32_t *zb, size_t k,
                         int32_t fresh_base, tkc_token *witness)
{
    size_t parent[TKC_K_MAX];
    int32_t tok[TKC_K_MAX], wa[TKC_K_MAX], wb[TKC_K_MAX];
    for (size_t a = 0; a < k; a++)
        parent[a] = a, tok[a] = -1, wa[a] = 0, wb[a] = 0;
    merge_equal_symbols(parent, za, k);
    merge_equal_symbols(parent, zb, k);
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            if (za[a] >= 0 && za[a] == zb[b])
                uf_union(parent, a, b);
    for (size_t a = 0; a < k; a++) {
        size_t r = uf_find(parent, a);
        const int32_t s[2] = {za[a], zb[a]};
        int32_t *w[2] = {&wa[r], &wb[r]};
        for (int side = 0; side < 2; side++) {
            if (s[side] >= 0) {
                if (tok[r] >= 0 && tok[r] != s[side])
                    return 1;                    /* two different tokens */
                tok[r] = s[side];
            } else {
                if (*w[side] < 0 && *w[side] != s[side])
                    return 1;  /* two wildcards of one template: not injective */
                *w[side] = s[side];
            }
        }
    }
    for (size_t a = 0; a < k; a++) {
        if (uf_find(parent, a) != a || tok[a] < 0)
            continue;
        if ((wa[a] < 0 && uses_token(za, k, tok[a])) ||
            (wb[a] < 0 && uses_token(zb, k, tok[a])))
            return 1;          /* a wildcard would take a token of its own */
    }
    if (witness) {
        int32_t fresh[TKC_K_MAX], next = fresh_base;
        for (size_t a = 0; a < k; a++) {
            size_t r = uf_find(parent, a);
            if (tok[r] >= 0)
                witness[a] = tok[r];
            else if (r == a)
                witness[a] = fresh[r] = next++;
            else
                witness[a] = fresh[r];
        }
    }
    return 0;
}

int tkc_template_disjoint(const tkc_template_set *set, size_t i, size_t j,
                          int *disjoint, tkc_token *witness, tkc_error *err)
{
    if (i >= set->count || j >= set->count)
        return tkc_fail(err, TKC_EINPUT,
                        "template index %zu or %zu out of range (%zu "
                        "templates)",
                        i, j, set->count);
    *disjoint = disjoint_core(set->t[i].sym, set->t[j].sym, set->k,
                              (int32_t)set->nsymbols, witness);
    return TKC_SUCCESS;
}

int tkc_template_set_check_disjoint(const tkc_template_set *set,
                                    int *all_disjoint, size_t *i, size_t *j,
                                    tkc_token *witness, tkc_error *err)
{
    (void)err;
    for (size_t b = 1; b < set->count; b++)
        for (size_t a = 0; a < b; a++)
            if (!disjoint_core(set->t[a].sym, set->t[b].sym, set->k,
                               (int32_t)set->nsymbols, witness)) {
                *all_disjoint = 0;
                *i = a;
                *j = b;
                return TKC_SUCCESS;
            }
    *all_disjoint = 1;
    return TKC_SUCCESS;
}

/* ---- matching and substitution ------------------------------------------ */

/* Is map (nwild tokens) injective and clear of z's regular tokens? */
static int map_is_valid(const tkc_template *z, size_t k, const tkc_token *map)
{
    for (size_t w = 0; w < z->nwild; w++) {
        if (map[w] < 0 || uses_token(z->sym, k, map[w]))
            return 0;
        for (size_t v = 0; v < w; v++)
            if (map[v] == map[w])
                return 0;
    }
    return 1;
}

int tkc_template_matches(const tkc_template_set *set, size_t i,
                         const tkc_token *x)
{
    const tkc_template *z = &set->t[i];
    tkc_token map[TKC_K_MAX];
    for (size_t w = 0; w < z->nwild; w++)
        map[w] = -1;
    for (size_t a = 0; a < set->k; a++) {
        int32_t s = z->sym[a];
        if (s >= 0) {
            if (x[a] != s)
                return 0;
            continue;
        }
        size_t w = TKC_WILDCARD_INDEX(s);
        if (map[w] >= 0 && map[w] != x[a])
            return 0;
        map[w] = x[a];
    }
    return map_is_valid(z, set->k, map);
}

int tkc_template_substitute(const tkc_template_set *set, size_t i,
                            const tkc_token *map, tkc_token *out,
                            tkc_error *err)
{
    if (i >= set->count)
        return tkc_fail(err, TKC_EINPUT, "template index %zu out of range",
                        i);
    const tkc_template *z = &set->t[i];
    if (!map_is_valid(z, set->k, map))
        return tkc_fail(err, TKC_EINPUT,
                        "substitution for template %zu (line %d) is not "
                        "injective or maps a wildcard to one of the "
                        "template's own tokens",
                        i, z->line);
    for (size_t a = 0; a < set->k; a++)
        out[a] = z->sym[a] >= 0 ? z->sym[a] : map[TKC_WILDCARD_INDEX(z->sym[a])];
    return TKC_SUCCESS;
}

/* ---- data diversity ----------------------------------------------------- */

size_t tkc_template_set_max_wildcards(const tkc_template_set *set)
{
    size_t m = 0;
    for (size_t i = 0; i < set->count; i++)
        if (set->t[i].nwild > m)
            m = set->t[i].nwild;
    return m;
}

int tkc_template_set_rho(const tkc_template_set *set, size_t alphabet,
                         double *rho, tkc_error *err)
{
    size_t w = tkc_template_set_max_wildcards(set);
    if (alphabet < w || alphabet == 0)
        return tkc_fail(err, TKC_EINPUT,
                        "alphabet of %zu tokens is too small: a template has "
                        "%zu wildcards, which need distinct tokens",
                        alphabet, w);
    /* No wildcard: no token is ever substituted, P = 0, ρ = ∞. */
    *rho = w ? (double)alphabet / (double)w : INFINITY;
    return TKC_SUCCESS;
}

/* ---- spelling ----------------------------------------------------------- */

int tkc_template_token_name(const tkc_template_set *set, tkc_token t,
                            char *buf, size_t size)
{
    if (t >= 0 && (size_t)t < set->nsymbols)
        return snprintf(buf, size, "%s", set->symbol_names[t]);
    if (t >= 0)
        return snprintf(buf, size, "%s%lld", set->fresh_prefix,
                        (long long)t - (long long)set->nsymbols + 1);
    return snprintf(buf, size, "<invalid token %d>", (int)t);
}

int tkc_template_string_format(const tkc_template_set *set,
                               const tkc_token *x, char *buf, size_t size)
{
    size_t off = 0;
    if (size)
        buf[0] = '\0';
    for (size_t a = 0; a < set->k; a++) {
        if (a)
            off += (size_t)snprintf(off < size ? buf + off : NULL,
                                    off < size ? size - off : 0, " ");
        off += (size_t)tkc_template_token_name(set, x[a],
                                               off < size ? buf + off : NULL,
                                               off < size ? size - off : 0);
    }
    return (int)off;
}

static const char *symbol_name(const tkc_template_set *set,
                               const tkc_template *z, int32_t s)
{
    return s >= 0 ? set->symbol_names[s]
                  : z->wild_names[TKC_WILDCARD_INDEX(s)];
}

int tkc_template_format(const tkc_template_set *set, size_t i, char *buf,
                        size_t size)
{
    const tkc_template *z = &set->t[i];
    size_t off = 0;
    if (size)
        buf[0] = '\0';
    for (size_t a = 0; a < set->k; a++) {
        int n = snprintf(off < size ? buf + off : NULL,
                         off < size ? size - off : 0, "%s%s", a ? " " : "",
                         symbol_name(set, z, z->sym[a]));
        off += (size_t)n;
    }
    return (int)off;
}
