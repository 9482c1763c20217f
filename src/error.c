/* error.c — the tkc_error record. */
#include "tkc/error.h"

#include <stdio.h>
#include <string.h>

#include "c_locale.h"

int tkc_vfail(tkc_error *err, tkc_status status, const char *fmt, va_list ap)
{
    if (err) {
        tkc_c_locale g;     /* numbers in messages: "0.5", never "0,5" */
        err->status = status;
        tkc_c_locale_enter(&g);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        tkc_c_locale_leave(&g);
    }
    return (int)status;
}

int tkc_fail(tkc_error *err, tkc_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tkc_vfail(err, status, fmt, ap);
    va_end(ap);
    return rc;
}

void tkc_error_clear(tkc_error *err)
{
    if (err) {
        err->status = TKC_SUCCESS;
        err->message[0] = '\0';
    }
}

const char *tkc_status_string(int status)
{
    switch (status) {
    case TKC_SUCCESS:  return "success";
    case TKC_EINPUT:   return "bad input";
    case TKC_ENOMEM:   return "out of memory";
    case TKC_ERANGE:   return "outside the valid range";
    case TKC_ENUMERIC: return "numerical failure";
    case TKC_EIO:      return "input/output error";
    default:           return "unknown status";
    }
}
