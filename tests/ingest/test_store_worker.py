"""A pool worker's own storing, on both databases: a batch is stored whole, in one
transaction, and what the worker hands back (ids, row hashes, manifest lines, chat flags)
is what the coordinator would have read back."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.audit.rows import row_hash
from phunt.cases.devices import add_device
from phunt.ingest import file_rows, store, store_worker
from phunt.ingest.stages import Profile
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch
from phunt.sources.base import Entry
from phunt.sources.folder import FolderSource


@pytest.fixture(autouse=True)
def _own_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The databases this test process opens as a worker would, closed after the test."""
    opened: dict[tuple[int, str], tuple[Database, file_rows.RowBinding]] = {}
    monkeypatch.setattr(store_worker, "_DATABASES", opened)
    yield
    for db, _binding in opened.values():
        db.close()


def _job(database: Database) -> tuple[int, int]:
    with database.session() as s:
        device = add_device(s, "EV-1", "mobile phone").id
        job = store.open_job(s, "/evidence/card", "EV-1", kind="folder", size=None, options={})
    return job, device


def _entries(folder: Path) -> list[tuple[int, Entry]]:
    folder.mkdir()
    for i in range(6):
        (folder / f"note{i}.txt").write_text(f"note {i}, é\n" * (i + 1))
    (folder / "msgstore.db").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (folder / "locked.bin").write_bytes(b"x")
    (folder / "locked.bin").chmod(0)
    return list(enumerate(FolderSource(str(folder)).entries()))


def test_a_worker_stores_its_batch_and_hands_back_what_the_store_reads_back(
    database: Database, tmp_path: Path
) -> None:
    job_id, device_id = _job(database)
    batch = _entries(tmp_path / "card")
    try:
        written = store_worker.process_and_store(
            batch, Profile.ingest(None), job_id, device_id, database.url
        )
    finally:
        (tmp_path / "card" / "locked.bin").chmod(0o600)
    written = pickle.loads(pickle.dumps(written))  # as it comes back through the pool's pipe
    assert [w.seq for w in written] == [seq for seq, _ in batch]
    with database.session() as s:
        rows = {
            row["seq"]: row
            for row in s.execute(select(EvidenceFile.__table__).order_by("seq")).mappings()
        }
        job = store.get_job(s, job_id)
        readable = sum(row["md5"] is not None for row in rows.values())
        assert (job.files, job.bytes) == (
            readable,
            sum(row["size"] for row in rows.values() if row["md5"] is not None),
        )
    assert sorted(rows) == [w.seq for w in written]
    for item in written:
        row = rows[item.seq]
        assert item.file_id == row["id"] and item.size == row["size"]
        assert item.row_hash == row_hash("evidence_file", row)
        assert item.manifest_line == file_rows.manifest_line(row["sha256"], row["path"])
    assert [w.chat for w in written] == [
        row["path"].endswith("msgstore.db") for row in rows.values()
    ]


def test_a_batch_that_cannot_be_stored_leaves_nothing_of_itself(
    database: Database, tmp_path: Path
) -> None:
    """Sequence number 3 is stored already (as by a run a kill cut short, its worker's
    transaction committed): the batch holding it again fails whole, and the job's totals
    and files are as they were."""
    job_id, device_id = _job(database)
    batch = _entries(tmp_path / "card")
    (tmp_path / "card" / "locked.bin").chmod(0o600)
    profile = Profile.ingest(None)
    store_worker.process_and_store([batch[3]], profile, job_id, device_id, database.url)
    with pytest.raises(Exception, match=r"(?i)unique"):
        store_worker.process_and_store(batch, profile, job_id, device_id, database.url)
    with database.session() as s:
        assert s.scalars(select(EvidenceFile.seq)).all() == [3]
        assert store.get_job(s, job_id).files == 1
        assert s.scalars(select(FileMatch)).all() == []
