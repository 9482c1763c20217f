/* sample.c — the data distribution of Definition 2.2, sampled reproducibly.
 *
 * Sample number i of a draw from alphabet a gets its own random stream,
 * (seed, TKC_RNG_DATA + a, i) of rng.h: the same arguments give the
 * same sample on every platform (the strings from integer arithmetic alone;
 * the label noise through the ziggurat's libm tables), the first m samples
 * of a draw of n > m are the draw of m, and the training and test draws
 * (alphabet 0 and 1) are independent.
 *
 * A sample: template z ~ µ_tmplt (the weights), then an injective map of
 * z's wildcards into the alphabet, uniform over all such maps (Floyd's
 * subset algorithm, then a shuffle), then the label f*(z) + σξ. */
#include "tkc/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* ---- one sample --------------------------------------------------------- */

/* Index of the template whose cumulative weight first exceeds u·total. */
static size_t pick_template(const double *cum, size_t r, double u)
{
    double target = u * cum[r - 1];
    size_t lo = 0, hi = r - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A uniformly random injective map of w wildcards into [0, A): Floyd's
 * algorithm picks a uniform w-subset, a Fisher–Yates shuffle orders it. */
static void random_injection(tkc_rng *r, size_t w, uint64_t A, tkc_token base,
                             tkc_token *map)
{
    size_t n = 0;
    for (uint64_t j = A - w; j < A; j++) {
        tkc_token t = base + (tkc_token)tkc_rng_below(r, j + 1);
        for (size_t v = 0; v < n; v++)
            if (map[v] == t) {
                t = base + (tkc_token)j;
                break;
            }
        map[n++] = t;
    }
    for (size_t v = w; v > 1; v--) {
        size_t u = (size_t)tkc_rng_below(r, v);
        tkc_token tmp = map[v - 1];
        map[v - 1] = map[u];
        map[u] = tmp;
    }
}

/* ---- the draw ----------------------------------------------------------- */

void tkc_sample_free(tkc_sample *s)
{
    if (!s)
        return;
    tkc_strings_free(s->strings);
    free(s->template_index);
    free(s->label);
    free(s);
}

static tkc_sample *sample_alloc(size_t n, size_t k, tkc_error *err)
{
    tkc_sample *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->strings = tkc_strings_alloc(n, k, err);
    s->template_index = malloc((n ? n : 1) * sizeof *s->template_index);
    s->label = malloc((n ? n : 1) * sizeof *s->label);
    if (!s->strings || !s->template_index || !s->label) {
        tkc_sample_free(s);
        return NULL;
    }
    return s;
}

static int check_draw_arguments(const tkc_template_set *set, size_t n,
                                size_t alphabet, unsigned alphabet_id,
                                double sigma, tkc_error *err)
{
    double rho;   /* computing ρ checks the alphabet has room for every map */
    int rc = tkc_template_set_rho(set, alphabet, &rho, err);
    if (rc)
        return rc;
    if ((double)set->nsymbols + ((double)alphabet_id + 1.0) * (double)alphabet
        > (double)INT32_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "alphabet %u of %zu tokens lies beyond the token "
                        "range (2^31)",
                        alphabet_id, alphabet);
    if (!(sigma >= 0.0 && isfinite(sigma)))
        return tkc_fail(err, TKC_EINPUT,
                        "label noise must be finite and >= 0, got %g", sigma);
    if (n > ((size_t)1 << 40) / (set->k ? set->k : 1))
        return tkc_fail(err, TKC_ENOMEM, "%zu samples is too many", n);
    return TKC_SUCCESS;
}

int tkc_sample_draw(const tkc_template_set *set, size_t n, size_t alphabet,
                    unsigned alphabet_id, double sigma, uint64_t seed,
                    tkc_sample **out, tkc_error *err)
{
    *out = NULL;
    int rc = check_draw_arguments(set, n, alphabet, alphabet_id, sigma, err);
    if (rc)
        return rc;
    tkc_sample *s = sample_alloc(n, set->k, err);
    double *cum = malloc(set->count * sizeof *cum);
    if (!s || !cum) {
        tkc_sample_free(s);
        free(cum);
        return tkc_fail(err, TKC_ENOMEM, "out of memory for %zu samples", n);
    }
    double total = 0.0;
    for (size_t i = 0; i < set->count; i++)
        cum[i] = total += set->t[i].weight;
    tkc_token base = (tkc_token)(set->nsymbols + (size_t)alphabet_id * alphabet);
    tkc_ziggurat zig;
    tkc_ziggurat_init(&zig);
    for (size_t m = 0; m < n; m++) {
        tkc_rng r;
        tkc_rng_stream(&r, seed, TKC_RNG_DATA + (uint64_t)alphabet_id, m);
        size_t i = pick_template(cum, set->count, tkc_rng_uniform(&r));
        const tkc_template *z = &set->t[i];
        tkc_token map[TKC_K_MAX];
        random_injection(&r, z->nwild, alphabet, base, map);
        rc = tkc_template_substitute(set, i, map, tkc_strings_row(s->strings, m),
                                     err);
        if (rc)
            break;
        s->template_index[m] = i;
        if (z->label_wildcard >= 0)
            s->label[m] = (double)map[z->label_wildcard];
        else
            s->label[m] = z->label +
                          (sigma > 0.0 ? sigma * tkc_rng_normal(&zig, &r) : 0.0);
    }
    free(cum);
    if (rc) {
        tkc_sample_free(s);
        return rc;
    }
    *out = s;
    return TKC_SUCCESS;
}
