/* fastexp.h — exp(x) for x ≤ 0, private to the library: the inner loops of
 * the K_attn integrand (softmax weights) and of the ziggurat (wedge test)
 * need only non-positive arguments, and libm's exp is a large part of
 * their cost. */
#ifndef TKC_FASTEXP_H
#define TKC_FASTEXP_H

#include <stdint.h>
#include <string.h>

/* exp(x) for -708 ≤ x ≤ 0, the only arguments a max-shifted softmax
 * needs (callers clamp at -708).  x = n ln2 + r with |r| ≤ ln2/2
 * (Cody–Waite, fdlibm's two-part constant, n ln2_hi exact for |n| < 2^21);
 * exp(x) = 2^n · P(r), P the degree-13 Taylor polynomial (truncation
 * < 4e-18 relative), 2^n from the exponent bits.  No table: a table lookup
 * is a gather, which the compiler emulates element by element, whereas
 * this is pure arithmetic and vectorizes fully in the batch loops.
 * Relative error a few ulp; branch-free. */
static inline double exp_nonpos(double x)
{
    const double shifter = 0x1.8p52, log2e = 0x1.71547652b82fep+0;
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    double kd = x * log2e + shifter;       /* n in the low bits          */
    double n = kd - shifter;
    double r = (x - n * ln2_hi) - n * ln2_lo;
    double p = 1.0 / 6227020800.0;         /* 1/13!                      */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = 1.0 + (r + r * (r * p));
    uint64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    uint64_t sbits = (ki + 1023) << 52;    /* 2^n, n ≥ -1022            */
    double scale;
    memcpy(&scale, &sbits, sizeof scale);
    return scale * p;
}

#endif
