"""check.py — the harness of the Python tests, as tests/check.h is the C
tests': named checks that count passes and failures, and the summary line
"N passed, N failed" with the exit status."""
import sys

_counts = {"passed": 0, "failed": 0}


def check(ok, what):
    """Count a check; print what failed on stderr."""
    if ok:
        _counts["passed"] += 1
    else:
        _counts["failed"] += 1
        print("FAILED: " + what, file=sys.stderr)


def summary():
    """Print "N passed, N failed"; the exit status: nonzero on a failure."""
    print("%d passed, %d failed" % (_counts["passed"], _counts["failed"]))
    return 1 if _counts["failed"] else 0
