/* krr_structured.c — the structured solve of (K̂ + λI)α = y for
 * K̂ = U N Uᵀ + D + S (krr_structured.h): the pattern of S in compressed
 * columns, CHOLMOD's factor of A = D + S + λI, the symmetric Woodbury
 * capacitance, and conjugate gradients on the true operator preconditioned
 * by A + U N Uᵀ, with the residual checked in extended precision from the
 * kernel values (tkc_krr_gram_residual). */
#include <cholmod.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "krr_structured.h"
#include "spd_ridge.h"

#define RIDGE_RAISES_MAX 40       /* as tkc_spd_solve                        */
#define SHIFT_RAISES_MAX 12       /* σ of a preconditioner that is not SPD   */
#define OUTER_MAX 12              /* residual recomputations                 */
#define G_CHUNK 8                 /* columns of U per CHOLMOD solve          */
/* Predicted conjugate-gradient steps, for the cost model only: with the
 * exact A the method is iterative refinement (two or three steps); on the
 * diagonal it iterates on S, in 40 (1 + d)^0.4 steps for d exceptional
 * partners per string (measured on αβα/αββ and same/different, d from 0.3
 * to 450; the well-conditioned relational match-to-sample needs ~20; see
 * docs/krr_scale.md).  The condition estimate costs about 2.5 solves more
 * (five solves by CG to 1e-6). */
#define CG_STEPS_EXACT 3.0
#define CONDITION_ESTIMATE_SOLVES 2.5

static double cg_steps_diagonal(double n, double ns)
{
    return 40.0 * pow(1.0 + 2.0 * ns / fmax(n, 1), 0.4);
}

struct krr_structured {
    const tkc_krr_gram *g;
    size_t n, r, rp;
    const uint32_t *tmpl;
    long *col;                  /* r: U's column of template t, -1 absent    */
    size_t *present;            /* rp: the template of column c              */
    krr_a_mode mode;
    size_t nshared;
    /* A = D + S (+ λI + σI), lower triangle in compressed columns, the
     * diagonal first in each column, then the gram's shared pairs of the
     * column in its order (entry Ap[j] + 1 + e is the gram's pair
     * pcol[j] + e). */
    cholmod_common cm;
    int cm_started;
    cholmod_sparse *A;
    const size_t *pcol;         /* the gram's shared pairs by column         */
    const uint32_t *pkey;
    cholmod_factor *L;          /* KRR_A_FACTOR                              */
    double *dop;                /* n: D + λ, the operator's diagonal         */
    double *adiag;              /* n: KRR_A_DIAGONAL's A (with σ)            */
    /* Woodbury (rp × rp, column-major) */
    double *N, *LG, *C;
    double sigma;
    /* work */
    double *w, *v2, *u, *beta;
    cholmod_dense *X, *Y, *E;   /* cholmod_l_solve2's reusable workspace     */
};

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- structure: U and the pattern of S ----------------------------------- */

/* A's pattern from the gram's column index of the shared pairs: column j
 * holds j, then its rows i > j (CHOLMOD's "sorted, packed, lower"). */
static int build_pattern(krr_structured *s, tkc_error *err)
{
    size_t n = s->n, ns = s->nshared, nnz = n + ns;
    const size_t *pcol = tkc_krr_gram_shared_columns(s->g);
    const uint32_t *prow = tkc_krr_gram_shared_rows(s->g);
    s->A = cholmod_l_allocate_sparse(n, n, nnz, 1, 1, -1, CHOLMOD_REAL, &s->cm);
    if (!s->A)
        return tkc_fail(err, TKC_ENOMEM, "krr structured: cannot allocate the "
                        "pattern of %zu exceptional pairs", ns);
    long *Ap = s->A->p, *Ai = s->A->i;
    for (size_t j = 0; j < n; j++) {
        long p = (long)(pcol[j] + j);
        Ap[j] = p;
        Ai[p] = (long)j;
        for (size_t e = pcol[j]; e < pcol[j + 1]; e++)
            Ai[++p] = (long)prow[e];
    }
    Ap[n] = (long)nnz;
    return TKC_SUCCESS;
}

static int build_columns(krr_structured *s, tkc_error *err)
{
    s->col = malloc(s->r * sizeof *s->col);
    s->present = malloc(s->r * sizeof *s->present);
    if (!s->col || !s->present)
        return tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory");
    for (size_t t = 0; t < s->r; t++)
        s->col[t] = -1;
    for (size_t i = 0; i < s->n; i++)
        s->col[s->tmpl[i]] = 0;
    s->rp = 0;
    for (size_t t = 0; t < s->r; t++)
        if (s->col[t] == 0) {
            s->present[s->rp] = t;
            s->col[t] = (long)s->rp++;
        }
    return TKC_SUCCESS;
}

