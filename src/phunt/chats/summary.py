"""The JSON document ``phunt chats parse EXPORT --json`` prints (no database involved).

Kept separate from the CLI so the shape is defined, tested and versioned in one place::

    {"platform", "format", "app", "source", "source_sha256", "warnings": [...],
     "chats": [{"id", "title", "kind", "message_count",
                "participants": [{"id", "name", "phone", "username", "roles",
                                  "contact_name" (only when the owner's address book has one)}],
                "attachments": [{"message_id", "file", "included"}]}]}

``roles`` is a list of {"role", "first_seen", "last_seen", "evidence", "inferred"} so the
output shows why each role was assigned; times are ISO-8601 UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from phunt.chats.model import ROLE_NAMES, Chat, ChatExport, Participant


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


def _participant(person: Participant) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": person.id,
        "name": person.display_name,
        "phone": person.phone,
        "username": person.username,
        "roles": [
            {
                "role": role.name,
                "first_seen": _iso(role.first_seen),
                "last_seen": _iso(role.last_seen),
                "evidence": role.evidence,
                "inferred": role.inferred,
            }
            for role in sorted(person.roles.values(), key=lambda r: ROLE_NAMES.index(r.name))
        ],
    }
    if person.contact_name is not None:
        doc["contact_name"] = person.contact_name
    return doc


def _chat(chat: Chat) -> dict[str, Any]:
    return {
        "id": chat.platform_id,
        "title": chat.title,
        "kind": chat.kind,
        "participants": [_participant(p) for p in chat.participants.values()],
        "message_count": chat.message_count,
        "attachments": [
            {"message_id": a.message_id, "file": a.path or a.file_name, "included": a.included}
            for a in chat.attachments
        ],
    }


def summarise(export: ChatExport) -> dict[str, Any]:
    """The ``chats parse --json`` document for one parsed export (JSON-serialisable)."""
    return {
        "platform": export.platform,
        "format": export.format,
        "app": export.app or export.platform,
        "source": export.source,
        "source_sha256": export.source_sha256,
        "warnings": [str(w) for w in export.warnings],
        "chats": [_chat(c) for c in export.chats],
    }
