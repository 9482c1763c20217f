/* series.c — exact Taylor coefficients of K_attn in β and γ² (GMP).
 *
 * The mathematics.  Let w = (u, v) ~ N(0, Σ) and F(u, v) = s(u)ᵀ M s(v) with
 * s the softmax and M_ab = 1(x_a = y_b) + g δ_ab, g = γ².  For a Gaussian,
 *
 *     K(β) = E[F(βw)] = exp(β² Δ/2) F |_0 ,   Δ = Σ_ij Σ_ij ∂_i ∂_j .
 *
 * Δ splits as Δ_u + Δ_v + 2C.  With A_t = Σ_{c: x_c = t} ∂_{u_c} (one
 * "token link" per token of x) and ∂_{u_c} (one "position link" per
 * position), Δ_u = Σ_t A_t² + g Σ_c ∂_{u_c}², likewise Δ_v, and the cross
 * part C = Σ_{t ∈ x ∩ y} A_t B_t + g Σ_c ∂_{u_c} ∂_{v_c}.  The three commute,
 * so exp(β²Δ/2) = exp(β²Δ_u/2) exp(β²Δ_v/2) exp(β²C), and expanding exp(C)
 * over multisets μ of cross links makes the two sides independent:
 *
 *   [β^{2m}] K = Σ_{i+i'+|μ|=m} (w^μ/μ!) Σ_ab M_ab U_a(i, μ) V_b(i', μ),
 *   U_a(i, μ) = Σ_{|ν|=i} w^ν/(2^i ν!) · D^{2ν+μ} s_a(0),
 *
 * ν a multiset of links of one side, w = 1 for token links and g for
 * position links.  Every term is a derivative of the softmax at 0 along
 * token classes and positions.  For those, write 1/Z as a series in
 * (Z − k)/k and (Z − k)^J = J! [y^J] E exp(N·u) with N_c i.i.d. Poisson(y):
 *
 *   Π_t A_t^{τ_t} Π_c ∂_c^{π_c} s_a(0)
 *       = Σ_J (1/k)(−1/k)^J J! [y^J] E[Π_t A_t(R)^{τ_t} Π_c R_c^{π_c}],
 *   R = e_a + N,  A_t(R) = Σ_{c: x_c = t} R_c.
 *
 * The Poisson expectation factorizes over token classes, and within a class
 * the unmarked positions add up to one Poisson(m y): the moments are
 * Touchard polynomials Σ_j S(n, j) (m y)^j (Stirling numbers of the second
 * kind), all integers.  So k^{D+1} × derivative is an integer, everything
 * below is mpz, and one division at the end gives the rationals.
 *
 * Token symmetry: the derivative depends only on the *shape* of the
 * multi-index (per class: size, token exponent, the marked position's
 * exponent, the sorted exponents of the other positions), so it is cached
 * by shape (the memo below); classes that carry nothing are dropped.
 *
 * Cost.  With H = D/2, L_x = (#tokens of x) + k, L_c = (#shared tokens) + k,
 * the work is about Σ_l C(L_c+l−1, l) · C(L_x+H−l, H−l) · k cache lookups
 * per side, i.e. polynomial of degree H in k: O(k^{2H}/(H!)²)-ish for fixed
 * D, and growing like C(L+H, H) in D for fixed k.  tkc_series_cost returns
 * that count. */
#include "tkc/series.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table ---------------------------------------------------------- */

