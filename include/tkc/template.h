/* tkc/template.h — templates (paper §2, docs/templates.md): the file format,
 * validation (template_parse.c), substitution, matching, exact
 * disjointness, ρ and spelling (template.c).
 *
 * A template is a string over regular tokens and wildcards.  Regular tokens
 * are interned in the set's symbol table and are tkc_token ids
 * 0 .. nsymbols-1; wildcards are local to their template and are numbered
 * 0 .. nwild-1 in order of first appearance.  Strings built from templates
 * take the tokens of substituted wildcards from ids >= nsymbols (fresh
 * symbols), so they never collide with the templates' own tokens. */
#ifndef TKC_TEMPLATE_H
#define TKC_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tkc/error.h"
#include "tkc/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* In tkc_template.sym: v >= 0 is the regular token v, v < 0 is wildcard
 * TKC_WILDCARD_INDEX(v). */
#define TKC_WILDCARD(w) (-(int32_t)(w) - 1)
#define TKC_IS_WILDCARD(v) ((v) < 0)
#define TKC_WILDCARD_INDEX(v) ((size_t)(-(v) - 1))

typedef struct tkc_template {
    int32_t *sym;              /* k symbols                                  */
    size_t nwild;              /* distinct wildcards                         */
    char **wild_names;         /* nwild spellings ("α", "$x")                */
    double label;              /* real label, when label_wildcard < 0        */
    int label_wildcard;        /* wildcard index of a symbolic label, or -1  */
    double weight;             /* probability under µ_tmplt (sums to 1)      */
    int line;                  /* line of the source file                    */
} tkc_template;

typedef struct tkc_template_set {
    size_t count;              /* r                                          */
    size_t k;                  /* common length (with [CLS] if appended)     */
    tkc_template *t;
    size_t nsymbols;           /* regular tokens: ids 0 .. nsymbols-1        */
    char **symbol_names;
    int cls_appended;          /* [CLS] was appended by the parser           */
    int symbolic_labels;       /* some label is a wildcard                   */
    char *source;              /* file name used in messages                 */
    char fresh_prefix[8];      /* spelling of fresh tokens: "t" → t1, t2, …;
                                  lengthened ("tt") when a regular token of
                                  the set is already spelled t<digits>       */
} tkc_template_set;

typedef struct tkc_parse_options {
    int append_cls;            /* append [CLS] unless a template ends in it  */
    int allow_overlap;         /* skip the disjointness requirement          */
} tkc_parse_options;

/* ---- the file format (template_parse.c) -------------------------------- */

/* Defaults: append_cls = 1, allow_overlap = 0. */
TKC_API void tkc_parse_options_default(tkc_parse_options *opt);

/* The largest template file read: 16 MiB, more than a set tkc could
 * decide (N is r x r; 10^5 templates of length 20 fit in it), so that a
 * device or a wrong file (/dev/zero, a binary) is refused at once: reading
 * stops one byte past the limit, and at the first NUL byte. */
#define TKC_TEMPLATE_FILE_MAX ((size_t)16 << 20)

/* Parse a template file (the format is spelled out at the top of
 * src/template_parse.c and in data/templates/README.md).  Errors are TKC_EINPUT
 * naming file:line:col (columns count code points) and what was expected;
 * on error *out is NULL and nothing is kept. */
TKC_API int tkc_template_set_read_file(const char *path,
                                       const tkc_parse_options *opt,
                                       tkc_template_set **out, tkc_error *err);
/* ---- finding a set by name (template_find.c) ---------------------------
 *
 * Commands take a template set as a path or by its bare name
 * ("majority3" or "majority3.tpl").  The search order:
 *   1. `name` itself, when it names a file (relative to the working
 *      directory, or absolute);
 *   2. nothing more when `name` holds a '/': a path that is not there;
 *   3. each folder of the environment variable TKC_TEMPLATES (separated by
 *      ':', empty entries skipped), then the installed sets,
 *      tkc_template_sets_dir(), then the sets of the source tree libtkc
 *      was built from, while it is there (so that a build runs them before
 *      it is installed): in each, `name`, then `name`.tpl.
 * The first file found wins. */

