/* generic.c — the generic verdict (tkc/generic.h): Lemma 3.7 from the exact
 * Taylor coefficients of N_attn, then Lemma 3.6.
 *
 * The tests run monomial by monomial in the graded order.  At monomial m
 * the coefficients c_m of the entries still in play are brought to
 * integers over their common denominator L > 0 (positive scaling keeps
 * every sign and every comparison of sums), and:
 *   perms   each remaining permutation τ sums Σ_i (c_ii − c_iτ(i)); a
 *           nonzero sum decides τ, which leaves the list;
 *   cycles  for each sign σ = ±1, Bellman–Ford on the edges still tight
 *           with weights σ L (c_ii − c_ij): a negative cycle refutes σ;
 *           otherwise the potentials p give reduced costs
 *           R_ij = W_ij + p_i − p_j >= 0, every cycle's weight is the sum of
 *           its R, and the cycles of weight 0 are those made of edges with
 *           R = 0.  Only those edges, inside the strongly connected
 *           components of their graph, stay tight; when none stay, σ is
 *           proved at m, and the smallest cycle weight over the previous
 *           tight edges (Floyd–Warshall on R) names the tightest cycle.
 * Both tests are exact.  When the monomials of an order are used up, the
 * entries on the remaining permutations or tight edges are raised to the
 * next order (tkc_coeffs_raise) and the test goes on where it stopped. */
#include "tkc/generic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digraph.h"
#include "gmpvec.h"
#include "permutation.h"

enum { OPEN, PROVED, REFUTED };

/* ---- where the coefficients come from ----------------------------------- */

typedef struct source {
    size_t r;
    const mpq_t *const *entry;      /* given matrices: entry[i * r + j]     */
    const tkc_coeffs *coeffs;       /* or the engine                        */
} source;

static const mpq_t *src_entry(const source *s, size_t i, size_t j)
{
    return s->coeffs ? tkc_coeffs_entry(s->coeffs, i, j)
                     : s->entry[i * s->r + j];
}

/* ---- the tests' state ---------------------------------------------------- */

/* The exhaustive test: the permutations not yet decided. */
typedef struct perms {
    int status;
    size_t n;                       /* remaining                            */
    uint8_t *tau;                   /* n × r                                */
    long level;                     /* last monomial that decided some τ    */
    uint8_t tight[TKC_GENERIC_EXHAUSTIVE_MAX];
    mpz_t tight_abs;                /* |L d| of the tightest at `level`     */
} perms;

/* One sign of the cycle test. */
typedef struct direction {
    int sign, status;
    uint8_t *edge;                  /* r × r: still tight                   */
    long level;                     /* proved / refuted at                  */
    size_t *cyc;                    /* the cycle (tightest, or negative)    */
    size_t ncyc;
} direction;

typedef struct state {
    source src;
    size_t r;
    int use_perms, use_cycles;
    perms P;
    direction dir[2];
    uint8_t *mask;                  /* r × r: entries used at this level    */
    mpz_t *Z;                       /* r × r: L · c_m                       */
    mpz_t L;
    tkc_digraph g;                  /* the cycle test's graph               */
    mpz_t t;
} state;

static void state_free(state *st)
{
    size_t r = st->r, rr = r * r;
    free(st->P.tau);
    mpz_clear(st->P.tight_abs);
    for (int s = 0; s < 2; s++) {
        free(st->dir[s].edge);
        free(st->dir[s].cyc);
    }
    free(st->mask);
    tkc_mpz_vec_free(st->Z, rr);
    tkc_digraph_clear(&st->g);
    mpz_clears(st->L, st->t, NULL);
}

/* All permutations of 0..r-1 but the identity, in lexicographic order. */
static void perms_fill(size_t r, uint8_t *out, size_t *n)
{
    size_t cur[TKC_GENERIC_EXHAUSTIVE_MAX];
    for (size_t i = 0; i < r; i++)
        cur[i] = i;
    for (*n = 0; tkc_perm_next(cur, r); (*n)++)
        for (size_t i = 0; i < r; i++)
            out[*n * r + i] = (uint8_t)cur[i];
}