tkc_series *tkc_series_alloc(int order, tkc_error *err)
{
    if (order < 0 || order > TKC_SERIES_ORDER_MAX || order % 2) {
        tkc_fail(err, TKC_EINPUT, "series order must be even (K_attn is even "
                 "in beta) and in [0, %d], got %d", TKC_SERIES_ORDER_MAX,
                 order);
        return NULL;
    }
    tkc_series *s = calloc(1, sizeof *s);
    if (!s) {
        tkc_fail(err, TKC_ENOMEM, "out of memory allocating a series table");
        return NULL;
    }
    s->order = order;
    s->nbeta = s->order / 2 + 1;
    s->ngamma = s->order / 2 + 2;
    size_t n = (size_t)s->nbeta * (size_t)s->ngamma;
    s->c = malloc(n * sizeof *s->c);
    if (!s->c) {
        free(s);
        tkc_fail(err, TKC_ENOMEM, "out of memory allocating a series table");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        mpq_init(s->c[i]);
    return s;
}

void tkc_series_free(tkc_series *s)
{
    if (!s)
        return;
    size_t n = (size_t)s->nbeta * (size_t)s->ngamma;
    for (size_t i = 0; i < n; i++)
        mpq_clear(s->c[i]);
    free(s->c);
    free(s);
}

void tkc_series_beta_coeff_q(mpq_t out, const tkc_series *s, int i,
                             const mpq_t g)
{
    mpq_t acc;
    mpq_init(acc);
    for (int j = s->ngamma - 1; j >= 0; j--) {
        mpq_mul(acc, acc, g);
        mpq_add(acc, acc, tkc_series_coeff(s, i, j));
    }
    mpq_set(out, acc);
    mpq_clear(acc);
}

void tkc_series_beta_coeff_fr(mpfr_t out, const tkc_series *s, int i,
                              const mpfr_t g)
{
    mpfr_t acc;
    mpfr_init2(acc, mpfr_get_prec(out) + 16);
    mpfr_set_zero(acc, 1);
    for (int j = s->ngamma - 1; j >= 0; j--) {
        mpfr_mul(acc, acc, g, MPFR_RNDN);
        mpfr_add_q(acc, acc, tkc_series_coeff(s, i, j), MPFR_RNDN);
    }
    mpfr_set(out, acc, MPFR_RNDN);
    mpfr_clear(acc);
}

/* ---- one string's side: token classes ------------------------------------ */

typedef struct side {
    int ncls;
    int cls_of[TKC_K_MAX];          /* class of each position            */
    int size[TKC_K_MAX];            /* positions in each class           */
    int pos[TKC_K_MAX][TKC_K_MAX];  /* the positions of each class       */
    int tok[TKC_K_MAX];             /* pattern token of each class       */
} side;

static void side_init(side *sd, const uint8_t *str, int k)
{
    sd->ncls = 0;
    for (int c = 0; c < k; c++) {
        int t = 0;
        while (t < sd->ncls && sd->tok[t] != str[c])
            t++;
        if (t == sd->ncls) {
            sd->tok[t] = str[c];
            sd->size[t] = 0;
            sd->ncls++;
        }
        sd->cls_of[c] = t;
        sd->pos[t][sd->size[t]++] = c;
    }
}

/* ---- the shape cache ---------------------------------------------------- */

#define KEY_MAX 256

typedef struct memo_entry {
    uint8_t *key;          /* NULL when the slot is empty */
    uint32_t hash;
    uint16_t len;
    mpz_t val;
} memo_entry;

typedef struct memo {
    size_t cap, n;         /* cap a power of two */
    memo_entry *e;
} memo;

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
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key) {
            free(m->e[i].key);
            mpz_clear(m->e[i].val);
        }
    free(m->e);
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

/* ---- workspace ---------------------------------------------------------- */

typedef struct ws {
    int k, H, D;
    uint64_t binom[TKC_SERIES_ORDER_MAX + 2][TKC_SERIES_ORDER_MAX + 2];
    mpz_t stir[TKC_SERIES_ORDER_MAX + 3][TKC_SERIES_ORDER_MAX + 3];
    side sd[2];
    int nshared;
    int shared_cls[2][TKC_K_MAX];   /* class of each shared token per side */
    memo m;
    /* the current multi-index of each side: token-class and position exps */
    int tau[2][TKC_K_MAX];
    int pi[2][TKC_K_MAX];
    int npi[2][TKC_K_MAX];          /* positions with pi > 0, per class    */
    /* U[s][(i * (H+1) + e) * k + a] */
    mpz_t *U[2];
    mpz_t *CS[2];                   /* class sums over shared tokens       */
    /* polynomial scratch: series of polys (H+1.. entries of D+1 coeffs) */
    mpz_t *ser[3];
    mpz_t *poly, *tmp;
    mpz_t t1, t2, scale;
    /* the current cross multiset */
    int mu_size, mu_pos;
    uint64_t mu_fact;
    mpz_t *K;                       /* K[m * (H+2) + e], scaled            */
    int failed;
} ws;

static mpz_t *mpz_block(size_t n)
{
    mpz_t *b = malloc(n * sizeof *b);
    if (b)
        for (size_t i = 0; i < n; i++)
            mpz_init(b[i]);
    return b;
}

static void mpz_block_free(mpz_t *b, size_t n)
{
    if (!b)
        return;
    for (size_t i = 0; i < n; i++)
        mpz_clear(b[i]);
    free(b);
}

static size_t u_len(const ws *w) { return (size_t)(w->H + 1) * (w->H + 1) * w->k; }
static size_t cs_len(const ws *w) { return (size_t)(w->H + 1) * (w->H + 1) * (w->nshared + 1); }
static size_t ser_len(const ws *w) { return (size_t)(w->D + 1) * (w->D + 1); }
static size_t k_len(const ws *w) { return (size_t)(w->H + 1) * (w->H + 2); }

static void ws_free(ws *w)
{
    for (int n = 0; n <= TKC_SERIES_ORDER_MAX + 2; n++)
        for (int j = 0; j <= TKC_SERIES_ORDER_MAX + 2; j++)
            mpz_clear(w->stir[n][j]);
    for (int s = 0; s < 2; s++) {
        mpz_block_free(w->U[s], u_len(w));
        mpz_block_free(w->CS[s], cs_len(w));
    }
    for (int s = 0; s < 3; s++)
        mpz_block_free(w->ser[s], ser_len(w));
    mpz_block_free(w->poly, w->D + 1);
    mpz_block_free(w->tmp, w->D + 1);
    mpz_block_free(w->K, k_len(w));
    mpz_clears(w->t1, w->t2, w->scale, NULL);
    if (w->m.e)
        memo_clear(&w->m);
}

