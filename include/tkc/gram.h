/* tkc/gram.h — the Gram matrix of lists of strings (gram.c):
 *
 *     K_ij = K(x_i, y_j),   i < |X|,  j < |Y|,
 *
 * with the error radius of every entry.  Every kernel here is
 * token-symmetric, so K(x, y) depends only on the canonical unordered
 * pattern of the pair (tkc/pattern.h): each distinct pattern is evaluated
 * once, one representative pair per pattern, and all of them in ONE
 * tkc_kernel_eval_pairs call.  Monte Carlo entries therefore share their
 * random numbers (common random numbers), as N's entries do, and equal
 * patterns get equal values exactly.  Kernel ridge regression's general
 * path (tkc/krr.h) builds its K̂ the same way, with the same digits, and
 * this is what the Python module's tkc.gram returns.
 *
 * Digits: the patterns are numbered in the order the matrix is walked
 * (below) and the kernel sees only their representatives, so the values
 * depend on the strings only through their patterns: relabelling the
 * tokens of all strings gives the same digits, and a 1 × 1 matrix has the
 * digits of tkc_kernel_eval on its pair.  A list with other patterns, or
 * the same ones in another order, draws other random numbers (another
 * estimate, as accurate).  Cost: O(|X|·|Y|·k) for the patterns, plus the
 * kernel call on the distinct ones. */
#ifndef TKC_GRAM_H
#define TKC_GRAM_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one kernel call a Gram matrix is made of. */
typedef struct tkc_gram_info {
    size_t npatterns;          /* distinct unordered patterns evaluated      */
    double se_max;             /* the largest error radius of an entry       */
    tkc_error_kind error_kind; /* what the radii mean                        */
    char estimator[32];        /* the estimator actually used (`auto` names
                                  its choice), or the kernel's name for the
                                  closed forms                               */
    uint64_t samples;          /* integrand evaluations; 0 for closed forms  */
    char note[TKC_KERNEL_NOTE_MAX]; /* the kernel layer's note               */
} tkc_gram_info;

/* K (|X| × |Y|, row-major: K[i·|Y| + j]) and se (nullable, the same
 * layout: each entry's error radius, of kind info->error_kind) for spec's
 * kernel.  Y = NULL means Y = X: K is symmetric, each unordered pair is
 * walked once (column by column, the lower triangle: j, then i >= j) and
 * both triangles are filled.  Otherwise the walk is column by column,
 * j over Y, then i over X.  X and Y must hold strings of one length
 * (1 .. TKC_K_MAX) and at least one string each.  info (nullable)
 * describes the kernel call.  TKC_EINPUT for bad strings or spec,
 * TKC_ENOMEM, TKC_ENUMERIC when the kernel gives a non-finite value. */
TKC_API int tkc_gram_matrix(const tkc_kernel_spec *spec, const tkc_strings *X,
                            const tkc_strings *Y, double *K, double *se,
                            tkc_gram_info *info, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
