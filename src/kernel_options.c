/* kernel_options.c — a kernel spec's options by name (tkc/kernel_options.h):
 * the table, reading a value into its field, and the check that an
 * estimator's option goes with the estimator chosen. */
#include "tkc/kernel_options.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tkc/series.h"
#include "tkc/text.h"

#include "c_locale.h"

#define SPEC_AT(field) offsetof(tkc_kernel_spec, field)
#define KERNEL_LEVEL {NULL}

const tkc_kernel_option tkc_kernel_options[] = {
    {"kernel", "K", TKC_KERNEL_OPTION_KERNEL, 0, 0, 0, 0, KERNEL_LEVEL,
     "kernel"},
    {"estimator", "E", TKC_KERNEL_OPTION_ESTIMATOR, 0, 0, 0, 0, KERNEL_LEVEL,
     "K_attn estimator (of attn, trans)"},
    {"act", "A", TKC_KERNEL_OPTION_ACTIVATION, 0, 0, 0, 0, KERNEL_LEVEL,
     "activation (of trans, mlp, mlpxx)"},
    {"beta", "B", TKC_KERNEL_OPTION_DOUBLE, SPEC_AT(beta), 0, -1e3, 1e3,
     KERNEL_LEVEL, "softmax inverse temperature"},
    {"gamma", "G", TKC_KERNEL_OPTION_DOUBLE, SPEC_AT(gamma), 0, -1e3, 1e3,
     KERNEL_LEVEL, "size of positional embeddings"},
    {"b1", "X", TKC_KERNEL_OPTION_DOUBLE, SPEC_AT(b1), 0, -1e3, 1e3,
     KERNEL_LEVEL, "phi(t) = cos(b1 t + b2): b1"},
    {"b2", "Y", TKC_KERNEL_OPTION_DOUBLE, SPEC_AT(b2), 0, -1e3, 1e3,
     KERNEL_LEVEL, "phi(t) = cos(b1 t + b2): b2"},
    {"depth", "L", TKC_KERNEL_OPTION_UINT, SPEC_AT(mlp_depth), 0, 1, 64,
     KERNEL_LEVEL, "hidden layers of the MLP kernels"},
    {"seed", "S", TKC_KERNEL_OPTION_U64, SPEC_AT(seed), 0, 0,
     (double)UINT64_MAX, KERNEL_LEVEL, "random seed"},
    {"threads", "T", TKC_KERNEL_OPTION_UINT, SPEC_AT(threads), 0, 1, 256,
     KERNEL_LEVEL, "worker threads; results do not depend on it"},
    {"samples", "N", TKC_KERNEL_OPTION_U64, SPEC_AT(mc.samples),
     SPEC_AT(cvmc.samples), 1, (double)TKC_ATTN_SAMPLES_MAX,
     {&tkc_attn_mc, &tkc_attn_cvmc, NULL},
     "integrand evaluations, two per antithetic pair"},
    {"points", "N", TKC_KERNEL_OPTION_U64, SPEC_AT(qmc.points), 0, 1,
     (double)(1 << 30), {&tkc_attn_qmc, NULL},
     "Sobol points per replicate, two evaluations each"},
    {"replicates", "R", TKC_KERNEL_OPTION_UINT, SPEC_AT(qmc.replicates), 0, 2,
     1 << 16, {&tkc_attn_qmc, &tkc_attn_auto, NULL},
     "shifted QMC replicates (auto: its QMC candidate's)"},
    {"order", "D", TKC_KERNEL_OPTION_INT, SPEC_AT(series.order), 0, 0,
     TKC_SERIES_ORDER_MAX - 2, {&tkc_attn_series, NULL},
     "largest power of beta summed, even; 0 = optimal truncation"},
    {"prec", "BITS", TKC_KERNEL_OPTION_LONG, SPEC_AT(series.prec), 0, 53,
     1 << 20, {&tkc_attn_series, &tkc_attn_auto, NULL},
     "MPFR bits of the series sum (auto: its series candidate's; nmatrix, "
     "check: also the certificate's)"},
    {"cv-order", "Q", TKC_KERNEL_OPTION_INT, SPEC_AT(cvmc.order), 0, 2, 4,
     {&tkc_attn_cvmc, NULL},
     "the control variate, the beta^2 or beta^4 series: 2|4"},
    {"target-se", "E", TKC_KERNEL_OPTION_DOUBLE, SPEC_AT(automatic.target_se),
     0, 1e-15, 1, {&tkc_attn_auto, NULL}, "the error it aims for, every entry"},
    {"max-evals", "N", TKC_KERNEL_OPTION_U64, SPEC_AT(automatic.max_evals), 0,
     4, (double)TKC_ATTN_SAMPLES_MAX, {&tkc_attn_auto, NULL},
     "integrand evaluations its chosen run may spend, and at most N x 1024 "
     "integrand values (evaluations x entries) for long lists of pairs"},
    {NULL, NULL, 0, 0, 0, 0, 0, KERNEL_LEVEL, NULL}
};

/* ---- names ---------------------------------------------------------------- */