static int ws_init(ws *w, const tkc_pattern *pat, int D)
{
    memset(w, 0, sizeof *w);
    w->k = pat->k;
    w->D = D;
    w->H = D / 2;
    mpz_inits(w->t1, w->t2, w->scale, NULL);
    for (int n = 0; n <= TKC_SERIES_ORDER_MAX + 1; n++) {
        w->binom[n][0] = 1;
        for (int j = 1; j <= n; j++)
            w->binom[n][j] = w->binom[n - 1][j - 1] + (j < n ? w->binom[n - 1][j] : 0);
    }
    /* Stirling numbers of the second kind S(n, j), n ≤ D + 2. */
    for (int n = 0; n <= TKC_SERIES_ORDER_MAX + 2; n++)
        for (int j = 0; j <= TKC_SERIES_ORDER_MAX + 2; j++)
            mpz_init(w->stir[n][j]);
    mpz_set_ui(w->stir[0][0], 1);
    for (int n = 1; n <= D + 2; n++)
        for (int j = 1; j <= n; j++) {
            mpz_mul_ui(w->stir[n][j], w->stir[n - 1][j], (unsigned long)j);
            mpz_add(w->stir[n][j], w->stir[n][j], w->stir[n - 1][j - 1]);
        }
    side_init(&w->sd[0], pat->x, w->k);
    side_init(&w->sd[1], pat->y, w->k);
    for (int t = 0; t < w->sd[0].ncls; t++)
        for (int t2 = 0; t2 < w->sd[1].ncls; t2++)
            if (w->sd[0].tok[t] == w->sd[1].tok[t2]) {
                w->shared_cls[0][w->nshared] = t;
                w->shared_cls[1][w->nshared] = t2;
                w->nshared++;
            }
    for (int s = 0; s < 2; s++) {
        w->U[s] = mpz_block(u_len(w));
        w->CS[s] = mpz_block(cs_len(w));
    }
    for (int s = 0; s < 3; s++)
        w->ser[s] = mpz_block(ser_len(w));
    w->poly = mpz_block(D + 1);
    w->tmp = mpz_block(D + 1);
    w->K = mpz_block(k_len(w));
    if (!w->U[0] || !w->U[1] || !w->CS[0] || !w->CS[1] || !w->ser[0] ||
        !w->ser[1] || !w->ser[2] || !w->poly || !w->tmp || !w->K ||
        memo_init(&w->m, 1024))
        return -1;
    /* scale = k^{D+1}: denominators of the softmax derivatives. */
    mpz_ui_pow_ui(w->scale, (unsigned long)w->k, (unsigned long)D + 1);
    return 0;
}

/* ---- softmax derivative of one shape ------------------------------------- */

/* ser[b][e * (D+1) + j]: a truncated exponential series whose e-th entry is
 * a polynomial in y. */
static mpz_ptr ser_at(ws *w, int b, int e, int j)
{
    return w->ser[b][(size_t)e * (w->D + 1) + j];
}

/* out = Σ_i C(n, i) A_i B_{n-i} for n = 0..tau (binomial convolution of
 * two series of polynomials); out, a, b are ser block indices. */
static void ser_binconv(ws *w, int out, int a, int b, int tau)
{
    int D = w->D;
    for (int n = 0; n <= tau; n++) {
        for (int j = 0; j <= D; j++)
            mpz_set_ui(ser_at(w, out, n, j), 0);
        for (int i = 0; i <= n; i++)
            for (int p = 0; p <= D; p++) {
                if (!mpz_sgn(ser_at(w, a, i, p)))
                    continue;
                for (int q = 0; p + q <= D; q++) {
                    if (!mpz_sgn(ser_at(w, b, n - i, q)))
                        continue;
                    mpz_mul(w->t1, ser_at(w, a, i, p), ser_at(w, b, n - i, q));
                    mpz_addmul_ui(ser_at(w, out, n, p + q), w->t1,
                                  (unsigned long)w->binom[n][i]);
                }
            }
    }
}

/* Moments of a marked or unmarked position, as polys in y, into block b:
 * entry e = E[R^{e + p}], R ~ Poisson(y) (+1 when marked). */
static void ser_position(ws *w, int b, int p, int marked, int tau)
{
    for (int e = 0; e <= tau; e++)
        for (int j = 0; j <= w->D; j++) {
            int n = e + p;
            if (j > n)
                mpz_set_ui(ser_at(w, b, e, j), 0);
            else
                mpz_set(ser_at(w, b, e, j),
                        marked ? w->stir[n + 1][j + 1] : w->stir[n][j]);
        }
}

