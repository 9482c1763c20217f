#!/usr/bin/python3
"""Independent brute-force check of `tkc series` (not part of the suite: slow).

Expands K_attn = E[sum_ab smax_a(bu) smax_b(bv) (1(x_a=y_b) + g d_ab)] in beta
with sympy as polynomials in the independent Gaussians of the generative form
(zeta per token, p per position), then takes Gaussian moments monomial by
monomial.  Prints the coefficients of beta^(2i) gamma^(2j) as p/q lines.
usage: series_bruteforce.py X Y D
"""
import sys
import sympy as sp

def main():
    X, Y, D = sys.argv[1], sys.argv[2], int(sys.argv[3])
    k = len(X)
    toks = sorted(set(X) | set(Y))
    z = {t: sp.Symbol('z_' + t) for t in toks}
    p = [sp.Symbol('p%d' % c) for c in range(k)]
    b, gam = sp.symbols('b gam')
    u = [z[X[c]] + gam * p[c] for c in range(k)]
    v = [z[Y[c]] + gam * p[c] for c in range(k)]

    def trunc(e):
        e = sp.expand(e)
        return sum(e.coeff(b, n) * b**n for n in range(D + 1))

    def smax(w):
        ex = [sum((b * wc)**n / sp.factorial(n) for n in range(D + 1)) for wc in w]
        Z = sum(ex)
        wser = trunc((Z - k) / k)
        inv, powr = 0, 1
        for n in range(D + 1):
            inv += (-1)**n * powr
            powr = trunc(powr * wser)
        inv = inv / k
        return [trunc(e * inv) for e in ex]

    su, sv = smax(u), smax(v)
    F = 0
    for a in range(k):
        for c in range(k):
            m = (1 if X[a] == Y[c] else 0) + (gam**2 if a == c else 0)
            if m != 0:
                F += trunc(su[a] * sv[c]) * m
    F = trunc(F)
    gens = list(z.values()) + p
    poly = sp.Poly(sp.expand(F), *gens)
    E = 0
    for mon, coef in poly.terms():
        if any(e % 2 for e in mon):
            continue
        mom = 1
        for e in mon:
            mom *= sp.factorial2(e - 1) if e > 0 else 1
        E += coef * mom
    E = sp.Poly(sp.expand(E), b, gam)
    for (i, j), c in sorted(E.terms()):
        print(i, j, c)

main()
