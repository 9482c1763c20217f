/* finite.c — sampled finite-width networks and their empirical kernels, the
 * check that the kernel formulas are the infinite-width limits.  The
 * networks and the in-law sampling of V_η and ω_j: tkc/finite.h. */
#include "tkc/finite.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define WIDTH_MAX ((size_t)1 << 20)

/* The random numbers of one network: each part of it (the embeddings, a
 * head, a layer) draws from its own stream (seed, stream, part). */
typedef struct draws {
    tkc_ziggurat zig;
    tkc_rng rng;
    uint64_t seed, stream;
} draws;

static void draws_init(draws *rnd, uint64_t seed, uint64_t stream)
{
    tkc_ziggurat_init(&rnd->zig);
    rnd->seed = seed;
    rnd->stream = stream;
}

static void draws_part(draws *rnd, uint64_t part)
{
    tkc_rng_stream(&rnd->rng, rnd->seed, rnd->stream, part);
}

/* N(0, sd²) */
static double normal(draws *rnd, double sd)
{
    return sd * tkc_rng_normal(&rnd->zig, &rnd->rng);
}

static double chisq(draws *rnd, double nu)
{
    return tkc_rng_chisq(&rnd->zig, &rnd->rng, nu);
}

static int check_finite_spec(const tkc_finite_spec *fs, const tkc_strings *S,
                             int need_heads, tkc_error *err)
{
    if (!fs || fs->d < 1 || fs->d > WIDTH_MAX)
        return tkc_fail(err, TKC_EINPUT, "finite network: width d = %zu outside 1..%zu",
                        fs ? fs->d : 0, WIDTH_MAX);
    if (need_heads && (fs->heads < 1 || fs->heads > WIDTH_MAX))
        return tkc_fail(err, TKC_EINPUT, "finite network: heads = %zu outside 1..%zu",
                        fs->heads, WIDTH_MAX);
    if (need_heads && (fs->units < 1 || fs->units > WIDTH_MAX))
        return tkc_fail(err, TKC_EINPUT, "finite network: MLP units = %zu outside 1..%zu",
                        fs->units, WIDTH_MAX);
    if (!S || S->count < 1 || S->k < 1 || S->k > TKC_K_MAX)
        return tkc_fail(err, TKC_EINPUT,
                        "finite network: need at least one string of length 1..%d",
                        TKC_K_MAX);
    if (S->count * S->k > 4096)
        return tkc_fail(err, TKC_EINPUT,
                        "finite network: %zu strings of length %zu (at most 4096 "
                        "positions in all)", S->count, S->k);
    return TKC_SUCCESS;
}

/* Dense ids 0 .. ntok-1 for the tokens of S, in order of first appearance. */
static size_t dense_tokens(const tkc_strings *S, size_t *id)
{
    size_t n = S->count * S->k, ntok = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && S->tok[j] != S->tok[i])
            j++;
        id[i] = j < i ? id[j] : ntok++;
    }
    return ntok;
}

/* Lower-triangular F with F Fᵀ = G for a PSD n×n Gram matrix G: Cholesky
 * that skips pivots at rounding level (equal strings make G singular, and
 * then the column is a copy of an earlier one, which F reproduces). */
static int psd_factor(const double *G, size_t n, double *F, tkc_error *err)
{
    double tr = 0;
    for (size_t i = 0; i < n; i++)
        tr += G[i * n + i];
    double tiny = 1e-12 * tr;
    memset(F, 0, n * n * sizeof *F);
    for (size_t j = 0; j < n; j++) {
        double piv = G[j * n + j];
        for (size_t l = 0; l < j; l++)
            piv -= F[j * n + l] * F[j * n + l];
        if (!(piv >= -tiny))
            return tkc_fail(err, TKC_ENUMERIC,
                            "finite network: Gram matrix not positive "
                            "semidefinite (pivot %g)", piv);
        if (piv <= tiny)
            continue;  /* column j is dependent: F[·][j] stays 0 */
        double d = sqrt(piv);
        F[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = G[i * n + j];
            for (size_t l = 0; l < j; l++)
                s -= F[i * n + l] * F[j * n + l];
            F[i * n + j] = s / d;
        }
    }
    return TKC_SUCCESS;
}

