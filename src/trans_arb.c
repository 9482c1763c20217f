/* trans_arb.c — K_trans enclosures from K_attn boxes: the rigorous dual of
 * each triple, carrying the evidence of the K_attn radii.  Why the evidence
 * passes through unchanged: trans_arb.h. */
#include "trans_arb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dual_arb.h"

/* One output pair: the diagonal form when its three entries are one. */
static int enclose_pair(const tkc_kernel_spec *spec, const double *value,
                        const double *rad, const size_t ix[3], slong prec,
                        arb_t box[3], arb_t K, tkc_error *err)
{
    for (int a = 0; a < 3; a++) {
        int rc = tkc_arb_set_box(box[a], value[ix[a]], rad[ix[a]], err);
        if (rc)
            return rc;
    }
    if (ix[0] == ix[1] && ix[0] == ix[2])
        return tkc_dual_arb_diag(K, spec->activation, box[0], spec, prec, err);
    return tkc_dual_arb(K, spec->activation, box[0], box[1], box[2], spec,
                        prec, err);
}

int tkc_trans_arb_enclose(const tkc_kernel_spec *spec, const double *value,
                          const double *rad, size_t nentries,
                          tkc_evidence radii, const tkc_trans_index *ix,
                          size_t npairs, slong prec, tkc_enclosure *out,
                          tkc_error *err)
{
    if (!spec || !spec->activation)
        return tkc_fail(err, TKC_EINPUT,
                        "trans ball kernel: spec has no activation");
    int rc = tkc_evidence_validate(radii, err);
    if (rc)
        return rc;
    for (size_t p = 0; p < npairs; p++)
        for (int a = 0; a < 3; a++)
            if (ix[p][a] >= nentries)
                return tkc_fail(err, TKC_EINPUT,
                                "trans ball kernel: pair %zu refers to K_attn "
                                "entry %zu of %zu", p, ix[p][a], nentries);
    arb_t box[3], K;
    for (int a = 0; a < 3; a++)
        arb_init(box[a]);
    arb_init(K);
    for (size_t p = 0; p < npairs && !rc; p++) {
        rc = enclose_pair(spec, value, rad, ix[p], prec, box, K, err);
        if (!rc)
            rc = tkc_enclosure_set_arb(&out[p], K, radii, err);
    }
    for (int a = 0; a < 3; a++)
        arb_clear(box[a]);
    arb_clear(K);
    return rc;
}

/* No ball dual: the double step's first-order errors are all there is. */
static int first_order_only(const tkc_kernel_values *attn,
                            tkc_kernel_values *out, tkc_error *err)
{
    if (attn->error_kind == TKC_ERROR_EXACT ||
        attn->error_kind == TKC_ERROR_ROUNDING) {
        size_t len = strlen(out->note);
        out->error_kind = TKC_ERROR_TRUNCATION;
        snprintf(out->note + len, sizeof out->note - len,
                 "; no ball dual: first-order errors, an estimate");
    }
    if (!out->box_mid)
        return TKC_SUCCESS;
    tkc_evidence ev;
    memcpy(out->box_mid, out->value, out->npairs * sizeof *out->box_mid);
    int rc = tkc_enclosure_radii(out->box_rad, &ev, &out->box_z, out,
                                 out->box_confidence, err);
    out->box_evidence = TKC_EVIDENCE_ESTIMATE;
    return rc;
}

int tkc_trans_arb_from_attn(const tkc_kernel_spec *spec,
                            const tkc_kernel_values *attn,
                            const tkc_trans_index *ix, size_t npairs,
                            tkc_kernel_values *out, tkc_error *err)
{
    int exact_in = attn->error_kind == TKC_ERROR_EXACT ||
                   attn->error_kind == TKC_ERROR_ROUNDING;
    if (!out->box_mid && !exact_in)
        return TKC_SUCCESS;
    if (!tkc_dual_arb_supports(spec->activation))
        return first_order_only(attn, out, err);
    double *rad = malloc((attn->npairs ? attn->npairs : 1) * sizeof *rad);
    tkc_enclosure *enc = malloc((npairs ? npairs : 1) * sizeof *enc);
    tkc_evidence ev = {TKC_EVIDENCE_ESTIMATE, 0};
    int rc = rad && enc ? TKC_SUCCESS
                        : tkc_fail(err, TKC_ENOMEM, "trans ball kernel: %zu "
                                   "pairs", npairs);
    if (!rc)
        rc = tkc_enclosure_radii(rad, &ev, &out->box_z, attn,
                                 out->box_confidence, err);
    if (!rc)
        rc = tkc_trans_arb_enclose(spec, attn->value, rad, attn->npairs, ev,
                                   ix, npairs, TKC_ARB_PREC, enc, err);
    for (size_t p = 0; p < npairs && !rc; p++) {
        if (exact_in) {
            out->value[p] = enc[p].mid;
            out->se[p] = enc[p].rad;
            if (out->cov)
                out->cov[p * npairs + p] = enc[p].rad * enc[p].rad;
        }
        if (out->box_mid) {
            out->box_mid[p] = enc[p].mid;
            out->box_rad[p] = enc[p].rad;
        }
    }
    if (!rc && exact_in) {
        size_t len = strlen(out->note);
        snprintf(out->note + len, sizeof out->note - len,
                 " in ball arithmetic: se is a rigorous bound");
    }
    out->box_evidence = ev.kind;
    free(rad);
    free(enc);
    return rc;
}