static int state_init(state *st, const source *src, tkc_generic_method method,
                      tkc_error *err)
{
    memset(st, 0, sizeof *st);
    size_t r = src->r, rr = r * r;
    st->src = *src;
    st->r = r;
    mpz_inits(st->L, st->t, st->P.tight_abs, NULL);
    st->use_perms = method == TKC_GENERIC_EXHAUSTIVE;
    st->use_cycles = method == TKC_GENERIC_CYCLES;
    st->mask = calloc(rr, 1);
    st->Z = tkc_mpz_vec_alloc(rr);
    int bad = tkc_digraph_init(&st->g, r) || !st->mask || !st->Z;
    if (st->use_perms && !bad) {
        size_t fact = 1;
        for (size_t i = 2; i <= r; i++)
            fact *= i;
        st->P.tau = malloc(fact * r);
        if (st->P.tau)
            perms_fill(r, st->P.tau, &st->P.n);
        st->P.status = st->P.n ? OPEN : PROVED;
        st->P.level = -1;
        bad = !st->P.tau;
    }
    for (int s = 0; st->use_cycles && s < 2 && !bad; s++) {
        direction *d = &st->dir[s];
        d->sign = s ? -1 : +1;
        d->level = -1;
        d->status = r > 1 ? OPEN : PROVED;
        if (!(d->edge = malloc(rr)) || !(d->cyc = malloc((r + 1) * sizeof *d->cyc))) {
            bad = 1;
            break;
        }
        for (size_t e = 0; e < rr; e++)
            d->edge[e] = e / r != e % r;
    }
    if (bad)
        return tkc_fail(err, TKC_ENOMEM, "generic verdict: out of memory "
                        "(r = %zu)", r);
    return TKC_SUCCESS;
}

/* ---- which entries a level uses ----------------------------------------- */

/* mask[e] = 1 for every entry an open test reads: (i, i) and (i, τ(i)) of
 * the remaining permutations, (i, i) and (i, j) of the tight edges. */
static void state_mask(state *st, uint8_t *mask)
{
    size_t r = st->r;
    memset(mask, 0, r * r);
    if (st->use_perms && st->P.status == OPEN)
        for (size_t q = 0; q < st->P.n; q++) {
            const uint8_t *tau = st->P.tau + q * r;
            for (size_t i = 0; i < r; i++)
                if (tau[i] != i)
                    mask[i * r + i] = mask[i * r + tau[i]] = 1;
        }
    for (int s = 0; st->use_cycles && s < 2; s++) {
        const direction *d = &st->dir[s];
        if (d->status != OPEN)
            continue;
        for (size_t e = 0; e < r * r; e++)
            if (d->edge[e])
                mask[e] = mask[(e / r) * r + e / r] = 1;
    }
}

/* Z[e] = L · c_m(A_e) for the masked entries, L = lcm of their
 * denominators. */
static void level_ints(state *st, long m)
{
    size_t r = st->r;
    mpz_set_ui(st->L, 1);
    for (size_t e = 0; e < r * r; e++)
        if (st->mask[e])
            mpz_lcm(st->L, st->L,
                    mpq_denref(src_entry(&st->src, e / r, e % r)[m]));
    for (size_t e = 0; e < r * r; e++)
        if (st->mask[e]) {
            mpq_srcptr q = src_entry(&st->src, e / r, e % r)[m];
            mpz_divexact(st->t, st->L, mpq_denref(q));
            mpz_mul(st->Z[e], st->t, mpq_numref(q));
        }
}

/* ---- the exhaustive test ------------------------------------------------- */

static void perms_level(state *st, long m)
{
    perms *P = &st->P;
    size_t r = st->r, kept = 0;
    mpz_t d;
    mpz_init(d);
    for (size_t q = 0; q < P->n; q++) {
        const uint8_t *tau = P->tau + q * r;
        mpz_set_ui(d, 0);
        for (size_t i = 0; i < r; i++)
            if (tau[i] != i) {
                mpz_add(d, d, st->Z[i * r + i]);
                mpz_sub(d, d, st->Z[i * r + tau[i]]);
            }
        if (!mpz_sgn(d)) {
            memmove(P->tau + kept++ * r, tau, r);
            continue;
        }
        mpz_abs(d, d);
        if (P->level != m || mpz_cmp(d, P->tight_abs) < 0) {
            P->level = m;
            mpz_set(P->tight_abs, d);
            memcpy(P->tight, tau, r);
        }
    }
    P->n = kept;
    if (!kept)
        P->status = PROVED;
    mpz_clear(d);
}

