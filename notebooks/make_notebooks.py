#!/usr/bin/python3
"""Write notebooks/NN_*.ipynb from their sources notebooks/src/NN_*.py.

The sources are plain Python in the "percent" format, so they review and
diff like code: `# %%` starts a code cell, `# %% [markdown]` a markdown cell
whose lines are comments (`# ` is stripped).  Every notebook gets the same
setup cell (SETUP below) after its title cell.  The notebooks are written
without outputs.

    /usr/bin/python3 notebooks/make_notebooks.py          # rewrite them
    /usr/bin/python3 notebooks/make_notebooks.py --check  # exit 1 if stale
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SETUP = '''\
# Setup, the same in every notebook: the tkc Python module (this repository's
# build, build/python, else an installed one), the shipped template sets by
# bare name, the mode (TKC_QUICK=1: small sizes, for CI), the figures' style
# (notebooks/style.py) and where figures go.
import os, sys
import numpy as np
import matplotlib.pyplot as plt

def _find_root():
    d = os.environ.get("TKC_ROOT") or os.getcwd()
    while not os.path.isdir(os.path.join(d, "data", "templates")):
        if os.path.dirname(d) == d:
            raise RuntimeError("run inside the tkc repository or set TKC_ROOT")
        d = os.path.dirname(d)
    return os.path.abspath(d)

ROOT = _find_root()
if os.path.isdir(os.path.join(ROOT, "build", "python", "tkc")):
    sys.path.insert(0, os.path.join(ROOT, "build", "python"))
sys.path.insert(0, os.path.join(ROOT, "notebooks"))
os.environ.setdefault("TKC_TEMPLATES", os.path.join(ROOT, "data", "templates"))
import tkc
import style

QUICK = os.environ.get("TKC_QUICK", "0") not in ("", "0")
FIGURES = os.environ.get("TKC_FIGURES") or os.path.join(ROOT, "notebooks", "figures")
os.makedirs(FIGURES, exist_ok=True)
style.apply()

def save(fig, name):
    """Write the figure as FIGURES/name.png."""
    path = os.path.join(FIGURES, name + ".png")
    fig.savefig(path, bbox_inches="tight")
    print("wrote", path)

print("tkc:", os.path.dirname(tkc.__file__), "| quick mode" if QUICK else "| full mode")'''


def cells_of(text):
    """Split a percent-format source into [(kind, source)]."""
    cells, kind, lines = [], None, []

    def flush():
        if kind is not None:
            while lines and not lines[-1].strip():
                lines.pop()
            while lines and not lines[0].strip():
                lines.pop(0)
            cells.append((kind, "\n".join(lines)))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
        elif kind == "markdown":
            if line and not line.startswith("#"):
                raise SystemExit(f"markdown line not a comment: {line!r}")
            lines.append(line[2:] if line.startswith("# ") else line[1:])
        elif kind == "code":
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise SystemExit(f"text before the first cell: {line!r}")
    flush()
    return cells


def notebook(stem, cells):
    out = []
    for n, (kind, src) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"{stem[:2]}-{n:02d}", "metadata": {},
                "source": src.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)",
                           "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4, "nbformat_minor": 5,
    }


def build(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        cells = cells_of(f.read())
    if not cells or cells[0][0] != "markdown":
        raise SystemExit(f"{path}: the first cell must be the markdown title")
    cells.insert(1, ("code", SETUP))
    text = json.dumps(notebook(stem, cells), indent=1, ensure_ascii=False) + "\n"
    return os.path.join(HERE, stem + ".ipynb"), text


def main(argv):
    check = "--check" in argv
    stale = 0
    for src in sorted(glob.glob(os.path.join(HERE, "src", "[0-9][0-9]_*.py"))):
        dst, text = build(src)
        old = open(dst, encoding="utf-8").read() if os.path.exists(dst) else None
        if old == text:
            continue
        if check:
            print(f"stale: {os.path.relpath(dst, HERE)} (run make_notebooks.py)")
            stale += 1
        else:
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote", os.path.relpath(dst, HERE))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
