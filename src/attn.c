/* attn.c — the generative form of K_attn shared by the estimators: the
 * layout of Gaussian coordinates, the integrand, and the exact shortcuts. */
#include "attn.h"

#include "fastexp.h"
#include "registry.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tkc_attn_layout {
    size_t k, ntokens, nstrings, npairs;
    double beta, gamma2;
    double gamma;
    int *tok;           /* nstrings * k: Gaussian coordinate of ζ (≥ k)     */
    int *slot;          /* nstrings * k: index in the string's distinct list */
    int *ndist;         /* nstrings: distinct tokens of the string           */
    size_t *px, *py;    /* npairs: distinct-string index of x and y          */
    size_t *moff;       /* npairs + 1: offsets into mx, my                   */
    int *mx, *my;       /* equal-token slot pairs of each pair               */
    double *beta0;      /* npairs: exact value at β = 0                      */
    double *lo, *hi;    /* npairs: the range K_attn takes (tkc_attn_bounds)  */
};

/* Softmax weights are kept unnormalized, with the inverse of their sum
 * per string: a pair's value is then (weights)ᵀ M (weights) · inv_x · inv_y,
 * which saves normalizing every string at every draw. */
/* A batch keeps the draw index innermost ([string][position][draw]), as a
 * vectorized array program would: every loop then runs over the draws of the
 * batch, long and contiguous whatever k, instead of over k ≈ 3 .. 11. */
struct tkc_attn_work {
    size_t rows;        /* draws per batch                                   */
    double *zt;         /* dim * rows: the draws, coordinate-major           */
    double *smp, *smm;  /* rows * nstrings * k exp weights at +z and -z      */
    double *agp, *agm;  /* rows * nstrings * k weight per distinct token     */
    double *invp, *invm;/* rows * nstrings: 1 / (sum of weights)             */
    double *hi, *lo;    /* rows: max and min logit, then the two sums        */
    double *cross, *diag;/* rows: the two parts of one pair's value          */
    double *t;          /* k: β u of one string                              */
};

/* Draws per batch: enough to amortize the loops, few enough that the
 * weights of a batch stay in cache (about 2^16 doubles per array). */
#define BATCH_ROWS_MAX 64
#define BATCH_DOUBLES 65536

/* ---- interning: small open-addressing tables built once per layout ----- */

typedef struct intern {
    size_t *slots;      /* id + 1, 0 = empty */
    size_t mask;
} intern;

static int intern_init(intern *t, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap <<= 1;
    t->slots = calloc(cap, sizeof *t->slots);
    t->mask = cap - 1;
    return t->slots ? 0 : -1;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* Dense id of token t among keys[0 .. *n-1], appending it when new. */
static size_t intern_token(intern *t, tkc_token *keys, size_t *n, tkc_token v)
{
    size_t s = mix64((uint64_t)(uint32_t)v) & t->mask;
    for (; t->slots[s]; s = (s + 1) & t->mask)
        if (keys[t->slots[s] - 1] == v)
            return t->slots[s] - 1;
    keys[*n] = v;
    t->slots[s] = ++*n;
    return *n - 1;
}

/* Dense id of string row (k tokens) among rows rep[0 .. *n-1] of S. */
static size_t intern_string(intern *t, const tkc_strings *S, size_t *rep,
                            size_t *n, size_t row)
{
    const tkc_token *x = tkc_strings_row(S, row);
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t a = 0; a < S->k; a++)
        h = mix64(h ^ (uint32_t)x[a]);
    size_t s = h & t->mask;
    for (; t->slots[s]; s = (s + 1) & t->mask)
        if (!memcmp(tkc_strings_row(S, rep[t->slots[s] - 1]), x,
                    S->k * sizeof *x))
            return t->slots[s] - 1;
    rep[*n] = row;
    t->slots[s] = ++*n;
    return *n - 1;
}

/* ---- layout ------------------------------------------------------------ */

double tkc_attn_beta0(const tkc_token *x, const tkc_token *y, size_t k,
                      double gamma)
{
    size_t m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == y[b];
    double kk = (double)k;
    return (double)m / (kk * kk) + gamma * gamma / kk;
}

void tkc_attn_bounds(const tkc_token *x, const tkc_token *y, size_t k,
                     double gamma, double *lo, double *hi)
{
    double g2 = gamma * gamma;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            double m = (x[a] == y[b]) + (a == b ? g2 : 0.0);
            *lo = m < *lo ? m : *lo;
            *hi = m > *hi ? m : *hi;
        }
}

