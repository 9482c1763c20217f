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
 * kind), all integers.  So k^{n+1} × a derivative of order n is an
 * integer, everything below is mpz, and one division at the end gives the
 * rationals: the terms of β^{2m} share the scale 2^m m! k^{2m+2}.
 *
 * Token symmetry: the derivative depends only on the *shape* of the
 * multi-index (per class: size, token exponent, the marked position's
 * exponent, the sorted exponents of the other positions), so it is cached
 * by shape; classes that carry nothing are dropped.  The cached value
 * depends on k and the shape only, so one tkc_series_cache serves every
 * pair of strings of length k at every order.
 *
 * Two truncations.  The table of an order D (tkc_series_compute) holds every
 * β^{2i} γ^{2j} with 2i <= D: every link costs one power of β².  A total
 * order D (tkc_series_compute_graded) keeps 2a + 2b <= D: a position link
 * costs β²γ², so it counts twice against the budget, and the diagonal of M
 * once more.  That prunes most position links: at k = 11 the total order
 * 10 costs about what the table of order 6 does (7 ms), the total order 6
 * 1/25 of it (bench/bench_generic.c).
 *
 * Cost.  With H = D/2, L_x = (#tokens of x) + k, L_c = (#shared tokens) + k,
 * the table's work is about Σ_l C(L_c+l−1, l) · C(L_x+H−l, H−l) · k cache
 * lookups per side, i.e. polynomial of degree H in k: O(k^{2H}/(H!)²)-ish
 * for fixed D, and growing like C(L+H, H) in D for fixed k.
 * tkc_series_cost returns that count, tkc_series_cost_graded the count of
 * the graded run (multisets weighted by cost). */
#include "tkc/series.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmpvec.h"
#include "series_cache.h"

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

/* ---- the graded monomial order ------------------------------------------ */

/* Degree n = a + b holds the monomials with b <= a + 1, i.e. 2b <= n + 1:
 * b = 0 .. (n + 1) / 2, in that order (β-heavier first). */
static int degree_size(int n) { return (n + 1) / 2 + 1; }

size_t tkc_series_monomials(int total_order)
{
    if (total_order < 0 || total_order % 2 ||
        total_order > TKC_SERIES_ORDER_MAX)
        return 0;
    size_t m = 0;
    for (int n = 0; n <= total_order / 2; n++)
        m += (size_t)degree_size(n);
    return m;
}

void tkc_series_monomial(size_t index, int *a, int *b)
{
    int n = 0;
    while (index >= (size_t)degree_size(n))
        index -= (size_t)degree_size(n++);
    *b = (int)index;
    *a = n - (int)index;
}

long tkc_series_monomial_index(int a, int b)
{
    if (a < 0 || b < 0 || b > a + 1)
        return -1;
    long idx = 0;
    for (int n = 0; n < a + b; n++)
        idx += degree_size(n);
    return idx + b;
}

int tkc_series_monomial_name(char *buf, size_t size, int a, int b)
{
    if (a > 0 && b > 0)
        return snprintf(buf, size, "β^%dγ^%d", 2 * a, 2 * b);
    if (b > 0)
        return snprintf(buf, size, "γ^%d", 2 * b);
    return snprintf(buf, size, "β^%d", 2 * a);
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

/* ---- the pair workspace -------------------------------------------------- */

/* Which coefficients a run computes.  Every cross or side link raises the
 * power of β² by one; a position link also raises the power of γ² by one,
 * and the diagonal of M (g δ_ab) raises it once more.
 *   BETA    all β^{2m} γ^{2e} with m <= limit (the table of an order):
 *           links cost 1 each;
 *   GRADED  all with m + e <= limit (a total order): token links cost 1,
 *           position links 2, the diagonal 1. */
enum { RUN_BETA, RUN_GRADED };

typedef struct ws {
    int k, limit, pos_cost, graded;
    tkc_series_cache *c;
    side sd[2];
    int nshared;
    int shared_cls[2][TKC_K_MAX];   /* class of each shared token per side */
    /* the current multi-index of each side: token-class and position exps */
    int tau[2][TKC_K_MAX];
    int pi[2][TKC_K_MAX];
    int npi[2][TKC_K_MAX];          /* positions with pi > 0, per class    */
    /* U[s][(i * (limit+1) + e) * k + a], scale k^{2i+|μ|+1} (i!/ν! incl.) */
    mpz_t *U[2];
    mpz_t *CS[2];                   /* class sums over shared tokens       */
    /* the current cross multiset: size, position links, Π multiplicity! */
    int mu_size, mu_pos;
    uint64_t mu_fact;
    /* K[m * (limit+2) + e] = 2^m m! k^{2m+2} × coefficient of β^{2m} γ^{2e} */
    mpz_t *K;
    mpz_t factor, sum;
    int failed;
} ws;

static size_t u_len(const ws *w) { return (size_t)(w->limit + 1) * (w->limit + 1) * w->k; }
static size_t cs_len(const ws *w) { return (size_t)(w->limit + 1) * (w->limit + 1) * (w->nshared + 1); }
static size_t k_len(const ws *w) { return (size_t)(w->limit + 1) * (w->limit + 2); }

static void ws_free(ws *w)
{
    for (int s = 0; s < 2; s++) {
        tkc_mpz_vec_free(w->U[s], u_len(w));
        tkc_mpz_vec_free(w->CS[s], cs_len(w));
    }
    tkc_mpz_vec_free(w->K, k_len(w));
    mpz_clears(w->factor, w->sum, NULL);
}

static int ws_init(ws *w, const tkc_pattern *pat, int limit, int run,
                   tkc_series_cache *c)
{
    memset(w, 0, sizeof *w);
    w->k = pat->k;
    w->limit = limit;
    w->graded = run == RUN_GRADED;
    w->pos_cost = w->graded ? 2 : 1;
    w->c = c;
    w->mu_fact = 1;
    mpz_inits(w->factor, w->sum, NULL);
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
        w->U[s] = tkc_mpz_vec_alloc(u_len(w));
        w->CS[s] = tkc_mpz_vec_alloc(cs_len(w));
    }
    w->K = tkc_mpz_vec_alloc(k_len(w));
    if (!w->U[0] || !w->U[1] || !w->CS[0] || !w->CS[1] || !w->K)
        return -1;
    return 0;
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

/* Derivative seen from a position a of class t with exponent pa: the
 * class's descriptor gains the mark s_a = pa + 1 and loses one pa from its
 * list.  A class carrying nothing but an unmarked a is dropped. */
static mpz_srcptr derivative_at(ws *w, const descs *ds, int t, int pa)
{
    uint8_t key[TKC_SERIES_KEY_MAX], alt[4 + TKC_SERIES_ORDER_MAX + 2];
    int mod = -1;
    for (int i = 0; i < ds->n; i++)
        if (ds->cls[i] == t)
            mod = i;
    if (mod < 0)               /* τ = 0 and no exponent: a is irrelevant */
        return tkc_series_cache_derivative(w->c, key,
                                           shape_key(ds, -1, NULL, 0, key));
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
    return tkc_series_cache_derivative(w->c, key,
                                       shape_key(ds, mod, alt, alt_len, key));
}

/* ---- the u-side sums U_a(i, μ) ------------------------------------------ */

static mpz_ptr U_at(ws *w, int s, int i, int e, int a)
{
    return w->U[s][((size_t)i * (w->limit + 1) + e) * w->k + a];
}

/* U[s][i][e][a] += mult × derivative seen from a, for every a.  Positions
 * of one class with equal exponent see the same shape: one lookup each,
 * used at once (a later lookup may move the memo's entries). */
static void side_add(ws *w, int s, int i, int e, uint64_t mult)
{
    descs ds;
    descs_build(w, s, &ds);
    const side *sd = &w->sd[s];
    for (int t = 0; t < sd->ncls; t++) {
        int done[TKC_SERIES_ORDER_MAX + 2] = {0};
        for (int r = 0; r < sd->size[t]; r++) {
            int pa = w->pi[s][sd->pos[t][r]];
            if (done[pa])
                continue;
            done[pa] = 1;
            mpz_srcptr val = derivative_at(w, &ds, t, pa);
            if (!val) {
                w->failed = 1;
                return;
            }
            if (!mpz_sgn(val))
                continue;
            for (int r2 = r; r2 < sd->size[t]; r2++) {
                int a = sd->pos[t][r2];
                if (w->pi[s][a] == pa)
                    mpz_addmul_ui(U_at(w, s, i, e, a), val, (unsigned long)mult);
            }
        }
    }
}

/* Multisets ν of side-s links from index `from`, within budget: link l < ncls
 * is a token class (τ += 2, cost 1), else position l − ncls (π += 2, cost
 * pos_cost).  i = |ν|, e = position links, mult = i!/ν!, last_cnt = count
 * of the last link. */
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
            if (budget < w->pos_cost)
                break;
            int c = l - ncls, t = w->sd[s].cls_of[c];
            if (!w->pi[s][c]++)
                w->npi[s][t]++;
            w->pi[s][c]++;
            side_enum(w, s, l, budget - w->pos_cost, i + 1, e + 1, m2, cnt);
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
    return w->CS[s][((size_t)i * (w->limit + 1) + e) * (w->nshared + 1) + l];
}

/* The cost of a side multiset with i links, e of them positions. */
static int side_cost(const ws *w, int i, int e)
{
    return i + (w->pos_cost - 1) * e;
}

/* K += the terms of the current μ, each side within budget B:
 *   K[m][e]     += factor · Σ_l CS_l CS'_l    (M's token matches)
 *   K[m][e + 1] += factor · Σ_c U_c U'_c      (M's diagonal, g δ_ab)
 * with m = |μ| + i + i', e = e1 + e2 + μ's position links and
 * factor = 2^{m−i−i'} m! / (i! i'! μ!), which puts every term of β^{2m} on
 * the common scale 2^m m! k^{2m+2}. */
static void contract(ws *w, int B)
{
    int k = w->k, mu_cost = w->limit - B;
    tkc_series_cache *c = w->c;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i <= B; i++)
            for (int e = 0; e <= i && side_cost(w, i, e) <= B; e++)
                for (int l = 0; l < w->nshared; l++) {
                    mpz_ptr cs = CS_at(w, s, i, e, l);
                    mpz_set_ui(cs, 0);
                    const side *sd = &w->sd[s];
                    int t = w->shared_cls[s][l];
                    for (int r = 0; r < sd->size[t]; r++)
                        mpz_add(cs, cs, U_at(w, s, i, e, sd->pos[t][r]));
                }
    for (int i = 0; i <= B; i++)
        for (int i2 = 0; i + i2 <= B; i2++) {
            int m = w->mu_size + i + i2;
            mpz_mul_2exp(w->factor, c->fact[m], (unsigned long)(m - i - i2));
            mpz_divexact(w->factor, w->factor, c->fact[i]);
            mpz_divexact(w->factor, w->factor, c->fact[i2]);
            mpz_divexact_ui(w->factor, w->factor, (unsigned long)w->mu_fact);
            for (int e1 = 0; e1 <= i && side_cost(w, i, e1) <= B; e1++) {
                int c1 = side_cost(w, i, e1);
                for (int e2 = 0; e2 <= i2 && c1 + side_cost(w, i2, e2) <= B;
                     e2++) {
                    int e = e1 + e2 + w->mu_pos;
                    mpz_ptr Km = w->K[(size_t)m * (w->limit + 2) + e];
                    if (w->nshared) {
                        mpz_set_ui(w->sum, 0);
                        for (int l = 0; l < w->nshared; l++)
                            mpz_addmul(w->sum, CS_at(w, 0, i, e1, l),
                                       CS_at(w, 1, i2, e2, l));
                        mpz_addmul(Km, w->sum, w->factor);
                    }
                    if (w->graded &&
                        mu_cost + c1 + side_cost(w, i2, e2) + 1 > w->limit)
                        continue;
                    mpz_set_ui(w->sum, 0);
                    for (int a = 0; a < k; a++)
                        mpz_addmul(w->sum, U_at(w, 0, i, e1, a),
                                   U_at(w, 1, i2, e2, a));
                    mpz_addmul(w->K[(size_t)m * (w->limit + 2) + e + 1],
                               w->sum, w->factor);
                }
            }
        }
}

