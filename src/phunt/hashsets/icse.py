"""Interpol ICSE hash lists: semicolon-separated CSV with ICSE's own column names.

Header (as IPED reads it): ``MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;
Offender identified;Series name;Number of submissions;File Available;Media Type;Baseline``.
MD5, SHA1 and PhotoDNA (192 Base64 or 288 hex characters) become hashes; every other
column is kept verbatim in ``extra``. Flag columns must read y/yes/t/true or n/no/f/false
(or be empty); :func:`flag` gives their meaning. ICSE carries no category code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, csv_row, normalise_hash

COLUMNS = (
    "MD5", "SHA1", "PhotoDNA", "Image ID", "Is distributed", "Victim identified",
    "Offender identified", "Series name", "Number of submissions", "File Available",
    "Media Type", "Baseline",
)  # fmt: skip
FLAG_COLUMNS = frozenset(
    {"Is distributed", "Victim identified", "Offender identified", "File Available", "Baseline"}
)
_HASH_COLUMNS = {"md5": "md5", "sha1": "sha1", "photodna": "photodna"}
_TRUE = frozenset({"y", "yes", "t", "true"})
_FALSE = frozenset({"n", "no", "f", "false"})


def flag(value: str) -> bool | None:
    """ICSE flag text as a boolean; None when empty. Raises ValueError otherwise."""
    text = value.strip().lower()
    if not text:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not a yes/no flag: {value!r}")


class IcseReader(HashListReader):
    """Interpol ICSE export: semicolon-separated, header ``MD5;SHA1;PhotoDNA;Image ID``."""

    name = "icse"
    default_kind = "known-bad"
    probe_lines = 1

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        if not lines:
            return False
        columns = [c.strip().lower() for c in lines[0].split(";")]
        return columns[:3] == ["md5", "sha1", "photodna"] and "image id" in columns

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        lines = self.text_lines(stream, keep_ends=True)
        first = next(lines, None)
        if first is None:
            raise self.corrupt("empty file", None)
        header = csv_row(first[1], ";")
        if header is None:
            raise self.corrupt("the header is not CSV", "line 1")
        columns = [c.strip() for c in header]
        lower = {c.lower() for c in columns}
        missing = [c for c in COLUMNS[:3] if c.lower() not in lower]
        if missing:
            raise self.corrupt(f"header lacks ICSE columns {missing}", "line 1")
        self._metadata["columns"] = columns
        reader = csv.reader((text for _, text in lines), delimiter=";", strict=True)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield self._entry(row, columns, 1 + reader.line_num)
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {1 + reader.line_num}") from None

    def _entry(self, row: list[str], columns: list[str], number: int) -> HashEntry:
        where = f"line {number}"
        if len(row) != len(columns):
            raise self.corrupt(f"row has {len(row)} fields, header has {len(columns)}", where)
        hashes: dict[str, str] = {}
        extra: dict[str, str] = {}
        for column, cell in zip(columns, row, strict=True):
            kind = _HASH_COLUMNS.get(column.lower())
            try:
                if kind is None:
                    if column in FLAG_COLUMNS:
                        flag(cell)
                    extra[column] = cell
                elif cell.strip():
                    hashes[kind] = normalise_hash(kind, cell)
            except ValueError as error:
                raise self.corrupt(f"column {column!r}: {error}", where) from None
        if not hashes:
            raise self.corrupt("row has no MD5, SHA1 or PhotoDNA", where)
        return HashEntry(hashes, None, number, None, extra)
