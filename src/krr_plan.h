/* krr_plan.h (internal) — the plan of a fit (krr_plan.c): which solve,
 * dense or structured, by predicted cost and memory, and why (the public
 * figures are tkc_krr_plan, tkc/krr.h). */
#ifndef TKC_KRR_PLAN_H
#define TKC_KRR_PLAN_H

#include "tkc/krr.h"

#include "krr_gram.h"
#include "krr_structured.h"

/* The plan of a fit through gram g (strings of set) into p; *s receives
 * the structured solver, set up for the solve, when it is the choice (and
 * only then; krr_structured_free it).  The dense path is shared by procs
 * processes (krr_dense_shard.h; 1: this one alone): its bytes and flops
 * are one process's share.  TKC_ENOMEM when no path fits the budget (the
 * plan's reason in the message). */
int krr_plan_fit(tkc_krr_gram *g, const tkc_template_set *set,
                 const tkc_krr_options *o, int procs, tkc_krr_plan *p,
                 krr_structured **s, tkc_error *err);

/* The plan of a fit of n strings without a template set: dense, the only
 * path.  TKC_EINPUT when o asks for the structured one, TKC_ENOMEM when the
 * dense one does not fit the budget. */
int krr_plan_general(size_t n, const tkc_krr_options *o, tkc_krr_plan *p,
                     tkc_error *err);

#endif