void krr_structured_free(krr_structured *s)
{
    if (!s)
        return;
    if (s->cm_started) {
        cholmod_l_free_sparse(&s->A, &s->cm);
        cholmod_l_free_factor(&s->L, &s->cm);
        cholmod_l_free_dense(&s->X, &s->cm);
        cholmod_l_free_dense(&s->Y, &s->cm);
        cholmod_l_free_dense(&s->E, &s->cm);
        cholmod_l_finish(&s->cm);
    }
    free(s->col);
    free(s->present);
    free(s->dop);
    free(s->adiag);
    free(s->N);
    free(s->LG);
    free(s->C);
    free(s->w);
    free(s->v2);
    free(s->u);
    free(s->beta);
    free(s);
}

int krr_structured_alloc(tkc_krr_gram *g, krr_a_mode mode,
                         krr_structured **out, tkc_error *err)
{
    *out = NULL;
    int st = tkc_krr_gram_index_shared(g, err);
    if (st)
        return st;
    krr_structured *s = calloc(1, sizeof *s);
    if (!s)
        return tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory");
    s->pcol = tkc_krr_gram_shared_columns(g);
    s->pkey = tkc_krr_gram_shared_keys(g);
    s->g = g;
    s->n = tkc_krr_gram_size(g);
    s->r = tkc_krr_gram_templates(g);
    s->tmpl = tkc_krr_gram_template_of(g);
    s->nshared = tkc_krr_gram_shared_pairs(g);
    s->mode = mode;
    if (!cholmod_l_start(&s->cm)) {
        free(s);
        return tkc_fail(err, TKC_ENOMEM, "krr structured: CHOLMOD did not start");
    }
    s->cm_started = 1;
    s->cm.print = 0;            /* status codes are checked; nothing printed */
    s->cm.final_ll = 1;         /* LL': a non-positive pivot is reported     */
    size_t n = s->n;
    st = build_columns(s, err);
    size_t rp = s->rp;
    if (!st) {
        s->dop = malloc(n * sizeof *s->dop);
        s->w = malloc(n * sizeof *s->w);
        s->v2 = malloc(n * sizeof *s->v2);
        s->u = malloc(rp * sizeof *s->u);
        s->beta = malloc(rp * sizeof *s->beta);
        s->N = malloc(rp * rp * sizeof *s->N);
        s->LG = malloc(rp * rp * sizeof *s->LG);
        s->C = malloc(rp * rp * sizeof *s->C);
        if (mode == KRR_A_DIAGONAL)
            s->adiag = malloc(n * sizeof *s->adiag);
        if (!s->dop || !s->w || !s->v2 || !s->u || !s->beta || !s->N ||
            !s->LG || !s->C || (mode == KRR_A_DIAGONAL && !s->adiag))
            st = tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory "
                          "(n = %zu)", n);
    }
    if (!st)
        st = build_pattern(s, err);
    if (!st && mode == KRR_A_FACTOR) {
        s->L = cholmod_l_analyze(s->A, &s->cm);
        if (!s->L)
            st = tkc_fail(err, s->cm.status == CHOLMOD_OUT_OF_MEMORY
                                   ? TKC_ENOMEM : TKC_ENUMERIC,
                          "krr structured: CHOLMOD's analysis failed "
                          "(status %d)", s->cm.status);
    }
    if (st) {
        krr_structured_free(s);
        return st;
    }
    *out = s;
    return TKC_SUCCESS;
}

/* ---- predicted cost ---------------------------------------------------------- */

/* Bytes of the arrays every mode keeps: the compressed S with keys, the
 * vectors of CG and of the residual (long double), and the Woodbury
 * matrices. */
static double common_bytes(double n, double rp, double ns)
{
    /* CHOLMOD's A (values, long rows) and the gram's column index */
    return (n + ns) * (8.0 + 8.0) + 8.0 * (n + 1) + 8.0 * ns + 8.0 * n +
           8.0 * n * 9 + 16.0 * n * 2 + 24.0 * rp * rp;
}

/* Flops of one CG step beyond the preconditioner: the structured product
 * (U N Uᵀ: 2n + 2rp²; S: 4|S|) and the vector updates. */
