"""Verifying a scoped log: the audit records one case backup carried into a new home.

A case backup cannot carry the whole chain (the other cases' records are not its to give),
and a chain with holes proves nothing by its links. It carries instead a **tree
checkpoint**: the log's record count, head, and the RFC 6962 Merkle root over the hashes
of every record up to it, signed with the audit key; and proofs (:mod:`phunt.audit.proofs`)
that each carried record is in that tree and that each carried seal is among the seals its
record's ``sealed_rows`` root covers. The restore keeps the carried records at their own
numbers, writes its ``backup.restore`` record (holding the checkpoint and the proofs) as
the next record after the signed head, and the log goes on from there as a plain chain.

So :func:`phunt.audit.store.verify` on such a home never says "intact": it checks each
carried record against its hash and its proof, each seal against its record, the chain
from the restore on, and every row against its latest seal, and says what it proved.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit.proofs import leaf, root_from, root_of
from phunt.schema.audit import AuditRecord, AuditSeal

TREE_FORMAT = "phunt-audit-tree/1"
_SIGNED = ("format", "records", "head", "records_root", "at", "key_id", "public_key")


def _signed_bytes(body: dict[str, Any]) -> bytes:
    fields = {name: body[name] for name in _SIGNED}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_tree(key: Any, records: int, head: str, records_root: str, at: str) -> dict[str, Any]:
    """A tree checkpoint of the log's first ``records`` records, signed with ``key``."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body: dict[str, Any] = {
        "format": TREE_FORMAT, "records": records, "head": head,
        "records_root": records_root, "at": at, "key_id": hashlib.sha256(raw).hexdigest(),
        "public_key": base64.b64encode(raw).decode(),
    }  # fmt: skip
    body["signature"] = base64.b64encode(key.sign(_signed_bytes(body))).decode()
    return body