/* Does `name` ("--target-se", "target_se") spell the table's `canonical`
 * ("target-se")? */
static int spells(const char *name, const char *canonical)
{
    if (name[0] == '-' && name[1] == '-')
        name += 2;
    for (; *name && *canonical; name++, canonical++)
        if (*name != *canonical && !(*name == '_' && *canonical == '-'))
            return 0;
    return !*name && !*canonical;
}

const tkc_kernel_option *tkc_kernel_option_lookup(const char *name)
{
    for (const tkc_kernel_option *o = tkc_kernel_options; name && o->name; o++)
        if (spells(name, o->name))
            return o;
    return NULL;
}

/* The option's name as `names` spells it: "--target-se" or "target_se". */
static const char *spelled(const tkc_kernel_option *o, tkc_option_names names,
                           char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", names == TKC_OPTION_NAMES_CLI ? "--" : "",
             o->name);
    if (names == TKC_OPTION_NAMES_KEYWORD)
        for (char *p = buf; *p; p++)
            *p = *p == '-' ? '_' : *p;
    return buf;
}

/* items joined by ", " into buf. */
static const char *joined(const char *const *items, size_t n, char *buf,
                          size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                                items[i]);
    return buf;
}

/* The names of a family of types, NULL-terminated list `types` of any
 * table whose first member is its name, joined by ", ". */
#define TYPE_NAMES(list, buf)                                                 \
    do {                                                                      \
        const char *names_[16];                                               \
        size_t n_ = 0;                                                        \
        for (; n_ < 16 && (list)[n_]; n_++)                                   \
            names_[n_] = (list)[n_]->name;                                    \
        joined(names_, n_, buf, sizeof buf);                                  \
    } while (0)

/* ---- values --------------------------------------------------------------- */

static int set_type(tkc_kernel_spec *spec, const tkc_kernel_option *o,
                    const char *text, tkc_error *err)
{
    char list[160];
    const char *what;
    switch (o->kind) {
    case TKC_KERNEL_OPTION_KERNEL: {
        const tkc_kernel_type *t = tkc_kernel_type_lookup(text);
        if (t) {
            spec->kernel = t;
            return TKC_SUCCESS;
        }
        TYPE_NAMES(tkc_kernel_types, list);
        what = "kernel";
        break;
    }
    case TKC_KERNEL_OPTION_ESTIMATOR: {
        const tkc_attn_estimator_type *t = tkc_attn_estimator_lookup(text);
        if (t) {
            spec->estimator = t;
            return TKC_SUCCESS;
        }
        TYPE_NAMES(tkc_attn_estimator_types, list);
        what = "estimator";
        break;
    }
    default: {
        const tkc_activation_type *t = tkc_activation_lookup(text);
        if (t) {
            spec->activation = t;
            return TKC_SUCCESS;
        }
        TYPE_NAMES(tkc_activation_types, list);
        what = "activation";
        break;
    }
    }
    return tkc_fail(err, TKC_EINPUT, "unknown %s '%s' (%s)", what, text, list);
}

/* A number from the whole text, in [lo, hi]: a finite double, or a count
 * ("65536", "1e5": tkc_count_parse). */
static int read_number(const tkc_kernel_option *o, const char *name,
                       const char *text, double *d, uint64_t *u,
                       tkc_error *err)
{
    char *end;
    errno = 0;
    if (o->kind == TKC_KERNEL_OPTION_DOUBLE) {
        *d = tkc_c_locale_strtod(text, &end);   /* "0.5" whatever the locale */
        if (end == text || *end != '\0' || errno == ERANGE || !isfinite(*d))
            return tkc_fail(err, TKC_EINPUT,
                            "%s expects a finite number, got '%s'", name, text);
        if (*d < o->lo || *d > o->hi)
            return tkc_fail(err, TKC_EINPUT, "%s must be in [%g, %g], got %s",
                            name, o->lo, o->hi, text);
        return TKC_SUCCESS;
    }
    uint64_t lo = (uint64_t)o->lo,
             hi = o->hi >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)o->hi;
    uint64_t x;
    int rc = tkc_count_parse(text, name, &x, err);   /* "65536", "1e5" */
    if (rc)
        return rc;
    if (x < lo || x > hi)
        return tkc_fail(err, TKC_EINPUT,
                        "%s must be in [%" PRIu64 ", %" PRIu64 "], got %s",
                        name, lo, hi, text);
    *u = x;
    return TKC_SUCCESS;
}

static void store(const tkc_kernel_option *o, tkc_kernel_spec *spec,
                  size_t at, double d, uint64_t u)
{
    char *p = (char *)spec + at;
    switch (o->kind) {
    case TKC_KERNEL_OPTION_DOUBLE: *(double *)p = d; break;
    case TKC_KERNEL_OPTION_U64:    *(uint64_t *)p = u; break;
    case TKC_KERNEL_OPTION_UINT:   *(unsigned *)p = (unsigned)u; break;
    case TKC_KERNEL_OPTION_INT:    *(int *)p = (int)u; break;
    case TKC_KERNEL_OPTION_LONG:   *(long *)p = (long)u; break;
    default:                       break;
    }
}