/* ---- the cycle test ------------------------------------------------------ */

/* The graph of d's tight edges, with weights W = σ (Z_ii − Z_ij). */
static void dir_edges(state *st, const direction *d)
{
    size_t r = st->r, n = 0;
    tkc_digraph *g = &st->g;
    for (size_t e = 0; e < r * r; e++)
        if (d->edge[e]) {
            size_t i = e / r, j = e % r;
            g->ei[n] = i;
            g->ej[n] = j;
            mpz_sub(g->W[n], st->Z[i * r + i], st->Z[e]);
            if (d->sign < 0)
                mpz_neg(g->W[n], g->W[n]);
            n++;
        }
    g->nedges = n;
}

static void dir_level(state *st, direction *d, long m)
{
    size_t r = st->r;
    tkc_digraph *g = &st->g;
    dir_edges(st, d);
    if (tkc_digraph_negative_cycle(g, d->cyc, &d->ncyc)) {
        d->status = REFUTED;
        d->level = m;
        return;
    }
    /* reduced costs, the tight edges, their strongly connected parts */
    memset(st->mask, 0, r * r);
    for (size_t q = 0; q < g->nedges; q++) {
        mpz_add(g->W[q], g->W[q], g->pot[g->ei[q]]);
        mpz_sub(g->W[q], g->W[q], g->pot[g->ej[q]]);
        if (!mpz_sgn(g->W[q]))
            st->mask[g->ei[q] * r + g->ej[q]] = 1;
    }
    tkc_digraph_components(g, st->mask);
    size_t left = 0;
    for (size_t e = 0; e < r * r; e++) {
        d->edge[e] = st->mask[e] && g->comp[e / r] == g->comp[e % r];
        left += d->edge[e];
    }
    if (left)
        return;
    d->status = PROVED;
    d->level = m;
    tkc_digraph_min_cycle(g, d->cyc, &d->ncyc);     /* on the reduced costs */
}

/* One monomial for every open test. */
static void state_level(state *st, long m)
{
    state_mask(st, st->mask);
    level_ints(st, m);
    if (st->use_perms && st->P.status == OPEN)
        perms_level(st, m);
    for (int s = 0; st->use_cycles && s < 2; s++)
        if (st->dir[s].status == OPEN)
            dir_level(st, &st->dir[s], m);
}

/* Decided: proved, or (cycles) both signs refuted, which no later monomial
 * can change. */
static int state_done(const state *st)
{
    if (st->use_perms)
        return st->P.status == PROVED;
    return st->dir[0].status == PROVED || st->dir[1].status == PROVED ||
           (st->dir[0].status == REFUTED && st->dir[1].status == REFUTED);
}

/* ---- the verdict --------------------------------------------------------- */

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void tkc_generic_options_default(tkc_generic_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->method = TKC_GENERIC_AUTO;
    opt->max_order = 16;
    opt->work_budget = 1.5e9;
    opt->threads = 0;
    opt->activation = NULL;
}

void tkc_generic_verdict_clear(tkc_generic_verdict *v)
{
    if (!v)
        return;
    free(v->witness);
    memset(v, 0, sizeof *v);
}

static int check_options(const tkc_generic_options *opt, size_t r,
                         tkc_error *err)
{
    if (opt->max_order < 0 || opt->max_order % 2 ||
        opt->max_order > TKC_SERIES_ORDER_MAX)
        return tkc_fail(err, TKC_EINPUT, "generic verdict: max order must be "
                        "even and in [0, %d], got %d", TKC_SERIES_ORDER_MAX,
                        opt->max_order);
    if (!(opt->work_budget >= 0))
        return tkc_fail(err, TKC_EINPUT, "generic verdict: the work budget "
                        "must be >= 0 (0 = unlimited)");
    if (opt->method == TKC_GENERIC_EXHAUSTIVE && r > TKC_GENERIC_EXHAUSTIVE_MAX)
        return tkc_fail(err, TKC_EINPUT, "generic verdict: the exhaustive test "
                        "takes r <= %d templates, the set has %zu",
                        TKC_GENERIC_EXHAUSTIVE_MAX, r);
    return TKC_SUCCESS;
}

