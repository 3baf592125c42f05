"""Private on-disk copies of streams, for libraries that only open files (``sqlite3``).

SQLite reads a path, never a file object, and replays a ``-wal`` only from a file beside
its database. A database read from a container member, or evidence that must not get a
``-shm`` written beside it, is therefore copied into a private temporary folder (mode
0700, in this process's folder of :mod:`phunt.scratch`, never the shared system
temporary folder) that is removed afterwards, whatever happens. Copies stream in
chunks: memory stays flat whatever the size.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from phunt import scratch as scratch_area

_CHUNK = 1 << 20


@contextmanager
def spooled(files: Mapping[str, BinaryIO], *, prefix: str = "phunt-") -> Iterator[Path]:
    """A temporary folder holding each stream of ``files`` under its name; removed on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=scratch_area.folder()) as work:
        folder = Path(work)
        for name, stream in files.items():
            if "/" in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
        yield folder


#: A stream copied by :func:`seekable` stays in memory up to this size, then goes to disk.
IN_MEMORY = 8 << 20


def seekable(stream: BinaryIO) -> BinaryIO:
    """``stream`` itself when it can seek, else a copy that can, positioned at 0.

    Members of compressed containers are read forwards only (their reader bounds the bytes
    they expand to); readers that go back (format probes, parsers) get a copy, in memory
    when small and in a private temporary file (mode 0600, deleted on close, in the same
    scratch folder) when not. The original stream is closed once copied.
    """
    if stream.seekable():
        return stream
    copy = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=IN_MEMORY, prefix="phunt-", dir=scratch_area.folder()
    )
    with stream:
        shutil.copyfileobj(stream, copy, _CHUNK)
    copy.seek(0)
    return copy  # type: ignore[return-value]
