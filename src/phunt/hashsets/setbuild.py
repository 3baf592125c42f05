"""Building a set file from a stream of entry batches: dedup, numbering, one write.

Entry numbers are what a stored match points at, so they are stable across versions: an
entry (same hashes, same category) that the previous version had keeps its number, new
entries are numbered from ``first_number`` in the order the list gives them, and a caller
that already has numbers (the migration keeps the ids of the old SQL rows) passes them in
``EntryBatch.numbers``. Identical entries are kept once (the first), except when numbers
are given: those entries are distinct by the caller's word, and dropping one would leave
a stored match pointing nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import UsageError
from phunt.hashsets.columns import EntryBatch
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.setrows import Rows, collect, previous_keys, sorted_key_order, write_rows


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and what it found, for the version's record and the audit."""

    path: Path
    sha256: str
    size: int
    entries: int
    records_read: int
    duplicates: int
    added: int
    removed: int
    next_number: int


def build_set_file(
    batches: Iterable[EntryBatch],
    out_dir: Path,
    *,
    previous: SetFile | None,
    first_number: int,
    scratch: Path,
    meta: dict[str, Any],
) -> BuildResult:
    """Write the set file of ``batches`` into ``out_dir`` as ``<sha256>.phs``.

    ``previous`` (the set's latest version) gives carried-over entries their numbers and
    the added/removed counts; ``scratch`` holds the build's temporary files.
    """
    if previous is not None and len(previous) and first_number <= int(previous.entry_numbers[-1]):
        raise UsageError(
            f"first entry number {first_number} is not past the previous version's last "
            f"({int(previous.entry_numbers[-1])}) in {previous.path}"
        )
    rows = collect(batches)
    keys = rows.identity()
    if rows.numbers is not None:
        kept = np.arange(len(rows), dtype=np.int64)
        numbers = rows.numbers
        _check_unique(numbers)
    else:
        kept = _first_of_each(keys)
        numbers = np.full(kept.shape[0], -1, dtype=np.int64)
        if previous is not None:
            numbers = _carried(kept, keys, previous, rows)
        new = numbers < 0
        numbers[new] = first_number + np.arange(int(new.sum()), dtype=np.int64)
    order = np.argsort(numbers, kind="stable")
    written = write_rows(rows, kept[order], numbers[order], keys, out_dir, meta)
    added, removed = _changes(numbers, previous)
    top = int(numbers.max()) + 1 if numbers.shape[0] else first_number
    return BuildResult(
        path=written.path,
        sha256=written.sha256,
        size=written.size,
        entries=int(kept.shape[0]),
        records_read=len(rows),
        duplicates=len(rows) - int(kept.shape[0]),
        added=added,
        removed=removed,
        next_number=max(first_number, top),
    )


def diff_numbers(old: SetFile, new: SetFile) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(added, removed) entry numbers between two versions, on their sorted columns."""
    before, after = np.asarray(old.entry_numbers), np.asarray(new.entry_numbers)
    added = after[~_sorted_isin(after, before)]
    removed = before[~_sorted_isin(before, after)]
    return added.astype(np.int64), removed.astype(np.int64)


def _sorted_isin(
    values: npt.NDArray[np.int64], sorted_pool: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Which of ``values`` are in ``sorted_pool`` (both sorted): one binary search each."""
    if sorted_pool.shape[0] == 0:
        return np.zeros(values.shape[0], dtype=np.bool_)
    at = np.searchsorted(sorted_pool, values)
    at[at == sorted_pool.shape[0]] = 0
    return np.asarray(sorted_pool[at] == values, dtype=np.bool_)


def _first_of_each(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Rows (ascending) that are the first with their key: later copies are duplicates."""
    order = sorted_key_order(keys)
    ordered = keys[order]
    starts = np.ones(order.shape[0], dtype=np.bool_)
    starts[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    return np.sort(order[starts]).astype(np.int64)


def _carried(
    kept: npt.NDArray[np.int64], keys: npt.NDArray[np.uint8], previous: SetFile, rows: Rows
) -> npt.NDArray[np.int64]:
    """The previous version's number of each kept row, -1 where the entry is new."""
    old_keys, old_numbers, hashed = previous_keys(previous, rows.plain_kind())
    if hashed and rows.plain_kind() is not None:
        keys = rows.identity(hashed=True)
    keys = keys[kept]
    numbers = np.full(keys.shape[0], -1, dtype=np.int64)
    if old_keys.shape[0] == 0 or keys.shape[0] == 0:
        return numbers
    width = keys.shape[1]
    if old_keys.shape[1] != width:
        return numbers
    pool = np.ascontiguousarray(old_keys).view(f"S{width}").reshape(-1)
    wanted = np.ascontiguousarray(keys).view(f"S{width}").reshape(-1)
    at = np.searchsorted(pool, wanted)
    inside = at < pool.shape[0]
    hit = np.zeros(keys.shape[0], dtype=np.bool_)
    hit[inside] = np.all(old_keys[at[inside]] == keys[inside], axis=1)
    numbers[hit] = old_numbers[at[hit]]
    return numbers


def _check_unique(numbers: npt.NDArray[np.int64]) -> None:
    ordered = np.sort(numbers)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if twice.shape[0]:
        raise UsageError(f"entry number {int(twice[0])} is given to two entries")


def _changes(numbers: npt.NDArray[np.int64], previous: SetFile | None) -> tuple[int, int]:
    if previous is None:
        return int(numbers.shape[0]), 0
    after = np.sort(numbers)
    before = np.asarray(previous.entry_numbers)
    added = int((~_sorted_isin(after, before)).sum())
    removed = int((~_sorted_isin(before, after)).sum())
    return added, removed
