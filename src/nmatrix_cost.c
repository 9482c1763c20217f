/* nmatrix_cost.c — what tkc_nmatrix_decide will cost, predicted before it
 * allocates anything large (tkc/verdict.h): the peak of the bytes it
 * allocates, its work in counts, and a time that is an ESTIMATE.
 *
 * The bytes are counted from what the code allocates, phase by phase
 * (the files named at each term): building N (the row keys of its
 * structure, then the pairs, the kernel layer's pattern cache and the
 * kernel's own arrays), the certificate's MPFR matrices, the figures beside
 * the verdict (singular values, det N, the ladder), Lemma 3.6's second N_attn
 * and the generic verdict's coefficient matrices.  What a phase frees before
 * the next starts is not added; N itself (nmatrix.c's arrays) is held from
 * its evaluation to the end.  Sizes are of the blocks malloc hands out (a
 * 256-bit MPFR number is its 32-byte struct and a 48-byte limb block), so
 * the figure is the address space a limit (ulimit -v) counts; the resident
 * set is at most that.  Small blocks (per template, per thread, the
 * derivative caches of the exact series at low orders) are left out.
 *
 * Only counts enter: the distinct entries come from the templates' pair
 * patterns (exactly up to COUNT_PAIRS_MAX pairs, else the bound r(r+1)/2),
 * the evaluations from the estimator's own options and auto-refine's
 * budget (verdict_rounds.h), so the prediction is the same on any machine.
 * The seconds are the counts times constants measured on one machine
 * (below): for messages only; nothing tkc decides reads them. */
#include "tkc/verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "attn.h"
#include "permutation.h"
#include "trans.h"
#include "verdict_rounds.h"

/* Distinct entries are counted exactly (a sorted list of 64-bit pattern
 * hashes, 8 bytes a pair) up to this many unordered pairs, r <= 2896. */
#define COUNT_PAIRS_MAX ((size_t)1 << 22)

/* What a process deciding N takes beyond the phases counted here,
 * whatever r: LAPACK's buffers on its first call (OpenBLAS: 1.3 MB
 * resident), the Arb and MPFR caches of the closed forms and the
 * allocator's slack; measured as the resident growth not accounted for,
 * 5.9 to 6.9 MB for r = 20 to 300 (tests/test_nmatrix_cost.c). */
#define FIXED_BYTES 7e6

/* Seconds per unit, measured on the development machine (2 cores shared
 * with other jobs, release build, one thread) by tests/test_nmatrix_cost.c
 * with TKC_COST_CALIBRATE=1, on its generated sets (k = 7):
 *   one MPFR multiply-add of the certificate at 256 bits: `mlp` at
 *   r = 120, 200, 300, whose time is the certificate's: 7.8e-8 to 8.2e-8 s
 *   (other precisions are scaled by their limbs); */
#define SECONDS_PER_CERT_OP_256 8e-8
/*   one integrand value (an evaluation of one K_attn entry) per position
 *   of the strings, by `tkc nmatrix` with trans and auto on shipped sets
 *   (after the certificate's and the generic verdict's times):
 *   distribution_of_3 (auto choosing mc, 2e5 evaluations, k = 11) 0.6e-9 s,
 *   raven (qmc, 2^21 evaluations, k = 10) 1.4e-9 s; attn by mc and qmc on a
 *   generated set of r = 200, 4096 evaluations: 1.3e-9 s.  Within a factor
 *   of 2 of: */
#define SECONDS_PER_VALUE_POSITION 1e-9
/*   one product of two entries' values summed for their covariance (mc):
 *   `tkc nmatrix relational_match_to_sample.tpl` (trans, auto choosing mc
 *   with the covariance of its ~900 K_attn entries, 2^21 evaluations),
 *   240 s, of which 50 s the values: 4.5e-10 s. */
#define SECONDS_PER_COVARIANCE_OP 4.5e-10

/* ---- sizes of blocks ------------------------------------------------------ */

/* The block glibc's malloc hands out for n bytes (8 bytes of header,
 * 16-byte steps, 32 at least). */
