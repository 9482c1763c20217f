/* mlp_arb.c — the MLP kernels as balls: exact input Gram rationals, then the
 * dual recursion in Arb (dual_arb.h).  Definitions: mlp.h; what is
 * enclosed and how: mlp_arb.h. */
#include "mlp_arb.h"

#include "dual_arb.h"

/* ---- the input Grams, exactly ------------------------------------------ */

unsigned tkc_onehot_matches(const tkc_token *x, const tkc_token *y, size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        m += x[a] == y[a];
    return m;
}

unsigned tkc_incidence_inner(const tkc_token *x, const tkc_token *y, size_t k)
{
    unsigned m = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            m += x[a] == x[b] && y[a] == y[b];
    return m;
}

/* ---- the recursion -------------------------------------------------------- */

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

int tkc_mlp_arb_grams(arb_t K, const tkc_kernel_spec *spec, unsigned long a,
                      unsigned long b, unsigned long c, unsigned long den,
                      slong prec, tkc_error *err)
{
    if (!spec || !spec->activation)
        return tkc_fail(err, TKC_EINPUT,
                        "MLP ball kernel: spec has no activation");
    if (den == 0)
        return tkc_fail(err, TKC_EINPUT, "MLP ball kernel: Gram denominator 0");
    arb_t A, B, C;
    arb_init(A), arb_init(B), arb_init(C);
    ratio(A, a, den, prec);
    ratio(B, b, den, prec);
    ratio(C, c, den, prec);
    /* equal numerators are equal values: the diagonal form applies */
    int rc = recursion(K, spec->activation, spec, spec->mlp_depth, A, B, C,
                       a == b && a == c, prec, err);
    arb_clear(A), arb_clear(B), arb_clear(C);
    return rc;
}

void tkc_mlp_grams_onehot(const tkc_token *x, const tkc_token *y, size_t k,
                          unsigned long g[3], unsigned long *den)
{
    g[0] = g[1] = k;
    g[2] = tkc_onehot_matches(x, y, k);
    *den = k;
}

/* ½ (m/k + r/k²) = (k m + r) / (2k²). */
static unsigned long xx_numerator(const tkc_token *x, const tkc_token *y,
                                  size_t k)
{
    return (unsigned long)k * tkc_onehot_matches(x, y, k) +
           tkc_incidence_inner(x, y, k);
}

void tkc_mlp_grams_xx(const tkc_token *x, const tkc_token *y, size_t k,
                      unsigned long g[3], unsigned long *den)
{
    g[0] = xx_numerator(x, x, k);
    g[1] = xx_numerator(y, y, k);
    g[2] = xx_numerator(x, y, k);
    *den = 2 * (unsigned long)k * k;
}

/* One value from the Grams of (x, y). */
static int one_value(arb_t K, tkc_mlp_grams_fn grams,
                     const tkc_kernel_spec *spec, const tkc_token *x,
                     const tkc_token *y, size_t k, slong prec, tkc_error *err)
{
    int rc = check_args(spec, k, err);
    if (rc)
        return rc;
    unsigned long g[3], den;
    grams(x, y, k, g, &den);
    return tkc_mlp_arb_grams(K, spec, g[0], g[1], g[2], den, prec, err);
}

int tkc_mlp_arb_onehot(arb_t K, const tkc_kernel_spec *spec,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       slong prec, tkc_error *err)
{
    return one_value(K, tkc_mlp_grams_onehot, spec, x, y, k, prec, err);
}

int tkc_mlp_arb_xx(arb_t K, const tkc_kernel_spec *spec, const tkc_token *x,
                   const tkc_token *y, size_t k, slong prec, tkc_error *err)
{
    return one_value(K, tkc_mlp_grams_xx, spec, x, y, k, prec, err);
}
