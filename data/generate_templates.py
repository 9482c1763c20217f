#!/usr/bin/python3
"""Write the template sets of data/templates/README.md (*.tpl there).

    /usr/bin/python3 data/generate_templates.py            # (re)write them
    /usr/bin/python3 data/generate_templates.py --check    # verify the
        checked-in files equal this script's output; exit 1 when not

Standard library only.  Every set is checked before it is written: its
count (144 for distribution-of-3, 40 for relational match-to-sample, 37 for
Raven, 2^(k-1) for majority-k, ...), equal lengths, and pairwise
disjointness (Definition 3.2), by a union-find written here independently of
the C library's.
"""
import argparse
import itertools
import os
import random
import sys

# Wildcards, in the order they are handed out (ϵ is U+03F5, as in the paper).
GREEK = "αβγδϵζηθικλμνξοπρστυφχψω"
BLANK = "□"          # the blank cell of distribution-of-3 (a regular token)


def is_wildcard(sym):
    return sym[0] in GREEK or sym[0] == "$"


# ---- exact disjointness (Definition 3.2), independent of src/template.c --

def disjoint(z1, z2):
    """No string matches both z1 and z2 (equal length, lists of symbols)."""
    k = len(z1)
    parent = list(range(k))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # positions forced equal: same symbol within a template (a wildcard or a
    # token), or the same regular token anywhere in either template
    for z in (z1, z2):
        for a in range(k):
            for b in range(k):
                if z[a] == z[b]:
                    union(a, b)
    for a in range(k):
        for b in range(k):
            if not is_wildcard(z1[a]) and z1[a] == z2[b]:
                union(a, b)
    classes = {}
    for a in range(k):
        classes.setdefault(find(a), []).append(a)
    for positions in classes.values():
        tokens = {z[a] for z in (z1, z2) for a in positions
                  if not is_wildcard(z[a])}
        if len(tokens) > 1:
            return True
        for z in (z1, z2):
            wilds = {z[a] for a in positions if is_wildcard(z[a])}
            if len(wilds) > 1:
                return True       # the substitution would not be injective
            if wilds and tokens and tokens & set(z):
                return True       # a wildcard would take the template's token
    return False


def canonical(z):
    """z with wildcards renamed in order of first appearance."""
    names = {}
    return tuple(names.setdefault(s, "w%d" % len(names)) if is_wildcard(s)
                 else s for s in z)


def verify(name, templates, expected_count):
    """templates: list of (label, [symbols]).  Count, lengths, disjointness."""
    assert len(templates) == expected_count, \
        "%s: %d templates, expected %d" % (name, len(templates), expected_count)
    lengths = {len(z) for _, z in templates}
    assert len(lengths) == 1, "%s: unequal lengths %s" % (name, lengths)
    for label, z in templates:
        if isinstance(label, str):
            assert label in z, "%s: label %s not in %s" % (name, label, z)
    for (_, z1), (_, z2) in itertools.combinations(templates, 2):
        assert canonical(z1) != canonical(z2), "%s: duplicate %s" % (name, z1)
        assert disjoint(z1, z2), "%s: %s and %s overlap" % (name, z1, z2)


# ---- the sets --------------------------------------------------------------

def pair_task(a, b):
    return [(1, list(a)), (-1, list(b))]


def majority(k):
    """α×{α,β}^(k-1); +1 when α is a strict majority of the k symbols."""
    out = []
    for tail in itertools.product("αβ", repeat=k - 1):
        z = ["α"] + list(tail)
        out.append((1 if 2 * z.count("α") > k else -1, z))
    return out


def programming():
    head = "α = 1 ; β = - 1 ; print (".split()
    return [(1, head + ["α", ")"]), (-1, head + ["β", ")"])]


def word_problem():
    """Paper §2: "If α gives β 5 γ, how many γ does β have?" labelled +5;
    asking about the giver instead gives -5; the same with 3."""
    out = []
    for n in ("5", "3"):
        for who, sign in (("β", 1), ("α", -1)):
            z = ("If α gives β %s γ , how many γ does %s have ?"
                 % (n, who)).split()
            out.append((sign * int(n), z))
    return out


def distribution_of_3():
    """Row 1 αβγ; row 2 two of them in order and the blank; row 3 a
    permutation of α β γ ϵ; label: 1-based position in row 3 of the symbol
    missing from row 2.  6 × 24 = 144."""
    out = []
    for second in itertools.permutations("αβγ", 2):
        missing = next(s for s in "αβγ" if s not in second)
        for last in itertools.permutations("αβγϵ"):
            z = list("αβγ") + list(second) + [BLANK] + list(last)
            out.append((last.index(missing) + 1, z))
    return out


EQUALITY_PATTERNS = ["aaa", "aab", "aba", "abb", "abc"]


