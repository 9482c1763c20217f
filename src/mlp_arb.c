/* mlp_arb.c — the MLP kernels as balls: exact input Gram rationals, then the
 * dual recursion in Arb (tkc/dual_arb.h).  Definitions: tkc/mlp.h; what is
 * enclosed and how: tkc/mlp_arb.h. */
#include "mlp_arb.h"

#include "dual_arb.h"
#include "mlp.h"

/* The recursion; `self` says that A0, B0, C0 enclose one and the same
 * number, so every level is the diagonal form of A alone. */
static int recursion(arb_t K, const tkc_activation_type *act,
                     const tkc_kernel_spec *spec, unsigned depth,
                     const arb_t A0, const arb_t B0, const arb_t C0, int self,
                     slong prec, tkc_error *err)
{
    arb_t A, B, C, t;
    arb_init(A), arb_init(B), arb_init(C), arb_init(t);
    arb_set(A, A0);
    arb_set(B, self ? A0 : B0);
    arb_set(C, self ? A0 : C0);
    int rc = TKC_SUCCESS;
    for (unsigned l = 0; l < depth && !rc; l++) {
        rc = tkc_dual_arb_diag(t, act, A, spec, prec, err);
        if (!rc && self) {
            arb_set(A, t);
            arb_set(B, t);
            arb_set(C, t);
            continue;
        }
        if (!rc)
            rc = tkc_dual_arb(C, act, A, B, C, spec, prec, err);
        if (!rc)
            rc = tkc_dual_arb_diag(B, act, B, spec, prec, err);
        arb_swap(A, t);
    }
    if (!rc)
        arb_swap(K, C);
    arb_clear(A), arb_clear(B), arb_clear(C), arb_clear(t);
    return rc;
}

int tkc_mlp_arb_recursion(arb_t K, const tkc_activation_type *act,
                          const tkc_kernel_spec *spec, unsigned depth,
                          const arb_t A0, const arb_t B0, const arb_t C0,
                          slong prec, tkc_error *err)
{
    if (!act)
        return tkc_fail(err, TKC_EINPUT, "MLP ball kernel: no activation given");
    return recursion(K, act, spec, depth, A0, B0, C0, 0, prec, err);
}

static int check_args(const tkc_kernel_spec *spec, size_t k, tkc_error *err)
{
    if (!spec || !spec->activation)
        return tkc_fail(err, TKC_EINPUT,
                        "MLP ball kernel: spec has no activation");
    if (k == 0)
        return tkc_fail(err, TKC_EINPUT, "MLP ball kernel: strings are empty");
    return TKC_SUCCESS;
}

/* x := num / den, rounded to a ball at prec. */
static void ratio(arb_t x, unsigned long num, unsigned long den, slong prec)
{
    arb_set_ui(x, num);
    arb_div_ui(x, x, den, prec);
}

/* Grams from numerators over one denominator; equal numerators mean equal
 * values, which is when the diagonal form applies. */
static int from_grams(arb_t K, const tkc_kernel_spec *spec, unsigned long a,
                      unsigned long b, unsigned long c, unsigned long den,
                      slong prec, tkc_error *err)
{
    arb_t A, B, C;
    arb_init(A), arb_init(B), arb_init(C);
    ratio(A, a, den, prec);
    ratio(B, b, den, prec);
    ratio(C, c, den, prec);
    int rc = recursion(K, spec->activation, spec, spec->mlp_depth, A, B, C,
                       a == b && a == c, prec, err);
    arb_clear(A), arb_clear(B), arb_clear(C);
    return rc;
}

int tkc_mlp_arb_onehot(arb_t K, const tkc_kernel_spec *spec,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       slong prec, tkc_error *err)
{
    int rc = check_args(spec, k, err);
    if (rc)
        return rc;
    return from_grams(K, spec, k, k, tkc_onehot_matches(x, y, k), k, prec,
                      err);
}

/* ½ (m/k + r/k²) = (k m + r) / (2k²). */
static unsigned long xx_numerator(const tkc_token *x, const tkc_token *y,
                                  size_t k)
{
    return (unsigned long)k * tkc_onehot_matches(x, y, k) +
           tkc_incidence_inner(x, y, k);
}

int tkc_mlp_arb_xx(arb_t K, const tkc_kernel_spec *spec, const tkc_token *x,
                   const tkc_token *y, size_t k, slong prec, tkc_error *err)
{
    int rc = check_args(spec, k, err);
    if (rc)
        return rc;
    return from_grams(K, spec, xx_numerator(x, x, k), xx_numerator(y, y, k),
                      xx_numerator(x, y, k), 2 * (unsigned long)k * k, prec,
                      err);
}

int tkc_mlp_arb_enclose_pairs(tkc_mlp_arb_fn f, const tkc_kernel_spec *spec,
                              const tkc_strings *S, const tkc_pair *pairs,
                              size_t npairs, slong prec, tkc_enclosure *out,
                              tkc_error *err)
{
    arb_t K;
    arb_init(K);
    int rc = TKC_SUCCESS;
    for (size_t p = 0; p < npairs && !rc; p++) {
        if (pairs[p].x >= S->count || pairs[p].y >= S->count) {
            rc = tkc_fail(err, TKC_EINPUT,
                          "MLP ball kernel: pair %zu refers to string %zu of %zu",
                          p, pairs[p].x > pairs[p].y ? pairs[p].x : pairs[p].y,
                          S->count);
            break;
        }
        rc = f(K, spec, tkc_strings_row(S, pairs[p].x),
               tkc_strings_row(S, pairs[p].y), S->k, prec, err);
        if (!rc)
            rc = tkc_enclosure_set_arb(&out[p], K, TKC_EVIDENCE_PROOF, err);
    }
    arb_clear(K);
    return rc;
}
