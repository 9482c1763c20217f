/* progress.c — reporting through a caller's tkc_progress (progress.h).
 *
 * Stage texts are cut at TKC_PROGRESS_STAGE_MAX bytes; they are messages
 * for a person, and a cut one still says what runs.  A cut never leaves
 * half a UTF-8 character (β, ≤ appear in stages). */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STEPS 256               /* reports per counted stage, at most    */

/* vsnprintf, then drop a last character that the cut left incomplete. */
static void format_stage(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (n < 0) {
        buf[0] = '\0';
        return;
    }
    if ((size_t)n < size)
        return;
    size_t len = size - 1, start = len;
    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)buf[--start];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (start + need > len)
        buf[start] = '\0';
}

static void print_stage(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_stage(buf, size, fmt, ap);
    va_end(ap);
}

void tkc_progress_stage(const tkc_progress *p, uint64_t done, uint64_t total,
                        const char *fmt, ...)
{
    if (!p || !p->report)
        return;
    char stage[TKC_PROGRESS_STAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_stage(stage, sizeof stage, fmt, ap);
    va_end(ap);
    p->report(p->ctx, stage, done, total);
}

void tkc_progress_count_begin(tkc_progress_count *c, const tkc_progress *p,
                              uint64_t total, const char *fmt, ...)
{
    c->p = p && p->report ? p : NULL;
    c->total = total;
    c->next = 0;
    c->stage[0] = '\0';
    if (!c->p)
        return;
    va_list ap;
    va_start(ap, fmt);
    format_stage(c->stage, sizeof c->stage, fmt, ap);
    va_end(ap);
    tkc_progress_count_step(c, 0);
}

void tkc_progress_count_step(tkc_progress_count *c, uint64_t done)
{
    if (!c->p || (done < c->next && done < c->total))
        return;
    c->p->report(c->p->ctx, c->stage, done, c->total);
    /* the next report once the count has moved by total/STEPS */
    uint64_t step = c->total / STEPS;
    c->next = done + (step ? step : 1);
}

static void nested_report(void *ctx, const char *stage, uint64_t done,
                          uint64_t total)
{
    const tkc_progress_nest *n = ctx;
    char full[2 * TKC_PROGRESS_STAGE_MAX];
    print_stage(full, sizeof full, "%s: %s", n->prefix, stage);
    n->outer->report(n->outer->ctx, full, done, total);
}

const tkc_progress *tkc_progress_nest_in(tkc_progress_nest *n,
                                         const tkc_progress *outer,
                                         const char *fmt, ...)
{
    if (!outer || !outer->report)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    format_stage(n->prefix, sizeof n->prefix, fmt, ap);
    va_end(ap);
    n->outer = outer;
    n->self.report = nested_report;
    n->self.ctx = n;
    return &n->self;
}
