/* tkc/kernel_options.h — a kernel spec's options by name (kernel_options.c):
 * the one table that the command line (`--beta 4 --samples 65536`) and the
 * Python module (`beta=4, samples=65536`) both read, so that a name means
 * the same field, range and estimator wherever it is given.
 *
 * The options are the kernel-level ones (kernel, estimator, act, beta,
 * gamma, b1, b2, depth, seed, threads) and each K_attn estimator's own
 * (samples, points, replicates, order, prec, cv-order, target-se,
 * max-evals), each mapped one to one onto a field of tkc_kernel_spec
 * (tkc/kernel.h), with its range and the estimators that read it.  A name
 * may be spelled "--target-se", "target-se" or "target_se"; messages spell
 * it the way the caller did.  Values are text, read exactly as the command
 * line reads them (a whole-text number, finite, within the range; in the C
 * locale, "0.5", whatever the calling thread's), so that
 * the same value given either way sets the same bits.
 *
 * Typical use:
 *     tkc_kernel_spec spec;
 *     tkc_kernel_options_given given = 0;
 *     tkc_kernel_spec_default(&spec);
 *     if (tkc_kernel_option_set(&spec, "estimator", "qmc", &given, err) ||
 *         tkc_kernel_option_set(&spec, "points", "4096", &given, err) ||
 *         tkc_kernel_options_check(&spec, given, NULL,
 *                                  TKC_OPTION_NAMES_KEYWORD, err))
 *         ...error, the message names the option...;
 * Reentrant: the table is constant and nothing else is kept. */
#ifndef TKC_KERNEL_OPTIONS_H
#define TKC_KERNEL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "tkc/error.h"
#include "tkc/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an option sets: a type table by name, or a number of a C type. */
typedef enum tkc_kernel_option_kind {
    TKC_KERNEL_OPTION_KERNEL = 0,      /* spec->kernel by name             */
    TKC_KERNEL_OPTION_ESTIMATOR,       /* spec->estimator by name          */
    TKC_KERNEL_OPTION_ACTIVATION,      /* spec->activation by name         */
    TKC_KERNEL_OPTION_DOUBLE,          /* a double field                   */
    TKC_KERNEL_OPTION_U64,             /* a uint64_t field                 */
    TKC_KERNEL_OPTION_UINT,            /* an unsigned field                */
    TKC_KERNEL_OPTION_INT,             /* an int field                     */
    TKC_KERNEL_OPTION_LONG             /* a long field                     */
} tkc_kernel_option_kind;

#define TKC_KERNEL_OPTION_READERS 3

typedef struct tkc_kernel_option {
    const char *name;          /* "target-se": the command line's, no dashes */
    const char *metavar;       /* "E": the value's name in help texts        */
    tkc_kernel_option_kind kind;
    size_t offset, also;       /* offsetof the field(s) set in the spec;
                                  also = 0: one field                        */
    double lo, hi;             /* numbers: the range, both ends included     */
    /* The estimators that read it, NULL-terminated; empty (read_by[0] ==
     * NULL): a kernel-level option, read whatever the estimator. */
    const tkc_attn_estimator_type *const *read_by[TKC_KERNEL_OPTION_READERS];
    const char *help;          /* a few words for a help text                */
} tkc_kernel_option;

/* The table, in the order of the command line's help; terminated by an
 * entry whose name is NULL. */
TKC_API extern const tkc_kernel_option tkc_kernel_options[];

/* Which options were set: bit i for tkc_kernel_options[i]. */
typedef uint32_t tkc_kernel_options_given;

/* How names are spelled in the messages of tkc_kernel_options_check. */
typedef enum tkc_option_names {
    TKC_OPTION_NAMES_CLI = 0,          /* "--target-se"                     */
    TKC_OPTION_NAMES_KEYWORD           /* "target_se"                       */
} tkc_option_names;

/* The option called `name` ("--samples", "samples", "target_se"), or NULL
 * when no kernel option is called so. */
TKC_API const tkc_kernel_option *tkc_kernel_option_lookup(const char *name);

/* Set option `name` of spec from the text `value`: a kernel, estimator or
 * activation name from the registry, or a number (the whole text, finite,
 * within the option's range).  Marks it in *given (nullable).  TKC_EINPUT
 * names the option as spelled and says what was expected; spec is then
 * unchanged. */
TKC_API int tkc_kernel_option_set(tkc_kernel_spec *spec, const char *name,
                                  const char *value,
                                  tkc_kernel_options_given *given,
                                  tkc_error *err);

/* After the options: TKC_EINPUT when an estimator's option was given but
 * spec's estimator does not read it (unless it is `also_read`, nullable:
 * an option the caller reads itself — nmatrix and check read prec for
 * the certificate), naming who reads it and what the estimator reads,
 * spelled as `names` says; then the estimator's own check of its options
 * (kernels built on K_attn). */
TKC_API int tkc_kernel_options_check(const tkc_kernel_spec *spec,
                                     tkc_kernel_options_given given,
                                     const char *also_read,
                                     tkc_option_names names, tkc_error *err);

/* Was option `name` (any spelling) given?  0 for unknown names. */
TKC_API int tkc_kernel_options_given_has(tkc_kernel_options_given given,
                                         const char *name);

#ifdef __cplusplus
}
#endif
#endif
