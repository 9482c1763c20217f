/* series_cache.c — the softmax derivatives at 0 behind the exact series
 * (series_cache.h), exact integers cached by shape.
 *
 * A shape key is a list of class descriptors [n, τ, s_a, cnt, π...]: a
 * token class of n positions, its token exponent τ, the marked position's
 * exponent plus one (s_a, 0 for none) and the cnt positive exponents of its
 * other positions, sorted.  With 1/Z written as a series in (Z − k)/k and
 * (Z − k)^J = J! [y^J] E exp(N·u), N_c i.i.d. Poisson(y) (series.c), the
 * derivative is a product over classes of Poisson moments — Touchard
 * polynomials Σ_j S(n, j) (m y)^j in Stirling numbers of the second kind —
 * so k^{n+1} times it is an integer, computed here once per shape. */
#include "series_cache.h"

#include <stdlib.h>
#include <string.h>

#include "gmpvec.h"

/* ---- the shape memo ----------------------------------------------------- */

struct tkc_series_memo_entry {
    uint8_t *key;          /* NULL when the slot is empty */
    uint32_t hash;
    uint16_t len;
    mpz_t val;
};
typedef tkc_series_memo_entry memo_entry;
typedef tkc_series_memo memo;

static uint32_t key_hash(const uint8_t *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static int memo_init(memo *m, size_t cap)
{
    m->cap = cap;
    m->n = 0;
    m->e = calloc(cap, sizeof *m->e);
    return m->e ? 0 : -1;
}

static void memo_clear(memo *m)
{
    if (!m->e)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key) {
            free(m->e[i].key);
            mpz_clear(m->e[i].val);
        }
    free(m->e);
    m->e = NULL;
}

static memo_entry *memo_slot(memo *m, const uint8_t *key, size_t len,
                             uint32_t h)
{
    size_t i = h & (m->cap - 1);
    for (;;) {
        memo_entry *e = &m->e[i];
        if (!e->key || (e->hash == h && e->len == len &&
                        !memcmp(e->key, key, len)))
            return e;
        i = (i + 1) & (m->cap - 1);
    }
}

/* Doubles the table.  Entries move, so no pointer into the memo may be
 * held across a lookup (side_add takes care of that). */
static int memo_grow(memo *m)
{
    memo bigger;
    if (memo_init(&bigger, m->cap * 2))
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        memo_entry *e = &m->e[i];
        if (!e->key)
            continue;
        memo_entry *d = memo_slot(&bigger, e->key, e->len, e->hash);
        *d = *e;     /* moves the mpz limbs too */
    }
    bigger.n = m->n;
    free(m->e);
    *m = bigger;
    return 0;
}

/* ---- the cache: softmax derivatives of one string length ----------------- */

#define NMAX TKC_SERIES_NMAX
#define SER_STRIDE (NMAX + 1)

void tkc_series_cache_free(tkc_series_cache *c)
{
    if (!c)
        return;
    memo_clear(&c->m);
    for (int n = 0; n <= NMAX + 2; n++)
        for (int j = 0; j <= NMAX + 2; j++)
            mpz_clear(c->stir[n][j]);
    for (int n = 0; n <= NMAX + 1; n++) {
        mpz_clear(c->kpow[n]);
        mpz_clear(c->fact[n]);
    }
    for (int s = 0; s < 3; s++)
        tkc_mpz_vec_free(c->ser[s], (size_t)SER_STRIDE * SER_STRIDE);
    for (int j = 0; j <= NMAX; j++) {
        mpz_clear(c->poly[j]);
        mpz_clear(c->tmp[j]);
    }
    mpz_clears(c->t1, c->t2, NULL);
    free(c);
}

