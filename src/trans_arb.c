/* trans_arb.c — K_trans enclosures from K_attn boxes: the rigorous dual of
 * each triple, carrying the evidence of the K_attn radii.  Why the evidence
 * passes through unchanged: trans_arb.h. */
#include "trans_arb.h"

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
