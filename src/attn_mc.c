/* attn_mc.c — Monte Carlo estimator of K_attn.
 *
 * Each sample is an antithetic pair of draws z, -z of the generative form
 * (attn.h); its value is the average of the two integrands.  All pairs
 * and self terms of a call share the draws (common random numbers).  The
 * samples are cut into blocks of BLOCK antithetic pairs, block b drawing
 * from the stream (seed, TKC_RNG_MC, b); blocks are summed one after another
 * in block order whatever thread computed them, so the digits do not depend
 * on the number of threads.  Sums are taken of g = f - K(β = 0), which is
 * small at small β and keeps the variance formula free of cancellation. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "tkc/kernel.h"
#include "rng.h"
#include "registry.h"
#include "shard.h"

#define BLOCK 512                       /* antithetic pairs per block     */
#define BLOCKS_PER_THREAD_ROUND 32
#define SLOT_MEMORY_MAX ((size_t)64 << 20)

typedef struct mc_run {
    const tkc_attn_layout *L;
    tkc_ziggurat zig;
    uint64_t seed;
    uint64_t npts;          /* antithetic pairs in all          */
    size_t np;              /* entries                          */
    int want_cov;
    size_t slot_len;        /* doubles per block partial        */
    double *slots;          /* partial sums of one round        */
    const tkc_progress *progress;
} mc_run;

/* Per-thread scratch. */
typedef struct mc_worker {
    mc_run *run;
    tkc_attn_work *work;
    double *fp, *fm, *g, *beta0;
    uint64_t first, stride, end;   /* blocks first, first+stride, ... < end */
    uint64_t round0;               /* block stored in slot 0            */
} mc_worker;

static size_t partial_len(size_t np, int want_cov)
{
    return np + (want_cov ? np * (np + 1) / 2 : np);
}

/* Partial sums of block b: Σ g_i, then Σ g_i² or the upper triangle of
 * Σ g_i g_j (row-major, j ≥ i). */
static void mc_block(mc_worker *w, uint64_t b, double *part)
{
    const mc_run *run = w->run;
    const tkc_attn_layout *L = run->L;
    size_t np = run->np, dim = tkc_attn_layout_dim(L);
    size_t rows = tkc_attn_work_batch(w->work);
    uint64_t lo = b * BLOCK, hi = lo + BLOCK;
    if (hi > run->npts)
        hi = run->npts;
    tkc_rng rng;
    tkc_rng_stream(&rng, run->seed, TKC_RNG_MC, b);
    double *sum = part, *sq = part + np;
    memset(part, 0, run->slot_len * sizeof *part);
    for (uint64_t s = lo; s < hi; s += rows) {
        size_t nb = hi - s < rows ? (size_t)(hi - s) : rows;
        /* iid coordinates: drawn straight into the workspace's
         * coordinate-major layout, no copy */
        tkc_rng_normals(&run->zig, &rng, tkc_attn_work_draws(w->work),
                        nb * dim);
        tkc_attn_integrand_antithetic_drawn(L, w->work, nb, w->fp, w->fm);
        for (size_t r = 0; r < nb; r++) {
            const double *fp = w->fp + r * np, *fm = w->fm + r * np;
            double *g = w->g + r * np;
            for (size_t i = 0; i < np; i++) {
                g[i] = 0.5 * (fp[i] + fm[i]) - w->beta0[i];
                sum[i] += g[i];
            }
            if (!run->want_cov)
                for (size_t i = 0; i < np; i++)
                    sq[i] += g[i] * g[i];
        }
        if (run->want_cov)
            tkc_attn_add_outer_products(sq, 1, w->g, nb, np);
    }
}

static void *mc_thread(void *arg)
{
    mc_worker *w = arg;
    for (uint64_t b = w->first; b < w->end; b += w->stride)
        mc_block(w, b, w->run->slots + (b - w->round0) * w->run->slot_len);
    return NULL;
}

static void worker_free(mc_worker *w)
{
    tkc_attn_work_free(w->work);
    free(w->fp);
    free(w->fm);
    free(w->g);
    free(w->beta0);
}

