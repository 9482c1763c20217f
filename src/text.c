/* text.c — text from outside, read one way (tkc/text.h): is it text, and
 * counts written "65536", "1e5" or "2^20".  The characters are the template
 * lexer's (template_lex.c), so a command-line argument and a template file
 * refuse the same bytes. */
#include "tkc/text.h"

#include <stdio.h>
#include <string.h>

#include "template_lex.h"

/* ---- text ----------------------------------------------------------------- */

/* s[0..len) into buf (size bytes, NUL-terminated), every byte that is not
 * printable UTF-8 written \xNN, cut with "..." past about 60 bytes. */
static void quote(const char *s, size_t len, char *buf, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < size;) {
        uint32_t cp;
        size_t n;
        if (i >= 60) {
            o += (size_t)snprintf(buf + o, size - o, "...");
            break;
        }
        if (tkc_lex_text_char(u + i, len - i, &cp, &n) == TKC_LEX_TEXT_OK &&
            cp >= 0x20 && o + n < size) {
            memcpy(buf + o, s + i, n);
            o += n;
        } else {
            n = 1;
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", u[i]);
        }
        i += n;
    }
    buf[o < size ? o : size - 1] = '\0';
}

int tkc_text_check(const char *s, size_t len, const char *what,
                   tkc_error *err)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n;
        tkc_lex_text_fault f = tkc_lex_text_char(u + i, len - i, &cp, &n);
        if (f == TKC_LEX_TEXT_OK) {
            i += n;
            continue;
        }
        char q[256];
        quote(s, len, q, sizeof q);
        if (f == TKC_LEX_TEXT_UTF8)
            return tkc_fail(err, TKC_EINPUT, "%s '%s': invalid UTF-8 at byte "
                            "%zu (0x%02X); expected UTF-8 text", what, q,
                            i + 1, u[i]);
        return tkc_fail(err, TKC_EINPUT, "%s '%s': %s at byte %zu; expected "
                        "text", what, q, f == TKC_LEX_TEXT_NUL ? "a NUL byte"
                        : "a control character", i + 1);
    }
    return TKC_SUCCESS;
}

/* ---- counts ---------------------------------------------------------------- */

/* The exponent's digits at *p, saturated far beyond any count's (a count
 * has at most 20 digits); 0 when there are none. */
static int exponent(const char **p, long *out)
{
    int neg = **p == '-';
    if (**p == '+' || **p == '-')
        (*p)++;
    if (!tkc_lex_is_digit(**p))
        return 0;
    long e = 0;
    for (; tkc_lex_is_digit(**p); (*p)++)
        if (e < 1000000)
            e = 10 * e + (**p - '0');
    *out = neg ? -e : e;
    return 1;
}

/* "B^E", both plain decimal digits (at most 19 each): B to the power E,
 * exactly.  1 when text is of that form (then *rc says how it went), 0
 * when it is not. */
static int power_form(const char *text, const char *what, uint64_t *out,
                      tkc_error *err, int *rc)
{
    size_t nb = strspn(text, "0123456789");
    if (nb == 0 || nb > 19 || text[nb] != '^')
        return 0;
    const char *e = text + nb + 1;
    size_t ne = strspn(e, "0123456789");
    if (ne == 0 || ne > 19 || e[ne] != '\0')
        return 0;
    uint64_t b = 0, x = 0, v = 1;
    for (size_t i = 0; i < nb; i++)
        b = 10 * b + (uint64_t)(text[i] - '0');
    for (size_t i = 0; i < ne; i++)
        x = 10 * x + (uint64_t)(e[i] - '0');
    if (b == 0) {               /* 0^0 = 1, as every count of products */
        *out = x == 0;
        *rc = TKC_SUCCESS;
        return 1;
    }
    for (uint64_t i = 0; i < x && b != 1; i++) {
        if (v > UINT64_MAX / b) {
            *rc = tkc_fail(err, TKC_EINPUT, "%s: %s is larger than 2^64 - 1",
                           what, text);
            return 1;
        }
        v *= b;
    }
    *out = v;
    *rc = TKC_SUCCESS;
    return 1;
}

int tkc_count_parse(const char *text, const char *what, uint64_t *out,
                    tkc_error *err)
{
    int prc;
    if (text && power_form(text, what, out, err, &prc))   /* "2^20" */
        return prc;
    /* digits [. digits] [(e|E) [+-] digits]: the significant digits in
     * sig (leading zeros dropped), the value sig × 10^e10 */
    char sig[32];
    size_t ns = 0;
    int dropped = 0;            /* a nonzero digit beyond sig's room       */
    long e10 = 0, e;
    const char *p = text;
    if (!text || !tkc_lex_is_digit(*p))
        goto not_a_count;
    for (int frac = 0;; p++) {
        if (*p == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (!tkc_lex_is_digit(*p))
            break;
        e10 -= frac;
        if (ns == 0 && *p == '0')
            continue;
        if (ns < sizeof sig) {
            sig[ns++] = *p;
        } else {                /* past 32 significant digits */
            dropped |= *p != '0';
            e10++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (!exponent(&p, &e))
            goto not_a_count;
        e10 += e;
    }
    if (*p != '\0')
        goto not_a_count;
    /* more than 32 significant digits, a nonzero one among those dropped:
     * beyond 20 whole digits it is too large, else it has a fraction */
    if (dropped && (long)ns + e10 > 20)
        goto too_large;
    if (dropped)
        goto not_whole;
    /* a negative power of ten must cancel against trailing zeros */
    while (e10 < 0 && ns > 0 && sig[ns - 1] == '0')
        ns--, e10++;
    if (e10 < 0 && ns > 0)
        goto not_whole;
    uint64_t v = 0;
    if (ns > 0 && (long)ns + e10 > 20)
        goto too_large;
    for (size_t i = 0; i < ns; i++) {
        unsigned d = (unsigned)(sig[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            goto too_large;
        v = 10 * v + d;
    }
    for (long i = 0; ns > 0 && i < e10; i++) {
        if (v > UINT64_MAX / 10)
            goto too_large;
        v *= 10;
    }
    *out = v;
    return TKC_SUCCESS;
not_whole:
    return tkc_fail(err, TKC_EINPUT, "%s expects a whole number, got '%s'",
                    what, text);
too_large:
    return tkc_fail(err, TKC_EINPUT, "%s: %s is larger than 2^64 - 1", what,
                    text);
not_a_count:
    return tkc_fail(err, TKC_EINPUT, "%s expects a whole number (65536, 1e5 "
                    "or 2^16), got '%s'", what, text ? text : "(null)");
}
