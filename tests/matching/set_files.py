"""Set files for engine tests, built from entries by the real builder."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setbuild import build_set_file
from phunt.hashsets.setfile import SetFile
from phunt.matching.private_sets import numbered_entries

_built = itertools.count()


def set_file(folder: Path, entries: Iterable[tuple[int, HashEntry]]) -> SetFile:
    """A set file in ``folder`` of ``(entry number, entry)`` pairs, opened."""
    spool = folder / f"spool-{next(_built)}"
    spool.mkdir(parents=True)
    built = build_set_file(
        numbered_entries(entries), folder, previous=None, first_number=1, scratch=spool, meta={}
    )
    return SetFile.open(built.path)
