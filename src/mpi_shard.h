/* mpi_shard.h — a tkc_shard (tkc/shard.h) over an MPI communicator: the
 * ranks of `mpirun -np P tkc ...` share each sampling computation.  Part of
 * the tkc program, not of libtkc (the library knows no MPI); built with
 * -Dmpi=enabled (or auto, when Open MPI is found).  The header is free of
 * <mpi.h>: the communicator is MPI_COMM_WORLD's duplicate, made here.
 *
 * Collectives (tkc/shard.h's contract): every one begins with an
 * MPI_Allreduce that agrees on the callers' statuses (the lowest failing
 * rank, found by MIN), then that rank's message is broadcast; data moves
 * only when all passed 0.  After an agreed failure every call returns it
 * at once.  A dead rank is MPI's and mpirun's to handle: the default error
 * handler (errors are fatal) ends the job rather than leave it waiting. */
#ifndef TKC_MPI_SHARD_H
#define TKC_MPI_SHARD_H

#include "tkc/shard.h"

/* MPI_Init (once per process) and a shard over a duplicate of
 * MPI_COMM_WORLD; NULL with err set when MPI fails to start. */
tkc_shard *tkc_mpi_shard_alloc(int *argc, char ***argv, tkc_error *err);
/* Frees the communicator and calls MPI_Finalize; sh may be NULL. */
void tkc_mpi_shard_free(tkc_shard *sh);
/* A pointer to sh's MPI_Comm (void * here so that this header needs no
 * mpi.h; the caller that includes mpi.h casts it back). */
void *tkc_mpi_shard_comm(tkc_shard *sh);

#endif
