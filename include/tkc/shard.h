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
 *   krr's dense solve (with a shard that has chol_factor, MPI's with
 *         ScaLAPACK): K̂ in a 2-D block-cyclic layout, each process filling
 *         its blocks from the pattern values every process holds, Cholesky
 *         and its solves spread; refinement residuals from the pattern
 *         values (krr_dense_shard.c).  Its digits are ScaLAPACK's, not
 *         LAPACK's: equal to the refinement's accuracy, not bit for bit.
 * Everything else (the certificate, the generic verdict, the structured
 * ridge solves) is computed whole on every process, from the same numbers: the
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

/* A block of a symmetric matrix that no process holds whole:
 * a[r + c·lda] = A(i0 + r, j0 + c) for r < rows, c < cols.  Returns 0, or
 * a status with err set. */
typedef int (*tkc_shard_block_fn)(void *ctx, size_t i0, size_t j0,
                                  size_t rows, size_t cols, double *a,
                                  size_t lda, tkc_error *err);

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
    /* Optional (NULL: dense solves are not shared; every process solves
     * whole).  A Cholesky factorization of A = K + shift·I (n×n, symmetric
     * positive semidefinite K) spread over the processes, each holding and
     * filling only its own blocks of K by `fill` (no entry of K moves
     * between processes); the factor stays in the shard until the next
     * call or the shard's end.  After agreeing on `status`: *pivot is 0,
     * or k > 0 when the leading k×k minor is not positive definite (then
     * *rcond is 0); *anorm = ‖A‖₁ and *rcond the estimate of 1/(‖A‖₁‖A⁻¹‖₁)
     * (ScaLAPACK pdpocon's), the same on every process. */
    int (*chol_factor)(tkc_shard *sh, int status, size_t n, double shift,
                       tkc_shard_block_fn fill, void *ctx, long *pivot,
                       double *anorm, double *rcond, tkc_error *err);
    /* b (n entries, the same on every process) overwritten with A⁻¹b from
     * the last factorization, on every process. */
    int (*chol_solve)(tkc_shard *sh, int status, double *b, tkc_error *err);
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