void tkc_attn_layout_free(tkc_attn_layout *L)
{
    if (!L)
        return;
    free(L->tok);
    free(L->slot);
    free(L->ndist);
    free(L->px);
    free(L->py);
    free(L->moff);
    free(L->mx);
    free(L->my);
    free(L->beta0);
    free(L->lo);
    free(L->hi);
    free(L);
}

/* Distinct tokens of string s: slot of each position, count. */
static void string_slots(tkc_attn_layout *L, size_t s)
{
    const int *tok = L->tok + s * L->k;
    int *slot = L->slot + s * L->k, n = 0;
    for (size_t a = 0; a < L->k; a++) {
        slot[a] = -1;
        for (size_t b = 0; b < a; b++)
            if (tok[b] == tok[a]) {
                slot[a] = slot[b];
                break;
            }
        if (slot[a] < 0)
            slot[a] = n++;
    }
    L->ndist[s] = n;
}

/* Equal-token slot pairs of pair i; returns how many, writes them when
 * mx != NULL.  Slots are numbered in order of first appearance, so position
 * a opens a new slot exactly when slot[a] equals the count seen so far. */
static size_t pair_matches(const tkc_attn_layout *L, size_t i, int *mx,
                           int *my)
{
    const int *tx = L->tok + L->px[i] * L->k, *ty = L->tok + L->py[i] * L->k;
    const int *sx = L->slot + L->px[i] * L->k, *sy = L->slot + L->py[i] * L->k;
    size_t n = 0;
    int seen_x = 0;
    for (size_t a = 0; a < L->k; a++) {
        if (sx[a] != seen_x)
            continue;
        seen_x++;
        int seen_y = 0;
        for (size_t b = 0; b < L->k; b++) {
            if (sy[b] != seen_y)
                continue;
            seen_y++;
            if (tx[a] == ty[b]) {
                if (mx) {
                    mx[n] = sx[a];
                    my[n] = sy[b];
                }
                n++;
            }
        }
    }
    return n;
}

int tkc_attn_check_args(const tkc_kernel_spec *spec, const tkc_strings *S,
                        const tkc_pair *pairs, size_t npairs,
                        const tkc_kernel_values *out, tkc_error *err)
{
    int rc = tkc_kernel_spec_validate(spec, err);
    if (rc)
        return rc;
    if (!S || !S->tok || S->k == 0 || S->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "K_attn: strings missing or of bad length");
    if (npairs && !pairs)
        return tkc_fail(err, TKC_EINPUT, "K_attn: pair list is NULL");
    for (size_t i = 0; i < npairs; i++)
        if (pairs[i].x >= S->count || pairs[i].y >= S->count)
            return tkc_fail(err, TKC_EINPUT,
                            "K_attn: pair %zu refers to string %zu, but there "
                            "are only %zu strings",
                            i, pairs[i].x >= S->count ? pairs[i].x : pairs[i].y,
                            S->count);
    if (!out || out->npairs != npairs)
        return tkc_fail(err, TKC_EINPUT,
                        "K_attn: result holds %zu entries, %zu pairs given",
                        out ? out->npairs : 0, npairs);
    return TKC_SUCCESS;
}

