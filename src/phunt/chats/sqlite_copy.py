"""An app's SQLite database opened the way evidence must be: a private read-only copy.

SQLite opens only files on disk and writes beside a database it opens (its ``-wal`` and
``-shm``), so the main stream and whichever journal files the source has beside it are
spooled into a private temporary folder (:func:`phunt.spool.spooled`) and the copy is
opened read-only: committed WAL frames are seen, nothing is written near the evidence.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import BinaryIO

from phunt.chats.source import ChatSource
from phunt.chats.sqlite_schema import MAGIC, table_names
from phunt.spool import spooled

JOURNALS = ("-wal", "-shm")


@contextmanager
def read_only_copy(
    stream: BinaryIO, name: str, source: ChatSource, *, prefix: str
) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a copy of ``stream`` (the database ``name`` of
    ``source``) and its journal files; closed, and the copy removed, on exit."""
    with ExitStack() as stack:
        files = {"main.db": stream}
        for suffix in JOURNALS:
            companion = source.open(name + suffix)
            if companion is not None:
                files["main.db" + suffix] = stack.enter_context(companion)
        work = stack.enter_context(spooled(files, prefix=prefix))
        conn = sqlite3.connect(f"file:{(work / 'main.db').as_posix()}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()


def probe_database(
    stream: BinaryIO, name: str, main: str, wanted: Callable[[set[str]], bool]
) -> bool:
    """Whether ``stream`` is an app's database: SQLite, and named ``main`` (a missing table
    is then damage, which the parse reports) or holding the tables ``wanted`` accepts."""
    if stream.read(16) != MAGIC:
        return False
    if name == main:
        return True
    try:
        return wanted(table_names(stream))
    except (ValueError, IndexError, OSError):
        return False
