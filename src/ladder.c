/* ladder.c — the precision ladder: σ_min of a matrix of exact doubles at
 * 53, 128, 256 and 512 bits (one-sided Jacobi, tkc_mpmat_singular_values),
 * and what the trend says.  A σ_min that stays put from 256 to 512 bits is
 * the matrix's; one that shrinks with the precision is rounding noise of a
 * (numerically) singular matrix.  Not a proof: the certificate (certify.c)
 * is; the ladder tells a person which of the two an undecided N is near. */
#include "ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpmat.h"

static const mpfr_prec_t rung_prec[TKC_LADDER_RUNGS] = {53, 128, 256, 512};

/* Rung k: σ_min (and at the top σ_max) of mid at rung_prec[k] bits, using
 * sv (r numbers) as scratch; σ_min is also kept exactly in *keep. */
static int rung(tkc_sigma_ladder *lad, int k, size_t r, const double *mid,
                mpfr_t *sv, mpfr_t keep, tkc_error *err)
{
    mpfr_prec_t p = rung_prec[k];
    lad->prec[k] = p;
    tkc_mpmat *a = tkc_mpmat_alloc(r, r, p, err);
    if (!a)
        return TKC_ENOMEM;
    int rc = tkc_mpmat_set_d(a, mid, r, err);
    for (size_t j = 0; j < r; j++)
        mpfr_init2(sv[j], p);
    if (rc == TKC_SUCCESS)
        rc = tkc_mpmat_singular_values(sv, a, err);
    if (rc == TKC_SUCCESS) {
        lad->sigma_min[k] = mpfr_get_d(sv[r - 1], MPFR_RNDN);
        tkc_mpfr_snprint(lad->sigma_min_text[k], sizeof lad->sigma_min_text[k],
                         sv[r - 1], 5);
        mpfr_set(keep, sv[r - 1], MPFR_RNDN);          /* exact: 512 bits */
        if (k == TKC_LADDER_RUNGS - 1)
            lad->sigma_max = mpfr_get_d(sv[0], MPFR_RNDN);
    }
    for (size_t j = 0; j < r; j++)
        mpfr_clear(sv[j]);
    tkc_mpmat_free(a);
    return rc;
}

/* The trend from σ_min at 256 (s256) and 512 bits (s512), and the text. */
static void trend(tkc_sigma_ladder *lad, mpfr_t s256, const mpfr_t s512)
{
    mpfr_t d;
    mpfr_init2(d, 512);
    mpfr_sub(d, s256, s512, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    mpfr_mul_2si(s256, s256, -64, MPFR_RNDN);
    if (mpfr_zero_p(s512) || mpfr_cmp(s512, s256) < 0)
        lad->trend = TKC_LADDER_SHRINKING;
    else {
        mpfr_div(d, d, s512, MPFR_RNDN);
        if (mpfr_cmp_d(d, 1e-10) <= 0)
            lad->trend = TKC_LADDER_STABLE;
    }
    mpfr_clear(d);
    snprintf(lad->text, sizeof lad->text,
             "σ_min at 53/128/256/512 bits: %s / %s / %s / %s — %s",
             lad->sigma_min_text[0], lad->sigma_min_text[1],
             lad->sigma_min_text[2], lad->sigma_min_text[3],
             lad->trend == TKC_LADDER_STABLE ? "stable"
             : lad->trend == TKC_LADDER_SHRINKING
                 ? "shrinks with the precision: numerically singular"
                 : "unclear (ill-conditioned beyond 256 bits?)");
}

int tkc_certify_ladder(tkc_sigma_ladder *lad, size_t r, const double *mid,
                       tkc_error *err)
{
    memset(lad, 0, sizeof *lad);
    lad->trend = TKC_LADDER_UNCLEAR;
    if (r == 0 || !mid)
        return tkc_fail(err, TKC_EINPUT, "certify_ladder: empty matrix");
    mpfr_t keep[TKC_LADDER_RUNGS];           /* σ_min at each rung, exactly */
    for (int k = 0; k < TKC_LADDER_RUNGS; k++)
        mpfr_init2(keep[k], 512);
    mpfr_t *sv = malloc(r * sizeof *sv);
    int rc = sv ? TKC_SUCCESS
                : tkc_fail(err, TKC_ENOMEM, "certify_ladder: out of memory");
    for (int k = 0; k < TKC_LADDER_RUNGS && rc == TKC_SUCCESS; k++)
        rc = rung(lad, k, r, mid, sv, keep[k], err);
    if (rc == TKC_SUCCESS)
        trend(lad, keep[2], keep[3]);
    free(sv);
    for (int k = 0; k < TKC_LADDER_RUNGS; k++)
        mpfr_clear(keep[k]);
    return rc;
}
