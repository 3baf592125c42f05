"""The second pass of a set-file build: which rows are kept, and where each one goes.

Identical entries are found by sorting identities bucket by bucket; the previous
version's identities go through the same buckets, so carrying numbers over is a join of
two sorted arrays per bucket. The file's rows are in entry-number order, and since new
numbers start past the previous version's last one, that order is: carried entries in
the previous version's order, then new entries in list order. Given numbers (a
migration's) order the rows by themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.setident import WIDTH
from phunt.hashsets.setinput import Spooled, plain_identity
from phunt.hashsets.setspool import (
    Buckets,
    Spool,
    bucket_bits,
    bucket_of,
    first_of_each,
    sort_keys,
    take,
)

DROPPED = np.uint32(0xFFFFFFFF)
Keys = Iterator[tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]]


@dataclass
class Order:
    """Where each input row goes: ``out_row[i]`` (DROPPED for a duplicate)."""

    out_row: npt.NDArray[np.uint32]
    kept: int
    new: int
    carried: npt.NDArray[np.bool_] | None
    """Rows of the previous version that this one keeps (None: numbers were given)."""
    numbers: npt.NDArray[np.int64] | None
    """Given numbers, sorted (None: numbered here)."""
    monotonic: bool
    """Kept rows keep their list order, so reordering a column is filtering it."""
    sorted_plain: tuple[Spool, Spool] | None = None
    """A plain list's kept digests as dedup sorted them, and their input rows."""


def order_rows(
    spooled: Spooled, previous: SetFile | None, first_number: int, *, target: int
) -> Order:
    """Pass 2: dedup, carry-over and numbering, in buckets of about ``target`` bytes."""
    if spooled.numbers is not None:
        return _given(spooled)
    if previous is not None and len(previous) and first_number <= int(previous.entry_numbers[-1]):
        raise UsageError(
            f"first entry number {first_number} is not past the last entry number "
            f"({int(previous.entry_numbers[-1])}) of the previous version {previous.path}"
        )
    hashed, old = _previous_keys(previous, spooled.plain_kind(), spooled.chunk)
    new = _new_keys(spooled, hashed)
    width = WIDTH if hashed else spooled.kinds[str(spooled.plain_kind())].digests.width or 0
    n_old = 0 if previous is None else len(previous)
    bits = bucket_bits(max(spooled.rows, n_old) * (width + 8), target)
    fields = {"key": (np.uint8, (width,)), "at": (np.uint32,)}
    mine = Buckets(spooled.folder, "keys", bits, fields, spooled.allowance)
    theirs = Buckets(spooled.folder, "old-keys", bits, fields, spooled.allowance)
    for target_buckets, source in ((mine, new), (theirs, old)):
        for keys, at in source:
            target_buckets.add(bucket_of(keys, bits), key=keys, at=at)
    plain = spooled.plain_kind()
    if not hashed and plain is not None:
        spooled.kinds[plain].digests.discard()
    prev_of = np.full(spooled.rows, DROPPED, dtype=np.uint32)
    kept = np.zeros(spooled.rows, dtype=np.bool_)
    carried = np.zeros(n_old, dtype=np.bool_)
    sorted_plain = None
    if not hashed:
        folder = spooled.folder
        sorted_plain = (
            Spool(folder / "sorted.keys", np.uint8, width, spooled.allowance),
            Spool(folder / "sorted.rows", np.uint32, allowance=spooled.allowance),
        )
    for bucket in range(mine.count):
        _join(mine.load(bucket), theirs.load(bucket), prev_of, kept, carried, sorted_plain)
    order = _placed(prev_of, kept, carried, spooled.chunk)
    order.sorted_plain = sorted_plain
    return order


def _join(
    mine: dict[str, Any],
    theirs: dict[str, Any],
    prev_of: npt.NDArray[np.uint32],
    kept: npt.NDArray[np.bool_],
    carried: npt.NDArray[np.bool_],
    sorted_plain: tuple[Spool, Spool] | None,
) -> None:
    """One bucket: keep the first row of each identity, find it in the previous version."""
    keys, rows = mine["key"], mine["at"].astype(np.int64)
    if keys.shape[0] == 0:
        return
    order = sort_keys(keys, rows)
    keys, rows = take(keys, order), rows[order]
    first = first_of_each(keys)
    keys, rows = take(keys, first), rows[first]
    kept[rows] = True
    if sorted_plain is not None:
        sorted_plain[0].append(keys)
        sorted_plain[1].append(rows)
    old_keys, old_rows = theirs["key"], theirs["at"].astype(np.int64)
    if old_keys.shape[0] == 0:
        return
    order = sort_keys(old_keys, old_rows)
    old_keys, old_rows = take(old_keys, order), old_rows[order]
    width = keys.shape[1]
    pool = old_keys.view(f"S{width}").reshape(-1)
    at = np.searchsorted(pool, np.ascontiguousarray(keys).view(f"S{width}").reshape(-1))
    inside = np.nonzero(at < pool.shape[0])[0]
    hit = inside[np.all(take(old_keys, at[inside]) == take(keys, inside), axis=1)]
    prev_of[rows[hit]] = old_rows[at[hit]]
    carried[old_rows[at[hit]]] = True