/* y = F ξ, ξ ~ N(0, I_n); xi is scratch of length n. */
static void gaussian_in_law(draws *rnd, const double *F, size_t n, double *xi,
                            double *y)
{
    for (size_t j = 0; j < n; j++)
        xi[j] = normal(rnd, 1.0);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j <= i; j++)
            s += F[i * n + j] * xi[j];
        y[i] = s;
    }
}

static double dot(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t t = 0; t < d; t++)
        s += a[t] * b[t];
    return s;
}

static void gram_add(const double *v, size_t n, size_t d, double scale, double *G)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double g = scale * dot(v + i * d, v + j * d, d);
            G[i * n + j] += g;
            if (j < i)
                G[j * n + i] += g;
        }
}

/* ---- transformer ---------------------------------------------------------- */

typedef struct trans_work {
    size_t n, k, d, H, m, nk;
    double *h;      /* nk d: h_a(x_i), row i k + a                      */
    double *Hg;     /* nk nk: Gram of the h_a (in law)                   */
    double *Lh;     /* nk nk: its factor (in law)                        */
    double *logit;  /* nk: logits, then softmax weights                  */
    double *xi;     /* nk: scratch normals                               */
    double *hbar;   /* n d: Σ_a smax_a h_a (explicit)                    */
    double *o;      /* n d: o_η(x_i) (explicit)                          */
    double *w;      /* d: query direction, or a row of V / ω (explicit)  */
    double *pre;    /* m n: MLP pre-activations (explicit)               */
    double *F, *M, *B;  /* n n each                                      */
    size_t *tokid;  /* n k                                               */
} trans_work;

static void trans_work_free(trans_work *t)
{
    free(t->h), free(t->Hg), free(t->Lh), free(t->logit), free(t->xi);
    free(t->hbar), free(t->o), free(t->w), free(t->pre);
    free(t->F), free(t->M), free(t->B), free(t->tokid);
}

static int trans_work_alloc(trans_work *t, const tkc_finite_spec *fs,
                            const tkc_strings *S, tkc_error *err)
{
    memset(t, 0, sizeof *t);
    t->n = S->count, t->k = S->k, t->d = fs->d, t->H = fs->heads, t->m = fs->units;
    size_t n = t->n, k = t->k, d = t->d, nk = t->nk = n * k;
    int ok = (t->h = malloc(nk * d * sizeof *t->h)) &&
             (t->logit = malloc(nk * sizeof *t->logit)) &&
             (t->xi = malloc(nk * sizeof *t->xi)) &&
             (t->F = malloc(n * n * sizeof *t->F)) &&
             (t->M = malloc(n * n * sizeof *t->M)) &&
             (t->B = malloc(n * n * sizeof *t->B)) &&
             (t->tokid = malloc(nk * sizeof *t->tokid));
    if (ok && fs->explicit_weights)
        ok = (t->hbar = malloc(n * d * sizeof *t->hbar)) &&
             (t->o = malloc(n * d * sizeof *t->o)) &&
             (t->w = malloc(d * sizeof *t->w)) &&
             (t->pre = calloc(t->m * n, sizeof *t->pre));
    else if (ok)
        ok = (t->Hg = calloc(nk * nk, sizeof *t->Hg)) &&
             (t->Lh = malloc(nk * nk * sizeof *t->Lh));
    if (!ok) {
        trans_work_free(t);
        return tkc_fail(err, TKC_ENOMEM,
                        "finite network: width %zu, %zu strings of length %zu", d, n, k);
    }
    return TKC_SUCCESS;
}

/* h_a(x_i) = e_{x_ia} + γ q_a with e, q entries N(0, 1/d). */
static int embed(trans_work *t, const tkc_strings *S, double gamma,
                 draws *rnd, tkc_error *err)
{
    size_t ntok = dense_tokens(S, t->tokid), d = t->d;
    double *e = malloc((ntok + t->k) * d * sizeof *e);
    if (!e)
        return tkc_fail(err, TKC_ENOMEM, "finite network: %zu embeddings", ntok + t->k);
    double sd = 1 / sqrt((double)d), *q = e + ntok * d;
    for (size_t i = 0; i < (ntok + t->k) * d; i++)
        e[i] = normal(rnd, sd);
    for (size_t i = 0; i < t->n; i++)
        for (size_t a = 0; a < t->k; a++) {
            double *h = t->h + (i * t->k + a) * d;
            const double *et = e + t->tokid[i * t->k + a] * d, *qa = q + a * d;
            for (size_t s = 0; s < d; s++)
                h[s] = et[s] + gamma * qa[s];
        }
    free(e);
    return TKC_SUCCESS;
}

