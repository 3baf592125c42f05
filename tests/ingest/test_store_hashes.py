"""The content hash a worker splits around a file row's id, made whole by the coordinator
once the row is inserted, is the hash of the row read back, on both databases, and an
ingest's seal made from those hashes is the seal a read of every row gives."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select

from phunt.audit import seal
from phunt.audit.rows import merkle_root, row_hash
from phunt.audit.store import verify
from phunt.cases.devices import add_device
from phunt.ingest import file_rows, store
from phunt.ingest.job import IngestInterrupted, ingest
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database, Session
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from test_lib import TEST_DATA

_FILES = EvidenceFile.__table__
_MATCHES = FileMatch.__table__
_NO_NUL = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")  # PostgreSQL


def _text(size: int | None = None) -> st.SearchStrategy[str]:
    return st.text(_NO_NUL, max_size=size or 60)


_ZONE = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
_TIME = st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31), timezones=_ZONE)
_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text()
)
_JSON = st.recursive(
    _LEAF,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_text(10), inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=12,
)


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values


_ROW = st.fixed_dictionaries(
    {
        "path": _text(),
        "size": _maybe(st.integers(-(2**53), 2**53)),  # the job sums them in a bigint
        "modified": _maybe(_TIME),
        "accessed": _maybe(_TIME),
        "changed": _maybe(_TIME),
        "created": _maybe(_TIME),
        "deleted": st.booleans(),
        "md5": _maybe(st.text(string.hexdigits, max_size=32)),
        "sha1": _maybe(_text(40)),
        "sha256": _maybe(_text(64)),
        "mime": _maybe(_text(100)),
        "extension_mismatch": st.booleans(),
        "app": _maybe(_text(40)),
        "pdq": _maybe(_text(64)),
        "pdq_quality": _maybe(st.integers(-(2**31), 2**31 - 1)),
        "pdq_mode": _maybe(_text(10)),
        "exif": st.dictionaries(_text(12), _JSON, max_size=4),
        "known_good": st.booleans(),
        "error": _maybe(_text()),
        "warnings": st.lists(_text(), max_size=3),
        "vpdq": _maybe(_text()),
        "video": st.dictionaries(_text(12), _JSON, max_size=3),
        "locator": _maybe(_text()),
        "digests": _maybe(st.dictionaries(_text(12), _JSON, max_size=3)),
    }
)


def _job(database: Database) -> tuple[int, int]:
    with database.session() as s:
        device = add_device(s, "EV-1", "mobile phone").id
        job = store.open_job(s, "/evidence/odd", "EV-1", kind="folder", size=None, options={})
    return job, device


def _read_back(session: Session, ids: list[int]) -> dict[int, str]:
    query = select(_FILES).where(_FILES.c.id.in_(ids))
    rows = session.execute(query).mappings()
    return {row["id"]: row_hash("evidence_file", row) for row in rows}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_ROW, min_size=1, max_size=4))
def test_a_split_hash_made_whole_is_the_hash_of_the_row_read_back(
    database: Database, rows: list[dict[str, Any]]
) -> None:
    with database.session() as s:
        job = s.scalar(select(EvidenceFile.job_id).limit(1))
    job_id, device_id = _job(database) if job is None else (job, 1)
    with database.session() as s:
        first = (s.scalar(select(EvidenceFile.seq).order_by(EvidenceFile.seq.desc())) or 0) + 1
        binding = file_rows.row_binding(s)
    full = [
        row | {"job_id": job_id, "device_id": device_id, "seq": first + n}
        for n, row in enumerate(rows)
    ]
    bound = [file_rows.bind_rows(binding, file_rows.StoredRows(row, [])) for row in full]
    assert all(item.parts is not None for item in bound)
    with database.session() as s:
        hashes = store.add_files(s, job_id, bound)
    with database.session() as s:
        assert hashes == _read_back(s, list(hashes))
    assert len(hashes) == len(rows)


def test_a_value_read_back_otherwise_leaves_the_row_to_be_read() -> None:
    """A naive time, a flag given as a number, a text subclass, a number given as a flag:
    no row as read back, so no split hash; a zoned time is read back in UTC, a tuple as a
    list."""

    class Named(str):
        pass

    base: dict[str, Any] = {c.name: None for c in _FILES.columns if c.name != "id"}
    base |= {"job_id": 1, "device_id": 1, "seq": 0, "path": "a", "deleted": False}
    base |= {"extension_mismatch": False, "known_good": False, "exif": {}, "warnings": []}
    base |= {"video": {}}
    odd = [{"modified": datetime(2026, 1, 1)}, {"known_good": 1}, {"path": Named("b")}]
    assert [file_rows.as_read_back(base | change) for change in [*odd, {"size": True}]] == [
        None
    ] * 4
    kochi = datetime(2026, 1, 1, 5, 30, 0, 7, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    read_back = file_rows.as_read_back(base | {"created": kochi, "exif": {"at": (1, 2.5)}})
    assert read_back == base | {"created": datetime(2026, 1, 1, 0, 0, 0, 7, tzinfo=UTC)} | {
        "exif": {"at": [1, 2.5]}
    }
    assert read_back is not None and read_back["created"].tzinfo is UTC


def _oracle_root(session: Session, job_id: int) -> tuple[int, str]:
    """The seal of a job's rows (and of the job, completed) computed from every row read
    back, independently."""
    entries: list[tuple[str, int, str]] = []
    for tbl in (_FILES, _MATCHES, IngestJob.__table__):
        assert isinstance(tbl, Table)
        key = tbl.c.id if tbl.name == "ingest_job" else tbl.c.job_id
        query = select(tbl).where(key == job_id).order_by(tbl.c.id)
        for row in session.execute(query).mappings():
            entries.append((tbl.name, row["id"], row_hash(tbl.name, row)))
    return merkle_root(entries)


def _completed(session: Session) -> AuditRecord:
    query = select(AuditRecord).where(AuditRecord.action == "ingest.complete")
    return session.scalars(query.order_by(AuditRecord.seq.desc())).first()  # type: ignore[return-value]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[int]]:
    """The file rows the seals read back to hash them."""
    counted: set[int] = set()
    real = seal.row_hash

    def counting(name: str, row: Any) -> str:
        if name == "evidence_file":
            counted.add(row["id"])
        return real(name, row)

    monkeypatch.setattr(seal, "row_hash", counting)
    yield counted


def _checked_seal(database: Database, job_id: int) -> int:
    """Check the job's seal against the read-back one and the whole log; its row count."""
    with database.session() as s:
        record = _completed(s)
        count, root = _oracle_root(s, job_id)
        assert record.sealed_rows == {"count": count, "merkle_root": root}
        assert verify(s).ok
    return count


