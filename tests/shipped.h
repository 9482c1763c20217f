/* shipped.h — test helper: read a shipped template set from
 * $TKC_DATA/templates (meson sets TKC_DATA; "data" from the source root),
 * [CLS] appended as tkc does; exits 2 when it cannot. */
#ifndef TKC_TESTS_SHIPPED_H
#define TKC_TESTS_SHIPPED_H

#include <stdio.h>
#include <stdlib.h>

#include "tkc/template.h"

static tkc_template_set *shipped(const char *name)
{
    const char *dir = getenv("TKC_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/templates/%s", dir ? dir : "data", name);
    tkc_parse_options opt;
    tkc_parse_options_default(&opt);
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_read_file(path, &opt, &set, &err)) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        exit(2);
    }
    return set;
}

#endif
