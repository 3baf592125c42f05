"""The ingest store: jobs, their stored files and matches, written by ``ingest/job.py``
and read back for ``phunt evidence``.

A job is found or started here, its files and their matches are inserted in batches, and
its totals, chat outcomes and manifest are recorded; the coordination stays in the job.
The rows themselves are built by the worker that processed the file
(:func:`process_for_store`), and bound there too (:func:`process_bound`): each value
already converted by its column type for the coordinator's database, as SQLAlchemy would
have done, so the coordinator hands them to the driver's ``executemany`` as they come.
Binding 5,000 rows cost the coordinator a third of a CPU-second, a tenth of what a worker
spends hashing them; it is worker's work.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Dialect,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.rows import hash_parts, hash_with_id
from phunt.audit.seal import seal_where
from phunt.cases.devices import get_device
from phunt.errors import NotFoundError, UsageError
from phunt.ingest.stages import FileResult, Processed, Profile, process_batch
from phunt.schema.db import driver_insert
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.schema.types import UTCDateTime, json_text, utcnow
from phunt.sources.apps import app_for_path
from phunt.sources.base import Entry
from phunt.sources.locator import Locator

if TYPE_CHECKING:
    from phunt.ingest.chat_sources import StoredFile
    from phunt.matching.engine import Hit


def list_files(
    session: Session,
    device: str,
    *,
    matched: bool = False,
    deleted: bool = False,
    errors: bool = False,
    limit: int = 0,
) -> list[EvidenceFile]:
    """Files of a device in source order, optionally only matched, deleted or unreadable ones."""
    query = select(EvidenceFile).where(EvidenceFile.device_id == get_device(session, device).id)
    if matched:
        query = query.where(EvidenceFile.id.in_(select(FileMatch.file_id)))
    if deleted:
        query = query.where(EvidenceFile.deleted.is_(True))
    if errors:
        query = query.where(EvidenceFile.error.is_not(None))
    query = query.order_by(EvidenceFile.job_id, EvidenceFile.seq)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def list_matches(session: Session, device: str) -> list[dict[str, Any]]:
    """Every match on a device's files, with the file it is about."""
    dev = get_device(session, device)
    query = (
        select(FileMatch, EvidenceFile)
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .where(EvidenceFile.device_id == dev.id)
        .order_by(EvidenceFile.job_id, EvidenceFile.seq, FileMatch.id)
    )
    out = []
    for match, file in session.execute(query):
        out.append(
            {
                "device": dev.evidence_number,
                "job": file.job_id,
                "path": file.path,
                "sha256": file.sha256,
                "app": file.app,
                "deleted": file.deleted,
                "hash_set": match.hash_set,
                "version": match.version,
                "entry": match.entry,
                "kind": match.kind,
                "distance": match.distance,
                "quality": match.quality,
                "threshold": match.threshold,
                "variant": match.variant,
                "category": match.category_code,
                "category_scheme": match.category_scheme,
                **match.detail,
            }
        )
    return out


def find_job(session: Session, device_id: int, source: str) -> IngestJob | None:
    """The newest unfinished job of ``source`` on the device, if any."""
    query = select(IngestJob).where(
        IngestJob.device_id == device_id,
        IngestJob.source_path == source,
        IngestJob.status.in_(("running", "interrupted")),
    )
    return session.scalars(query.order_by(IngestJob.id.desc())).first()


def resume_job(session: Session, source: str, device: str, resume: bool) -> int | None:
    """The unfinished job to resume (audited), or None when a new one is to start.

    An unfinished job without ``resume``, or ``resume`` with nothing to resume, is refused.
    """
    dev = get_device(session, device)
    job = find_job(session, dev.id, source)
    if job is not None and not resume:
        raise UsageError(
            f"ingest {job.id} of {source} for device {dev.evidence_number} did not finish; "
            "run again with --resume"
        )
    if job is not None:
        audit.append(session, "ingest.resume", "ingest_job", job.id, {"source": source})
        return job.id
    if resume:
        raise UsageError(f"nothing to resume for {source} on device {dev.evidence_number}")
    return None