static int worker_init(mc_worker *w, mc_run *run, tkc_error *err)
{
    memset(w, 0, sizeof *w);
    w->run = run;
    size_t n = run->np ? run->np : 1;
    w->work = tkc_attn_work_alloc(run->L, err);
    size_t rows = w->work ? tkc_attn_work_batch(w->work) : 1;
    w->fp = malloc(rows * n * sizeof *w->fp);
    w->fm = malloc(rows * n * sizeof *w->fm);
    w->g = malloc(rows * n * sizeof *w->g);
    w->beta0 = malloc(n * sizeof *w->beta0);
    if (!w->work || !w->fp || !w->fm || !w->g || !w->beta0) {
        worker_free(w);
        return tkc_fail(err, TKC_ENOMEM, "K_attn mc: out of memory");
    }
    for (size_t i = 0; i < run->np; i++)
        w->beta0[i] = tkc_attn_layout_beta0(run->L, i);
    return TKC_SUCCESS;
}

/* Blocks first .. end − 1 of the round that begins at block r0, on
 * `threads` threads (strided), each into its slot of the round. */
static void mc_blocks(mc_worker *w, pthread_t *tid, unsigned threads,
                      uint64_t r0, uint64_t first, uint64_t end)
{
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        w[t].first = first + t;
        w[t].stride = threads;
        w[t].end = end;
        w[t].round0 = r0;
    }
    if (threads == 1) {
        mc_thread(&w[0]);
        return;
    }
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, mc_thread, &w[started]))
            break;
    /* finish the unstarted workers' blocks here: same result */
    for (unsigned t = started; t < threads; t++)
        mc_thread(&w[t]);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

/* Run every block, adding the partials in block order into acc.  Shared
 * by processes (tkc/shard.h): each round's blocks are split into one
 * contiguous range per process, process 0 gathers the round's partials and
 * adds them in block order, as one process does, and the sums are
 * broadcast at the end: the same additions in the same order. */
static int mc_sum(mc_run *run, unsigned threads, tkc_shard *sh, double *acc,
                  tkc_error *err)
{
    uint64_t nblocks = (run->npts + BLOCK - 1) / BLOCK;
    uint64_t P = (uint64_t)tkc_shard_size(sh), me = (uint64_t)tkc_shard_rank(sh);
    if (threads > nblocks)
        threads = (unsigned)nblocks;
    size_t slot_bytes = run->slot_len * sizeof(double);
    uint64_t round = P * threads * BLOCKS_PER_THREAD_ROUND;
    if (round * slot_bytes > SLOT_MEMORY_MAX)
        round = SLOT_MEMORY_MAX / slot_bytes;
    if (round < P * threads)
        round = P * threads;
    if (P == 1 && threads == 1)
        round = 1;
    run->slots = malloc(round * slot_bytes);
    uint64_t *first = malloc((P + 1) * sizeof *first);
    mc_worker *w = calloc(threads, sizeof *w);
    pthread_t *tid = calloc(threads, sizeof *tid);
    int rc = TKC_SUCCESS;
    unsigned ready = 0;
    if (!run->slots || !first || !w || !tid)
        rc = tkc_fail(err, TKC_ENOMEM, "K_attn mc: out of memory");
    while (!rc && ready < threads)
        if (!(rc = worker_init(&w[ready], run, err)))
            ready++;
    memset(acc, 0, slot_bytes);
    tkc_progress_count count;
    tkc_attn_count_begin(&count, run->progress, "mc", run->np, 2 * run->npts);
    for (uint64_t r0 = 0; r0 < nblocks; r0 += round) {
        uint64_t r1 = r0 + round < nblocks ? r0 + round : nblocks;
        if (!rc) {
            tkc_shard_ranges(sh, r1 - r0, first);
            mc_blocks(w, tid, threads, r0, r0 + first[me], r0 + first[me + 1]);
        }
        /* a failure here (or on another process) is agreed by all */
        if ((rc = tkc_shard_gather(sh, rc, run->slots, run->slot_len, first,
                                   0, err)))
            break;
        for (uint64_t b = r0; me == 0 && b < r1; b++) {
            const double *part = run->slots + (b - r0) * run->slot_len;
            for (size_t i = 0; i < run->slot_len; i++)
                acc[i] += part[i];
        }
        tkc_progress_count_step(&count, r1 * BLOCK < run->npts
                                            ? 2 * r1 * BLOCK : 2 * run->npts);
    }
    rc = tkc_shard_broadcast(sh, rc, acc, run->slot_len, err);
    for (unsigned t = 0; t < ready; t++)
        worker_free(&w[t]);
    free(w);
    free(tid);
    free(first);
    free(run->slots);
    run->slots = NULL;
    return rc;
}