def tree_problem(body: dict[str, Any]) -> str | None:
    """Why a tree checkpoint is not one its key signed, or None."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(body["public_key"], validate=True)
        signature = base64.b64decode(body["signature"], validate=True)
        data = _signed_bytes(body)
    except (KeyError, ValueError, TypeError) as exc:
        return f"the checkpoint cannot be read ({exc})"
    if body["format"] != TREE_FORMAT or hashlib.sha256(raw).hexdigest() != body["key_id"]:
        return "the checkpoint is not a tree checkpoint, or its key id was changed"
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
    except InvalidSignature:
        return "the checkpoint does not match its signature"
    return None


@dataclass(frozen=True)
class Scope:
    """What a case restore carried (the ``scope`` of its ``backup.restore`` record)."""

    case: dict[str, Any]
    checkpoint: dict[str, Any]
    records: list[int]
    records_proof: list[str]
    seal_proofs: dict[str, dict[str, Any]]

    @property
    def upto(self) -> int:
        return int(self.checkpoint["records"])

    def describe(self) -> str:
        cp = self.checkpoint
        return (
            f"scoped restore of case {self.case['number']} (id {self.case['id']}) from a "
            f"backup signed by key {cp['key_id'][:16]}: {len(self.records)} records, each "
            f"proven included in checkpoint {cp['records']} (head {cp['head'][:16]}, root "
            f"{cp['records_root'][:16]}, {cp['at']})"
        )


def scope_of(session: Session) -> Scope | None:
    """The scope of the first restore in the log when it was a case restore, else None."""
    query = (
        select(AuditRecord.details)
        .where(AuditRecord.action == "backup.restore")
        .order_by(AuditRecord.seq)
        .limit(1)
    )
    details = session.scalar(query)
    found = details.get("scope") if isinstance(details, dict) else None
    if not isinstance(found, dict) or found.get("kind") != "case":
        return None
    try:
        return Scope(
            dict(found["case"]), dict(found["checkpoint"]), [int(s) for s in found["records"]],
            list(found["records_proof"]), dict(found["seal_proofs"]),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return None


Problem = tuple[int | None, str, str]


def _records(session: Session, scope: Scope) -> Iterator[AuditRecord]:
    query = (
        select(AuditRecord)
        .where(AuditRecord.seq <= scope.upto)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=2000)
    )
    with session.execute(query) as result:
        yield from result.scalars()


def _seal_groups(session: Session, upto: int) -> Iterator[tuple[int, list[bytes]]]:
    """The leaf hashes of each record's seals, in record order then as its root orders
    them (table, row), one record held at a time."""
    query = (
        select(AuditSeal.audit_seq, AuditSeal.table_name, AuditSeal.row_id, AuditSeal.leaf)
        .where(AuditSeal.audit_seq <= upto)
        .order_by(AuditSeal.audit_seq)
        .execution_options(yield_per=2000)
    )
    group: list[tuple[str, int, str]] = []
    last: int | None = None
    with session.execute(query) as result:
        for seq, name, row_id, value in result:
            if last is not None and seq != last:
                yield last, [leaf(f"{n}:{r}:{v}".encode()) for n, r, v in sorted(group)]
                group = []
            last = int(seq)
            group.append((str(name), int(row_id), str(value)))
    if last is not None:
        yield last, [leaf(f"{n}:{r}:{v}".encode()) for n, r, v in sorted(group)]


def _seal_problem(scope: Scope, rec: AuditRecord, held: list[bytes]) -> str | None:
    claim = rec.sealed_rows if isinstance(rec.sealed_rows, dict) else {"count": 0}
    count = int(claim.get("count", 0))
    if count == 0:
        return None if not held else f"{len(held)} seals were put in for record {rec.seq}"
    given = scope.seal_proofs.get(str(rec.seq))
    try:
        if given is None or given.get("known") is None:
            ok = len(held) == count and root_of(held).hex() == claim.get("merkle_root")
        else:
            proof = [bytes.fromhex(p) for p in given["proof"]]
            root = root_from(count, [int(i) for i in given["known"]], held, proof)
            ok = root.hex() == claim.get("merkle_root")
    except (ValueError, TypeError, KeyError):
        ok = False
    return None if ok else f"its seals are not the ones its root of {count} seals covers"


def check_prefix(
    session: Session, scope: Scope, record_hash: Callable[[AuditRecord], str]
) -> Problem | None:
    """``(record, problem, detail)`` for the first carried record or seal that is not
    proven, or None: each record hashes to itself, the records as a whole to the signed
    root, and each record's seals to its sealed root (``record_hash`` is the store's)."""
    bad = tree_problem(scope.checkpoint)
    if bad is not None:
        return None, "altered", bad
    expected, seen = iter(scope.records), []
    groups = _seal_groups(session, scope.upto)
    group = next(groups, None)
    for rec in _records(session, scope):
        want = next(expected, None)
        if want is None or rec.seq < want:
            return rec.seq, "inserted", f"record {rec.seq} was not carried by the backup"
        if rec.seq > want:
            return want, "deleted", f"carried record {want} is gone"
        if record_hash(rec) != rec.hash:
            return rec.seq, "altered", "content does not match hash"
        if group is not None and group[0] < rec.seq:
            stray = group[0]
            return stray, "inserted", f"seals of record {stray}, which was not carried, were put in"
        held: list[bytes] = []
        if group is not None and group[0] == rec.seq:
            held, group = group[1], next(groups, None)
        wrong = _seal_problem(scope, rec, held)
        if wrong is not None:
            return rec.seq, "altered", wrong
        seen.append(leaf(rec.hash.encode()))
    missing = next(expected, None)
    if missing is not None:
        return missing, "deleted", f"carried record {missing} is gone"
    if group is not None:
        stray = group[0]
        return stray, "inserted", f"seals of record {stray}, which was not carried, were put in"
    try:
        proof = [bytes.fromhex(p) for p in scope.records_proof]
        root = root_from(scope.upto, [s - 1 for s in scope.records], seen, proof).hex()
    except ValueError as exc:
        root = f"none ({exc})"
    if root != scope.checkpoint["records_root"]:
        detail = "the carried records are not the ones the signed checkpoint's root covers"
        return None, "altered", detail
    return None
