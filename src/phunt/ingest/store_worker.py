"""The ingest work of a local pool worker that stores the files it processed itself.

Why: storing 5,000 rows (their six indexes, the ids read back, the results unpickled on
the way) was the largest per-file cost left in the coordinator, which must stay a small
fraction of a worker's CPU. A worker on the coordinator's machine reaches its database,
so it inserts each batch it processed in one transaction of its own, with the batch's
matches and its share of the job's totals, and hands back a few facts a file: the row's
id and content hash (for the seal), its manifest line and whether it is a chat source.

A batch is stored whole or not at all, so a job stopped or killed at any point is resumed
by skipping the sequence numbers stored, whichever worker stored them. Work on a Dask
cluster, which may not reach the database (an SQLite file above all), is stored by the
coordinator instead (:func:`phunt.ingest.file_rows.process_bound`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from phunt.ingest import store
from phunt.ingest.file_rows import RowBinding, bind_rows, process_for_store, row_binding
from phunt.ingest.stages import Profile
from phunt.schema.db import Database
from phunt.sources.base import Entry

#: The database of each URL and how it binds file rows, opened by a process's first batch,
#: by process id: a process forked from one that had opened it must not use (nor close)
#: the connections it inherits.
_DATABASES: dict[tuple[int, str], tuple[Database, RowBinding]] = {}


@dataclass(frozen=True)
class Written:
    """One file a worker stored: what the coordinator still needs of it."""

    seq: int
    size: int
    file_id: int
    #: The stored row's content hash, for the job's seal; None for the seal to read it.
    row_hash: str | None
    #: Whether the chat-source stage named it the main file of a chat source.
    chat: bool
    #: Its line of the job's manifest (:func:`phunt.ingest.file_rows.manifest_line`).
    manifest_line: bytes


def _database(url: str) -> tuple[Database, RowBinding]:
    """The database at ``url`` and its row binding, opened once per process as it is (the
    coordinator brought it to the code's schema before starting any worker)."""
    key = (os.getpid(), url)
    opened = _DATABASES.get(key)
    if opened is None:
        db = Database(url, migrate=False)
        with db.session() as s:
            opened = _DATABASES[key] = db, row_binding(s)
    return opened


def process_and_store(
    batch: list[tuple[int, Entry]], profile: Profile, job_id: int, device_id: int, url: str
) -> list[Written]:
    """What a local ingest worker runs: the profile's stages on each entry of a batch, then
    the batch stored in one transaction. The files are processed before the transaction
    opens, so a worker holds no lock (SQLite's is the whole file's) while it hashes."""
    db, binding = _database(url)
    bound = [
        bind_rows(binding, rows) for rows in process_for_store(batch, profile, job_id, device_id)
    ]
    with db.session() as s:
        stored = store.write_files(s, job_id, bound)
    return [
        Written(item.seq, item.size, file_id, digest, item.chat, item.manifest_line)
        for item, (file_id, digest) in zip(bound, stored, strict=True)
    ]