/* Mean, standard error and covariance of the mean from the sums. */
static int mc_finish(const mc_run *run, const double *acc,
                     tkc_kernel_values *out, tkc_error *err)
{
    size_t np = run->np;
    double n = (double)run->npts;
    const double *sum = acc, *sq = acc + np;
    /* index of (i, j ≥ i) in the packed upper triangle */
#define UPPER(i, j) ((i) * np - (i) * ((i)-1) / 2 + ((j) - (i)))
    for (size_t i = 0; i < np; i++) {
        double mean = sum[i] / n;
        double q = run->want_cov ? sq[UPPER(i, i)] : sq[i];
        double var = (q - sum[i] * mean) / (n - 1.0);
        if (var < 0)
            var = 0;
        out->value[i] = tkc_attn_layout_beta0(run->L, i) + mean;
        out->se[i] = sqrt(var / n);
        if (!isfinite(out->value[i]) || !isfinite(out->se[i]))
            return tkc_fail(err, TKC_ENUMERIC,
                            "K_attn mc: entry %zu is not finite", i);
    }
    if (out->cov) {
        for (size_t i = 0; i < np; i++)
            for (size_t j = i; j < np; j++) {
                double c = run->want_cov
                               ? (sq[UPPER(i, j)] - sum[i] * sum[j] / n) /
                                     (n - 1.0) / n
                               : 0.0;
                out->cov[i * np + j] = out->cov[j * np + i] = c;
            }
        for (size_t i = 0; i < np; i++)   /* the diagonal is se² exactly */
            out->cov[i * np + i] = out->se[i] * out->se[i];
    }
#undef UPPER
    return TKC_SUCCESS;
}

static int mc_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                         const tkc_pair *pairs, size_t npairs,
                         tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_mc_type, spec, S,
                                                pairs, npairs, out, &answered,
                                                err);
    if (rc || answered)
        return rc;
    mc_run run = {0};
    run.L = tkc_attn_layout_alloc(S, pairs, npairs, spec->beta, spec->gamma,
                                  err);
    if (!run.L)
        return err ? err->status : TKC_ENOMEM;
    tkc_ziggurat_init(&run.zig);
    run.seed = spec->seed;
    run.progress = spec->progress;
    run.npts = (spec->mc.samples + 1) / 2;
    run.np = npairs;
    run.want_cov = out->cov != NULL;
    run.slot_len = partial_len(npairs, run.want_cov);
    double *acc = malloc(run.slot_len * sizeof *acc);
    if (!acc) {
        rc = tkc_fail(err, TKC_ENOMEM, "K_attn mc: out of memory");
    } else if (!(rc = mc_sum(&run, spec->threads, spec->shard, acc, err)) &&
               !(rc = mc_finish(&run, acc, out, err)) &&
               !(rc = tkc_attn_range_require("mc", run.L, out, err))) {
        out->error_kind = TKC_ERROR_STATISTICAL;
        out->samples = 2 * run.npts;
        snprintf(out->note, sizeof out->note,
                 "%llu antithetic pairs, %zu Gaussian dimensions",
                 (unsigned long long)run.npts, tkc_attn_layout_dim(run.L));
    }
    free(acc);
    tkc_attn_layout_free((tkc_attn_layout *)run.L);
    return rc;
}

/* ---- options: samples = integrand evaluations ------------------------------ */

/* At least two antithetic pairs, for a standard error. */
static int mc_check_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    return tkc_attn_check_option("mc", "samples", spec->mc.samples, 4,
                                 TKC_ATTN_SAMPLES_MAX, err);
}

TKC_ATTN_ANTITHETIC_SAMPLES(mc)

const tkc_attn_estimator_type tkc_attn_mc_type = {
    "mc", "Monte Carlo, antithetic, common random numbers", mc_eval_pairs,
    mc_check_options, mc_evaluations, mc_scale, mc_raise_to};
