"""Hash-list entries column by column: how a list of millions travels without an object each.

A reader yields :class:`EntryBatch` objects (:meth:`HashListReader.batches`): one array per
fixed-width hash kind (MD5, SHA-1, SHA-256, PDQ and any other kind written as hex) with a
mask of the rows that carry it, and Python lists only for what plain lists never have
(categories, names, extra fields, text kinds such as vPDQ). Readers of rich formats build
their batches from their entries (:func:`batches_from_entries`); readers of large plain
formats (plain lists, NSRL) fill the arrays directly, so no Python object is made per entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.hashing.kinds import KINDS
from phunt.hashsets.categories import Category
from phunt.hashsets.entry import HashEntry

BATCH_ROWS = 65536
"""Rows in a batch built from entries: about 10 MB for an entry with every digest."""


def fixed_width(kind: str) -> int | None:
    """Bytes of one value of ``kind`` when it is written as fixed-length hex, else None."""
    if kind not in KINDS:
        return None
    length = KINDS.get(kind).hex_length
    return None if length is None else length // 2


@dataclass(frozen=True)
class EntryBatch:
    """Consecutive entries of one list.

    ``digests[kind]`` is ``(n, width)`` uint8 for a fixed-width kind, with ``present[kind]``
    the rows that carry it (rows without it hold zeros); ``texts[kind]`` holds a kind of
    no fixed width (vPDQ, PhotoDNA), None where absent. ``categories``, ``names`` and
    ``extras`` are None when no entry of the batch has one.
    """

    records: npt.NDArray[np.int64]
    digests: Mapping[str, npt.NDArray[np.uint8]] = field(default_factory=dict)
    present: Mapping[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    texts: Mapping[str, list[str | None]] = field(default_factory=dict)
    categories: list[Category | None] | None = None
    names: list[str | None] | None = None
    extras: list[dict[str, Any]] | None = None
    numbers: npt.NDArray[np.int64] | None = None
    """Entry numbers fixed by the caller (a migration keeps the ids entries had); None lets
    the set-file builder number the entries."""

    def __len__(self) -> int:
        return int(self.records.shape[0])

    def entry(self, row: int) -> HashEntry:
        """Row ``row`` as a portable entry (hex in lower case), for writers and errors."""
        hashes = {
            kind: bytes(values[row]).hex()
            for kind, values in self.digests.items()
            if self.present[kind][row]
        }
        for kind, texts in self.texts.items():
            if texts[row] is not None:
                hashes[kind] = str(texts[row])
        return HashEntry(
            hashes=hashes,
            category=None if self.categories is None else self.categories[row],
            record=int(self.records[row]),
            name=None if self.names is None else self.names[row],
            extra={} if self.extras is None else self.extras[row],
        )

    def entries(self) -> Iterator[HashEntry]:
        for row in range(len(self)):
            yield self.entry(row)


def plain_batch(
    kind: str, digests: npt.NDArray[np.uint8], records: npt.NDArray[np.int64]
) -> EntryBatch:
    """A batch of entries that carry one kind each and nothing else (a plain list)."""
    present = np.ones(records.shape[0], dtype=np.bool_)
    return EntryBatch(records=records, digests={kind: digests}, present={kind: present})


def batches_from_entries(
    entries: Iterable[HashEntry], size: int = BATCH_ROWS
) -> Iterator[EntryBatch]:
    """Group entries into batches of ``size`` rows (the default path of every reader)."""
    chunk: list[HashEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= size:
            yield batch_of(chunk)
            chunk = []
    if chunk:
        yield batch_of(chunk)


def batch_of(chunk: list[HashEntry]) -> EntryBatch:
    """One batch holding ``chunk`` (readers' odd lines among vectorised ones come this way)."""
    n = len(chunk)
    kinds = {kind for entry in chunk for kind in entry.hashes}
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    texts: dict[str, list[str | None]] = {}
    for kind in sorted(kinds):
        width = fixed_width(kind)
        if width is None:
            texts[kind] = [entry.hashes.get(kind) for entry in chunk]
            continue
        mask = np.fromiter((kind in e.hashes for e in chunk), dtype=np.bool_, count=n)
        raw = bytes.fromhex("".join(e.hashes[kind] for e in chunk if kind in e.hashes))
        values = np.zeros((n, width), dtype=np.uint8)
        values[mask] = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)
        digests[kind], present[kind] = values, mask
    categories = [e.category for e in chunk]
    names = [e.name for e in chunk]
    extras = [e.extra for e in chunk]
    return EntryBatch(
        records=np.fromiter((e.record for e in chunk), dtype=np.int64, count=n),
        digests=digests,
        present=present,
        texts=texts,
        categories=categories if any(c is not None for c in categories) else None,
        names=names if any(name is not None for name in names) else None,
        extras=extras if any(extras) else None,
    )


def concat_batches(batches: list[EntryBatch]) -> EntryBatch:
    """``batches`` one after the other as one batch (a chunk read partly vectorised, partly
    line by line, leaves as one batch). Entry numbers are kept only when every part has them."""
    if len(batches) == 1:
        return batches[0]
    sizes = [len(b) for b in batches]
    n = sum(sizes)
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    for kind in sorted({k for b in batches for k in b.digests}):
        width = next(b.digests[kind].shape[1] for b in batches if kind in b.digests)
        values = np.zeros((n, width), dtype=np.uint8)
        mask = np.zeros(n, dtype=np.bool_)
        start = 0
        for batch, size in zip(batches, sizes, strict=True):
            if kind in batch.digests:
                values[start : start + size] = batch.digests[kind]
                mask[start : start + size] = batch.present[kind]
            start += size
        digests[kind], present[kind] = values, mask
    texts = {
        kind: [t for b in batches for t in b.texts.get(kind, [None] * len(b))]
        for kind in sorted({k for b in batches for k in b.texts})
    }
    numbers = [b.numbers for b in batches if b.numbers is not None]
    return EntryBatch(
        records=np.concatenate([b.records for b in batches]),
        digests=digests,
        present=present,
        texts=texts,
        categories=_joined([b.categories for b in batches], sizes),
        names=_joined([b.names for b in batches], sizes),
        extras=_joined([b.extras for b in batches], sizes, fill=dict),
        numbers=np.concatenate(numbers) if len(numbers) == len(batches) else None,
    )


def _joined(
    parts: list[list[Any] | None], sizes: list[int], fill: Callable[[], Any] = lambda: None
) -> Any:
    """Per-row lists of the parts end to end (``fill()`` for a part without); None when no
    part has any."""
    if all(part is None for part in parts):
        return None
    out: list[Any] = []
    for part, size in zip(parts, sizes, strict=True):
        out.extend([fill() for _ in range(size)] if part is None else part)
    return out
