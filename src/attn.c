/* attn.c — the generative form of K_attn shared by the estimators: the
 * layout of Gaussian coordinates, the integrand, and the exact shortcuts. */
#include "tkc/attn.h"

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
};

struct tkc_attn_work {
    double *smp, *smm;  /* nstrings * k softmax at +z and -z                 */
    double *agp, *agm;  /* nstrings * k softmax mass per distinct token      */
    double *t;          /* k: β u of one string                              */
};

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
    if (!L->px || !L->py || !L->beta0 || !L->moff)
        goto nomem;
    for (size_t i = 0; i < npairs; i++) {
        L->px[i] = intern_string(&ts, S, rep, &L->nstrings, pairs[i].x);
        L->py[i] = intern_string(&ts, S, rep, &L->nstrings, pairs[i].y);
        L->beta0[i] = tkc_attn_beta0(tkc_strings_row(S, pairs[i].x),
                                     tkc_strings_row(S, pairs[i].y), k, gamma);
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

/* ---- the integrand ----------------------------------------------------- */

tkc_attn_work *tkc_attn_work_alloc(const tkc_attn_layout *L, tkc_error *err)
{
    size_t n = (L->nstrings ? L->nstrings : 1) * L->k;
    tkc_attn_work *w = calloc(1, sizeof *w);
    if (w) {
        w->smp = malloc(n * sizeof *w->smp);
        w->smm = malloc(n * sizeof *w->smm);
        w->agp = malloc(n * sizeof *w->agp);
        w->agm = malloc(n * sizeof *w->agm);
        w->t = malloc(L->k * sizeof *w->t);
    }
    if (!w || !w->smp || !w->smm || !w->agp || !w->agm || !w->t) {
        tkc_attn_work_free(w);
        tkc_fail(err, TKC_ENOMEM, "K_attn: out of memory for a workspace");
        return NULL;
    }
    return w;
}

void tkc_attn_work_free(tkc_attn_work *w)
{
    if (w) {
        free(w->smp);
        free(w->smm);
        free(w->agp);
        free(w->agm);
        free(w->t);
        free(w);
    }
}

/* Logits β u_a of string s at draw z; returns max and min through m, mn. */
static void logits(const tkc_attn_layout *L, size_t s, const double *z,
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

/* Softmax mass per distinct token of string s. */
static void aggregate(const tkc_attn_layout *L, size_t s, const double *sm,
                      double *ag)
{
    const int *slot = L->slot + s * L->k;
    for (int j = 0; j < L->ndist[s]; j++)
        ag[j] = 0.0;
    for (size_t a = 0; a < L->k; a++)
        ag[slot[a]] += sm[a];
}

/* f_i = Σ_{equal tokens t} mass_x(t) mass_y(t) + γ² Σ_a sx_a sy_a. */
static void pair_values(const tkc_attn_layout *L, const double *sm,
                        const double *ag, double *f)
{
    size_t k = L->k;
    for (size_t i = 0; i < L->npairs; i++) {
        const double *sx = sm + L->px[i] * k, *sy = sm + L->py[i] * k;
        const double *ax = ag + L->px[i] * k, *ay = ag + L->py[i] * k;
        double cross = 0.0, diag = 0.0;
        for (size_t j = L->moff[i]; j < L->moff[i + 1]; j++)
            cross += ax[L->mx[j]] * ay[L->my[j]];
        for (size_t a = 0; a < k; a++)
            diag += sx[a] * sy[a];
        f[i] = cross + L->gamma2 * diag;
    }
}

void tkc_attn_integrand(const tkc_attn_layout *L, tkc_attn_work *w,
                        const double *z, double *f)
{
    size_t k = L->k;
    for (size_t s = 0; s < L->nstrings; s++) {
        double m, mn, sum = 0.0, *sm = w->smp + s * k;
        logits(L, s, z, w->t, &m, &mn);
        for (size_t a = 0; a < k; a++)
            sum += sm[a] = exp(w->t[a] - m);
        double inv = 1.0 / sum;
        for (size_t a = 0; a < k; a++)
            sm[a] *= inv;
        aggregate(L, s, sm, w->agp + s * k);
    }
    pair_values(L, w->smp, w->agp, f);
}

/* Reciprocals are safe while every exp(t_a - m) ≥ exp(-600): then
 * 1 / exp(t_a - m) ≤ e^600 and k of them cannot overflow. */
#define RECIPROCAL_SPREAD 600.0

void tkc_attn_integrand_antithetic(const tkc_attn_layout *L,
                                   tkc_attn_work *w, const double *z,
                                   double *fplus, double *fminus)
{
    size_t k = L->k;
    for (size_t s = 0; s < L->nstrings; s++) {
        double m, mn, sp = 0.0, sn = 0.0;
        double *ep = w->smp + s * k, *en = w->smm + s * k, *t = w->t;
        logits(L, s, z, t, &m, &mn);
        for (size_t a = 0; a < k; a++)
            sp += ep[a] = exp(t[a] - m);
        if (m - mn <= RECIPROCAL_SPREAD) {
            /* smax(-t)_a ∝ exp(m - t_a) = 1 / exp(t_a - m) */
            for (size_t a = 0; a < k; a++)
                sn += en[a] = 1.0 / ep[a];
        } else {
            for (size_t a = 0; a < k; a++)
                sn += en[a] = exp(mn - t[a]);
        }
        double ip = 1.0 / sp, in = 1.0 / sn;
        for (size_t a = 0; a < k; a++) {
            ep[a] *= ip;
            en[a] *= in;
        }
        aggregate(L, s, ep, w->agp + s * k);
        aggregate(L, s, en, w->agm + s * k);
    }
    pair_values(L, w->smp, w->agp, fplus);
    pair_values(L, w->smm, w->agm, fminus);
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
