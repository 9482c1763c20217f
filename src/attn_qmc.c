/* attn_qmc.c — randomized quasi-Monte Carlo estimator of K_attn.
 *
 * R independent replicates, each n points of a Sobol sequence (GSL
 * gsl_qrng_sobol) under its own random digital shift: every coordinate's
 * 30-bit integer is XORed with a random word and the digits below 2^-30
 * (zero in the unshifted net) are replaced by one random fraction per
 * coordinate, which is the base-2 digital shift of all digits.  Each shifted
 * point is uniform on (0, 1)^d, so every replicate is an unbiased estimate
 * and the spread of the R replicate means gives the standard error (and the
 * covariance of the entries).  Points are kept inside [2^-60, 1 - 2^-53]
 * and mapped to normals by the inverse CDF; every point is used with its
 * antithetic image, like the Monte Carlo estimator.
 *
 * Dimension: GSL's Sobol stops at 40 and past it would return zeros, so
 * the dimension is checked here.  Above 40 the first 40 coordinates (the k
 * positions, then the tokens in order of first appearance: the variables
 * shared by most of the integrand) stay Sobol and the rest are padded with
 * independent normals drawn afresh for every point of every replicate
 * (Owen's padding).  The estimate stays unbiased and the error bars stay
 * honest; only the gain over Monte Carlo shrinks.  The note says so.
 *
 * Replicate r draws its shift and its padding from the stream (seed,
 * TKC_RNG_QMC, r): its own numbers whatever thread runs it, and none that
 * the Monte Carlo estimator of the same seed draws. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "tkc/kernel.h"
#include "rng.h"
#include "registry.h"
#include "attn_qmc.h"
#include "shard.h"

#define SOBOL_MAX_DIM 40
#define SOBOL_BITS 30                 /* GSL's Sobol has 30-bit integers */
#define SOBOL_MAX_POINTS ((uint64_t)1 << SOBOL_BITS)

/* A run that can grow: every replicate's sums and the state of its stream
 * are kept, so that raising the points continues each replicate where it
 * stopped (Sobol points n0 .. n1-1 after 0 .. n0-1, the padding normals
 * after theirs).  The sums then see the same additions in the same order
 * as a run of n1 points from the start: the same digits. */
struct tkc_attn_qmc_run {
    tkc_attn_layout *L;
    tkc_ziggurat zig;
    uint64_t seed;
    tkc_shard *shard;                 /* the processes sharing the run, or NULL */
    const tkc_progress *progress;
    uint64_t done, upto;              /* points per replicate: summed, wanted */
    unsigned reps;
    size_t np, dim, sdim;             /* sdim = Sobol coordinates         */
    tkc_rng *pad;                     /* reps: each stream past its padding */
    double *sums;                     /* reps * np: Σ (f − f at β = 0)     */
};

/* Uniform in (0, 1) from shifted Sobol digits, kept off 0 and 1. */
static double shifted(double x, uint32_t shift, double frac)
{
    uint32_t v = (uint32_t)(x * (double)(1u << SOBOL_BITS)) ^ shift;
    double u = ((double)v + frac) * 0x1.0p-30;
    if (u < 0x1.0p-60)
        u = 0x1.0p-60;
    if (u > 1.0 - 0x1.0p-53)
        u = 1.0 - 0x1.0p-53;
    return u;
}

/* Scratch of one worker: a batch of draws and their integrands. */
typedef struct qmc_buf {
    double x[SOBOL_MAX_DIM], frac[SOBOL_MAX_DIM];
    double *z, *fp, *fm;             /* rows*dim, rows*np, rows*np */
    size_t rows;
} qmc_buf;

/* A worker: its scratch, kept from one wave of replicates to the next,
 * and the replicate of the current wave. */
typedef struct qmc_worker {
    tkc_attn_qmc_run *run;
    gsl_qrng *q;
    tkc_attn_work *w;
    qmc_buf b;
    unsigned rep;
    int rc;
    tkc_error err;
} qmc_worker;

/* Replicate r from point run->done to run->upto: its shift (the first
 * draws of its stream, drawn again), its Sobol points (the generator
 * restarted and moved past the points done), its padding (the stream kept
 * from the last extension). */
