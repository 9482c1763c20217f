/* tkc/rng.h — counter-seeded random streams.
 *
 * Results must not depend on the number of threads.  Estimators therefore
 * cut their samples into fixed blocks; block b draws from a stream seeded by
 * (seed, b) alone (splitmix64 of the pair, then xoshiro256++), and partial
 * sums are combined in block order.  Normals come from a ziggurat
 * (Doornik's ZIGNOR variant with 256 layers; layer index and value from
 * disjoint bits of one 64-bit draw) whose tables live in a read-only struct
 * that any number of threads may share. */
#ifndef TKC_RNG_H
#define TKC_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tkc_rng {
    uint64_t s[4];
} tkc_rng;

/* One step of splitmix64: advances *state and returns a mixed word. */
uint64_t tkc_splitmix64(uint64_t *state);

/* The stream for block `block` of seed `seed`. */
void tkc_rng_seed(tkc_rng *r, uint64_t seed, uint64_t block);

/* xoshiro256++ */
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
static inline double tkc_rng_uniform_pos(tkc_rng *r)
{
    return ((double)(tkc_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
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

#ifdef __cplusplus
}
#endif
#endif
