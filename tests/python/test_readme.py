"""The README's first Python session runs as written: the ```python block
after the marker naming this file, executed as is."""
import contextlib
import io
import os
import re

ROOT = os.environ.get("TKC_ROOT") or os.path.join(os.path.dirname(__file__),
                                                  "..", "..")


def test_readme_session():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- tests/python/test_readme.py [^>]*-->\n```python\n"
                  r"(.*?)\n```", text, re.S)
    assert m, "README: no python block after the test marker"
    out = io.StringIO()
    scope = {}
    with contextlib.redirect_stdout(out):
        exec(compile(m.group(1), "README.md", "exec"), scope)
    # what the README says of it: the Gram's shape, and an R² on unseen
    # symbols near 0.86
    assert scope["K"].shape == (200, 200) and scope["se"].shape == (200, 200)
    r2 = float(out.getvalue().split()[-1])
    assert 0.8 < r2 < 0.95, out.getvalue()
