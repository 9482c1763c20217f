#!/usr/bin/env python3
"""test_docs_links.py — the reference's pointers lead somewhere.

docs/ says, for each claim, which code or test carries it.  This test keeps
those pointers true as the code moves.  In docs/ and the README files that
link into it, every relative link [text](path#anchor) names a file that
exists and, for a Markdown file, a heading that exists (GitHub's anchors).
In docs/ and the top README also
  - every path in backticks under src/, include/, tests/, data/, bench/,
    notebooks/, python/, fuzz/ or scripts/ exists;
  - every `file: name` (a C, shell or Python file, with or without its
    folder) names a file that contains `name`;
  - every identifier in backticks that starts with tkc_ or TKC_ occurs in
    include/ or src/.

Standard library only; tests/check.py counts the checks.
"""
import glob
import os
import re
import sys

from check import check, summary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Pages whose links are checked; the first ones' code pointers too.
CODE_PAGES = (sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) +
              [os.path.join(ROOT, "README.md")])
PAGES = CODE_PAGES + [os.path.join(ROOT, p) for p in
                      ("data/templates/README.md", "notebooks/README.md")]
FOLDERS = ("src", "include", "tests", "data", "bench", "notebooks", "python",
           "fuzz", "scripts")
SOURCE_DIRS = ("src", "src/cli", "include/tkc", "tests", "bench", "data",
               "python", "notebooks", "fuzz", "scripts")

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def prose(text):
    """The text outside fenced code blocks."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def anchors(path):
    """GitHub's anchors of a Markdown file's headings."""
    out, seen = set(), {}
    for line in prose(read(path)).splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower())
        slug = slug.replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else "%s-%d" % (slug, n))
    return out


def find_source(name):
    """A file named in prose: a path from the root, or a bare file name
    found in one of SOURCE_DIRS (unique)."""
    if "/" in name:
        p = os.path.join(ROOT, name)
        return [p] if os.path.isfile(p) else []
    return [p for d in SOURCE_DIRS
            for p in [os.path.join(ROOT, d, name)] if os.path.isfile(p)]


IDENTIFIERS = None


def identifier_known(name):
    global IDENTIFIERS
    if IDENTIFIERS is None:
        IDENTIFIERS = set()
        for d in ("include", "src"):
            for p in glob.glob(os.path.join(ROOT, d, "**", "*.[ch]"),
                               recursive=True):
                IDENTIFIERS.update(re.findall(r"\b(?:tkc|TKC)_\w+", read(p)))
    return name in IDENTIFIERS


def check_page(page):
    rel = os.path.relpath(page, ROOT)
    text = prose(read(page))
    base = os.path.dirname(page)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue                              # http:, mailto:
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(base, path)) if path else page
        if not os.path.exists(full):
            check(False, "%s: link to %s: no such file" % (rel, target))
            continue
        if anchor and full.endswith(".md"):
            check(anchor in anchors(full), "%s: link to %s: no such heading"
                  % (rel, target))
        else:
            check(True, "")
    for code in re.findall(r"`([^`\n]+)`", text) if page in CODE_PAGES else []:
        m = re.match(r"^((?:%s)/[\w./-]*[\w/])$" % "|".join(FOLDERS), code)
        if m:
            check(os.path.exists(os.path.join(ROOT, m.group(1))),
                  "%s: `%s` does not exist" % (rel, code))
        m = re.match(r"^([\w./-]+\.(?:c|h|sh|py)): (\w+)$", code)
        if m:
            files = find_source(m.group(1))
            check(len(files) == 1, "%s: `%s`: %d files named %s" %
                  (rel, code, len(files), m.group(1)))
            if len(files) == 1:
                check(re.search(r"\b%s\b" % m.group(2), read(files[0])),
                      "%s: `%s`: %s not in %s" % (rel, code, m.group(2),
                                                   m.group(1)))
        m = re.match(r"^((?:tkc|TKC)_\w+)(?:\(\))?$", code)
        if m:
            check(identifier_known(m.group(1)), "%s: `%s` occurs nowhere in "
                  "include/ or src/" % (rel, code))


def check_layout():
    text = read(os.path.join(ROOT, "README.md"))
    section = text.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\|([^|]*)\|", section, flags=re.M)[2:])
    named = {f for row in named for f in re.findall(r"`([\w.]+\.c)`", row)}
    present = {os.path.basename(p)
               for p in glob.glob(os.path.join(ROOT, "src", "*.c"))}
    for f in sorted(present - named):
        check(False, "README.md Layout: src/%s is not in the table" % f)
    for f in sorted(named - present):
        check(False, "README.md Layout: `%s` is not in src/" % f)
    check(named == present, "README.md Layout differs from src/*.c")


def main():
    for page in PAGES:
        check_page(page)
    check_layout()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
