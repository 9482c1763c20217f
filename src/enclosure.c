/* enclosure.c — balls as double boxes (rounded outward) and the evidence a
 * box rests on.  Definitions: enclosure.h. */
#include "enclosure.h"

#include <math.h>
#include <string.h>

#include "tkc/certify.h"

int tkc_evidence_validate(tkc_evidence ev, tkc_error *err)
{
    int ok;
    switch (ev.kind) {
    case TKC_EVIDENCE_PROVED: ok = ev.confidence == 1; break;
    case TKC_EVIDENCE_CONFIDENCE: ok = ev.confidence > 0 && ev.confidence < 1; break;
    case TKC_EVIDENCE_ESTIMATE: ok = ev.confidence == 0; break;
    default:
        return tkc_fail(err, TKC_EINPUT, "evidence: unknown kind %d",
                        (int)ev.kind);
    }
    if (!ok)
        return tkc_fail(err, TKC_EINPUT,
                        "evidence: confidence %g does not fit kind \"%s\" "
                        "(proved: 1, confidence: inside (0, 1), estimate: 0)",
                        ev.confidence, tkc_evidence_kind_name(ev.kind));
    return TKC_SUCCESS;
}

int tkc_arb_set_box(arb_t x, double mid, double rad, tkc_error *err)
{
    if (!isfinite(mid) || !isfinite(rad) || rad < 0)
        return tkc_fail(err, TKC_EINPUT,
                        "box %g +/- %g: midpoint and radius must be finite, "
                        "radius non-negative", mid, rad);
    arf_t r;
    arf_init(r);
    arf_set_d(r, rad);
    arb_set_d(x, mid);
    arb_add_error_arf(x, r);  /* converts rad to a mag, rounding up */
    arf_clear(r);
    return TKC_SUCCESS;
}

int tkc_enclosure_set_arb(tkc_enclosure *e, const arb_t x, tkc_evidence ev,
                          tkc_error *err)
{
    int rc = tkc_evidence_validate(ev, err);
    if (rc)
        return rc;
    if (!arb_is_finite(x))
        return tkc_fail(err, TKC_ENUMERIC,
                        "enclosure: the ball is not finite (NaN or infinite)");
    double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    if (!isfinite(mid))
        return tkc_fail(err, TKC_ERANGE,
                        "enclosure: the ball's midpoint overflows a double");
    arf_t d;
    mag_t m;
    arf_init(d);
    mag_init(m);
    arf_set_d(d, mid);
    /* |mid(x) − mid| exactly, bounded above in a mag, plus the ball's own
     * radius (mag_add rounds up); then up to a double. */
    arf_sub(d, arb_midref(x), d, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_get_mag(m, d);
    mag_add(m, m, arb_radref(x));
    arf_set_mag(d, m);
    double rad = arf_get_d(d, ARF_RND_UP);
    arf_clear(d);
    mag_clear(m);
    if (!isfinite(rad))
        return tkc_fail(err, TKC_ERANGE,
                        "enclosure: the ball's radius overflows a double");
    e->mid = mid;
    e->rad = rad;
    e->evidence = ev;
    return TKC_SUCCESS;
}

int tkc_enclosure_radii(double *rad, tkc_evidence *ev, double *z,
                        const tkc_kernel_values *v, double confidence,
                        tkc_error *err)
{
    size_t n = v->npairs;
    *z = 1;
    if (v->error_kind == TKC_ERROR_STATISTICAL) {
        *ev = (tkc_evidence){TKC_EVIDENCE_CONFIDENCE, confidence};
        int rc = tkc_certify_bonferroni_z(z, confidence, n ? n : 1, err);
        return rc ? rc : tkc_certify_radii_from_se(rad, v->se, n, *z, err);
    }
    *ev = v->error_kind == TKC_ERROR_TRUNCATION
              ? (tkc_evidence){TKC_EVIDENCE_ESTIMATE, 0}
              : TKC_EVIDENCE_PROOF;
    memcpy(rad, v->se, n * sizeof *rad);
    return TKC_SUCCESS;
}
