"""Hash lists: read every format a unit receives, write VICS and CSV to share.

Public surface: :func:`open_hash_list` (detects the format, streams :class:`HashEntry`),
the :data:`READERS` registry, :class:`Category` with :mod:`.categories` for meaning and
mapping, :func:`normalise_hash`, and the :data:`WRITERS` registry of export formats
(:func:`write_vics` and :func:`write_csv` are the functions behind them). Importing this
package registers every writer; the readers (some of which need numpy) load on first use
of :func:`open_hash_list`, :data:`READERS` or the detectors, so ``phunt --help`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from phunt.hashsets.base import (
    HASH_KINDS,
    HashEntry,
    HashKind,
    HashListReader,
    normalise_hash,
)
from phunt.hashsets.categories import SCHEMES, Category, convert, is_known_bad, label
from phunt.hashsets.csv_writer import CsvWriter, write_csv
from phunt.hashsets.plain_writer import PlainWriter
from phunt.hashsets.vics import CASE_KEY
from phunt.hashsets.vics_writer import VicsWriter, write_vics
from phunt.hashsets.writers import WRITERS, HashListWriter, register_writer

if TYPE_CHECKING:
    from phunt.hashsets.detect import READERS, detect_format, detect_head, open_hash_list

_FROM_DETECT = ("READERS", "detect_format", "detect_head", "open_hash_list")


def __getattr__(name: str) -> Any:
    if name in _FROM_DETECT:
        return getattr(importlib.import_module("phunt.hashsets.detect"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CASE_KEY",
    "HASH_KINDS",
    "READERS",
    "SCHEMES",
    "WRITERS",
    "Category",
    "CsvWriter",
    "HashEntry",
    "HashKind",
    "HashListReader",
    "HashListWriter",
    "PlainWriter",
    "VicsWriter",
    "convert",
    "detect_format",
    "detect_head",
    "is_known_bad",
    "label",
    "normalise_hash",
    "open_hash_list",
    "register_writer",
    "write_csv",
    "write_vics",
]