def start_job(
    session: Session,
    source: str,
    device: str,
    *,
    kind: str,
    sha256: str | None,
    size: int | None,
    options: dict[str, Any],
    segments: dict[str, str] | None,
    verification: dict[str, Any],
) -> int:
    """A new running job of ``source`` on the device, audited with its source facts."""
    job_id = open_job(session, source, device, kind=kind, size=size, options=options)
    record_source_facts(
        session, job_id, sha256=sha256, segments=segments, verification=verification
    )
    return job_id


def open_job(
    session: Session,
    source: str,
    device: str,
    *,
    kind: str,
    size: int | None,
    options: dict[str, Any],
) -> int:
    """A new running job of ``source`` on the device, its source facts not known yet: a
    worker reads them while the files flow, and :func:`record_source_facts` records them
    (and audits the start).
    """
    dev = get_device(session, device)
    job = IngestJob(
        device_id=dev.id,
        source_path=source,
        source_kind=kind,
        source_sha256=None,
        source_size=size,
        status="running",
        options=options,
        verification={},
    )
    session.add(job)
    session.flush()
    return job.id


def record_source_facts(
    session: Session,
    job_id: int,
    *,
    sha256: str | None,
    segments: dict[str, str] | None,
    verification: dict[str, Any],
) -> None:
    """The source's digest, its segments' (in the options) and the E01 verification, with
    the ``ingest.start`` audit record that carries them."""
    job = get_job(session, job_id)
    job.source_sha256 = sha256
    job.options = dict(job.options) | ({"segments": segments} if segments else {})
    job.verification = dict(job.verification) | verification
    dev = get_device(session, job.device_id)
    details: dict[str, Any] = {"device": dev.evidence_number, "source": job.source_path}
    details |= {"sha256": sha256, "segments": segments, "verification": verification}
    audit.append(session, "ingest.start", "ingest_job", job.id, details)


def source_facts_missing(session: Session, job_id: int) -> bool:
    """True when a job of a file source stopped before its source digest was recorded."""
    job = get_job(session, job_id)
    return job.source_kind == "file" and job.source_sha256 is None


def stored_locator(session: Session, file_id: int) -> str | None:
    """The locator JSON stored with file ``file_id``; ``NotFoundError`` for no such file."""
    row = session.get(EvidenceFile, file_id)
    if row is None:
        raise NotFoundError(f"no stored file {file_id}")
    return row.locator


def done_seqs(session: Session, job_id: int) -> set[int]:
    """Sequence numbers of the files a job has stored already (skipped on resume)."""
    query = select(EvidenceFile.seq).where(EvidenceFile.job_id == job_id)
    return set(session.scalars(query))


@dataclass
class StoredRows:
    """One processed file as the store takes it: its file row and its match rows."""

    file: dict[str, Any]
    matches: list[dict[str, Any]]

    @property
    def read(self) -> bool:
        """Whether the content was read (counted in the job's files and bytes)."""
        return self.file["md5"] is not None


def file_row(job_id: int, device_id: int, item: Processed) -> dict[str, Any]:
    """The ``evidence_file`` row of one processed file, as insert parameters."""
    r = item.result
    pdq = None if r.pdq is None else r.pdq.hash
    return {
        "job_id": job_id,
        "device_id": device_id,
        "seq": item.seq,
        "path": r.path,
        "size": r.size,
        "modified": r.times.modified,
        "accessed": r.times.accessed,
        "changed": r.times.changed,
        "created": r.times.created,
        "deleted": r.deleted,
        "md5": r.md5,
        "sha1": r.sha1,
        "sha256": r.sha256,
        "mime": r.mime,
        "extension_mismatch": r.extension_mismatch,
        "app": app_for_path(r.path),
        "pdq": None if pdq is None else pdq.hex,
        "pdq_quality": None if pdq is None else pdq.quality,
        "pdq_mode": None if pdq is None else pdq.mode,
        "exif": item.exif,
        "known_good": item.known_good,
        "error": r.error,
        "warnings": list(r.warnings),
        "vpdq": _vpdq_text(r),
        "video": r.video_facts(),
        "locator": None if item.locator is None else item.locator.to_json(),
        "digests": dict(r.digests),
    }