static double cg_step_flops(double n, double rp, double ns)
{
    return 2 * n + 2 * rp * rp + 4 * ns + 10 * n;
}

void krr_structured_cost_diagonal(size_t n, size_t templates,
                                  size_t shared_pairs, krr_structured_cost *c)
{
    double dn = (double)n, rp = (double)templates, ns = (double)shared_pairs;
    *c = (krr_structured_cost){n, templates, shared_pairs, 0, 0, 0, 0};
    c->bytes = common_bytes(dn, rp, ns) + 8.0 * dn;
    c->flops = (1 + CONDITION_ESTIMATE_SOLVES) * cg_steps_diagonal(dn, ns) *
                   (cg_step_flops(dn, rp, ns) + 6 * dn) +
               2 * dn * rp + rp * rp * rp;
}

void krr_structured_cost_factor(size_t n, size_t templates,
                                size_t shared_pairs, double factor_nnz,
                                double factor_flops, krr_structured_cost *c)
{
    double dn = (double)n, rp = (double)templates, ns = (double)shared_pairs;
    double lnz = factor_nnz > 0 ? factor_nnz : dn;
    *c = (krr_structured_cost){n, templates, shared_pairs, lnz, factor_flops,
                               0, 0};
    /* The factor (values and row indices; supernodal amalgamation adds a
     * little: 25%), CHOLMOD's workspace, U's solves G_CHUNK at a time. */
    c->bytes = common_bytes(dn, rp, ns) + 1.25 * 16.0 * lnz + 8.0 * dn * 6 +
               3.0 * 8.0 * dn * G_CHUNK;
    /* Factor, G (rp solves), CG steps (two solves each). */
    c->flops = factor_flops + rp * 4 * lnz +
               (CG_STEPS_EXACT + 2 * CONDITION_ESTIMATE_SOLVES) *
                   (cg_step_flops(dn, rp, ns) + 2 * 4 * lnz) +
               2 * dn * rp + rp * rp * rp;
}

void krr_structured_cost_of(const krr_structured *s, krr_structured_cost *c)
{
    if (s->mode == KRR_A_DIAGONAL)
        krr_structured_cost_diagonal(s->n, s->rp, s->nshared, c);
    else
        krr_structured_cost_factor(s->n, s->rp, s->nshared, s->cm.lnz,
                                   s->cm.fl, c);
}

/* ---- values of one kernel estimate ---------------------------------------- */

/* N (present templates), the operator's diagonal D + λ, and A's values:
 * D + λ + σ on the diagonal, K̂_ij − N_{t_i t_j} off it. */
static void set_values(krr_structured *s, size_t q, double lambda, double sigma)
{
    const tkc_krr_gram *g = s->g;
    size_t rp = s->rp, n = s->n;
    for (size_t a = 0; a < rp; a++)
        for (size_t b = 0; b < rp; b++)
            s->N[a + b * rp] = tkc_krr_gram_cross(g, q, s->present[a],
                                                  s->present[b]);
    long *Ap = s->A->p, *Ai = s->A->i;
    double *Ax = s->A->x;
    for (size_t j = 0; j < n; j++) {
        size_t tj = s->tmpl[j];
        s->dop[j] = tkc_krr_gram_self(g, q, tj) -
                    tkc_krr_gram_cross(g, q, tj, tj) + lambda;
        Ax[Ap[j]] = s->dop[j] + sigma;
        if (s->adiag)
            s->adiag[j] = s->dop[j] + sigma;
        for (long p = Ap[j] + 1; p < Ap[j + 1]; p++)
            Ax[p] = tkc_krr_gram_key_value(
                        g, q, s->pkey[s->pcol[j] + (size_t)(p - Ap[j] - 1)]) -
                    tkc_krr_gram_cross(g, q, s->tmpl[Ai[p]], tj);
    }
    s->sigma = sigma;
}

/* The smallest σ ≥ 0 that makes A + σI strictly diagonally dominant (so
 * positive definite, Gershgorin), plus a margin of 1e-3 of its diagonal. */
