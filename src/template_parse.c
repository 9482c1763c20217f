/* template_parse.c — the template file format (docs/templates.md): the
 * lexer, the parser with its validation, and the writer.  What a template
 * means (matching, substitution, disjointness, ρ, spelling) is template.c's.
 *
 * The file format, precisely (docs/templates.md says the same):
 *
 *   - UTF-8 text (a leading BOM is skipped), one template a line; blank lines
 *     are skipped; `#` starts a comment anywhere (unless escaped).
 *   - A line is: LABEL [WEIGHT] TEMPLATE, fields separated by spaces or tabs.
 *     LABEL is a finite decimal number (`+1`, `-0.5`, `2e-3`; no nan, inf or
 *     hex) or a wildcard of the template (symbolic label).  WEIGHT is
 *     `[w=NUMBER]`, 0 < NUMBER <= 1.
 *   - TEMPLATE is spaced when what follows the label (and weight) holds
 *     whitespace: each whitespace-separated field is one symbol.  Otherwise it
 *     is compact: one symbol per code point (`ααβST` is α α β S T).
 *   - A symbol is a wildcard when it is one Greek letter (U+0391–U+03A9,
 *     U+03B1–U+03C9, ϵ U+03F5) optionally followed by ASCII digits (`α`,
 *     `β2`), or `$` followed by ASCII letters, digits or `_` (`$x`).
 *     Anything else is a regular token.  A symbol that starts with a Greek
 *     letter and goes on with other characters is an error (most likely a
 *     compact template mixed into a spaced one).
 *   - Escapes, inside symbols: `\\`, `\#`, `\$`, `\[` and `\` before a Greek
 *     letter give the character itself, always as part of a regular token
 *     (`\α` is the regular token α).  Any other escape is an error.
 *   - A compact template may not hold an unescaped `$` or `[CLS]` (both mean
 *     the author wanted the spaced form).
 *   - Symbols are at most 256 bytes, templates at most TKC_K_MAX symbols.
 *   - No NUL, no control characters but tab, CR (a space) and LF, and no
 *     Unicode spaces (U+00A0, U+2000–U+200B, ...): they would silently
 *     become tokens.
 *   - Columns in messages count code points from 1.
 *
 * Validation: all templates have one length (after [CLS] is appended),
 * labels are all real or all wildcards, weights are all given and sum to 1
 * (within 1e-6; then normalized), or some are given and sum to less than 1
 * (the rest share what is left), or none are given (uniform); and, unless
 * allowed, no two templates overlap (identical ones are reported as such).
 *
 * Fresh tokens (witnesses, samples) have ids >= nsymbols and are spelled
 * fresh_prefix + number: t1, t2, ... */
#include "tkc/template.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "c_locale.h"
#include "template_lex.h"

#define WEIGHT_SUM_TOL 1e-6
#define CLS_NAME "[CLS]"

void tkc_parse_options_default(tkc_parse_options *opt)
{
    opt->append_cls = 1;
    opt->allow_overlap = 0;
}

/* ---- the symbol table (interning while parsing) ------------------------- */