static tkc_generic_method method_for(const tkc_generic_options *opt, size_t r)
{
    if (opt->method != TKC_GENERIC_AUTO)
        return opt->method;
    return r <= TKC_GENERIC_EXHAUSTIVE_MAX ? TKC_GENERIC_EXHAUSTIVE
                                           : TKC_GENERIC_CYCLES;
}

/* v->witness from a cycle i_0 → i_1 → … (τ(i_t) = i_{t+1}). */
static int witness_of_cycle(tkc_generic_verdict *v, const size_t *cyc,
                            size_t n, size_t r)
{
    if (!(v->witness = malloc(r * sizeof *v->witness)))
        return TKC_ENOMEM;
    for (size_t i = 0; i < r; i++)
        v->witness[i] = i;
    for (size_t q = 0; q < n; q++)
        v->witness[cyc[q]] = cyc[(q + 1) % n];
    tkc_perm_cycles_text(v->witness_text, sizeof v->witness_text,
                         v->witness, r, 1);
    return TKC_SUCCESS;
}

static int witness_of_perm(tkc_generic_verdict *v, const uint8_t *tau,
                           size_t r)
{
    if (!(v->witness = malloc(r * sizeof *v->witness)))
        return TKC_ENOMEM;
    for (size_t i = 0; i < r; i++)
        v->witness[i] = tau[i];
    tkc_perm_cycles_text(v->witness_text, sizeof v->witness_text,
                         v->witness, r, 1);
    return TKC_SUCCESS;
}

/* The leading term of d_τ (τ = v->witness), its coefficient at monomial m,
 * the first nonzero one: "+3/1331·β^4". */
static void weight_text(tkc_generic_verdict *v, const source *src, long m)
{
    mpq_t d;
    mpq_init(d);
    for (size_t i = 0; i < src->r; i++) {
        size_t j = v->witness[i];
        if (j == i)
            continue;
        mpq_add(d, d, src_entry(src, i, i)[m]);
        mpq_sub(d, d, src_entry(src, i, j)[m]);
    }
    int a, b;
    char mono[32];
    tkc_series_monomial((size_t)m, &a, &b);
    tkc_series_monomial_name(mono, sizeof mono, a, b);
    gmp_snprintf(v->weight_text, sizeof v->weight_text, "%s%Qd%s%s",
                 mpq_sgn(d) > 0 ? "+" : "", d, m ? "·" : "", m ? mono : "");
    mpq_clear(d);
}

static int is_cos(const tkc_generic_options *opt)
{
    return !opt->activation || !strcmp(opt->activation->name, "cos");
}

