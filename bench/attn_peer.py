#!/usr/bin/python3
"""attn_peer.py — what the K_attn Monte Carlo peers share: the command
line (X Y BETA GAMMA SAMPLES SEED), a warm-up run (imports, caches, numba's
compilation: not timed), the timed run in process CPU seconds, and the line
run_attn.py reads:
    samples=N cpu=S se=E value=V threads=...
"""
import sys
import time


def run(k_attn_mc, threads):
    """k_attn_mc(x, y, beta, gamma, samples, seed) -> (value, se, samples);
    threads() -> the peer's thread settings, in words."""
    x, y = sys.argv[1], sys.argv[2]
    beta, gamma = float(sys.argv[3]), float(sys.argv[4])
    samples, seed = int(sys.argv[5]), int(sys.argv[6])
    k_attn_mc(x, y, beta, gamma, 4096, seed)          # warm up
    t0 = time.process_time()
    value, se, n = k_attn_mc(x, y, beta, gamma, samples, seed)
    cpu = time.process_time() - t0
    print(f"samples={n} cpu={cpu:.6f} se={se:.6g} value={value:.10f} "
          f"threads={threads()}")