def match_row(job_id: int, hit: Hit, item: Processed) -> dict[str, Any]:
    """The ``file_match`` row of one hit, as insert parameters (the store adds its file)."""
    cat = hit.listed.category
    pdq = item.result.pdq
    return {
        "job_id": job_id,
        "hash_set": hit.listed.list_name,
        "version": hit.listed.version,
        "entry": hit.listed.entry,
        "kind": hit.kind,
        "distance": hit.distance,
        "quality": None if pdq is None or hit.kind != "pdq" else pdq.hash.quality,
        "threshold": hit.threshold if hit.kind == "pdq" else None,
        "variant": hit.variant,
        "category_code": None if cat is None else cat.code,
        "category_scheme": None if cat is None else cat.scheme,
        "detail": hit.video_detail(),
    }


def _vpdq_text(result: FileResult) -> str | None:
    """The stored vPDQ text; the video module (PyAV, numba) is imported only for videos."""
    if result.video is None:
        return None
    from phunt.hashing.vpdq import to_text

    return to_text(result.video)


def stored_rows(job_id: int, device_id: int, item: Processed) -> StoredRows:
    """The rows one processed file is stored as."""
    matches = [match_row(job_id, hit, item) for hit in item.hits]
    return StoredRows(file_row(job_id, device_id, item), matches)


def process_for_store(
    batch: list[tuple[int, Entry]], profile: Profile, job_id: int, device_id: int
) -> list[StoredRows]:
    """What an ingest worker runs: the profile's stages on each entry of a batch, handed
    back as the rows to store, in order."""
    return [stored_rows(job_id, device_id, item) for item in process_batch(batch, profile)]


@dataclass(frozen=True)
class RowBinding:
    """How the coordinator's database takes ``evidence_file`` rows, for a worker to bind
    them: the dialect and driver (the worker makes its own dialect object from them), its
    parameter style, and the columns in the order the insert statement names them."""

    dialect: str
    driver: str
    paramstyle: str
    positional: bool
    columns: tuple[str, ...]


def _files_table() -> Table:
    return cast(Table, EvidenceFile.__table__)


def _insert_files(dialect: Dialect) -> tuple[str, tuple[str, ...], bool]:
    """The ``evidence_file`` insert compiled for ``dialect``: its SQL, the columns in the
    order of its parameters, and whether they are positional."""
    table = _files_table()
    names = tuple(column.name for column in table.columns if column.name != "id")
    return driver_insert(table, dialect, names)