/* Method and verdict words once the state is final. */
static int verdict_finish(tkc_generic_verdict *v, state *st,
                          const tkc_generic_options *opt, int order)
{
    size_t r = st->r;
    v->r = r;
    v->order = order;
    v->deciding_a = v->deciding_b = -1;
    v->deciding_index = -1;
    if (st->use_perms) {
        v->method = TKC_GENERIC_EXHAUSTIVE;
        size_t fact = 1;
        for (size_t i = 2; i <= r; i++)
            fact *= i;
        snprintf(v->method_text, sizeof v->method_text, "exhaustive over all "
                 "%zu! = %zu permutations: every d_τ = Σ_i (A_ii − A_iτ(i)), "
                 "τ ≠ id, has a nonzero exact Taylor coefficient", r, fact);
    } else {
        v->method = TKC_GENERIC_CYCLES;
        snprintf(v->method_text, sizeof v->method_text, "cycle test (sufficient): "
                 "every cycle of w_ij = c(A_ii) − c(A_ij) positive, or every "
                 "one negative, in the graded order of the exact Taylor "
                 "coefficients — the identity the unique maximum or minimum "
                 "assignment; Bellman–Ford potentials per monomial in exact "
                 "integers");
    }
    long level = -1;
    int rc = TKC_SUCCESS;
    if (st->use_perms && st->P.status == PROVED) {
        v->status = TKC_GENERIC_PROVED;
        level = st->P.level;
        if (level >= 0)
            rc = witness_of_perm(v, st->P.tight, r);
    } else if (st->use_cycles) {
        for (int s = 0; s < 2; s++)
            if (st->dir[s].status == PROVED) {
                v->status = TKC_GENERIC_PROVED;
                v->sign = st->dir[s].sign;
                level = st->dir[s].level;
                if (level >= 0)
                    rc = witness_of_cycle(v, st->dir[s].cyc, st->dir[s].ncyc, r);
            }
    }
    if (rc)
        return rc;
    if (v->status != TKC_GENERIC_PROVED)
        return TKC_SUCCESS;
    if (v->sign) {
        size_t len = strlen(v->method_text);
        snprintf(v->method_text + len, sizeof v->method_text - len, ": the "
                 "identity is the unique %s", v->sign > 0 ? "maximum" : "minimum");
    }
    char mono[32] = "β^0";
    if (level >= 0) {
        v->deciding_index = level;
        tkc_series_monomial((size_t)level, &v->deciding_a, &v->deciding_b);
        tkc_series_monomial_name(mono, sizeof mono, v->deciding_a,
                                 v->deciding_b);
        weight_text(v, &st->src, level);
    }
    if (r == 1)
        snprintf(v->attn_text, sizeof v->attn_text, "condition (10) holds "
                 "trivially: one template, no permutation but the identity");
    else
        snprintf(v->attn_text, sizeof v->attn_text, "Σ_i A_ii ≠ Σ_i A_iτ(i) "
                 "for every τ ≠ id (condition (10)) for almost every (β, γ), "
                 "proved (Lemma 3.7 from the exact coefficients through %s)",
                 mono);
    if (!is_cos(opt))
        snprintf(v->text, sizeof v->text, "%s; N_trans with φ = %s is not "
                 "covered: Lemma 3.6 is proved for φ(t) = cos(b1 t + b2) only",
                 v->attn_text, opt->activation->name);
    else if (r == 1)
        snprintf(v->text, sizeof v->text, "N_trans nonsingular for almost "
                 "every (β, γ, b1, b2), proved (one template; Lemma 3.6)");
    else
        snprintf(v->text, sizeof v->text, "N_trans nonsingular for almost "
                 "every (β, γ, b1, b2), proved (Lemma 3.7 from the exact "
                 "coefficients through %s; Lemma 3.6)", mono);
    return TKC_SUCCESS;
}

/* Not established: the witness and the words, given where the raising
 * stopped (`why`) and what the next order would be. */
static int verdict_open(tkc_generic_verdict *v, state *st, const char *why)
{
    size_t r = st->r;
    int rc = TKC_SUCCESS;
    const char *what = "";
    char pos[448] = "";
    if (st->use_perms) {
        if (st->P.n)
            rc = witness_of_perm(v, st->P.tau, r);
        what = "d_τ vanishes through the order used for τ = ";
    } else if (st->dir[0].status == REFUTED && st->dir[1].status == REFUTED) {
        /* a negative cycle of σ = +1 and one of σ = −1 (positive weight) */
        direction *dn = &st->dir[0], *dp = &st->dir[1];
        rc = witness_of_cycle(v, dp->cyc, dp->ncyc, r);
        if (!rc) {
            char t[256];
            snprintf(t, sizeof t, "%s", v->witness_text);
            long mp = dp->level;
            weight_text(v, &st->src, mp);
            snprintf(pos, sizeof pos, "%s, weight %s + …", t,
                     v->weight_text);
            free(v->witness);
            v->witness = NULL;
            rc = witness_of_cycle(v, dn->cyc, dn->ncyc, r);
            if (!rc)
                weight_text(v, &st->src, dn->level);
        }
        what = "the cycle test is inconclusive (some cycles positive, some "
               "negative, for good): negative cycle ";
    } else {
        direction *d = st->dir[0].status == OPEN ? &st->dir[0] : &st->dir[1];
        tkc_digraph_fewest_edges_cycle(&st->g, d->edge, d->cyc,
                                       &d->ncyc);
        if (d->ncyc)
            rc = witness_of_cycle(v, d->cyc, d->ncyc, r);
        what = "cycles of weight zero through the order used remain, e.g. ";
    }
    if (rc)
        return rc;
    if (pos[0])
        snprintf(v->next, sizeof v->next, "%s%s, weight %s + …; positive "
                 "cycle %s; %s", what, v->witness_text, v->weight_text, pos,
                 why);
    else
        snprintf(v->next, sizeof v->next, "%s%s; %s", what, v->witness_text,
                 why);
    snprintf(v->attn_text, sizeof v->attn_text, "condition (10) for almost "
             "every (β, γ): not established from the exact coefficients "
             "through total order %d", v->order);
    snprintf(v->text, sizeof v->text, "N_trans nonsingular for almost every "
             "(β, γ, b1, b2): not established (exact coefficients through "
             "total order %d)", v->order);
    return TKC_SUCCESS;
}