static int qmc_replicate(tkc_attn_qmc_run *run, unsigned r, gsl_qrng *q,
                         tkc_attn_work *w, qmc_buf *b, tkc_error *err)
{
    size_t np = run->np, dim = run->dim, sdim = run->sdim;
    uint32_t shift[SOBOL_MAX_DIM];
    tkc_rng rng;
    tkc_rng_stream(&rng, run->seed, TKC_RNG_QMC, r);
    for (size_t d = 0; d < sdim; d++) {
        shift[d] = (uint32_t)(tkc_rng_next(&rng) >> (64 - SOBOL_BITS));
        b->frac[d] = tkc_rng_uniform(&rng);
    }
    if (run->done > 0)
        rng = run->pad[r];
    gsl_qrng_init(q);
    for (uint64_t i = 0; i < run->done; i++)
        if (gsl_qrng_get(q, b->x) != 0)
            return tkc_fail(err, TKC_ENUMERIC, "K_attn qmc: Sobol generator "
                            "failed at point %llu", (unsigned long long)i);
    double *acc = run->sums + (size_t)r * np;
    for (uint64_t i0 = run->done; i0 < run->upto; i0 += b->rows) {
        size_t nb = run->upto - i0 < b->rows ? (size_t)(run->upto - i0) : b->rows;
        for (size_t row = 0; row < nb; row++) {
            double *z = b->z + row * dim;
            if (gsl_qrng_get(q, b->x) != 0)
                return tkc_fail(err, TKC_ENUMERIC,
                                "K_attn qmc: Sobol generator failed at point "
                                "%llu", (unsigned long long)(i0 + row));
            for (size_t d = 0; d < sdim; d++)
                z[d] = gsl_cdf_ugaussian_Pinv(
                    shifted(b->x[d], shift[d], b->frac[d]));
            for (size_t d = sdim; d < dim; d++)
                z[d] = tkc_rng_normal(&run->zig, &rng);
        }
        tkc_attn_integrand_antithetic_batch(run->L, w, nb, b->z, b->fp, b->fm);
        for (size_t row = 0; row < nb; row++)
            for (size_t j = 0; j < np; j++)
                acc[j] += 0.5 * (b->fp[row * np + j] + b->fm[row * np + j]) -
                          tkc_attn_layout_beta0(run->L, j);
    }
    run->pad[r] = rng;
    return TKC_SUCCESS;
}

static void *qmc_thread(void *arg)
{
    qmc_worker *wk = arg;
    wk->rc = qmc_replicate(wk->run, wk->rep, wk->q, wk->w, &wk->b, &wk->err);
    return NULL;
}

static void worker_free(qmc_worker *wk)
{
    if (wk->q)
        gsl_qrng_free(wk->q);
    tkc_attn_work_free(wk->w);
    free(wk->b.z);
    free(wk->b.fp);
    free(wk->b.fm);
}

static int worker_init(qmc_worker *wk, tkc_attn_qmc_run *run, tkc_error *err)
{
    memset(wk, 0, sizeof *wk);
    wk->run = run;
    wk->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)run->sdim);
    wk->w = tkc_attn_work_alloc(run->L, err);
    wk->b.rows = wk->w ? tkc_attn_work_batch(wk->w) : 1;
    wk->b.z = malloc(wk->b.rows * run->dim * sizeof *wk->b.z);
    wk->b.fp = malloc(wk->b.rows * run->np * sizeof *wk->b.fp);
    wk->b.fm = malloc(wk->b.rows * run->np * sizeof *wk->b.fm);
    if (wk->q && wk->w && wk->b.z && wk->b.fp && wk->b.fm)
        return TKC_SUCCESS;
    worker_free(wk);
    return tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
}

/* Replicates first .. end − 1 on `threads` threads, a wave of `threads`
 * replicates at a time, so that the calling thread can report each wave
 * (each replicate is summed whole by one thread either way: same digits). */
static int qmc_run_range(tkc_attn_qmc_run *run, unsigned first, unsigned end,
                         unsigned threads, tkc_error *err)
{
    if (threads > end - first)
        threads = end - first;                /* end > first */
    qmc_worker *wk = calloc(threads, sizeof *wk);
    pthread_t *tid = calloc(threads, sizeof *tid);
    unsigned ready = 0;
    int rc = wk && tid ? TKC_SUCCESS
                       : tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
    while (!rc && ready < threads)
        if (!(rc = worker_init(&wk[ready], run, err)))
            ready++;
    tkc_progress_count count;
    uint64_t per_rep = 2 * (run->upto - run->done);
    tkc_attn_count_begin(&count, run->progress, "qmc", run->np,
                         per_rep * (end - first));
    for (unsigned w0 = first; w0 < end && !rc; w0 += threads) {
        unsigned w1 = end - w0 < threads ? end : w0 + threads, started = 0;
        for (unsigned t = 0; t < w1 - w0; t++)
            wk[t].rep = w0 + t;
        if (w1 - w0 > 1)
            for (; started < w1 - w0; started++)
                if (pthread_create(&tid[started], NULL, qmc_thread,
                                   &wk[started]))
                    break;
        for (unsigned t = started; t < w1 - w0; t++)
            qmc_thread(&wk[t]);   /* unstarted workers run here: same digits */
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        for (unsigned t = 0; t < w1 - w0 && !rc; t++)
            if ((rc = wk[t].rc) && err)
                *err = wk[t].err;
        tkc_progress_count_step(&count, per_rep * (w1 - first));
    }
    for (unsigned t = 0; t < ready; t++)
        worker_free(&wk[t]);
    free(wk);
    free(tid);
    return rc;
}