/* poly *= F for one class descriptor d = [n, tau, s_a, cnt, pi...]. */
static void class_factor(ws *w, const uint8_t *d)
{
    int n = d[0], tau = d[1], sa = d[2], cnt = d[3], D = w->D;
    int m = n - cnt - (sa > 0);
    /* block 0: E[B^e], B ~ Poisson(m y) */
    for (int e = 0; e <= tau; e++)
        for (int j = 0; j <= D; j++) {
            if (j > e) {
                mpz_set_ui(ser_at(w, 0, e, j), 0);
                continue;
            }
            mpz_ui_pow_ui(w->t2, (unsigned long)m, (unsigned long)j);
            mpz_mul(ser_at(w, 0, e, j), w->stir[e][j], w->t2);
        }
    int cur = 0;
    for (int r = -1; r < cnt; r++) {
        if (r < 0 && !sa)
            continue;
        if (r < 0)
            ser_position(w, 1, sa - 1, 1, tau);
        else
            ser_position(w, 1, d[4 + r], 0, tau);
        ser_binconv(w, 2 - cur, cur, 1, tau);  /* 0 -> 2, 2 -> 0 */
        cur = 2 - cur;
    }
    /* poly *= ser[cur][tau] */
    for (int j = 0; j <= D; j++)
        mpz_set_ui(w->tmp[j], 0);
    for (int p = 0; p <= D; p++) {
        if (!mpz_sgn(w->poly[p]))
            continue;
        for (int q = 0; p + q <= D; q++)
            mpz_addmul(w->tmp[p + q], w->poly[p], ser_at(w, cur, tau, q));
    }
    for (int j = 0; j <= D; j++)
        mpz_swap(w->poly[j], w->tmp[j]);
}

/* out = k^{D+1} × the derivative of shape key. */
static void shape_value(ws *w, const uint8_t *key, size_t len, mpz_t out)
{
    int D = w->D;
    mpz_set_ui(w->poly[0], 1);
    for (int j = 1; j <= D; j++)
        mpz_set_ui(w->poly[j], 0);
    for (size_t off = 0; off < len; off += 4 + key[off + 3])
        class_factor(w, key + off);
    /* Σ_J (−1)^J J! k^{D−J} P_J */
    mpz_set_ui(out, 0);
    for (int J = 0; J <= D; J++) {
        if (!mpz_sgn(w->poly[J]))
            continue;
        mpz_fac_ui(w->t1, (unsigned long)J);
        mpz_ui_pow_ui(w->t2, (unsigned long)w->k, (unsigned long)(D - J));
        mpz_mul(w->t1, w->t1, w->t2);
        mpz_mul(w->t1, w->t1, w->poly[J]);
        if (J % 2)
            mpz_sub(out, out, w->t1);
        else
            mpz_add(out, out, w->t1);
    }
}

/* Class descriptors of side s's current multi-index: for each class that
 * carries something, [n, τ, s_a, cnt, π...] with s_a = 0 (no marked
 * position) and the positive position exponents sorted in decreasing order.
 * Returns how many; cls[] says which class each one is. */
typedef struct descs {
    int n;
    int cls[TKC_K_MAX];
    int len[TKC_K_MAX];
    uint8_t d[TKC_K_MAX][4 + TKC_SERIES_ORDER_MAX + 2];
} descs;

static void descs_build(const ws *w, int s, descs *ds)
{
    const side *sd = &w->sd[s];
    ds->n = 0;
    for (int t = 0; t < sd->ncls; t++) {
        int tau = w->tau[s][t];
        if (!tau && !w->npi[s][t])
            continue;
        uint8_t *d = ds->d[ds->n];
        int cnt = 0;
        for (int r = 0; r < sd->size[t]; r++) {
            int v = w->pi[s][sd->pos[t][r]];
            if (v > 0) {           /* insertion, decreasing */
                int j = cnt++;
                while (j > 0 && d[4 + j - 1] < v) {
                    d[4 + j] = d[4 + j - 1];
                    j--;
                }
                d[4 + j] = (uint8_t)v;
            }
        }
        d[0] = (uint8_t)sd->size[t];
        d[1] = (uint8_t)tau;
        d[2] = 0;
        d[3] = (uint8_t)cnt;
        ds->cls[ds->n] = t;
        ds->len[ds->n++] = 4 + cnt;
    }
}

static int desc_less(const uint8_t *a, int la, const uint8_t *b, int lb)
{
    int c = memcmp(a, b, (size_t)(la < lb ? la : lb));
    return c < 0 || (c == 0 && la < lb);
}

/* The shape key: the descriptors in sorted order, descriptor `mod` (or -1)
 * replaced by alt[0 .. alt_len-1] (or dropped when alt_len is 0). */