static double block(double n)
{
    double b = ceil((n + 8) / 16) * 16;
    return b < 32 ? 32 : b;
}

/* One MPFR number at prec bits, as tkc_mpmat holds it: its struct in the
 * matrix's array and its limbs (plus one for their count) in a block. */
static double mpfr_bytes(long prec)
{
    double limbs = ceil((double)prec / 64);
    return (double)sizeof(mpfr_t) + block(8 * (limbs + 1));
}

static double mpmat_bytes(double r, long prec)
{
    return r * r * mpfr_bytes(prec);
}

static double pow2_at_least(double n, double p)
{
    while (p < n)
        p *= 2;
    return p;
}

/* A tkc_pattern_index (pattern.c) of `size` patterns grown from `hint`:
 * its patterns and hashes per capacity, slots a power of two >= 2 cap. */
static double pattern_index_bytes(double size, double hint)
{
    double cap = hint < 8 ? 8 : hint;
    while (cap < size)
        cap *= 2;
    return cap * ((double)sizeof(tkc_pattern) + 8) +
           8 * pow2_at_least(2 * cap, 16);
}

/* ---- counting the entries ------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct estimates of N (the kernel layer's unordered patterns of
 * (x_i, y_j); (x_j, y_i) has the pattern of (x_i, y_j), so i <= j
 * suffice) and the distinct strings; *exact = 0 when over
 * COUNT_PAIRS_MAX, then the bounds r(r+1)/2 and 2r. */
static int count_entries(const tkc_template_set *set, tkc_nmatrix_cost *c,
                         tkc_error *err)
{
    size_t r = set->count, pairs = r * (r + 1) / 2;
    c->distinct = (double)pairs;
    c->distinct_exact = 0;
    if (pairs > COUNT_PAIRS_MAX)
        return TKC_SUCCESS;
    tkc_strings *S;
    int rc = tkc_nmatrix_strings(set, &S, err);
    if (rc)
        return rc;
    uint64_t *h = malloc(pairs * sizeof *h);
    if (!h) {
        tkc_strings_free(S);
        return tkc_fail(err, TKC_ENOMEM, "out of memory counting N's entries");
    }
    size_t n = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = i; j < r; j++) {
            tkc_pattern pat;
            int swapped;
            tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, i),
                                          tkc_strings_row(S, r + j), S->k,
                                          &swapped);
            h[n++] = tkc_pattern_hash(&pat);
        }
    qsort(h, n, sizeof *h, cmp_u64);
    size_t distinct = n > 0;
    for (size_t e = 1; e < n; e++)
        distinct += h[e] != h[e - 1];
    free(h);
    tkc_strings_free(S);
    c->distinct = (double)distinct;
    c->distinct_exact = 1;
    return TKC_SUCCESS;
}

/* ---- the kernels' arrays -------------------------------------------------- */

/* K_attn's layout of n pairs (attn.c): six words a pair, the matching
 * tokens (at most k a pair, two ints each), and while it is built the
 * string and token interning tables. */
static double layout_bytes(double n, double k)
{
    double kept = n * (48 + 8 * k);
    double building = n * (16 + 8 * k) + 8 * pow2_at_least(4 * n + 2, 16) +
                      8 * pow2_at_least(4 * n * k + 2, 16);
    return kept + building;
}

/* Draws per batch of a K_attn workspace (attn.c): 2^16 doubles over the
 * strings' positions, 1 to 64. */
static double batch_rows(double strings, double k)
{
    double rows = floor(65536 / (strings * k));
    return rows < 1 ? 1 : rows > 64 ? 64 : rows;
}

/* The K_attn estimators' own arrays for n entries of `strings` strings,
 * beyond their results (attn_mc.c, attn_qmc.c, attn_cvmc.c, attn_auto.c):
 * per thread a batch of integrands (two per draw and entry), and the sums.
 * The series keeps no per-entry arrays of this size. */
