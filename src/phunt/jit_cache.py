"""Where numba keeps the machine code it compiles for phunt's kernels (PDQ, matching).

By default numba writes its cache into ``__pycache__`` beside the installed package,
which is read-only for most users and shared by all. phunt points it at the user's
cache folder instead (``$XDG_CACHE_HOME/phunt/numba``, else ``~/.cache/phunt/numba``)
unless ``NUMBA_CACHE_DIR`` is set already. numba reads the variable when it is first
imported, so the package's ``__init__`` calls :func:`use_user_cache` before any module
that imports numba can run; worker processes inherit it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def user_cache_dir(environ: MutableMapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/phunt/numba`` (an absolute XDG_CACHE_HOME only, as the XDG base
    directory specification says), else ``~/.cache/phunt/numba``."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = environ.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".cache")
    return os.path.join(base, "phunt", "numba")


def use_user_cache(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Set ``NUMBA_CACHE_DIR`` to :func:`user_cache_dir` unless it is set; return the
    folder in use. When the folder cannot be made (a read-only home), nothing is set and
    numba keeps its own fallback; ``None`` is returned then."""
    env = os.environ if environ is None else environ
    if env.get("NUMBA_CACHE_DIR"):
        return env["NUMBA_CACHE_DIR"]
    folder = user_cache_dir(env)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    env["NUMBA_CACHE_DIR"] = folder
    return folder
