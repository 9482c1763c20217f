/* rng.h (internal) — the random streams every sampler of tkc draws from.
 *
 * A stream is keyed by (seed, stream id, index) and nothing else: the
 * numbers of a key do not depend on which thread draws them, in what order,
 * or on what else was drawn before.  The stream id names the sampler (the
 * list below), so that with one seed no two samplers share numbers; the
 * index numbers its independent pieces (a block of Monte Carlo draws, a QMC
 * replicate, a data sample, a head of a network).  A sampler that cuts its
 * work into such pieces and combines their results in index order gives the
 * same digits at any thread count.
 *
 * The key goes through splitmix64 into the 256-bit state of xoshiro256++
 * (Blackman & Vigna), which then runs the stream.  Stream TKC_RNG_MC mixes
 * to the seeding Monte Carlo has always used, so its digits are those of
 * earlier versions.  On top: uniform on (0, 1), an unbiased integer below
 * m, normals by a ziggurat (Doornik's ZIGNOR variant with 256 layers; layer
 * index and value from disjoint bits of one 64-bit draw) whose tables live
 * in a read-only struct that any number of threads may share, and
 * chi-square variates (Marsaglia & Tsang's gamma method). */
#ifndef TKC_RNG_H
#define TKC_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The stream ids: one per sampler, and what its index counts. */
enum {
    TKC_RNG_MC = 0,           /* Monte Carlo of K_attn; index: block of draws */
    TKC_RNG_QMC = 1,          /* randomized QMC; index: replicate (its digital
                                 shift, then its padding coordinates)        */
    TKC_RNG_CVMC = 2,         /* control-variate Monte Carlo; index: block    */
    TKC_RNG_AUTO_PILOT = 3,   /* auto's pilot runs: the seed they run under  */
    TKC_RNG_FINITE_TRANS = 4, /* finite-width transformer; index: part
                                 (embeddings, each head, the MLP layer)      */
    TKC_RNG_FINITE_MLP = 5,   /* finite-width MLP; index: hidden layer       */
    TKC_RNG_DATA = 6          /* data draws; alphabet a is stream
                                 TKC_RNG_DATA + a, index: sample number.
                                 The last id: every id above is an alphabet */
};

typedef struct tkc_rng {
    uint64_t s[4];
} tkc_rng;

/* The stream of key (seed, stream, index), at its start. */
void tkc_rng_stream(tkc_rng *r, uint64_t seed, uint64_t stream, uint64_t index);

/* A seed of its own for a computation that takes a seed (the first word of
 * the stream (seed, stream, index)): how a sampler hands a sub-run numbers
 * that no other run of the same seed sees. */
uint64_t tkc_rng_derived_seed(uint64_t seed, uint64_t stream, uint64_t index);

/* The next 64 random bits (xoshiro256++). */
static inline uint64_t tkc_rng_next(tkc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[0] + s[3];
    uint64_t out = ((x << 23) | (x >> 41)) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return out;
}

/* Uniform on the open interval (0, 1): (j + 1/2) 2^-53, never 0 or 1. */
static inline double tkc_rng_uniform(tkc_rng *r)
{
    return ((double)(tkc_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* 2^bits mod m (1 <= bits <= 64, m >= 1): the words below it are the ones
 * tkc_rng_below rejects, so that the accepted words [2^bits mod m, 2^bits)
 * are a whole number of runs of m and x mod m is exactly uniform.  With a
 * word width parameter so that a test can count all words of a small width. */
static inline uint64_t tkc_rng_below_threshold(uint64_t m, unsigned bits)
{
    return bits >= 64 ? (0 - m) % m : ((uint64_t)1 << bits) % m;
}

/* Uniform on {0, ..., m - 1}, m >= 1, without modulo bias (rejection of the
 * words below tkc_rng_below_threshold(m, 64): at most m of 2^64). */
static inline uint64_t tkc_rng_below(tkc_rng *r, uint64_t m)
{
    uint64_t threshold = tkc_rng_below_threshold(m, 64);
    for (;;) {
        uint64_t x = tkc_rng_next(r);
        if (x >= threshold)
            return x % m;
    }
}

#define TKC_ZIG_LAYERS 256

typedef struct tkc_ziggurat {
    double x[TKC_ZIG_LAYERS + 1];   /* layer edges                          */
    double ratio[TKC_ZIG_LAYERS];   /* x[i+1] / x[i]: quick-accept bound     */
    double f[TKC_ZIG_LAYERS + 1];   /* exp(-x[i]² / 2): density at the edges */
} tkc_ziggurat;

/* Fill the tables (deterministic; a few hundred libm calls). */
void tkc_ziggurat_init(tkc_ziggurat *z);

/* Rare branch of the ziggurat: tail or wedge rejection. */
double tkc_ziggurat_slow(const tkc_ziggurat *z, tkc_rng *r, unsigned layer,
                         double u);

/* One standard normal. */
static inline double tkc_rng_normal(const tkc_ziggurat *z, tkc_rng *r)
{
    uint64_t w = tkc_rng_next(r);
    unsigned layer = (unsigned)(w & (TKC_ZIG_LAYERS - 1));
    double u = (double)(int64_t)(w >> 11) * 0x1.0p-52 - 1.0;   /* [-1, 1) */
    if (u < z->ratio[layer] && u > -z->ratio[layer])
        return u * z->x[layer];
    return tkc_ziggurat_slow(z, r, layer, u);
}

/* out[0 .. n-1] = n successive tkc_rng_normal draws (the same numbers),
 * in a loop that keeps the stream state in registers. */
void tkc_rng_normals(const tkc_ziggurat *z, tkc_rng *r, double *out, size_t n);

/* A chi-square variate with nu > 0 degrees of freedom: twice a Gamma(nu/2)
 * variate by Marsaglia & Tsang's method (exact in law; for nu < 2 the
 * Gamma(nu/2 + 1) variate times U^(2/nu)). */
double tkc_rng_chisq(const tkc_ziggurat *z, tkc_rng *r, double nu);

#ifdef __cplusplus
}
#endif
#endif