/* Logits of every string to softmax weights, in place (max subtracted). */
static void softmax_rows(double *l, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++, l += k) {
        double mx = -INFINITY, z = 0;
        for (size_t a = 0; a < k; a++)
            mx = fmax(mx, l[a]);
        for (size_t a = 0; a < k; a++)
            z += l[a] = exp(l[a] - mx);
        for (size_t a = 0; a < k; a++)
            l[a] /= z;
    }
}

/* Explicit head: w ~ N(0, I_d), V (d×d, N(0, 1/d)) and this head's blocks
 * of the ω_j (N(0, I_d)) drawn entry by entry. */
static void head_explicit(trans_work *t, double beta, draws *rnd)
{
    size_t n = t->n, k = t->k, d = t->d;
    double sd = 1 / sqrt((double)d), scale = 1 / sqrt((double)t->H);
    for (size_t s = 0; s < d; s++)
        t->w[s] = normal(rnd, 1.0);
    for (size_t ia = 0; ia < t->nk; ia++)
        t->logit[ia] = beta * dot(t->h + ia * d, t->w, d);
    softmax_rows(t->logit, n, k);
    memset(t->hbar, 0, n * d * sizeof *t->hbar);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < k; a++)
            for (size_t s = 0; s < d; s++)
                t->hbar[i * d + s] += t->logit[i * k + a] * t->h[(i * k + a) * d + s];
    for (size_t row = 0; row < d; row++) {
        for (size_t s = 0; s < d; s++)
            t->w[s] = normal(rnd, sd);
        for (size_t i = 0; i < n; i++)
            t->o[i * d + row] = dot(t->w, t->hbar + i * d, d);
    }
    for (size_t j = 0; j < t->m; j++) {
        for (size_t s = 0; s < d; s++)
            t->w[s] = normal(rnd, 1.0);
        for (size_t i = 0; i < n; i++)
            t->pre[j * n + i] += scale * dot(t->o + i * d, t->w, d);
    }
}

/* W ~ Wishart_n(d, I) as B = L (Bartlett: L lower triangular, L_jj² ~ χ²
 * with d − j degrees of freedom, L_ij ~ N(0, 1) below), or as a sum of d
 * outer products when d < n.  Writes a factor: W = B Bᵀ, B n×max(n,d)
 * stored n×n when d ≥ n. */
static void wishart_factor(draws *rnd, size_t n, size_t d, double *L)
{
    memset(L, 0, n * n * sizeof *L);
    for (size_t j = 0; j < n; j++) {
        L[j * n + j] = sqrt(chisq(rnd, (double)(d - j)));
        for (size_t i = j + 1; i < n; i++)
            L[i * n + j] = normal(rnd, 1.0);
    }
}

/* In-law head: logits β⟨h_a, w⟩ ~ N(0, β² Gram(h)); the d rows of
 * V [h̄_1 … h̄_n] are i.i.d. N(0, M/d), M = Gram(h̄), so
 * Σ_rows o oᵀ = F W Fᵀ / d with F Fᵀ = M and W ~ Wishart_n(d, I).  Adds
 * that / H into G. */
