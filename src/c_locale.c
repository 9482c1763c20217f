/* c_locale.c — the calling thread in the C locale for a while, and strtod
 * there.  Why and where: c_locale.h. */
#include "c_locale.h"

#include <stdlib.h>

void tkc_c_locale_enter(tkc_c_locale *g)
{
    g->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    g->saved = g->c ? uselocale(g->c) : (locale_t)0;
    if (g->c && !g->saved) {        /* uselocale failed: stay as we were */
        freelocale(g->c);
        g->c = (locale_t)0;
    }
}

void tkc_c_locale_leave(tkc_c_locale *g)
{
    if (!g->c)
        return;
    uselocale(g->saved);
    freelocale(g->c);
    g->c = (locale_t)0;
}

double tkc_c_locale_strtod(const char *s, char **end)
{
    tkc_c_locale g;
    tkc_c_locale_enter(&g);
    double x = strtod(s, end);
    tkc_c_locale_leave(&g);
    return x;
}
