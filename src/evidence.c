/* evidence.c — the evidence a number rests on, in words (tkc/evidence.h):
 * what every verdict and bound prints after "nonsingular". */
#include "tkc/evidence.h"

#include <stdio.h>
#include <string.h>

#include "c_locale.h"

const char *tkc_evidence_kind_name(tkc_evidence_kind kind)
{
    switch (kind) {
    case TKC_EVIDENCE_PROVED: return "proved";
    case TKC_EVIDENCE_CONFIDENCE: return "confidence";
    case TKC_EVIDENCE_ESTIMATE: return "estimate";
    }
    return "?";
}

int tkc_evidence_percent(char *buf, size_t size, double confidence)
{
    char tmp[64];
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    for (int digits = 4; digits < 17; digits++) {
        snprintf(tmp, sizeof tmp, "%.*g%%", digits, 100 * confidence);
        if (strcmp(tmp, "100%") || confidence >= 1)
            break;
    }
    tkc_c_locale_leave(&g);
    return snprintf(buf, size, "%s", tmp);
}