static size_t shape_key(const descs *ds, int mod, const uint8_t *alt,
                        int alt_len, uint8_t *key)
{
    const uint8_t *p[TKC_K_MAX];
    int l[TKC_K_MAX], n = 0;
    for (int i = 0; i < ds->n; i++) {
        const uint8_t *d = i == mod ? alt : ds->d[i];
        int len = i == mod ? alt_len : ds->len[i];
        if (!len)
            continue;
        int j = n++;
        while (j > 0 && desc_less(d, len, p[j - 1], l[j - 1])) {
            p[j] = p[j - 1];
            l[j] = l[j - 1];
            j--;
        }
        p[j] = d;
        l[j] = len;
    }
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        memcpy(key + len, p[i], (size_t)l[i]);
        len += (size_t)l[i];
    }
    return len;
}

/* The cached k^{D+1} × derivative of a shape; NULL on ENOMEM. */
static mpz_srcptr derivative(ws *w, const uint8_t *key, size_t len)
{
    uint32_t h = key_hash(key, len);
    memo_entry *e = memo_slot(&w->m, key, len, h);
    if (e->key)
        return e->val;
    if (2 * (w->m.n + 1) > w->m.cap) {
        if (memo_grow(&w->m))
            return NULL;
        e = memo_slot(&w->m, key, len, h);
    }
    e->key = malloc(len ? len : 1);
    if (!e->key)
        return NULL;
    memcpy(e->key, key, len);
    e->len = (uint16_t)len;
    e->hash = h;
    mpz_init(e->val);
    w->m.n++;
    shape_value(w, key, len, e->val);
    return e->val;
}

/* Derivative seen from a position a of class t with exponent pa: the
 * class's descriptor gains the mark s_a = pa + 1 and loses one pa from its
 * list.  A class carrying nothing but an unmarked a is dropped. */
static mpz_srcptr derivative_at(ws *w, const descs *ds, int t, int pa)
{
    uint8_t key[KEY_MAX], alt[4 + TKC_SERIES_ORDER_MAX + 2];
    int mod = -1;
    for (int i = 0; i < ds->n; i++)
        if (ds->cls[i] == t)
            mod = i;
    if (mod < 0)               /* τ = 0 and no exponent: a is irrelevant */
        return derivative(w, key, shape_key(ds, -1, NULL, 0, key));
    const uint8_t *d = ds->d[mod];
    int cnt = d[3], alt_len = 0;
    if (d[1] > 0 || pa > 0) {
        memcpy(alt, d, 4);
        alt[2] = (uint8_t)(pa + 1);
        int removed = pa == 0, c = 0;
        for (int r = 0; r < cnt; r++) {
            if (!removed && d[4 + r] == pa) {
                removed = 1;
                continue;
            }
            alt[4 + c++] = d[4 + r];
        }
        alt[3] = (uint8_t)c;
        alt_len = 4 + c;
    } else {                   /* τ = 0, a unmarked: a plays no role */
        memcpy(alt, d, (size_t)(4 + cnt));
        alt_len = 4 + cnt;
    }
    return derivative(w, key, shape_key(ds, mod, alt, alt_len, key));
}

/* ---- the u-side sums U_a(i, μ) ------------------------------------------ */

static mpz_ptr U_at(ws *w, int s, int i, int e, int a)
{
    return w->U[s][((size_t)i * (w->H + 1) + e) * w->k + a];
}

/* U[s][i][e][a] += mult × derivative seen from a, for every a.  Positions
 * of one class with equal exponent see the same shape: one lookup each. */
static void side_add(ws *w, int s, int i, int e, uint64_t mult)
{
    descs ds;
    descs_build(w, s, &ds);
    const side *sd = &w->sd[s];
    for (int t = 0; t < sd->ncls; t++) {
        int done[TKC_SERIES_ORDER_MAX + 2] = {0};
        mpz_srcptr val[TKC_SERIES_ORDER_MAX + 2];
        for (int r = 0; r < sd->size[t]; r++) {
            int a = sd->pos[t][r], pa = w->pi[s][a];
            if (!done[pa]) {
                val[pa] = derivative_at(w, &ds, t, pa);
                if (!val[pa]) {
                    w->failed = 1;
                    return;
                }
                done[pa] = 1;
            }
            if (mpz_sgn(val[pa]))
                mpz_addmul_ui(U_at(w, s, i, e, a), val[pa], (unsigned long)mult);
        }
    }
}

/* Multisets ν of side-s links from index `from`, within budget: link l < ncls
 * is a token class (τ += 2), else position l − ncls (π += 2).  i = |ν|,
 * e = position units, mult = i!/ν!, last_cnt = count of the last link. */
