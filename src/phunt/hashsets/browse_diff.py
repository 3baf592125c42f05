"""The difference between two versions of a hash set, as a page shows it.

Which entries were added and removed is :func:`phunt.hashsets.setbuild.diff_numbers`, the
answer ``phunt hashset diff`` gives. An entry number stands for its hashes *and* its
category, so a list that moves a file to another category removes one entry and adds
another; this module pairs those (the same hashes on both sides) so a reader sees
"category changed" instead of an unrelated addition and removal. Set files never change
once written, so the last few diffs are kept, keyed by the two files' SHA-256, and paging
through a diff of two ten-million-entry versions computes it once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from phunt.hashsets.browse import describe, find_version, opened
from phunt.hashsets.columns import fixed_width
from phunt.hashsets.setbuild import diff_numbers
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_sets import get_hash_set

TEXT_KEY = 16
"""Bytes a text kind (vPDQ, PhotoDNA) takes in a hashes-only key: its BLAKE2b."""
KEPT = 2
"""Diffs kept in memory: the arrays of two versions' changes, at 8 bytes an entry each."""


@dataclass(frozen=True)
class DiffRow:
    """One changed entry; ``pair`` is the entry on the other side with the same hashes
    (so its category changed), None for a plain addition or removal."""

    entry: int
    change: str
    hashes: dict[str, str]
    category: str | None
    name: str | None
    pair: int | None


@dataclass(frozen=True)
class DiffView:
    """Counts of a diff and one page of its changed entries, in entry-number order.

    ``added`` and ``removed`` count entry numbers, as ``phunt hashset diff`` does;
    ``recategorised`` counts the added entries that are a removed one's hashes with
    another category (each is also one of the added and its pair one of the removed).
    """

    name: str
    from_version: int
    to_version: int
    added: int
    removed: int
    recategorised: int
    rows: list[DiffRow]

    @property
    def total(self) -> int:
        return self.added + self.removed


@dataclass(frozen=True)
class _Changes:
    added: npt.NDArray[np.int64]
    removed: npt.NDArray[np.int64]
    added_pair: npt.NDArray[np.int64]
    removed_pair: npt.NDArray[np.int64]


_kept: OrderedDict[tuple[str, str], _Changes] = OrderedDict()
_lock = threading.Lock()


def default_range(
    current: int, from_version: int | None, to_version: int | None
) -> tuple[int, int]:
    """The versions a diff compares when not told, as ``phunt hashset diff`` does: the
    current version against the one before it."""
    to_v = current if to_version is None else to_version
    return (max(1, to_v - 1) if from_version is None else from_version), to_v


def diff_view(
    session: Session,
    name: str,
    from_version: int,
    to_version: int,
    offset: int,
    limit: int,
    *,
    desc: bool = False,
) -> DiffView:
    """The diff of two versions of ``name`` with rows ``offset`` .. ``offset + limit``
    of its changed entries in entry-number order (``desc``: highest first)."""
    hash_set = get_hash_set(session, name)
    old_row = find_version(session, hash_set, from_version)
    new_row = find_version(session, hash_set, to_version)
    with opened(session, name, old_row) as old, opened(session, name, new_row) as new:
        changes = _changes(old, new)
        rows = _page(old, new, changes, max(0, offset), max(0, limit), desc)
    return DiffView(
        name=name,
        from_version=from_version,
        to_version=to_version,
        added=int(changes.added.shape[0]),
        removed=int(changes.removed.shape[0]),
        recategorised=int(np.count_nonzero(changes.added_pair >= 0)),
        rows=rows,
    )


def _changes(old: SetFile, new: SetFile) -> _Changes:
    key = (old.sha256, new.sha256)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    added, removed = diff_numbers(old, new)
    kinds = sorted(set(old.kinds) | set(new.kinds))
    added_keys = _hash_keys(new, np.searchsorted(new.entry_numbers, added), kinds)
    removed_keys = _hash_keys(old, np.searchsorted(old.entry_numbers, removed), kinds)
    found = _Changes(
        added=added,
        removed=removed,
        added_pair=_pairs(added_keys, removed_keys, removed),
        removed_pair=_pairs(removed_keys, added_keys, added),
    )
    with _lock:
        _kept[key] = found
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return found


