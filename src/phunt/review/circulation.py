"""The circulation of a file's content: every device, case, suspect and chat where it or
a near copy lies, in the viewer's scope, with the earliest time it is seen on each device.

Copies are the files with the same SHA-256 and the pictures within the PDQ hash kind's
threshold (at its quality minimum), as in a file's "where else" view
(:func:`phunt.ingest.browse_copies.near_pictures`). A device's earliest time is the
least of its copies' file times (created, modified) and of the messages that carried one
of them, or an attachment with the same SHA-256, in one of its chats: the timeline of how
the content went from device to device. Nothing outside the scope is read or counted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from phunt.errors import NotFoundError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest.browse_copies import near_pictures
from phunt.review.decisions import Decision, current_rows, get_decision
from phunt.schema.cases import Case, Device, Suspect
from phunt.schema.chats import ChatAttachment, ChatMessage, ChatRecord
from phunt.schema.ingest import EvidenceFile
from phunt.schema.scope import Scope, in_scope

_CHUNK = 5000


@dataclass(frozen=True)
class ChatSeen:
    """A chat of the device that carried the content, and when first."""

    chat_id: int
    title: str | None
    platform: str
    first_sent: datetime | None


@dataclass(frozen=True)
class Place:
    """One device holding the content or a near copy."""

    device_id: int
    evidence_number: str
    case_id: int | None
    case_number: str | None
    suspect_id: int | None
    suspect: str | None
    exact: int
    near: int
    earliest: datetime | None
    chats: list[ChatSeen]


@dataclass(frozen=True)
class Circulation:
    """Where a file's content circulated, earliest device first (unknown times last)."""

    file_id: int
    path: str
    sha256: str | None
    decision: Decision | None
    places: list[Place]

    @property
    def cases(self) -> int:
        return len({p.case_id for p in self.places if p.case_id is not None})

    @property
    def suspects(self) -> int:
        return len({p.suspect_id for p in self.places if p.suspect_id is not None})


def circulation(session: Session, file_id: int, scope: Scope) -> Circulation:
    """The circulation of ``file_id``'s content within ``scope`` (a file outside it is
    ``NotFoundError``, as one that does not exist)."""
    query = (
        select(EvidenceFile)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(EvidenceFile.id == file_id, in_scope(Device.case_id, scope))
    )
    source = session.scalars(query).one_or_none()
    if source is None:
        raise NotFoundError(f"no stored file {file_id}")
    exact = _same_content(session, source, scope)
    near = _near_copies(session, source, scope) - exact
    rows = _files(session, sorted(exact | near))
    chats = _chats(session, sorted(exact | near), source.sha256, scope)
    places = _places(session, rows, exact, chats)
    row = current_rows(session, [file_id]).get(file_id)
    decision = None if row is None else get_decision(session, row.id, scope)
    return Circulation(file_id, source.path, source.sha256, decision, places)


def _same_content(session: Session, source: EvidenceFile, scope: Scope) -> set[int]:
    if source.sha256 is None:
        return {source.id}
    query = (
        select(EvidenceFile.id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(EvidenceFile.sha256 == source.sha256, in_scope(Device.case_id, scope))
    )
    return set(session.scalars(query)) | {source.id}


def _near_copies(session: Session, source: EvidenceFile, scope: Scope) -> set[int]:
    if source.pdq is None or (source.pdq_quality or 0) < pdq_quality_min():
        return set()
    ids = sorted(near_pictures(session, source.pdq, pdq_threshold()))
    found: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(EvidenceFile.id)
            .join(Device, Device.id == EvidenceFile.device_id)
            .where(
                EvidenceFile.id.in_(ids[start : start + _CHUNK]), in_scope(Device.case_id, scope)
            )
        )
        found.update(session.scalars(query))
    return found


def _files(session: Session, ids: list[int]) -> list[Any]:
    """(file id, device id, earliest file time) of each copy."""
    out: list[Any] = []
    for start in range(0, len(ids), _CHUNK):
        query = select(
            EvidenceFile.id, EvidenceFile.device_id, EvidenceFile.created, EvidenceFile.modified
        ).where(EvidenceFile.id.in_(ids[start : start + _CHUNK]))
        for file_id, device_id, created, modified in session.execute(query):
            times = [t for t in (created, modified) if t is not None]
            out.append((file_id, device_id, min(times) if times else None))
    return out


def _chats(
    session: Session, ids: list[int], sha256: str | None, scope: Scope
) -> dict[int, list[ChatSeen]]:
    """Chats (by device) whose messages carried a copy, with the first such message."""
    first: dict[tuple[int, int], ChatSeen] = {}
    conditions: list[ColumnElement[bool]] = [ChatAttachment.file_id.in_(ids[start : start + _CHUNK])
                  for start in range(0, len(ids), _CHUNK)]  # fmt: skip
    if sha256 is not None:
        conditions.append(ChatAttachment.sha256 == sha256)
    if not conditions:
        return {}
    query = (
        select(ChatRecord, ChatMessage.sent_at)
        .join(ChatAttachment, ChatAttachment.chat_id == ChatRecord.id)
        .join(ChatMessage, ChatMessage.id == ChatAttachment.message_id)
        .join(Device, Device.id == ChatRecord.device_id)
        .where(or_(*conditions), in_scope(Device.case_id, scope))
    )
    for chat, sent in session.execute(query):
        key = (chat.device_id, chat.id)
        held = first.get(key)
        if held is None or (
            sent is not None and (held.first_sent is None or sent < held.first_sent)
        ):
            first[key] = ChatSeen(chat.id, chat.title, chat.platform, sent)
    by_device: dict[int, list[ChatSeen]] = defaultdict(list)
    for (device_id, _chat), seen in sorted(first.items()):
        by_device[device_id].append(seen)
    return by_device


def _places(
    session: Session, rows: list[Any], exact: set[int], chats: dict[int, list[ChatSeen]]
) -> list[Place]:
    per_device: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        per_device[row[1]].append(row)
    devices = sorted(set(per_device) | set(chats))
    if not devices:
        return []
    query = (
        select(
            Device.id, Device.evidence_number, Device.case_id, Case.number, Suspect.id, Suspect.name
        )
        .outerjoin(Case, Case.id == Device.case_id)
        .outerjoin(Suspect, Suspect.id == Device.suspect_id)
        .where(Device.id.in_(devices))
    )
    places = []
    for device_id, number, case_id, case_number, suspect_id, suspect in session.execute(query):
        files = per_device.get(device_id, [])
        seen = chats.get(device_id, [])
        times = [r[2] for r in files if r[2] is not None]
        times += [c.first_sent for c in seen if c.first_sent is not None]
        same = sum(1 for r in files if r[0] in exact)
        places.append(
            Place(
                device_id,
                number,
                case_id,
                case_number,
                suspect_id,
                suspect,
                same,
                len(files) - same,
                min(times) if times else None,
                seen,
            )
        )
    places.sort(key=lambda p: (p.earliest is None, p.earliest or datetime.min, p.evidence_number))
    return places
