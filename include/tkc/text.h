/* tkc/text.h — text that comes from outside, read one way wherever it
 * comes in (text.c): a template file, a command-line argument, a keyword
 * value of the Python module.
 *
 *   tkc_text_check   is it text: strict UTF-8, no NUL, no control
 *                    characters but tab, LF and CR — the rules of the
 *                    template file format (docs/templates.md), minus its
 *                    own (Unicode spaces), so that whatever tkc echoes back
 *                    (in a message, in JSON) is valid UTF-8;
 *   tkc_count_parse  a count: "65536", or with an exponent, "1e5", when
 *                    its value is exactly a whole number, or "2^20".
 * Both are pure functions of their arguments: reentrant, no locale. */
#ifndef TKC_TEXT_H
#define TKC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TKC_SUCCESS when s[0..len) is text as above; else TKC_EINPUT with a
 * message naming `what` ("argument 3"), the byte offset and what is there,
 * the text quoted with every byte that is not printable UTF-8 written
 * \xNN (so the message itself is valid UTF-8).  Strict UTF-8: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
TKC_API int tkc_text_check(const char *s, size_t len, const char *what,
                           tkc_error *err);

/* A count from the whole of `text`: decimal digits, then optionally a
 * fraction and an exponent — "65536", "1e5", "2.5e3", "1000e-3" — whose
 * value is a whole number in 0 .. 2^64 − 1, exactly (decimal arithmetic,
 * no rounding through a double); or a power, "2^20", base and exponent
 * plain decimal digits.  No sign, no space, no hexadecimal, no suffix.  TKC_EINPUT names `what` and says which: not a number, not a
 * whole number ("1.5", "1e-3"), or larger than 2^64 − 1. */
TKC_API int tkc_count_parse(const char *text, const char *what,
                            uint64_t *out, tkc_error *err);

#ifdef __cplusplus
}
#endif
#endif
