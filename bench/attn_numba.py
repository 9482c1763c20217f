#!/usr/bin/python3
"""attn_numba.py — a peer: the Monte Carlo estimator of K_attn as a loop
compiled by numba (@njit, no parallel: one thread), the other thing a user
would write: per antithetic pair, draw the Gaussians, max-shifted softmax
of both strings at +z and -z, the bilinear form with XYᵀ + γ² I.  The same
estimator as tkc's mc.  The compilation is done (and not timed) before the
timed run.

usage: attn_numba.py X Y BETA GAMMA SAMPLES SEED
prints: samples=N cpu=S se=E value=V threads=numba:N
"""
import numba
import numpy as np

import attn_peer


@numba.njit(cache=False, fastmath=False)
def _mc(xi, yi, M, T, beta, gamma, npairs, seed):
    np.random.seed(seed)
    k = xi.shape[0]
    zeta = np.empty(T)
    p = np.empty(k)
    u = np.empty(k)
    v = np.empty(k)
    su = np.empty(k)
    sv = np.empty(k)
    s1 = 0.0
    s2 = 0.0
    for _ in range(npairs):
        for t in range(T):
            zeta[t] = np.random.standard_normal()
        for a in range(k):
            p[a] = np.random.standard_normal()
        for a in range(k):
            u[a] = beta * (zeta[xi[a]] + gamma * p[a])
            v[a] = beta * (zeta[yi[a]] + gamma * p[a])
        g = 0.0
        for sign in (1.0, -1.0):
            mu = -np.inf
            mv = -np.inf
            for a in range(k):
                mu = max(mu, sign * u[a])
                mv = max(mv, sign * v[a])
            zu = 0.0
            zv = 0.0
            for a in range(k):
                su[a] = np.exp(sign * u[a] - mu)
                sv[a] = np.exp(sign * v[a] - mv)
                zu += su[a]
                zv += sv[a]
            f = 0.0
            for a in range(k):
                for b in range(k):
                    f += su[a] * M[a, b] * sv[b]
            g += 0.5 * f / (zu * zv)
        s1 += g
        s2 += g * g
    return s1, s2


def k_attn_mc(x, y, beta, gamma, samples, seed):
    toks = {t: i for i, t in enumerate(dict.fromkeys(x + y))}
    xi = np.array([toks[t] for t in x], dtype=np.int64)
    yi = np.array([toks[t] for t in y], dtype=np.int64)
    k = len(x)
    M = (xi[:, None] == yi[None, :]).astype(np.float64) + gamma**2 * np.eye(k)
    npairs = (samples + 1) // 2
    s1, s2 = _mc(xi, yi, M, len(toks), beta, gamma, npairs, seed)
    mean = s1 / npairs
    var = (s2 - s1 * mean) / (npairs - 1)
    return mean, np.sqrt(max(var, 0.0) / npairs), 2 * npairs


def main():
    attn_peer.run(k_attn_mc, lambda: f"numba:{numba.get_num_threads()}")


if __name__ == "__main__":
    main()
