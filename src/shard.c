/* shard.c — splitting work among the processes of a shared computation,
 * and the collective calls with or without a shard (shard.h). */
#include "shard.h"

int tkc_shard_size(const tkc_shard *sh) { return sh ? sh->size : 1; }
int tkc_shard_rank(const tkc_shard *sh) { return sh ? sh->rank : 0; }

void tkc_shard_ranges(const tkc_shard *sh, uint64_t n, uint64_t *first)
{
    uint64_t P = (uint64_t)tkc_shard_size(sh), each = n / P, extra = n % P;
    first[0] = 0;
    for (uint64_t p = 0; p < P; p++)
        first[p + 1] = first[p] + each + (p < extra);
}

int tkc_shard_agree(tkc_shard *sh, int status, tkc_error *err)
{
    return sh ? sh->type->agree(sh, status, err) : status;
}

int tkc_shard_gather(tkc_shard *sh, int status, double *rows, size_t width,
                     const uint64_t *first, int to_all, tkc_error *err)
{
    return sh ? sh->type->gather(sh, status, rows, width, first, to_all, err)
              : status;
}

int tkc_shard_broadcast(tkc_shard *sh, int status, double *buf, size_t count,
                        tkc_error *err)
{
    return sh ? sh->type->broadcast(sh, status, buf, count, err) : status;
}
