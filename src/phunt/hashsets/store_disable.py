"""Disabling an entry of a hash set as a false positive, without rewriting any set file.

A disable is a row naming an entry number; entry numbers are stable across versions, so it
applies in every version, and the engine drops hits on it when the set is loaded. The set
files stay as imported: same bytes, same SHA-256, what a court was told the list said.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import NotFoundError, UsageError
from phunt.hashing.kinds import KINDS, is_hex
from phunt.hashsets.base import is_whole_number
from phunt.hashsets.columns import fixed_width
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_sets import get_hash_set, open_version, versions
from phunt.schema.hashsets import HashSet, HashSetDisable
from phunt.schema.types import utcnow


def disable_entry(session: Session, name: str, ref: str, reason: str) -> HashSetDisable:
    """Disable entry ``ref`` (its number, or one of its hashes in the current version)."""
    if not reason.strip():
        raise UsageError("disabling an entry needs a --reason")
    hash_set = get_hash_set(session, name)
    found = _find(session, hash_set, ref.strip())
    if found is None:
        raise NotFoundError(f"no entry {ref!r} in hash set {name!r}")
    number, hashes = found
    already = session.scalar(
        select(HashSetDisable.id).where(
            HashSetDisable.hash_set_id == hash_set.id, HashSetDisable.entry == number
        )
    )
    if already is not None:
        raise UsageError(f"entry {number} of {name!r} is already disabled")
    row = HashSetDisable(
        hash_set_id=hash_set.id,
        entry=number,
        reason=reason.strip(),
        disabled_by=audit.current_actor(),
        disabled_at=utcnow(),
        hashes=hashes,
    )
    session.add(row)
    session.flush()
    details = {"hash_set": name, "entry": number, "reason": row.reason, "hashes": hashes}
    audit.append(session, "hashset.disable", "hash_set", hash_set.id, details)
    return row


def _find(session: Session, hash_set: HashSet, ref: str) -> tuple[int, dict[str, str]] | None:
    """``(entry number, hashes)`` of ``ref``: a number of any version (newest first), else
    a hash of the current version."""
    rows = list(reversed(versions(session, hash_set)))
    if is_whole_number(ref):
        for row in rows:
            with open_version(session, hash_set.name, row) as set_file:
                at = set_file.row_of(int(ref))
                if at is not None:
                    return int(ref), dict(set_file.entry(at).hashes)
    if not rows:
        return None
    with open_version(session, hash_set.name, rows[0]) as set_file:
        at = _row_of_hash(set_file, ref)
        if at is None:
            return None
        return int(set_file.entry_numbers[at]), dict(set_file.entry(at).hashes)


def _row_of_hash(set_file: SetFile, ref: str) -> int | None:
    """The first row carrying ``ref`` as any of its kinds (hex in either case)."""
    text = ref.lower()
    for kind in set_file.kinds:
        width = fixed_width(kind)
        if width is None:
            wanted = _normalised(kind, ref)
            for at, value in set_file.texts(kind):
                if value == wanted:
                    return at
            continue
        if len(text) != 2 * width or not is_hex(text):
            continue
        query = np.frombuffer(bytes.fromhex(text), dtype=np.uint8).reshape(1, width)
        _positions, found = set_file.lookup(kind, query)
        if len(found):
            return int(found.min())
    return None


def _normalised(kind: str, value: str) -> str:
    """``value`` as a list of ``kind`` stores it (PhotoDNA hex becomes Base64)."""
    if kind not in KINDS:
        return value
    try:
        return KINDS.get(kind).normalise(value)
    except ValueError:
        return value
