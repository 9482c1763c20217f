/* coeffs.c — exact coefficient matrices of N_attn (tkc/coeffs.h).
 *
 * The r² entries are mapped to their canonical unordered pair patterns
 * through a tkc_pattern_index; each pattern holds its own coefficient
 * vector and the total order it is known through.  A raise lists the
 * patterns it must compute (in id order), and worker threads take them one
 * at a time from a shared counter, each with its own tkc_series_cache.
 * Every result is exact and written only by the thread that computed it,
 * so the matrices do not depend on the number of threads or on which
 * thread did what. */
#include "tkc/coeffs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tkc/nmatrix.h"
#include "tkc/series.h"
#include "gmpvec.h"
#include "progress.h"
#include "series_cache.h"

/* A thread's derivative cache is emptied when it holds more shapes than
 * this (about 100 bytes each), which bounds memory at high orders. */
#define CACHE_ENTRIES_MAX ((size_t)1 << 21)

struct tkc_coeffs {
    size_t r, k;
    size_t *id;                  /* r×r: pattern id of entry (i, j)       */
    tkc_pattern_index *ix;
    int *order;                  /* per pattern: known through, or -1     */
    mpq_t **vec;                 /* per pattern: its coefficients         */
    tkc_series_cache **cache;    /* per worker thread, kept across raises */
    unsigned ncache;
};

static void vec_free(mpq_t *v, int order)
{
    tkc_mpq_vec_free(v, tkc_series_monomials(order));
}

void tkc_coeffs_free(tkc_coeffs *c)
{
    if (!c)
        return;
    size_t np = c->ix ? tkc_pattern_index_size(c->ix) : 0;
    if (c->vec)
        for (size_t p = 0; p < np; p++)
            vec_free(c->vec[p], c->order[p]);
    for (unsigned t = 0; t < c->ncache; t++)
        tkc_series_cache_free(c->cache[t]);
    free(c->cache);
    free(c->vec);
    free(c->order);
    free(c->id);
    tkc_pattern_index_free(c->ix);
    free(c);
}

tkc_coeffs *tkc_coeffs_alloc_strings(const tkc_strings *S, size_t r,
                                     tkc_error *err)
{
    if (!S || r == 0 || S->count != 2 * r) {
        tkc_fail(err, TKC_EINPUT, "coefficient matrices need 2r strings "
                 "(r >= 1), got %zu for r = %zu", S ? S->count : 0, r);
        return NULL;
    }
    if (r > ((size_t)1 << 16)) {
        tkc_fail(err, TKC_ENOMEM, "coefficient matrices: r = %zu is too "
                 "large", r);
        return NULL;
    }
    tkc_coeffs *c = calloc(1, sizeof *c);
    if (!c || !(c->id = malloc(r * r * sizeof *c->id)) ||
        !(c->ix = tkc_pattern_index_alloc(r * r, err))) {
        tkc_coeffs_free(c);
        tkc_fail(err, TKC_ENOMEM, "out of memory for coefficient matrices");
        return NULL;
    }
    c->r = r;
    c->k = S->k;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++) {
            tkc_pattern pat;
            tkc_pattern_of_unordered_pair(&pat, tkc_strings_row(S, i),
                                          tkc_strings_row(S, r + j), S->k,
                                          NULL);
            long id = tkc_pattern_index_insert(c->ix, &pat, NULL, err);
            if (id < 0) {
                tkc_coeffs_free(c);
                return NULL;
            }
            c->id[i * r + j] = (size_t)id;
        }
    size_t np = tkc_pattern_index_size(c->ix);
    c->order = malloc(np * sizeof *c->order);
    c->vec = calloc(np, sizeof *c->vec);
    if (!c->order || !c->vec) {
        tkc_coeffs_free(c);
        tkc_fail(err, TKC_ENOMEM, "out of memory for coefficient matrices");
        return NULL;
    }
    for (size_t p = 0; p < np; p++)
        c->order[p] = -1;
    return c;
}

