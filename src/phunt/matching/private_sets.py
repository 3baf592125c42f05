"""Set files for lists that are not governed sets: built for one process, in its scratch.

A ``--hashlist`` file (or entries a caller hands over one by one) takes the same path as a
hash set of the database: it is streamed into a set file with :func:`build_set_file`, then
added to the engine like any other. The file goes to this process's private scratch folder
(:mod:`phunt.scratch`), which is removed when the process ends, because it is a copy made
for one run, not a version anyone can cite later. Its entry numbers are the list's record
numbers, so a hit names the line of the list that matched.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from phunt import scratch
from phunt.hashsets.columns import EntryBatch, batches_from_entries
from phunt.hashsets.entry import HashEntry

if TYPE_CHECKING:
    from phunt.hashsets.setfile import SetFile

BATCH = 65536


def numbered_by_record(batches: Iterable[EntryBatch]) -> Iterator[EntryBatch]:
    """The batches with their record numbers as entry numbers.

    Entry numbers must increase; where a list repeats or reorders record numbers (none of
    the readers does today), an entry takes the number after its predecessor's.
    """
    last = 0
    for batch in batches:
        n = len(batch)
        if n == 0:
            continue
        steps = np.arange(n, dtype=np.int64)
        floor = np.maximum(batch.records.astype(np.int64), last + 1 + steps) - steps
        numbers = np.maximum.accumulate(floor) + steps
        last = int(numbers[-1])
        yield dataclasses.replace(batch, numbers=numbers)


def numbered_entries(pairs: Iterable[tuple[int, HashEntry]]) -> Iterator[EntryBatch]:
    """``(entry number, entry)`` pairs as batches that keep those numbers."""
    stream = iter(pairs)
    while chunk := list(itertools.islice(stream, BATCH)):
        numbers = np.fromiter((number for number, _entry in chunk), np.int64, len(chunk))
        for batch in batches_from_entries((entry for _n, entry in chunk), size=len(chunk)):
            yield dataclasses.replace(batch, numbers=numbers)


def private_set_file(batches: Iterable[EntryBatch], meta: dict[str, Any]) -> SetFile:
    """Build ``batches`` into a set file in this process's scratch folder and open it."""
    from phunt.hashsets.setbuild import build_set_file
    from phunt.hashsets.setfile import SetFile

    out = Path(scratch.folder()) / "hashlists"
    out.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix="build-") as spool:
        built = build_set_file(
            batches, out, previous=None, first_number=1, scratch=Path(spool), meta=meta
        )
    return SetFile.open(os.fspath(built.path))
