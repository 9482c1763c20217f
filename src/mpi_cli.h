/* mpi_cli.h — the tkc program under mpirun: one process of P, rank 0 the
 * one that speaks.  Without -Dmpi (TKC_MPI undefined), or when the program
 * was not started by an MPI launcher, every call here is a no-op and
 * cli_mpi_shard() is NULL: one process alone.
 *
 *   cli_mpi_begin   before the command: MPI_Init when an MPI launcher
 *                   started the program (its environment says so), the
 *                   shard over MPI_COMM_WORLD; ranks other than 0 write
 *                   stdout to /dev/null and stderr to a scratch file (their
 *                   message, should they fail alone); rank 0's stdout goes
 *                   to a scratch file, printed at the end unless another
 *                   rank failed: output appears whole or not at all.
 *   cli_mpi_end     after the command, with its exit code: the ranks agree
 *                   on failure (exit 2 on any rank: 2 on all, with rank 0
 *                   printing the lowest failing rank's message when it did
 *                   not fail itself), MPI_Finalize; returns the exit code. */
#ifndef TKC_MPI_CLI_H
#define TKC_MPI_CLI_H

#include "tkc/shard.h"

void cli_mpi_begin(int *argc, char ***argv);
int cli_mpi_end(int rc);
/* The shard kernel specs take (tkc_kernel_spec.shard), or NULL. */
tkc_shard *cli_mpi_shard(void);

/* Is this the process whose notes reach the user: alone, or rank 0?  The
 * other ranks' stderr is kept for their error message alone. */
static inline int cli_mpi_speaks(void)
{
    const tkc_shard *sh = cli_mpi_shard();
    return !sh || sh->rank == 0;
}

#endif