static double gershgorin_shift(const krr_structured *s)
{
    const long *Ap = s->A->p, *Ai = s->A->i;
    const double *Ax = s->A->x;
    size_t n = s->n;
    double *row = calloc(n, sizeof *row), need = 0, dmax = 0;
    if (!row)
        return INFINITY;
    for (size_t j = 0; j < n && s->mode == KRR_A_FACTOR; j++)
        for (long p = Ap[j] + 1; p < Ap[j + 1]; p++) {
            row[j] += fabs(Ax[p]);
            row[Ai[p]] += fabs(Ax[p]);
        }
    for (size_t j = 0; j < n; j++) {
        double a = Ax[Ap[j]] - s->sigma;
        need = fmax(need, row[j] - a);
        dmax = fmax(dmax, fabs(a));
    }
    free(row);
    return need + 1e-3 * fmax(dmax, DBL_MIN);
}

/* Factor A (+ σI): 0, or 1 when it is not positive definite. */
static int factor_a(krr_structured *s, int *not_pd, tkc_error *err)
{
    *not_pd = 0;
    if (s->mode == KRR_A_DIAGONAL) {
        for (size_t i = 0; i < s->n; i++)
            if (!(s->adiag[i] > 0)) {
                *not_pd = 1;
                break;
            }
        return TKC_SUCCESS;
    }
    int ok = cholmod_l_factorize(s->A, s->L, &s->cm);
    if (!ok || s->cm.status < 0)
        return tkc_fail(err, s->cm.status == CHOLMOD_OUT_OF_MEMORY ? TKC_ENOMEM
                                                                   : TKC_ENUMERIC,
                        "krr structured: CHOLMOD's factorization failed "
                        "(status %d)", s->cm.status);
    *not_pd = s->cm.status == CHOLMOD_NOT_POSDEF;
    return TKC_SUCCESS;
}

/* out = A⁻¹ v (out may be v). */
static int solve_a(krr_structured *s, const double *v, double *out,
                   tkc_error *err)
{
    if (s->mode == KRR_A_DIAGONAL) {
        for (size_t i = 0; i < s->n; i++)
            out[i] = v[i] / s->adiag[i];
        return TKC_SUCCESS;
    }
    cholmod_dense B = {.nrow = s->n, .ncol = 1, .nzmax = s->n, .d = s->n,
                       .x = (void *)v, .xtype = CHOLMOD_REAL,
                       .dtype = CHOLMOD_DOUBLE};
    if (!cholmod_l_solve2(CHOLMOD_A, s->L, &B, NULL, &s->X, NULL, &s->Y, &s->E,
                          &s->cm))
        return tkc_fail(err, TKC_ENOMEM, "krr structured: CHOLMOD's solve "
                        "failed (status %d)", s->cm.status);
    memcpy(out, s->X->x, s->n * sizeof *out);
    return TKC_SUCCESS;
}

/* G = Uᵀ A⁻¹ U, G_CHUNK columns at a time. */
static int gram_of_u(krr_structured *s, double *G, tkc_error *err)
{
    size_t n = s->n, rp = s->rp;
    memset(G, 0, rp * rp * sizeof *G);
    if (s->mode == KRR_A_DIAGONAL) {
        for (size_t i = 0; i < n; i++)
            G[(size_t)s->col[s->tmpl[i]] * (rp + 1)] += 1.0 / s->adiag[i];
        return TKC_SUCCESS;
    }
    for (size_t c0 = 0; c0 < rp; c0 += G_CHUNK) {
        size_t cw = rp - c0 < G_CHUNK ? rp - c0 : G_CHUNK;
        cholmod_dense *B = cholmod_l_zeros(n, cw, CHOLMOD_REAL, &s->cm);
        if (!B)
            return tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory");
        double *b = B->x;
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)s->col[s->tmpl[i]];
            if (c >= c0 && c < c0 + cw)
                b[i + (c - c0) * n] = 1;
        }
        cholmod_dense *Xc = cholmod_l_solve(CHOLMOD_A, s->L, B, &s->cm);
        cholmod_l_free_dense(&B, &s->cm);
        if (!Xc)
            return tkc_fail(err, TKC_ENOMEM, "krr structured: CHOLMOD's solve "
                            "failed (status %d)", s->cm.status);
        const double *x = Xc->x;
        for (size_t k = 0; k < cw; k++)
            for (size_t i = 0; i < n; i++)
                G[(size_t)s->col[s->tmpl[i]] + (c0 + k) * rp] += x[i + k * n];
        cholmod_l_free_dense(&Xc, &s->cm);
    }
    for (size_t a = 0; a < rp; a++)            /* symmetric up to rounding */
        for (size_t b = 0; b < a; b++)
            G[a + b * rp] = G[b + a * rp] = 0.5 * (G[a + b * rp] + G[b + a * rp]);
    return TKC_SUCCESS;
}