typedef struct symtab {
    char **names;
    size_t n, cap;
    int32_t *slot;       /* open addressing: id + 1, 0 = empty */
    size_t nslot;        /* power of two */
} symtab;

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int symtab_grow(symtab *t)
{
    size_t nslot = t->nslot ? 2 * t->nslot : 64;
    int32_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return TKC_ENOMEM;
    for (size_t id = 0; id < t->n; id++) {
        size_t h = hash_bytes(t->names[id], strlen(t->names[id])) & (nslot - 1);
        while (slot[h])
            h = (h + 1) & (nslot - 1);
        slot[h] = (int32_t)id + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return TKC_SUCCESS;
}

/* Id of the name s[0..n), adding it when new. */
static int symtab_intern(symtab *t, const char *s, size_t n, int32_t *id)
{
    if (2 * (t->n + 1) > t->nslot && symtab_grow(t))
        return TKC_ENOMEM;
    size_t h = hash_bytes(s, n) & (t->nslot - 1);
    for (; t->slot[h]; h = (h + 1) & (t->nslot - 1)) {
        const char *name = t->names[t->slot[h] - 1];
        if (strlen(name) == n && !memcmp(name, s, n)) {
            *id = t->slot[h] - 1;
            return TKC_SUCCESS;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char **names = realloc(t->names, cap * sizeof *names);
        if (!names)
            return TKC_ENOMEM;
        t->names = names;
        t->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return TKC_ENOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';
    t->names[t->n] = copy;
    t->slot[h] = (int32_t)t->n + 1;
    *id = (int32_t)t->n++;
    return TKC_SUCCESS;
}

static void symtab_clear(symtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->names[i]);
    free(t->names);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* ---- parser state and messages ------------------------------------------ */

/* Where each template's pieces sit, for messages after the line is gone. */
typedef struct line_info {
    int weight_col, template_col;
    int has_weight;
} line_info;

typedef struct parser {
    const char *text;
    size_t len;
    const char *name;
    int line;
    const char *line_start;
    tkc_error *err;
    const tkc_parse_options *opt;
    /* the set being built */
    tkc_template *t;
    line_info *info;
    size_t count, cap;
    symtab syms;
    int cls_appended;
} parser;

static int fail_line_col(parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_line_col(parser *p, int line, int col, const char *fmt, ...)
{
    char msg[TKC_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tkc_fail(p->err, TKC_EINPUT, "%s:%d:%d: %s", p->name, line, col,
                    msg);
}

#define FAIL_AT(p, at, ...)                                                  \
    fail_line_col((p), (p)->line, tkc_lex_column((p)->line_start, (at)),     \
                  __VA_ARGS__)

static int out_of_memory(parser *p)
{
    return tkc_fail(p->err, TKC_ENOMEM, "%s: out of memory while parsing",
                    p->name);
}

/* ---- whole-input checks ------------------------------------------------- */

/* Strict UTF-8, no NUL, no control characters but tab, CR and LF. */
static int validate_text(parser *p)
{
    const unsigned char *s = (const unsigned char *)p->text;
    p->line = 1;
    p->line_start = p->text;
    for (size_t i = 0; i < p->len;) {
        uint32_t cp;
        size_t n;
        switch (tkc_lex_text_char(s + i, p->len - i, &cp, &n)) {
        case TKC_LEX_TEXT_UTF8:
            return FAIL_AT(p, p->text + i,
                           "invalid UTF-8 (byte 0x%02X); expected UTF-8 text",
                           s[i]);
        case TKC_LEX_TEXT_NUL:
            return FAIL_AT(p, p->text + i, "unexpected NUL byte");
        case TKC_LEX_TEXT_CONTROL:
            return FAIL_AT(p, p->text + i,
                           "unexpected control character U+%04X", cp);
        case TKC_LEX_TEXT_OK:
            break;
        }
        if (tkc_lex_is_unicode_space(cp) && !(cp == 0xFEFF && i == 0))
            return FAIL_AT(p, p->text + i,
                           "unexpected Unicode space U+%04X; expected ASCII "
                           "spaces or tabs between symbols",
                           cp);
        i += n;
        if (cp == '\n') {
            p->line++;
            p->line_start = p->text + i;
        }
    }
    return TKC_SUCCESS;
}

/* ---- symbols ------------------------------------------------------------ */

/* A template under construction. */
typedef struct draft {
    int32_t sym[TKC_K_MAX];
    size_t k;
    char *wild[TKC_K_MAX];
    size_t nwild;
} draft;

static void draft_clear(draft *d)
{
    for (size_t w = 0; w < d->nwild; w++)
        free(d->wild[w]);
    d->nwild = 0;
    d->k = 0;
}

static int wildcard_index(const draft *d, const char *s, size_t n)
{
    for (size_t w = 0; w < d->nwild; w++)
        if (strlen(d->wild[w]) == n && !memcmp(d->wild[w], s, n))
            return (int)w;
    return -1;
}

/* Append symbol s[0..n) to d: a wildcard (is_wild) or a regular token. */
static int draft_push(parser *p, draft *d, const char *at, const char *s,
                      size_t n, int is_wild)
{
    if (d->k == TKC_K_MAX)
        return FAIL_AT(p, at,
                       "template has more than %d symbols; expected at most %d",
                       TKC_K_MAX, TKC_K_MAX);
    if (!is_wild) {
        int32_t id;
        if (symtab_intern(&p->syms, s, n, &id))
            return out_of_memory(p);
        d->sym[d->k++] = id;
        return TKC_SUCCESS;
    }
    int w = wildcard_index(d, s, n);
    if (w < 0) {
        char *copy = malloc(n + 1);
        if (!copy)
            return out_of_memory(p);
        memcpy(copy, s, n);
        copy[n] = '\0';
        w = (int)d->nwild;
        d->wild[d->nwild++] = copy;
    }
    d->sym[d->k++] = TKC_WILDCARD(w);
    return TKC_SUCCESS;
}

static int unknown_escape(parser *p, const char *at, const char *e)
{
    char q[64];
    size_t n = 1;
    if (at + 1 < e) {
        uint32_t cp;
        size_t len = tkc_lex_utf8((const unsigned char *)at + 1,
                                 (size_t)(e - at - 1), &cp);
        n += len ? len : 1;
    }
    return FAIL_AT(p, at,
                   "unknown escape '%s'; expected \\\\, \\#, \\$, \\[ or \\ "
                   "before a Greek letter",
                   tkc_lex_quote(at, n, q));
}

/* One field of a spaced template. */
static int push_spaced_symbol(parser *p, draft *d, const char *fs,
                              const char *fe)
{
    size_t n = (size_t)(fe - fs);
    char q[64];
    if (n > TKC_LEX_SYMBOL_MAX)
        return FAIL_AT(p, fs, "symbol '%s' is longer than %d bytes",
                       tkc_lex_quote(fs, n, q), TKC_LEX_SYMBOL_MAX);
    if (*fs == '$') {
        if (!tkc_lex_is_wildcard(fs, n))
            return FAIL_AT(p, fs,
                           "expected a wildcard name ($ then letters, digits "
                           "or _), got '%s'",
                           tkc_lex_quote(fs, n, q));
        return draft_push(p, d, fs, fs, n, 1);
    }
    if (tkc_lex_greek_at(fs, n)) {
        if (!tkc_lex_is_wildcard(fs, n))
            return FAIL_AT(p, fs,
                           "'%s': a symbol starting with a Greek letter is a "
                           "wildcard, one letter optionally followed by digits "
                           "(α, α2); separate symbols with spaces, or escape "
                           "(\\α) for a regular token",
                           tkc_lex_quote(fs, n, q));
        return draft_push(p, d, fs, fs, n, 1);
    }
    char buf[TKC_LEX_SYMBOL_MAX];
    size_t m = 0;
    for (const char *s = fs; s < fe;) {
        if (*s == '\\') {
            size_t len = tkc_lex_escape_length(s, fe);
            if (!len)
                return unknown_escape(p, s, fe);
            memcpy(buf + m, s + 1, len - 1);
            m += len - 1;
            s += len;
        } else {
            buf[m++] = *s++;
        }
    }
    return draft_push(p, d, fs, buf, m, 0);
}

/* A compact template: one symbol per code point. */
static int push_compact_symbols(parser *p, draft *d, const char *fs,
                                const char *fe)
{
    for (const char *s = fs; s < fe;) {
        if (*s == '\\') {
            size_t len = tkc_lex_escape_length(s, fe);
            if (!len)
                return unknown_escape(p, s, fe);
            int rc = draft_push(p, d, s, s + 1, len - 1, 0);
            if (rc)
                return rc;
            s += len;
            continue;
        }
        if (*s == '$')
            return FAIL_AT(p, s,
                           "'$' in a template without spaces; $name wildcards "
                           "need the spaced form (symbols separated by "
                           "spaces)");
        if ((size_t)(fe - s) >= 5 && !memcmp(s, CLS_NAME, 5))
            return FAIL_AT(p, s,
                           "[CLS] in a template without spaces would be 5 "
                           "symbols; separate symbols with spaces (or leave "
                           "[CLS] out: it is appended by default)");
        uint32_t cp;
        size_t len = tkc_lex_utf8((const unsigned char *)s, (size_t)(fe - s),
                                 &cp);
        int rc = draft_push(p, d, s, s, len, tkc_lex_is_greek(cp));
        if (rc)
            return rc;
        s += len;
    }
    return TKC_SUCCESS;
}

/* ---- one line ----------------------------------------------------------- */

static int push_template(parser *p, draft *d, double label, int label_wild,
                         double weight, const line_info *info)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        tkc_template *t = realloc(p->t, cap * sizeof *t);
        if (!t)
            return out_of_memory(p);
        p->t = t;
        line_info *in = realloc(p->info, cap * sizeof *in);
        if (!in)
            return out_of_memory(p);
        p->info = in;
        p->cap = cap;
    }
    tkc_template *z = &p->t[p->count];
    memset(z, 0, sizeof *z);
    z->sym = malloc(d->k * sizeof *z->sym);
    z->wild_names = malloc((d->nwild ? d->nwild : 1) * sizeof *z->wild_names);
    if (!z->sym || !z->wild_names) {
        free(z->sym);
        free(z->wild_names);
        return out_of_memory(p);
    }
    memcpy(z->sym, d->sym, d->k * sizeof *z->sym);
    memcpy(z->wild_names, d->wild, d->nwild * sizeof *d->wild);
    z->nwild = d->nwild;
    d->nwild = 0;                 /* names now belong to z */
    z->label = label;
    z->label_wildcard = label_wild;
    z->weight = weight;
    z->line = p->line;
    p->info[p->count++] = *info;
    return TKC_SUCCESS;
}

/* Append [CLS] when asked and the template does not end in it. */
static int append_cls(parser *p, draft *d, const char *line_end)
{
    int32_t cls;
    if (symtab_intern(&p->syms, CLS_NAME, 5, &cls))
        return out_of_memory(p);
    if (d->sym[d->k - 1] == cls)
        return TKC_SUCCESS;
    if (d->k == TKC_K_MAX)
        return FAIL_AT(p, line_end,
                       "template has %d symbols and no room for [CLS]; "
                       "expected at most %d with [CLS]",
                       TKC_K_MAX, TKC_K_MAX);
    d->sym[d->k++] = cls;
    p->cls_appended = 1;
    return TKC_SUCCESS;
}

static int parse_line(parser *p, const char *s, const char *e, size_t *k0)
{
    const char *pos = s, *fs, *fe;
    char q[64];
    e = tkc_lex_comment_start(s, e);
    if (!tkc_lex_next_field(&pos, e, &fs, &fe))
        return TKC_SUCCESS;                                   /* blank line */

    line_info info = {0, 0, 0};
    double label = 0.0, weight = 0.0;
    const char *label_s = fs;
    size_t label_n = (size_t)(fe - fs);
    int symbolic = 0;
    if (label_n > TKC_LEX_SYMBOL_MAX)
        return FAIL_AT(p, fs, "label '%s' is longer than %d bytes",
                       tkc_lex_quote(fs, label_n, q), TKC_LEX_SYMBOL_MAX);
    if (tkc_lex_decimal(fs, label_n, &label)) {
        if (!isfinite(label))
            return FAIL_AT(p, fs, "label '%s' is out of the range of a double",
                           tkc_lex_quote(fs, label_n, q));
    } else if (tkc_lex_is_wildcard(fs, label_n)) {
        symbolic = 1;
    } else if (tkc_lex_non_finite(fs, label_n)) {
        return FAIL_AT(p, fs, "expected a finite real label, got '%s'",
                       tkc_lex_quote(fs, label_n, q));
    } else {
        return FAIL_AT(p, fs,
                       "expected a label (a finite real number, or a wildcard "
                       "of the template), got '%s'",
                       tkc_lex_quote(fs, label_n, q));
    }
    if (p->count > 0 && symbolic != (p->t[0].label_wildcard >= 0))
        return FAIL_AT(p, fs,
                       "label is %s but line %d's is %s; labels must be all "
                       "real numbers or all wildcards",
                       symbolic ? "a wildcard" : "a number", p->t[0].line,
                       symbolic ? "a number" : "a wildcard");

    const char *after_label = fe;
    if (!tkc_lex_next_field(&pos, e, &fs, &fe))
        return FAIL_AT(p, after_label, "expected a template after the label");
    if (fe - fs >= 3 && !memcmp(fs, "[w=", 3)) {
        info.weight_col = tkc_lex_column(s, fs);
        info.has_weight = 1;
        size_t n = (size_t)(fe - fs);
        if (fe[-1] != ']' || n < 5 || !tkc_lex_decimal(fs + 3, n - 4, &weight))
            return FAIL_AT(p, fs, "expected a weight [w=NUMBER], got '%s'",
                           tkc_lex_quote(fs, n, q));
        if (!(weight > 0.0 && weight <= 1.0))
            return FAIL_AT(p, fs + 3,
                           "weight %s is a probability; expected 0 < w <= 1",
                           tkc_lex_quote(fs + 3, n - 4, q));
        const char *after_weight = fe;
        if (!tkc_lex_next_field(&pos, e, &fs, &fe))
            return FAIL_AT(p, after_weight,
                           "expected a template after the weight");
    }

    info.template_col = tkc_lex_column(s, fs);
    const char *tmpl_start = fs, *first_end = fe;
    draft d = {.k = 0, .nwild = 0};
    int rc;
    if (!tkc_lex_next_field(&pos, e, &fs, &fe)) {
        rc = push_compact_symbols(p, &d, tmpl_start, first_end);
    } else {
        rc = push_spaced_symbol(p, &d, tmpl_start, first_end);
        pos = first_end;
        while (!rc && tkc_lex_next_field(&pos, e, &fs, &fe))
            rc = push_spaced_symbol(p, &d, fs, fe);
    }
    if (rc)
        goto fail;

    int label_wild = -1;
    if (symbolic) {
        label_wild = wildcard_index(&d, label_s, label_n);
        if (label_wild < 0) {
            rc = FAIL_AT(p, label_s,
                         "label wildcard '%s' does not appear in the template",
                         tkc_lex_quote(label_s, label_n, q));
            goto fail;
        }
    }
    if (p->opt->append_cls && (rc = append_cls(p, &d, e)))
        goto fail;
    if (p->count == 0) {
        *k0 = d.k;
    } else if (d.k != *k0) {
        rc = fail_line_col(p, p->line, info.template_col,
                           "template has %zu symbols%s; expected %zu like "
                           "line %d",
                           d.k, p->opt->append_cls ? " with [CLS]" : "", *k0,
                           p->t[0].line);
        goto fail;
    }
    if ((rc = push_template(p, &d, label, label_wild, weight, &info)))
        goto fail;
    return TKC_SUCCESS;
fail:
    draft_clear(&d);
    return rc;
}

/* ---- the whole set ------------------------------------------------------ */

static void templates_free(tkc_template *t, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        for (size_t w = 0; w < t[i].nwild; w++)
            free(t[i].wild_names[w]);
        free(t[i].wild_names);
        free(t[i].sym);
    }
    free(t);
}

void tkc_template_set_free(tkc_template_set *set)
{
    if (!set)
        return;
    templates_free(set->t, set->count);
    for (size_t i = 0; i < set->nsymbols; i++)
        free(set->symbol_names[i]);
    free(set->symbol_names);
    free(set->source);
    free(set);
}

static int weights_fail(parser *p, size_t i, const char *fmt, double sum,
                        size_t rest)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, sum, rest);
    return fail_line_col(p, p->t[i].line, p->info[i].weight_col, "%s", msg);
}