/* ---- drivers ------------------------------------------------------------- */

/* Why the cycle test stopped for good (both signs refuted): 1 and the
 * words, else 0. */
static int cycles_hopeless(const state *st, char *why, size_t size)
{
    if (st->use_perms || st->dir[0].status != REFUTED ||
        st->dir[1].status != REFUTED)
        return 0;
    if (st->r <= TKC_GENERIC_EXHAUSTIVE_MAX)
        snprintf(why, size, "a higher order cannot change the cycle test; "
                 "the exhaustive test (r = %zu <= %d) may still decide",
                 st->r, TKC_GENERIC_EXHAUSTIVE_MAX);
    else
        snprintf(why, size, "a higher order cannot change the cycle test, "
                 "and the exhaustive test needs r <= %d",
                 TKC_GENERIC_EXHAUSTIVE_MAX);
    return 1;
}

/* The start every decision shares: v cleared and its clocks started,
 * the options (defaults for NULL) checked, the state ready for src. */
static int decision_begin(const source *src, const tkc_generic_options **opt,
                          tkc_generic_options *def, state *st,
                          tkc_generic_verdict *v, tkc_error *err)
{
    memset(v, 0, sizeof *v);
    v->seconds = clock_s(CLOCK_MONOTONIC);
    v->cpu_seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (!*opt) {
        tkc_generic_options_default(def);
        *opt = def;
    }
    int rc = check_options(*opt, src->r, err);
    if (!rc && (rc = state_init(st, src, method_for(*opt, src->r), err)))
        state_free(st);
    return rc;
}

/* ... and the end: the words (why = where the raising stopped, for the
 * not established case), the state freed, the clocks read. */
static int decision_end(state *st, const tkc_generic_options *opt, int order,
                        char *why, size_t why_size, tkc_generic_verdict *v,
                        tkc_error *err)
{
    int rc = verdict_finish(v, st, opt, order);
    if (!rc && v->status != TKC_GENERIC_PROVED) {
        cycles_hopeless(st, why, why_size);
        rc = verdict_open(v, st, why);
    }
    state_free(st);
    if (rc == TKC_ENOMEM)
        rc = tkc_fail(err, rc, "generic verdict: out of memory");
    v->seconds = clock_s(CLOCK_MONOTONIC) - v->seconds;
    v->cpu_seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID) - v->cpu_seconds;
    return rc;
}

int tkc_generic_decide_matrices(size_t r, int total_order,
                                const mpq_t *const *entry,
                                const tkc_generic_options *opt,
                                tkc_generic_verdict *v, tkc_error *err)
{
    size_t M = tkc_series_monomials(total_order);
    if (r == 0 || !entry || !M) {
        memset(v, 0, sizeof *v);
        return tkc_fail(err, TKC_EINPUT, "generic verdict: need r >= 1 "
                        "matrices and an even total order in [0, %d]",
                        TKC_SERIES_ORDER_MAX);
    }
    state st;
    tkc_generic_options def;
    source src = {.r = r, .entry = entry};
    int rc = decision_begin(&src, &opt, &def, &st, v, err);
    if (rc)
        return rc;
    for (size_t m = 0; m < M && !state_done(&st); m++)
        state_level(&st, (long)m);
    char why[160];
    snprintf(why, sizeof why, "stopped at total order %d, the order of the "
             "matrices; next: total order %d", total_order, total_order + 2);
    return decision_end(&st, opt, total_order, why, sizeof why, v, err);
}

