"""What a sealed row's content hash covers, and the Merkle root an audit record seals.

A row's content hash is SHA-256 over the canonical JSON of ``{"table": name, "row":
{column: value}}`` with every column of the table, as the database gives it back:
times in ISO 8601 UTC with microseconds, JSON columns as their JSON, bytes as hex. The
canonical form is the audit log's (``json.dumps(obj, sort_keys=True, separators=(",",
":"), ensure_ascii=False)`` in UTF-8), so a defence expert recomputes it with any JSON
library. An audit record seals the rows its action wrote with the Merkle root (RFC 6962:
leaves ``0x00 || data``, nodes ``0x01 || left || right``) over ``table:row_id:hash`` in
table then row order: one record, one root, for one row or a million. NULL columns are
left out of the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

#: The tables whose rows are sealed: the record a court relies on. Districts are not: the
#: migrations preload them as reference data, before there is a log to seal them in.
SEALED_TABLES = (
    "operation",
    "raid",
    "case_file",
    "suspect",
    "device",
    "custody_event",
    "ingest_job",
    "evidence_file",
    "file_match",
    "chat_import",
    "chat",
    "chat_participant",
    "chat_message",
    "chat_attachment",
    "chat_role",
    "chat_media_match",
    "chat_keyword_hit",
    "review_decision",
    "hash_set",
    "hash_set_version",
    "hash_set_disable",
    "lead_source",
    "lead_import",
    "lead",
    "lead_file",
    "lead_link",
    "target",
    "lead_target",
    "raid_plan",
)
#: The leaf of a row deleted by an audited action.
DELETED = "-"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def table(name: str) -> Table:
    """The sealed table called ``name``: from the models loaded already (every model shares
    one ``MetaData``), else once every model is loaded; a command that writes a table has
    its model loaded, so ingest's coordinator never loads the chats' or leads' models."""
    from phunt.schema.base import Base

    found = Base.metadata.tables.get(name)
    if found is None:
        from phunt.schema.metadata import metadata  # every model, whichever a command loaded

        found = metadata.tables[name]
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):  # naive only where a migration reflects the table
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.isoformat(timespec="microseconds")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot seal a value of type {type(value).__name__}")


def row_hash(table_name: str, row: Mapping[Any, Any]) -> str:
    """The content hash of one row given as ``{column: value}`` (every column).

    NULL columns are left out, so a column a later migration adds (nullable, as the
    migrations are additive) does not change the hash of the rows sealed before it.
    """
    return hashlib.sha256(_canonical(table_name, row).encode()).hexdigest()


def _canonical(table_name: str, row: Mapping[Any, Any]) -> str:
    body = {"table": table_name, "row": {k: v for k, v in row.items() if v is not None}}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


#: Stands for the id in :func:`hash_parts`; a row whose values hold it too has no parts.
_ID_MARK = json.dumps("\ue000phunt row id\ue000", ensure_ascii=False)


def hash_parts(table_name: str, row: Mapping[str, Any]) -> tuple[bytes, bytes] | None:
    """The canonical bytes :func:`row_hash` hashes for ``row`` (every column but ``id``,
    as the database gives them back), split where the id goes: a row built before its
    insert is hashed once its id is known (:func:`hash_with_id`) without reading it back.
    None when the split is not certain (the marker also in a value, a value not UTF-8)."""
    try:
        data = _canonical(table_name, {**row, "id": json.loads(_ID_MARK)}).encode()
    except UnicodeEncodeError:  # a lone surrogate: no database stores it either
        return None
    mark = _ID_MARK.encode()
    if data.count(mark) != 1:
        return None
    prefix, _, suffix = data.partition(mark)
    return prefix, suffix


def hash_with_id(parts: tuple[bytes, bytes], row_id: int) -> str:
    """:func:`row_hash` of the row whose :func:`hash_parts` are ``parts``, id ``row_id``."""
    return hashlib.sha256(parts[0] + str(row_id).encode() + parts[1]).hexdigest()


def _leaf(table_name: str, row_id: int, leaf: str) -> bytes:
    return hashlib.sha256(b"\x00" + f"{table_name}:{row_id}:{leaf}".encode()).digest()


def merkle_root(entries: Iterable[tuple[str, int, str]]) -> tuple[int, str]:
    """How many ``(table, row_id, hash)`` entries there are and their RFC 6962 root, read
    as a stream (a stack of at most log2(n) perfect subtrees), in the order given."""
    stack: list[tuple[int, bytes]] = []  # (size, hash) of perfect subtrees, left to right
    count = 0
    for name, row_id, leaf in entries:
        node = (1, _leaf(name, row_id, leaf))
        count += 1
        while stack and stack[-1][0] == node[0]:
            size, left = stack.pop()
            node = (size * 2, hashlib.sha256(b"\x01" + left + node[1]).digest())
        stack.append(node)
    if not stack:
        return 0, EMPTY_ROOT
    root = stack.pop()[1]
    while stack:
        root = hashlib.sha256(b"\x01" + stack.pop()[1] + root).digest()
    return count, root.hex()


def hashed_rows(table_name: str, rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, str]]:
    """``(id, content hash)`` of each row."""
    for row in rows:
        yield int(row["id"]), row_hash(table_name, row)
