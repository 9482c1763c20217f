"""Template sets (docs/templates.md): parsed by the C library, found by bare
name as the commands find them, and sampled from the data distribution."""
import collections

import numpy as np

from tkc import _native
from tkc._native import InputError, call, ffi, lib, text


def find(name):
    """The file of a template set given as a path or by its bare name
    ("majority3", "majority3.tpl"), in the library's search order: the path
    itself, then each folder of $TKC_TEMPLATES, then the installed sets
    (docs/cli.md)."""
    buf = ffi.new("char[]", 4096)
    call(lib.tkc_template_set_find, name.encode(), buf, 4096)
    return text(buf)


def sets_dir():
    """Where `meson install` put the shipped template sets."""
    return text(lib.tkc_template_sets_dir())


Sample = collections.namedtuple("Sample", "strings labels templates")
Sample.__doc__ = """A draw from the data distribution: `strings` (lists of
tokens, fresh ones spelled t1, t2, ... as `tkc templates sample` spells them),
`labels` (an ndarray of f*(z) + noise, or for symbolic labels a list of the
tokens the label wildcard became) and `templates` (the index of the template
each string was drawn from)."""


class Templates:
    """A parsed template set.

    Templates(source, cls=True, allow_overlap=False), source being
      - a path or a bare set name ("same_different"): found as the commands
        find it (tkc.find);
      - the text of a template file (a str holding a newline);
      - a list of its lines (["+1 α α", "-1 α β"]).
    cls appends [CLS] to templates not ending in it (the command line's
    --no-cls is cls=False).  Errors name file:line:col (tkc.Error).
    """

    def __init__(self, source, cls=True, allow_overlap=False):
        if isinstance(source, (list, tuple)):
            name, body = "<templates>", "\n".join(source) + "\n"
        elif isinstance(source, str) and "\n" in source:
            name, body = "<templates>", source
        elif isinstance(source, str):
            name = find(source)
            try:
                with open(name, "rb") as f:
                    body = f.read().decode("utf-8", "surrogateescape")
            except OSError as e:          # as the C library words it
                raise InputError(f"{name}: cannot open: {e.strerror}") from None
        else:
            raise InputError("Templates: give a path, a set name, the text "
                             "of a template file or a list of its lines, got "
                             f"{type(source).__name__}")
        self._load(name, body, cls, allow_overlap)

    def _load(self, name, body, cls, allow_overlap):
        self._name, self._text = name, body
        self._cls, self._allow_overlap = bool(cls), bool(allow_overlap)
        opt = ffi.new("tkc_parse_options *")
        lib.tkc_parse_options_default(opt)
        opt.append_cls = int(bool(cls))
        opt.allow_overlap = int(bool(allow_overlap))
        raw = body.encode("utf-8", "surrogateescape")
        out = ffi.new("tkc_template_set **")
        call(lib.tkc_template_set_parse, raw, len(raw), name.encode(), opt,
             out)
        self._set = ffi.gc(out[0], lib.tkc_template_set_free)

    # pickling (and deepcopy, hence sklearn's clone): the text, parsed again
    def __getstate__(self):
        return dict(name=self._name, text=self._text, cls=self._cls,
                    allow_overlap=self._allow_overlap)

    def __setstate__(self, state):
        self._load(state["name"], state["text"], state["cls"],
                   state["allow_overlap"])

    def __repr__(self):
        return (f"Templates({self.file!r}: {self.count} templates, "
                f"k = {self.k})")

    def __len__(self):
        return self.count

    # ------------------------------------------------------------ the set
    @property
    def file(self):
        """The file it was read from ("<templates>" for text)."""
        return text(self._set.source)

    @property
    def count(self):
        return self._set.count

    @property
    def k(self):
        """The common length, [CLS] included when appended."""
        return self._set.k

    @property
    def cls_appended(self):
        return bool(self._set.cls_appended)

    @property
    def labels(self):
        """'real', or 'symbolic' when labels are wildcards."""
        return "symbolic" if self._set.symbolic_labels else "real"

    @property
    def symbols(self):
        """The regular tokens, in the order of the set's symbol table."""
        return [text(self._set.symbol_names[i])
                for i in range(self._set.nsymbols)]

    @property
    def max_wildcards(self):
        return lib.tkc_template_set_max_wildcards(self._set)

    @property
    def templates(self):
        """One dict per template, as `tkc templates check --json` lists
        them: line, template (spelled), label, weight, wildcards."""
        out = []
        for i in range(self.count):
            z = self._set.t[i]
            label = (text(z.wild_names[z.label_wildcard])
                     if z.label_wildcard >= 0 else z.label)
            out.append(dict(line=z.line, template=self.spell_template(i),
                            label=label, weight=z.weight, wildcards=z.nwild))
        return out

    def spell_template(self, i):
        buf = ffi.new("char[]", 8192)
        lib.tkc_template_format(self._set, i, buf, 8192)
        return text(buf)

    def spell_token(self, t):
        buf = ffi.new("char[]", 256)
        lib.tkc_template_token_name(self._set, t, buf, 256)
        return text(buf)

    def rho(self, alphabet):
        """ρ = alphabet / the largest number of wildcards of a template."""
        rho = ffi.new("double *")
        call(lib.tkc_template_set_rho, self._set, alphabet, rho)
        return rho[0]

    def vocabulary(self):
        """A Vocabulary of strings over this set's symbol table: its regular
        tokens and fresh tokens spelled as sample() spells them ("t7") take
        the ids the C library gives them, any other token a fresh id of its
        own."""
        return _SetVocabulary(self)

    def sample(self, n, alphabet, seed=1, test=False, noise=0.0):
        """n strings from the data distribution (Definition 2.2), as
        `tkc templates sample FILE -n N --alphabet A --seed S [--test]
        [--noise SIGMA]` draws them: wildcards take distinct fresh tokens of
        an alphabet of A symbols; test=True draws from a second alphabet,
        disjoint from training's (symbols never seen in training)."""
        out = ffi.new("tkc_sample **")
        call(lib.tkc_sample_draw, self._set, n, alphabet, 1 if test else 0,
             float(noise), seed, out)
        s = ffi.gc(out[0], lib.tkc_sample_free)
        k, names = self.k, {}
        ids = _native.as_array(s.strings.tok, n * k, np.int32).reshape(n, k)
        spell = lambda t: names.get(t) or names.setdefault(t, self.spell_token(t))
        strings = [[spell(int(t)) for t in row] for row in ids]
        raw = _native.as_array(s.label, n)
        labels = ([spell(int(t)) for t in raw] if self._set.symbolic_labels
                  else raw)
        which = _native.as_array(s.template_index, n, np.uintp).astype(np.intp)
        return Sample(strings, labels, which)


