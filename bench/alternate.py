#!/usr/bin/python3
"""alternate.py — what every benchmark of tkc shares: run tkc and its peers
in turn within one call (A B A B ..., at least 3 rounds), so that a drift
of the machine's speed hits both sides alike, and take the ratio round by
round; record the machine, the load around every run and the peers' thread
settings, so that a figure says what it was measured under.

Each command prints `key=value` words on its last line of output (cpu=
seconds of the measured work, as the process itself timed it, and whatever
else it reports); measure() parses them and adds the 1-minute load average
read just before and just after the run.

The peers run on one thread (the BLAS, OpenMP, numba and torch thread
variables set to 1) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
their environment, so that OpenBLAS picks its own kernels for this CPU (a
Haswell core type forced on a newer CPU made numpy about 2x slower in an
earlier baseline).  Standard library only.
"""
import datetime
import os
import platform
import statistics
import subprocess
import sys

# One thread for every peer, whatever library it uses.
PEER_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
# Removed from the peers' environment: OpenBLAS chooses for itself.
PEER_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# A 1-minute load average above this many runnable tasks per core, beyond
# the one task the benchmark itself keeps running (its runs take turns on
# one thread), marks the figures as taken on a busy machine.
BUSY_LOAD_PER_CORE = 0.25
OWN_LOAD = 1.0


def peer_env():
    env = {k: v for k, v in os.environ.items() if k not in PEER_UNSET}
    env.update(PEER_THREADS)
    return env


def peer_env_words():
    was = ", ".join(f"{k}={os.environ[k]}" for k in PEER_UNSET if k in os.environ)
    return (" ".join(f"{k}={v}" for k, v in PEER_THREADS.items()) + "; unset: " +
            ", ".join(PEER_UNSET) + (f" (were {was})" if was else ""))


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = os.cpu_count() or 1
    return {"date": datetime.datetime.now(datetime.timezone.utc)
                    .strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": model, "cores": cores, "load": loadavg()}


def words(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def measure(argv, env=None):
    """Run argv; the key=value words of its last output line, as strings,
    with load_before and load_after (floats) added, and under "lines" every
    line's first word with its key=value words."""
    before = loadavg()
    out = subprocess.run(argv, env=env, check=True, capture_output=True,
                         text=True).stdout
    lines = out.strip().splitlines()
    d = words(lines[-1])
    d["lines"] = [(ln.split()[0], words(ln)) for ln in lines if ln.split()]
    d["load_before"], d["load_after"] = before, loadavg()
    return d


def alternate(entries, rounds):
    """entries: (label, argv, env) in the order to run them within a round;
    returns {label: [one result per round]}."""
    if rounds < 3:
        raise SystemExit("alternate: at least 3 rounds (A B A B A B)")
    res = {label: [] for label, _, _ in entries}
    for _ in range(rounds):
        for label, argv, env in entries:
            res[label].append(measure(argv, env))
    return res


def busy(results, cores):
    """Highest load seen around any run, and whether it marks the machine
    as busy."""
    peak = max(max(r["load_before"], r["load_after"])
               for runs in results.values() for r in runs)
    return peak, peak > OWN_LOAD + BUSY_LOAD_PER_CORE * cores


def spread(values):
    """median [min, max] as text."""
    return (f"{statistics.median(values):.3g} "
            f"[{min(values):.3g}, {max(values):.3g}]")


def header(title, m, results=None):
    print(title)
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['date']}, "
          f"load {m['load']:.2f} at the start")
    if results is not None:
        peak, is_busy = busy(results, m["cores"])
        print(f"load around the runs: up to {peak:.2f}" +
              ("  -- SHARED / BUSY MACHINE: figures NOT FINAL" if is_busy
               else ""))
    sys.stdout.flush()
