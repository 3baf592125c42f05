"""Building a set file from a stream of entry batches: dedup, numbering, one write.

Entry numbers are what a stored match points at, so they are stable across versions: an
entry (same hashes, same category) that the previous version had keeps its number, new
entries are numbered from ``first_number`` in the order the list gives them, and a caller
that already has numbers (the migration keeps the ids of the old SQL rows) passes them in
``EntryBatch.numbers``. Identical entries are kept once (the first), except when numbers
are given: those entries are distinct by the caller's word, and dropping one would leave
a stored match pointing nowhere.

Memory stays within ``budget`` whatever the list's size: the batches are spooled to the
scratch folder (:mod:`~phunt.hashsets.setinput`), dedup and numbering sort identities in
buckets (:mod:`~phunt.hashsets.setorder`), and each column is put in row order from
scratch files (:mod:`~phunt.hashsets.setemit`) that the writer streams. What stays in
memory is five bytes per input row and per previous entry.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.hashsets.columns import EntryBatch
from phunt.hashsets.setemit import emit_columns
from phunt.hashsets.setfile import CHUNK, SetFile
from phunt.hashsets.setinput import spool_batches
from phunt.hashsets.setorder import Order, order_rows
from phunt.hashsets.setspool import Allowance
from phunt.hashsets.setwrite import write_set_file

DEFAULT_BUDGET = 384 << 20
"""Scratch data a build keeps in memory before it writes to its scratch folder. Peak
memory is about this, plus five bytes per row read and per previous entry, plus one
chunk being worked on: under 1 GB for 40M rows."""


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
    budget: int = DEFAULT_BUDGET,
) -> BuildResult:
    """Write the set file of ``batches`` into ``out_dir`` as ``<sha256>.phs``.

    ``previous`` (the set's latest version) gives carried-over entries their numbers and
    the added/removed counts; ``scratch`` holds the build's temporary files (removed
    afterwards); ``budget`` bounds the memory of the sorts (tests make it tiny).
    """
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="setbuild-", dir=scratch))
    try:
        chunk = max(64, min(CHUNK, budget // 1024))
        spooled = spool_batches(batches, folder, chunk, Allowance(budget))
        order = order_rows(spooled, previous, first_number, target=max(1024, budget // 64))
        columns, kinds = emit_columns(
            spooled, order, previous, first_number, max(1024, budget // 64)
        )
        written = write_set_file(
            out_dir, columns, kinds=kinds, schemes=spooled.scheme_names, meta=meta
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    added, removed, next_number = _changes(order, previous, first_number)
    return BuildResult(
        path=written.path,
        sha256=written.sha256,
        size=written.size,
        entries=order.kept,
        records_read=spooled.rows,
        duplicates=spooled.rows - order.kept,
        added=added,
        removed=removed,
        next_number=next_number,
    )


def _changes(order: Order, previous: SetFile | None, first_number: int) -> tuple[int, int, int]:
    """(added, removed, next number) of this version against the previous one."""
    if order.numbers is None:
        carried = 0 if order.carried is None else int(order.carried.sum())
        old = 0 if previous is None else len(previous)
        return order.new, old - carried, first_number + order.new
    top = int(order.numbers[-1]) + 1 if order.numbers.shape[0] else first_number
    if previous is None:
        return order.kept, 0, max(first_number, top)
    before = np.asarray(previous.entry_numbers)
    added = int((~_sorted_isin(order.numbers, before)).sum())
    removed = int((~_sorted_isin(before, order.numbers)).sum())
    return added, removed, max(first_number, top)


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
