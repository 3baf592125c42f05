"""``phunt backup --case``: one case's rows, the audit records that concern them, and what
proves those records in the whole log, in a backup signed like the whole one.

The archive holds the case's rows (:mod:`phunt.backup.case_store` says which), the audit
records concerning them with every seal of their rows, the set files of the hash-set
versions their matches name, and ``audit/scope.json``: a tree checkpoint of the whole log
signed with the audit key and the inclusion proofs of the carried records and seals
(:mod:`phunt.audit.scope`). Restored into an empty home, ``phunt audit verify`` proves
each carried record included in that checkpoint and says so; it never calls the partial
log "intact".
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from phunt import __version__
from phunt.audit import store as audit
from phunt.audit.scope import sign_tree, tree_problem
from phunt.backup import case_store, store
from phunt.backup.archive import FORMAT, Checked, PartWriter, file_part, lines_part, sign_manifest
from phunt.backup.codec import encode
from phunt.errors import IntegrityError
from phunt.schema.audit import AuditHead
from phunt.schema.db import Session
from phunt.schema.types import utcnow

SCOPE_PART = "audit/scope.json"


def _seal_part(
    archive: zipfile.ZipFile,
    reading: Session,
    where: case_store.Where,
    seqs: list[int],
    claims: dict[int, int],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The carried seals' part, and the proof of each record's seals that are not all
    of its seals."""
    part, rows, proofs = PartWriter(archive, "tables/audit_seal.jsonl"), 0, {}
    held: dict[int, list[tuple[str, int]]] = {seq: [] for seq in seqs}
    conn = reading.connection()
    for seal in case_store.seals(conn, where, seqs):
        part.write(encode(seal))
        rows += 1
        held[int(seal["audit_seq"])].append((seal["table_name"], int(seal["row_id"])))
    for seq, count in claims.items():
        if count and len(held[seq]) != count:
            proofs[str(seq)] = case_store.seal_proof(conn, seq, count, held[seq])
    return part.close() | {"table": "audit_seal", "rows": rows}, proofs


def dump_case(
    reading: Session, session: Session, temp: Path, key: Any, case_id: int, head: audit.Verdict
) -> tuple[list[dict[str, Any]], bytes, int]:
    """The case's parts, set files, scope and signed manifest into the zip ``temp``; the
    parts, the manifest's bytes, and how many audit records it carries."""
    from phunt.hashsets.blobs import local_set_file

    conn = reading.connection()
    where = case_store.selections(conn, case_id)
    seqs = case_store.record_seqs(conn, where)
    claims = {
        int(r["seq"]): int((r["sealed_rows"] or {}).get("count", 0))
        for r in case_store.records(conn, seqs)
    }
    parts: list[dict[str, Any]] = []
    with zipfile.ZipFile(temp, "w") as archive:
        for table in store.tables():
            if table.name == "audit_seal":
                part, proofs = _seal_part(archive, reading, where, seqs, claims)
                parts.append(part)
                continue
            if table.name == "audit_record":
                rows: Iterator[dict[str, Any]] = case_store.records(conn, seqs)
            elif table.name in where:
                rows = store.stream_rows(conn, table, where[table.name])
            else:
                continue
            part = lines_part(archive, f"tables/{table.name}.jsonl", map(encode, rows))
            parts.append(part | {"table": table.name})
        versions = store.table_named("hash_set_version")
        shas = {r["index_sha256"] for r in store.stream_rows(conn, versions, where[versions.name])}
        for sha in sorted(shas):
            local = local_set_file(session, sha, what="hash-set version")
            parts.append(file_part(archive, f"setfiles/{sha}.phs", local))
        root, records_proof = case_store.records_proof(conn, head.records, seqs)
        at = utcnow().isoformat(timespec="seconds")
        scope = {
            "kind": "case",
            "case": {"id": case_id, "number": case_store.case_number(conn, case_id)},
            "checkpoint": sign_tree(key, head.records, head.head, root, at),
            "records": seqs,
            "records_proof": records_proof,
            "seal_proofs": proofs,
        }
        writer = PartWriter(archive, SCOPE_PART)
        writer.write(json.dumps(scope, sort_keys=True, ensure_ascii=False).encode())
        parts.append(writer.close())
        manifest = {
            "format": FORMAT,
            "scope": "case",
            "case": scope["case"],
            "tool": f"phunt {__version__}",
            "schema_revision": store.schema_revision(conn),
            "created_at": at,
            "audit": {"records": len(seqs), "head": head.head, "log_records": head.records},
            "parts": parts,
        }
        data = sign_manifest(archive, manifest, key)
    return parts, data, len(seqs)


def finish_restore(session: Session, checked: Checked) -> dict[str, Any]:
    """Once a case backup's rows are in: its tree checkpoint checked, the log's head set
    to the signed one so the restore's record comes next; the scope for that record."""
    scope: dict[str, Any] = json.loads(b"".join(checked.lines(SCOPE_PART)))
    bad = tree_problem(scope["checkpoint"])
    if bad is not None:
        raise IntegrityError(f"the case backup's audit checkpoint is refused: {bad}")
    if scope["checkpoint"]["key_id"] != checked.manifest["key_id"]:
        raise IntegrityError("the case backup's audit checkpoint was signed by another key")
    signed = int(scope["checkpoint"]["records"])
    session.add(AuditHead(id=1, seq=signed, hash=str(scope["checkpoint"]["head"])))
    session.flush()
    return scope


def proven(session: Session) -> str:
    """The scoped verdict of the home just restored; refused (rolled back) unless every
    carried record, seal and row is proven."""
    verdict = audit.verify(session)
    if not verdict.ok:
        what = f"record {verdict.first_bad}" if verdict.first_bad is not None else "a row"
        raise IntegrityError(
            f"the case backup does not prove its records: {what} {verdict.problem} "
            f"({verdict.detail})"
        )
    return verdict.scope
