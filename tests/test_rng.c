/* test_rng.c — the random streams of rng.h.
 *
 * The generator against published xoshiro256++ output; the Monte Carlo
 * stream against the digits of the seeding it replaced; keys (same key,
 * same numbers; no two keys of a grid share a word); blocks drawn by any
 * number of threads in any order give the same numbers; uniform, normal
 * and chi-square draws against their laws (moments, Kolmogorov–Smirnov,
 * tail probabilities) at fixed seeds; below(m) exactly unbiased by a count
 * over every word of a small width. */
#include <gsl/gsl_cdf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"

/* ---- helpers -------------------------------------------------------------- */

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "test_rng: out of memory for %zu bytes\n", bytes);
        exit(2);
    }
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov–Smirnov distance of x[0 .. n-1] (sorted here) from the CDF F. */
static double ks_distance(double *x, size_t n, double (*F)(double, void *),
                          void *par)
{
    qsort(x, n, sizeof *x, cmp_double);
    double D = 0;
    for (size_t i = 0; i < n; i++) {
        double f = F(x[i], par);
        D = fmax(D, fmax(f - (double)i / n, (double)(i + 1) / n - f));
    }
    return D;
}

/* The asymptotic 0.1% critical value of the KS distance for n draws:
 * a correct generator fails it at a fixed seed with probability 0.001. */
static double ks_critical(size_t n)
{
    return 1.9495 / sqrt((double)n);
}

static double cdf_uniform(double x, void *par)
{
    (void)par;
    return x;
}

static double cdf_normal(double x, void *par)
{
    (void)par;
    return gsl_cdf_ugaussian_P(x);
}

/* |Z| given |Z| > c, c = *par */
static double cdf_normal_tail(double x, void *par)
{
    double c = *(double *)par;
    return 1.0 - gsl_cdf_ugaussian_Q(x) / gsl_cdf_ugaussian_Q(c);
}

static double cdf_chisq(double x, void *par)
{
    return gsl_cdf_chisq_P(x, *(double *)par);
}

/* ---- the generator and the Monte Carlo seeding ---------------------------- */

static void test_generator(void)
{
    /* xoshiro256++ from the state (0, 0, 0, 1): the reference C code's
     * output as published with the test data of xoshiro-fortran */
    static const uint64_t ref[5] = {0x0000000000800000u, 0x0000000000800011u,
                                    0x0002200000800011u, 0x0002200044000020u,
                                    0x00022000448008A1u};
    tkc_rng r = {{0, 0, 0, 1}};
    int ok = 1;
    for (int i = 0; i < 5; i++)
        ok &= tkc_rng_next(&r) == ref[i];
    CHECK(ok, "xoshiro256++ reference output");
}

static void test_mc_seeding(void)
{
    /* first words of tkc_rng_seed(seed, block), the Monte Carlo seeding
     * before the stream API (main at 3cc5235): stream TKC_RNG_MC keeps it */
    static const uint64_t ref[3][5] = {
        {42u, 7u, 0x85d9c5c23ef3c42cu, 0x81fb507b75635cdau, 0xeec7dc7e410d40c0u},
        {0u, 0u, 0x65b72a4344540280u, 0x02b4f9c927fa4ea9u, 0x2cd5ffa2b426159fu},
        {UINT64_MAX, 123456789u, 0xff09d91b4f1c2ff7u, 0x529387ad7cb6d722u,
         0x5d12e117fc7a8bf0u}};
    for (int k = 0; k < 3; k++) {
        tkc_rng r;
        tkc_rng_stream(&r, ref[k][0], TKC_RNG_MC, ref[k][1]);
        int ok = 1;
        for (int i = 0; i < 3; i++)
            ok &= tkc_rng_next(&r) == ref[k][2 + i];
        CHECK(ok, "MC stream (%llu, %llu) has the digits of the old seeding",
              (unsigned long long)ref[k][0], (unsigned long long)ref[k][1]);
    }
    /* and its normals, to the last bit */
    static const double zref[3] = {0x1.1e9f33faf5c7p-4, 0x1.f1c0d263b359cp-2,
                                   0x1.d0899256b7361p+0};
    tkc_ziggurat z;
    tkc_ziggurat_init(&z);
    tkc_rng r;
    tkc_rng_stream(&r, 2024, TKC_RNG_MC, 3);
    int ok = 1;
    for (int i = 0; i < 3; i++)
        ok &= tkc_rng_normal(&z, &r) == zref[i];
    CHECK(ok, "MC normals of (2024, 3) unchanged");
}

/* ---- keys ----------------------------------------------------------------- */

