/* template_lex.h — the lexical layer of the template file format
 * (template_lex.c), internal to the parser and writer (template_parse.c).
 * Text is UTF-8 bytes; [s, e) ranges are byte ranges; columns count code
 * points from 1. */
#ifndef TKC_TEMPLATE_LEX_H
#define TKC_TEMPLATE_LEX_H

#include <stddef.h>
#include <stdint.h>

/* Symbols (and labels) are at most this many bytes. */
#define TKC_LEX_SYMBOL_MAX 256

static inline int tkc_lex_is_digit(char c) { return c >= '0' && c <= '9'; }

/* One code point of strict UTF-8 (no overlongs, no surrogates): its length
 * in bytes, 0 when invalid. */
size_t tkc_lex_utf8(const unsigned char *s, size_t n, uint32_t *cp);
/* One character of text as tkc reads text from outside (tkc/text.h):
 * strict UTF-8, no NUL, no control character but tab, LF and CR.  OK with
 * its code point and length in bytes; else what is wrong (*len is then 1:
 * the offending byte). */
typedef enum tkc_lex_text_fault {
    TKC_LEX_TEXT_OK = 0,
    TKC_LEX_TEXT_UTF8,          /* not strict UTF-8                          */
    TKC_LEX_TEXT_NUL,           /* a NUL byte                                */
    TKC_LEX_TEXT_CONTROL        /* a control character (C0 but tab, LF, CR;
                                   DEL)                                      */
} tkc_lex_text_fault;
tkc_lex_text_fault tkc_lex_text_char(const unsigned char *s, size_t n,
                                     uint32_t *cp, size_t *len);
/* The Greek letters that name wildcards (U+0391–U+03A9, U+03B1–U+03C9, ϵ). */
int tkc_lex_is_greek(uint32_t cp);
/* Spaces other than ASCII ones (they would silently become tokens). */
int tkc_lex_is_unicode_space(uint32_t cp);
/* Length of the Greek code point at s, or 0 (valid UTF-8 assumed). */
size_t tkc_lex_greek_at(const char *s, size_t n);
/* Is s[0..n) wildcard syntax: a Greek letter + digits, or $name? */
int tkc_lex_is_wildcard(const char *s, size_t n);
/* Length of the escape at s ('\' + the escaped code point), 0 if unknown. */
size_t tkc_lex_escape_length(const char *s, const char *e);

/* The first unescaped '#' of [s, e), or e. */
const char *tkc_lex_comment_start(const char *s, const char *e);
/* The next whitespace-separated field of [*pos, e) as [*fs, *fe), moving
 * *pos past it; 0 when there is none. */
int tkc_lex_next_field(const char **pos, const char *e, const char **fs,
                       const char **fe);
/* Strict decimal number ([+-] digits [. digits] [(e|E) [+-] digits]): 1 and
 * *x when s[0..n) is one, read in the C locale whatever the host's. */
int tkc_lex_decimal(const char *s, size_t n, double *x);
/* Does s[0..n) spell nan, inf or infinity (any case, optional sign)? */
int tkc_lex_non_finite(const char *s, size_t n);

/* Column of `at` on the line starting at line_start. */
int tkc_lex_column(const char *line_start, const char *at);
/* A short quotation of s[0..n) for messages: at most 40 bytes, cut at a
 * code point boundary, with "..." when cut. */
const char *tkc_lex_quote(const char *s, size_t n, char buf[64]);

#endif