tkc_coeffs *tkc_coeffs_alloc(const tkc_template_set *set, tkc_error *err)
{
    tkc_strings *S;
    if (tkc_nmatrix_strings(set, &S, err))
        return NULL;
    tkc_coeffs *c = tkc_coeffs_alloc_strings(S, set->count, err);
    tkc_strings_free(S);
    return c;
}

size_t tkc_coeffs_r(const tkc_coeffs *c) { return c->r; }

size_t tkc_coeffs_patterns(const tkc_coeffs *c)
{
    return tkc_pattern_index_size(c->ix);
}

size_t tkc_coeffs_pattern_id(const tkc_coeffs *c, size_t i, size_t j)
{
    return c->id[i * c->r + j];
}

const tkc_pattern *tkc_coeffs_pattern(const tkc_coeffs *c, size_t id)
{
    return tkc_pattern_index_get(c->ix, id);
}

int tkc_coeffs_order(const tkc_coeffs *c, size_t i, size_t j)
{
    return c->order[c->id[i * c->r + j]];
}

const mpq_t *tkc_coeffs_entry(const tkc_coeffs *c, size_t i, size_t j)
{
    return (const mpq_t *)c->vec[c->id[i * c->r + j]];
}

/* ---- raising ------------------------------------------------------------ */

/* The patterns a raise to D computes, in id order (so the work list, and
 * any error reported, do not depend on the threads).  *list is malloc'd. */
static int raise_list(const tkc_coeffs *c, int D, const uint8_t *need,
                      size_t **list, size_t *n, tkc_error *err)
{
    size_t np = tkc_pattern_index_size(c->ix);
    uint8_t *want = calloc(np ? np : 1, 1);
    *list = malloc((np ? np : 1) * sizeof **list);
    if (!want || !*list) {
        free(want);
        free(*list);
        *list = NULL;
        return tkc_fail(err, TKC_ENOMEM, "out of memory listing patterns");
    }
    for (size_t e = 0; e < c->r * c->r; e++)
        if (!need || need[e])
            want[c->id[e]] = 1;
    *n = 0;
    for (size_t p = 0; p < np; p++)
        if (want[p] && c->order[p] < D)
            (*list)[(*n)++] = p;
    free(want);
    return TKC_SUCCESS;
}

double tkc_coeffs_raise_work(const tkc_coeffs *c, int total_order,
                             const uint8_t *need, size_t *patterns)
{
    size_t *list, n;
    if (patterns)
        *patterns = 0;
    if (raise_list(c, total_order, need, &list, &n, NULL))
        return -1;
    if (patterns)
        *patterns = n;
    double work = 0;
    for (size_t q = 0; q < n; q++)
        work += tkc_series_cost_graded(tkc_pattern_index_get(c->ix, list[q]),
                                       total_order);
    free(list);
    return work;
}

typedef struct worker {
    tkc_coeffs *c;
    tkc_series_cache *cache;
    const size_t *list;
    size_t n;
    atomic_size_t *next, *done;
    atomic_int *stop;
    tkc_progress_count *count;   /* the calling thread's worker only      */
    int D;
    size_t failed_at;            /* list index of this worker's failure   */
    int rc;
    tkc_error err;
} worker;

