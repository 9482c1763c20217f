#!/usr/bin/python3
"""attn_numpy.py — the peer: the same Monte Carlo estimator of K_attn in
vectorized numpy (generative form, antithetic pairs, max-shifted softmax).

usage: attn_numpy.py X Y BETA GAMMA SAMPLES SEED [REPEATS]
prints: samples=N cpu=S se=E value=V   (CPU seconds of this process, the
best of REPEATS runs, default 3)
"""
import sys
import time

import numpy as np


def smax(t):
    t = t - t.max(axis=1, keepdims=True)
    e = np.exp(t)
    return e / e.sum(axis=1, keepdims=True)


def k_attn_mc(x, y, beta, gamma, samples, seed, chunk=1 << 15):
    toks = {t: i for i, t in enumerate(dict.fromkeys(x + y))}
    xi = np.array([toks[t] for t in x])
    yi = np.array([toks[t] for t in y])
    k, T = len(x), len(toks)
    M = (xi[:, None] == yi[None, :]).astype(float) + gamma**2 * np.eye(k)
    rng = np.random.default_rng(seed)
    npairs = (samples + 1) // 2
    s1 = s2 = 0.0
    done = 0
    while done < npairs:
        m = min(chunk, npairs - done)
        zeta = rng.standard_normal((m, T))
        p = rng.standard_normal((m, k))
        u = beta * (zeta[:, xi] + gamma * p)
        v = beta * (zeta[:, yi] + gamma * p)
        fp = ((smax(u) @ M) * smax(v)).sum(axis=1)
        fm = ((smax(-u) @ M) * smax(-v)).sum(axis=1)
        g = 0.5 * (fp + fm)
        s1 += g.sum()
        s2 += (g * g).sum()
        done += m
    mean = s1 / npairs
    var = (s2 - s1 * mean) / (npairs - 1)
    return mean, np.sqrt(max(var, 0.0) / npairs), 2 * npairs


def main():
    x, y = sys.argv[1], sys.argv[2]
    beta, gamma = float(sys.argv[3]), float(sys.argv[4])
    samples, seed = int(sys.argv[5]), int(sys.argv[6])
    repeats = int(sys.argv[7]) if len(sys.argv) > 7 else 3
    cpu = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        value, se, n = k_attn_mc(x, y, beta, gamma, samples, seed)
        cpu = min(cpu, time.process_time() - t0)
    print(f"samples={n} cpu={cpu:.4f} se={se:.6g} value={value:.10f}")


if __name__ == "__main__":
    main()