tkc_attn_layout *tkc_attn_layout_alloc(const tkc_strings *S,
                                       const tkc_pair *pairs, size_t npairs,
                                       double beta, double gamma,
                                       tkc_error *err)
{
    if (!isfinite(beta) || !isfinite(gamma)) {
        tkc_fail(err, TKC_EINPUT, "K_attn: beta and gamma must be finite");
        return NULL;
    }
    if (!S || S->k == 0 || S->k > TKC_K_MAX || (npairs && !pairs)) {
        tkc_fail(err, TKC_EINPUT, "K_attn: bad strings or pair list");
        return NULL;
    }
    for (size_t i = 0; i < npairs; i++)
        if (pairs[i].x >= S->count || pairs[i].y >= S->count) {
            tkc_fail(err, TKC_EINPUT, "K_attn: pair %zu is out of range", i);
            return NULL;
        }
    size_t k = S->k, nmax = 2 * npairs;
    tkc_attn_layout *L = calloc(1, sizeof *L);
    size_t *rep = malloc((nmax + 1) * sizeof *rep);
    tkc_token *keys = malloc((nmax * k + 1) * sizeof *keys);
    intern ts = {0}, tt = {0};
    if (!L || !rep || !keys || intern_init(&ts, nmax) ||
        intern_init(&tt, nmax * k))
        goto nomem;
    L->k = k;
    L->npairs = npairs;
    L->beta = beta;
    L->gamma = gamma;
    L->gamma2 = gamma * gamma;
    L->px = malloc((npairs + 1) * sizeof *L->px);
    L->py = malloc((npairs + 1) * sizeof *L->py);
    L->beta0 = malloc((npairs + 1) * sizeof *L->beta0);
    L->moff = malloc((npairs + 1) * sizeof *L->moff);
    L->lo = malloc((npairs + 1) * sizeof *L->lo);
    L->hi = malloc((npairs + 1) * sizeof *L->hi);
    if (!L->px || !L->py || !L->beta0 || !L->moff || !L->lo || !L->hi)
        goto nomem;
    for (size_t i = 0; i < npairs; i++) {
        const tkc_token *x = tkc_strings_row(S, pairs[i].x);
        const tkc_token *y = tkc_strings_row(S, pairs[i].y);
        L->px[i] = intern_string(&ts, S, rep, &L->nstrings, pairs[i].x);
        L->py[i] = intern_string(&ts, S, rep, &L->nstrings, pairs[i].y);
        L->beta0[i] = tkc_attn_beta0(x, y, k, gamma);
        tkc_attn_bounds(x, y, k, gamma, &L->lo[i], &L->hi[i]);
    }
    size_t ns = L->nstrings ? L->nstrings : 1;
    L->tok = malloc(ns * k * sizeof *L->tok);
    L->slot = malloc(ns * k * sizeof *L->slot);
    L->ndist = malloc(ns * sizeof *L->ndist);
    if (!L->tok || !L->slot || !L->ndist)
        goto nomem;
    /* tokens numbered in order of first appearance along the pair list */
    for (size_t i = 0; i < npairs; i++)
        for (int side = 0; side < 2; side++) {
            size_t s = side ? L->py[i] : L->px[i];
            const tkc_token *x = tkc_strings_row(S, rep[s]);
            for (size_t a = 0; a < k; a++)
                L->tok[s * k + a] =
                    (int)(k + intern_token(&tt, keys, &L->ntokens, x[a]));
        }
    for (size_t s = 0; s < L->nstrings; s++)
        string_slots(L, s);
    L->moff[0] = 0;
    for (size_t i = 0; i < npairs; i++)
        L->moff[i + 1] = L->moff[i] + pair_matches(L, i, NULL, NULL);
    L->mx = malloc((L->moff[npairs] + 1) * sizeof *L->mx);
    L->my = malloc((L->moff[npairs] + 1) * sizeof *L->my);
    if (!L->mx || !L->my)
        goto nomem;
    for (size_t i = 0; i < npairs; i++)
        pair_matches(L, i, L->mx + L->moff[i], L->my + L->moff[i]);
    free(rep);
    free(keys);
    free(ts.slots);
    free(tt.slots);
    return L;
nomem:
    free(rep);
    free(keys);
    free(ts.slots);
    free(tt.slots);
    tkc_attn_layout_free(L);
    tkc_fail(err, TKC_ENOMEM, "K_attn: out of memory laying out %zu pairs",
             npairs);
    return NULL;
}

size_t tkc_attn_layout_dim(const tkc_attn_layout *L) { return L->k + L->ntokens; }
size_t tkc_attn_layout_k(const tkc_attn_layout *L) { return L->k; }
size_t tkc_attn_layout_ntokens(const tkc_attn_layout *L) { return L->ntokens; }
size_t tkc_attn_layout_npairs(const tkc_attn_layout *L) { return L->npairs; }
double tkc_attn_layout_beta0(const tkc_attn_layout *L, size_t i)
{
    return L->beta0[i];
}
void tkc_attn_layout_bounds(const tkc_attn_layout *L, size_t i, double *lo,
                            double *hi)
{
    *lo = L->lo[i];
    *hi = L->hi[i];
}
size_t tkc_attn_layout_nstrings(const tkc_attn_layout *L) { return L->nstrings; }
const int *tkc_attn_layout_coords(const tkc_attn_layout *L, size_t s)
{
    return L->tok + s * L->k;
}
const int *tkc_attn_layout_slots(const tkc_attn_layout *L, size_t s)
{
    return L->slot + s * L->k;
}
size_t tkc_attn_layout_pair(const tkc_attn_layout *L, size_t i, size_t *sx,
                            size_t *sy, const int **mx, const int **my)
{
    *sx = L->px[i];
    *sy = L->py[i];
    *mx = L->mx + L->moff[i];
    *my = L->my + L->moff[i];
    return L->moff[i + 1] - L->moff[i];
}

