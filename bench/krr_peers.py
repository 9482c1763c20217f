#!/usr/bin/python3
"""krr_peers.py — the dense peers of tkc's ridge solve: numpy and
scikit-learn's KernelRidge on the same kind of n x n kernel matrix.

    krr_peers.py [--exe TKC] [--file TPL] [--n N,N,...] [--cap SECONDS]

K-hat is that of same/different strings at a large alphabet, where no two
training strings share a symbol: N[t_i, t_j] off the diagonal, K(x, x) on
it, with N from `tkc nmatrix --json` and K(x, x) from `tkc kernel` at the
benchmark's kernel (transformer, beta 4, gamma 2); templates drawn with
their weights, labels +-1 with noise 0.5.  Each peer solves (K + lambda I)
alpha = y, lambda = 1e-3:

  numpy    np.linalg.solve (LU; numpy has no Cholesky solve), K copied once
           for the ridge;
  sklearn  KernelRidge(kernel="precomputed", alpha=1e-3).fit(K, y).

Every (peer, n) runs in a child process of its own so that its peak
resident memory (getrusage) is its own; a peer stops at the first n that
takes more than --cap seconds.  Prints CSV rows impl,n,seconds,peak_gb.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def block_values(exe, path):
    """N and K(x, x) per template at the benchmark's kernel options."""
    opts = ["--beta", "4", "--gamma", "2"]
    nm = json.loads(subprocess.run([exe, "nmatrix", path, "--json"] + opts,
                                   capture_output=True, text=True).stdout)
    N = np.array(nm["N"], dtype=float)
    diag = []
    for z in nm["templates"]:
        # wildcards (Greek letters) to fresh tokens, in order of appearance
        fresh = {}
        x = " ".join(fresh.setdefault(w, f"t{len(fresh) + 1}")
                     if "\u0391" <= w <= "\u03c9" else w for w in z.split())
        k = json.loads(subprocess.run([exe, "kernel", x, x, "--json"] + opts,
                                      capture_output=True, text=True).stdout)
        diag.append(k["value"])
    return N, np.array(diag)


def gram(N, diag, n, seed=1):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, len(diag), n)
    K = N[np.ix_(t, t)]
    K[np.arange(n), np.arange(n)] = diag[t]
    y = np.where(t == 0, 1.0, -1.0) + 0.5 * rng.standard_normal(n)
    return K, y


def one(impl, n, N, diag):
    K, y = gram(N, diag, n)
    t0 = time.perf_counter()
    if impl == "numpy":
        A = K + 1e-3 * np.eye(n)
        np.linalg.solve(A, y)
    else:
        from sklearn.kernel_ridge import KernelRidge
        KernelRidge(kernel="precomputed", alpha=1e-3).fit(K, y)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024e-9
    print(f"{impl},{n},{seconds:.4f},{peak:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", default=os.path.join(HERE, "..", "build", "tkc"))
    ap.add_argument("--file", default=os.path.join(HERE, "..", "data", "templates",
                                                   "same_different.tpl"))
    ap.add_argument("--n", default="1000,2000,4000,8000")
    ap.add_argument("--cap", type=float, default=120.0)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--values", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        v = json.loads(a.values)
        one(a.one[0], int(a.one[1]), np.array(v["N"]), np.array(v["diag"]))
        return
    N, diag = block_values(a.exe, a.file)
    values = json.dumps({"N": N.tolist(), "diag": diag.tolist()})
    for impl in ("numpy", "sklearn"):
        for n in (int(s) for s in a.n.split(",")):
            out = subprocess.run([sys.executable, __file__, "--one", impl, str(n),
                                  "--values", values], capture_output=True, text=True)
            if out.returncode:
                print(f"# {impl} n={n} failed: {out.stderr.strip()[-200:]}",
                      file=sys.stderr)
                break
            sys.stdout.write(out.stdout)
            sys.stdout.flush()
            if float(out.stdout.split(",")[2]) > a.cap:
                break


if __name__ == "__main__":
    main()