static double estimator_bytes(const tkc_kernel_spec *spec, double n,
                              double strings, double k, int cov)
{
    double threads = spec->threads, rows = batch_rows(strings, k);
    double batch = threads * (rows * n * 16 + 16 * n);
    double reps = spec->qmc.replicates;
    double qmc = batch + 2 * reps * n * 8;          /* sums, then means */
    double slot = cov ? n + n * (n + 1) / 2 : 2 * n;
    double round = threads == 1 ? 1 : threads * 32;
    double slots = fmin(round * slot * 8, (double)((size_t)64 << 20));
    double mc = batch + slots + slot * 8;           /* the slots, the sum */
    double cvmc = batch + (6 * n + (cov ? n * n : 0)) * 8 + 16 * n;
    const char *name = spec->estimator ? spec->estimator->name : "";
    double own = !strcmp(name, "mc") ? mc
                 : !strcmp(name, "qmc") ? qmc
                 : !strcmp(name, "cvmc") ? cvmc
                 : !strcmp(name, "auto") ? fmax(qmc, fmax(mc, cvmc))
                                         : 0;
    return layout_bytes(n, k) + own;
}

/* kernel_values of n entries (kernel.c): value and se, the boxes, the
 * covariance. */
static double values_bytes(double n, int boxes, int cov)
{
    return n * (boxes ? 32 : 16) + (cov ? 8 * n * n : 0);
}

/* The kernel type's own arrays for n distinct pairs (its eval_pairs). */
static double kernel_bytes(const tkc_kernel_spec *spec, const tkc_nmatrix_cost *c,
                           double n, int cov)
{
    /* the strings the pairs hold: N's 2r, or two a pair when fewer */
    double k = (double)c->k, strings = fmin(2 * (double)c->r, 2 * n);
    if (!spec->kernel->uses_attn)                   /* mlp.c's Gram cache */
        return 40 * pow2_at_least(2 * n, 16);
    if (spec->kernel == tkc_kernel_attn)
        return estimator_bytes(spec, n, strings, k, cov);
    /* trans.c: the entry set, its index and the pattern index, then the
     * K_attn entries (with their covariance when few) and the gradients */
    double m = c->kernel_entries;
    double entries = 48 * n + 8 * pow2_at_least(6 * n, 8) + 24 * n;
    double collect = pattern_index_bytes(n, n) + 28 * n;
    double attn = values_bytes(m, 0, cov || m <= 1024) +
                  estimator_bytes(spec, m, strings, k, cov || m <= 1024);
    return entries + fmax(collect, attn + 32 * n);
}

/* ---- the phases ----------------------------------------------------------- */

typedef struct phase {
    double bytes;
    const char *what;
} phase;

static void peak(phase *p, double bytes, const char *what)
{
    if (bytes > p->bytes) {
        p->bytes = bytes;
        p->what = what;
    }
}

/* N's arrays held from its evaluation on (nmatrix.c): strings, row
 * classes, N, se and the boxes, the covariance. */
static double held_bytes(const tkc_nmatrix_cost *c, int boxes, int cov)
{
    double r = (double)c->r, E = c->entries;
    return 2 * r * (double)c->k * sizeof(tkc_token) + 8 * r +
           values_bytes(E, boxes, cov);
}

/* Building one N (nmatrix.c's build and evaluate, kernel.c's
 * eval_pairs): the row keys first, then the pairs, their pattern ids and
 * representatives, and the pattern index or (after it is freed) the
 * distinct values and the kernel's arrays. */
static double build_bytes(const tkc_kernel_spec *spec, const tkc_nmatrix_cost *c,
                          int boxes, int cov)
{
    double E = c->entries, D = c->distinct, held = held_bytes(c, boxes, cov);
    double keys = E * (TKC_NMATRIX_KEY_MAX + 1);
    double layer = 16 * E + 8 * E + 16 * E;
    double eval = fmax(pattern_index_bytes(D, E / 4 + 8),
                       values_bytes(D, boxes, cov) +
                           kernel_bytes(spec, c, D, cov));
    return held + fmax(keys, layer + eval);
}