/* Weights: none (uniform), all (sum 1, then normalized), or some (the rest
 * share what is left). */
static int apply_weights(parser *p)
{
    size_t r = p->count, given = 0, last = 0;
    double sum = 0.0;
    for (size_t i = 0; i < r; i++)
        if (p->info[i].has_weight)
            given++, sum += p->t[i].weight, last = i;
    if (given == r && fabs(sum - 1.0) > WEIGHT_SUM_TOL)
        return weights_fail(p, last,
                            "weights sum to %.10g; expected a sum of 1 "
                            "(within 1e-6)%.0zu",
                            sum, 0);
    if (given > 0 && given < r && sum >= 1.0 - WEIGHT_SUM_TOL)
        return weights_fail(p, last,
                            "weights sum to %.10g, leaving nothing for the "
                            "%zu templates without one; expected a sum "
                            "below 1",
                            sum, r - given);
    double rest = given == r ? 0.0 : (1.0 - sum) / (double)(r - given);
    for (size_t i = 0; i < r; i++)
        p->t[i].weight = p->info[i].has_weight
                             ? (given == r ? p->t[i].weight / sum
                                           : p->t[i].weight)
                             : (given == 0 ? 1.0 / (double)r : rest);
    return TKC_SUCCESS;
}

/* Fresh tokens are spelled prefix + number; lengthen the prefix until no
 * regular token is spelled that way. */
