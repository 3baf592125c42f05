"""The ingest store: jobs, their stored files and matches, written by ``ingest/job.py``
and read back for ``phunt evidence``.

A job is found or started here, its files and their matches are inserted in batches, and
its totals, chat outcomes and manifest are recorded; the coordination stays in the job.
The rows themselves are built and bound by the worker that processed the file
(:mod:`phunt.ingest.file_rows`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Dialect, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.rows import hash_with_id
from phunt.audit.seal import seal_where
from phunt.cases.devices import get_device
from phunt.errors import NotFoundError, UsageError
from phunt.ingest.file_rows import BoundRows, insert_files
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.schema.types import utcnow
from phunt.sources.locator import Locator

if TYPE_CHECKING:
    from phunt.ingest.chat_sources import StoredFile


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


def add_files(session: Session, job_id: int, batch: list[BoundRows]) -> dict[int, str]:
    """Insert bound file rows, then their match rows, and add the files to the job's totals;
    the content hash of each inserted row by id, for the row's seal, where the worker split it.
    """
    written = write_files(session, job_id, batch)
    return {file_id: digest for file_id, digest in written if digest is not None}


def write_files(
    session: Session, job_id: int, batch: list[BoundRows]
) -> list[tuple[int, str | None]]:
    """Insert bound file rows, then their match rows, and add the files to the job's totals;
    for each file in order, its row's id and content hash (None where the worker could not
    split it, for the seal to read the row back).

    The file rows go to the driver's ``executemany`` as the worker bound them (SQLAlchemy's
    binding of every value of every row cost more than the insert); their ids are then read
    by sequence number, and the few match rows go through Core.
    """
    if not batch:
        return []
    sql, _order, _positional = insert_files(session.get_bind().dialect)
    session.connection().exec_driver_sql(sql, [item.row for item in batch])
    seqs = [item.seq for item in batch]
    sql, order = _select_ids(session.get_bind().dialect)
    given = {"job": job_id, "first": min(seqs), "last": max(seqs)}
    params = tuple(given[name] for name in order) if order else given
    ids: dict[int, int] = dict(session.connection().exec_driver_sql(sql, params).all())
    written = [
        (ids[item.seq], None if item.parts is None else hash_with_id(item.parts, ids[item.seq]))
        for item in batch
    ]
    matched = {item.seq: item.matches for item in batch if item.matches}
    if matched:
        rows = [match | {"file_id": ids[seq]} for seq, found in matched.items() for match in found]
        session.execute(insert(cast(Table, FileMatch.__table__)), rows)
    # Added in the database, not through a loaded job: a batch costs one statement, and
    # batches stored by several workers at once each add their own. The job's row is
    # sealed as it ends (finish_job changes it through the session).
    totals = update(IngestJob).where(IngestJob.id == job_id)
    session.execute(
        totals.values(
            files=IngestJob.files + sum(item.read for item in batch),
            bytes=IngestJob.bytes + sum(item.size for item in batch if item.read),
            errors=IngestJob.errors + sum(item.failed for item in batch),
            matched_files=IngestJob.matched_files + len(matched),
        ).execution_options(synchronize_session=False)
    )
    return written


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
