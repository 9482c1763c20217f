/* tkc/export.h — TKC_API marks what libtkc exports: every function and
 * object that a public header declares, and nothing else.  The library is
 * built with hidden symbol visibility (meson: gnu_symbol_visibility), so
 * its internal functions stay inside it; the list of exported symbols is
 * checked by tests/test_abi.sh against tests/abi/libtkc.symbols. */
#ifndef TKC_EXPORT_H
#define TKC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define TKC_API __attribute__((visibility("default")))
#else
#define TKC_API
#endif

#endif
