"""Hash lists: read every format a unit receives, write VICS and CSV to share.

Public surface: :func:`open_hash_list` (detects the format, streams :class:`HashEntry`),
the :data:`READERS` registry, :class:`Category` with :mod:`.categories` for meaning and
mapping, :func:`normalise_hash`, and the writers :func:`write_vics` and :func:`write_csv`.
"""

from phunt.hashsets.base import (
    HASH_KINDS,
    SCHEMES,
    Category,
    HashEntry,
    HashKind,
    HashListReader,
    normalise_hash,
)
from phunt.hashsets.categories import convert, is_known_bad, label
from phunt.hashsets.csv_list import write_csv
from phunt.hashsets.detect import READERS, detect_format, open_hash_list
from phunt.hashsets.vics import CASE_KEY
from phunt.hashsets.vics_writer import write_vics

__all__ = [
    "CASE_KEY",
    "HASH_KINDS",
    "READERS",
    "SCHEMES",
    "Category",
    "HashEntry",
    "HashKind",
    "HashListReader",
    "convert",
    "detect_format",
    "is_known_bad",
    "label",
    "normalise_hash",
    "open_hash_list",
    "write_csv",
    "write_vics",
]