static void side_enum(ws *w, int s, int from, int budget, int i, int e,
                      uint64_t mult, int last_cnt)
{
    side_add(w, s, i, e, mult);
    if (!budget || w->failed)
        return;
    int ncls = w->sd[s].ncls, nl = ncls + w->k;
    for (int l = from; l < nl; l++) {
        int cnt = (l == from) ? last_cnt + 1 : 1;
        uint64_t m2 = (uint64_t)((unsigned __int128)mult * (unsigned)(i + 1) / (unsigned)cnt);
        if (l < ncls) {
            w->tau[s][l] += 2;
            side_enum(w, s, l, budget - 1, i + 1, e, m2, cnt);
            w->tau[s][l] -= 2;
        } else {
            int c = l - ncls, t = w->sd[s].cls_of[c];
            if (!w->pi[s][c]++)
                w->npi[s][t]++;
            w->pi[s][c]++;
            side_enum(w, s, l, budget - 1, i + 1, e + 1, m2, cnt);
            w->pi[s][c] -= 2;
            if (!w->pi[s][c])
                w->npi[s][t]--;
        }
        if (w->failed)
            return;
    }
}

/* ---- contraction over M and accumulation -------------------------------- */

static mpz_ptr CS_at(ws *w, int s, int i, int e, int l)
{
    return w->CS[s][((size_t)i * (w->H + 1) + e) * (w->nshared + 1) + l];
}

static void contract(ws *w)
{
    int H = w->H, B = H - w->mu_size, k = w->k;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i <= B; i++)
            for (int e = 0; e <= i; e++)
                for (int l = 0; l < w->nshared; l++) {
                    mpz_ptr cs = CS_at(w, s, i, e, l);
                    mpz_set_ui(cs, 0);
                    const side *sd = &w->sd[s];
                    int t = w->shared_cls[s][l];
                    for (int r = 0; r < sd->size[t]; r++)
                        mpz_add(cs, cs, U_at(w, s, i, e, sd->pos[t][r]));
                }
    mpz_t factor, sum;
    mpz_inits(factor, sum, NULL);
    for (int i = 0; i <= B; i++)
        for (int i2 = 0; i + i2 <= B; i2++) {
            int m = w->mu_size + i + i2;
            /* L / (2^{i+i2} i! i2! μ!), L = 2^H H! */
            mpz_fac_ui(factor, (unsigned long)H);
            mpz_mul_2exp(factor, factor, (unsigned long)(H - i - i2));
            mpz_fac_ui(sum, (unsigned long)i);
            mpz_divexact(factor, factor, sum);
            mpz_fac_ui(sum, (unsigned long)i2);
            mpz_divexact(factor, factor, sum);
            mpz_divexact_ui(factor, factor, (unsigned long)w->mu_fact);
            for (int e1 = 0; e1 <= i; e1++)
                for (int e2 = 0; e2 <= i2; e2++) {
                    int e = e1 + e2 + w->mu_pos;
                    mpz_set_ui(sum, 0);
                    for (int l = 0; l < w->nshared; l++)
                        mpz_addmul(sum, CS_at(w, 0, i, e1, l), CS_at(w, 1, i2, e2, l));
                    mpz_addmul(w->K[(size_t)m * (H + 2) + e], sum, factor);
                    mpz_set_ui(sum, 0);
                    for (int c = 0; c < k; c++)
                        mpz_addmul(sum, U_at(w, 0, i, e1, c), U_at(w, 1, i2, e2, c));
                    mpz_addmul(w->K[(size_t)m * (H + 2) + e + 1], sum, factor);
                }
        }
    mpz_clears(factor, sum, NULL);
}

static void process_mu(ws *w)
{
    int B = w->H - w->mu_size;
    for (int s = 0; s < 2 && !w->failed; s++) {
        for (size_t n = 0; n < u_len(w); n++)
            mpz_set_ui(w->U[s][n], 0);
        side_enum(w, s, 0, B, 0, 0, 1, 0);
    }
    if (!w->failed)
        contract(w);
}

/* Multisets μ of cross links from index `from`: l < nshared is a shared
 * token (τ += 1 on both sides), else position l − nshared (π += 1). */
static void mu_enum(ws *w, int from, int last_cnt)
{
    process_mu(w);
    if (w->mu_size == w->H || w->failed)
        return;
    int nl = w->nshared + w->k;
    for (int l = from; l < nl; l++) {
        int cnt = (l == from) ? last_cnt + 1 : 1;
        uint64_t saved = w->mu_fact;
        w->mu_fact *= (uint64_t)cnt;
        w->mu_size++;
        if (l < w->nshared) {
            for (int s = 0; s < 2; s++)
                w->tau[s][w->shared_cls[s][l]]++;
            mu_enum(w, l, cnt);
            for (int s = 0; s < 2; s++)
                w->tau[s][w->shared_cls[s][l]]--;
        } else {
            int c = l - w->nshared;
            w->mu_pos++;
            for (int s = 0; s < 2; s++) {
                if (!w->pi[s][c]++)
                    w->npi[s][w->sd[s].cls_of[c]]++;
            }
            mu_enum(w, l, cnt);
            for (int s = 0; s < 2; s++) {
                if (!--w->pi[s][c])
                    w->npi[s][w->sd[s].cls_of[c]]--;
            }
            w->mu_pos--;
        }
        w->mu_size--;
        w->mu_fact = saved;
        if (w->failed)
            return;
    }
}