static void process_mu(ws *w, int B)
{
    for (int s = 0; s < 2 && !w->failed; s++) {
        for (size_t n = 0; n < u_len(w); n++)
            mpz_set_ui(w->U[s][n], 0);
        side_enum(w, s, 0, B, 0, 0, 1, 0);
    }
    if (!w->failed)
        contract(w, B);
}

/* Multisets μ of cross links from index `from`, within budget: l < nshared
 * is a shared token (τ += 1 on both sides, cost 1), else position
 * l − nshared (π += 1 on both sides, cost pos_cost). */
static void mu_enum(ws *w, int from, int last_cnt, int budget)
{
    process_mu(w, budget);
    if (!budget || w->failed)
        return;
    int nl = w->nshared + w->k;
    for (int l = from; l < nl; l++) {
        int cnt = (l == from) ? last_cnt + 1 : 1;
        if (l >= w->nshared && budget < w->pos_cost)
            break;
        uint64_t saved = w->mu_fact;
        w->mu_fact *= (uint64_t)cnt;
        w->mu_size++;
        if (l < w->nshared) {
            for (int s = 0; s < 2; s++)
                w->tau[s][w->shared_cls[s][l]]++;
            mu_enum(w, l, cnt, budget - 1);
            for (int s = 0; s < 2; s++)
                w->tau[s][w->shared_cls[s][l]]--;
        } else {
            int c = l - w->nshared;
            w->mu_pos++;
            for (int s = 0; s < 2; s++) {
                if (!w->pi[s][c]++)
                    w->npi[s][w->sd[s].cls_of[c]]++;
            }
            mu_enum(w, l, cnt, budget - w->pos_cost);
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

/* One run over all cross and side multisets within `limit`; w->K holds the
 * scaled coefficients on success. */
static int series_run(ws *w, const tkc_pattern *pat, int limit, int run,
                      tkc_series_cache *c, tkc_error *err)
{
    if (ws_init(w, pat, limit, run, c))
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory (k = %d, "
                        "order %d)", pat->k, 2 * limit);
    mu_enum(w, 0, 0, limit);
    if (w->failed)
        return tkc_fail(err, TKC_ENOMEM, "series: out of memory in the "
                        "derivative cache (k = %d, order %d)", pat->k,
                        2 * limit);
    return TKC_SUCCESS;
}

/* q = K[m][e] / (2^m m! k^{2m+2}), exactly. */
static void coefficient_of(mpq_ptr q, ws *w, int m, int e, mpz_t den)
{
    mpz_mul_2exp(den, w->c->fact[m], (unsigned long)m);
    mpz_mul(den, den, w->c->kpow[m + 1]);
    mpz_mul(den, den, w->c->kpow[m + 1]);
    mpq_set_num(q, w->K[(size_t)m * (w->limit + 2) + e]);
    mpq_set_den(q, den);
    mpq_canonicalize(q);
}

int tkc_series_compute(tkc_series *s, const tkc_pattern *pat, tkc_error *err)
{
    if (check_pattern(pat, err))
        return TKC_EINPUT;
    tkc_series_cache *c = tkc_series_cache_alloc(pat->k, err);
    if (!c)
        return err ? err->status : TKC_ENOMEM;
    ws w;
    int rc = series_run(&w, pat, s->order / 2, RUN_BETA, c, err);
    if (rc == TKC_SUCCESS) {
        mpz_t den;
        mpz_init(den);
        for (int i = 0; i < s->nbeta; i++)
            for (int j = 0; j < s->ngamma; j++)
                coefficient_of(tkc_series_coeff(s, i, j), &w, i, j, den);
        mpz_clear(den);
    }
    ws_free(&w);
    tkc_series_cache_free(c);
    return rc;
}

int tkc_series_compute_graded(mpq_t *coef, const tkc_pattern *pat,
                              int total_order, tkc_series_cache *cache,
                              tkc_error *err)
{
    if (check_pattern(pat, err))
        return TKC_EINPUT;
    if (!tkc_series_monomials(total_order))
        return tkc_fail(err, TKC_EINPUT, "series: total order must be even "
                        "and in [0, %d], got %d", TKC_SERIES_ORDER_MAX,
                        total_order);
    if (!cache || cache->k != pat->k)
        return tkc_fail(err, TKC_EINPUT, "series: the cache is for strings "
                        "of length %d, the pattern has %d",
                        cache ? cache->k : 0, pat->k);
    ws w;
    int rc = series_run(&w, pat, total_order / 2, RUN_GRADED, cache, err);
    if (rc == TKC_SUCCESS) {
        mpz_t den;
        mpz_init(den);
        size_t M = tkc_series_monomials(total_order);
        for (size_t n = 0; n < M; n++) {
            int a, b;
            tkc_series_monomial(n, &a, &b);
            coefficient_of(coef[n], &w, a, b, den);
        }
        mpz_clear(den);
    }
    ws_free(&w);
    return rc;
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

/* Tokens of x, of y, and shared, of a pattern. */
static void pattern_counts(const tkc_pattern *pat, int *nx, int *ny, int *nsh)
{
    int inx[256] = {0}, iny[256] = {0};
    *nx = *ny = *nsh = 0;
    for (int c = 0; c < pat->k; c++) {
        if (!inx[pat->x[c]]++)
            (*nx)++;
        if (!iny[pat->y[c]]++)
            (*ny)++;
    }
    for (int t = 0; t < 256; t++)
        *nsh += inx[t] && iny[t];
}

double tkc_series_cost(const tkc_pattern *pat, int order)
{
    if (!pat || pat->k < 1)
        return 0;
    int k = pat->k, H = order / 2, nx, ny, nsh;
    pattern_counts(pat, &nx, &ny, &nsh);
    int Lc = nsh + k, Ls = (nx > ny ? nx : ny) + k;
    double cost = 0;
    for (int l = 0; l <= H; l++)
        cost += binom_d(Lc + l - 1, l) * binom_d(Ls + H - l, H - l);
    return 2.0 * k * cost;
}

/* Multisets of t token links out of nt kinds and p position links out of k,
 * of cost exactly c = t + 2p (graded run). */
static double multisets_of_cost(int nt, int k, int c)
{
    double n = 0;
    for (int p = 0; 2 * p <= c; p++)
        n += binom_d(nt + c - 2 * p - 1, c - 2 * p) * binom_d(k + p - 1, p);
    return n;
}

double tkc_series_cost_graded(const tkc_pattern *pat, int total_order)
{
    if (!pat || pat->k < 1 || total_order < 0)
        return 0;
    int k = pat->k, T = total_order / 2, nx, ny, nsh;
    pattern_counts(pat, &nx, &ny, &nsh);
    int ns = nx > ny ? nx : ny;
    double cost = 0;
    for (int cm = 0; cm <= T; cm++) {
        double sides = 0;
        for (int cs = 0; cs <= T - cm; cs++)
            sides += multisets_of_cost(ns, k, cs);
        cost += multisets_of_cost(nsh, k, cm) * sides;
    }
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
