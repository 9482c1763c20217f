/* spd_ridge.h (internal) — the ridge policy of tkc_spd_solve (spd.c),
 * shared with the structured solve of ridge regression (krr_structured.c),
 * so that both raise the ridge alike and say so in the same words. */
#ifndef TKC_SPD_RIDGE_H
#define TKC_SPD_RIDGE_H

#include <stddef.h>

#define SPD_MAX_ESCALATIONS 40         /* ridge raises before giving up   */
#define SPD_REFINE_STEPS 3             /* refinement steps at most        */

/* The ridge after a failed attempt at `lambda`: max(10 λ, floor), the
 * floor n·eps·max K_ii. */
double tkc_spd_next_ridge(double lambda, double floor_);

/* "WHY; ridge raised from L0 to L in N steps" into note. */
void tkc_spd_ridge_note(char *note, size_t size, const char *why,
                        double lambda0, double lambda, unsigned steps);

#endif