/* ---- the integrand ----------------------------------------------------- */

tkc_attn_work *tkc_attn_work_alloc(const tkc_attn_layout *L, tkc_error *err)
{
    size_t ns = L->nstrings ? L->nstrings : 1, per_row = ns * L->k;
    size_t rows = BATCH_DOUBLES / per_row;
    rows = rows < 1 ? 1 : rows > BATCH_ROWS_MAX ? BATCH_ROWS_MAX : rows;
    size_t n = rows * per_row;
    tkc_attn_work *w = calloc(1, sizeof *w);
    if (w) {
        w->rows = rows;
        w->zt = malloc(rows * tkc_attn_layout_dim(L) * sizeof *w->zt);
        w->hi = malloc(rows * sizeof *w->hi);
        w->lo = malloc(rows * sizeof *w->lo);
        w->cross = malloc(rows * sizeof *w->cross);
        w->diag = malloc(rows * sizeof *w->diag);
        w->smp = malloc(n * sizeof *w->smp);
        w->smm = malloc(n * sizeof *w->smm);
        w->agp = malloc(n * sizeof *w->agp);
        w->agm = malloc(n * sizeof *w->agm);
        w->invp = malloc(rows * ns * sizeof *w->invp);
        w->invm = malloc(rows * ns * sizeof *w->invm);
        w->t = malloc(L->k * sizeof *w->t);
    }
    if (!w || !w->smp || !w->smm || !w->agp || !w->agm || !w->invp ||
        !w->invm || !w->t || !w->zt || !w->hi || !w->lo || !w->cross ||
        !w->diag) {
        tkc_attn_work_free(w);
        tkc_fail(err, TKC_ENOMEM, "K_attn: out of memory for a workspace");
        return NULL;
    }
    return w;
}

size_t tkc_attn_work_batch(const tkc_attn_work *w)
{
    return w->rows;
}

void tkc_attn_work_free(tkc_attn_work *w)
{
    if (w) {
        free(w->smp);
        free(w->smm);
        free(w->agp);
        free(w->agm);
        free(w->invp);
        free(w->invm);
        free(w->t);
        free(w->zt);
        free(w->hi);
        free(w->lo);
        free(w->cross);
        free(w->diag);
        free(w);
    }
}

/* Arguments below -708 (logit spreads beyond 708) are raised to -708: a
 * weight of 3e-308 instead of less, against a largest weight of 1. */
#define EXP_FLOOR -708.0

double tkc_exp_nonpos(double x)
{
    return exp_nonpos(x < EXP_FLOOR ? EXP_FLOOR : x);
}

/* Max-shifted weights exp(t_a - m) and, when mn != NULL, the antithetic
 * weights exp(mn - t_a).  The common case (spread ≤ 708) runs a clamp-free
 * loop that the compiler vectorizes. */
static inline void weights(const double *restrict t, double m, double mn,
                           double *restrict ep, double *restrict en, size_t k)
{
    if (m - mn <= -EXP_FLOOR) {
        for (size_t a = 0; a < k; a++)
            ep[a] = exp_nonpos(t[a] - m);
        if (en)
            for (size_t a = 0; a < k; a++)
                en[a] = exp_nonpos(mn - t[a]);
    } else {
        for (size_t a = 0; a < k; a++) {
            double x = t[a] - m, y = mn - t[a];
            ep[a] = exp_nonpos(x < EXP_FLOOR ? EXP_FLOOR : x);
            if (en)
                en[a] = exp_nonpos(y < EXP_FLOOR ? EXP_FLOOR : y);
        }
    }
}

/* The integrand is where all the time goes: its clones (TKC_HOT_CLONES,
 * attn.h) are static, and the library's entry points (end of file) call
 * them. */
/* Helpers of a cloned function must be inlined into each clone, or they
 * run as baseline code. */
#ifdef __GNUC__
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define ALWAYS_INLINE
#endif

/* Logits β u_a of string s at draw z; returns max and min through m, mn. */
static inline void logits(const tkc_attn_layout *L, size_t s, const double *z,
                   double *t, double *m, double *mn)
{
    const int *tok = L->tok + s * L->k;
    double hi = -INFINITY, lo = INFINITY;
    for (size_t a = 0; a < L->k; a++) {
        double v = L->beta * (z[tok[a]] + L->gamma * z[a]);
        t[a] = v;
        hi = v > hi ? v : hi;
        lo = v < lo ? v : lo;
    }
    *m = hi;
    *mn = lo;
}

