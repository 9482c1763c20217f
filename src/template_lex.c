/* template_lex.c — the lexical layer of the template file format (the
 * format itself is spelled out at the top of template_parse.c): strict
 * UTF-8, the character classes that make a symbol a wildcard, escapes,
 * comments, whitespace-separated fields, strict decimal numbers, and the
 * columns and quotations that error messages use.  No state: every function
 * reads the bytes it is given. */
#include "template_lex.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "c_locale.h"

/* ---- characters --------------------------------------------------------- */

/* Decode one code point of strict UTF-8 (no overlongs, no surrogates);
 * returns its length in bytes, 0 when invalid. */
size_t tkc_lex_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

tkc_lex_text_fault tkc_lex_text_char(const unsigned char *s, size_t n,
                                     uint32_t *cp, size_t *len)
{
    *len = tkc_lex_utf8(s, n, cp);
    if (!*len) {
        *len = 1;
        return TKC_LEX_TEXT_UTF8;
    }
    if (*cp == 0)
        return TKC_LEX_TEXT_NUL;
    if ((*cp < 0x20 && *cp != '\t' && *cp != '\n' && *cp != '\r') ||
        *cp == 0x7F)
        return TKC_LEX_TEXT_CONTROL;
    return TKC_LEX_TEXT_OK;
}

int tkc_lex_is_greek(uint32_t cp)
{
    return (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) ||
           (cp >= 0x3B1 && cp <= 0x3C9) || cp == 0x3F5;
}

/* Spaces other than ASCII ones: they would silently become tokens. */
int tkc_lex_is_unicode_space(uint32_t cp)
{
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int is_name_char(char c)
{
    return tkc_lex_is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* Greek code point at s (valid UTF-8 assumed); its length or 0. */
size_t tkc_lex_greek_at(const char *s, size_t n)
{
    uint32_t cp;
    size_t len = tkc_lex_utf8((const unsigned char *)s, n, &cp);
    return (len && tkc_lex_is_greek(cp)) ? len : 0;
}

/* Is s[0..n) wildcard syntax: Greek letter + digits, or $name? */
int tkc_lex_is_wildcard(const char *s, size_t n)
{
    size_t g = tkc_lex_greek_at(s, n);
    if (g) {
        for (size_t i = g; i < n; i++)
            if (!tkc_lex_is_digit(s[i]))
                return 0;
        return 1;
    }
    if (n < 2 || s[0] != '$')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_name_char(s[i]))
            return 0;
    return 1;
}

/* ---- fields and numbers ------------------------------------------------- */

/* End of the line's content: the first unescaped '#', or e. */
const char *tkc_lex_comment_start(const char *s, const char *e)
{
    for (; s < e; s++) {
        if (*s == '\\' && s + 1 < e)
            s++;                  /* what follows is escaped (its first byte) */
        else if (*s == '#')
            return s;
    }
    return e;
}

/* Next whitespace-separated field of [*pos, e): [*fs, *fe); 0 when none. */
int tkc_lex_next_field(const char **pos, const char *e, const char **fs,
                      const char **fe)
{
    const char *s = *pos;
    while (s < e && is_space(*s))
        s++;
    if (s == e)
        return 0;
    *fs = s;
    while (s < e && !is_space(*s))
        s++;
    *fe = *pos = s;
    return 1;
}

/* Strict decimal number: [+-] digits [. digits] [(e|E) [+-] digits], with
 * at least one digit in the mantissa.  1 and *x when it is one. */
int tkc_lex_decimal(const char *s, size_t n, double *x)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && tkc_lex_is_digit(s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && tkc_lex_is_digit(s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && tkc_lex_is_digit(s[i]))
            i++;
        if (i == e0)
            return 0;
    }
    if (i != n || n > TKC_LEX_SYMBOL_MAX)
        return 0;
    char buf[TKC_LEX_SYMBOL_MAX + 1], *end;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *x = tkc_c_locale_strtod(buf, &end);
    return end == buf + n;   /* all of it, in any host locale */
}

int tkc_lex_non_finite(const char *s, size_t n)
{
    if (n && (*s == '+' || *s == '-'))
        s++, n--;
    return (n == 3 && (!strncasecmp(s, "nan", 3) || !strncasecmp(s, "inf", 3)))
           || (n == 8 && !strncasecmp(s, "infinity", 8));
}

/* Length of the escape sequence at s ('\' + the escaped code point), 0 when
 * it is not a known escape. */
size_t tkc_lex_escape_length(const char *s, const char *e)
{
    if (s + 1 >= e)
        return 0;
    char c = s[1];
    if (c == '\\' || c == '#' || c == '$' || c == '[')
        return 2;
    size_t g = tkc_lex_greek_at(s + 1, (size_t)(e - s - 1));
    return g ? 1 + g : 0;
}

int tkc_lex_column(const char *line_start, const char *at)
{
    int col = 1;
    for (const char *s = line_start; s < at; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            col++;
    return col;
}

/* A short quotation of s[0..n) for messages: at most 40 bytes, cut at a
 * code point boundary, with "..." when cut. */
const char *tkc_lex_quote(const char *s, size_t n, char buf[64])
{
    size_t m = n;
    if (m > 40) {
        m = 40;
        while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
            m--;
    }
    memcpy(buf, s, m);
    strcpy(buf + m, m < n ? "..." : "");
    return buf;
}
