"""The demo's data folder: made fresh on each run, and never a folder the demo did not make."""

from __future__ import annotations

import shutil
from pathlib import Path

from phunt.config import make_home
from phunt.errors import UsageError

#: The file that marks a folder as the demo's own, so that a rerun may remove it (and
#: never a real data folder given by mistake as --out).
DEMO_MARK = ".phunt-demo"
#: What the generators planted, device by device: the answer key a trainee (and the
#: demo's test) compares phunt's findings with.
PLANTED = "planted.json"


def database_url(home: Path) -> str:
    """The embedded default: SQLite in the data folder, as ``phunt init`` makes it."""
    return f"sqlite:///{home / 'phunt.db'}"


def fresh_home(home: Path) -> Path:
    """``home`` emptied for the demo; a folder that is not the demo's own is refused."""
    home = home.resolve()  # ingest records absolute source paths
    if home.exists():
        if not home.is_dir():
            raise UsageError(f"{home} is a file: the demo needs a folder (--out)")
        if any(home.iterdir()) and not (home / DEMO_MARK).is_file():
            raise UsageError(
                f"{home} holds something other than a demo: the demo recreates its folder, "
                "so give it a new or empty one (--out)"
            )
        shutil.rmtree(home)
    make_home(home)
    (home / DEMO_MARK).write_text("made by phunt demo; removed by its next run\n")
    return home