/* ---- entry points ------------------------------------------------------- */

static int check_pattern(const tkc_pattern *pat, tkc_error *err)
{
    if (!pat || pat->k < 1 || pat->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "series: string length must be in "
                        "[1, %d]", TKC_K_MAX);
    return TKC_SUCCESS;
}

int tkc_series_compute(tkc_series *s, const tkc_pattern *pat, tkc_error *err)
{
    if (check_pattern(pat, err))
        return TKC_EINPUT;
    ws w;
    if (ws_init(&w, pat, s->order)) {
        ws_free(&w);
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory (k = %d, "
                        "order %d)", pat->k, s->order);
    }
    w.mu_fact = 1;
    mu_enum(&w, 0, 0);
    if (w.failed) {
        ws_free(&w);
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory in the "
                        "derivative cache (k = %d, order %d)", pat->k, s->order);
    }
    /* divide by L k^{2(D+1)} */
    mpz_t den;
    mpz_init(den);
    mpz_fac_ui(den, (unsigned long)w.H);
    mpz_mul_2exp(den, den, (unsigned long)w.H);
    mpz_mul(den, den, w.scale);
    mpz_mul(den, den, w.scale);
    for (int i = 0; i < s->nbeta; i++)
        for (int j = 0; j < s->ngamma; j++) {
            mpq_ptr q = tkc_series_coeff(s, i, j);
            mpq_set_num(q, w.K[(size_t)i * (w.H + 2) + j]);
            mpq_set_den(q, den);
            mpq_canonicalize(q);
        }
    mpz_clear(den);
    ws_free(&w);
    return TKC_SUCCESS;
}

/* Relabel tokens in order of first appearance, x then y. */
static void relabel(tkc_pattern *pat, const tkc_token *x, const tkc_token *y,
                    size_t k)
{
    tkc_token seen[2 * TKC_K_MAX];
    int n = 0;
    pat->k = (uint8_t)k;
    for (size_t r = 0; r < 2 * k; r++) {
        tkc_token t = r < k ? x[r] : y[r - k];
        int id = 0;
        while (id < n && seen[id] != t)
            id++;
        if (id == n)
            seen[n++] = t;
        if (r < k)
            pat->x[r] = (uint8_t)id;
        else
            pat->y[r - k] = (uint8_t)id;
    }
    pat->ntokens = (uint8_t)n;
}

int tkc_series_compute_pair(tkc_series *s, const tkc_token *x,
                            const tkc_token *y, size_t k, tkc_error *err)
{
    if (k < 1 || k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT, "series: string length must be in "
                        "[1, %d], got %zu", TKC_K_MAX, k);
    tkc_pattern pat;
    memset(&pat, 0, sizeof pat);
    relabel(&pat, x, y, k);
    return tkc_series_compute(s, &pat, err);
}

static double binom_d(int n, int r)
{
    double b = 1;
    for (int i = 1; i <= r; i++)
        b = b * (n - r + i) / i;
    return b;
}

double tkc_series_cost(const tkc_pattern *pat, int order)
{
    if (!pat || pat->k < 1)
        return 0;
    int k = pat->k, H = order / 2;
    int inx[256] = {0}, iny[256] = {0}, nx = 0, ny = 0, nsh = 0;
    for (int c = 0; c < k; c++) {
        if (!inx[pat->x[c]]++)
            nx++;
        if (!iny[pat->y[c]]++)
            ny++;
    }
    for (int t = 0; t < 256; t++)
        nsh += inx[t] && iny[t];
    int Lc = nsh + k, Ls = (nx > ny ? nx : ny) + k;
    double cost = 0;
    for (int l = 0; l <= H; l++)
        cost += binom_d(Lc + l - 1, l) * binom_d(Ls + H - l, H - l);
    return 2.0 * k * cost;
}

/* ---- summation ---------------------------------------------------------- */

/* Relative size below which a coefficient c_i(γ²) counts as vanishing:
 * far below 1 and far above the 2^-53 that a double γ carries. */
#define VANISHING 0x1p-40