/* Record a raise in v. */
static void note_order(tkc_generic_verdict *v, int D,
                       const tkc_coeffs_stats *cs)
{
    if (v->norders < TKC_GENERIC_ORDERS_MAX) {
        v->orders[v->norders] = D;
        v->order_patterns[v->norders] = cs->patterns;
        v->order_work[v->norders] = cs->work;
        v->norders++;
    }
    v->work += cs->work;
}

/* Whether to raise from D to D + 2: 0 to go on, 1 with *why said when the
 * maximum order or the work budget stops it (need = the entries still in
 * play, filled here). */
static int raise_stops(state *st, tkc_coeffs *c, int D,
                       const tkc_generic_options *opt, double used,
                       uint8_t *need, char *why, size_t size)
{
    state_mask(st, need);
    size_t npat = 0;
    double work = D + 2 <= TKC_SERIES_ORDER_MAX
                      ? tkc_coeffs_raise_work(c, D + 2, need, &npat) : 0;
    const char *s = npat == 1 ? "" : "s";
    if (D + 2 > opt->max_order) {
        snprintf(why, size, "stopped at the largest total order allowed, "
                 "%d; next: total order %d, %zu pair pattern%s, work %.3g "
                 "units", D, D + 2, npat, s, work);
        return 1;
    }
    if (opt->work_budget > 0 && used + work > opt->work_budget) {
        snprintf(why, size, "stopped at total order %d: the next, %d, needs "
                 "%zu pair pattern%s, work %.3g units, and %.3g of the budget "
                 "%.3g are used", D, D + 2, npat, s, work, used,
                 opt->work_budget);
        return 1;
    }
    return 0;
}

int tkc_generic_decide_coeffs(tkc_coeffs *c, const tkc_generic_options *opt,
                              tkc_generic_verdict *v, tkc_error *err)
{
    state st;
    tkc_generic_options def;
    source src = {.r = tkc_coeffs_r(c), .coeffs = c};
    int rc = decision_begin(&src, &opt, &def, &st, v, err);
    if (rc)
        return rc;
    size_t r = src.r;
    uint8_t *need = malloc(r * r);
    if (!need) {
        state_free(&st);
        return tkc_fail(err, TKC_ENOMEM, "generic verdict: out of memory");
    }
    char why[320] = "";
    int D = 0;
    for (;; D += 2) {
        state_mask(&st, need);
        tkc_coeffs_stats cs;
        if ((rc = tkc_coeffs_raise(c, D, need, opt->threads, opt->progress,
                                    &cs, err)))
            break;
        note_order(v, D, &cs);
        for (size_t m = D ? tkc_series_monomials(D - 2) : 0;
             m < tkc_series_monomials(D) && !state_done(&st); m++)
            state_level(&st, (long)m);
        if (state_done(&st) ||
            raise_stops(&st, c, D, opt, v->work, need, why, sizeof why))
            break;
    }
    free(need);
    if (rc) {
        state_free(&st);
        return rc;
    }
    v->patterns = tkc_coeffs_patterns(c);
    return decision_end(&st, opt, D, why, sizeof why, v, err);
}

int tkc_generic_decide_set(const tkc_template_set *set,
                           const tkc_generic_options *opt,
                           tkc_generic_verdict *v, tkc_error *err)
{
    double wall0 = clock_s(CLOCK_MONOTONIC);
    double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    tkc_coeffs *c = tkc_coeffs_alloc(set, err);
    if (!c) {
        memset(v, 0, sizeof *v);
        return err ? err->status : TKC_EINPUT;
    }
    int rc = tkc_generic_decide_coeffs(c, opt, v, err);
    tkc_coeffs_free(c);
    v->seconds = clock_s(CLOCK_MONOTONIC) - wall0;
    v->cpu_seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    return rc;
}