/* The capacitance C = I + L_Gᵀ N L_G and its Cholesky factor: 0, or
 * *not_pd when C is not positive definite. */
static int capacitance(krr_structured *s, int *not_pd, double *rcond,
                       tkc_error *err)
{
    size_t rp = s->rp;
    lapack_int m = (lapack_int)rp;
    *not_pd = 0;
    int st = gram_of_u(s, s->LG, err);
    if (st)
        return st;
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', m, s->LG, m))
        return tkc_fail(err, TKC_ENUMERIC, "krr structured: U^T A^-1 U is not "
                        "positive definite (A factored as positive definite)");
    for (size_t a = 0; a < rp; a++)            /* L_G lower, zero above */
        for (size_t b = a + 1; b < rp; b++)
            s->LG[a + b * rp] = 0;
    /* T = N L_G (into C), then C = L_Gᵀ T + I. */
    double *T = malloc(rp * rp * sizeof *T);
    if (!T)
        return tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory");
    for (size_t b = 0; b < rp; b++)
        for (size_t a = 0; a < rp; a++) {
            double v = 0;
            for (size_t k = b; k < rp; k++)
                v += s->N[a + k * rp] * s->LG[k + b * rp];
            T[a + b * rp] = v;
        }
    for (size_t b = 0; b < rp; b++)
        for (size_t a = 0; a < rp; a++) {
            double v = a == b;
            for (size_t k = a; k < rp; k++)
                v += s->LG[k + a * rp] * T[k + b * rp];
            s->C[a + b * rp] = v;
        }
    free(T);
    double anorm = 0;
    for (size_t b = 0; b < rp; b++) {
        double col = 0;
        for (size_t a = 0; a < rp; a++) {
            if (a < b)
                s->C[a + b * rp] = s->C[b + a * rp] =
                    0.5 * (s->C[a + b * rp] + s->C[b + a * rp]);
            col += fabs(s->C[a + b * rp]);
        }
        anorm = fmax(anorm, col);
    }
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', m, s->C, m)) {
        *not_pd = 1;
        return TKC_SUCCESS;
    }
    if (LAPACKE_dpocon(LAPACK_COL_MAJOR, 'L', m, s->C, m, anorm, rcond))
        *rcond = 0;
    return TKC_SUCCESS;
}

/* out = M⁻¹ v, M = A + U N Uᵀ: β = L_G⁻ᵀ C⁻¹ L_Gᵀ N Uᵀ A⁻¹ v, then
 * out = A⁻¹ (v − U β). */
static int apply_preconditioner(krr_structured *s, const double *v,
                                double *out, tkc_error *err)
{
    size_t n = s->n, rp = s->rp;
    lapack_int m = (lapack_int)rp;
    int st = solve_a(s, v, s->w, err);
    if (st)
        return st;
    memset(s->u, 0, rp * sizeof *s->u);
    for (size_t i = 0; i < n; i++)
        s->u[s->col[s->tmpl[i]]] += s->w[i];
    for (size_t a = 0; a < rp; a++) {          /* β = N u */
        double t = 0;
        for (size_t b = 0; b < rp; b++)
            t += s->N[a + b * rp] * s->u[b];
        s->beta[a] = t;
    }
    for (size_t a = 0; a < rp; a++) {          /* u = L_Gᵀ β */
        double t = 0;
        for (size_t k = a; k < rp; k++)
            t += s->LG[k + a * rp] * s->beta[k];
        s->u[a] = t;
    }
    if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', m, 1, s->C, m, s->u, m) ||
        LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'L', 'T', 'N', m, 1, s->LG, m, s->u, m))
        return tkc_fail(err, TKC_ENUMERIC, "krr structured: LAPACK failed in "
                        "the capacitance solve");
    for (size_t i = 0; i < n; i++)
        s->v2[i] = v[i] - s->u[s->col[s->tmpl[i]]];
    return solve_a(s, s->v2, out, err);
}

/* out = (K̂ + λI) v in double from the values set: the CG operator. */
static void apply_operator(krr_structured *s, const double *v, double *out)
{
    size_t n = s->n, rp = s->rp;
    memset(s->u, 0, rp * sizeof *s->u);
    for (size_t i = 0; i < n; i++)
        s->u[s->col[s->tmpl[i]]] += v[i];
    for (size_t a = 0; a < rp; a++) {
        double t = 0;
        for (size_t b = 0; b < rp; b++)
            t += s->N[a + b * rp] * s->u[b];
        s->beta[a] = t;
    }
    const long *Ap = s->A->p, *Ai = s->A->i;
    const double *Ax = s->A->x;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)s->col[s->tmpl[i]];
        out[i] = s->beta[c] + s->dop[i] * v[i];
    }
    for (size_t j = 0; j < n; j++)
        for (long p = Ap[j] + 1; p < Ap[j + 1]; p++) {
            out[Ai[p]] += Ax[p] * v[j];
            out[j] += Ax[p] * v[Ai[p]];
        }
}

