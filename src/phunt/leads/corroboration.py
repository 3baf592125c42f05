"""Corroboration: which reported files of a lead lie on the devices seized from its target.

A tipline report lists the files it was made about by MD5, SHA-1 and PDQ. Once a device
seized from the lead's target is ingested, every stored file of that device is compared
with them: the same MD5 or SHA-1 is the same file, and a picture within phunt's default
PDQ threshold (:func:`phunt.hashing.kinds.pdq_threshold`, the one ingest matches lists
with, pictures of at least the PDQ quality minimum) is a near copy, kept with its
distance. "Corroborated: N of M" counts the reported files found at least once.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic.dataclasses import dataclass
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from phunt.hashing.kinds import pdq_threshold
from phunt.ingest.browse_copies import near_pictures
from phunt.schema.cases import Device
from phunt.schema.ingest import EvidenceFile

#: Ids per ``IN`` list, well under SQLite's limit on bound parameters.
_CHUNK = 5000
#: The order in which one stored file's ways of matching one reported file are preferred.
_BY_RANK = {"md5": 0, "sha1": 1, "pdq": 2}


@dataclass(frozen=True)
class Reported:
    """A file a lead reported, with the hashes the report gave (lower-case hex)."""

    id: int
    lead_id: int
    name: str
    md5: str | None
    sha1: str | None
    pdq: str | None


@dataclass(frozen=True)
class Found:
    """A reported file on a seized device: how it was found and how far (0: the same)."""

    reported_id: int
    lead_id: int
    name: str
    file_id: int
    device_id: int
    evidence_number: str
    case_id: int | None
    path: str
    by: str  # "md5", "sha1" or "pdq"
    distance: int


@dataclass(frozen=True)
class Tally:
    """ "Corroborated: ``found`` of ``reported`` reported files found"."""

    found: int
    reported: int

    def __str__(self) -> str:
        return f"corroborated: {self.found} of {self.reported} reported files found"


def tally(reported: Iterable[Reported], found: Iterable[Found]) -> Tally:
    """The count of reported files found at least once, of all those reported."""
    ids = {r.id for r in reported}
    return Tally(len(ids & {f.reported_id for f in found}), len(ids))


def find_on_devices(
    session: Session, reported: list[Reported], device_ids: Iterable[int]
) -> list[Found]:
    """Every stored file of ``device_ids`` that is one of ``reported`` by MD5 or SHA-1, or a
    near copy by PDQ; one row per (reported file, stored file), the exact hash preferred,
    in reported then device then path order."""
    devices = sorted(set(device_ids))
    if not reported or not devices:
        return []
    best: dict[tuple[int, int], Found] = {}
    for row in _exact(session, reported, devices) + _near(session, reported, devices):
        key = (row.reported_id, row.file_id)
        held = best.get(key)
        if held is None or (row.distance, _BY_RANK[row.by]) < (held.distance, _BY_RANK[held.by]):
            best[key] = row
    order = {r.id: n for n, r in enumerate(reported)}
    return sorted(
        best.values(), key=lambda f: (order[f.reported_id], f.evidence_number, f.path, f.file_id)
    )


@dataclass(frozen=True)
class _Row:
    file_id: int
    device_id: int
    evidence_number: str
    case_id: int | None
    path: str
    md5: str | None
    sha1: str | None


def _query() -> Select[int, int, str, int | None, str, str | None, str | None]:
    return select(
        EvidenceFile.id,
        EvidenceFile.device_id,
        Device.evidence_number,
        Device.case_id,
        EvidenceFile.path,
        EvidenceFile.md5,
        EvidenceFile.sha1,
    ).join(Device, Device.id == EvidenceFile.device_id)


def _rows(session: Session, where: ColumnElement[bool], devices: list[int]) -> list[_Row]:
    query = _query().where(where, EvidenceFile.device_id.in_(devices))
    return [_Row(*r) for r in session.execute(query)]


def _found(r: Reported, row: _Row, by: str, distance: int) -> Found:
    return Found(
        reported_id=r.id,
        lead_id=r.lead_id,
        name=r.name,
        file_id=row.file_id,
        device_id=row.device_id,
        evidence_number=row.evidence_number,
        case_id=row.case_id,
        path=row.path,
        by=by,
        distance=distance,
    )


def _exact(session: Session, reported: list[Reported], devices: list[int]) -> list[Found]:
    """Stored files with a reported MD5 or SHA-1."""
    found: list[Found] = []
    for by in ("md5", "sha1"):
        wanted: dict[str, list[Reported]] = {}
        for r in reported:
            value = getattr(r, by)
            if value:
                wanted.setdefault(value.lower(), []).append(r)
        values = sorted(wanted)
        column = getattr(EvidenceFile, by)
        for start in range(0, len(values), _CHUNK):
            for row in _rows(session, column.in_(values[start : start + _CHUNK]), devices):
                hit = getattr(row, by)
                found += [_found(r, row, by, 0) for r in wanted.get((hit or "").lower(), [])]
    return found


def _near(session: Session, reported: list[Reported], devices: list[int]) -> list[Found]:
    """Stored pictures within the default PDQ threshold of a reported PDQ hash."""
    threshold = pdq_threshold()
    found: list[Found] = []
    for r in reported:
        if not r.pdq:
            continue
        distances = near_pictures(session, r.pdq.lower(), threshold)
        ids = sorted(distances)
        for start in range(0, len(ids), _CHUNK):
            for row in _rows(session, EvidenceFile.id.in_(ids[start : start + _CHUNK]), devices):
                found.append(_found(r, row, "pdq", distances[row.file_id]))
    return found
