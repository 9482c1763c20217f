/* shard_threads.h — a tkc_shard (tkc/shard.h) whose processes are threads
 * of one process: what the tests use to share a computation among P
 * "processes" without MPI, under the sanitizers.  The collectives meet at a
 * barrier on a board shared by the P threads; they move data by copying
 * from each other's buffers.
 *
 *   shard_threads_run(P, fn, ctx): P threads, thread p calling
 *   fn(ctx, shard_p), shard_p of rank p of P; returns when all have. */
#ifndef TKC_SHARD_THREADS_H
#define TKC_SHARD_THREADS_H

#include "tkc/shard.h"

typedef void (*shard_threads_fn)(void *ctx, tkc_shard *sh);

/* 0 on success, -1 when the threads could not be started. */
int shard_threads_run(int P, shard_threads_fn fn, void *ctx);

#endif
