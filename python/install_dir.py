"""Print where `meson install` puts the tkc package for this Python under a
prefix:  python3 install_dir.py PREFIX

The first folder of this Python's sys.path that lies in PREFIX/lib... and
ends in dist-packages or site-packages, so that the module is found without
setting anything: on Debian, /usr/local/lib/python3.X/dist-packages for the
prefix /usr/local and /usr/lib/python3/dist-packages for /usr.  (Debian's
sysconfig schemes disagree with its sys.path for /usr/local, which is why
the path itself is asked.)  Under another prefix: sysconfig's platlib there
(then put it on PYTHONPATH).
"""
import os
import sys
import sysconfig


def main(prefix):
    prefix = os.path.normpath(prefix)
    for path in sys.path:
        rel = os.path.relpath(path, prefix) if path.startswith("/") else ".."
        if rel.startswith("lib") and \
                os.path.basename(path) in ("dist-packages", "site-packages"):
            return path
    return sysconfig.get_path("platlib", "posix_prefix",
                              vars={"base": prefix, "platbase": prefix})


if __name__ == "__main__":
    print(main(sys.argv[1]))