/* Weight per distinct token of string s, when it has repeated tokens
 * (otherwise slot a is position a and the weights themselves serve). */
static inline void aggregate(const tkc_attn_layout *L, size_t s, const double *sm,
                      double *ag)
{
    const int *slot = L->slot + s * L->k;
    if ((size_t)L->ndist[s] == L->k)
        return;
    for (int j = 0; j < L->ndist[s]; j++)
        ag[j] = 0.0;
    for (size_t a = 0; a < L->k; a++)
        ag[slot[a]] += sm[a];
}

/* f_i = (Σ_{equal tokens t} mass_x(t) mass_y(t) + γ² Σ_a sx_a sy_a), with
 * unnormalized weights, times the two inverse sums. */
static inline void pair_values(const tkc_attn_layout *L, const double *sm,
                        const double *ag, const double *inv, double *f)
{
    size_t k = L->k;
    for (size_t i = 0; i < L->npairs; i++) {
        size_t x = L->px[i], y = L->py[i];
        const double *sx = sm + x * k, *sy = sm + y * k;
        const double *ax = (size_t)L->ndist[x] == k ? sx : ag + x * k;
        const double *ay = (size_t)L->ndist[y] == k ? sy : ag + y * k;
        double cross = 0.0, diag = 0.0;
        for (size_t j = L->moff[i]; j < L->moff[i + 1]; j++)
            cross += ax[L->mx[j]] * ay[L->my[j]];
        for (size_t a = 0; a < k; a++)
            diag += sx[a] * sy[a];
        f[i] = (cross + L->gamma2 * diag) * inv[x] * inv[y];
    }
}

TKC_HOT_CLONES
static void integrand(const tkc_attn_layout *L, tkc_attn_work *w,
                      const double *z, double *f)
{
    size_t k = L->k;
    for (size_t s = 0; s < L->nstrings; s++) {
        double m, mn, sum = 0.0, *e = w->smp + s * k;
        logits(L, s, z, w->t, &m, &mn);
        weights(w->t, m, mn, e, NULL, k);
        for (size_t a = 0; a < k; a++)
            sum += e[a];
        w->invp[s] = 1.0 / sum;
        aggregate(L, s, e, w->agp + s * k);
    }
    pair_values(L, w->smp, w->agp, w->invp, f);
}

/* The antithetic point -z has logits -t; its max-shifted weights are
 * exp(mn - t_a) with mn = min t, and exp(t_a - m) exp(mn - t_a) =
 * exp(mn - m), so they cost one division each, not an exponential.  Both
 * weight vectors lie in (0, 1] with a largest weight of 1, so both sums lie
 * in [1, k] and one division serves the two inverse sums.  Weights of
 * string s for the nb draws of zt (coordinate-major), [position][draw]. */
ALWAYS_INLINE
static inline void string_batch(const tkc_attn_layout *L, tkc_attn_work *w,
                                size_t s, size_t nb)
{
    size_t k = L->k;
    const int *tok = L->tok + s * k;
    const double *zt = w->zt;
    double *restrict ep = w->smp + s * k * nb, *restrict en = w->smm + s * k * nb;
    double *restrict hi = w->hi, *restrict lo = w->lo;
    double *restrict ip = w->invp + s * nb, *restrict im = w->invm + s * nb;
    double beta = L->beta, gamma = L->gamma;
    for (size_t a = 0; a < k; a++) {
        const double *restrict zu = zt + (size_t)tok[a] * nb, *restrict zp = zt + a * nb;
        double *restrict t = ep + a * nb;
        for (size_t i = 0; i < nb; i++)
            t[i] = beta * (zu[i] + gamma * zp[i]);
    }
    for (size_t i = 0; i < nb; i++)
        hi[i] = lo[i] = ep[i];
    for (size_t a = 1; a < k; a++)
        for (size_t i = 0; i < nb; i++) {
            double v = ep[a * nb + i];
            hi[i] = v > hi[i] ? v : hi[i];
            lo[i] = v < lo[i] ? v : lo[i];
        }
    int wide = 0;
    for (size_t i = 0; i < nb; i++) {
        im[i] = lo[i] - hi[i];          /* exp(mn - m) to come */
        wide |= im[i] < EXP_FLOOR;
    }
    for (size_t a = 0; a < k; a++)
        for (size_t i = 0; i < nb; i++)
            ep[a * nb + i] -= hi[i];
    if (!wide) {
        for (size_t j = 0; j < k * nb; j++)
            ep[j] = exp_nonpos(ep[j]);
        for (size_t i = 0; i < nb; i++)
            im[i] = exp_nonpos(im[i]);
        for (size_t a = 0; a < k; a++)
            for (size_t i = 0; i < nb; i++)
                en[a * nb + i] = im[i] / ep[a * nb + i];
    } else {
        /* spreads beyond 708: both signs clamped separately */
        for (size_t a = 0; a < k; a++)
            for (size_t i = 0; i < nb; i++)
                en[a * nb + i] = im[i] - ep[a * nb + i];
        for (size_t j = 0; j < k * nb; j++) {
            ep[j] = exp_nonpos(ep[j] < EXP_FLOOR ? EXP_FLOOR : ep[j]);
            en[j] = exp_nonpos(en[j] < EXP_FLOOR ? EXP_FLOOR : en[j]);
        }
    }
    double *restrict sp = hi, *restrict sn = lo;
    for (size_t i = 0; i < nb; i++) {
        sp[i] = ep[i];
        sn[i] = en[i];
    }
    for (size_t a = 1; a < k; a++)
        for (size_t i = 0; i < nb; i++) {
            sp[i] += ep[a * nb + i];
            sn[i] += en[a * nb + i];
        }
    for (size_t i = 0; i < nb; i++) {
        double inv = 1.0 / (sp[i] * sn[i]);
        ip[i] = sn[i] * inv;
        im[i] = sp[i] * inv;
    }
}

