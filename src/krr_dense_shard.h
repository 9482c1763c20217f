/* krr_dense_shard.h (internal) — krr's dense solve shared by the processes
 * of a shard whose type can factor (tkc/shard.h: chol_factor, chol_solve;
 * MPI's with ScaLAPACK): K̂ never whole on any process, each filling its
 * own blocks from the gram's pattern values; the ridge policy and the
 * diagnostics of tkc_spd_solve (tkc/spd.h): escalation from the rounding
 * floor tenfold, rcond, refinement with residuals from the pattern values
 * in long double, ferr and berr. */
#ifndef TKC_KRR_DENSE_SHARD_H
#define TKC_KRR_DENSE_SHARD_H

#include "tkc/spd.h"
#include "krr_gram.h"

/* Does sh share dense solves (more than one process, a type that can)? */
int krr_dense_shard_active(const tkc_shard *sh);

/* (K̂_q + λI) x = y for estimate q of g, shared by sh; x on every process.
 * Statuses as tkc_spd_solve's. */
int krr_dense_shard_solve(tkc_krr_gram *g, size_t q, tkc_shard *sh,
                          double lambda, const double *y, double *x,
                          tkc_spd_solve_info *info, tkc_error *err);

#endif
