/* shard.h (internal) — the library's side of tkc/shard.h: a count of work
 * units split into one contiguous range per process, and the collective
 * operations with NULL meaning one process alone (then they only pass the
 * status through). */
#ifndef TKC_SHARD_INTERNAL_H
#define TKC_SHARD_INTERNAL_H

#include <stdint.h>

#include "tkc/shard.h"

/* Processes, and this one's number: 1 and 0 without a shard. */
int tkc_shard_size(const tkc_shard *sh);
int tkc_shard_rank(const tkc_shard *sh);

/* first[0 .. size]: n units in contiguous ranges, process p's from
 * first[p] to first[p+1] − 1, the first n mod size ranges one unit longer.
 * first has room for size + 1 entries. */
void tkc_shard_ranges(const tkc_shard *sh, uint64_t n, uint64_t *first);

/* The operations of tkc/shard.h; without a shard, status is returned. */
int tkc_shard_agree(tkc_shard *sh, int status, tkc_error *err);
int tkc_shard_gather(tkc_shard *sh, int status, double *rows, size_t width,
                     const uint64_t *first, int to_all, tkc_error *err);
int tkc_shard_broadcast(tkc_shard *sh, int status, double *buf, size_t count,
                        tkc_error *err);

#endif