int tkc_series_sum(const tkc_series *s, double beta, double gamma, long prec,
                   int fixed_order, double *value, double *se,
                   mpfr_t value_fr, tkc_series_sum_info *info, tkc_error *err)
{
    if (!isfinite(beta) || !isfinite(gamma))
        return tkc_fail(err, TKC_EINPUT, "series: beta and gamma must be "
                        "finite");
    if (prec < MPFR_PREC_MIN || prec > 1 << 16)
        return tkc_fail(err, TKC_EINPUT, "series: precision must be in "
                        "[%d, 65536] bits, got %ld", (int)MPFR_PREC_MIN, prec);
    if (fixed_order < 0 || fixed_order % 2)
        return tkc_fail(err, TKC_EINPUT, "series: the order summed must be "
                        "even (K_attn is even in beta) and >= 0, got %d",
                        fixed_order);
    if (fixed_order > 0 && fixed_order + 2 > s->order)
        return tkc_fail(err, TKC_EINPUT, "series: order %d needs a table of "
                        "order %d for its error estimate (have %d)",
                        fixed_order, fixed_order + 2, s->order);
    int n = s->nbeta;
    mpfr_t g, b2, pw, *t, sum, mag;
    t = malloc((size_t)n * sizeof *t);
    if (!t)
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory");
    mpfr_inits2((mpfr_prec_t)prec + 16, g, b2, pw, sum, mag, (mpfr_ptr)0);
    mpfr_set_d(g, gamma, MPFR_RNDN);          /* exact: double fits */
    mpfr_sqr(g, g, MPFR_RNDN);
    mpfr_set_d(b2, beta, MPFR_RNDN);
    mpfr_sqr(b2, b2, MPFR_RNDN);
    mpfr_set_ui(pw, 1, MPFR_RNDN);
    for (int i = 0; i < n; i++) {
        mpfr_init2(t[i], (mpfr_prec_t)prec + 16);
        tkc_series_beta_coeff_fr(t[i], s, i, g);
        mpfr_mul(t[i], t[i], pw, MPFR_RNDN);
        mpfr_mul(pw, pw, b2, MPFR_RNDN);
    }
    /* A term vanishes at this γ when c_i(γ²) is zero, or cancels below
     * VANISHING of the sum of its parts' magnitudes Σ_j |c_ij| γ^{2j}: zero
     * within what a double γ determines (γ² = 2/3 as a double leaves a
     * c_i ~ 1e-17 where the exact one is 0).  A vanishing term says
     * nothing of the error: the estimate below skips it. */
    char *vanishes = calloc((size_t)n, 1);
    if (!vanishes) {
        for (int i = 0; i < n; i++)
            mpfr_clear(t[i]);
        free(t);
        mpfr_clears(g, b2, pw, sum, mag, (mpfr_ptr)0);
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory");
    }
    for (int i = 0; i < n; i++) {
        mpfr_set_zero(mag, 1);
        for (int j = s->ngamma - 1; j >= 0; j--) {
            mpfr_mul(mag, mag, g, MPFR_RNDN);
            mpfr_add_d(mag, mag, fabs(mpq_get_d(tkc_series_coeff(s, i, j))),
                       MPFR_RNDN);
        }
        double parts = mpfr_get_d(mag, MPFR_RNDN), ci;
        mpfr_set_zero(pw, 1);
        tkc_series_beta_coeff_fr(pw, s, i, g);
        ci = mpfr_get_d(pw, MPFR_RNDN);
        vanishes[i] = fabs(ci) <= VANISHING * parts;
    }
    /* stop = first index not summed: after fixed_order, or before the
     * smallest term of index >= 1 that does not vanish; n when no such
     * term is in the table */
    int stop = n;
    if (fixed_order > 0) {
        stop = fixed_order / 2 + 1;
    } else {
        for (int i = 1; i < n; i++)
            if (!vanishes[i] &&
                (stop == n || mpfr_cmpabs(t[i], t[stop]) < 0))
                stop = i;
    }
    mpfr_set_zero(sum, 1);
    mpfr_set_zero(mag, 1);
    for (int i = 0; i < stop; i++) {
        mpfr_add(sum, sum, t[i], MPFR_RNDN);
        mpfr_abs(pw, t[i], MPFR_RNDN);
        mpfr_add(mag, mag, pw, MPFR_RNDN);
    }
    double v = mpfr_get_d(sum, MPFR_RNDN);
    /* truncation estimate: the first omitted term that does not vanish;
     * when the table
     * holds none (order 0, or only vanishing terms past the sum), the range
     * K_attn lies in, [0, 1 + γ²], is all that is known: the distance to
     * its far end bounds the error.  Plus a generous bound on rounding
     * (n ops of relative size 2^-prec each, on the terms' magnitudes). */
    int omitted = stop;
    while (omitted < n && vanishes[omitted])
        omitted++;
    free(vanishes);
    double e = omitted < n ? fabs(mpfr_get_d(t[omitted], MPFR_RNDU))
                           : fmax(fabs(v), fabs(1 + gamma * gamma - v));
    e += ldexp(mpfr_get_d(mag, MPFR_RNDU) * (4.0 * n + 8.0), -(int)prec);
    if (value)
        *value = v;
    if (se)
        *se = e;
    if (value_fr)
        mpfr_set(value_fr, sum, MPFR_RNDN);
    if (info) {
        info->order_used = 2 * (stop - 1);
        info->smallest_at = stop;
        info->at_end = fixed_order == 0 && stop >= n - 1;
    }
    for (int i = 0; i < n; i++)
        mpfr_clear(t[i]);
    free(t);
    mpfr_clears(g, b2, pw, sum, mag, (mpfr_ptr)0);
    return TKC_SUCCESS;
}