/* ---- conjugate gradients ------------------------------------------------------ */

typedef enum { CG_TOLERANCE, CG_FLOOR, CG_LIMIT, CG_BREAKDOWN } cg_status;

typedef struct cg_work {
    double *r, *z, *p, *qv;
    long double *rl;
    double knorm;              /* ‖K̂ + λI‖∞                                 */
    double ynorm;
} cg_work;

static double norm_inf(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* x ← solution of (K̂_q + λI) x = y from the given x, CG preconditioned by
 * M in rounds, the residual recomputed between them, in extended precision
 * from the kernel values when `precise` (restarted CG: with the exact M
 * each round is a step of iterative refinement); stops at backward error tol, when a round no longer halves
 * it (the rounding floor: tol = 0 asks for that), or after *budget steps
 * (decremented). */
static int cg_solve(krr_structured *s, size_t q, double lambda, const double *y,
                    double *x, double tol, int precise, unsigned *budget,
                    cg_work *w, cg_status *status, double *eta_out,
                    unsigned *steps, tkc_error *err)
{
    size_t n = s->n;
    double eta_prev = INFINITY;
    *status = CG_LIMIT;
    for (int outer = 0; outer < OUTER_MAX; outer++) {
        int st = TKC_SUCCESS;
        if (precise) {
            st = tkc_krr_gram_residual(s->g, q, lambda, y, x, w->rl, NULL, err);
            for (size_t i = 0; i < n; i++)
                w->r[i] = (double)w->rl[i];
        } else {                      /* in double, by the CG operator */
            apply_operator(s, x, w->r);
            for (size_t i = 0; i < n; i++)
                w->r[i] = y[i] - w->r[i];
        }
        if (st)
            return st;
        double eta = norm_inf(w->r, n) / (w->knorm * norm_inf(x, n) + w->ynorm);
        *eta_out = eta;
        if (eta <= tol) {
            *status = CG_TOLERANCE;
            return TKC_SUCCESS;
        }
        if (eta > 0.5 * eta_prev) {
            *status = CG_FLOOR;
            return TKC_SUCCESS;
        }
        eta_prev = eta;
        if (*budget == 0)
            return TKC_SUCCESS;
        if ((st = apply_preconditioner(s, w->r, w->z, err)))
            return st;
        memcpy(w->p, w->z, n * sizeof *w->p);
        double rz = dot(w->r, w->z, n);
        /* a round ends when the recursive residual is 1e-3 of the round's
         * true one (or at the tolerance); then the true one is recomputed */
        double stop = fmax(0.5 * tol * (w->knorm * norm_inf(x, n) + w->ynorm),
                           1e-3 * norm_inf(w->r, n));
        while (*budget > 0 && rz > 0) {
            apply_operator(s, w->p, w->qv);
            double pq = dot(w->p, w->qv, n);
            if (!(pq > 0)) {
                *status = CG_BREAKDOWN;   /* K̂ + λI not positive definite */
                return TKC_SUCCESS;
            }
            double a = rz / pq;
            for (size_t i = 0; i < n; i++) {
                x[i] += a * w->p[i];
                w->r[i] -= a * w->qv[i];
            }
            (*budget)--;
            (*steps)++;
            if (norm_inf(w->r, n) <= stop)
                break;
            if ((st = apply_preconditioner(s, w->r, w->z, err)))
                return st;
            double rz2 = dot(w->r, w->z, n);
            double b = rz2 / rz;
            rz = rz2;
            for (size_t i = 0; i < n; i++)
                w->p[i] = w->z[i] + b * w->p[i];
        }
    }
    return TKC_SUCCESS;
}

/* ---- condition estimate -------------------------------------------------------- */

/* ‖(K̂ + λI)⁻¹‖₁ by LAPACK's dlacn2 (Hager–Higham), each product a solve by
 * CG to 1e-4 (with the exact A one preconditioner step); infinite when a
 * solve breaks down (K̂ + λI not positive definite) or runs away (singular:
 * CG on a right-hand side outside the range grows without bound). */
static int inverse_norm_estimate(krr_structured *s, size_t q, double lambda,
                                 cg_work *w, double *est, tkc_error *err)
{
    size_t n = s->n;
    double *v = malloc(n * sizeof *v), *x = malloc(n * sizeof *x);
    double *b = malloc(n * sizeof *b);
    lapack_int *isgn = malloc(n * sizeof *isgn), kase = 0, isave[3] = {0};
    lapack_int ln = (lapack_int)n;
    int st = TKC_SUCCESS;
    *est = 0;
    if (!v || !x || !b || !isgn) {
        st = tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory");
        goto done;
    }
    for (int round = 0; round < 10; round++) {
        LAPACK_dlacn2(&ln, v, x, isgn, est, &kase, isave);
        if (kase == 0)
            break;
        /* symmetric: kase 1 and 2 both solve with (K̂ + λI) */
        memcpy(b, x, n * sizeof *b);
        memset(x, 0, n * sizeof *x);
        unsigned budget = 200, steps = 0;
        cg_status cs;
        double eta, ynorm = w->ynorm;
        w->ynorm = norm_inf(b, n);
        st = cg_solve(s, q, lambda, b, x, 1e-4, 0, &budget, w, &cs, &eta,
                      &steps, err);
        w->ynorm = ynorm;
        if (st)
            break;
        if (cs == CG_BREAKDOWN || !isfinite(norm_inf(x, n))) {
            *est = INFINITY;
            break;
        }
    }
done:
    free(v), free(x), free(b), free(isgn);
    return st;
}

/* ---- the solve -------------------------------------------------------------------- */

static void cg_work_free(cg_work *w)
{
    free(w->r), free(w->z), free(w->p), free(w->qv), free(w->rl);
}

/* Factor A (shifting it when it is not positive definite) and the
 * capacitance at (q, λ).  *ridge_fails when K̂ + λI itself is found not
 * positive definite. */
static int prepare(krr_structured *s, size_t q, double lambda,
                   int *ridge_fails, double *crcond, tkc_error *err)
{
    double sigma = 0;
    *ridge_fails = 0;
    for (int round = 0; round <= SHIFT_RAISES_MAX; round++) {
        set_values(s, q, lambda, sigma);
        int not_pd, st = factor_a(s, &not_pd, err);
        if (st)
            return st;
        if (not_pd) {
            double need = gershgorin_shift(s);
            sigma = fmax(need, sigma > 0 ? 2 * sigma : need);
            continue;
        }
        if ((st = capacitance(s, &not_pd, crcond, err)))
            return st;
        if (!not_pd)
            return TKC_SUCCESS;
        if (sigma == 0 && s->mode == KRR_A_FACTOR) {
            *ridge_fails = 1;            /* M = K̂ + λI: not positive definite */
            return TKC_SUCCESS;
        }
        /* Only the preconditioner is indefinite: U N Uᵀ's negative
         * directions (N indefinite under noise) outweigh A; shift more. */
        double dmax = 0;
        for (size_t i = 0; i < s->n; i++)
            dmax = fmax(dmax, fabs(s->dop[i]));
        sigma = sigma > 0 ? 10 * sigma : 1e-3 * fmax(dmax, DBL_MIN);
    }
    *ridge_fails = 1;
    return TKC_SUCCESS;
}

int krr_structured_solve(krr_structured *s, size_t q, double lambda,
                         const double *y, double tolerance,
                         unsigned max_iterations, double *alpha,
                         tkc_spd_solve_info *solve, krr_structured_info *info,
                         tkc_error *err)
{
    size_t n = s->n;
    memset(solve, 0, sizeof *solve);
    memset(info, 0, sizeof *info);
    solve->lambda = lambda;
    info->mode = s->mode;
    cg_work w = {malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                 malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                 malloc(n * sizeof(long double)), 0, 0};
    double *ones = malloc(n * sizeof *ones);
    long double *abs_row = malloc(n * sizeof *abs_row);
    int st = TKC_SUCCESS;
    if (!w.r || !w.z || !w.p || !w.qv || !w.rl || !ones || !abs_row) {
        st = tkc_fail(err, TKC_ENOMEM, "krr structured: out of memory (n = %zu)",
                      n);
        goto done;
    }
    double dmax = 0;
    for (size_t t = 0; t < s->r; t++)
        dmax = fmax(dmax, fabs(tkc_krr_gram_self(s->g, q, t)));
    double floor_ = dmax > 0 ? (double)n * DBL_EPSILON * dmax : 1.0;
    for (size_t i = 0; i < n; i++)
        ones[i] = 1;
    w.ynorm = norm_inf(y, n);
    double lam = lambda, t0 = seconds_now(), inv_norm = 0;
    char why[160] = "";
    st = TKC_ENUMERIC;
    unsigned budget = max_iterations;
    for (unsigned attempt = 0; attempt <= RIDGE_RAISES_MAX; attempt++) {
        int fails = 0;
        cg_status cs = CG_LIMIT;
        double eta = INFINITY, rcond = 0;
        int e = prepare(s, q, lam, &fails, &info->capacitance_rcond, err);
        if (!e && !fails) {
            /* ‖K̂ + λI‖∞: the row sums of |K̂| + λ (the product with ones) */
            e = tkc_krr_gram_residual(s->g, q, lam, ones, ones, w.rl, abs_row,
                                      err);
            w.knorm = 0;
            for (size_t i = 0; !e && i < n; i++)
                w.knorm = fmax(w.knorm, (double)(abs_row[i] - 1));
            memset(alpha, 0, n * sizeof *alpha);
            if (!e)
                e = cg_solve(s, q, lam, y, alpha, tolerance, 1, &budget, &w,
                             &cs, &eta, &info->iterations, err);
            fails = cs == CG_BREAKDOWN;
        }
        if (!e && !fails) {
            /* as dposvx: rcond below machine epsilon is a failure too */
            e = inverse_norm_estimate(s, q, lam, &w, &inv_norm, err);
            rcond = isfinite(inv_norm) && inv_norm > 0
                        ? 1.0 / (w.knorm * inv_norm) : 0;
            fails = !(rcond >= DBL_EPSILON);
        }
        if (e) {
            st = e;
            break;
        }
        if (!fails) {
            solve->lambda_used = lam;
            solve->escalations = attempt;
            solve->rcond = rcond;
            info->shift = s->sigma;
            info->backward_error = eta;
            info->converged = cs != CG_LIMIT;
            if (attempt)
                tkc_spd_ridge_note(solve->note, sizeof solve->note, why, lambda,
                                   lam, attempt);
            st = TKC_SUCCESS;
            break;
        }
        if (attempt == 0) {
            if (rcond > 0 || (cs != CG_BREAKDOWN && isfinite(inv_norm) &&
                              inv_norm > 0))
                snprintf(why, sizeof why, "rcond = %.3g < machine epsilon at "
                         "lambda = %g (structured solve)", rcond, lam);
            else
                snprintf(why, sizeof why, "K+lambda*I not positive definite "
                         "at lambda = %g (structured solve)", lam);
        }
        lam = tkc_spd_next_ridge(lam, floor_);
    }
    solve->seconds_factor = seconds_now() - t0;
    if (st == TKC_ENUMERIC && !(solve->lambda_used > 0 || solve->escalations))
        tkc_fail(err, TKC_ENUMERIC, "krr structured: %s; still failing after "
                 "%d ridge raises (lambda = %g)", why, RIDGE_RAISES_MAX, lam);
    if (st)
        goto done;
    /* The figures of the answer: residual, componentwise backward error,
     * and the condition estimate behind the forward error bound. */
    if ((st = tkc_krr_gram_residual(s->g, q, solve->lambda_used, y, alpha, w.rl,
                                    abs_row, err)))
        goto done;
    long double r2 = 0, y2 = 0, r1 = 0, x1 = 0;
    solve->berr = 0;
    for (size_t i = 0; i < n; i++) {
        r2 += w.rl[i] * w.rl[i];
        y2 += (long double)y[i] * y[i];
        r1 += fabsl(w.rl[i]);
        x1 += fabs(alpha[i]);
        if (abs_row[i] > 0)
            solve->berr = fmax(solve->berr, (double)(fabsl(w.rl[i]) / abs_row[i]));
    }
    info->residual = y2 > 0 ? (double)sqrtl(r2 / y2) : (double)sqrtl(r2);
    solve->ferr = x1 > 0 ? inv_norm * (double)(r1 / x1) : 0;
    info->peak_bytes = (double)s->cm.memory_usage +
                       common_bytes((double)n, (double)s->rp, (double)s->nshared) +
                       (s->adiag ? 8.0 * n : 0);
done:
    cg_work_free(&w);
    free(ones);
    free(abs_row);
    return st;
}
