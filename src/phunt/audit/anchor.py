"""Signed checkpoints of the audit log, kept outside the database.

A hash chain whose head sits in the same database proves nothing against someone who can
rewrite the database: they recompute every hash, or cut the tail and move the head, or
delete the log. A checkpoint (``phunt audit anchor``) is the log's record count and head
hash, signed with an Ed25519 key that lives in a file outside the database, in the manner
of a transparency log's signed tree head (RFC 6962, Sigstore Rekor). Kept elsewhere (a
report, a mail to the prosecutor, a write-once disk), it lets ``phunt audit verify
--anchor`` tell that the log it sees still holds the one that was signed.

The checkpoint file is JSON: ``format``, ``records``, ``head``, ``at``, ``key_id`` (the
SHA-256 of the raw public key, hex) and ``public_key`` (raw, base64), signed over their
canonical JSON (``signature``, base64).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.audit import store
from phunt.errors import IntegrityError, UsageError
from phunt.schema.audit import AuditCheckpoint, AuditRecord
from phunt.schema.types import utcnow

FORMAT = "phunt-audit-checkpoint/1"
SIGNED = ("format", "records", "head", "at", "key_id", "public_key")


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the log held ``records`` records ending in ``head`` at ``at``."""

    records: int
    head: str
    at: datetime
    key_id: str
    signature: str


def default_key_path(home: Path) -> Path:
    """Beside the data folder, not in it: the key is not lost or copied with the database
    (:attr:`phunt.config.Settings.audit_key_file` names the same place, to protect it)."""
    return home.with_name(home.name + "-audit-key.pem")


def init_key(path: Path) -> str:
    """Make a new Ed25519 key in ``path`` (mode 0600, never overwritten); its key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{path}: a key is there already; it is never overwritten") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key_id(_raw_public(key))


def _raw_public(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return raw


def key_id(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()


def load_key(path: Path) -> Any:
    """The private key in ``path``; refused when others may read it."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        reason = f"{path}: no audit key ({exc.strerror}); run phunt audit key init"
        raise UsageError(reason) from None
    if mode & 0o077:
        raise UsageError(f"{path}: the audit key is readable by others (chmod 600 it)")
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # not PEM, another format (OpenSSH), or protected by a passphrase
        raise UsageError(f"{path}: not an unencrypted Ed25519 PEM key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{path}: not an Ed25519 key")
    return key


def _signed_bytes(body: dict[str, Any]) -> bytes:
    fields = {name: body[name] for name in SIGNED}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_anchor(session: Session, key_path: Path, out: Path, *, force: bool = False) -> Checkpoint:
    """Sign the log's head as it stands (the chain must verify) into ``out``; the anchor is
    kept in ``audit_checkpoint`` for reports and audited."""
    key = load_key(key_path)
    verdict = store.verify(session, rows=False)
    if not verdict.ok:
        raise IntegrityError(f"the audit log is broken at record {verdict.first_bad}: no anchor")
    raw = _raw_public(key)
    body: dict[str, Any] = {
        "format": FORMAT,
        "records": verdict.records,
        "head": verdict.head,
        "at": utcnow().isoformat(timespec="seconds"),
        "key_id": key_id(raw),
        "public_key": base64.b64encode(raw).decode(),
    }
    body["signature"] = base64.b64encode(key.sign(_signed_bytes(body))).decode()
    data = (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
    _write_new(out, data, force)
    checkpoint = Checkpoint(
        verdict.records, verdict.head, datetime.fromisoformat(body["at"]), body["key_id"],
        body["signature"],
    )  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()
    session.add(
        AuditCheckpoint(
            records=checkpoint.records,
            head=checkpoint.head,
            at=checkpoint.at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature,
            file_sha256=digest,
        )
    )
    details = {"records": checkpoint.records, "head": checkpoint.head, "key_id": checkpoint.key_id}
    store.append(session, "audit.anchor", "audit", str(out), details | {"sha256": digest})
    return checkpoint


def _write_new(out: Path, data: bytes, force: bool) -> None:
    """Through :mod:`phunt.output_path`: a temporary file and a rename, an existing file
    only with ``force``, never inside the data folder or over the database or key."""
    from phunt.output_path import output_path

    try:
        with output_path(out, force=force) as temp:
            temp.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the anchor ({exc.strerror})") from None


def read_anchor(path: Path, key_path: Path | None = None) -> tuple[Checkpoint, str]:
    """The checkpoint in ``path``, its signature checked; and against which key it was."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        raw = base64.b64decode(body["public_key"], validate=True)
        signature = base64.b64decode(body["signature"], validate=True)
        fields = _signed_bytes(body)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a phunt audit checkpoint ({exc})") from None
    if body["format"] != FORMAT or key_id(raw) != body["key_id"]:
        raise IntegrityError(f"{path}: not a phunt audit checkpoint, or its key id was changed")
    trusted = "the public key written in the anchor"
    if key_path is not None and key_path.exists():
        own = key_id(_raw_public(load_key(key_path)))
        if own != body["key_id"]:
            reason = f"{path}: signed by key {body['key_id'][:16]}, not by {key_path}"
            raise IntegrityError(reason)
        trusted = f"the audit key {key_path}"
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, fields)
    except InvalidSignature:
        reason = f"{path}: the signature does not match; the anchor was altered"
        raise IntegrityError(reason) from None
    at = datetime.fromisoformat(body["at"])
    signed = Checkpoint(
        int(body["records"]), str(body["head"]), at, body["key_id"], body["signature"]
    )
    return signed, trusted


def check_against(session: Session, checkpoint: Checkpoint) -> tuple[str, str] | None:
    """``(problem, detail)`` when the log no longer holds the signed head, else None."""
    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    if checkpoint.records == 0:
        return None
    if total == 0:
        detail = f"the log is empty; the anchor of {checkpoint.at} signed {checkpoint.records}"
        return "deleted", detail + " records"
    rec = session.scalar(select(AuditRecord).where(AuditRecord.seq == checkpoint.records))
    if rec is None:
        detail = f"the log was cut: record {checkpoint.records}, the signed head, is gone"
        return "truncated", detail
    if rec.hash != checkpoint.head:
        detail = (
            f"record {checkpoint.records} hashes to {rec.hash[:16]}, the anchor signed "
            f"{checkpoint.head[:16]}: the log up to it was rewritten"
        )
        return "rewritten", detail
    return None


def latest_checkpoint(session: Session) -> Checkpoint | None:
    """The newest checkpoint written (reports show it), or None when there is none."""
    newest = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    row = session.scalars(newest).first()
    if row is None:
        return None
    return Checkpoint(row.records, row.head, row.at, row.key_id, row.signature)
