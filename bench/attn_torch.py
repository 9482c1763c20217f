#!/usr/bin/python3
"""attn_torch.py — a peer: the Monte Carlo estimator of K_attn in PyTorch,
float64 on the CPU, as a user would write it (the same estimator as tkc's
mc and bench/attn_numpy.py: generative form, antithetic pairs,
torch.softmax, chunks of 32768 antithetic pairs), on one thread
(torch.set_num_threads(1)).

usage: attn_torch.py X Y BETA GAMMA SAMPLES SEED
prints: samples=N cpu=S se=E value=V threads=torch:N,interop:N
"""
import torch

import attn_peer


def k_attn_mc(x, y, beta, gamma, samples, seed, chunk=1 << 15):
    toks = {t: i for i, t in enumerate(dict.fromkeys(x + y))}
    xi = torch.tensor([toks[t] for t in x])
    yi = torch.tensor([toks[t] for t in y])
    k, T = len(x), len(toks)
    M = (xi[:, None] == yi[None, :]).double() + gamma**2 * torch.eye(k, dtype=torch.float64)
    gen = torch.Generator().manual_seed(seed)
    npairs = (samples + 1) // 2
    s1 = s2 = 0.0
    done = 0
    while done < npairs:
        m = min(chunk, npairs - done)
        zeta = torch.randn(m, T, generator=gen, dtype=torch.float64)
        p = torch.randn(m, k, generator=gen, dtype=torch.float64)
        u = beta * (zeta[:, xi] + gamma * p)
        v = beta * (zeta[:, yi] + gamma * p)
        fp = ((torch.softmax(u, 1) @ M) * torch.softmax(v, 1)).sum(1)
        fm = ((torch.softmax(-u, 1) @ M) * torch.softmax(-v, 1)).sum(1)
        g = 0.5 * (fp + fm)
        s1 += g.sum().item()
        s2 += (g * g).sum().item()
        done += m
    mean = s1 / npairs
    var = (s2 - s1 * mean) / (npairs - 1)
    return mean, max(var, 0.0) ** 0.5 / npairs ** 0.5, 2 * npairs


def main():
    torch.set_num_threads(1)
    attn_peer.run(k_attn_mc, lambda: f"torch:{torch.get_num_threads()},"
                  f"interop:{torch.get_num_interop_threads()}")


if __name__ == "__main__":
    main()
