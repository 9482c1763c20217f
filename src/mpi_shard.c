/* mpi_shard.c — the MPI shard of mpi_shard.h. */
#include "mpi_shard.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "scalapack_chol.h"

typedef struct mpi_state {
    MPI_Comm comm;
    tkc_scalapack_chol *chol;    /* made at the first dense solve, or NULL */
    int failed;                  /* a failure was agreed: ...                */
    tkc_error agreed;            /* ... this one                             */
} mpi_state;

static int mpi_agree(tkc_shard *sh, int status, tkc_error *err)
{
    mpi_state *s = sh->state;
    if (!s->failed) {
        int mine = status ? sh->rank : sh->size, first;
        MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, s->comm);
        if (first < sh->size) {
            /* the lowest failing rank's status and message, to all */
            struct {
                int status;
                char message[TKC_ERROR_MESSAGE_MAX];
            } m = {status, ""};
            if (sh->rank == first && err)
                memcpy(m.message, err->message, sizeof m.message);
            MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, first, s->comm);
            s->failed = 1;
            s->agreed.status = m.status;
            m.message[sizeof m.message - 1] = '\0';
            if (first)
                snprintf(s->agreed.message, sizeof s->agreed.message,
                         "process %d of %d: %.900s", first, sh->size,
                         m.message);
            else
                memcpy(s->agreed.message, m.message, sizeof m.message);
        }
    }
    if (!s->failed)
        return TKC_SUCCESS;
    if (err)
        *err = s->agreed;
    return s->agreed.status;
}

/* Counts and displacements of the rows, in doubles; refuses what does not
 * fit MPI's int counts. */
static int row_counts(const tkc_shard *sh, size_t width, const uint64_t *first,
                      int *count, int *displ)
{
    for (int p = 0; p < sh->size; p++) {
        uint64_t c = (first[p + 1] - first[p]) * width, d = first[p] * width;
        if (c > INT_MAX || d > INT_MAX)
            return -1;
        count[p] = (int)c;
        displ[p] = (int)d;
    }
    return 0;
}

static int mpi_gather(tkc_shard *sh, int status, double *rows, size_t width,
                      const uint64_t *first, int to_all, tkc_error *err)
{
    int *count = NULL, *displ = NULL;
    if (!status) {
        count = malloc((size_t)sh->size * sizeof *count);
        displ = malloc((size_t)sh->size * sizeof *displ);
        if (!count || !displ)
            status = tkc_fail(err, TKC_ENOMEM, "mpi: out of memory");
        else if (row_counts(sh, width, first, count, displ))
            status = tkc_fail(err, TKC_ERANGE, "mpi: %llu values to gather "
                              "exceed MPI's int counts",
                              (unsigned long long)(first[sh->size] * width));
    }
    int rc = mpi_agree(sh, status, err);
    if (!rc) {
        mpi_state *s = sh->state;
        if (to_all)
            MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, rows, count, displ,
                           MPI_DOUBLE, s->comm);
        else if (sh->rank == 0)
            MPI_Gatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, rows, count, displ,
                        MPI_DOUBLE, 0, s->comm);
        else
            MPI_Gatherv(rows + displ[sh->rank], count[sh->rank], MPI_DOUBLE,
                        NULL, NULL, NULL, MPI_DOUBLE, 0, s->comm);
    }
    free(count);
    free(displ);
    return rc;
}

static int mpi_broadcast(tkc_shard *sh, int status, double *buf, size_t count,
                         tkc_error *err)
{
    if (!status && count > INT_MAX)
        status = tkc_fail(err, TKC_ERANGE, "mpi: %zu values to broadcast "
                          "exceed MPI's int counts", count);
    int rc = mpi_agree(sh, status, err);
    if (!rc)
        MPI_Bcast(buf, (int)count, MPI_DOUBLE, 0,
                  ((mpi_state *)sh->state)->comm);
    return rc;
}

/* Fill locally, agree, factor together (scalapack_chol.h). */
static int mpi_chol_factor(tkc_shard *sh, int status, size_t n, double shift,
                           tkc_shard_block_fn fill, void *ctx, long *pivot,
                           double *anorm, double *rcond, tkc_error *err)
{
    mpi_state *s = sh->state;
    if (!status && !s->chol &&
        !(s->chol = tkc_scalapack_chol_alloc(s->comm, sh->size)))
        status = tkc_fail(err, TKC_ENOMEM, "mpi: out of memory");
    if (!status)
        status = tkc_scalapack_chol_fill(s->chol, n, shift, fill, ctx, err);
    int rc = mpi_agree(sh, status, err);
    if (!rc)
        rc = tkc_scalapack_chol_factor(s->chol, pivot, anorm, rcond, err);
    return mpi_agree(sh, rc, err);
}

static int mpi_chol_solve(tkc_shard *sh, int status, double *b, tkc_error *err)
{
    mpi_state *s = sh->state;
    if (!status && !s->chol)
        status = tkc_fail(err, TKC_EINPUT, "mpi: a solve before a factor");
    int rc = mpi_agree(sh, status, err);
    if (!rc)
        rc = tkc_scalapack_chol_solve(s->chol, b, err);
    return mpi_agree(sh, rc, err);
}

static const tkc_shard_type mpi_type = {"mpi", mpi_agree, mpi_gather,
                                        mpi_broadcast, mpi_chol_factor,
                                        mpi_chol_solve};

tkc_shard *tkc_mpi_shard_alloc(int *argc, char ***argv, tkc_error *err)
{
    /* tkc's worker threads never call MPI; the thread that started them
     * does, between their runs: FUNNELED */
    int ok, provided;
    if (MPI_Initialized(&ok) != MPI_SUCCESS ||
        (!ok && (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED,
                                 &provided) != MPI_SUCCESS ||
                 provided < MPI_THREAD_FUNNELED))) {
        tkc_fail(err, TKC_EIO, "mpi: MPI_Init failed");
        return NULL;
    }
    tkc_shard *sh = calloc(1, sizeof *sh);
    mpi_state *s = calloc(1, sizeof *s);
    if (!sh || !s) {
        free(sh);
        free(s);
        tkc_fail(err, TKC_ENOMEM, "mpi: out of memory");
        MPI_Finalize();
        return NULL;
    }
    MPI_Comm_dup(MPI_COMM_WORLD, &s->comm);
    MPI_Comm_rank(s->comm, &sh->rank);
    MPI_Comm_size(s->comm, &sh->size);
    sh->type = &mpi_type;
    sh->state = s;
    return sh;
}

void *tkc_mpi_shard_comm(tkc_shard *sh)
{
    return &((mpi_state *)sh->state)->comm;
}

void tkc_mpi_shard_free(tkc_shard *sh)
{
    if (!sh)
        return;
    mpi_state *s = sh->state;
    tkc_scalapack_chol_free(s->chol);
    MPI_Comm_free(&s->comm);
    free(s);
    free(sh);
    MPI_Finalize();
}