static void test_keys(void)
{
    tkc_rng a, b;
    tkc_rng_stream(&a, 42, TKC_RNG_DATA + 1, 7);
    tkc_rng_stream(&b, 42, TKC_RNG_DATA + 1, 7);
    int same = 1;
    for (int i = 0; i < 1000; i++)
        same &= tkc_rng_next(&a) == tkc_rng_next(&b);
    CHECK(same, "a stream is determined by its key");

    /* 4 seeds × 8 streams × 64 indices, 256 words each: no word twice, so
     * no key's stream overlaps another's near its start (a repeat among
     * 2^19 random words has probability 2^-27) */
    enum { NSEED = 4, NSTREAM = 8, NINDEX = 64, NWORD = 256 };
    size_t n = (size_t)NSEED * NSTREAM * NINDEX * NWORD;
    uint64_t *w = xmalloc(n * sizeof *w), *p = w;
    static const uint64_t seeds[NSEED] = {0, 1, 42, UINT64_MAX};
    for (int s = 0; s < NSEED; s++)
        for (uint64_t st = 0; st < NSTREAM; st++)
            for (uint64_t i = 0; i < NINDEX; i++) {
                tkc_rng r;
                tkc_rng_stream(&r, seeds[s], st, i);
                for (int j = 0; j < NWORD; j++)
                    *p++ = tkc_rng_next(&r);
            }
    qsort(w, n, sizeof *w, cmp_u64);
    size_t repeats = 0;
    for (size_t i = 1; i < n; i++)
        repeats += w[i] == w[i - 1];
    CHECK(repeats == 0, "%zu words repeat across keys", repeats);
    free(w);

    CHECK(tkc_rng_derived_seed(9, TKC_RNG_AUTO_PILOT, 0) !=
                  tkc_rng_derived_seed(9, TKC_RNG_AUTO_PILOT, 1) &&
              tkc_rng_derived_seed(9, TKC_RNG_AUTO_PILOT, 0) !=
                  tkc_rng_derived_seed(10, TKC_RNG_AUTO_PILOT, 0),
          "derived seeds differ by index and seed");
    tkc_rng_stream(&a, 9, TKC_RNG_AUTO_PILOT, 0);
    CHECK(tkc_rng_derived_seed(9, TKC_RNG_AUTO_PILOT, 0) == tkc_rng_next(&a),
          "a derived seed is the first word of its stream");

    /* the first uniform of consecutive indices (a data sample's template
     * draw) is uniform across indices */
    enum { NK = 100000 };
    double *u = xmalloc(NK * sizeof *u);
    for (uint64_t i = 0; i < NK; i++) {
        tkc_rng_stream(&a, 5, TKC_RNG_DATA, i);
        u[i] = tkc_rng_uniform(&a);
    }
    double D = ks_distance(u, NK, cdf_uniform, NULL);
    CHECK(D < ks_critical(NK), "first uniform across indices: KS %g", D);
    free(u);
}

/* ---- blocks and threads --------------------------------------------------- */

enum { NBLOCK = 37, BLOCKLEN = 1000 };

typedef struct block_job {
    const tkc_ziggurat *z;
    double *out;             /* NBLOCK × BLOCKLEN */
    unsigned first, stride;  /* this thread's blocks, taken last to first */
} block_job;

static void *block_thread(void *arg)
{
    block_job *j = arg;
    for (int b = NBLOCK - 1 - (int)j->first; b >= 0; b -= (int)j->stride) {
        tkc_rng r;
        tkc_rng_stream(&r, 77, TKC_RNG_MC, (uint64_t)b);
        tkc_rng_normals(j->z, &r, j->out + (size_t)b * BLOCKLEN, BLOCKLEN);
    }
    return NULL;
}

/* Blocks drawn by 1, 2 or 3 threads, in reverse order, are the blocks drawn
 * one by one in order with tkc_rng_normal. */
static void test_threads(void)
{
    tkc_ziggurat z;
    tkc_ziggurat_init(&z);
    size_t n = (size_t)NBLOCK * BLOCKLEN;
    double *ref = xmalloc(n * sizeof *ref), *out = xmalloc(n * sizeof *out);
    for (int b = 0; b < NBLOCK; b++) {
        tkc_rng r;
        tkc_rng_stream(&r, 77, TKC_RNG_MC, (uint64_t)b);
        for (int i = 0; i < BLOCKLEN; i++)
            ref[(size_t)b * BLOCKLEN + i] = tkc_rng_normal(&z, &r);
    }
    for (unsigned T = 1; T <= 3; T++) {
        memset(out, 0, n * sizeof *out);
        pthread_t tid[3];
        block_job job[3];
        unsigned started = 0;
        for (unsigned t = 0; t < T; t++) {
            job[t] = (block_job){&z, out, t, T};
            if (pthread_create(&tid[t], NULL, block_thread, &job[t]) == 0)
                started++;
            else
                block_thread(&job[t]);
        }
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        CHECK(memcmp(ref, out, n * sizeof *out) == 0,
              "blocks by %u threads = blocks in order", T);
    }
    free(ref);
    free(out);
}