/* All replicates.  Shared by processes (tkc/shard.h), each sums a
 * contiguous range of replicates whole (its stream and padding stay with
 * it as the run grows), and every process then gathers every replicate's
 * sums: each replicate's additions are one process's, in one order. */
static int qmc_run_all(tkc_attn_qmc_run *run, unsigned threads, tkc_error *err)
{
    int P = tkc_shard_size(run->shard), me = tkc_shard_rank(run->shard);
    uint64_t *first = malloc(((size_t)P + 1) * sizeof *first);
    int rc = first ? TKC_SUCCESS
                   : tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
    if (!rc) {
        tkc_shard_ranges(run->shard, run->reps, first);
        if (first[me + 1] > first[me])
            rc = qmc_run_range(run, (unsigned)first[me],
                               (unsigned)first[me + 1], threads, err);
    }
    rc = tkc_shard_gather(run->shard, rc, run->sums, run->np, first, 1, err);
    free(first);
    return rc;
}

/* Mean of the replicate means, its standard error and covariance. */
static int qmc_finish(const tkc_attn_qmc_run *run, tkc_kernel_values *out,
                      tkc_error *err)
{
    size_t np = run->np;
    double R = (double)run->reps, n = (double)run->done;
    double *means = malloc((size_t)run->reps * np * sizeof *means);
    if (!means)
        return tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
    for (size_t i = 0; i < (size_t)run->reps * np; i++)
        means[i] = tkc_attn_layout_beta0(run->L, i % np) + run->sums[i] / n;
    for (size_t j = 0; j < np; j++) {
        double s = 0;
        for (unsigned r = 0; r < run->reps; r++)
            s += means[(size_t)r * np + j];
        out->value[j] = s / R;
    }
    for (size_t i = 0; i < np; i++)
        for (size_t j = i; j < (out->cov ? np : i + 1); j++) {
            double c = 0;
            for (unsigned r = 0; r < run->reps; r++)
                c += (means[(size_t)r * np + i] - out->value[i]) *
                     (means[(size_t)r * np + j] - out->value[j]);
            c /= (R - 1) * R;
            if (i == j)
                out->se[i] = sqrt(c);
            if (out->cov)
                out->cov[i * np + j] = out->cov[j * np + i] = c;
        }
    free(means);
    for (size_t j = 0; j < np; j++)
        if (!isfinite(out->value[j]) || !isfinite(out->se[j]))
            return tkc_fail(err, TKC_ENUMERIC,
                            "K_attn qmc: entry %zu is not finite", j);
    return TKC_SUCCESS;
}

void tkc_attn_qmc_run_free(tkc_attn_qmc_run *run)
{
    if (!run)
        return;
    tkc_attn_layout_free(run->L);
    free(run->pad);
    free(run->sums);
    free(run);
}

tkc_attn_qmc_run *tkc_attn_qmc_run_alloc(const tkc_kernel_spec *spec,
                                         const tkc_strings *S,
                                         const tkc_pair *pairs, size_t npairs,
                                         tkc_error *err)
{
    tkc_attn_qmc_run *run = calloc(1, sizeof *run);
    if (!run) {
        tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
        return NULL;
    }
    run->L = tkc_attn_layout_alloc(S, pairs, npairs, spec->beta, spec->gamma,
                                   err);
    if (!run->L) {
        free(run);
        return NULL;
    }
    tkc_ziggurat_init(&run->zig);
    run->seed = spec->seed;
    run->shard = spec->shard;
    run->progress = spec->progress;
    run->reps = spec->qmc.replicates;
    run->np = npairs;
    run->dim = tkc_attn_layout_dim(run->L);
    run->sdim = run->dim < SOBOL_MAX_DIM ? run->dim : SOBOL_MAX_DIM;
    run->pad = calloc(run->reps, sizeof *run->pad);
    run->sums = calloc((size_t)run->reps * npairs + 1, sizeof *run->sums);
    if (!run->pad || !run->sums) {
        tkc_attn_qmc_run_free(run);
        tkc_fail(err, TKC_ENOMEM, "K_attn qmc: out of memory");
        return NULL;
    }
    return run;
}

