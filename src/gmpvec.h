/* gmpvec.h (internal) — arrays of GMP integers and rationals, initialized
 * on allocation and cleared on free: the one helper for the exact modules
 * (series, coefficient matrices, the generic verdict).  NULL on ENOMEM,
 * with nothing left allocated; freeing NULL does nothing. */
#ifndef TKC_GMPVEC_H
#define TKC_GMPVEC_H

#include <stdlib.h>

#include <gmp.h>

static inline mpz_t *tkc_mpz_vec_alloc(size_t n)
{
    mpz_t *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
            mpz_init(v[i]);
    return v;
}

static inline void tkc_mpz_vec_free(mpz_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        mpz_clear(v[i]);
    free(v);
}

static inline mpq_t *tkc_mpq_vec_alloc(size_t n)
{
    mpq_t *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
            mpq_init(v[i]);
    return v;
}

static inline void tkc_mpq_vec_free(mpq_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

#endif
