"""trans_numpy.py — numpy peer of bench_trans.c.

usage: trans_numpy.py TRIPLES NODES D
Prints the same key=value lines: the 2-D Gauss-Hermite dual on the same
triples (vectorized over a chunk of triples), and one finite-width
transformer with explicit weights (BLAS matrix products).  CPU seconds."""
import sys
import time

import numpy as np
from scipy.special import erf


def cpu():
    return time.process_time()


def phi(name, t, b1=1.0, b2=0.5):
    if name == "cos":
        return np.cos(b1 * t + b2)
    if name == "relu":
        return np.maximum(t, 0.0)
    return erf(t)


def quad(name, ntr, nodes):
    x, w = np.polynomial.hermite.hermgauss(nodes)
    z = np.sqrt(2.0) * x
    i = np.arange(ntr) / ntr
    A, B = 1 + i, 1.5 - i / 2
    C = 0.5 * i * np.sqrt(A * B)
    t0 = cpu()
    total = 0.0
    for lo in range(0, ntr, 128):
        a, b, c = A[lo:lo + 128], B[lo:lo + 128], C[lo:lo + 128]
        sa = np.sqrt(a)
        cc = c / sa
        s = np.sqrt(np.maximum(b - cc * cc, 0))
        fa = phi(name, sa[:, None] * z[None, :])                       # T x n
        fb = phi(name, cc[:, None, None] * z[None, :, None] + s[:, None, None] * z[None, None, :])
        k = np.einsum("i,j,ti,tij->t", w, w, fa, fb) / np.pi
        total += k.sum()
    return cpu() - t0, total


def finite_explicit(d, beta=1.0, gamma=0.7, seed=1):
    rng = np.random.default_rng(seed)
    x = np.array([[0, 1, 2], [3, 1, 0]])
    n, k = x.shape
    H = m = d
    t0 = cpu()
    e = rng.standard_normal((4, d)) / np.sqrt(d)
    q = rng.standard_normal((k, d)) / np.sqrt(d)
    h = e[x] + gamma * q[None, :, :]                                   # n k d
    G = np.zeros((n, n))
    pre = np.zeros((n, m))
    for _ in range(H):
        w = rng.standard_normal(d)
        l = beta * h @ w
        s = np.exp(l - l.max(axis=1, keepdims=True))
        s /= s.sum(axis=1, keepdims=True)
        hbar = np.einsum("ia,iad->id", s, h)
        V = rng.standard_normal((d, d)) / np.sqrt(d)
        o = hbar @ V.T
        G += o @ o.T / H
        Om = rng.standard_normal((m, d))
        pre += o @ Om.T / np.sqrt(H)
    f = np.cos(pre + 0.5)
    T = f @ f.T / m
    return cpu() - t0, G[0, 1], T[0, 1]


def main():
    ntr, nodes, d = (int(a) for a in sys.argv[1:4])
    for name in ("cos", "relu", "erf"):
        t, total = quad(name, ntr, nodes)
        print(f"quad act={name} triples={ntr} nodes={nodes} cpu={t:.6g} sum={total:.15g}")
    t, a, tr = finite_explicit(d)
    print(f"finite mode=explicit d={d} cpu_per_net={t:.6g} attn01={a:.6f} trans01={tr:.6f}")


if __name__ == "__main__":
    main()
