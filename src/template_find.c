/* template_find.c — a template set by its bare name: the search path of
 * tkc/template.h (the working directory, $TKC_TEMPLATES, the installed
 * sets, the source tree's), so that `tkc check majority3` works from
 * anywhere once tkc is installed, and from a build that is not. */
#include "tkc/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Set by the build (meson.build): <prefix>/<datadir>/tkc/templates, and
 * the source tree's data/templates ("" when unknown). */
#ifndef TKC_TEMPLATES_DIR
#define TKC_TEMPLATES_DIR "/usr/local/share/tkc/templates"
#endif
#ifndef TKC_SOURCE_TEMPLATES_DIR
#define TKC_SOURCE_TEMPLATES_DIR ""
#endif

const char *tkc_template_sets_dir(void)
{
    return TKC_TEMPLATES_DIR;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* folder (len bytes) + "/" + name + suffix into path when that is a file:
 * 1 found, 0 not, -1 too long. */
static int try_in(const char *folder, size_t len, const char *name,
                  const char *suffix, char *path, size_t size)
{
    int n = snprintf(path, size, "%.*s/%s%s", (int)len, folder, name, suffix);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return is_file(path);
}

/* name, then name.tpl (unless it ends in .tpl), in one folder. */
static int try_folder(const char *folder, size_t len, const char *name,
                      char *path, size_t size)
{
    size_t n = strlen(name);
    int has_tpl = n > 4 && !strcmp(name + n - 4, ".tpl");
    int r = try_in(folder, len, name, "", path, size);
    if (r == 0 && !has_tpl)
        r = try_in(folder, len, name, ".tpl", path, size);
    return r;
}

int tkc_template_set_find(const char *name, char *path, size_t size,
                          tkc_error *err)
{
    if (!name || !*name)
        return tkc_fail(err, TKC_EINPUT, "no template set named: give a file "
                        "or a set name such as same_different");
    if (is_file(name) || strchr(name, '/')) {
        if (strlen(name) >= size)
            return tkc_fail(err, TKC_ERANGE, "%s: path too long", name);
        strcpy(path, name);
        return TKC_SUCCESS;   /* a path that is missing fails at the open */
    }
    const char *env = getenv("TKC_TEMPLATES");
    for (const char *p = env; p && *p;) {
        size_t len = strcspn(p, ":");
        int r = len ? try_folder(p, len, name, path, size) : 0;
        if (r < 0)
            return tkc_fail(err, TKC_ERANGE, "%s: path too long", name);
        if (r > 0)
            return TKC_SUCCESS;
        p += len + (p[len] == ':');
    }
    const char *const dirs[] = {tkc_template_sets_dir(),
                                TKC_SOURCE_TEMPLATES_DIR};
    for (size_t i = 0; i < 2; i++) {
        int r = *dirs[i] ? try_folder(dirs[i], strlen(dirs[i]), name, path,
                                      size)
                         : 0;
        if (r < 0)
            return tkc_fail(err, TKC_ERANGE, "%s: path too long", name);
        if (r > 0)
            return TKC_SUCCESS;
    }
    return tkc_fail(err, TKC_EINPUT, "%s: no such file, and no template set "
                    "of that name in %s%s%s%s%s (TKC_TEMPLATES, the installed "
                    "sets, the source tree's; docs/cli.md)", name,
                    env && *env ? env : "", env && *env ? ":" : "", dirs[0],
                    *dirs[1] ? ":" : "", dirs[1]);
}

int tkc_template_set_open(const char *name, const tkc_parse_options *opt,
                          tkc_template_set **out, tkc_error *err)
{
    char path[4096];
    *out = NULL;
    int st = tkc_template_set_find(name, path, sizeof path, err);
    return st ? st : tkc_template_set_read_file(path, opt, out, err);
}