uint64_t tkc_attn_qmc_run_points(const tkc_attn_qmc_run *run)
{
    return run->done;
}

int tkc_attn_qmc_run_to(tkc_attn_qmc_run *run, uint64_t points,
                        unsigned threads, tkc_kernel_values *out,
                        tkc_error *err)
{
    if (points < run->done || points > SOBOL_MAX_POINTS || points < 1)
        return tkc_fail(err, TKC_EINPUT, "K_attn qmc: cannot go from %llu to "
                        "%llu points per replicate",
                        (unsigned long long)run->done,
                        (unsigned long long)points);
    run->upto = points;
    int rc = points > run->done ? qmc_run_all(run, threads, err) : TKC_SUCCESS;
    if (rc)
        return rc;
    run->done = points;
    if ((rc = qmc_finish(run, out, err)) ||
        (rc = tkc_attn_range_require("qmc", run->L, out, err)))
        return rc;
    out->error_kind = TKC_ERROR_STATISTICAL;
    out->samples = 2 * run->done * run->reps;
    out->estimator = tkc_attn_qmc_type.name;
    if (run->dim > SOBOL_MAX_DIM)
        snprintf(out->note, sizeof out->note,
                 "%u replicates of %llu shifted Sobol points (antithetic); "
                 "%zu dimensions > 40: Sobol on the first 40, the other "
                 "%zu padded with independent normals",
                 run->reps, (unsigned long long)run->done, run->dim,
                 run->dim - SOBOL_MAX_DIM);
    else
        snprintf(out->note, sizeof out->note,
                 "%u replicates of %llu shifted Sobol points (antithetic) "
                 "in %zu dimensions",
                 run->reps, (unsigned long long)run->done, run->dim);
    return TKC_SUCCESS;
}

static int qmc_eval_pairs(const tkc_kernel_spec *spec, const tkc_strings *S,
                          const tkc_pair *pairs, size_t npairs,
                          tkc_kernel_values *out, tkc_error *err)
{
    int answered, rc = tkc_attn_estimator_begin(&tkc_attn_qmc_type, spec, S,
                                                pairs, npairs, out, &answered,
                                                err);
    if (rc || answered)
        return rc;
    tkc_attn_qmc_run *run = tkc_attn_qmc_run_alloc(spec, S, pairs, npairs, err);
    if (!run)
        return err ? err->status : TKC_ENOMEM;
    rc = tkc_attn_qmc_run_to(run, spec->qmc.points, spec->threads, out, err);
    tkc_attn_qmc_run_free(run);
    return rc;
}

/* ---- options: points per replicate, replicates ----------------------------- */

/* GSL's Sobol has 30-bit integers: at most 2^30 points. */
static int qmc_check_options(const tkc_kernel_spec *spec, tkc_error *err)
{
    int rc = tkc_attn_check_option("qmc", "points", spec->qmc.points, 1,
                                   SOBOL_MAX_POINTS, err);
    return rc ? rc : tkc_attn_check_option("qmc", "replicates",
                                           spec->qmc.replicates, 2, 65536, err);
}

static uint64_t qmc_evaluations(const tkc_kernel_spec *spec)
{
    return 2 * spec->qmc.points * spec->qmc.replicates;
}

/* More points per replicate, the same replicates. */
static void qmc_scale(tkc_kernel_spec *spec, double factor)
{
    spec->qmc.points = tkc_attn_size_scaled(spec->qmc.points, factor);
}

/* The points, as many as floor's (the replicates stay). */
static void qmc_raise_to(tkc_kernel_spec *spec, const tkc_kernel_spec *floor)
{
    spec->qmc.points = tkc_attn_size_raised(spec->qmc.points, floor->qmc.points);
}

const tkc_attn_estimator_type tkc_attn_qmc_type = {
    "qmc", "randomized quasi-Monte Carlo: digitally shifted Sobol replicates",
    qmc_eval_pairs, qmc_check_options, qmc_evaluations, qmc_scale,
    qmc_raise_to};