@functools.lru_cache(maxsize=8)
def _select_ids(dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """``(seq, id)`` of a job's files from one sequence number to another, compiled once
    for ``dialect`` (built and cached per batch it cost more than its run): the SQL, and
    the order of its parameters when positional."""
    query = select(EvidenceFile.seq, EvidenceFile.id).where(
        EvidenceFile.job_id == bindparam("job"),
        EvidenceFile.seq.between(bindparam("first"), bindparam("last")),
    )
    compiled = query.compile(dialect=dialect)
    return str(compiled), tuple(compiled.positiontup or ()) if compiled.positional else ()


def row_binding(session: Session) -> RowBinding:
    """The binding of the session's database, to give to the workers."""
    dialect = session.get_bind().dialect
    _sql, order, positional = _insert_files(dialect)
    return RowBinding(dialect.name, dialect.driver, dialect.paramstyle, positional, order)


@functools.cache
def _binders(binding: RowBinding) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Each column's bind processor for the binding's dialect, made once per process (the
    engine writes JSON with :func:`json_text`, so the dialect here does too)."""
    url = make_url(f"{binding.dialect}+{binding.driver}://")
    make_dialect: Callable[..., Dialect] = url.get_dialect()
    dialect = make_dialect(json_serializer=json_text, paramstyle=binding.paramstyle)
    columns = _files_table().columns
    return [
        (name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in binding.columns
    ]


@dataclass
class BoundRows:
    """One processed file bound for the database: its ``evidence_file`` parameters, its
    match rows, and what the job's totals need."""

    seq: int
    size: int
    read: bool
    failed: bool
    row: tuple[Any, ...] | dict[str, Any]
    matches: list[dict[str, Any]]
    #: The row's content hash split where its id goes (:func:`phunt.audit.rows.hash_parts`),
    #: for the coordinator to seal it without reading it back; None to read it back.
    parts: tuple[bytes, bytes] | None = None


def bind_rows(binding: RowBinding, rows: StoredRows) -> BoundRows:
    """``rows`` with the file row's values converted by their column types, and the split
    content hash of the row as it will be read back."""
    file = rows.file
    values = [
        file[name] if process is None else process(file[name])
        for name, process in _binders(binding)
    ]
    row = tuple(values) if binding.positional else dict(zip(binding.columns, values, strict=True))
    size = file["size"] or 0
    read_back = as_read_back(file)
    parts = None if read_back is None else hash_parts(_files_table().name, read_back)
    failed = file["error"] is not None
    return BoundRows(file["seq"], size, rows.read, failed, row, rows.matches, parts)


@functools.cache
def _kinds() -> tuple[tuple[str, str], ...]:
    """Each non-id ``evidence_file`` column and what it holds: ``time``, ``json``, or the
    name of the one Python type it gives back (``?`` when none is known here)."""
    kinds = []
    for column in _files_table().columns:
        kind = column.type
        if column.name == "id":
            continue
        if isinstance(kind, UTCDateTime):
            kinds.append((column.name, "time"))
        elif isinstance(kind, JSON):
            kinds.append((column.name, "json"))
        else:
            known = {Boolean: "bool", Integer: "int", String: "str"}
            found = [name for base, name in known.items() if isinstance(kind, base)]
            kinds.append((column.name, found[0] if found else "?"))
    return tuple(kinds)


_EXACT: dict[str, type] = {"bool": bool, "int": int, "str": str}


def as_read_back(file: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``evidence_file`` row ``file`` (every column but the id) as both databases give
    it back: times aware in UTC, JSON through its text. None when a value is not of a type
    they give back as it is (a subclass, a naive time), so its hash is left to a read."""
    out: dict[str, Any] = {}
    for name, kind in _kinds():
        value = file[name]
        if value is None:
            pass
        elif kind == "time":
            if type(value) is not datetime or value.tzinfo is None:
                return None
            value = value.astimezone(UTC)
        elif kind == "json":
            if value or type(value) not in (dict, list):  # the many empty ones as they are
                value = json.loads(json_text(value))
        elif type(value) is not _EXACT.get(kind):
            return None
        out[name] = value
    return out


def process_bound(
    batch: list[tuple[int, Entry]],
    profile: Profile,
    job_id: int,
    device_id: int,
    binding: RowBinding,
) -> list[BoundRows]:
    """What an ingest worker runs: :func:`process_for_store`, each file's row bound."""
    return [
        bind_rows(binding, rows) for rows in process_for_store(batch, profile, job_id, device_id)
    ]


def add_files(session: Session, job_id: int, batch: list[BoundRows]) -> dict[int, str]:
    """Insert bound file rows, then their match rows, and add the files to the job's totals;
    the content hash of each inserted row by id, for the row's seal, where the worker split it.

    The file rows go to the driver's ``executemany`` as the worker bound them (SQLAlchemy's
    binding of every value of every row cost more than the insert); their ids are then read
    by sequence number, and the few match rows go through Core.
    """
    if not batch:
        return {}
    sql, _order, _positional = _insert_files(session.get_bind().dialect)
    session.connection().exec_driver_sql(sql, [item.row for item in batch])
    seqs = [item.seq for item in batch]
    sql, order = _select_ids(session.get_bind().dialect)
    given = {"job": job_id, "first": min(seqs), "last": max(seqs)}
    params = tuple(given[name] for name in order) if order else given
    ids: dict[int, int] = dict(session.connection().exec_driver_sql(sql, params).all())
    hashes = {
        ids[item.seq]: hash_with_id(item.parts, ids[item.seq])
        for item in batch
        if item.parts is not None
    }
    matched = {item.seq: item.matches for item in batch if item.matches}
    if matched:
        rows = [match | {"file_id": ids[seq]} for seq, found in matched.items() for match in found]
        session.execute(insert(cast(Table, FileMatch.__table__)), rows)
    job = get_job(session, job_id)
    job.files += sum(item.read for item in batch)
    job.bytes += sum(item.size for item in batch if item.read)
    job.errors += sum(item.failed for item in batch)
    job.matched_files += len(matched)
    return hashes


def get_job(session: Session, job_id: int) -> IngestJob:
    job = session.get(IngestJob, job_id)
    assert job is not None
    return job


def file_digests(session: Session, job_id: int) -> Iterator[tuple[str | None, str]]:
    """``(sha256, path)`` of every stored file of a job in source order, for its manifest."""
    query = (
        select(EvidenceFile.seq, EvidenceFile.sha256, EvidenceFile.path)
        .where(EvidenceFile.job_id == job_id)
        .order_by(EvidenceFile.seq)
    )
    for _seq, sha, path in session.execute(query):
        yield sha, path


def stored_files(session: Session, job_id: int) -> Iterator[StoredFile]:
    """The job's files whose content was read, in source order, with locators and digests."""
    query = (
        select(
            EvidenceFile.id,
            EvidenceFile.path,
            EvidenceFile.locator,
            EvidenceFile.size,
            EvidenceFile.md5,
            EvidenceFile.sha1,
            EvidenceFile.sha256,
        )
        .where(EvidenceFile.job_id == job_id, EvidenceFile.sha256.is_not(None))
        .order_by(EvidenceFile.seq)
    )
    from phunt.ingest.chat_sources import StoredFile

    for row in session.execute(query):
        yield StoredFile(*row)


def flag_damaged(session: Session, job_id: int, damaged: dict[str, str]) -> list[int]:
    """Flag the job's files read from damaged members of its disk image: ``damaged`` maps
    a member's key (the first hop of a stored locator) to why. The file's error says it
    (its digests are kept: they are what was read) unless it has one, then a warning
    does; files inside a damaged member are flagged too. Flagging twice (a resumed job)
    adds nothing. Counts the newly flagged files in the job's errors and verification, and
    names them (their rows changed: a hash made before no longer seals them)."""
    job = get_job(session, job_id)
    query = select(
        EvidenceFile.id, EvidenceFile.locator, EvidenceFile.error, EvidenceFile.warnings
    ).where(EvidenceFile.job_id == job_id, EvidenceFile.locator.is_not(None))
    flagged: list[int] = []
    errors = 0
    for file_id, locator, error, warnings in session.execute(query).all():
        hops = Locator.from_json(locator).hops if locator is not None else ()
        reason = damaged.get(hops[0].key) if hops and hops[0].source == "disk-image" else None
        if reason is None:
            continue
        reason = reason if len(hops) == 1 else f"inside a damaged file: {reason}"
        if reason in (error, *warnings):
            continue
        values: dict[str, Any] = {"warnings": [*warnings, reason]}
        if error is None:
            values = {"error": reason}
            errors += 1
        session.execute(update(EvidenceFile).where(EvidenceFile.id == file_id).values(values))
        flagged.append(file_id)
    job.errors += errors
    ewf = dict(job.verification.get("ewf") or {})
    ewf["damaged_files"] = ewf.get("damaged_files", 0) + len(flagged)
    job.verification = dict(job.verification) | {"ewf": ewf}
    return flagged


def record_chats(session: Session, job_id: int, outcomes: list[dict[str, Any]]) -> None:
    """Keep what the chat import of a job found with its verification facts."""
    job = get_job(session, job_id)
    job.verification = dict(job.verification) | {"chats": outcomes}


def finish_job(
    session: Session, job_id: int, manifest: str, known: Mapping[int, str] | None = None
) -> tuple[IngestJob, int]:
    """Mark the job complete with its manifest hash; the job and its number of stored files.

    The job's files and matches, written in bulk, are sealed by the caller's
    ``ingest.complete`` audit record (one Merkle root over all of them); ``known`` holds
    the content hashes of file rows unchanged since :func:`add_files` gave them, which
    the seal takes instead of reading those rows back.
    """
    job = get_job(session, job_id)
    job.status, job.finished_at, job.manifest_sha256 = "complete", utcnow(), manifest
    seal_where(session, EvidenceFile, EvidenceFile.job_id == job_id, known=known)
    seal_where(session, FileMatch, FileMatch.job_id == job_id)
    count = session.scalar(select(func.count()).where(EvidenceFile.job_id == job_id))
    return job, count or 0
