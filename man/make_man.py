#!/usr/bin/env python3
"""Write tkc's man pages from its own --help: tkc.1 and tkc-COMMAND.1.

    make_man.py TKC OUTDIR

meson runs this at build time (man/meson.build), so the pages are always the
--help of the tkc they are installed with: the NAME line is the command's
summary in `tkc --help`, the SYNOPSIS its usage lines, the DESCRIPTION the
rest of its help, verbatim.  The sections no --help carries (where template
sets are found, the environment, exit status, see also) are written here,
once, for every page.  tests/test_man.sh checks the pages against --help.
Standard library only.
"""
import os
import re
import subprocess
import sys

SECTIONS = r"""
.SH TEMPLATE SETS
A FILE argument is a template file (docs/templates.md) or the bare name of a
set, as in
.B tkc check majority3
or
.BR "tkc check majority3.tpl" .
The first of these is taken:
.IP 1. 3
FILE itself, when it names a file (relative to the working directory, or
absolute); a name holding a slash is only ever a path;
.IP 2. 3
in each folder of
.B TKC_TEMPLATES
(separated by colons), the name, then the name with
.B .tpl
appended;
.IP 3. 3
the same in the installed sets,
.IR @TEMPLATES_DIR@ .
.PP
The shipped sets: same_different, aba_abb, abab_aabb, majority3, majority5,
programming, word_problem, random, raven, relational_match_to_sample,
distribution_of_3.
.SH ENVIRONMENT
.TP
.B TKC_TEMPLATES
folders searched for template sets by bare name, before the installed ones.
.TP
.B OPENBLAS_NUM_THREADS
OpenBLAS's threads.  Under a memory limit
.RB ( "ulimit \-v" )
and when it is not set, tkc runs itself again with it set to 1: OpenBLAS
0.3.21 would otherwise spin when a thread's buffer cannot be mapped.
.SH EXIT STATUS
0 on success; 1 only when a check the user asked to enforce fails (for
instance
.BR "tkc check \-\-expect\-nonsingular trans" );
2 on bad usage or bad input, and on every failure (memory, a numerical
failure, a result that is not finite, a write to standard output that
failed), with a message on standard error that names what and where.
.SH SEE ALSO
@SEE_ALSO@
.PP
The reference: docs/README.md in the source tree (docs/cli.md for the
commands, docs/json.md for
.BR \-\-json ).
The Python module: docs/python.md.
"""


def help_text(tkc, *args):
    out = subprocess.run([tkc, *args, "--help"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def commands(top):
    """(name, summary) of each command, from `tkc --help`."""
    body = top.split("commands:\n", 1)[1]
    return [(m.group(1), m.group(2).strip())
            for m in re.finditer(r"^  (\S+)\s+(.*)$", body, re.M)]


def roff(line):
    """One line of text, safe for roff: backslashes and hyphens escaped,
    a leading dot or quote protected."""
    line = line.replace("\\", "\\e").replace("-", "\\-")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


def split_usage(text):
    """The usage lines (the first line and its continuations) and the rest."""
    lines = text.rstrip("\n").split("\n")
    n = 1
    while n < len(lines) and lines[n].startswith(" ") and lines[n].strip():
        n += 1
    usage = [lines[0].replace("usage: ", "", 1)] + [l.strip() for l in lines[1:n]]
    rest = lines[n:]
    while rest and not rest[0].strip():
        rest.pop(0)
    return usage, rest


def page(name, summary, text, version, see_also, templates_dir):
    usage, rest = split_usage(text)
    out = [f'.TH {name.upper()} 1 "" "tkc {version}" "tkc manual"',
           ".SH NAME", f"{roff(name)} \\- {roff(summary)}",
           ".SH SYNOPSIS", ".nf"]
    out += [roff(u) for u in usage]
    out += [".fi", ".SH DESCRIPTION",
            "The text of", f".BR \"{roff(name.replace('-', ' '))} \\-\\-help\" :",
            ".PP", ".nf"]
    out += [roff(l) for l in rest]
    out += [".fi"]
    sections = SECTIONS.replace("@TEMPLATES_DIR@", roff(templates_dir))
    sections = sections.replace("@SEE_ALSO@", ",\n".join(
        f".BR {p} (1)" for p in see_also))
    out += sections.strip("\n").split("\n")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: make_man.py TKC OUTDIR TEMPLATES_DIR")
    tkc, outdir, templates_dir = argv[1:]
    version = subprocess.run([tkc, "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[-1]
    top = help_text(tkc)
    cmds = commands(top)
    names = ["tkc"] + [f"tkc-{c}" for c, _ in cmds]
    pages = [("tkc", "the template kernel calculator", top)]
    pages += [(f"tkc-{c}", s, help_text(tkc, c)) for c, s in cmds]
    os.makedirs(outdir, exist_ok=True)
    for name, summary, text in pages:
        see = [n for n in names if n != name]
        with open(os.path.join(outdir, name + ".1"), "w") as f:
            f.write(page(name, summary, text, version, see, templates_dir))


if __name__ == "__main__":
    main(sys.argv)
