"""hashdeep's own file format (``%%%% HASHDEEP-1.0``), as ``hashdeep -r`` writes it.

Layout::

    %%%% HASHDEEP-1.0
    %%%% size,md5,sha256,filename
    ## Invoked from: /home/user
    ## $ hashdeep -r evidence
    ##
    1024,<md5>,<sha256>,/evidence/a.txt

The second header line names the columns; ``filename`` is last and may itself hold
commas, so a row is split into as many fields as the header has, the rest being the name.
Hash columns hashdeep can write but phunt does not match (tiger, whirlpool, sha3) are kept
in ``extra``. A hashdeep file lists files the examiner hashed: whether they are known-bad
or known-good is not in it, so the list kind is the import's (known-bad by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from phunt.hashsets.base import (
    HASH_KINDS,
    HashEntry,
    HashListReader,
    is_whole_number,
    normalise_hash,
)

MAGIC = "%%%% HASHDEEP-1.0"
_COLUMNS = "%%%% "


class HashdeepReader(HashListReader):
    """A ``%%%% HASHDEEP-1.0`` file: a column header, ``##`` comments, CSV-like rows."""

    name = "hashdeep"
    default_kind = "known-bad"
    probe_lines = 2

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        return bool(lines) and lines[0].strip() == MAGIC

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        lines = self.text_lines(stream)
        first = next(lines, None)
        if first is None or first[1].strip() != MAGIC:
            raise self.corrupt(f"first line is not {MAGIC!r}", "line 1")
        columns: list[str] | None = None
        count = 0
        for number, line in lines:
            if columns is None:
                if not line.startswith(_COLUMNS):
                    raise self.corrupt("no '%%%% size,...,filename' column line", f"line {number}")
                columns = self._columns(line[len(_COLUMNS) :], number)
            elif line.startswith("##") or not line.strip():
                self._comment(line)
            else:
                count += 1
                yield self._entry(columns, line, number)
        self._metadata["records"] = count

    def _columns(self, text: str, number: int) -> list[str]:
        columns = [c.strip().lower() for c in text.split(",")]
        if columns[-1:] != ["filename"] or not set(columns) & set(HASH_KINDS):
            raise self.corrupt(
                f"column line must name hash columns and end with filename: {text!r}",
                f"line {number}",
            )
        self._metadata["columns"] = columns
        return columns

    def _comment(self, line: str) -> None:
        text = line[2:].strip()
        if text.startswith("Invoked from:"):
            self._metadata["invoked_from"] = text.split(":", 1)[1].strip()
        elif text.startswith("$ "):
            self._metadata["command"] = text[2:]

    def _entry(self, columns: list[str], line: str, number: int) -> HashEntry:
        where = f"line {number}"
        fields = line.split(",", len(columns) - 1)
        if len(fields) != len(columns):
            raise self.corrupt(f"row has {len(fields)} fields, header has {len(columns)}", where)
        hashes: dict[str, str] = {}
        extra: dict[str, Any] = {}
        for column, value in zip(columns[:-1], fields[:-1], strict=True):
            if column == "size":
                if not is_whole_number(value):
                    raise self.corrupt(f"size is not a whole number: {value!r}", where)
                extra["size"] = int(value)
            elif column in HASH_KINDS:
                try:
                    hashes[column] = normalise_hash(column, value)
                except ValueError as error:
                    raise self.corrupt(f"{column}: {error}", where) from None
            else:
                extra[column] = value
        return HashEntry(hashes, None, number, fields[-1] or None, extra)
