#!/usr/bin/python3
"""probes.py — run the probe table (tests/probes.tsv) against the tkc program.

Each row is one run of tkc with bad, extreme or ordinary input, and what it
must give: the exit code, a fragment of stderr, and for --json a strict
check of stdout.  The table keeps the probes of issue 14 (about 1,400 inputs
then; the ones that found a defect, and one of each kind that did not) so
that they are re-run on every change.

Table format (tab-separated; '#' starts a comment line):
    RC  FLAGS  STDERR-FRAGMENT  ARG  ARG ...
  RC        the exit code expected (0, 1 or 2);
  FLAGS     '-' or a comma-separated list of
              json    stdout is exactly one strict JSON object and a newline
                      (automatic for every exit-0 run with --json);
              full    stdout is /dev/full (a full disk);
              closed  stdout is closed (`>&-`);
              ulimit  the address space is limited to 300 MB (`ulimit -v
                      300000`; skipped under AddressSanitizer, which cannot
                      run so);
              quiet   stdout must be empty (automatic when RC is 2: nothing
                      half-done);
              report  stdout may hold a report although RC is 2 (`templates
                      check` reports what it found, then exits 2);
  FRAGMENT  '-', or text stderr must contain (case-sensitive);
  ARG       an argument; \\xNN is the byte NN and \\t a tab, $T/ is the
            shipped templates folder, $W/ a scratch folder holding the files
            made below (see FILES).

Strict JSON: valid UTF-8, json.loads with NaN/Infinity refused, one object,
nothing after it but one newline.  Every run must end within 120 s: a hang
is a failure.  Prints one line per failure and "N passed, N failed".
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

TKC = os.environ["TKC_EXE"]
TESTS = os.environ.get("TKC_TESTS", os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.environ.get("TKC_TEMPLATES",
                           os.path.join(TESTS, "..", "data", "templates"))

# Scratch files the table names as $W/NAME.
FILES = {
    "sd.tpl": "1 α α\n-1 α β\n",
    "bad_utf8.tpl": b"1 \xff\xfe\n",
    "nul.tpl": b"1 a\x00b\n",
    "empty.tpl": "",
    "overlap.tpl": "1 α β\n-1 α α\n1 a b\n",
    "huge.tpl": "1 α β\n" * (3 << 20),     # 24 MiB of valid text
    # 3000 disjoint templates: N's 9e6 entries, 0.43 GB at the least
    "r3000.tpl": "".join("%d %s%s%s α\n" % (i % 2 * 2 - 1, chr(97 + i // 676),
                                           chr(97 + i // 26 % 26),
                                           chr(97 + i % 26))
                         for i in range(3000)),
    # 1000: 0.048 GB by that floor, 0.52 GB by the prediction (nmatrix_cost.c)
    "r1000.tpl": "".join("%d %s%s α\n" % (i % 2 * 2 - 1, chr(97 + i // 26 % 26),
                                          chr(97 + i % 26)) for i in range(676)) +
                 "".join("%d z%s%s α\n" % (i % 2 * 2 - 1, chr(97 + i // 26),
                                           chr(97 + i % 26)) for i in range(324)),
}


def sanitized():
    """Is the program built with AddressSanitizer (ulimit -v breaks it)?"""
    with open(TKC, "rb") as f:
        return b"__asan_init" in f.read()


def unescape(arg, work):
    """\\xNN and \\t to bytes; $T/ and $W/ to folders."""
    arg = arg.replace("$T/", TEMPLATES + "/").replace("$W/", work + "/")
    out = bytearray()
    i = 0
    raw = arg.encode("utf-8")
    while i < len(raw):
        if raw[i:i + 2] == b"\\x" and i + 4 <= len(raw):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif raw[i:i + 2] == b"\\t":
            out.append(9)
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def strict_json(data):
    """None when data is one strict JSON object and a newline, else why."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return "stdout is not UTF-8: %s" % e

    def refuse(name):
        raise ValueError("non-finite number %s" % name)
    try:
        obj, end = json.JSONDecoder(parse_constant=refuse).raw_decode(text)
    except ValueError as e:
        return "stdout is not strict JSON: %s" % e
    if not isinstance(obj, dict):
        return "stdout is JSON but not an object"
    if text[end:] != "\n":
        return "after the object: %r" % text[end:end + 40]
    return None


def run(row, work, skip_ulimit):
    rc_want, flags, fragment, args = row
    flags = set() if flags == "-" else set(flags.split(","))
    if "ulimit" in flags and skip_ulimit:
        return None
    argv = [TKC.encode()] + [unescape(a, work) for a in args]
    if rc_want == 0 and b"--json" in argv:
        flags.add("json")
    if rc_want == 2 and "report" not in flags:
        flags.add("quiet")

    def limits():
        if "ulimit" in flags:
            resource.setrlimit(resource.RLIMIT_AS, (300000 * 1024,) * 2)
        if "closed" in flags:
            os.close(1)
    stdout = subprocess.PIPE
    if "full" in flags:
        stdout = open("/dev/full", "wb")
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)    # the program must cope alone
    try:
        p = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, preexec_fn=limits,
                           env=env, timeout=120)
    except subprocess.TimeoutExpired:
        return "timed out after 120 s (a hang)"
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()
    out = p.stdout or b""
    err = p.stderr.decode("utf-8", errors="replace")
    why = []
    if p.returncode != rc_want:
        why.append("exit %d, expected %d" % (p.returncode, rc_want))
    if fragment != "-" and fragment not in err:
        why.append("stderr lacks %r" % fragment)
    try:
        p.stderr.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        why.append("stderr is not UTF-8")
    if "json" in flags and p.returncode == 0:
        bad = strict_json(out)
        if bad:
            why.append(bad)
    if "quiet" in flags and out:
        why.append("stdout not empty: %r" % out[:60])
    if why:
        return "; ".join(why) + (" | stderr: %s" % err.strip()[-300:])
    return None


def main():
    table = os.path.join(TESTS, "probes.tsv")
    rows = []
    with open(table, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                sys.exit("%s:%d: fewer than 3 columns" % (table, n))
            rows.append((n, (int(cols[0]), cols[1], cols[2], cols[3:])))
    skip_ulimit = sanitized()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work:
        for name, text in FILES.items():
            mode = "wb" if isinstance(text, bytes) else "w"
            with open(os.path.join(work, name), mode) as f:
                f.write(text)
        for n, row in rows:
            why = run(row, work, skip_ulimit)
            if why:
                failed += 1
                print("FAILED probes.tsv:%d: tkc %s: %s"
                      % (n, " ".join(row[3]), why), file=sys.stderr)
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
