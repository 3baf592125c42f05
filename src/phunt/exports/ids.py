"""Identifiers and text of exported records, derived only from what the database holds.

An id is a UUID (version 5) of a fixed namespace and a record's natural key (a device's
evidence number, a file's job and sequence number), so the same database exports the
same ids every time and two exports of one device name its files alike.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

#: phunt's namespace for version-5 UUIDs; never change it (ids of past exports follow).
NAMESPACE = uuid.UUID("e0ad0932-33b4-4bb0-97a3-5a2e7405bf36")


def stable_uuid(*parts: object) -> str:
    """The UUID of a record named by ``parts`` (joined with "/")."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def clean(text: str) -> str:
    """``text`` as valid UTF-8: a file name's undecodable bytes, kept by the walk as
    surrogate escapes, are written as ``\\xNN`` instead of failing the export."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no undecodable byte made
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def utc_text(value: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC with ``Z`` (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