/* The certificate (certify.c): mid and rad, the inverse R, and Rump's G,
 * |R| and −mid (or Weyl's midᵀmid, L and −L) at opt->prec. */
static double certificate_bytes(double r, long prec)
{
    return 6 * mpmat_bytes(r, prec) + 2 * (2 * r + 2) * 8;
}

/* The figures beside the verdict (verdict.c's numbers): N's copy for
 * dgesdd, det N by an MPFR LU (the matrix and its copy), the ladder's
 * matrix and Jacobi copy at up to 512 bits. */
static double numbers_bytes(double r, long prec, int ladder)
{
    double svd = 8 * r * r + 8 * 20 * r;
    double det = 2 * mpmat_bytes(r, prec);
    double lad = ladder ? 2 * mpmat_bytes(r, 512) + r * mpfr_bytes(512) : 0;
    return 8 * r + fmax(svd, fmax(det, lad));
}

/* The generic verdict's coefficient matrices (coeffs.c, generic.c): the
 * pattern id of each entry, a pattern index sized for r² patterns, the
 * mask, the exact values (GMP integers) and the edges of each entry, and
 * per pattern the coefficients through order 2 (three rationals). */
static double generic_bytes(const tkc_nmatrix_cost *c)
{
    double E = c->entries, D = c->distinct;
    double mpq = 32 + 2 * block(8);
    return 8 * E + pattern_index_bytes(D, E) + 12 * D + E * (1 + 48 + 2 + 1) +
           D * 3 * mpq;
}

static void predict_bytes(const tkc_kernel_spec *spec,
                          const tkc_nmatrix_options *opt, tkc_nmatrix_cost *c)
{
    double r = (double)c->r;
    int cov = tkc_nmatrix_takes_cov(opt->want_cov, c->r);
    int ladder = tkc_nmatrix_ladder_runs(opt, c->r);
    double held = held_bytes(c, 1, cov);
    phase p = {0, ""};
    peak(&p, build_bytes(spec, c, 1, cov), "N's evaluation");
    peak(&p, held + certificate_bytes(r, opt->prec), "the certificate");
    peak(&p, held + numbers_bytes(r, opt->prec, ladder),
         "the singular values and det N");
    if (spec->kernel->uses_attn) {
        /* Lemma 3.6 (verdict.c's lemma36): a second N_attn for trans, or
         * for attn at r <= 8 (counted even when the raised accuracy is
         * N's own and N is reused: a few kB); its radii; the cycle test's
         * 128-bit matrix */
        tkc_kernel_spec s = *spec;
        s.kernel = tkc_kernel_attn;
        double own = spec->kernel != tkc_kernel_attn ||
                             c->r <= TKC_PERM_EXHAUSTIVE_MAX
                         ? build_bytes(&s, c, 0, 0)
                         : 0;
        double cycles = c->r > TKC_PERM_EXHAUSTIVE_MAX
                            ? mpmat_bytes(r, 128) : 0;
        peak(&p, held + own + 8 * c->entries + cycles, "Lemma 3.6");
        if (opt->generic)
            peak(&p, held + 8 * r + generic_bytes(c), "the generic verdict");
    }
    c->bytes = p.bytes + FIXED_BYTES;
    c->peak_phase = p.what;
    c->bytes_kept = held + 8 * r + sizeof(tkc_nmatrix_decision);
}

/* ---- the work ------------------------------------------------------------- */

/* Integrand evaluations per entry of the first round and, with
 * auto-refine, at most over its rounds: each round at least 4 times the
 * last and within the budget, so the last <= budget, the one before
 * <= budget/4, ... */