int tkc_kernel_option_set(tkc_kernel_spec *spec, const char *name,
                          const char *value, tkc_kernel_options_given *given,
                          tkc_error *err)
{
    const tkc_kernel_option *o = tkc_kernel_option_lookup(name);
    if (!spec || !o)
        return tkc_fail(err, TKC_EINPUT, "unknown kernel option '%s'",
                        name ? name : "(null)");
    if (!value)
        return tkc_fail(err, TKC_EINPUT, "%s needs a value", name);
    int st;
    if (o->kind <= TKC_KERNEL_OPTION_ACTIVATION) {
        st = set_type(spec, o, value, err);
    } else {
        double d = 0;
        uint64_t u = 0;
        st = read_number(o, name, value, &d, &u, err);
        if (!st) {
            store(o, spec, o->offset, d, u);
            if (o->also)
                store(o, spec, o->also, d, u);
        }
    }
    if (!st && given)
        *given |= (tkc_kernel_options_given)1 << (o - tkc_kernel_options);
    return st;
}

int tkc_kernel_options_given_has(tkc_kernel_options_given given,
                                 const char *name)
{
    const tkc_kernel_option *o = tkc_kernel_option_lookup(name);
    return o ? (int)((given >> (o - tkc_kernel_options)) & 1) : 0;
}

/* ---- which estimator reads what ------------------------------------------- */

static int reads(const tkc_kernel_option *o, const tkc_attn_estimator_type *e)
{
    for (size_t r = 0; r < TKC_KERNEL_OPTION_READERS && o->read_by[r]; r++)
        if (*o->read_by[r] == e)
            return 1;
    return 0;
}

/* "--samples is not read by the qmc estimator (it is read by mc, cvmc);
 * qmc reads --points, --replicates". */
static int refuse(const tkc_kernel_option *o, const tkc_attn_estimator_type *e,
                  tkc_option_names names, tkc_error *err)
{
    enum { NOPT = 32, NAME = 24 };
    char own_names[NOPT][NAME], self[NAME], by[160], ownlist[512];
    const char *readers[TKC_KERNEL_OPTION_READERS], *own[NOPT];
    size_t nr = 0, nown = 0;
    for (; nr < TKC_KERNEL_OPTION_READERS && o->read_by[nr]; nr++)
        readers[nr] = (*o->read_by[nr])->name;
    for (const tkc_kernel_option *m = tkc_kernel_options; m->name; m++)
        if (nown < NOPT && reads(m, e)) {
            own[nown] = spelled(m, names, own_names[nown], NAME);
            nown++;
        }
    return tkc_fail(err, TKC_EINPUT,
                    "%s is not read by the %s estimator (it is read by %s); "
                    "%s reads %s", spelled(o, names, self, sizeof self),
                    e->name, joined(readers, nr, by, sizeof by), e->name,
                    nown ? joined(own, nown, ownlist, sizeof ownlist)
                         : "no options");
}

/* "--samples: kernel mlp uses no K_attn estimator (it is a closed form);
 * estimators and their options apply to attn, trans". */
static int refuse_closed(const tkc_kernel_option *o,
                         const tkc_kernel_type *k, tkc_option_names names,
                         tkc_error *err)
{
    enum { NK = 16 };
    char self[24], list[160];
    const char *users[NK];
    size_t n = 0;
    for (size_t i = 0; tkc_kernel_types[i] && n < NK; i++)
        if (tkc_kernel_types[i]->uses_attn)
            users[n++] = tkc_kernel_types[i]->name;
    return tkc_fail(err, TKC_EINPUT, "%s: kernel %s uses no K_attn estimator "
                    "(it is a closed form); estimators and their options "
                    "apply to %s", spelled(o, names, self, sizeof self),
                    k->name, joined(users, n, list, sizeof list));
}

int tkc_kernel_options_check(const tkc_kernel_spec *spec,
                             tkc_kernel_options_given given,
                             const char *also_read, tkc_option_names names,
                             tkc_error *err)
{
    const tkc_kernel_option *also = tkc_kernel_option_lookup(also_read);
    const tkc_attn_estimator_type *e = spec->estimator;
    int closed = spec->kernel && !spec->kernel->uses_attn;
    for (const tkc_kernel_option *o = tkc_kernel_options; o->name; o++) {
        if (!((given >> (o - tkc_kernel_options)) & 1) || o == also)
            continue;
        /* a closed-form kernel reads no estimator's options: naming the
         * estimator that does not read them would mislead.  (--estimator
         * itself is let pass: the Python module always gives it.) */
        if (closed && o->read_by[0])
            return refuse_closed(o, spec->kernel, names, err);
        if (o->read_by[0] && !reads(o, e))
            return refuse(o, e, names, err);
    }
    if (spec->kernel && spec->kernel->uses_attn && e && e->check_options)
        return e->check_options(spec, err);
    return TKC_SUCCESS;
}
