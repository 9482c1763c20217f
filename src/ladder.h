/* ladder.h (internal) — the precision ladder of σ_min (ladder.c).
 *
 * σ_min of a matrix of exact doubles at 53, 128, 256 and 512 bits and the
 * trend: stable (the σ_min is the matrix's) or shrinking with the precision
 * (rounding noise: the matrix is numerically singular).  A diagnostic for
 * people, not a proof; the proofs are tkc/certify.h's.  Reentrant. */
#ifndef TKC_LADDER_H
#define TKC_LADDER_H

#include <stddef.h>
#include <mpfr.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TKC_LADDER_RUNGS 4
typedef enum tkc_ladder_trend {
    TKC_LADDER_STABLE = 0,    /* σ_min at 256 and 512 bits agree to 1e-10      */
    TKC_LADDER_SHRINKING,     /* σ_min(512) < 2^-64 σ_min(256): it is rounding
                                 noise; the midpoint is (numerically) singular */
    TKC_LADDER_UNCLEAR
} tkc_ladder_trend;

typedef struct tkc_sigma_ladder {
    mpfr_prec_t prec[TKC_LADDER_RUNGS];      /* 53, 128, 256, 512 */
    double sigma_min[TKC_LADDER_RUNGS];      /* rounded to double          */
    char sigma_min_text[TKC_LADDER_RUNGS][32]; /* decimal, any exponent      */
    double sigma_max;                        /* at 512 bits                */
    tkc_ladder_trend trend;
    char text[256];                          /* e.g. "stable: 1.2e-3 at ..." */
} tkc_sigma_ladder;

/* σ_min of the r×r midpoint (exact doubles) by one-sided Jacobi at 53, 128,
 * 256 and 512 bits (tkc_mpmat_singular_values), and the trend.  Cost grows
 * as r³ (about 2.5 s for r = 64 on one core, mostly the 512-bit rung), so
 * callers may want it behind an option for large r. */
int tkc_certify_ladder(tkc_sigma_ladder *lad, size_t r, const double *mid,
                       tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
