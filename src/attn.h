/* attn.h (internal) — K_attn in its generative form, shared by every estimator.
 *
 *   K_attn(x, y) = E[ smax(β u)ᵀ (XYᵀ + γ² I) smax(β v) ],
 *   u_a = ζ_{x_a} + γ p_a,   v_b = ζ_{y_b} + γ p_b,
 *
 * with one N(0, 1) variable ζ_t per distinct token and one N(0, 1) variable
 * p_a per position, shared by u and v.  A *layout* fixes, for a
 * list of pairs over a list of strings, which Gaussian coordinate each
 * position reads: one draw z = (p_0 .. p_{k-1}, ζ_0 .. ζ_{T-1}) serves every
 * pair and self term at once (common random numbers), and each distinct
 * string's softmax is computed once per draw.  Coordinates: the k positions
 * first, then tokens in order of first appearance (pair order, x before y),
 * so that low-discrepancy rules give their best coordinates to the variables
 * shared by the most entries. */
#ifndef TKC_ATTN_H
#define TKC_ATTN_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"
#include "tkc/pattern.h"
#include "progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The sampling estimators' hot loops, on x86-64 with GCC, are compiled for
 * the baseline, AVX2 + FMA (x86-64-v3) and AVX-512 (v4), and the loader
 * picks (attn.c's integrand and outer products).  With TKC_HOT_CLONES the
 * clones' digits may differ between machines in the last bits (library
 * calls, vector widths), never between runs or thread counts on one.
 * TKC_HOT_CLONES_UNFUSED also forbids fusing a*b + c into one rounding,
 * whatever the flags (ISO C17, tkc's mode, does not fuse; GNU C's default
 * does): for a loop of products and sums in a fixed order, the same digits
 * on every x86-64.  A cloned function must be static (GCC exports the
 * ifunc of a non-static one whatever the visibility). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define TKC_HOT_CLONES                                                   \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",     \
                                 "default")))
#define TKC_HOT_CLONES_UNFUSED                                           \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",     \
                                 "default"),                             \
                   optimize("fp-contract=off")))
#endif
#endif
#ifndef TKC_HOT_CLONES
#define TKC_HOT_CLONES
#define TKC_HOT_CLONES_UNFUSED
#endif

/* The upper triangle of Σ_r g_r g_rᵀ over the nb rows of G (nb × np,
 * row-major) added into c: packed by rows (row i holds j = i .. np − 1,
 * mc's partial sums), or, packed = 0, np × np row-major with the part
 * j >= i used (cvmc's).  Each entry gets its additions in row order, as
 * adding one row's products at a time would: the same digits, but each
 * row of c is read once per batch instead of once per sample, and the
 * loop is vectorized (TKC_HOT_CLONES_UNFUSED: the same digits on every
 * x86-64).  For a few hundred entries sample by sample this was most of
 * the estimator's time. */
void tkc_attn_add_outer_products(double *c, int packed, const double *G,
                                 size_t nb, size_t np);

/* A sampling estimator's counted stage (progress.h), in integrand
 * evaluations: "K_attn mc, 820 patterns". */
void tkc_attn_count_begin(tkc_progress_count *c, const tkc_progress *p,
                          const char *estimator, size_t np,
                          uint64_t evaluations);

typedef struct tkc_attn_layout tkc_attn_layout;
typedef struct tkc_attn_work tkc_attn_work;

/* Layout of `npairs` pairs of S (indices checked; EINPUT names the pair).
 * β and γ must be finite. */
tkc_attn_layout *tkc_attn_layout_alloc(const tkc_strings *S,
                                       const tkc_pair *pairs, size_t npairs,
                                       double beta, double gamma,
                                       tkc_error *err);
void tkc_attn_layout_free(tkc_attn_layout *L);

size_t tkc_attn_layout_dim(const tkc_attn_layout *L);     /* k + ntokens  */
size_t tkc_attn_layout_k(const tkc_attn_layout *L);
size_t tkc_attn_layout_ntokens(const tkc_attn_layout *L);
size_t tkc_attn_layout_npairs(const tkc_attn_layout *L);
/* Exact value of pair i at β = 0 (see tkc_attn_beta0). */
double tkc_attn_layout_beta0(const tkc_attn_layout *L, size_t i);
/* The range pair i's K_attn lies in (see tkc_attn_bounds). */
void tkc_attn_layout_bounds(const tkc_attn_layout *L, size_t i, double *lo,
                            double *hi);

/* The layout's own tables, for an estimator that computes more than the
 * integrand from the same draws (cvmc's control variate).  The distinct
 * strings among the pairs, numbered in order of first appearance: */
size_t tkc_attn_layout_nstrings(const tkc_attn_layout *L);
/* string s's k coordinates of ζ (each >= k: the token's coordinate), and
 * the distinct-token slot of each position (numbered in order of first
 * appearance in the string); */
