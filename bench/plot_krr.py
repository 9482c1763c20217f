#!/usr/bin/python3
"""plot_krr.py — learning curves from `tkc krr ... --csv` output.

    tkc krr FILE --compare --n 50,100,...,1600 --seeds 3 --csv > task.csv
    /usr/bin/python3 bench/plot_krr.py OUT.png task.csv [task2.csv ...]

One panel per CSV file: the exact expected test MSE on unseen symbols
(test_mse_population) against n for each kernel, mean over seeds with
standard-error bars, the label variance as a dashed line (the error of the
best constant, where the MLP kernel stays), and n^-1 for reference.
"""
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def curves(path):
    rows = list(csv.DictReader(open(path)))
    by = {}
    for r in rows:
        by.setdefault(r["kernel"], {}).setdefault(int(r["n"]), []).append(
            float(r["test_mse_population"]))
    variance = float(rows[0]["label_variance"])
    return by, variance


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, files = sys.argv[1], sys.argv[2:]
    fig, axes = plt.subplots(1, len(files), figsize=(5 * len(files), 4),
                             squeeze=False)
    for ax, path in zip(axes[0], files):
        by, variance = curves(path)
        for kernel, pts in sorted(by.items()):
            ns = sorted(pts)
            mean = [sum(pts[n]) / len(pts[n]) for n in ns]
            se = [math.sqrt(sum((v - m) ** 2 for v in pts[n]) /
                            max(len(pts[n]) - 1, 1) / len(pts[n]))
                  for n, m in zip(ns, mean)]
            ax.errorbar(ns, mean, yerr=se, marker="o", capsize=3, label=kernel)
        ax.axhline(variance, color="gray", ls="--", label="label variance")
        ns = sorted({n for pts in by.values() for n in pts})
        ax.plot(ns, [by["trans"][ns[0]][0] * ns[0] / n for n in ns] if "trans" in by
                else [], color="black", lw=0.8, ls=":", label="∝ 1/n")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training samples n")
        ax.set_ylabel("test MSE on unseen symbols")
        ax.set_title(os.path.splitext(os.path.basename(path))[0])
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