tkc_series_cache *tkc_series_cache_alloc(int k, tkc_error *err)
{
    if (k < 1 || k > TKC_K_MAX) {
        tkc_fail(err, TKC_EINPUT, "series: string length must be in [1, %d], "
                 "got %d", TKC_K_MAX, k);
        return NULL;
    }
    tkc_series_cache *c = calloc(1, sizeof *c);
    if (!c) {
        tkc_fail(err, TKC_ENOMEM, "series: out of memory for a cache");
        return NULL;
    }
    c->k = k;
    for (int n = 0; n <= NMAX + 2; n++)
        for (int j = 0; j <= NMAX + 2; j++)
            mpz_init(c->stir[n][j]);
    for (int n = 0; n <= NMAX + 1; n++) {
        mpz_init(c->kpow[n]);
        mpz_init(c->fact[n]);
        mpz_ui_pow_ui(c->kpow[n], (unsigned long)k, (unsigned long)n);
        mpz_fac_ui(c->fact[n], (unsigned long)n);
    }
    for (int j = 0; j <= NMAX; j++) {
        mpz_init(c->poly[j]);
        mpz_init(c->tmp[j]);
    }
    mpz_inits(c->t1, c->t2, NULL);
    for (int n = 0; n <= NMAX + 1; n++) {
        c->binom[n][0] = 1;
        for (int j = 1; j <= n; j++)
            c->binom[n][j] = c->binom[n - 1][j - 1] + (j < n ? c->binom[n - 1][j] : 0);
    }
    mpz_set_ui(c->stir[0][0], 1);
    for (int n = 1; n <= NMAX + 2; n++)
        for (int j = 1; j <= n; j++) {
            mpz_mul_ui(c->stir[n][j], c->stir[n - 1][j], (unsigned long)j);
            mpz_add(c->stir[n][j], c->stir[n][j], c->stir[n - 1][j - 1]);
        }
    for (int s = 0; s < 3; s++)
        c->ser[s] = tkc_mpz_vec_alloc((size_t)SER_STRIDE * SER_STRIDE);
    if (!c->ser[0] || !c->ser[1] || !c->ser[2] || memo_init(&c->m, 1024)) {
        tkc_series_cache_free(c);
        tkc_fail(err, TKC_ENOMEM, "series: out of memory for a cache");
        return NULL;
    }
    return c;
}

size_t tkc_series_cache_entries(const tkc_series_cache *c)
{
    return c->m.n;
}

int tkc_series_cache_clear(tkc_series_cache *c, tkc_error *err)
{
    memo_clear(&c->m);
    if (memo_init(&c->m, 1024))
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory for a cache");
    return TKC_SUCCESS;
}

/* ---- softmax derivative of one shape ------------------------------------- */

/* ser[b][e * SER_STRIDE + j]: a truncated exponential series whose e-th
 * entry is a polynomial in y. */
static mpz_ptr ser_at(tkc_series_cache *c, int b, int e, int j)
{
    return c->ser[b][(size_t)e * SER_STRIDE + j];
}

/* out = Σ_i C(n, i) A_i B_{n-i} for n = 0..tau (binomial convolution of
 * two series of polynomials, truncated at degree N); out, a, b are ser
 * block indices. */
static void ser_binconv(tkc_series_cache *c, int out, int a, int b, int tau,
                        int N)
{
    for (int n = 0; n <= tau; n++) {
        for (int j = 0; j <= N; j++)
            mpz_set_ui(ser_at(c, out, n, j), 0);
        for (int i = 0; i <= n; i++)
            for (int p = 0; p <= N; p++) {
                if (!mpz_sgn(ser_at(c, a, i, p)))
                    continue;
                for (int q = 0; p + q <= N; q++) {
                    if (!mpz_sgn(ser_at(c, b, n - i, q)))
                        continue;
                    mpz_mul(c->t1, ser_at(c, a, i, p), ser_at(c, b, n - i, q));
                    mpz_addmul_ui(ser_at(c, out, n, p + q), c->t1,
                                  (unsigned long)c->binom[n][i]);
                }
            }
    }
}

/* Moments of a marked or unmarked position, as polys in y, into block b:
 * entry e = E[R^{e + p}], R ~ Poisson(y) (+1 when marked). */
static void ser_position(tkc_series_cache *c, int b, int p, int marked,
                         int tau, int N)
{
    for (int e = 0; e <= tau; e++)
        for (int j = 0; j <= N; j++) {
            int n = e + p;
            if (j > n)
                mpz_set_ui(ser_at(c, b, e, j), 0);
            else
                mpz_set(ser_at(c, b, e, j),
                        marked ? c->stir[n + 1][j + 1] : c->stir[n][j]);
        }
}