def _folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(count):
        (folder / f"note{i:03d}.txt").write_text(f"note {i}, é ü\n" * (i % 5 + 1))
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_an_ingest_seals_its_files_without_reading_them_back(
    database: Database, tmp_path: Path, reads: set[int], workers: int
) -> None:
    """Whether the coordinator stored the rows (one worker) or the pool's workers did."""
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    folder = _folder(tmp_path, 90)
    summary = ingest(database, str(folder), "EV-1", batch_size=20, workers=workers)
    assert _checked_seal(database, summary.job) == 91  # and the job
    assert 0 < len(reads) <= seal.SAMPLE  # the sample only


def test_a_resumed_ingest_reads_back_the_rows_its_first_run_stored(
    database: Database, tmp_path: Path, reads: set[int]
) -> None:
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    folder = _folder(tmp_path, 60)

    def ctrl_c(files: int, _size: int) -> None:
        if files == 27:
            raise KeyboardInterrupt

    with pytest.raises(IngestInterrupted):
        ingest(database, str(folder), "EV-1", batch_size=5, progress=ctrl_c)
    reads.clear()
    summary = ingest(database, str(folder), "EV-1", resume=True, batch_size=5)
    assert summary.resumed and _checked_seal(database, summary.job) == 61
    with database.session() as s:
        first = s.scalars(select(EvidenceFile.id).where(EvidenceFile.seq < 25)).all()
    assert set(first) < reads and len(reads) <= 25 + seal.SAMPLE  # and the sample


def test_files_flagged_in_bad_sectors_are_sealed_as_flagged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flagged row's hash, made before it was flagged, is dropped (the sample, which
    would read both rows of this image, is left out to show it)."""
    monkeypatch.setattr(seal, "_checked", lambda _session, _table, known: known)
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    image = TEST_DATA / "ewf" / "damaged-plain.E01"
    summary = ingest(database, str(image), "EV-1", pdq_mode=None)
    assert summary.verification["ewf"]["damaged_files"] == 1
    _checked_seal(database, summary.job)


def test_hashes_a_sample_disowns_are_all_read_back(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: set[int]
) -> None:
    """A worker's hashing that differs from a read's (forced here) is caught by the sample,
    and every row is read back: the seal is still right."""
    real: Callable[[tuple[bytes, bytes], int], str] = store.hash_with_id
    monkeypatch.setattr(store, "hash_with_id", lambda parts, row_id: real(parts, row_id + 1))
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    summary = ingest(database, str(_folder(tmp_path, 70)), "EV-1", batch_size=20)
    assert _checked_seal(database, summary.job) == 71
    assert len(reads) == 70


def test_a_worker_that_loaded_only_the_row_code_knows_every_column_type() -> None:
    """A Dask worker imports the worker side and nothing else: a column it cannot type
    would leave every row's hash to be read back at the seal."""
    import subprocess
    import sys

    code = (
        "from phunt.ingest import file_rows; "
        "print([name for name, kind in file_rows._kinds() if kind == '?'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
