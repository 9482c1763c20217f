/* shard_threads.c — the threads' shard of shard_threads.h. */
#include "shard_threads.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct board {
    int P;
    pthread_barrier_t bar;
    int *status;                 /* P: each one's status                     */
    tkc_error *errs;             /* P: each one's error                      */
    double **buf;                /* P: each one's buffer                     */
} board;

typedef struct member {
    tkc_shard sh;
    board *b;
    int failed;                  /* a failure was agreed: ...                */
    tkc_error agreed;            /* ... this one                             */
    shard_threads_fn fn;
    void *ctx;
} member;

static int th_agree(tkc_shard *sh, int status, tkc_error *err)
{
    member *m = sh->state;
    board *b = m->b;
    if (m->failed) {
        if (err)
            *err = m->agreed;
        return m->agreed.status;
    }
    b->status[sh->rank] = status;
    if (status)
        snprintf(b->errs[sh->rank].message, sizeof b->errs[sh->rank].message,
                 "%s", err ? err->message : "");
    pthread_barrier_wait(&b->bar);
    int f = 0;
    while (f < b->P && !b->status[f])
        f++;
    if (f < b->P) {
        m->failed = 1;
        m->agreed.status = b->status[f];
        if (f)
            snprintf(m->agreed.message, sizeof m->agreed.message,
                     "process %d of %d: %.900s", f, b->P, b->errs[f].message);
        else
            snprintf(m->agreed.message, sizeof m->agreed.message, "%s",
                     b->errs[f].message);
    }
    pthread_barrier_wait(&b->bar);   /* all have read before the next write */
    if (!m->failed)
        return TKC_SUCCESS;
    if (err)
        *err = m->agreed;
    return m->agreed.status;
}

static int th_gather(tkc_shard *sh, int status, double *rows, size_t width,
                     const uint64_t *first, int to_all, tkc_error *err)
{
    int rc = th_agree(sh, status, err);
    if (rc)
        return rc;
    member *m = sh->state;
    board *b = m->b;
    b->buf[sh->rank] = rows;
    pthread_barrier_wait(&b->bar);
    if (sh->rank == 0 || to_all)
        for (int p = 0; p < b->P; p++)
            if (p != sh->rank)
                memcpy(rows + first[p] * width, b->buf[p] + first[p] * width,
                       (first[p + 1] - first[p]) * width * sizeof *rows);
    pthread_barrier_wait(&b->bar);
    return TKC_SUCCESS;
}

static int th_broadcast(tkc_shard *sh, int status, double *buf, size_t count,
                        tkc_error *err)
{
    int rc = th_agree(sh, status, err);
    if (rc)
        return rc;
    member *m = sh->state;
    board *b = m->b;
    b->buf[sh->rank] = buf;
    pthread_barrier_wait(&b->bar);
    if (sh->rank)
        memcpy(buf, b->buf[0], count * sizeof *buf);
    pthread_barrier_wait(&b->bar);
    return TKC_SUCCESS;
}

/* no dense solves: every "process" solves whole */
static const tkc_shard_type threads_type = {"threads", th_agree, th_gather,
                                            th_broadcast, NULL, NULL};

static void *member_main(void *arg)
{
    member *m = arg;
    m->fn(m->ctx, &m->sh);
    return NULL;
}

int shard_threads_run(int P, shard_threads_fn fn, void *ctx)
{
    board b = {P, {{0}}, calloc(P, sizeof(int)), calloc(P, sizeof(tkc_error)),
               calloc(P, sizeof(double *))};
    member *m = calloc(P, sizeof *m);
    pthread_t *tid = calloc(P, sizeof *tid);
    int rc = -1, started = 0;
    if (b.status && b.errs && b.buf && m && tid &&
        !pthread_barrier_init(&b.bar, NULL, (unsigned)P)) {
        for (int p = 0; p < P; p++)
            m[p] = (member){{&threads_type, p, P, &m[p]}, &b, 0, {0, ""}, fn,
                            ctx};
        for (; started < P; started++)
            if (pthread_create(&tid[started], NULL, member_main, &m[started]))
                break;
        for (int p = 0; p < started; p++)
            pthread_join(tid[p], NULL);
        pthread_barrier_destroy(&b.bar);
        rc = started == P ? 0 : -1;
    }
    free(b.status);
    free(b.errs);
    free(b.buf);
    free(m);
    free(tid);
    return rc;
}
