/* tkc/tkc.h — the whole public API of libtkc, the template kernel
 * calculator (arXiv 2310.09753), in the order a computation meets it:
 *
 *   error.h     status codes, the error record every fallible call fills,
 *               TKC_API (what libtkc exports)
 *   pattern.h   token strings, pairs, canonical pair patterns, the index
 *   text.h      text from outside: UTF-8 checks, counts ("1e5")
 *   template.h  template sets: the file format, substitution, disjointness
 *   sample.h    the data distribution (draws for a seed)
 *   evidence.h  what a box, a bound or a verdict rests on
 *   shard.h     one computation shared by several processes (MPI ranks)
 *   progress.h  how far a long call has got, reported to the caller
 *   kernel.h    the kernel spec, the type tables (kernels, K_attn
 *               estimators and their options, activations), evaluation
 *   series.h    exact Taylor coefficients of K_attn (GMP)
 *   coeffs.h    the exact coefficient matrices of N_attn of a set
 *   finite.h    finite-width networks whose kernels tend to tkc's
 *   certify.h   box certificates of nonsingularity
 *   nmatrix.h   the matrix N of a template set, and
 *   generic.h   the generic verdict: Lemmas 3.7 and 3.6 from the exact
 *               coefficients (for almost every parameter)
 *   verdict.h   its verdict (tkc_nmatrix_decide)
 *   spd.h       the SPD solve with an escalating ridge
 *   krr.h       kernel ridge regression on given strings and labels
 *   rates.h     Theorem 3.4's fits
 *
 * Build against it with `pkg-config --cflags --libs tkc`.
 *
 * libtkc sets no process-wide state.  It checks every GSL return code and
 * never needs GSL's error handler, but GSL's default handler aborts inside
 * a failing GSL allocation before libtkc sees the failure: a program that
 * wants an error there calls gsl_set_error_handler_off() once, before it
 * starts threads, as the tkc program does.  The calls that read or write
 * numbers as text do so in the C locale whatever the program's, on the
 * calling thread only (docs/library.md lists them). */
#ifndef TKC_TKC_H
#define TKC_TKC_H

#include "tkc/error.h"
#include "tkc/pattern.h"
#include "tkc/template.h"
#include "tkc/text.h"
#include "tkc/sample.h"
#include "tkc/evidence.h"
#include "tkc/shard.h"
#include "tkc/progress.h"
#include "tkc/kernel.h"
#include "tkc/kernel_options.h"
#include "tkc/gram.h"
#include "tkc/series.h"
#include "tkc/coeffs.h"
#include "tkc/finite.h"
#include "tkc/certify.h"
#include "tkc/nmatrix.h"
#include "tkc/generic.h"
#include "tkc/verdict.h"
#include "tkc/spd.h"
#include "tkc/krr.h"
#include "tkc/rates.h"

#endif
