"""Reading back what ingest stored: the files of a device, and the matches among them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.cases.devices import get_device
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob


def list_jobs(session: Session, device: str | None = None) -> list[IngestJob]:
    query = select(IngestJob).order_by(IngestJob.id)
    if device is not None:
        query = query.where(IngestJob.device_id == get_device(session, device).id)
    return list(session.scalars(query))


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
