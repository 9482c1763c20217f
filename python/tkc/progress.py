"""How far a long call has got (tkc/progress.h), for the functions that take
`progress=`: tkc.check, tkc.nmatrix, tkc.gram, tkc.kernel, tkc.series.

    progress=None   nothing (the default)
    progress=True   a line on sys.stderr, redrawn in place at most once a
                    second from 2 s on, as the command line draws it:
                    "tkc: round 1 of ≤ 2: K_attn mc, 820 patterns 37%: 12s,
                    ~20s left"; cleared at the end
    progress=f      f(stage, done, total) for every report: the stage's
                    words, outermost first, and how far it has got in its
                    own units (total 0: no count)

The library reports on the thread that made the call, while the GIL is
released; cffi takes the GIL back for each report, so `f` runs as ordinary
Python.  An exception raised by `f` cannot stop the computation: it is
raised again when the call returns.  Results never depend on progress.
"""
import sys
import time

from tkc._tkc import ffi, lib


class _Line:
    """progress=True: the command line's line, on sys.stderr."""

    def __init__(self):
        self.start = time.monotonic()
        self.shown = 0.0
        self.stage, self.since = "", self.start

    def __call__(self, stage, done, total):
        t = time.monotonic()
        if stage != self.stage or done == 0:
            self.stage, self.since = stage, t
        if t - self.start < 2 or t - self.shown < 1:
            return
        count = left = ""
        if total:
            count = (f" [{done}/{total}]" if total <= 1000
                     else f" {100 * done / total:.0f}%")
            if 0 < done < total:
                rest = (t - self.since) / done * (total - done)
                left = f", ~{rest:.0f}s left"
        sys.stderr.write(f"\rtkc: {stage}{count}: {t - self.start:.0f}s"
                         f"{left}\033[K")
        sys.stderr.flush()
        self.shown = t

    def close(self):
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


class reporting:
    """with reporting(progress) as p: spec.progress = p.c  (NULL for None).
    Keeps the C struct and the handle alive for the call, and raises what
    the callback raised once the call is over."""

    def __init__(self, progress):
        if progress is not None and progress is not True and \
                not callable(progress):
            raise TypeError("progress must be None, True or a callable "
                            f"(stage, done, total), got {progress!r}")
        self.fn = _Line() if progress is True else progress
        self.error = None
        self.c = ffi.NULL
        if self.fn is not None:
            self._handle = ffi.new_handle(self)
            self.c = ffi.new("tkc_progress *",
                             {"report": lib.tkc_py_progress,
                              "ctx": self._handle})

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if isinstance(self.fn, _Line):
            self.fn.close()
        if kind is None and self.error is not None:
            raise self.error
        return False


@ffi.def_extern()
def tkc_py_progress(ctx, stage, done, total):
    r = ffi.from_handle(ctx)
    if r.error is not None:
        return
    try:
        r.fn(ffi.string(stage).decode("utf-8", "replace"), int(done),
             int(total))
    except BaseException as e:   # noqa: BLE001 - raised again at the end
        r.error = e
