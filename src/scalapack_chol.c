/* scalapack_chol.c — the Cholesky factorization of an MPI shard
 * (tkc/shard.h: chol_factor, chol_solve) on ScaLAPACK: a BLACS grid over
 * the shard's communicator, as square as the rank count allows (P = 2:
 * 1×2); the matrix in 2-D block-cyclic layout with SCALAPACK_NB×SCALAPACK_NB
 * blocks, each rank filling its own blocks; pdlansy (‖A‖₁), pdpotrf,
 * pdpocon, pdpotrs.  The right-hand side lives in the grid's column 0 and
 * the solution goes back to every rank by one MPI_Allreduce (a sum of one
 * value and zeros: exact). */
#include "scalapack_chol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ScaLAPACK and BLACS (Debian libscalapack-openmpi-dev ships no C header):
 * Fortran calling convention, every argument by reference; the one-letter
 * strings without their hidden lengths, as ScaLAPACK's own C examples. */
extern int Csys2blacs_handle(MPI_Comm comm);
extern void Cfree_blacs_system_handle(int handle);
extern void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
extern void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow,
                            int *mycol);
extern void Cblacs_gridexit(int ctxt);
extern int numroc_(const int *n, const int *nb, const int *iproc,
                   const int *isrcproc, const int *nprocs);
extern void descinit_(int *desc, const int *m, const int *n, const int *mb,
                      const int *nb, const int *irsrc, const int *icsrc,
                      const int *ictxt, const int *lld, int *info);
extern double pdlansy_(const char *norm, const char *uplo, const int *n,
                       const double *a, const int *ia, const int *ja,
                       const int *desca, double *work);
extern void pdpotrf_(const char *uplo, const int *n, double *a, const int *ia,
                     const int *ja, const int *desca, int *info);
extern void pdpocon_(const char *uplo, const int *n, const double *a,
                     const int *ia, const int *ja, const int *desca,
                     const double *anorm, double *rcond, double *work,
                     const int *lwork, int *iwork, const int *liwork,
                     int *info);
extern void pdpotrs_(const char *uplo, const int *n, const int *nrhs,
                     const double *a, const int *ia, const int *ja,
                     const int *desca, double *b, const int *ib, const int *jb,
                     const int *descb, int *info);

#define SCALAPACK_NB 64              /* block size: ScaLAPACK's usual      */

struct tkc_scalapack_chol {
    MPI_Comm comm;
    int handle, ctxt;                 /* BLACS system handle, grid context  */
    int nprow, npcol, myrow, mycol;
    int n, nb, mp, nq;                /* order, block, local rows and cols  */
    int desca[9], descb[9];
    double *a, *b;                    /* local blocks of the factor, of b   */
    double *work;                     /* pdlansy's and pdpocon's            */
    int *iwork, lwork, liwork;
    int factored;
};

tkc_scalapack_chol *tkc_scalapack_chol_alloc(MPI_Comm comm, int size)
{
    tkc_scalapack_chol *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->comm = comm;
    c->nprow = (int)floor(sqrt((double)size));
    while (size % c->nprow)
        c->nprow--;
    c->npcol = size / c->nprow;
    c->handle = Csys2blacs_handle(comm);
    c->ctxt = c->handle;
    Cblacs_gridinit(&c->ctxt, "Row", c->nprow, c->npcol);
    Cblacs_gridinfo(c->ctxt, &c->nprow, &c->npcol, &c->myrow, &c->mycol);
    return c;
}

void tkc_scalapack_chol_free(tkc_scalapack_chol *c)
{
    if (!c)
        return;
    free(c->a);
    free(c->b);
    free(c->work);
    free(c->iwork);
    Cblacs_gridexit(c->ctxt);
    Cfree_blacs_system_handle(c->handle);
    free(c);
}

/* Workspace of pdlansy ('1') and pdpocon, from their documented bounds. */
static void work_sizes(const tkc_scalapack_chol *c, int *lwork, int *liwork)
{
    int ceil_rc = (c->nprow - 1 + c->npcol - 1) / c->npcol;
    int ceil_cr = (c->npcol - 1 + c->nprow - 1) / c->nprow;
    int a = c->nb * (ceil_rc > 1 ? ceil_rc : 1);
    int b = c->nq + c->nb * (ceil_cr > 1 ? ceil_cr : 1);
    int con = 2 * c->mp + 2 * c->nq + (a > b ? (a > 2 ? a : 2) : b);
    int lan = 2 * c->nq + 2 * c->mp + 2 * c->nb;
    *lwork = (con > lan ? con : lan) + 16;
    *liwork = c->mp + 16;
}

