"""CSV hash lists with a header naming the hash columns (written by :mod:`.csv_writer`).

Columns are recognised by name, ignoring case, spaces, ``-`` and ``_``: ``md5``, ``sha1``,
``sha256``, ``pdq``, ``vpdq``, ``photodna`` (also as ``MD5 Hash`` or iLook's ``HashSHA1``,
and iLook's ``V3Hash``/``V4Hash`` for MD5); ``hash`` (kind by length as in plain lists,
or the ``kind`` option); ``name``/``filename``/``file``; ``category``/``cat``; and
``category_scheme`` (the scheme of each row, as the CSV writer writes it). Other
columns are kept verbatim in ``extra``. The delimiter (``,`` ``;`` tab ``|``) is taken
from the header line; lines starting with ``#`` before the header are comments. A header
with NSRL's own columns makes the list known files (``known-good``), as :mod:`.nsrl`
reads it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, BinaryIO

from phunt.errors import UsageError
from phunt.hashsets.base import (
    HASH_KINDS,
    Category,
    HashEntry,
    HashListReader,
    check_scheme,
    csv_row,
    is_whole_number,
    normalise_hash,
    requested_kind,
)
from phunt.hashsets.categories import code_problem
from phunt.hashsets.hashkeeper import COLUMNS as HASHKEEPER_COLUMNS
from phunt.hashsets.hashkeeper import KIND_UNKNOWN as HASHKEEPER_KIND_UNKNOWN

GENERIC = "hash"
_ROLES = {
    **{kind: kind for kind in HASH_KINDS},
    "hash": GENERIC,
    "hashvalue": GENERIC,
    "name": "name",
    "filename": "name",
    "file": "name",
    "category": "category",
    "cat": "category",
    "categoryscheme": "scheme",
    # iLook's MD5 columns, by the iLook version that wrote the list.
    "v3hash": "md5",
    "v4hash": "md5",
}
_DELIMITERS = ",;\t|"


def column_role(header: str) -> str | None:
    """What a column holds (a hash kind, ``hash``, ``name``, ``category``, ``scheme``)."""
    key = "".join(ch for ch in header.lower() if ch not in " -_")
    if key.endswith("hash") and key[:-4] in HASH_KINDS:  # "MD5 Hash", "sha256_hash"
        key = key[:-4]
    elif key.startswith("hash") and key[4:] in HASH_KINDS:  # iLook's "HashSHA1"
        key = key[4:]
    return _ROLES.get(key)


def _split_header(line: str) -> tuple[str, list[str]] | None:
    best: tuple[int, str, list[str]] | None = None
    for delimiter in _DELIMITERS:
        fields = csv_row(line, delimiter)
        if fields is None:
            continue
        hashes = sum(1 for f in fields if column_role(f) in (*HASH_KINDS, GENERIC))
        if hashes and (best is None or hashes > best[0]):
            best = (hashes, delimiter, fields)
    return None if best is None else (best[1], best[2])


class CsvReader(HashListReader):
    """A delimited list whose header names its hash (and category) columns."""

    name = "csv"
    default_kind = "known-bad"
    accepts_kind = True

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = (line for line in lines if line.strip() and not line.startswith("#"))
        first = next(data, None)
        return first is not None and _split_header(first) is not None

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        lines = self.text_lines(stream, keep_ends=True)
        header: tuple[str, list[str]] | None = None
        for number, line in lines:
            if line.strip() and not line.startswith("#"):
                header = _split_header(line.rstrip("\r\n"))
                if header is None:
                    raise self.corrupt(
                        "header names no hash column (md5, sha1, ...)", f"line {number}"
                    )
                break
        if header is None:
            raise self.corrupt("no header line", None)
        delimiter, columns = header
        roles = self._roles(columns, number)
        self._metadata.update(columns=columns, delimiter=delimiter)
        from phunt.hashsets.nsrl import rds2_columns  # here: the NSRL readers load numpy

        if rds2_columns(columns) is not None:
            # NIST's known files read as a generic CSV are still known files.
            self._metadata.update(list_kind="known-good", kind_stated=True)
        if tuple(c.strip() for c in columns) == HASHKEEPER_COLUMNS:
            self._metadata["kind_unknown"] = HASHKEEPER_KIND_UNKNOWN
        reader = csv.reader((text for _, text in lines), delimiter=delimiter, strict=True)
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield self._entry(row, columns, roles, number + reader.line_num)
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {number + reader.line_num}") from None

    def _roles(self, columns: list[str], number: int) -> list[str | None]:
        roles = [column_role(c) for c in columns]
        taken = [r for r in roles if r is not None]
        if len(taken) != len(set(taken)):
            raise self.corrupt(f"two columns hold the same thing: {columns}", f"line {number}")
        return roles

    def _entry(
        self, row: list[str], columns: list[str], roles: list[str | None], number: int
    ) -> HashEntry:
        where = f"line {number}"
        if len(row) != len(columns):
            raise self.corrupt(f"row has {len(row)} fields, header has {len(columns)}", where)
        hashes: dict[str, str] = {}
        extra: dict[str, Any] = {}
        name = code = scheme = None
        for column, role, cell in zip(columns, roles, row, strict=True):
            value = cell.strip()
            if role is None:
                extra[column] = cell
            elif role == "name":
                name = value or None
            elif role == "category":
                code = value
            elif role == "scheme":
                scheme = value or None
            elif value:
                try:
                    kind = role if role != GENERIC else requested_kind(value, self.kind)
                    hashes[kind] = normalise_hash(kind, value)
                except ValueError as error:
                    raise self.corrupt(f"column {column!r}: {error}", where) from None
        if not hashes:
            raise self.corrupt("row has no hash", where)
        return HashEntry(hashes, self._category(code, scheme, where), number, name, extra)

    def _category(self, code: str | None, scheme: str | None, where: str) -> Category | None:
        if not code:
            return None
        if not is_whole_number(code):
            raise self.corrupt(f"category is not a whole number: {code!r}", where)
        if scheme is not None and self.category_scheme is None:
            try:
                stated = str(check_scheme(scheme))
                problem = code_problem(int(code), stated)
                if problem is not None:
                    raise self.corrupt(problem, where)
                return Category(int(code), stated)
            except UsageError as error:
                raise self.corrupt(str(error), where) from None
        return self.category(int(code), where)
