/* rng.c — keyed random streams, the ziggurat tables, chi-square variates
 * (see rng.h). */
#include "rng.h"

#include <math.h>

#include "fastexp.h"

/* splitmix64's output function: a bijection of 64-bit words, 0 ↦ 0. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One step of splitmix64: advances *state and returns a mixed word. */
static uint64_t splitmix64(uint64_t *state)
{
    return mix64(*state += 0x9e3779b97f4a7c15ULL);
}

void tkc_rng_stream(tkc_rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    /* Seed, stream and index enter in separate rounds, so that no simple
     * arithmetic coincidence maps one key onto another's starting state.
     * The stream enters as mix64(stream), 0 for TKC_RNG_MC: Monte Carlo
     * keeps the seeding (seed, block) it has always had. */
    uint64_t st = seed;
    uint64_t h = splitmix64(&st) ^ mix64(stream);
    st = h ^ (index * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL);
    h = splitmix64(&st);
    st = h;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&st);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1;    /* the all-zero state is the one forbidden state */
}

uint64_t tkc_rng_derived_seed(uint64_t seed, uint64_t stream, uint64_t index)
{
    tkc_rng r;
    tkc_rng_stream(&r, seed, stream, index);
    return tkc_rng_next(&r);
}

/* Doornik (2005), "An improved ziggurat method to generate normal random
 * samples", with 256 layers of equal area V and base layer edge R (the
 * constants of Marsaglia & Tsang's 256-layer table): 98.5% of draws take
 * the quick path. */
#define ZIG_R 3.6541528853610088
#define ZIG_V 4.92867323399e-3

void tkc_ziggurat_init(tkc_ziggurat *z)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    z->x[0] = ZIG_V / f;           /* base layer, including the tail */
    z->x[1] = ZIG_R;
    z->x[TKC_ZIG_LAYERS] = 0.0;
    for (int i = 2; i < TKC_ZIG_LAYERS; i++) {
        z->x[i] = sqrt(-2.0 * log(ZIG_V / z->x[i - 1] + f));
        f = exp(-0.5 * z->x[i] * z->x[i]);
    }
    for (int i = 0; i < TKC_ZIG_LAYERS; i++)
        z->ratio[i] = z->x[i + 1] / z->x[i];
    for (int i = 0; i <= TKC_ZIG_LAYERS; i++)
        z->f[i] = exp(-0.5 * z->x[i] * z->x[i]);
}

double tkc_ziggurat_slow(const tkc_ziggurat *z, tkc_rng *r, unsigned layer,
                         double u)
{
    for (;;) {
        if (layer == 0) {
            /* Marsaglia's tail beyond R */
            double x, y;
            do {
                x = log(tkc_rng_uniform(r)) / ZIG_R;
                y = log(tkc_rng_uniform(r));
            } while (-2.0 * y < x * x);
            return u < 0 ? x - ZIG_R : ZIG_R - x;
        }
        /* wedge: accept when a uniform height in the layer falls under the
         * density (Doornik's test multiplied through by exp(-x²/2)) */
        double x = u * z->x[layer];
        double f0 = z->f[layer], f1 = z->f[layer + 1];
        if (f1 + tkc_rng_uniform(r) * (f0 - f1) < exp_nonpos(-0.5 * x * x))
            return x;
        /* rejected: a fresh draw */
        uint64_t w = tkc_rng_next(r);
        layer = (unsigned)(w & (TKC_ZIG_LAYERS - 1));
        u = (double)(int64_t)(w >> 11) * 0x1.0p-52 - 1.0;
        if (u < z->ratio[layer] && u > -z->ratio[layer])
            return u * z->x[layer];
    }
}

void tkc_rng_normals(const tkc_ziggurat *z, tkc_rng *r, double *out, size_t n)
{
    /* the state in scalars that never have their address taken, so that
     * the compiler keeps them in registers; only the rare slow branch goes
     * through memory */
    uint64_t s0 = r->s[0], s1 = r->s[1], s2 = r->s[2], s3 = r->s[3];
    for (size_t j = 0; j < n; j++) {
        uint64_t x = s0 + s3, w = ((x << 23) | (x >> 41)) + s0;  /* = next */
        uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 45) | (s3 >> 19);
        unsigned layer = (unsigned)(w & (TKC_ZIG_LAYERS - 1));
        double u = (double)(int64_t)(w >> 11) * 0x1.0p-52 - 1.0;
        if (fabs(u) < z->ratio[layer]) {
            out[j] = u * z->x[layer];
        } else {
            tkc_rng m = {{s0, s1, s2, s3}};
            out[j] = tkc_ziggurat_slow(z, &m, layer, u);
            s0 = m.s[0], s1 = m.s[1], s2 = m.s[2], s3 = m.s[3];
        }
    }
    r->s[0] = s0, r->s[1] = s1, r->s[2] = s2, r->s[3] = s3;
}

/* Gamma(a), a >= 1: Marsaglia & Tsang (2000), "A simple method for
 * generating gamma variables": d v for v = (1 + c x)³, x normal, accepted
 * by the squeeze 1 − 0.0331 x⁴ or the exact log test. */
static double gamma_large(const tkc_ziggurat *z, tkc_rng *r, double a)
{
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = tkc_rng_normal(z, r), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = tkc_rng_uniform(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 ||
            log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double tkc_rng_chisq(const tkc_ziggurat *z, tkc_rng *r, double nu)
{
    double a = 0.5 * nu;
    if (a >= 1.0)
        return 2.0 * gamma_large(z, r, a);
    /* Gamma(a) = Gamma(a + 1) U^(1/a) for 0 < a < 1 */
    double g = gamma_large(z, r, a + 1.0);
    return 2.0 * g * pow(tkc_rng_uniform(r), 1.0 / a);
}
