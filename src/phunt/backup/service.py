"""``phunt backup`` and ``phunt restore``: the whole database, audit log included.

A backup holds every table (the audit log whole, up to its head: a chain is verified
from its first record, so part of it could not be), and the set files of every hash-set
version. A restore goes only into an empty database at the same schema revision, checks
the signature and every part first, puts the rows back with their ids, and is audited
in the restored log, which ``phunt audit verify`` then checks like the original.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from phunt import __version__
from phunt.audit import store as audit
from phunt.backup import store
from phunt.backup.archive import FORMAT, file_part, lines_part, open_checked, sign_manifest
from phunt.backup.codec import decoder, encode
from phunt.errors import IntegrityError, UsageError
from phunt.output_path import output_path
from phunt.schema.db import Session
from phunt.schema.types import utcnow


@dataclass(frozen=True)
class Summary:
    """What a backup holds, as its manifest says."""

    path: str
    rows: int
    tables: int
    set_files: int
    audit_records: int
    manifest_sha256: str
    file_sha256: str
    #: After a case restore: what ``phunt audit verify`` proved of the carried records.
    scope: str = ""


def _sha256_of(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _dump(
    reading: Session, session: Session, temp: Path, key: Any, records: int, head: str
) -> tuple[list[dict[str, Any]], bytes]:
    """Every table's part, the set files and the signed manifest into the zip ``temp``;
    the parts' entries and the manifest's bytes."""
    from phunt.hashsets.blobs import local_set_file

    parts: list[dict[str, Any]] = []
    with zipfile.ZipFile(temp, "w") as archive:
        conn = reading.connection()
        for table in store.tables():
            rows = (encode(row) for row in store.stream_rows(conn, table))
            part = lines_part(archive, f"tables/{table.name}.jsonl", rows)
            parts.append(part | {"table": table.name})
        for sha in store.set_file_shas(conn):
            local = local_set_file(session, sha, what="hash-set version")
            parts.append(file_part(archive, f"setfiles/{sha}.phs", local))
        manifest = {
            "format": FORMAT,
            "scope": "database",
            "tool": f"phunt {__version__}",
            "schema_revision": store.schema_revision(conn),
            "created_at": utcnow().isoformat(timespec="seconds"),
            "audit": {"records": records, "head": head},
            "parts": parts,
        }
        data = sign_manifest(archive, manifest, key)
    return parts, data


def write_backup(
    session: Session, out: Path, key_path: Path, *, force: bool = False, case_id: int | None = None
) -> Summary:
    """Write the whole database, or with ``case_id`` that case's scope
    (:mod:`phunt.backup.case_scope`), to ``out`` (through
    :func:`phunt.output_path.output_path`) and audit it in ``session``."""
    from phunt.audit.anchor import load_key
    from phunt.backup.case_scope import dump_case

    key = load_key(key_path)
    with store.snapshot(session) as reading:
        head = audit.verify(reading, rows=False)
        if not head.ok:
            reason = f"the audit log is broken at record {head.first_bad}: no backup"
            raise IntegrityError(reason)
        carried = head.records
        with output_path(out, force=force) as temp:
            if case_id is None:
                parts, data = _dump(reading, session, temp, key, head.records, head.head)
            else:
                parts, data, carried = dump_case(reading, session, temp, key, case_id, head)
            digest = _sha256_of(temp)
    summary = Summary(
        str(out),
        sum(p.get("rows", 0) for p in parts),
        sum(1 for p in parts if "table" in p),
        sum(1 for p in parts if p["name"].startswith("setfiles/")),
        carried,
        hashlib.sha256(data).hexdigest(),
        digest,
    )
    details = {
        "sha256": digest, "manifest_sha256": summary.manifest_sha256, "rows": summary.rows,
        "audit_records": carried, "audit_head": head.head,
    }  # fmt: skip
    if case_id is not None:
        details["case_id"] = case_id
    audit.append(session, "backup.write", "backup", str(out), details)
    return summary


def restore(session: Session, path: Path, key_path: Path) -> Summary:
    """Restore the backup at ``path`` into the empty database of ``session``; a case
    backup's records are proven (:mod:`phunt.audit.scope`) before it is kept."""
    from phunt.audit.anchor import load_key
    from phunt.backup.case_scope import finish_restore, proven
    from phunt.hashsets.blobs import put_set_file

    checked = open_checked(path, load_key(key_path))
    conn = session.connection()
    revision = store.schema_revision(conn)
    if checked.manifest["schema_revision"] != revision:
        then = checked.manifest["schema_revision"]
        raise UsageError(f"the backup is of schema {then}, this database of {revision}")
    filled = store.filled_tables(conn)
    if filled:
        raise UsageError(
            f"restore goes only into an empty database; this one holds {', '.join(filled)}"
        )
    store.clear_preloaded(conn)
    rows = 0
    parts = checked.manifest["parts"]
    tables = [(store.table_named(p["table"]), p["name"]) for p in parts if "table" in p]
    for table, name in tables:
        decode = decoder(table)
        rows += store.insert_rows(conn, table, (decode(x) for x in checked.lines(name)))
    for table, name in tables:  # rows naming a later row of their own table
        if store.self_references(table):
            decode = decoder(table)
            store.link_rows(conn, table, (decode(x) for x in checked.lines(name)))
    store.move_sequences(conn)
    with tempfile.TemporaryDirectory(prefix="phunt-restore-") as folder:
        for part in parts:
            if part["name"].startswith("setfiles/"):
                target = Path(folder) / Path(part["name"]).name
                checked.extract(part["name"], target)
                put_set_file(session, target)
    digest = _sha256_of(path)
    summary = Summary(
        str(path), rows, sum(1 for p in parts if "table" in p),
        sum(1 for p in parts if p["name"].startswith("setfiles/")),
        checked.manifest["audit"]["records"], checked.manifest_sha256, digest,
    )  # fmt: skip
    details: dict[str, Any] = {
        "sha256": digest, "manifest_sha256": summary.manifest_sha256, "rows": rows
    }  # fmt: skip
    if checked.manifest.get("scope") == "case":
        details["scope"] = finish_restore(session, checked)
    audit.append(session, "backup.restore", "backup", str(path), details)
    if "scope" in details:
        summary = replace(summary, scope=proven(session))
    return summary
