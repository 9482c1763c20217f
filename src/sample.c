/* sample.c — the data distribution of Definition 2.2, sampled reproducibly.
 *
 * Sample number i of a draw gets its own random stream, keyed by (seed,
 * alphabet_id, i) through splitmix64 and run by xoshiro256**: the same
 * arguments give the same sample on every platform, the first m samples of
 * a draw of n > m are the draw of m, and the training and test draws
 * (alphabet 0 and 1) are independent.
 *
 * A sample: template z ~ µ_tmplt (the weights), then an injective map of
 * z's wildcards into the alphabet, uniform over all such maps (Floyd's
 * subset algorithm, then a shuffle), then the label f*(z) + σξ. */
#include "tkc/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- random streams ----------------------------------------------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    uint64_t key = splitmix64(&x);
    x = key ^ stream;
    key = splitmix64(&x);
    x = key ^ index;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, m), m >= 1, without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t m)
{
    uint64_t threshold = (0 - m) % m;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % m;
    }
}

/* Standard normal (Marsaglia's polar method). */
static double rng_normal(rng *r)
{
    for (;;) {
        double u = 2.0 * rng_uniform(r) - 1.0, v = 2.0 * rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

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
static void random_injection(rng *r, size_t w, uint64_t A, tkc_token base,
                             tkc_token *map)
{
    size_t n = 0;
    for (uint64_t j = A - w; j < A; j++) {
        tkc_token t = base + (tkc_token)rng_below(r, j + 1);
        for (size_t v = 0; v < n; v++)
            if (map[v] == t) {
                t = base + (tkc_token)j;
                break;
            }
        map[n++] = t;
    }
    for (size_t v = w; v > 1; v--) {
        size_t u = (size_t)rng_below(r, v);
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
    for (size_t m = 0; m < n; m++) {
        rng r;
        rng_seed(&r, seed, alphabet_id, m);
        size_t i = pick_template(cum, set->count, rng_uniform(&r));
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
            s->label[m] = z->label + (sigma > 0.0 ? sigma * rng_normal(&r) : 0.0);
    }
    free(cum);
    if (rc) {
        tkc_sample_free(s);
        return rc;
    }
    *out = s;
    return TKC_SUCCESS;
}
