/* mpmat.h (internal) — dense MPFR matrices: LU, determinant, inverse, singular
 * values, condition number, at an explicit precision.
 *
 * Storage is row-major; every entry is an mpfr_t of the matrix's precision
 * (bits).  Setting from doubles is exact when prec >= 53.
 *
 * Rounding: every arithmetic operation in this file rounds to nearest
 * (MPFR_RNDN) at the matrix precision, so results are *approximations*
 * (accurate ones: forward errors of order cond·2^-prec), never bounds.
 * Rigorous statements (certified nonsingularity, proved lower bounds on
 * σ_min) are made in certify.h, with directed rounding.
 *
 * MPFR numbers have an exponent range of about ±2^30 bits, so a determinant
 * like 1e-339 (a 64×64 kernel matrix) is an ordinary value here; print it
 * with tkc_mpfr_snprint (decimal) or split it with mpfr_get_d_2exp
 * (mantissa in [0.5, 1) and a binary exponent), never through a double. */
#ifndef TKC_MPMAT_H
#define TKC_MPMAT_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include <mpfr.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_mpmat {
    size_t rows, cols;
    mpfr_prec_t prec;
    mpfr_t *data;          /* rows*cols entries, row-major */
} tkc_mpmat;

/* Entry (i, j) as an mpfr_ptr (no bounds check). */
#define TKC_MPMAT(m, i, j) ((m)->data[(size_t)(i) * (m)->cols + (size_t)(j)])

/* A rows×cols matrix of zeros at prec bits (MPFR_PREC_MIN..MPFR_PREC_MAX);
 * NULL with TKC_EINPUT / TKC_ENOMEM on failure. */
tkc_mpmat *tkc_mpmat_alloc(size_t rows, size_t cols, mpfr_prec_t prec,
                           tkc_error *err);
void tkc_mpmat_free(tkc_mpmat *m);

/* m = a, where a is rows×cols row-major with leading dimension lda
 * (lda >= cols).  Exact when m->prec >= 53.  TKC_EINPUT if an entry is not
 * finite (naming it). */
int tkc_mpmat_set_d(tkc_mpmat *m, const double *a, size_t lda,
                    tkc_error *err);
/* a = m rounded to nearest doubles (overflow -> ±inf, underflow -> 0). */
void tkc_mpmat_get_d(const tkc_mpmat *m, double *a, size_t lda);
void tkc_mpmat_set_identity(tkc_mpmat *m);
/* dst = src (same shape; rounded to nearest if dst->prec < src->prec). */
int tkc_mpmat_copy(tkc_mpmat *dst, const tkc_mpmat *src, tkc_error *err);
/* c = a·b, each entry a correctly rounded (RNDN) dot product. c must not
 * alias a or b. */
int tkc_mpmat_mul(tkc_mpmat *c, const tkc_mpmat *a, const tkc_mpmat *b,
                  tkc_error *err);

/* In-place LU with partial pivoting of a square matrix, GSL convention:
 * P·A = L·U with L unit lower (below the diagonal) and U upper (on and
 * above); perm[i] = the original row now in row i; *signum = sign of P.
 * Never fails on singular input: a column with no nonzero pivot is skipped
 * and U gets an exact zero on its diagonal.  Returns TKC_EINPUT if the
 * matrix is not square. */
int tkc_mpmat_lu_decomp(tkc_mpmat *a, size_t *perm, int *signum,
                        tkc_error *err);

/* det(A) via LU at a->prec, rounded to nearest into det (whatever det's
 * precision).  Exactly 0 when a pivot is exactly 0.  a is not modified. */
int tkc_mpmat_det(mpfr_t det, const tkc_mpmat *a, tkc_error *err);

/* inv = A^{-1} via LU at a->prec (inv may have another precision; no
 * aliasing).  TKC_ENUMERIC if a pivot is exactly zero (A singular at this
 * precision). */
int tkc_mpmat_inv(tkc_mpmat *inv, const tkc_mpmat *a, tkc_error *err);

/* Singular values of A (m×n, any shape) by one-sided Jacobi (Hestenes) at
 * a->prec: s[0] >= s[1] >= ... >= s[min(m,n)-1] >= 0, rounded to nearest
 * into the caller-initialized s[k] (any precision).  Sweeps until every
 * pair of columns is orthogonal to relative 2^-(prec-8) (at most 80
 * sweeps; TKC_ENUMERIC if that does not converge). */
int tkc_mpmat_singular_values(mpfr_t *s, const tkc_mpmat *a, tkc_error *err);

/* 2-norm condition number σ_max/σ_min from the Jacobi singular values;
 * +inf when σ_min is exactly 0. */
int tkc_mpmat_cond2(mpfr_t cond, const tkc_mpmat *a, tkc_error *err);

/* x as decimal text with `digits` significant digits, e.g. "1.2346e-339"
 * (any exponent; "0", "inf", "nan" as such).  Returns snprintf's count. */
int tkc_mpfr_snprint(char *buf, size_t size, const mpfr_t x, int digits);

#ifdef __cplusplus
}
#endif
#endif
