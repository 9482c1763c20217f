/* progress.h (internal) — reporting through a caller's tkc_progress
 * (tkc/progress.h): stages, counted stages, and stages nested inside an
 * outer one (progress.c).  Every function does nothing when the progress
 * is NULL, without formatting its text. */
#ifndef TKC_PROGRESS_INTERNAL_H
#define TKC_PROGRESS_INTERNAL_H

#include <stdint.h>

#include "tkc/progress.h"

#define TKC_PROGRESS_STAGE_MAX 256

/* One report: the stage (printf-style; integers only, see tkc/progress.h)
 * at done of total. */
void tkc_progress_stage(const tkc_progress *p, uint64_t done, uint64_t total,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A counted stage: begin reports done = 0; step(done) reports when the
 * count has moved by 1/256 of the total since the last report, and always
 * at done = total. */
typedef struct tkc_progress_count {
    const tkc_progress *p;
    uint64_t total, next;
    char stage[TKC_PROGRESS_STAGE_MAX];
} tkc_progress_count;

void tkc_progress_count_begin(tkc_progress_count *c, const tkc_progress *p,
                              uint64_t total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tkc_progress_count_step(tkc_progress_count *c, uint64_t done);

/* A stage that holds others: the progress returned reports each inner
 * stage to `outer` as "prefix: stage".  It lives in *n (the caller's, as
 * long as the inner calls run); NULL when outer is NULL. */
typedef struct tkc_progress_nest {
    tkc_progress self;
    const tkc_progress *outer;
    char prefix[TKC_PROGRESS_STAGE_MAX];
} tkc_progress_nest;

const tkc_progress *tkc_progress_nest_in(tkc_progress_nest *n,
                                         const tkc_progress *outer,
                                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