const int *tkc_attn_layout_coords(const tkc_attn_layout *L, size_t s);
const int *tkc_attn_layout_slots(const tkc_attn_layout *L, size_t s);
/* pair i's two strings (*sx, *sy), and the slot pairs (mx[m], my[m]) that
 * hold equal tokens, one per shared token; returns their number. */
size_t tkc_attn_layout_pair(const tkc_attn_layout *L, size_t i, size_t *sx,
                            size_t *sy, const int **mx, const int **my);

/* Scratch space for one thread evaluating the integrand. */
tkc_attn_work *tkc_attn_work_alloc(const tkc_attn_layout *L, tkc_error *err);
void tkc_attn_work_free(tkc_attn_work *w);

/* The integrand at one draw z (tkc_attn_layout_dim coordinates, standard
 * normal each): f[i] = smax(β u)ᵀ (XYᵀ + γ² I) smax(β v) for pair i. */
void tkc_attn_integrand(const tkc_attn_layout *L, tkc_attn_work *w,
                        const double *z, double *f);
/* Both antithetic points at once: fplus at z, fminus at -z.  Cheaper than
 * two calls: exp(-βu) is taken as 1 / exp(βu) when that is safe. */
void tkc_attn_integrand_antithetic(const tkc_attn_layout *L,
                                   tkc_attn_work *w, const double *z,
                                   double *fplus, double *fminus);

/* exp(x) for x ≤ 0 as the integrand computes it (branch-free, a few ulp;
 * arguments below -708 give exp(-708)).  Exposed for tests. */
double tkc_exp_nonpos(double x);

/* The antithetic integrand for nb draws at once (nb ≤ tkc_attn_work_batch):
 * Z holds the draws row by row (nb × dim), fplus and fminus receive
 * nb × npairs values row by row.  Same numbers as nb single calls up to
 * rounding (the last bits can differ when a logit spread exceeds 708),
 * faster. */
void tkc_attn_integrand_antithetic_batch(const tkc_attn_layout *L,
                                         tkc_attn_work *w, size_t nb,
                                         const double *Z, double *fplus,
                                         double *fminus);
/* The same without the copy of the draws: the caller writes them into
 * tkc_attn_work_draws(w) coordinate by coordinate (coordinate d of draw i
 * at [d * nb + i], dim × nb in all) and calls the _drawn form. */
double *tkc_attn_work_draws(tkc_attn_work *w);
void tkc_attn_integrand_antithetic_drawn(const tkc_attn_layout *L,
                                         tkc_attn_work *w, size_t nb,
                                         double *fplus, double *fminus);
/* Largest batch a workspace takes (at least 1). */
size_t tkc_attn_work_batch(const tkc_attn_work *w);

/* Exact K_attn at β = 0 (uniform softmax):
 * #{(a, b) : x_a = y_b} / k² + γ² / k.  Rounding error only. */
double tkc_attn_beta0(const tkc_token *x, const tkc_token *y, size_t k,
                      double gamma);

/* The range K_attn(x, y) lies in, for every β: the integrand is
 * smax(βu)ᵀ M smax(βv) with M = XYᵀ + γ² I, a bilinear form on two
 * probability vectors, so it lies between the least and the largest entry
 * of M (M_ab = 1(x_a = y_b) + γ² 1(a = b)): within [0, 1 + γ²], and
 * tighter when, e.g., every token is shared ([1, 1 + γ²] for x = y =
 * "aa").  So does its mean, and so must every estimate. */
void tkc_attn_bounds(const tkc_token *x, const tkc_token *y, size_t k,
                     double gamma, double *lo, double *hi);
/* The range check of every estimate: a value outside [lo, hi] by rounding
 * only (a few hundred ulps) is moved to the bound and 1 returned; 0 when
 * it is outside by more: an impossible value. */
int tkc_attn_clamp_to_bounds(double *value, double lo, double hi);
/* That check on every entry of out (laid out by L); returns the first
 * entry outside its range, npairs when none. */
size_t tkc_attn_range_check(const tkc_attn_layout *L, tkc_kernel_values *out);
/* The check of an estimator whose entries are means of integrand values
 * (mc, qmc), which cannot leave the range but by a numerical failure:
 * TKC_ERANGE naming the estimator, the entry, its value and its range. */
int tkc_attn_range_require(const char *estimator, const tkc_attn_layout *L,
                           tkc_kernel_values *out, tkc_error *err);

/* The exact shortcuts every estimator uses first: when β = 0 or k = 1
 * (softmax of one element is 1: K = 1(x = y) + γ²) fill out with the exact
 * values (se from rounding, covariance 0, samples 0, error kind ROUNDING)
 * and return 1; return 0 when no shortcut applies. */
int tkc_attn_exact_shortcut(const tkc_kernel_spec *spec, const tkc_strings *S,
                            const tkc_pair *pairs, size_t npairs,
                            tkc_kernel_values *out);

