"""The GIL is released while the C library computes: a second Python thread
keeps running during a long call (cffi releases it around every C call)."""
import threading
import time

import tkc


def ticks_during(call):
    """Run call() while a second thread records the time, as fast as it
    can; return the call's (start, end) and the ticks in between."""
    ticks, stop = [], threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.05)
    start = time.perf_counter()
    call()
    end = time.perf_counter()
    stop.set()
    t.join()
    return start, end, [x for x in ticks if start < x < end]


def assert_runs_alongside(call):
    start, end, ticks = ticks_during(call)
    length = end - start
    assert length > 0.2, f"the call took {length:.3f} s: too short to tell"
    # Holding the GIL, the C call would leave the other thread a gap as long
    # as the whole call; released, it ticks throughout.
    edges = [start] + ticks + [end]
    gap = max(b - a for a, b in zip(edges, edges[1:]))
    assert len(ticks) > 100 and gap < 0.5 * length, (len(ticks), gap, length)


def test_gram_releases_the_gil():
    xs = tkc.Templates("majority5").sample(60, 50, seed=1).strings
    assert_runs_alongside(lambda: tkc.gram(xs, kernel="trans",
                                           estimator="mc", samples=2 ** 17))


def test_nmatrix_releases_the_gil():
    # 2^23 evaluations: about half a second (N_attn is evaluated once, since
    # Lemma 3.6 reuses it)
    assert_runs_alongside(lambda: tkc.nmatrix(
        "majority3", kernel="attn", estimator="mc", samples=2 ** 23,
        generic=False, ladder=False))