/* ---- uniform -------------------------------------------------------------- */

static void test_uniform(void)
{
    enum { N = 200000 };
    double *u = xmalloc(N * sizeof *u);
    tkc_rng r;
    tkc_rng_stream(&r, 11, TKC_RNG_QMC, 0);
    double m1 = 0, m2 = 0, lo = 1, hi = 0;
    int lattice = 1;
    for (int i = 0; i < N; i++) {
        double x = u[i] = tkc_rng_uniform(&r);
        m1 += x;
        m2 += (x - 0.5) * (x - 0.5);
        lo = fmin(lo, x);
        hi = fmax(hi, x);
        double j = x * 0x1.0p53 - 0.5;   /* x = (j + 1/2) 2^-53 */
        lattice &= j == floor(j);
    }
    CHECK(lo > 0 && hi < 1 && lattice,
          "uniforms on the open lattice (j + 1/2) 2^-53: min %g max %g", lo, hi);
    CHECK_WITHIN_SE(m1 / N, 0.5, sqrt(1.0 / 12 / N), 4, "uniform mean");
    /* Var (U - 1/2)² = 1/80 - 1/144 */
    CHECK_WITHIN_SE(m2 / N, 1.0 / 12, sqrt((1.0 / 80 - 1.0 / 144) / N), 4,
                    "uniform variance");
    double D = ks_distance(u, N, cdf_uniform, NULL);
    CHECK(D < ks_critical(N), "uniform KS %g", D);
    free(u);
}

/* ---- normals -------------------------------------------------------------- */

static void test_normal(void)
{
    enum { N = 2000000 };
    tkc_ziggurat z;
    tkc_ziggurat_init(&z);
    double *x = xmalloc(N * sizeof *x), *tail = xmalloc(N * sizeof *tail);
    tkc_rng r;
    tkc_rng_stream(&r, 2024, TKC_RNG_MC, 0);
    tkc_rng_normals(&z, &r, x, N);
    const double cut[] = {-3.6, -2.0, -0.5, 0.0, 0.7, 1.5, 3.0, 3.6};
    enum { NC = sizeof cut / sizeof cut[0] };
    double m1 = 0, m2 = 0, m4 = 0, c = 3.0;
    long below[NC] = {0};
    size_t nt = 0;
    for (int i = 0; i < N; i++) {
        m1 += x[i];
        m2 += x[i] * x[i];
        m4 += x[i] * x[i] * x[i] * x[i];
        for (int k = 0; k < NC; k++)
            below[k] += x[i] < cut[k];
        if (fabs(x[i]) > c)
            tail[nt++] = fabs(x[i]);
    }
    CHECK_WITHIN_SE(m1 / N, 0.0, 1 / sqrt(N), 5, "normal mean");
    CHECK_WITHIN_SE(m2 / N, 1.0, sqrt(2.0 / N), 5, "normal variance");
    CHECK_WITHIN_SE(m4 / N, 3.0, sqrt(96.0 / N), 5, "normal 4th moment");
    /* tail probabilities, beyond the ziggurat's base edge R = 3.654 too */
    for (int k = 0; k < NC; k++) {
        double P = gsl_cdf_ugaussian_P(cut[k]);
        CHECK_WITHIN_SE((double)below[k] / N, P, sqrt(P * (1 - P) / N), 5,
                        "P(Z < cut)");
    }
    /* the wedges of the outer layers and the tail algorithm: |Z| given
     * |Z| > 3 (about 5400 draws) */
    double Dt = ks_distance(tail, nt, cdf_normal_tail, &c);
    CHECK(nt > 4000 && Dt < ks_critical(nt), "|Z| > 3: %zu draws, KS %g", nt,
          Dt);
    double D = ks_distance(x, N, cdf_normal, NULL);
    CHECK(D < ks_critical(N), "normal KS %g", D);

    /* the tail algorithm alone: |Z| given |Z| > R, the base layer's edge
     * (probability 2.6e-4: about 10400 of 4e7 draws) */
    enum { NTAIL = 40000000 };
    double R = 3.6541528853610088;
    nt = 0;
    for (int i = 0; i < NTAIL; i++) {
        double v = fabs(tkc_rng_normal(&z, &r));
        if (v > R && nt < N)
            tail[nt++] = v;
    }
    Dt = ks_distance(tail, nt, cdf_normal_tail, &R);
    CHECK(nt > 9000 && Dt < ks_critical(nt), "|Z| > R: %zu draws, KS %g", nt,
          Dt);
    free(x);
    free(tail);
}

/* ---- below(m) ------------------------------------------------------------- */

