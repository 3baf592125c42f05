"""What the section 63 certificate states from the database: the device's particulars,
its sources' hash values as ingest recorded them, and the expert's profile.

Only recorded facts: a source without a digest (a folder) gives its manifest hash and no
source hash, and a field the database does not hold stays ''.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.cases.devices import get_device
from phunt.schema.cases import Case
from phunt.schema.ingest import IngestJob


@dataclass(frozen=True)
class HashValue:
    """One hash value with its algorithm and what it is the hash of."""

    item: str
    algorithm: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class SourceHashes:
    """A completed ingest of one source of the device and its recorded hash values."""

    job_id: int
    path: str
    kind: str
    size: int | None
    hashed_at: datetime | None
    values: list[HashValue] = field(default_factory=list)


@dataclass(frozen=True)
class DeviceParticulars:
    """The device as the form asks for it; '' where the database holds nothing."""

    id: int
    evidence_number: str
    kind: str
    make: str
    model: str
    serial: str
    imei: str
    case_number: str
    station: str


def device_particulars(session: Session, ref: int | str) -> DeviceParticulars:
    """The device by id or evidence number; NotFoundError when there is none."""
    device = get_device(session, ref)
    case = session.get(Case, device.case_id) if device.case_id is not None else None
    return DeviceParticulars(
        device.id, device.evidence_number, device.kind, device.make, device.model,
        device.serial, device.imei, case.number if case else "", case.station if case else "",
    )  # fmt: skip


def source_hashes(session: Session, device_id: int) -> list[SourceHashes]:
    """Every completed ingest of the device, oldest first, with the hash values it
    recorded: the source's SHA-256, each segment's, an E01's stored and computed MD5, and
    the manifest SHA-256 over the files stored."""
    query = (
        select(IngestJob)
        .where(IngestJob.device_id == device_id, IngestJob.status == "complete")
        .order_by(IngestJob.id)
    )
    found = []
    for job in session.scalars(query):
        values = []
        if job.source_sha256:
            values.append(HashValue(job.source_path, "SHA-256", job.source_sha256, "source"))
        for name, digest in sorted(dict(job.options.get("segments") or {}).items()):
            values.append(HashValue(str(name), "SHA-256", str(digest), "segment"))
        ewf = dict(job.verification.get("ewf") or {})
        for key, note in (("stored_md5", "acquisition MD5 stored in the E01"),
                          ("computed_md5", "MD5 of the E01 media recomputed")):  # fmt: skip
            if ewf.get(key):
                values.append(HashValue(job.source_path, "MD5", str(ewf[key]), note))
        if job.manifest_sha256:
            note = "manifest of the files stored: path and SHA-256 of each"
            values.append(HashValue(f"ingest job {job.id}", "SHA-256", job.manifest_sha256, note))
        hashed_at = job.finished_at or job.started_at
        found.append(
            SourceHashes(
                job.id, job.source_path, job.source_kind, job.source_size, hashed_at, values
            )
        )
    return found
