/* c_locale.h (internal) — numbers as text the same in every process.
 *
 * strtod and printf read and write numbers in the locale of the calling
 * thread, which is the process's unless the thread chose its own: a host
 * program that calls setlocale(LC_ALL, "") under de_DE.UTF-8 would make
 * libtkc read the label "0.5" as 0 and write "0,5" into a template file, a
 * message or a verdict.  libtkc sets no process-wide state (setlocale is
 * process-wide, and not thread-safe), so it switches the CALLING THREAD
 * to the C locale (POSIX uselocale) for the length of a call that reads or
 * writes numbers as text, and back: reentrant, thread-safe, invisible to
 * the host.
 *
 * Where it is used: number parsing (the template lexer), and the public
 * calls that format numbers into text — tkc_fail/tkc_vfail (every error
 * message), tkc_template_set_write, tkc_kernel_eval_pairs (notes),
 * tkc_certify and tkc_certificate_snprint, tkc_nmatrix_decide (all the
 * verdict's text).  The command-line program keeps LC_NUMERIC at "C" for
 * its own printf (main.c). */
#ifndef TKC_C_LOCALE_H
#define TKC_C_LOCALE_H

#include <locale.h>

typedef struct tkc_c_locale {
    locale_t c;         /* the C locale object, or (locale_t)0              */
    locale_t saved;     /* the thread's locale before, restored on leave    */
} tkc_c_locale;

/* Switch this thread to the C locale until tkc_c_locale_leave(g).  When
 * the C locale object cannot be made (out of memory) nothing changes;
 * number parsing then checks its end pointer and fails rather than read a
 * number wrong. */
void tkc_c_locale_enter(tkc_c_locale *g);
void tkc_c_locale_leave(tkc_c_locale *g);

/* strtod in the C locale, whatever the thread's; *end as strtod's (the
 * caller checks it). */
double tkc_c_locale_strtod(const char *s, char **end);

#endif