static int head_in_law(trans_work *t, double beta, draws *rnd, double *G,
                       tkc_error *err)
{
    size_t n = t->n, k = t->k, nk = t->nk, d = t->d;
    for (size_t ia = 0; ia < nk; ia++)
        t->xi[ia] = normal(rnd, 1.0);
    for (size_t ia = 0; ia < nk; ia++) {
        double s = 0;
        for (size_t jb = 0; jb <= ia; jb++)
            s += t->Lh[ia * nk + jb] * t->xi[jb];
        t->logit[ia] = beta * s;
    }
    softmax_rows(t->logit, n, k);
    for (size_t i = 0; i < n; i++)  /* M = S Hg Sᵀ */
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    s += t->logit[i * k + a] * t->logit[j * k + b] *
                         t->Hg[(i * k + a) * nk + j * k + b];
            t->M[i * n + j] = s;
        }
    int rc = psd_factor(t->M, n, t->F, err);
    if (rc)
        return rc;
    double scale = 1 / ((double)d * (double)t->H);
    if (d < n) {  /* too few rows for Bartlett: sum the d outer products */
        for (size_t row = 0; row < d; row++) {
            gaussian_in_law(rnd, t->F, n, t->xi, t->B);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    G[i * n + j] += scale * t->B[i] * t->B[j];
        }
        return TKC_SUCCESS;
    }
    wishart_factor(rnd, n, d, t->M);  /* M reused for L */
    for (size_t i = 0; i < n; i++)   /* B = F L, both lower triangular */
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t l = j; l <= i; l++)
                s += t->F[i * n + l] * t->M[l * n + j];
            t->B[i * n + j] = s;
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            G[i * n + j] += scale * dot(t->B + i * n, t->B + j * n, n);
    return TKC_SUCCESS;
}

/* (1/m) Σ_j φ(g_j(x_i)) φ(g_j(x_i')) from explicit or in-law g_j. */
static int mlp_layer(trans_work *t, const tkc_kernel_spec *spec,
                     const double *attn, draws *rnd, int explicit_weights,
                     double *trans, tkc_error *err)
{
    size_t n = t->n;
    if (!explicit_weights) {
        int rc = psd_factor(attn, n, t->F, err);
        if (rc)
            return rc;
    }
    memset(trans, 0, n * n * sizeof *trans);
    for (size_t j = 0; j < t->m; j++) {
        const double *g = t->M;
        if (explicit_weights)
            g = t->pre + j * n;
        else
            gaussian_in_law(rnd, t->F, n, t->xi, t->M);
        for (size_t i = 0; i < n; i++)
            t->B[i] = spec->activation->phi(g[i], spec);
        for (size_t i = 0; i < n; i++)
            for (size_t l = 0; l < n; l++)
                trans[i * n + l] += t->B[i] * t->B[l] / (double)t->m;
    }
    return TKC_SUCCESS;
}

int tkc_finite_transformer_gram(const tkc_kernel_spec *spec,
                                const tkc_finite_spec *fs,
                                const tkc_strings *S, double *attn,
                                double *trans, tkc_error *err)
{
    int rc = check_finite_spec(fs, S, 1, err);
    if (rc)
        return rc;
    if (!spec || (trans && !spec->activation))
        return tkc_fail(err, TKC_EINPUT, "finite transformer: spec has no activation");
    if (!isfinite(spec->beta) || !isfinite(spec->gamma))
        return tkc_fail(err, TKC_EINPUT, "finite transformer: beta, gamma must be finite");
    trans_work t;
    if ((rc = trans_work_alloc(&t, fs, S, err)))
        return rc;
    size_t n = t.n;
    double *G = calloc(n * n, sizeof *G);
    /* parts: 0 the embeddings, 1 + η head η, 1 + H the MLP layer */
    draws rnd;
    draws_init(&rnd, fs->seed, TKC_RNG_FINITE_TRANS);
    if (!G) {
        rc = tkc_fail(err, TKC_ENOMEM, "finite transformer: Gram matrix");
        goto done;
    }
    draws_part(&rnd, 0);
    if ((rc = embed(&t, S, spec->gamma, &rnd, err)))
        goto done;
    if (!fs->explicit_weights) {
        gram_add(t.h, t.nk, t.d, 1.0, t.Hg);
        if ((rc = psd_factor(t.Hg, t.nk, t.Lh, err)))
            goto done;
    }
    for (size_t eta = 0; eta < t.H; eta++) {
        draws_part(&rnd, 1 + eta);
        if (!fs->explicit_weights) {
            if ((rc = head_in_law(&t, spec->beta, &rnd, G, err)))
                goto done;
            continue;
        }
        head_explicit(&t, spec->beta, &rnd);
        gram_add(t.o, n, t.d, 1 / (double)t.H, G);
    }
    if (attn)
        memcpy(attn, G, n * n * sizeof *G);
    draws_part(&rnd, 1 + t.H);
    if (trans)
        rc = mlp_layer(&t, spec, G, &rnd, fs->explicit_weights, trans, err);
done:
    free(G);
    trans_work_free(&t);
    return rc;
}