/* Shared argument checks of the K_attn estimators: spec valid, S non-empty,
 * pair indices in range, out sized for npairs.  EINPUT names what. */
int tkc_attn_check_args(const tkc_kernel_spec *spec, const tkc_strings *S,
                        const tkc_pair *pairs, size_t npairs,
                        const tkc_kernel_values *out, tkc_error *err);

/* The prologue every K_attn estimator shares: check the arguments and the
 * estimator's own options, name the estimator in out, and answer exactly
 * when a shortcut applies (no pairs, β = 0, k = 1).  Returns a status;
 * *answered is set when out is already filled and the estimator has nothing
 * left to do. */
int tkc_attn_estimator_begin(const tkc_attn_estimator_type *type,
                             const tkc_kernel_spec *spec, const tkc_strings *S,
                             const tkc_pair *pairs, size_t npairs,
                             tkc_kernel_values *out, int *answered,
                             tkc_error *err);

/* The first table optimal truncation computes (β^8), then 12, 16, ... */
#define TKC_ATTN_SERIES_FIRST_ORDER 8

/* The series estimator on one pair (what `--estimator series` does per
 * pair, attn_series.c): optimal truncation with spec->series.order = 0
 * (tables grow until the estimate is below goal, within a cost budget),
 * else the fixed order; TKC_ERANGE, with a message naming the estimator to
 * use instead, when β is outside the range where the series is useful.
 * units_left (nullable): the tables' cost it may spend, in tkc_series_cost
 * units, decreased by what it spends; TKC_ERANGE when the first table
 * alone is over it (a longer table over it is not computed). */
int tkc_attn_series_pair(const tkc_kernel_spec *spec, double goal,
                         double *units_left, const tkc_token *x,
                         const tkc_token *y, size_t k, double *value,
                         double *se, int *order_used, tkc_error *err);

/* What auto did (attn_auto.c), in its cost model's seconds: the run its
 * budget allows, and what its trials cost — the pilots, and a series
 * attempt it dropped (at most a tenth of the former); whether the series
 * was tried. */
enum { TKC_ATTN_AUTO_SERIES_NOT_TRIED = 0, TKC_ATTN_AUTO_SERIES_DROPPED,
       TKC_ATTN_AUTO_SERIES_USED };
typedef struct tkc_attn_auto_report {
    double run_allowed;
    double trials;
    int series;
} tkc_attn_auto_report;

/* The evaluations auto's run may spend on a list of `entries` entries:
 * spec->automatic.max_evals, times TKC_ATTN_AUTO_ENTRIES_FULL / entries
 * when the list is longer (at least 4). */
#define TKC_ATTN_AUTO_ENTRIES_FULL 1024
uint64_t tkc_attn_auto_budget(const tkc_kernel_spec *spec, size_t entries);

/* The auto estimator, with its report (nullable). */
int tkc_attn_auto_eval(const tkc_kernel_spec *spec, const tkc_strings *S,
                       const tkc_pair *pairs, size_t np,
                       tkc_kernel_values *out, tkc_attn_auto_report *rep,
                       tkc_error *err);

/* The pieces of the sampling estimators' scale and raise_to: a sample size
 * n times factor (truncated), and n raised to floor. */
static inline uint64_t tkc_attn_size_scaled(uint64_t n, double factor)
{
    return (uint64_t)((double)n * factor);
}
static inline uint64_t tkc_attn_size_raised(uint64_t n, uint64_t floor)
{
    return n < floor ? floor : n;
}

/* The sample-size functions of an estimator whose options NAME hold
 * `samples` integrand evaluations drawn in antithetic pairs (mc, and cvmc,
 * which is mc with a control variate): NAME_evaluations (an odd count
 * rounds up to a whole pair), NAME_scale and NAME_raise_to, static, for
 * its type table. */
#define TKC_ATTN_ANTITHETIC_SAMPLES(NAME)                                    \
    static uint64_t NAME##_evaluations(const tkc_kernel_spec *spec)          \
    {                                                                        \
        return spec->NAME.samples + spec->NAME.samples % 2;                  \
    }                                                                        \
    static void NAME##_scale(tkc_kernel_spec *spec, double factor)           \
    {                                                                        \
        spec->NAME.samples =                                                 \
            tkc_attn_size_scaled(NAME##_evaluations(spec), factor);          \
    }                                                                        \
    static void NAME##_raise_to(tkc_kernel_spec *spec,                       \
                                const tkc_kernel_spec *floor)                \
    {                                                                        \
        spec->NAME.samples =                                                 \
            tkc_attn_size_raised(spec->NAME.samples, floor->NAME.samples);   \
    }

/* An estimator's option check: value in lo .. hi, else EINPUT
 * "K_attn <estimator>: <field> must be in lo..hi, got value". */
int tkc_attn_check_option(const char *estimator, const char *field,
                          uint64_t value, uint64_t lo, uint64_t hi,
                          tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