/* 2^64 mod m by doubling: independent of the threshold's formula. */
static uint64_t pow2_64_mod(uint64_t m)
{
    uint64_t v = 1 % m;
    for (int i = 0; i < 64; i++)
        v = v >= m - v ? v - (m - v) : 2 * v;   /* 2v mod m without overflow */
    return v;
}

static void test_below(void)
{
    /* exact: over every 16-bit word, each value below m is hit equally
     * often by the accepted words, for every m up to 1000 and a few large */
    enum { BITS = 16 };
    uint32_t *count = xmalloc(((size_t)1 << BITS) * sizeof *count);
    int exact = 1;
    uint64_t ms[1006];
    for (int i = 0; i < 1000; i++)
        ms[i] = (uint64_t)i + 1;
    const uint64_t big[6] = {21845, 32767, 32768, 32769, 65535, 65536};
    memcpy(ms + 1000, big, sizeof big);
    for (int t = 0; t < 1006; t++) {
        uint64_t m = ms[t], thr = tkc_rng_below_threshold(m, BITS);
        memset(count, 0, m * sizeof *count);
        for (uint64_t x = thr; x < ((uint64_t)1 << BITS); x++)
            count[x % m]++;
        uint64_t each = (((uint64_t)1 << BITS) - thr) / m;
        for (uint64_t v = 0; v < m; v++)
            exact &= count[v] == each;
        exact &= thr < m && each * m + thr == (uint64_t)1 << BITS;
    }
    CHECK(exact, "below(m) on 16-bit words: every value equally often");
    free(count);

    /* the 64-bit threshold is 2^64 mod m */
    const uint64_t m64[] = {1, 2, 3, 7, 10, 1000003, ((uint64_t)1 << 32) + 15,
                            ((uint64_t)1 << 63) + 5, UINT64_MAX};
    int ok = 1;
    for (size_t i = 0; i < sizeof m64 / sizeof *m64; i++)
        ok &= tkc_rng_below_threshold(m64[i], 64) == pow2_64_mod(m64[i]);
    CHECK(ok, "64-bit threshold = 2^64 mod m");

    /* and in use: chi-square of 600000 draws below 6 (5 degrees of freedom,
     * 0.1% critical value 20.515), below(1) = 0, below(m) < m */
    tkc_rng r;
    tkc_rng_stream(&r, 3, TKC_RNG_DATA, 0);
    long c6[6] = {0};
    enum { N = 600000 };
    for (int i = 0; i < N; i++)
        c6[tkc_rng_below(&r, 6)]++;
    double chi2 = 0;
    for (int v = 0; v < 6; v++)
        chi2 += (c6[v] - N / 6.0) * (c6[v] - N / 6.0) / (N / 6.0);
    CHECK(chi2 < 20.515, "below(6): chi-square %g", chi2);
    int in_range = 1;
    for (int i = 0; i < 10000; i++) {
        uint64_t m = 1 + tkc_rng_below(&r, UINT64_MAX);
        in_range &= tkc_rng_below(&r, m) < m && tkc_rng_below(&r, 1) == 0;
    }
    CHECK(in_range, "below(m) < m");
}

/* ---- chi-square ------------------------------------------------------------ */

static void test_chisq(void)
{
    tkc_ziggurat z;
    tkc_ziggurat_init(&z);
    enum { N = 200000 };
    double *x = xmalloc(N * sizeof *x);
    const double nus[] = {0.5, 1, 2.5, 7, 40};
    for (size_t k = 0; k < sizeof nus / sizeof *nus; k++) {
        double nu = nus[k];
        tkc_rng r;
        tkc_rng_stream(&r, 8, TKC_RNG_FINITE_TRANS, k);
        double m1 = 0, m2 = 0;
        for (int i = 0; i < N; i++) {
            x[i] = tkc_rng_chisq(&z, &r, nu);
            m1 += x[i];
            m2 += (x[i] - nu) * (x[i] - nu);
        }
        char what[64];
        snprintf(what, sizeof what, "chi-square(%g) mean", nu);
        CHECK_WITHIN_SE(m1 / N, nu, sqrt(2 * nu / N), 4, what);
        /* central 4th moment 12 ν (ν + 4) */
        snprintf(what, sizeof what, "chi-square(%g) variance", nu);
        CHECK_WITHIN_SE(m2 / N, 2 * nu,
                        sqrt((12 * nu * (nu + 4) - 4 * nu * nu) / N), 4, what);
        double D = ks_distance(x, N, cdf_chisq, &nu);
        CHECK(D < ks_critical(N) && x[0] > 0, "chi-square(%g): KS %g", nu, D);
    }
    free(x);
}

int main(void)
{
    test_generator();
    test_mc_seeding();
    test_keys();
    test_threads();
    test_uniform();
    test_normal();
    test_below();
    test_chisq();
    return check_summary();
}