def _placed(
    prev_of: npt.NDArray[np.uint32],
    kept: npt.NDArray[np.bool_],
    carried: npt.NDArray[np.bool_],
    chunk: int,
) -> Order:
    """Turn "previous row or new" into output rows, in place, chunk by chunk."""
    rank = np.cumsum(carried, dtype=np.uint32)  # 1 + the output row of a carried entry
    n_carried = int(rank[-1]) if rank.shape[0] else 0
    fresh, last, monotonic = 0, -1, True
    for start in range(0, prev_of.shape[0], chunk):
        old, keep = prev_of[start : start + chunk], kept[start : start + chunk]
        out = np.full(old.shape[0], DROPPED, dtype=np.uint32)
        is_old = keep & (old != DROPPED)
        is_new = keep & (old == DROPPED)
        out[is_old] = rank[old[is_old]] - 1
        out[is_new] = n_carried + fresh + np.arange(int(is_new.sum()), dtype=np.int64)
        fresh += int(is_new.sum())
        placed = out[keep].astype(np.int64)
        if placed.shape[0]:
            monotonic &= bool(placed[0] > last and np.all(placed[1:] > placed[:-1]))
            last = int(placed[-1])
        prev_of[start : start + chunk] = out
    return Order(
        out_row=prev_of,
        kept=n_carried + fresh,
        new=fresh,
        carried=carried,
        numbers=None,
        monotonic=monotonic,
    )


def _given(spooled: Spooled) -> Order:
    """Rows numbered by the caller: all kept, ordered by their numbers, none twice."""
    assert spooled.numbers is not None
    numbers = spooled.numbers.read(0, spooled.rows)
    order = np.argsort(numbers, kind="stable")
    numbers = numbers[order]
    twice = np.nonzero(numbers[1:] == numbers[:-1])[0]
    if twice.shape[0]:
        raise UsageError(f"entry number {int(numbers[twice[0]])} is given to two entries")
    out_row = np.empty(spooled.rows, dtype=np.uint32)
    out_row[order] = np.arange(spooled.rows, dtype=np.uint32)
    return Order(
        out_row=out_row,
        kept=spooled.rows,
        new=spooled.rows,
        carried=None,
        numbers=numbers,
        monotonic=bool(np.all(order[1:] > order[:-1])),
    )


def _new_keys(spooled: Spooled, hashed: bool) -> Keys:
    """(identities, input rows) of the list being built, chunk by chunk."""
    kind = spooled.plain_kind()
    if kind is None:
        for start, keys in spooled.identity.chunks(spooled.chunk):
            yield keys, np.arange(start, start + keys.shape[0], dtype=np.int64)
        return
    for start, digests in spooled.kinds[kind].digests.chunks(spooled.chunk):
        rows = np.arange(start, start + digests.shape[0], dtype=np.int64)
        yield (plain_identity(kind, digests) if hashed else digests), rows


def _previous_keys(
    previous: SetFile | None, plain_kind: str | None, chunk: int
) -> tuple[bool, Keys]:
    """Whether identities are hashed, and (identities, rows) of the previous version.

    A plain list following a plain version of the same kind compares digests; any other
    pair compares hashed identities, computing the previous ones when it had none.
    """
    if previous is None or len(previous) == 0:
        return plain_kind is None, iter(())
    if previous.has_column("identity"):
        return True, _column_keys(previous, "identity", None, chunk)
    kinds = previous.kinds
    if len(kinds) != 1 or not previous.has_column(f"digest/{kinds[0]}"):
        raise CorruptInput(
            "set file of several kinds lacks its identity column", path=str(previous.path)
        )
    hashed = plain_kind != kinds[0]
    return hashed, _column_keys(previous, f"digest/{kinds[0]}", kinds[0] if hashed else None, chunk)


def _column_keys(previous: SetFile, name: str, hash_kind: str | None, chunk: int) -> Keys:
    rows_name = None if name == "identity" else name.replace("digest/", "row/", 1)
    for start in range(0, len(previous) if rows_name is None else _rows(previous, name), chunk):
        keys = previous.read(name, start, start + chunk)
        if rows_name is None:
            rows = np.arange(start, start + keys.shape[0], dtype=np.int64)
        else:
            rows = previous.read(rows_name, start, start + chunk).astype(np.int64)
        yield (keys if hash_kind is None else plain_identity(hash_kind, keys)), rows


def _rows(previous: SetFile, name: str) -> int:
    column = previous.column(name)
    return 0 if column is None else int(column.shape[0])


def entry_chunks(
    order: Order, previous: SetFile | None, first_number: int, chunk: int
) -> Iterator[npt.NDArray[np.int64]]:
    """The ``entry`` column in row order: carried numbers, then the new ones."""
    if order.numbers is not None:
        for start in range(0, order.numbers.shape[0], chunk):
            yield order.numbers[start : start + chunk]
        return
    if previous is not None and order.carried is not None:
        for start in range(0, len(previous), chunk):
            numbers = previous.read("entry", start, start + chunk)
            yield numbers[order.carried[start : start + chunk]]
    for start in range(0, order.new, chunk):
        yield first_number + np.arange(start, min(start + chunk, order.new), dtype=np.int64)
