"""Private on-disk copies of streams, for libraries that only open files (``sqlite3``).

SQLite reads a path, never a file object, and replays a ``-wal`` only from a file beside
its database. A database read from a container member, or evidence that must not get a
``-shm`` written beside it, is therefore copied into a private temporary folder (mode
0700) that is removed afterwards, whatever happens. Copies stream in chunks: memory stays
flat whatever the size.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20


@contextmanager
def spooled(files: Mapping[str, BinaryIO], *, prefix: str = "phunt-") -> Iterator[Path]:
    """A temporary folder holding each stream of ``files`` under its name; removed on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as work:
        folder = Path(work)
        for name, stream in files.items():
            if "/" in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
        yield folder