def _hash_keys(
    set_file: SetFile, rows: npt.NDArray[np.int64], kinds: list[str]
) -> npt.NDArray[np.uint8]:
    """Each row's hashes (not its category) as one fixed-width byte string: for every kind
    of either version a presence byte and the digest (a text kind's BLAKE2b)."""
    n = int(rows.shape[0])
    blocks = []
    for kind in kinds:
        width = fixed_width(kind)
        block = np.zeros((n, 1 + (width or TEXT_KEY)), dtype=np.uint8)
        if kind in set_file.kinds and n:
            if width is not None:
                digests, at_rows = set_file.digests(kind)
                inverse = np.full(len(set_file), -1, dtype=np.int64)
                inverse[at_rows] = np.arange(at_rows.shape[0], dtype=np.int64)
                where = inverse[rows]
                present = where >= 0
                block[present, 0] = 1
                block[present, 1:] = digests[where[present]]
            else:
                _text_block(set_file, kind, rows, block)
        blocks.append(block)
    if not blocks:
        return np.zeros((n, 1), dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


def _text_block(
    set_file: SetFile, kind: str, rows: npt.NDArray[np.int64], block: npt.NDArray[np.uint8]
) -> None:
    offsets = set_file.column(f"text/{kind}/offsets")
    data = set_file.column(f"text/{kind}/bytes")
    if offsets is None or data is None:
        return
    for i, row in enumerate(rows.tolist()):
        begin, end = int(offsets[row]), int(offsets[row + 1])
        if begin < end:
            block[i, 0] = 1
            digest = hashlib.blake2b(bytes(data[begin:end]), digest_size=TEXT_KEY).digest()
            block[i, 1:] = np.frombuffer(digest, dtype=np.uint8)


def _pairs(
    keys: npt.NDArray[np.uint8], pool: npt.NDArray[np.uint8], numbers: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """For each key, the number of a pool row with the same bytes (-1: none)."""
    out = np.full(keys.shape[0], -1, dtype=np.int64)
    if keys.shape[0] == 0 or pool.shape[0] == 0:
        return out
    width = keys.shape[1]
    wanted = keys.view(f"S{width}").reshape(-1)
    pool_keys = pool.view(f"S{width}").reshape(-1)
    order = np.argsort(pool_keys, kind="stable")
    ranked = pool_keys[order]
    at = np.minimum(np.searchsorted(ranked, wanted), ranked.shape[0] - 1)
    hit = ranked[at] == wanted
    out[hit] = numbers[order[at[hit]]]
    return out


def _page(
    old: SetFile, new: SetFile, changes: _Changes, offset: int, limit: int, desc: bool
) -> list[DiffRow]:
    """Rows ``offset`` .. ``offset + limit`` of the changes, merged in entry order."""
    merged = np.concatenate([changes.added, changes.removed])
    order = np.argsort(merged, kind="stable")
    order = (order[::-1] if desc else order)[offset : offset + limit]
    split = changes.added.shape[0]
    picked_added = order[order < split]
    picked_removed = order[order >= split] - split
    rows: list[DiffRow] = []
    sides = (
        ("added", new, changes.added[picked_added], changes.added_pair[picked_added]),
        ("removed", old, changes.removed[picked_removed], changes.removed_pair[picked_removed]),
    )
    for change, set_file, numbers, pairs in sides:
        pair_of = dict(zip(numbers.tolist(), pairs.tolist(), strict=True))
        for number, entry in set_file.entries(np.searchsorted(set_file.entry_numbers, numbers)):
            pair = pair_of[number]
            rows.append(
                DiffRow(
                    entry=number,
                    change=change,
                    hashes=dict(entry.hashes),
                    category=describe(entry.category),
                    name=entry.name,
                    pair=None if pair < 0 else pair,
                )
            )
    return sorted(rows, key=lambda r: r.entry, reverse=desc)
