/* ref_dual.h — the independent reference for the ball tests (test_arb_*):
 * the dual formulas written once more, straight from activation.h, in
 * 1024-bit MPFR (Williams' asin for erf, acos for relu, the product form for
 * cos — not the rearranged forms of dual_arb.c), and the containment check
 * of a ball and of its double box against that reference over an input box.
 *
 * Tightness ("the test fails if a radius is shrunk by 2×"): a ball must
 * contain the reference at every covariance point of the input box that
 * is evaluated, and ref_check_box also records whether the ball shrunk to
 * half its radius (same midpoint) still would.  Two sources make that a
 * real check rather than a vacuous one:
 *   - input boxes with radius: the points include the corners of the box and
 *     the Cauchy–Schwarz edge ±√(ab) at each (a, b) corner, where the range
 *     of a monotone (relu) or nearly linear (cos, erf at small radii) dual
 *     is attained; a ball that is not overestimated by 2× misses one of them
 *     once halved;
 *   - point inputs: the double box's radius is |mid(ball) − mid| + rad(ball)
 *     with rad(ball) far below an ulp, so the reference lies about one
 *     radius from mid; halved, the box misses it unless mid is (nearly)
 *     exact.
 * The reference's own error (2^−1024 relative per operation) is allowed for
 * by widening every ball by 2^−1000 |y| before the containment test. */
#ifndef TKC_TEST_REF_DUAL_H
#define TKC_TEST_REF_DUAL_H

#include <stdint.h>

#include <arb.h>
#include <mpfr.h>

#include "enclosure.h"
#include "tkc/kernel.h"

#define REF_PREC 1024
#define REF_PI 3.14159265358979323846

/* Widest MPFR exponent range: exp(−b1² A) with b1 = 50 and large A. */
void ref_init(void);

/* splitmix64: the tests' own deterministic stream. */
typedef struct ref_rng {
    uint64_t s;
} ref_rng;
double ref_uniform(ref_rng *r);                        /* in [0, 1)     */
double ref_log_uniform(ref_rng *r, double lo, double hi);
/* b1 log-uniform in [5, 50] one time in four ("large b1"), else in
 * [0.01, 5]; b2 uniform in (−π, π). */
void ref_draw_b(ref_rng *r, double *b1, double *b2);

/* A spec with only what the ball kernels read: activation, depth, b1, b2. */
tkc_kernel_spec ref_spec(const tkc_activation_type *act, unsigned depth,
                         double b1, double b2);

/* K := dual_act(A, B, C) at REF_PREC (A, B ≥ 0, C² ≤ AB up to rounding). */
void ref_dual(mpfr_t K, const tkc_activation_type *act, const mpfr_t A,
              const mpfr_t B, const mpfr_t C, double b1, double b2);

/* An input box: coordinate i is the real interval mid[i] ± rad[i]. */
typedef struct ref_box {
    double mid[3], rad[3];
} ref_box;

/* Whether the box holds a covariance (exact comparisons). */
int ref_box_feasible(const ref_box *box);

/* The outcome of checking one ball (and its double box) over an input box.
 * Whether halving a radius CAN lose the reference is a property of the
 * input and its value alone, decided without looking at the ball:
 *   point input  the box's radius is the rounding of mid, and it shows when
 *                the reference is at least 2^-100 of itself away from mid
 *                (not a double up to the 128-bit working precision);
 *   ball input   the ball's radius is the input radius propagated, and it
 *                shows when the reference values over the box spread over
 *                at least 2^-100 of their size;
 * and in both cases only when some value is at least 2^-1000 in size,
 * inside the normal doubles (a box of a value that underflows is 0 ± the
 * least subnormal, which no halving can sharpen).
 * Where it shows, the test asks that the halved ball (point input: the
 * halved double box) misses one reference value. */
typedef struct ref_outcome {
    int points;             /* covariance points evaluated                   */
    int ball_ok;            /* every reference value in the ball             */
    int box_ok;             /* ... in the double box [mid ± rad]             */
    int point;              /* the input box is a point                      */
    int resolvable;         /* halving can lose the reference (see above)    */
    int shrunk_misses;      /* the halved ball (point: box) misses one       */
} ref_outcome;

/* Evaluates the reference at covariance points of the box — its midpoint,
 * corners, the ±√(ab) edges at the (a, b) corners, and `random` uniform
 * points — and checks K and e against them.  diag: the box is one number
 * a (coordinate 0) in all three places, dual_act(a, a, a).  On a failure it
 * prints the point and the values to stderr, labelled `what`. */
void ref_check_box(ref_rng *r, const tkc_activation_type *act, double b1,
                   double b2, const ref_box *box, int diag, int random,
                   const arb_t K, const tkc_enclosure *e, const char *what,
                   ref_outcome *out);

/* The same for a point input whose reference value y is known. */
void ref_check_value(const mpfr_t y, const arb_t K, const tkc_enclosure *e,
                     const char *what, ref_outcome *out);

/* Containment of one reference value (widened by 2^−1000 |y|), in a ball
 * with its radius scaled by 2^scale2 (0: as is, −1: halved), and in a
 * double box scaled likewise. */
int ref_ball_contains(const arb_t K, int scale2, const mpfr_t y);
int ref_box_contains(const tkc_enclosure *e, int scale2, const mpfr_t y);

/* Counts over many inputs, and a one-line summary on stdout. */
typedef struct ref_tally {
    long inputs, points, ball_fail, box_fail, resolvable, shrunk_misses;
} ref_tally;
void ref_tally_add(ref_tally *t, const ref_outcome *o);
/* shrunk_misses / resolvable (1 when nothing is resolvable). */
double ref_tally_tightness(const ref_tally *t);
void ref_tally_print(const char *what, const ref_tally *t);

#endif