/* The folder the shipped sets are installed in: <datadir>/tkc/templates
 * of the build's prefix ("/usr/local/share/tkc/templates"). */
TKC_API const char *tkc_template_sets_dir(void);

/* The file for `name`, by the search order above, into path (size bytes).
 * TKC_EINPUT when none is found, naming the folders searched;
 * TKC_ERANGE when the path does not fit. */
TKC_API int tkc_template_set_find(const char *name, char *path, size_t size,
                                  tkc_error *err);

/* tkc_template_set_find, then tkc_template_set_read_file: the way commands
 * open a set given on their command line. */
TKC_API int tkc_template_set_open(const char *name,
                                  const tkc_parse_options *opt,
                                  tkc_template_set **out, tkc_error *err);

/* Same from memory; `name` is used in messages. */
TKC_API int tkc_template_set_parse(const char *text, size_t len,
                                   const char *name,
                                   const tkc_parse_options *opt,
                                   tkc_template_set **out, tkc_error *err);
TKC_API void tkc_template_set_free(tkc_template_set *set);

/* Write the set back in the file format (round trip). */
TKC_API int tkc_template_set_write(const tkc_template_set *set, FILE *out,
                                   tkc_error *err);

/* ---- what templates mean (template.c) ------------------------------------ */

/* Spell template i ("α α [CLS]") into buf. */
TKC_API int tkc_template_format(const tkc_template_set *set, size_t i,
                                char *buf, size_t size);

/* Exact disjointness of templates i and j (Definition 3.2).  Sets *disjoint;
 * when not disjoint and witness != NULL, writes a string (k tokens, fresh
 * tokens from ids >= nsymbols) matching both. */
TKC_API int tkc_template_disjoint(const tkc_template_set *set, size_t i,
                                  size_t j, int *disjoint, tkc_token *witness,
                                  tkc_error *err);

/* Does string x (k tokens) match template i (Definition 2.1)? */
TKC_API int tkc_template_matches(const tkc_template_set *set, size_t i,
                                 const tkc_token *x);

/* sub(z_i, s): map[w] is the token for wildcard w (injective, avoiding the
 * template's regular tokens — checked). */
TKC_API int tkc_template_substitute(const tkc_template_set *set, size_t i,
                                    const tkc_token *map, tkc_token *out,
                                    tkc_error *err);

/* Data diversity ρ for uniform injective maps into an alphabet of size A:
 * ρ = A / max_z nwild(z).  EINPUT when A < max nwild. */
TKC_API int tkc_template_set_rho(const tkc_template_set *set, size_t alphabet,
                                 double *rho, tkc_error *err);

/* Largest number of wildcards of any template. */
TKC_API size_t tkc_template_set_max_wildcards(const tkc_template_set *set);

/* Spell token t: a regular token by its name, a fresh token f >= nsymbols
 * as fresh_prefix followed by f - nsymbols + 1 ("t1", "t2", ...).  Returns
 * the length snprintf would have written. */
TKC_API int tkc_template_token_name(const tkc_template_set *set, tkc_token t,
                                    char *buf, size_t size);
/* The token spelled `name`, the inverse of tkc_template_token_name: a
 * regular token of the set by its name, or a fresh one spelled
 * fresh_prefix + a number >= 1 without leading zeros ("t1" is nsymbols).
 * Returns 1 and sets *t, or 0 when `name` spells neither (or a fresh
 * token beyond INT32_MAX). */
TKC_API int tkc_template_token_lookup(const tkc_template_set *set,
                                      const char *name, tkc_token *t);
/* Spell a string of set->k tokens, space-separated ("S t1 [CLS]"); returns
 * the length snprintf would have written. */
TKC_API int tkc_template_string_format(const tkc_template_set *set,
                                       const tkc_token *x, char *buf,
                                       size_t size);

/* Find the first pair i < j of templates that are not disjoint.  Sets
 * *all_disjoint; when 0, sets *i, *j and (witness != NULL) a string of k
 * tokens matching both. */
TKC_API int tkc_template_set_check_disjoint(const tkc_template_set *set,
                                            int *all_disjoint, size_t *i,
                                            size_t *j, tkc_token *witness,
                                            tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