/* Local storage, workspace and descriptors for order n (0 on success). */
static int layout(tkc_scalapack_chol *c, int n, tkc_error *err)
{
    int zero = 0, one = 1, info;
    c->n = n;
    c->nb = n < SCALAPACK_NB ? (n > 0 ? n : 1) : SCALAPACK_NB;
    c->mp = numroc_(&n, &c->nb, &c->myrow, &zero, &c->nprow);
    c->nq = numroc_(&n, &c->nb, &c->mycol, &zero, &c->npcol);
    int lld = c->mp > 1 ? c->mp : 1;
    descinit_(c->desca, &n, &n, &c->nb, &c->nb, &zero, &zero, &c->ctxt, &lld,
              &info);
    if (!info)
        descinit_(c->descb, &n, &one, &c->nb, &c->nb, &zero, &zero, &c->ctxt,
                  &lld, &info);
    if (info)
        return tkc_fail(err, TKC_EINPUT, "scalapack: descinit: argument %d",
                        -info);
    free(c->a);
    free(c->b);
    free(c->work);
    free(c->iwork);
    work_sizes(c, &c->lwork, &c->liwork);
    c->a = malloc((size_t)lld * (size_t)(c->nq > 0 ? c->nq : 1) *
                  sizeof *c->a);
    c->b = malloc((size_t)lld * sizeof *c->b);
    c->work = malloc((size_t)c->lwork * sizeof *c->work);
    c->iwork = malloc((size_t)c->liwork * sizeof *c->iwork);
    c->factored = 0;
    if (!c->a || !c->b || !c->work || !c->iwork)
        return tkc_fail(err, TKC_ENOMEM, "scalapack: cannot allocate this "
                        "rank's %d x %d blocks (%.3g GB)", c->mp, c->nq,
                        (double)lld * c->nq * 8e-9);
    return TKC_SUCCESS;
}

/* Global index of local row (or column) l: block-cyclic over np. */
static size_t global_of(int l, int nb, int me, int np)
{
    return ((size_t)(l / nb) * (size_t)np + (size_t)me) * (size_t)nb +
           (size_t)(l % nb);
}

/* This rank's blocks of K by fill, and shift on the diagonal. */
static int fill_local(tkc_scalapack_chol *c, double shift,
                      tkc_shard_block_fn fill, void *ctx, tkc_error *err)
{
    size_t lld = (size_t)(c->mp > 1 ? c->mp : 1);
    for (int lc = 0; lc < c->nq; lc += c->nb)
        for (int lr = 0; lr < c->mp; lr += c->nb) {
            size_t i0 = global_of(lr, c->nb, c->myrow, c->nprow);
            size_t j0 = global_of(lc, c->nb, c->mycol, c->npcol);
            size_t rows = (size_t)(c->mp - lr < c->nb ? c->mp - lr : c->nb);
            size_t cols = (size_t)(c->nq - lc < c->nb ? c->nq - lc : c->nb);
            double *blk = c->a + (size_t)lr + (size_t)lc * lld;
            int st = fill(ctx, i0, j0, rows, cols, blk, lld, err);
            if (st)
                return st;
            for (size_t k = 0; i0 == j0 && k < rows && k < cols; k++)
                blk[k + k * lld] += shift;          /* a diagonal block */
        }
    return TKC_SUCCESS;
}

int tkc_scalapack_chol_fill(tkc_scalapack_chol *c, size_t n, double shift,
                            tkc_shard_block_fn fill, void *ctx, tkc_error *err)
{
    c->factored = 0;
    if (n > 2147483647u)
        return tkc_fail(err, TKC_ERANGE, "scalapack: n = %zu exceeds int", n);
    int st = c->n == (int)n && c->a ? TKC_SUCCESS : layout(c, (int)n, err);
    return st ? st : fill_local(c, shift, fill, ctx, err);
}

int tkc_scalapack_chol_factor(tkc_scalapack_chol *c, long *pivot, double *anorm,
                           double *rcond, tkc_error *err)
{
    int one = 1, info = 0;
    *anorm = pdlansy_("1", "L", &c->n, c->a, &one, &one, c->desca, c->work);
    pdpotrf_("L", &c->n, c->a, &one, &one, c->desca, &info);
    int st = TKC_SUCCESS;
    if (info > 0) {
        *pivot = info;
    } else if (info < 0) {
        st = tkc_fail(err, TKC_ENUMERIC, "scalapack: pdpotrf: argument %d",
                      -info);
    } else {
        pdpocon_("L", &c->n, c->a, &one, &one, c->desca, anorm, rcond,
                 c->work, &c->lwork, c->iwork, &c->liwork, &info);
        if (info)
            st = tkc_fail(err, TKC_ENUMERIC, "scalapack: pdpocon: info %d",
                          info);
        else
            c->factored = 1;
    }
    return st;
}

int tkc_scalapack_chol_solve(tkc_scalapack_chol *c, double *b, tkc_error *err)
{
    if (!c->factored)
        return tkc_fail(err, TKC_EINPUT, "scalapack: solve before a factor");
    int one = 1, info = 0;
    if (c->mycol == 0)                    /* b's blocks: grid column 0 */
        for (int l = 0; l < c->mp; l++)
            c->b[l] = b[global_of(l, c->nb, c->myrow, c->nprow)];
    pdpotrs_("L", &c->n, &one, c->a, &one, &one, c->desca, c->b, &one, &one,
             c->descb, &info);
    memset(b, 0, (size_t)c->n * sizeof *b);
    if (c->mycol == 0)
        for (int l = 0; l < c->mp; l++)
            b[global_of(l, c->nb, c->myrow, c->nprow)] = c->b[l];
    MPI_Allreduce(MPI_IN_PLACE, b, c->n, MPI_DOUBLE, MPI_SUM, c->comm);
    return info ? tkc_fail(err, TKC_ENUMERIC, "scalapack: pdpotrs: argument "
                           "%d", -info)
                : TKC_SUCCESS;
}