def relational_match_to_sample():
    """A sample row in one of the 5 equality patterns of 3 symbols, then two
    option rows with fresh wildcards: one in the sample's pattern, the other
    in one of the 4 other patterns; label = which option matches (1 or 2).
    5 × 2 × 4 = 40."""
    out = []
    for sample in EQUALITY_PATTERNS:
        for correct in (1, 2):
            for other in EQUALITY_PATTERNS:
                if other == sample:
                    continue
                rows = [sample, sample, other] if correct == 1 \
                    else [sample, other, sample]
                z, used = [], 0
                for row in rows:           # fresh wildcards for every row
                    names = {}
                    for c in row:
                        if c not in names:
                            names[c] = GREEK[used]
                            used += 1
                        z.append(names[c])
                out.append((correct, z))
    return out


def raven():
    """Per attribute: distribution of three with a symbolic label, row 1
    αβγ, row 2 a permutation of it (6), row 3 two distinct of them in order
    (6) and '?', labelled with the missing one; plus constant rows
    ααα βββ γγ ? labelled γ.  36 + 1 = 37."""
    out = []
    for second in itertools.permutations("αβγ"):
        for third in itertools.permutations("αβγ", 2):
            missing = next(s for s in "αβγ" if s not in third)
            out.append((missing, list("αβγ") + list(second) + list(third)
                        + ["?"]))
    out.append(("γ", list("αααβββγγ") + ["?"]))
    return out


RANDOM_SEED, RANDOM_R, RANDOM_K = 2310, 16, 6
RANDOM_ALPHABET = ["α", "β", "γ", "δ", "A", "B"]


def random_templates():
    """r templates drawn uniformly from (W ∪ X)^k, |W| = 4, |X| = 2, kept
    when disjoint from those already drawn; Gaussian labels centered and
    scaled so that the trivial MSE (predicting 0) is 1."""
    rng = random.Random(RANDOM_SEED)
    chosen = []
    while len(chosen) < RANDOM_R:
        z = [rng.choice(RANDOM_ALPHABET) for _ in range(RANDOM_K)]
        if all(disjoint(z, other) for other in chosen):
            chosen.append(z)
    g = [rng.gauss(0.0, 1.0) for _ in chosen]
    mean = sum(g) / len(g)
    scale = (sum((x - mean) ** 2 for x in g) / len(g)) ** 0.5
    return [(round((x - mean) / scale, 6), z) for x, z in zip(g, chosen)]


SETS = [
    ("same_different", "same/different: αα +1, αβ -1 (paper §1, Fig. 1)",
     lambda: pair_task("αα", "αβ"), 2),
    ("aba_abb", "αβα +1 vs αββ -1 (paper App. B)",
     lambda: pair_task("αβα", "αββ"), 2),
    ("abab_aabb", "αβαβ +1 vs ααββ -1 (paper App. B)",
     lambda: pair_task("αβαβ", "ααββ"), 2),
    ("majority3", "length-3 majority: α×{α,β}^2, +1 when α is a strict "
     "majority (paper App. B)", lambda: majority(3), 4),
    ("majority5", "length-5 majority: α×{α,β}^4, +1 when α is a strict "
     "majority (paper App. B)", lambda: majority(5), 16),
    ("programming", "the programming example, eq. (1) of the paper",
     programming, 2),
    ("word_problem", "word problems after paper §2: who gains, who loses",
     word_problem, 4),
    ("distribution_of_3", "distribution of 3 (paper Fig. 1a, App. A)",
     distribution_of_3, 144),
    ("relational_match_to_sample", "relational match-to-sample (paper Fig. "
     "1b, App. A)", relational_match_to_sample, 40),
    ("raven", "Raven's progressive matrices, one attribute, symbolic labels "
     "(paper Fig. 1c, App. A)", raven, 37),
    ("random", "random template task, seed %d, r = %d, k = %d (paper App. B)"
     % (RANDOM_SEED, RANDOM_R, RANDOM_K), random_templates, RANDOM_R),
]


def render(title, templates):
    lines = ["# %s" % title,
             "# Generated by data/generate_templates.py; do not edit by hand.",
             "# %d templates; [CLS] is appended by tkc when read." %
             len(templates)]
    for label, z in templates:
        lab = label if isinstance(label, str) else \
            ("%+d" % label if label == int(label) else "%+.6f" % label)
        lines.append("%-10s %s" % (lab, " ".join(z)))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="verify the checked-in files instead of writing")
    ap.add_argument("--outdir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "templates"))
    args = ap.parse_args()
    bad = 0
    for name, title, build, count in SETS:
        templates = build()
        verify(name, templates, count)
        text = render(title, templates)
        path = os.path.join(args.outdir, name + ".tpl")
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("%s: differs from the generator's output" % path,
                      file=sys.stderr)
                bad += 1
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        print("%-28s %4d templates, k = %d%s" % (name, len(templates),
              len(templates[0][1]), " (checked)" if args.check else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
