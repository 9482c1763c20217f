/* tkc/progress.h — how far a long call has got: a function the caller
 * gives, which the library calls as the work goes (progress.c).
 *
 * Set tkc_kernel_spec.progress (tkc/kernel.h) and every call that takes
 * the spec reports through it: kernel values and Gram matrices (the K_attn
 * estimators' sampling, the series' patterns), N and its verdict (each
 * auto-refine round, the certificate, the figures beside the verdict, the
 * generic verdict's coefficients).  `report` is called
 *   - on the thread that made the library call, never from the library's
 *     worker threads, and never twice at once for one call;
 *   - with `stage`, what is being done now, outermost first, its parts
 *     joined by ": " ("round 2 of at most 5: K_attn mc, 3240 patterns");
 *     integers only, so the text is the same in every locale;
 *   - with `done` of `total` units of that stage (its own units: integrand
 *     evaluations, patterns, rows), total 0 when the stage has no count.
 *     A counted stage reports done = 0 as it begins and done = total as it
 *     ends, and at most about 256 times in between: rarely enough that a
 *     report costs nothing beside the work, often enough for a time left.
 * Results never depend on it; NULL (the default) reports nothing.  The
 * function must be quick and must not call back into libtkc with the
 * spec it is reporting on. */
#ifndef TKC_PROGRESS_H
#define TKC_PROGRESS_H

#include <stdint.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*tkc_progress_fn)(void *ctx, const char *stage, uint64_t done,
                                uint64_t total);

typedef struct tkc_progress {
    tkc_progress_fn report;
    void *ctx;
} tkc_progress;

#ifdef __cplusplus
}
#endif
#endif