/* Weight per distinct token of string s for a batch (see aggregate). */
ALWAYS_INLINE
static inline void aggregate_batch(const tkc_attn_layout *L, size_t s,
                                   size_t nb, const double *restrict sm,
                                   double *restrict ag)
{
    const int *slot = L->slot + s * L->k;
    if ((size_t)L->ndist[s] == L->k)
        return;
    for (size_t j = 0; j < (size_t)L->ndist[s] * nb; j++)
        ag[j] = 0.0;
    for (size_t a = 0; a < L->k; a++) {
        double *restrict g = ag + (size_t)slot[a] * nb;
        for (size_t i = 0; i < nb; i++)
            g[i] += sm[a * nb + i];
    }
}

/* pair_values for a batch; f is [draw][pair] as the caller wants it. */
ALWAYS_INLINE
static inline void pair_values_batch(const tkc_attn_layout *L,
                                     tkc_attn_work *w, size_t nb,
                                     const double *sm, const double *ag,
                                     const double *inv, double *f)
{
    size_t k = L->k, np = L->npairs;
    double *restrict cross = w->cross, *restrict diag = w->diag;
    for (size_t p = 0; p < np; p++) {
        size_t x = L->px[p], y = L->py[p];
        const double *sx = sm + x * k * nb, *sy = sm + y * k * nb;
        const double *ax = (size_t)L->ndist[x] == k ? sx : ag + x * k * nb;
        const double *ay = (size_t)L->ndist[y] == k ? sy : ag + y * k * nb;
        const double *restrict ix = inv + x * nb, *restrict iy = inv + y * nb;
        for (size_t i = 0; i < nb; i++)
            cross[i] = diag[i] = 0.0;
        for (size_t j = L->moff[p]; j < L->moff[p + 1]; j++) {
            const double *restrict u = ax + (size_t)L->mx[j] * nb;
            const double *restrict v = ay + (size_t)L->my[j] * nb;
            for (size_t i = 0; i < nb; i++)
                cross[i] += u[i] * v[i];
        }
        for (size_t a = 0; a < k; a++) {
            const double *restrict u = sx + a * nb, *restrict v = sy + a * nb;
            for (size_t i = 0; i < nb; i++)
                diag[i] += u[i] * v[i];
        }
        for (size_t i = 0; i < nb; i++)
            f[i * np + p] = (cross[i] + L->gamma2 * diag[i]) * ix[i] * iy[i];
    }
}

double *tkc_attn_work_draws(tkc_attn_work *w) { return w->zt; }

TKC_HOT_CLONES
static void integrand_antithetic_drawn(const tkc_attn_layout *L,
                                       tkc_attn_work *w, size_t nb,
                                       double *fplus, double *fminus)
{
    size_t k = L->k, ns = L->nstrings;
    for (size_t s = 0; s < ns; s++) {
        string_batch(L, w, s, nb);
        aggregate_batch(L, s, nb, w->smp + s * k * nb, w->agp + s * k * nb);
        aggregate_batch(L, s, nb, w->smm + s * k * nb, w->agm + s * k * nb);
    }
    pair_values_batch(L, w, nb, w->smp, w->agp, w->invp, fplus);
    pair_values_batch(L, w, nb, w->smm, w->agm, w->invm, fminus);
}

