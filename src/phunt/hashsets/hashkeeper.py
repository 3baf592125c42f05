"""HashKeeper hash sets (``.hsh``), as the US NDIC's HashKeeper and its importers wrote them.

A quoted CSV with the header ``"file_id","hashset_id","file_name","directory","hash",
"file_size","date_modified","time_modified","time_zone","comments","date_accessed",
"time_accessed"``; ``hash`` is an MD5. Whether a set is known-good or known-bad is not in
the ``.hsh``: HashKeeper kept it in the set's ``.hke`` description, whose layout no source
we could read states. So phunt never guesses: importing a HashKeeper set needs ``--kind``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash

COLUMNS = (
    "file_id", "hashset_id", "file_name", "directory", "hash", "file_size", "date_modified",
    "time_modified", "time_zone", "comments", "date_accessed", "time_accessed",
)  # fmt: skip


#: Why a HashKeeper set's kind is asked for, whichever reader meets its header.
KIND_UNKNOWN = "HashKeeper keeps it in the set's .hke description"


class HashKeeperReader(HashListReader):
    """A HashKeeper ``.hsh`` set: ``"file_id","hashset_id","file_name",...,"hash",...``."""

    name = "hashkeeper"
    default_kind = "known-bad"
    kind_rule = "needs --kind (the .hke says, which phunt cannot read)"
    probe_lines = 1

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        try:
            return bool(lines) and tuple(next(csv.reader(lines[:1]), [])) == COLUMNS
        except csv.Error:
            return False

    def _initial_metadata(self) -> dict[str, Any]:
        # Known-good or known-bad lives in the .hke, which phunt cannot read: ask the user.
        return {"kind_unknown": KIND_UNKNOWN}

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        lines = (line for _, line in self.text_lines(stream, "latin-1", keep_ends=True))
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader, None)
            if header is None or tuple(header) != COLUMNS:
                raise self.corrupt("header is not HashKeeper's", "line 1")
            count = 0
            for row in reader:
                if row:
                    count += 1
                    yield self._entry(row, reader.line_num)
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {reader.line_num}") from None
        self._metadata["records"] = count

    def _entry(self, row: list[str], number: int) -> HashEntry:
        where = f"line {number}"
        if len(row) != len(COLUMNS):
            raise self.corrupt(f"row has {len(row)} fields, header has {len(COLUMNS)}", where)
        fields = dict(zip(COLUMNS, row, strict=True))
        try:
            md5 = normalise_hash("md5", fields.pop("hash"))
        except ValueError as error:
            raise self.corrupt(f"hash: {error}", where) from None
        size = fields.pop("file_size")
        if size and not is_whole_number(size):
            raise self.corrupt(f"file_size is not a whole number: {size!r}", where)
        extra: dict[str, Any] = {k: v for k, v in fields.items() if v and k != "file_name"}
        if size:
            extra["file_size"] = int(size)
        return HashEntry({"md5": md5}, None, number, fields["file_name"] or None, extra)