static void predict_work(const tkc_template_set *set,
                         const tkc_kernel_spec *spec,
                         const tkc_nmatrix_options *opt, tkc_nmatrix_cost *c)
{
    const tkc_attn_estimator_type *e = tkc_nmatrix_sampler(spec);
    uint64_t budget = tkc_nmatrix_budget(set, opt);
    c->rounds_max = tkc_nmatrix_max_rounds(spec, budget, opt);
    c->evaluations_first = 0;
    if (e && !strcmp(e->name, "auto"))
        c->evaluations_first =
            tkc_attn_auto_budget(spec, (size_t)c->kernel_entries);
    else if (e)
        c->evaluations_first = e->evaluations(spec);
    double total = (double)c->evaluations_first;
    for (unsigned i = 1; i < c->rounds_max; i++)
        total += (double)budget / pow(4, (double)(i - 1));
    c->evaluations_max = (uint64_t)total;
    /* trans evaluates N_attn again for Lemma 3.6 (verdict.c's
     * attn_matrix), at the last round's evaluations */
    double entries = c->kernel_entries +
                     (spec->kernel == tkc_kernel_trans ? c->distinct : 0);
    c->values_first = (double)c->evaluations_first * entries;
    c->values_max = total * entries;
    /* mc and cvmc sum the products of the entries' values, m(m+1)/2 per
     * antithetic pair, when the covariance is taken: N's (r <= 32), or
     * trans's K_attn entries when at most 1024 (trans.c); auto may choose
     * either at run time, so it is counted with them */
    const char *name = e ? e->name : "";
    double m = c->kernel_entries;
    int cov = tkc_nmatrix_takes_cov(opt->want_cov, c->r) ||
              (spec->kernel == tkc_kernel_trans &&
               m <= TKC_TRANS_COV_MAX_ENTRIES);
    double per_pair = cov && (!strcmp(name, "mc") || !strcmp(name, "cvmc") ||
                              !strcmp(name, "auto"))
                          ? m * (m + 1) / 2 / 2 : 0;
    c->covariance_ops_first = (double)c->evaluations_first * per_pair;
    c->covariance_ops_max = total * per_pair;
    /* the certificate: the inverse (LU and r solves, 4/3 r³), Rump's two
     * products (3 r³ in directed rounding), Weyl's midᵀmid and a Cholesky
     * (5/6 r³); det N's LU (1/3 r³) */
    double r = (double)c->r;
    c->certificate_ops = (4.0 / 3 + 3 + 5.0 / 6 + 1.0 / 3) * r * r * r;
    double limbs = ceil((double)opt->prec / 64);
    double cert_s = c->certificate_ops * SECONDS_PER_CERT_OP_256 * limbs / 4;
    double per_value = SECONDS_PER_VALUE_POSITION * (double)c->k;
    /* auto's choice is made as it runs: its covariance products only in
     * the most it may take */
    double sure = strcmp(name, "auto") ? 1 : 0;
    c->seconds_first = c->values_first * per_value +
                       sure * c->covariance_ops_first *
                           SECONDS_PER_COVARIANCE_OP +
                       cert_s;
    c->seconds_max = c->values_max * per_value +
                     c->covariance_ops_max * SECONDS_PER_COVARIANCE_OP +
                     c->rounds_max * cert_s;
}

int tkc_nmatrix_cost_predict(const tkc_template_set *set,
                             const tkc_kernel_spec *spec,
                             const tkc_nmatrix_options *opt,
                             tkc_nmatrix_cost *cost, tkc_error *err)
{
    memset(cost, 0, sizeof *cost);
    int rc = tkc_kernel_spec_validate(spec, err);
    if (rc)
        return rc;
    if (!set || set->count == 0)
        return tkc_fail(err, TKC_EINPUT, "N needs at least one template");
    cost->r = set->count;
    cost->k = set->k;
    cost->entries = (double)set->count * (double)set->count;
    if ((rc = count_entries(set, cost, err)))
        return rc;
    /* trans's K_attn entries: the cross terms and the self terms (x, x),
     * (y, y) of N's 2r strings, one each */
    cost->kernel_entries = spec->kernel == tkc_kernel_trans
                               ? fmin(cost->distinct + 2 * (double)set->count,
                                      3 * cost->distinct)
                               : cost->distinct;
    predict_bytes(spec, opt, cost);
    predict_work(set, spec, opt, cost);
    return TKC_SUCCESS;
}