void tkc_attn_integrand_antithetic_batch(const tkc_attn_layout *L,
                                         tkc_attn_work *w, size_t nb,
                                         const double *Z, double *fplus,
                                         double *fminus)
{
    size_t dim = L->k + L->ntokens;
    for (size_t d = 0; d < dim; d++)      /* strided loads, not stores */
        for (size_t i = 0; i < nb; i++)
            w->zt[d * nb + i] = Z[i * dim + d];
    integrand_antithetic_drawn(L, w, nb, fplus, fminus);
}

/* One draw: the batch's arithmetic (same numbers when no spread exceeds
 * 708) on the row layout, without the batch's per-loop overhead. */
TKC_HOT_CLONES
static void integrand_antithetic(const tkc_attn_layout *L, tkc_attn_work *w,
                                 const double *z, double *fplus,
                                 double *fminus)
{
    size_t k = L->k;
    for (size_t s = 0; s < L->nstrings; s++) {
        double m, mn, *ep = w->smp + s * k, *en = w->smm + s * k;
        logits(L, s, z, ep, &m, &mn);
        if (mn - m >= EXP_FLOOR) {
            double c = exp_nonpos(mn - m);
            for (size_t a = 0; a < k; a++)
                ep[a] = exp_nonpos(ep[a] - m);
            for (size_t a = 0; a < k; a++)
                en[a] = c / ep[a];
        } else {
            for (size_t a = 0; a < k; a++) {
                double x = ep[a] - m, y = (mn - m) - x;
                ep[a] = exp_nonpos(x < EXP_FLOOR ? EXP_FLOOR : x);
                en[a] = exp_nonpos(y < EXP_FLOOR ? EXP_FLOOR : y);
            }
        }
        double sp = ep[0], sn = en[0];
        for (size_t a = 1; a < k; a++) {
            sp += ep[a];
            sn += en[a];
        }
        double inv = 1.0 / (sp * sn);
        w->invp[s] = sn * inv;
        w->invm[s] = sp * inv;
        aggregate(L, s, ep, w->agp + s * k);
        aggregate(L, s, en, w->agm + s * k);
    }
    pair_values(L, w->smp, w->agp, w->invp, fplus);
    pair_values(L, w->smm, w->agm, w->invm, fminus);
}

/* The entry points over the clones. */
void tkc_attn_integrand(const tkc_attn_layout *L, tkc_attn_work *w,
                        const double *z, double *f)
{
    integrand(L, w, z, f);
}

void tkc_attn_integrand_antithetic(const tkc_attn_layout *L,
                                   tkc_attn_work *w, const double *z,
                                   double *fplus, double *fminus)
{
    integrand_antithetic(L, w, z, fplus, fminus);
}

void tkc_attn_integrand_antithetic_drawn(const tkc_attn_layout *L,
                                         tkc_attn_work *w, size_t nb,
                                         double *fplus, double *fminus)
{
    integrand_antithetic_drawn(L, w, nb, fplus, fminus);
}

/* ---- exact shortcuts --------------------------------------------------- */

int tkc_attn_exact_shortcut(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out)
{
    size_t k = S->k;
    if (spec->beta != 0.0 && k != 1)
        return 0;
    for (size_t i = 0; i < npairs; i++) {
        const tkc_token *x = tkc_strings_row(S, pairs[i].x);
        const tkc_token *y = tkc_strings_row(S, pairs[i].y);
        /* at k = 1 this is the same formula: 1(x = y) + γ² */
        double v = tkc_attn_beta0(x, y, k, spec->gamma);
        out->value[i] = v;
        out->se[i] = 4.0 * DBL_EPSILON * fabs(v);
    }
    if (out->cov)
        memset(out->cov, 0, npairs * npairs * sizeof *out->cov);
    out->error_kind = TKC_ERROR_ROUNDING;
    out->samples = 0;
    snprintf(out->note, sizeof out->note, "%s",
             k == 1 ? "exact: k = 1, softmax of one element is 1"
                    : "exact: beta = 0, uniform softmax");
    return 1;
}

