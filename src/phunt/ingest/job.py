"""``phunt ingest``: the coordinator that turns a source into stored, matched files.

Only this process writes the database. Files are committed in batches in the order the
source lists them, so a job killed at any point is resumed by skipping the sequence
numbers already stored. The source itself is opened read-only and its SHA-256 recorded
(every segment of a split image), E01 acquisition hashes are verified, and at the end a
manifest hash over every stored file's SHA-256 and path seals what was found.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from phunt.audit import log as audit
from phunt.cases.db import Database
from phunt.cases.devices import get_device
from phunt.cases.ingest_models import EvidenceFile, FileMatch, IngestJob
from phunt.cases.types import utcnow
from phunt.errors import UsageError
from phunt.hashing.crypto import sha256_file
from phunt.ingest.engines import EngineSpec
from phunt.ingest.pipeline import Runner, Task, make_task
from phunt.ingest.stages import FileResult, Processed, Profile
from phunt.matching.engine import Hit
from phunt.sources.base import Entry

BATCH = 200

ProgressFn = Callable[[int, int], None]


@dataclass
class IngestSummary:
    job: int
    device: str
    source: str
    source_sha256: str | None
    files: int
    bytes: int
    errors: int
    matched_files: int
    resumed: bool
    manifest_sha256: str | None
    verification: dict[str, Any]
    chats: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _source_facts(path: str) -> tuple[str, str | None, int | None, dict[str, Any]]:
    """Kind, SHA-256 and size of the source, and the hash of each segment of a split image."""
    if os.path.isdir(path):
        return "folder", None, None, {}
    from phunt.sources.disk_image import segment_files

    segments = segment_files(path) if _looks_segmented(path) else [path]
    hashes = {os.path.basename(s): sha256_file(s) for s in segments}
    facts: dict[str, Any] = {"segments": hashes} if len(segments) > 1 else {}
    return "file", hashes[os.path.basename(path)], os.path.getsize(path), facts


def _looks_segmented(path: str) -> bool:
    ext = os.path.splitext(path)[1].lower()
    return ext in (".e01", ".000", ".001") or (len(ext) == 4 and ext[1:].isdigit())


def _verify_ewf(path: str) -> dict[str, Any]:
    from phunt.errors import CorruptInput
    from phunt.sources.disk_image import verify_ewf

    with open(path, "rb") as fh:
        if fh.read(8) != b"EVF\x09\x0d\x0a\xff\x00":
            return {}
    try:
        result = verify_ewf(path)
    except CorruptInput as exc:
        return {"ewf": {"ok": False, "error": str(exc)}}
    return {
        "ewf": {
            "stored_md5": result.stored_md5,
            "computed_md5": result.computed_md5,
            "ok": result.ok,
        }
    }


def _find_job(session: Session, device_id: int, source: str) -> IngestJob | None:
    query = select(IngestJob).where(
        IngestJob.device_id == device_id,
        IngestJob.source_path == source,
        IngestJob.status == "running",
    )
    return session.scalars(query.order_by(IngestJob.id.desc())).first()


def _start(
    db: Database, source: str, device: str, resume: bool, options: dict[str, Any]
) -> tuple[int, bool]:
    with db.session() as s:
        dev = get_device(s, device)
        job = _find_job(s, dev.id, source)
        if job is not None and not resume:
            raise UsageError(
                f"ingest {job.id} of {source} for device {dev.evidence_number} did not finish; "
                "run again with --resume"
            )
        if job is not None:
            audit.append(s, "ingest.resume", "ingest_job", job.id, {"source": source})
            return job.id, True
        if resume:
            raise UsageError(f"nothing to resume for {source} on device {dev.evidence_number}")
    kind, sha, size, facts = _source_facts(source)
    verification = _verify_ewf(source) if kind == "file" else {}
    with db.session() as s:
        dev = get_device(s, device)
        job = IngestJob(
            device_id=dev.id,
            source_path=source,
            source_kind=kind,
            source_sha256=sha,
            source_size=size,
            status="running",
            options=options | facts,
            verification=verification,
        )
        s.add(job)
        s.flush()
        details: dict[str, Any] = {"device": dev.evidence_number, "source": source, "sha256": sha}
        details |= {"segments": facts.get("segments"), "verification": verification}
        audit.append(s, "ingest.start", "ingest_job", job.id, details)
        return job.id, False


def _done_seqs(db: Database, job_id: int) -> set[int]:
    with db.session() as s:
        query = select(EvidenceFile.seq).where(EvidenceFile.job_id == job_id)
        return set(s.scalars(query))


_HAS_DIGESTS = "digests" in EvidenceFile.__table__.columns
"""Whether the schema stores digests of kinds beyond MD5, SHA-1 and SHA-256."""


def _file_row(job_id: int, device_id: int, item: Processed) -> dict[str, Any]:
    """The ``evidence_file`` row of one processed file, as insert parameters."""
    from phunt.sources.apps import app_for_path

    r = item.result
    pdq = None if r.pdq is None else r.pdq.hash
    row = {
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
    }
    if _HAS_DIGESTS:
        row["digests"] = dict(r.digests)
    return row


def _match_row(file_id: int, job_id: int, hit: Hit, item: Processed) -> dict[str, Any]:
    """The ``file_match`` row of one hit, as insert parameters."""
    cat = hit.listed.category
    pdq = item.result.pdq
    return {
        "file_id": file_id,
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


def _store(
    db: Database, job_id: int, device_id: int, batch: list[Processed]
) -> tuple[int, int, int, int]:
    """Store a batch of files the workers processed (and matched), with their matches."""
    files = size = errors = matched = 0
    found: list[tuple[dict[str, Any], Processed, list[Hit]]] = []
    for item in batch:
        r = item.result
        found.append((_file_row(job_id, device_id, item), item, item.hits))
        errors += r.error is not None
        if r.md5 is not None:
            files += 1
            size += r.size or 0
        matched += bool(item.hits)
    with db.session() as s:
        # Plain multi-row inserts: the ORM's unit of work cost more than hashing a small file.
        # The ids come back in the order of the rows, which ties each match to its file.
        if found:
            query = insert(EvidenceFile).returning(EvidenceFile.id, sort_by_parameter_order=True)
            ids = s.scalars(query, [row for row, _item, _hits in found]).all()
            matches = [
                _match_row(file_id, job_id, hit, item)
                for file_id, (_row, item, hits) in zip(ids, found, strict=True)
                for hit in hits
            ]
            if matches:
                s.execute(insert(FileMatch), matches)
        job = s.get(IngestJob, job_id)
        assert job is not None
        job.files += files
        job.bytes += size
        job.errors += errors
        job.matched_files += matched
    return files, size, errors, matched


def _manifest(db: Database, job_id: int) -> str:
    digest = hashlib.sha256()
    with db.session() as s:
        query = (
            select(EvidenceFile.seq, EvidenceFile.sha256, EvidenceFile.path)
            .where(EvidenceFile.job_id == job_id)
            .order_by(EvidenceFile.seq)
        )
        for _seq, sha, path in s.execute(query):
            digest.update(f"{sha or '-'}  {path}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _import_chats(db: Database, job_id: int, device: str) -> list[dict[str, Any]]:
    """Find chat databases and exports among the job's plain files and import each.

    One damaged export is recorded with its error and the others still import.
    """
    from phunt.cases.chat_store import find_chat_sources, import_export
    from phunt.errors import InputError, UsageError

    with db.session() as s:
        query = select(EvidenceFile.path).where(
            EvidenceFile.job_id == job_id, EvidenceFile.error.is_(None)
        )
        paths = [p for p in s.scalars(query) if "!/" not in p and os.path.isfile(p)]
        folders = sorted({os.path.dirname(p) for p in paths})
    found = find_chat_sources([*paths, *folders])
    outcomes: list[dict[str, Any]] = []
    for export in found:
        try:
            with db.session() as s:
                summary = import_export(s, export, device)
            outcomes.append({"export": export, "imported": summary.as_dict()})
        except (InputError, UsageError) as exc:
            outcomes.append({"export": export, "error": str(exc)})
    if outcomes:
        with db.session() as s:
            job = s.get(IngestJob, job_id)
            assert job is not None
            job.verification = dict(job.verification) | {"chats": outcomes}
    return outcomes


def _entries(source: str, expand: bool, scratch: str | None) -> Iterator[Entry]:
    from phunt.sources.expand import open_evidence

    return open_evidence(source, expand=expand, scratch_dir=scratch)


def ingest(
    db: Database,
    source: str,
    device: str,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    pdq_mode: str | None = "default",
    expand: bool = True,
    scratch: str | None = None,
    progress: ProgressFn | None = None,
    batch_size: int = BATCH,
    import_chats: bool = True,
) -> IngestSummary:
    """Ingest ``source`` for ``device`` (id or evidence number) and return the totals."""
    source = os.path.abspath(source)
    if not os.path.exists(source):
        raise UsageError(f"{source}: no such file or folder")
    options = {"pdq_mode": pdq_mode, "expand": expand}
    job_id, resumed = _start(db, source, device, resume, options)
    done = _done_seqs(db, job_id) if resumed else set()
    with db.session() as s:
        spec = EngineSpec.from_database(s, None)
        device_id = get_device(s, device).id
    profile = Profile.ingest(pdq_mode, spec if spec.hash_sets else None)

    def tasks() -> Iterator[tuple[Task, Entry | None]]:
        for seq, entry in enumerate(_entries(source, expand, scratch)):
            if seq not in done:
                yield make_task(seq, entry)

    batch: list[Processed] = []
    seen_files = seen_bytes = 0
    with Runner(workers, cluster) as runner:
        for item in runner.run(tasks(), profile):
            batch.append(item)
            seen_files += 1
            seen_bytes += item.result.size or 0
            if progress is not None:
                progress(seen_files, seen_bytes)
            if len(batch) >= batch_size:
                _store(db, job_id, device_id, batch)
                batch = []
        if batch:
            _store(db, job_id, device_id, batch)
    chats = _import_chats(db, job_id, device) if import_chats else []
    manifest = _manifest(db, job_id)
    with db.session() as s:
        job = s.get(IngestJob, job_id)
        assert job is not None
        job.status, job.finished_at, job.manifest_sha256 = "complete", utcnow(), manifest
        count = s.scalar(select(func.count()).where(EvidenceFile.job_id == job_id))
        summary = IngestSummary(
            job=job.id,
            device=get_device(s, device).evidence_number,
            source=source,
            source_sha256=job.source_sha256,
            files=job.files,
            bytes=job.bytes,
            errors=job.errors,
            matched_files=job.matched_files,
            resumed=resumed,
            manifest_sha256=manifest,
            verification=job.verification,
            chats=chats,
        )
        details = summary.as_dict() | {"entries": count}
        audit.append(s, "ingest.complete", "ingest_job", job.id, details)
    return summary
