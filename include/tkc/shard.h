/* tkc/shard.h — one computation shared by several processes (the ranks of an
 * MPI job, say): who is who, and the few collective operations the sampling
 * estimators need to split their work and put it back together with the
 * digits of one process.
 *
 * libtkc knows nothing of MPI.  A shard is a type table (a name and
 * function pointers) and an object; the program that runs the processes
 * supplies both.  tkc's own MPI implementation is src/mpi_shard.c, built
 * with `meson setup -Dmpi=enabled` (docs/cluster.md); tests use one made of
 * threads.  A computation is shared by setting tkc_kernel_spec.shard
 * (tkc/kernel.h) on every process, with the same spec, and calling the
 * same functions in the same order on every process.
 *
 * What is shared, and how the digits stay those of one process:
 *   mc    the blocks of each round are split into contiguous ranges, one
 *         per process; process 0 gathers every block's partial sums and
 *         adds them in block order, as one process does; the sums are then
 *         broadcast.  The same additions in the same order: the same
 *         digits, whatever the number of processes.
 *   qmc   the replicates are split into contiguous ranges; each replicate
 *         is summed whole on one process, and every process gathers all
 *         replicates' sums.  At most `replicates` processes have work.
 *   cvmc, series, closed forms: every process computes the whole (cvmc
 *         sums draw by draw across its blocks, so splitting it would
 *         change its digits).
 * Everything else (the certificate, the generic verdict, the ridge
 * solves) is computed whole on every process, from the same numbers: the
 * processes stay in step without talking.
 *
 * Failures.  Every collective operation first agrees on the callers'
 * statuses: when any process fails, every process returns the failure of
 * the lowest-numbered failing process, with its message, and no data move.
 * A process that failed outside a collective calls `agree` with its status
 * (once), which meets the others at their next collective.  After an
 * agreed failure every call returns it again at once, without
 * communicating: so a failure can never leave the processes waiting for
 * each other.  A process that dies (a signal) is the launcher's to handle
 * (mpirun ends the job). */
#ifndef TKC_SHARD_H
#define TKC_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_shard tkc_shard;

typedef struct tkc_shard_type {
    const char *name;            /* "mpi", "threads"                          */
    /* Agree on the callers' statuses: returns TKC_SUCCESS when every
     * process passed 0, else the status of the lowest-numbered failing
     * process, whose message (prefixed with its number when it is not 0)
     * is copied into every process's err. */
    int (*agree)(tkc_shard *sh, int status, tkc_error *err);
    /* After agreeing on `status`: process p holds rows first[p] ..
     * first[p+1] − 1 of `rows` (rows of `width` doubles, first[0] = 0,
     * first[size] rows in all); on return process 0 holds all of them, and
     * so does every process when to_all is nonzero.  rows has room for all
     * first[size] rows on every process.  rows and first are read only
     * when every status is 0 (a failing process may pass NULL). */
    int (*gather)(tkc_shard *sh, int status, double *rows, size_t width,
                  const uint64_t *first, int to_all, tkc_error *err);
    /* After agreeing on `status`: process 0's count doubles of buf to every
     * process. */
    int (*broadcast)(tkc_shard *sh, int status, double *buf, size_t count,
                     tkc_error *err);
} tkc_shard_type;

struct tkc_shard {
    const tkc_shard_type *type;
    int rank;                    /* this process: 0 .. size − 1               */
    int size;                    /* processes, >= 1                           */
    void *state;                 /* the implementation's                      */
};

#ifdef __cplusplus
}
#endif
#endif
