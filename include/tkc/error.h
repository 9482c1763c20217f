/* tkc/error.h — status codes and the error record every fallible call fills.
 *
 * There is no global error state: a caller passes a tkc_error (or NULL) and
 * gets back the status; the record keeps a human-readable message naming
 * what went wrong and where (file:line:col for input errors). */
#ifndef TKC_ERROR_H
#define TKC_ERROR_H

#include <stdarg.h>

/* TKC_API marks what libtkc exports: every function and object that a
 * public header declares (every one of them includes this one), and
 * nothing else.  The library is built with hidden symbol visibility
 * (meson: gnu_symbol_visibility), so its internal functions stay inside
 * it; tests/test_abi.sh checks the exported list against
 * tests/abi/libtkc.symbols. */
#if defined(__GNUC__) || defined(__clang__)
#define TKC_API __attribute__((visibility("default")))
#else
#define TKC_API
#endif


#ifdef __cplusplus
extern "C" {
#endif

typedef enum tkc_status {
    TKC_SUCCESS = 0,
    TKC_EINPUT,    /* malformed or invalid input: files, strings, parameters */
    TKC_ENOMEM,    /* allocation failed or requested size is absurd          */
    TKC_ERANGE,    /* a method asked outside the range where it is valid     */
    TKC_ENUMERIC,  /* a numerical failure that could not be recovered        */
    TKC_EIO        /* reading or writing a file failed                       */
} tkc_status;

#define TKC_ERROR_MESSAGE_MAX 1024

typedef struct tkc_error {
    tkc_status status;
    char message[TKC_ERROR_MESSAGE_MAX];
} tkc_error;

/* Record status and a printf-style message in err (err may be NULL);
 * returns status so that callers can write `return tkc_fail(err, ...)`. */
TKC_API int tkc_fail(tkc_error *err, tkc_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
TKC_API int tkc_vfail(tkc_error *err, tkc_status status, const char *fmt,
                      va_list ap);

/* Reset err to TKC_SUCCESS with an empty message. */
TKC_API void tkc_error_clear(tkc_error *err);

/* A short constant name for a status ("bad input", "out of memory", ...). */
TKC_API const char *tkc_status_string(int status);

#ifdef __cplusplus
}
#endif
#endif
