/* shipped.h — test helper: the shipped template sets, and reading one from
 * $TKC_DATA/templates (meson sets TKC_DATA; "data" from the source root),
 * [CLS] appended as tkc does; exits 2 when it cannot. */
#ifndef TKC_TESTS_SHIPPED_H
#define TKC_TESTS_SHIPPED_H

#include <stdio.h>
#include <stdlib.h>

#include "tkc/template.h"

/* Every shipped set, smallest r first. */
static const char *const shipped_sets[] = {
    "same_different.tpl", "aba_abb.tpl", "abab_aabb.tpl", "programming.tpl",
    "majority3.tpl", "word_problem.tpl", "majority5.tpl", "random.tpl",
    "raven.tpl", "relational_match_to_sample.tpl", "distribution_of_3.tpl"};
#define SHIPPED_SETS (sizeof shipped_sets / sizeof shipped_sets[0])

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
