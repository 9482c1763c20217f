/* scalapack_chol.h — a Cholesky factorization spread over the ranks of an
 * MPI communicator on ScaLAPACK (scalapack_chol.c), for the MPI shard's
 * chol_factor and chol_solve (tkc/shard.h, mpi_shard.c).  Part of the tkc
 * program built with -Dmpi, not of libtkc.
 *
 *   _alloc    a BLACS grid over comm (size ranks), as square as size allows
 *   _fill     this rank's blocks of A = K + shift·I (local, no
 *             communication; fails alone, so the caller agrees after it)
 *   _factor   collective: ‖A‖₁ (pdlansy), pdpotrf; *pivot > 0 when A is not
 *             positive definite, else rcond (pdpocon); the factor is kept
 *   _solve    collective: b ← A⁻¹b (pdpotrs), b whole on every rank */
#ifndef TKC_SCALAPACK_CHOL_H
#define TKC_SCALAPACK_CHOL_H

#include <mpi.h>

#include "tkc/shard.h"

typedef struct tkc_scalapack_chol tkc_scalapack_chol;

tkc_scalapack_chol *tkc_scalapack_chol_alloc(MPI_Comm comm, int size);
void tkc_scalapack_chol_free(tkc_scalapack_chol *c);
int tkc_scalapack_chol_fill(tkc_scalapack_chol *c, size_t n, double shift,
                            tkc_shard_block_fn fill, void *ctx, tkc_error *err);
int tkc_scalapack_chol_factor(tkc_scalapack_chol *c, long *pivot,
                              double *anorm, double *rcond, tkc_error *err);
int tkc_scalapack_chol_solve(tkc_scalapack_chol *c, double *b, tkc_error *err);

#endif