/* ---- MLP on one-hot inputs ------------------------------------------------ */

/* One hidden layer in law: the d pre-activation vectors (over the n inputs)
 * are i.i.d. N(0, G); G ← (1/d) Σ_u φ(g_u) φ(g_u)ᵀ.  scratch: 3 n² + n. */
static int mlp_layer_in_law(const tkc_kernel_spec *spec, size_t n, size_t d,
                            draws *rnd, double *G, double *scratch,
                            tkc_error *err)
{
    double *F = scratch, *acc = F + n * n, *g = acc + n * n, *xi = g + n;
    int rc = psd_factor(G, n, F, err);
    if (rc)
        return rc;
    memset(acc, 0, n * n * sizeof *acc);
    for (size_t u = 0; u < d; u++) {
        gaussian_in_law(rnd, F, n, xi, g);
        for (size_t i = 0; i < n; i++)
            g[i] = spec->activation->phi(g[i], spec);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                acc[i * n + j] += g[i] * g[j] / (double)d;
    }
    memcpy(G, acc, n * n * sizeof *G);
    return TKC_SUCCESS;
}

/* One hidden layer with explicit weights W (d × width, N(0, 1)). */
static void mlp_layer_explicit(const tkc_kernel_spec *spec, size_t n,
                               size_t width, size_t d, draws *rnd,
                               const double *h, double *hn, double *row)
{
    for (size_t u = 0; u < d; u++) {
        for (size_t s = 0; s < width; s++)
            row[s] = normal(rnd, 1.0);
        for (size_t i = 0; i < n; i++)
            hn[i * d + u] = spec->activation->phi(dot(row, h + i * width, width),
                                                  spec) / sqrt((double)d);
    }
}

int tkc_finite_mlp_gram(const tkc_kernel_spec *spec, const tkc_finite_spec *fs,
                        const tkc_strings *S, double *gram, tkc_error *err)
{
    int rc = check_finite_spec(fs, S, 0, err);
    if (rc)
        return rc;
    if (!spec || (spec->mlp_depth > 0 && !spec->activation))
        return tkc_fail(err, TKC_EINPUT, "finite MLP: spec has no activation");
    size_t n = S->count, k = S->k, d = fs->d;
    size_t *tokid = malloc(n * k * sizeof *tokid);
    size_t ntok = tokid ? dense_tokens(S, tokid) : 0, in = k * ntok;
    size_t wmax = in > d ? in : d;
    double *h = calloc(n * wmax, sizeof *h), *hn = malloc(n * wmax * sizeof *hn);
    double *row = malloc((wmax + 3 * n * n + n) * sizeof *row);
    draws rnd;   /* part l: hidden layer l */
    draws_init(&rnd, fs->seed, TKC_RNG_FINITE_MLP);
    if (!tokid || !h || !hn || !row) {
        rc = tkc_fail(err, TKC_ENOMEM, "finite MLP: width %zu, input %zu", d, in);
        goto done;
    }
    for (size_t i = 0; i < n; i++)  /* concatenated one-hot, norm² = 1 */
        for (size_t a = 0; a < k; a++)
            h[i * in + a * ntok + tokid[i * k + a]] = 1 / sqrt((double)k);
    memset(gram, 0, n * n * sizeof *gram);
    if (!fs->explicit_weights) {
        gram_add(h, n, in, 1.0, gram);
        for (unsigned l = 0; l < spec->mlp_depth && !rc; l++) {
            draws_part(&rnd, l);
            rc = mlp_layer_in_law(spec, n, d, &rnd, gram, row, err);
        }
        goto done;
    }
    size_t width = in;
    for (unsigned l = 0; l < spec->mlp_depth; l++) {
        draws_part(&rnd, l);
        mlp_layer_explicit(spec, n, width, d, &rnd, h, hn, row);
        double *tmp = h;
        h = hn, hn = tmp, width = d;
    }
    gram_add(h, n, width, 1.0, gram);
done:
    free(row);
    free(hn);
    free(h);
    free(tokid);
    return rc;
}