/* Compute one pattern into a fresh vector and swap it in. */
static int raise_one(worker *w, size_t p)
{
    mpq_t *v = tkc_mpq_vec_alloc(tkc_series_monomials(w->D));
    if (!v)
        return tkc_fail(&w->err, TKC_ENOMEM, "out of memory for "
                        "coefficients");
    int rc = tkc_series_compute_graded(v, tkc_pattern_index_get(w->c->ix, p),
                                       w->D, w->cache, &w->err);
    if (rc) {
        vec_free(v, w->D);
        return rc;
    }
    vec_free(w->c->vec[p], w->c->order[p]);
    w->c->vec[p] = v;
    w->c->order[p] = w->D;
    if (tkc_series_cache_entries(w->cache) > CACHE_ENTRIES_MAX)
        return tkc_series_cache_clear(w->cache, &w->err);
    return TKC_SUCCESS;
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    while (!atomic_load(w->stop)) {
        size_t q = atomic_fetch_add(w->next, 1);
        if (q >= w->n)
            break;
        if ((w->rc = raise_one(w, w->list[q]))) {
            w->failed_at = q;
            atomic_store(w->stop, 1);
        }
        size_t done = atomic_fetch_add(w->done, 1) + 1;
        if (w->count)
            tkc_progress_count_step(w->count, done);
    }
    return NULL;
}

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Caches for `threads` workers, kept in c across raises. */
static int caches_ready(tkc_coeffs *c, unsigned threads, tkc_error *err)
{
    if (c->ncache >= threads)
        return TKC_SUCCESS;
    tkc_series_cache **more = realloc(c->cache, threads * sizeof *more);
    if (!more)
        return tkc_fail(err, TKC_ENOMEM, "out of memory for caches");
    c->cache = more;
    for (; c->ncache < threads; c->ncache++)
        if (!(c->cache[c->ncache] = tkc_series_cache_alloc((int)c->k, err)))
            return err ? err->status : TKC_ENOMEM;
    return TKC_SUCCESS;
}

int tkc_coeffs_raise(tkc_coeffs *c, int total_order, const uint8_t *need,
                     unsigned threads, const tkc_progress *progress,
                     tkc_coeffs_stats *st, tkc_error *err)
{
    double wall0 = clock_s(CLOCK_MONOTONIC);
    double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (st)
        memset(st, 0, sizeof *st);
    if (!tkc_series_monomials(total_order))
        return tkc_fail(err, TKC_EINPUT, "coefficient matrices: total order "
                        "must be even and in [0, %d], got %d",
                        TKC_SERIES_ORDER_MAX, total_order);
    if (threads == 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        threads = online > 0 ? (unsigned)online : 1;
    }
    size_t *list, n;
    int rc = raise_list(c, total_order, need, &list, &n, err);
    if (rc)
        return rc;
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    if ((rc = caches_ready(c, threads, err))) {
        free(list);
        return rc;
    }
    worker *w = calloc(threads, sizeof *w);
    pthread_t *tid = calloc(threads, sizeof *tid);
    atomic_size_t next, done;
    atomic_int stop;
    atomic_init(&next, 0);
    atomic_init(&done, 0);
    atomic_init(&stop, 0);
    if (!w || !tid) {
        free(w);
        free(tid);
        free(list);
        return tkc_fail(err, TKC_ENOMEM, "out of memory for workers");
    }
    for (unsigned t = 0; t < threads; t++)
        w[t] = (worker){.c = c, .cache = c->cache[t], .list = list, .n = n,
                        .next = &next, .done = &done, .stop = &stop,
                        .D = total_order};
    /* the calling thread runs worker 0, and reports for all of them */
    tkc_progress_count count;
    tkc_progress_count_begin(&count, progress, n, "coefficients to order "
                             "%d",
                             total_order);
    w[0].count = &count;
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++, started++)
        if (pthread_create(&tid[t], NULL, worker_run, &w[t]))
            break;                       /* the others do the work */
    worker_run(&w[0]);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    /* the other workers may have finished the last patterns after worker
     * 0's last report */
    tkc_progress_count_step(&count, atomic_load(&done));
    /* the failure earliest in the list, whichever thread met it */
    worker *bad = NULL;
    for (unsigned t = 0; t < threads; t++)
        if (w[t].rc && (!bad || w[t].failed_at < bad->failed_at))
            bad = &w[t];
    if (bad) {
        rc = bad->rc;
        if (err)
            *err = bad->err;
    } else if (st) {
        st->patterns = n;
        for (size_t q = 0; q < n; q++)
            st->work += tkc_series_cost_graded(tkc_pattern_index_get(c->ix,
                                                                     list[q]),
                                               total_order);
        st->seconds = clock_s(CLOCK_MONOTONIC) - wall0;
        st->cpu_seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    }
    free(w);
    free(tid);
    free(list);
    return rc;
}