static void choose_fresh_prefix(tkc_template_set *set)
{
    strcpy(set->fresh_prefix, "t");
    for (size_t len = 1; len < sizeof set->fresh_prefix - 1; len++) {
        int clash = 0;
        for (size_t i = 0; i < set->nsymbols && !clash; i++) {
            const char *s = set->symbol_names[i];
            if (strncmp(s, set->fresh_prefix, len) || !s[len])
                continue;
            clash = 1;
            for (const char *c = s + len; *c; c++)
                if (!tkc_lex_is_digit(*c))
                    clash = 0;
        }
        if (!clash)
            return;
        set->fresh_prefix[len] = 't';
        set->fresh_prefix[len + 1] = '\0';
    }
}

static int check_overlaps(parser *p, const tkc_template_set *set)
{
    int ok;
    size_t i, j;
    tkc_token witness[TKC_K_MAX];
    int rc = tkc_template_set_check_disjoint(set, &ok, &i, &j, witness,
                                             p->err);
    if (rc || ok)
        return rc;
    const tkc_template *zi = &set->t[i], *zj = &set->t[j];
    if (!memcmp(zi->sym, zj->sym, set->k * sizeof *zi->sym))
        return fail_line_col(p, zj->line, p->info[j].template_col,
                             "template is the same as line %d's (up to "
                             "renaming wildcards); expected distinct "
                             "templates",
                             zi->line);
    char w[512];
    tkc_template_string_format(set, witness, w, sizeof w);
    return fail_line_col(p, zj->line, p->info[j].template_col,
                         "template overlaps line %d's: both match '%s' "
                         "(%s1, %s2, ... are fresh tokens); expected "
                         "disjoint templates",
                         zi->line, w, set->fresh_prefix, set->fresh_prefix);
}