/* poly *= F for one class descriptor d = [n, tau, s_a, cnt, pi...], all
 * polynomials truncated at degree N (the shape's order: higher powers of y
 * cannot occur). */
static void class_factor(tkc_series_cache *c, const uint8_t *d, int N)
{
    int n = d[0], tau = d[1], sa = d[2], cnt = d[3];
    int m = n - cnt - (sa > 0);
    /* block 0: E[B^e], B ~ Poisson(m y) */
    for (int e = 0; e <= tau; e++)
        for (int j = 0; j <= N; j++) {
            if (j > e) {
                mpz_set_ui(ser_at(c, 0, e, j), 0);
                continue;
            }
            mpz_ui_pow_ui(c->t2, (unsigned long)m, (unsigned long)j);
            mpz_mul(ser_at(c, 0, e, j), c->stir[e][j], c->t2);
        }
    int cur = 0;
    for (int r = -1; r < cnt; r++) {
        if (r < 0 && !sa)
            continue;
        if (r < 0)
            ser_position(c, 1, sa - 1, 1, tau, N);
        else
            ser_position(c, 1, d[4 + r], 0, tau, N);
        ser_binconv(c, 2 - cur, cur, 1, tau, N);  /* 0 -> 2, 2 -> 0 */
        cur = 2 - cur;
    }
    /* poly *= ser[cur][tau] */
    for (int j = 0; j <= N; j++)
        mpz_set_ui(c->tmp[j], 0);
    for (int p = 0; p <= N; p++) {
        if (!mpz_sgn(c->poly[p]))
            continue;
        for (int q = 0; p + q <= N; q++)
            mpz_addmul(c->tmp[p + q], c->poly[p], ser_at(c, cur, tau, q));
    }
    for (int j = 0; j <= N; j++)
        mpz_swap(c->poly[j], c->tmp[j]);
}

/* The order of the derivative a shape key describes: all token and
 * position exponents, the marked position's included. */
static int shape_order(const uint8_t *key, size_t len)
{
    int n = 0;
    for (size_t off = 0; off < len; off += 4 + key[off + 3]) {
        n += key[off + 1] + (key[off + 2] ? key[off + 2] - 1 : 0);
        for (int r = 0; r < key[off + 3]; r++)
            n += key[off + 4 + r];
    }
    return n;
}

/* out = k^{n+1} × the derivative of order n of shape key: an integer,
 * whatever order the series is computed to (so the cache serves every
 * order and every pair of strings of length k). */
static void shape_value(tkc_series_cache *c, const uint8_t *key, size_t len,
                        mpz_t out)
{
    int N = shape_order(key, len);
    mpz_set_ui(c->poly[0], 1);
    for (int j = 1; j <= N; j++)
        mpz_set_ui(c->poly[j], 0);
    for (size_t off = 0; off < len; off += 4 + key[off + 3])
        class_factor(c, key + off, N);
    /* Σ_J (−1)^J J! k^{N−J} P_J */
    mpz_set_ui(out, 0);
    for (int J = 0; J <= N; J++) {
        if (!mpz_sgn(c->poly[J]))
            continue;
        mpz_mul(c->t1, c->fact[J], c->kpow[N - J]);
        mpz_mul(c->t1, c->t1, c->poly[J]);
        if (J % 2)
            mpz_sub(out, out, c->t1);
        else
            mpz_add(out, out, c->t1);
    }
}

/* The cached value, or the new entry computed by shape_value. */
mpz_srcptr tkc_series_cache_derivative(tkc_series_cache *c,
                                       const uint8_t *key, size_t len)
{
    uint32_t h = key_hash(key, len);
    memo_entry *e = memo_slot(&c->m, key, len, h);
    if (e->key)
        return e->val;
    if (2 * (c->m.n + 1) > c->m.cap) {
        if (memo_grow(&c->m))
            return NULL;
        e = memo_slot(&c->m, key, len, h);
    }
    e->key = malloc(len ? len : 1);
    if (!e->key)
        return NULL;
    memcpy(e->key, key, len);
    e->len = (uint16_t)len;
    e->hash = h;
    mpz_init(e->val);
    c->m.n++;
    shape_value(c, key, len, e->val);
    return e->val;
}

