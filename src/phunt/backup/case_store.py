"""The SQL of a case backup: which rows of each table belong to one case, which audit
records concern them, and what proves those records and seals in the whole log.

A case's rows are its ``case_file`` row, its suspects and devices, every row that hangs
from them through foreign keys (custody, ingest jobs, files, matches, chat imports with
their chats, review decisions, near pairs) when every key it holds points into the case,
and the rows they name above them: the raids and operations, every district (reference
data a restore replaces), and the hash sets (with their versions and disables) that the
case's matches name. Accounts, sessions and unit settings are not the case's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    or_,
    select,
    true,
    union,
)

from phunt.audit.proofs import leaf, prove
from phunt.audit.rows import SEALED_TABLES
from phunt.backup.store import table_named
from phunt.errors import NotFoundError

#: Never in a case backup: accounts and what hangs from them, unit-wide settings, locks,
#: caches, and the audit tables (carried as the case's records, seals and proofs).
NOT_CARRIED = frozenset(
    {
        "app_user", "api_token", "web_session", "login_attempt", "user_profile",
        "review_setting", "review_unit_setting", "review_user_setting", "case_assignment",
        "device_lock", "review_thumbnail", "hash_set_blob",
        "audit_record", "audit_seal", "audit_head", "audit_checkpoint",
    }
)  # fmt: skip
#: Audit records naming these objects concern the case even when they seal none of its
#: rows (a report written, an ingest interrupted).
_OBJECTS = {
    "case": "case_file", "device": "device", "suspect": "suspect", "raid": "raid",
    "operation": "operation", "ingest_job": "ingest_job", "chat_import": "chat_import",
}  # fmt: skip


#: For each carried table, the condition its rows of the case meet.
Where = dict[str, ColumnElement[bool]]


def _ids(table: Table, where: ColumnElement[bool]) -> Select[Any]:
    return select(table.c.id).where(where)


def selections(conn: Connection, case_id: int) -> Where:
    """For each carried table, the condition its rows of case ``case_id`` meet."""
    from phunt.schema.metadata import metadata

    case, device = table_named("case_file"), table_named("device")
    if conn.execute(_ids(case, case.c.id == case_id)).first() is None:
        raise NotFoundError(f"no case with id {case_id}")
    where: Where = {
        "case_file": case.c.id == case_id,
        "suspect": table_named("suspect").c.case_id == case_id,
        "device": device.c.case_id == case_id,
    }
    above = {"district", "operation", "raid", "hash_set", "hash_set_version", "hash_set_disable"}
    for table in metadata.sorted_tables:  # parents first: a child's parents are decided
        if table.name in where or table.name in NOT_CARRIED or table.name in above:
            continue
        keys = [fk for fk in table.foreign_keys if fk.column.table is not table]
        if not keys or any(fk.column.table.name not in where for fk in keys):
            continue
        where[table.name] = and_(
            *(
                or_(
                    fk.parent.is_(None),
                    fk.parent.in_(_ids(fk.column.table, where[fk.column.table.name])),
                )
                for fk in keys
            )
        )
    raid, operation = table_named("raid"), table_named("operation")
    raids = union(
        select(case.c.raid_id).where(where["case_file"]),
        select(device.c.raid_id).where(where["device"]),
    )
    where["raid"] = raid.c.id.in_(raids)
    where["operation"] = operation.c.id.in_(
        union(
            select(case.c.operation_id).where(where["case_file"]),
            select(raid.c.operation_id).where(where["raid"]),
        )
    )
    where["district"] = true()
    match, sets = table_named("file_match"), table_named("hash_set")
    where["hash_set"] = sets.c.name.in_(select(match.c.hash_set).where(where["file_match"]))
    for name in ("hash_set_version", "hash_set_disable"):
        where[name] = table_named(name).c.hash_set_id.in_(_ids(sets, where["hash_set"]))
    return where


def case_number(conn: Connection, case_id: int) -> str:
    case = table_named("case_file")
    return str(conn.execute(select(case.c.number).where(case.c.id == case_id)).scalar_one())


def _sealed_keys(where: Where) -> list[tuple[str, Select[Any]]]:
    return [(n, _ids(table_named(n), where[n])) for n in SEALED_TABLES if n in where]


def seals(conn: Connection, where: Where, seqs: list[int]) -> Iterator[dict[str, Any]]:
    """Every seal of a carried row, in (record, table, row) order (the records ``seqs``)."""
    from phunt.schema.audit import AuditSeal

    for seq in seqs:
        found: list[dict[str, Any]] = []
        for name, ids in _sealed_keys(where):
            query = select(AuditSeal.__table__).where(
                AuditSeal.audit_seq == seq, AuditSeal.table_name == name, AuditSeal.row_id.in_(ids)
            )
            found.extend(dict(r) for r in conn.execute(query).mappings())
        yield from sorted(found, key=lambda r: (r["table_name"], r["row_id"]))


def record_seqs(conn: Connection, where: Where) -> list[int]:
    """The audit records concerning the case: those sealing one of its rows, and those
    naming one of its objects (its reports: a device's or certificate's by evidence
    number, the case's by its number, and the record each was read at, which may be
    another case's: the one record of it a backup gives)."""
    from phunt.schema.audit import AuditRecord, AuditSeal

    found: set[int] = set()
    for name, sealed in _sealed_keys(where):
        query = select(AuditSeal.audit_seq).where(
            AuditSeal.table_name == name, AuditSeal.row_id.in_(sealed)
        )
        found.update(int(s) for s in conn.execute(query.distinct()).scalars())
    for kind, name in _OBJECTS.items():
        ids = [str(i) for i in conn.execute(_ids(table_named(name), where[name])).scalars()]
        for start in range(0, len(ids), 1000):
            query = select(AuditRecord.seq).where(
                AuditRecord.object_type == kind,
                AuditRecord.object_id.in_(ids[start : start + 1000]),
            )
            found.update(int(s) for s in conn.execute(query).scalars())
    device, case = table_named("device"), table_named("case_file")
    numbers = list(conn.execute(select(device.c.evidence_number).where(where["device"])).scalars())
    number = conn.execute(select(case.c.number).where(where["case_file"])).scalar_one()
    named = [f"{kind} {n}" for kind in ("device", "certificate") for n in numbers]
    query = select(AuditRecord.seq).where(
        AuditRecord.object_type == "report",
        or_(
            AuditRecord.object_id.in_(named),
            AuditRecord.object_id.startswith(f"case {number} ", autoescape=True),
        ),
    )
    reports = list(conn.execute(query.add_columns(AuditRecord.details)))
    found.update(int(seq) for seq, _ in reports)
    for _, details in reports:  # the record each report was read at: a court re-checks it
        as_of = (details.get("options") or {}).get("as_of") if isinstance(details, dict) else None
        if isinstance(as_of, int) and as_of > 0:
            found.add(as_of)
    return sorted(found)


def records(conn: Connection, seqs: list[int]) -> Iterator[dict[str, Any]]:
    """The audit records numbered ``seqs`` (ascending) as backup rows, in that order."""
    from phunt.backup.store import stream_rows

    table = table_named("audit_record")
    for start in range(0, len(seqs), 1000):
        yield from stream_rows(conn, table, table.c.seq.in_(seqs[start : start + 1000]))


def records_proof(conn: Connection, upto: int, carried: list[int]) -> tuple[str, list[str]]:
    """The root over the hashes of records 1..``upto`` and the proof of the ``carried``."""
    from phunt.audit.proofs import root_of
    from phunt.schema.audit import AuditRecord

    query = select(AuditRecord.hash).where(AuditRecord.seq <= upto).order_by(AuditRecord.seq)
    leaves = [leaf(h.encode()) for h in conn.execute(query).scalars()]
    proof = prove(leaves, [seq - 1 for seq in carried])
    return root_of(leaves).hex(), [p.hex() for p in proof]


def seal_proof(
    conn: Connection, seq: int, count: int, held: list[tuple[str, int]]
) -> dict[str, Any]:
    """The proof that the seals ``held`` of record ``seq`` are among its ``count`` seals:
    nothing when they are all of them."""
    from phunt.schema.audit import AuditSeal

    if len(held) == count:
        return {"size": count, "known": None, "proof": []}
    query = select(AuditSeal.table_name, AuditSeal.row_id, AuditSeal.leaf).where(
        AuditSeal.audit_seq == seq
    )
    every = sorted((str(t), int(r), str(v)) for t, r, v in conn.execute(query))
    wanted = set(held)
    known = [i for i, (t, r, _) in enumerate(every) if (t, r) in wanted]
    proof = prove([leaf(f"{t}:{r}:{v}".encode()) for t, r, v in every], known)
    return {"size": len(every), "known": known, "proof": [p.hex() for p in proof]}