static int build_set(parser *p, size_t k, tkc_template_set **out)
{
    tkc_template_set *set = calloc(1, sizeof *set);
    char *source = malloc(strlen(p->name) + 1);
    if (!set || !source) {
        free(set);
        free(source);
        return out_of_memory(p);
    }
    strcpy(source, p->name);
    set->count = p->count;
    set->k = k;
    set->t = p->t;
    set->nsymbols = p->syms.n;
    set->symbol_names = p->syms.names;
    set->cls_appended = p->cls_appended;
    set->symbolic_labels = p->t[0].label_wildcard >= 0;
    set->source = source;
    choose_fresh_prefix(set);
    free(p->syms.slot);
    memset(&p->syms, 0, sizeof p->syms);
    p->t = NULL;
    p->count = 0;
    *out = set;
    return TKC_SUCCESS;
}

int tkc_template_set_parse(const char *text, size_t len, const char *name,
                           const tkc_parse_options *opt,
                           tkc_template_set **out, tkc_error *err)
{
    tkc_parse_options defaults;
    if (!opt) {
        tkc_parse_options_default(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    parser p = {.text = text, .len = len, .name = name ? name : "<input>",
                .err = err, .opt = opt};
    tkc_template_set *set = NULL;
    size_t k = 0, i = 0;
    int rc = validate_text(&p);
    if (rc)
        return rc;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    for (p.line = 1;; p.line++) {
        const char *s = text + i;
        const char *nl = memchr(s, '\n', len - i);
        p.line_start = s;
        if ((rc = parse_line(&p, s, nl ? nl : text + len, &k)))
            goto done;
        if (!nl)
            break;
        i = (size_t)(nl - text) + 1;
    }
    if (p.count == 0) {
        rc = fail_line_col(&p, 1, 1, "expected at least one template; the "
                                     "input has none");
        goto done;
    }
    if ((rc = apply_weights(&p)) || (rc = build_set(&p, k, &set)))
        goto done;
    if (!opt->allow_overlap && (rc = check_overlaps(&p, set)))
        goto done;
    *out = set;
    set = NULL;
done:
    tkc_template_set_free(set);
    templates_free(p.t, p.count);
    free(p.info);
    symtab_clear(&p.syms);
    return rc;
}

/* A read chunk that holds a NUL byte: not text, whatever follows (so that
 * /dev/zero is refused at its first chunk, not after the size limit). */
static int holds_nul(const char *path, const char *chunk, size_t n,
                     size_t offset, tkc_error *err)
{
    const char *z = memchr(chunk, '\0', n);
    if (!z)
        return TKC_SUCCESS;
    return tkc_fail(err, TKC_EINPUT, "%s: a NUL byte at byte %zu: not a "
                    "template file (expected UTF-8 text)", path,
                    offset + (size_t)(z - chunk) + 1);
}

int tkc_template_set_read_file(const char *path, const tkc_parse_options *opt,
                               tkc_template_set **out, tkc_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tkc_fail(err, TKC_EINPUT, "%s: cannot open: %s", path,
                        strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = TKC_SUCCESS;
    for (;;) {
        if (n == cap) {
            if (cap > TKC_TEMPLATE_FILE_MAX) {
                rc = tkc_fail(err, TKC_EINPUT, "%s: larger than %zu bytes "
                              "(%zu MiB); not a template file", path,
                              (size_t)TKC_TEMPLATE_FILE_MAX,
                              (size_t)TKC_TEMPLATE_FILE_MAX >> 20);
                break;
            }
            /* at most one byte past the limit: enough to know */
            cap = cap ? 2 * cap : 65536;
            if (cap > TKC_TEMPLATE_FILE_MAX + 1)
                cap = TKC_TEMPLATE_FILE_MAX + 1;
            char *b = realloc(buf, cap);
            if (!b) {
                rc = tkc_fail(err, TKC_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if ((rc = holds_nul(path, buf + n, got, n, err)))
            break;
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = tkc_fail(err, TKC_EINPUT, "%s: cannot read: %s", path,
                              strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!rc)
        rc = tkc_template_set_parse(buf ? buf : "", n, path, opt, out, err);
    free(buf);
    return rc;
}

/* ---- the writer --------------------------------------------------------- */

/* A regular token, escaped so that it reads back as itself. */
static void write_regular(FILE *out, const char *s)
{
    size_t n = strlen(s);
    if (tkc_lex_greek_at(s, n) || s[0] == '$' || !strncmp(s, "[w=", 3))
        fputc('\\', out);
    for (; *s; s++) {
        if (*s == '#' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
}

int tkc_template_set_write(const tkc_template_set *set, FILE *out,
                           tkc_error *err)
{
    tkc_c_locale g;          /* labels and weights read back in any locale */
    tkc_c_locale_enter(&g);
    int uniform = 1;
    for (size_t i = 1; i < set->count; i++)
        if (set->t[i].weight != set->t[0].weight)
            uniform = 0;
    for (size_t i = 0; i < set->count; i++) {
        const tkc_template *z = &set->t[i];
        if (z->label_wildcard >= 0)
            fputs(z->wild_names[z->label_wildcard], out);
        else
            fprintf(out, "%.17g", z->label);
        if (!uniform)
            fprintf(out, " [w=%.17g]", z->weight);
        for (size_t a = 0; a < set->k; a++) {
            fputc(' ', out);
            if (z->sym[a] < 0)
                fputs(z->wild_names[TKC_WILDCARD_INDEX(z->sym[a])], out);
            else
                write_regular(out, set->symbol_names[z->sym[a]]);
        }
        fputc('\n', out);
    }
    tkc_c_locale_leave(&g);
    if (ferror(out))
        return tkc_fail(err, TKC_EIO, "writing the template set failed");
    return TKC_SUCCESS;
}
