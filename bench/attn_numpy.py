#!/usr/bin/python3
"""attn_numpy.py — a peer: the Monte Carlo estimator of K_attn as a user
would write it in numpy (generative form, antithetic pairs, max-shifted
softmax, chunks of 32768 antithetic pairs), the same estimator as tkc's mc
(same variance per sample).

usage: attn_numpy.py X Y BETA GAMMA SAMPLES SEED
prints: samples=N cpu=S se=E value=V threads=...   (CPU seconds of this
process for the estimate alone; numpy's BLAS threads as threadpoolctl sees
them: run it with OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE unset, as bench/run_attn.sh does)
"""
import numpy as np

import attn_peer


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


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return ",".join(f"{i['internal_api']}:{i['num_threads']}"
                        for i in threadpool_info()) or "none"
    except ImportError:
        return "unknown"


def main():
    attn_peer.run(k_attn_mc, blas_threads)


if __name__ == "__main__":
    main()