int tkc_attn_estimator_begin(const tkc_attn_estimator_type *type,
                             const tkc_kernel_spec *spec, const tkc_strings *S,
                             const tkc_pair *pairs, size_t npairs,
                             tkc_kernel_values *out, int *answered,
                             tkc_error *err)
{
    *answered = 0;
    int rc = tkc_attn_check_args(spec, S, pairs, npairs, out, err);
    if (!rc)
        rc = type->check_options(spec, err);
    if (rc)
        return rc;
    out->estimator = type->name;
    *answered = npairs == 0 ||
                tkc_attn_exact_shortcut(spec, S, pairs, npairs, out);
    return TKC_SUCCESS;
}

/* ---- the range K_attn takes ---------------------------------------------- */

/* How far past a bound rounding may carry an entry: a value at a bound
 * comes from a constant integrand (M constant on the softmax weights'
 * support), whose draws differ from it by a few ulps, so a few hundred
 * ulps of the range's scale cover any sum of them. */
static double range_slack(double lo, double hi)
{
    return 256 * DBL_EPSILON * (fabs(lo) + fabs(hi) + 1);
}

int tkc_attn_clamp_to_bounds(double *value, double lo, double hi)
{
    double slack = range_slack(lo, hi);
    if (!(*value >= lo - slack && *value <= hi + slack))
        return 0;
    *value = *value < lo ? lo : *value > hi ? hi : *value;
    return 1;
}

size_t tkc_attn_range_check(const tkc_attn_layout *L, tkc_kernel_values *out)
{
    for (size_t i = 0; i < L->npairs; i++)
        if (!tkc_attn_clamp_to_bounds(&out->value[i], L->lo[i], L->hi[i]))
            return i;
    return L->npairs;
}

int tkc_attn_range_require(const char *estimator, const tkc_attn_layout *L,
                           tkc_kernel_values *out, tkc_error *err)
{
    size_t i = tkc_attn_range_check(L, out);
    if (i == L->npairs)
        return TKC_SUCCESS;
    return tkc_fail(err, TKC_ERANGE, "K_attn %s: entry %zu is %.6g, outside "
                    "[%.10g, %.10g], the range K_attn takes for that pair "
                    "(the least and largest entry of X Y^T + gamma^2 I): a "
                    "numerical failure at these parameters",
                    estimator, i, out->value[i], L->lo[i], L->hi[i]);
}

/* ---- sums of outer products (attn.h) ---------------------------------- */

TKC_HOT_CLONES_UNFUSED
static void add_outer_products(double *restrict c, int packed,
                               const double *restrict G, size_t nb,
                               size_t np)
{
    for (size_t i = 0; i < np; i++) {
        size_t len = np - i;
        for (size_t r = 0; r < nb; r++) {
            const double *g = G + r * np;
            double gi = g[i];
            for (size_t j = 0; j < len; j++)
                c[j] += gi * g[i + j];
        }
        c += packed ? len : np + 1;     /* to the next row's diagonal */
    }
}

void tkc_attn_add_outer_products(double *c, int packed, const double *G,
                                 size_t nb, size_t np)
{
    add_outer_products(c, packed, G, nb, np);
}

void tkc_attn_count_begin(tkc_progress_count *c, const tkc_progress *p,
                          const char *estimator, size_t np,
                          uint64_t evaluations)
{
    tkc_progress_count_begin(c, p, evaluations, "K_attn %s, %zu pattern%s",
                             estimator, np, np == 1 ? "" : "s");
}

/* ---- the kernel type -------------------------------------------------- */

/* K_attn by the spec's estimator. */
static int attn_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                           const tkc_pair *pairs, size_t npairs,
                           tkc_kernel_values *out, tkc_error *err)
{
    if (!spec->estimator)
        return tkc_fail(err, TKC_EINPUT,
                        "kernel attn: no K_attn estimator given");
    return spec->estimator->eval_pairs(spec, S, pairs, npairs, out, err);
}

const tkc_kernel_type tkc_kernel_attn_type = {
    "attn", "attention kernel K_attn (paper eq. 4)", attn_eval_pairs, 1};

int tkc_attn_check_option(const char *estimator, const char *field,
                          uint64_t value, uint64_t lo, uint64_t hi,
                          tkc_error *err)
{
    if (value >= lo && value <= hi)
        return TKC_SUCCESS;
    return tkc_fail(err, TKC_EINPUT, "K_attn %s: %s must be in %llu..%llu, "
                    "got %llu", estimator, field, (unsigned long long)lo,
                    (unsigned long long)hi, (unsigned long long)value);
}