class _SetVocabulary(_native.Vocabulary):
    """Ids as the set's own: sample()'s strings keep the ids they were drawn
    with, so a structured fit on them walks its pairs as `tkc krr` does
    (the same digits); other tokens get ids from OTHER upwards."""

    OTHER = 1 << 30

    def __init__(self, templates):
        super().__init__()
        self._set = templates._set        # keeps the set's C object alive
        self._templates = templates
        self._next = self.OTHER

    def copy(self):
        v = _SetVocabulary(self._templates)
        v.ids, v._next = dict(self.ids), self._next
        return v

    def __getstate__(self):
        return dict(ids=self.ids, next=self._next, templates=self._templates)

    def __setstate__(self, state):
        self.ids, self._next = state["ids"], state["next"]
        self._templates = state["templates"]
        self._set = self._templates._set

    def add(self, t):
        found = ffi.new("tkc_token *")
        if isinstance(t, str) and lib.tkc_template_token_lookup(
                self._set, t.encode(), found) and found[0] < self.OTHER:
            self.ids[t] = found[0]
        else:
            self.ids[t] = self._next
            self._next += 1
        return self.ids[t]


def as_templates(source, cls=True):
    """A Templates from anything Templates() takes (a Templates as is)."""
    if isinstance(source, Templates):
        return source
    return Templates(source, cls=cls)
