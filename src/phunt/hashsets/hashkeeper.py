"""HashKeeper hash sets (``.hsh``), as the US NDIC's HashKeeper and its importers wrote them.

A quoted CSV with the header ``"file_id","hashset_id","file_name","directory","hash",
"file_size","date_modified","time_modified","time_zone","comments","date_accessed",
"time_accessed"``; ``hash`` is an MD5. Whether a set is known-good or known-bad is not in
the ``.hsh``: HashKeeper kept it in the set's ``.hke`` description, a CSV of the same
kind with the header ``"hashset_id","name","vendor","package","version",
"authenicated_flag","notable_flag","initials","num_of_files","description","date_loaded"``
(HashKeeper's spelling; NIST's NSRL-to-HashKeeper notes give it, with ``notable_flag`` 0
for its known files), one row per hash set the ``.hsh`` rows name by ``hashset_id``:
``notable_flag`` 1 is a known-bad (notable) set, 0 a known-good one.

The ``.hke`` beside the ``.hsh`` (same name; or the one given) decides the kind, which
then binds: it is stated (a set of the other kind is refused), and a ``--kind`` that
contradicts it is an error naming the ``.hke``, never a silent override. Without a
``.hke`` phunt never guesses: the import needs ``--kind``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from phunt.errors import CorruptInput, InputError, UsageError
from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash

COLUMNS = (
    "file_id", "hashset_id", "file_name", "directory", "hash", "file_size", "date_modified",
    "time_modified", "time_zone", "comments", "date_accessed", "time_accessed",
)  # fmt: skip


HKE_COLUMNS = (
    "hashset_id", "name", "vendor", "package", "version", "authenicated_flag", "notable_flag",
    "initials", "num_of_files", "description", "date_loaded",
)  # fmt: skip
_FLAGS = {"0": "known-good", "1": "known-bad"}

#: Why a HashKeeper set's kind is asked for, whichever reader meets its header.
KIND_UNKNOWN = "HashKeeper keeps it in the set's .hke description, and none is beside it"


def companion(path: Path) -> Path | None:
    """The ``.hke`` beside the ``.hsh`` at ``path`` (same name, either case), if any."""
    for suffix in (".hke", ".HKE", ".Hke"):
        found = path.with_suffix(suffix)
        if found.is_file():
            return found
    return None


def read_hke(path: Path) -> dict[str, str]:
    """``{hashset_id: "known-good" | "known-bad"}`` from the ``.hke`` at ``path``."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the .hke ({exc.strerror})", path=where) from None
    text = data.removeprefix(b"\xef\xbb\xbf").decode("latin-1")  # vendor names: never fails
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    kinds: dict[str, str] = {}
    try:
        header = next(rows, None)
        if header is None or tuple(h.strip() for h in header) != HKE_COLUMNS:
            raise CorruptInput(
                "not a HashKeeper .hke: the header is not its", path=where, location="line 1"
            )
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            line = f"line {rows.line_num}"
            if len(row) != len(HKE_COLUMNS):
                reason = f"row has {len(row)} fields, header has {len(HKE_COLUMNS)}"
                raise CorruptInput(reason, path=where, location=line)
            fields = dict(zip(HKE_COLUMNS, (cell.strip() for cell in row), strict=True))
            flag = fields["notable_flag"]
            if flag not in _FLAGS:
                reason = f"notable_flag is {flag!r}, not 0 (known-good) or 1 (known-bad)"
                raise CorruptInput(reason, path=where, location=line)
            kinds[fields["hashset_id"]] = _FLAGS[flag]
    except csv.Error as exc:
        raise CorruptInput(
            f"bad CSV: {exc}", path=where, location=f"line {rows.line_num}"
        ) from None
    if not kinds:
        raise CorruptInput("the .hke describes no hash set", path=where)
    return kinds


def hke_kind(path: Path, kinds: dict[str, str]) -> str:
    """The one kind the ``.hke`` gives its sets; a mix of both is refused."""
    found = sorted(set(kinds.values()))
    if len(found) > 1:
        good = ", ".join(sorted(k for k, v in kinds.items() if v == "known-good"))
        bad = ", ".join(sorted(k for k, v in kinds.items() if v == "known-bad"))
        raise UsageError(
            f"{path}: the .hke flags hash sets {good} known-good and {bad} known-bad; a "
            "list is one kind: split the .hsh by hashset_id and import each part"
        )
    return found[0]


class HashKeeperReader(HashListReader):
    """A HashKeeper ``.hsh`` set: ``"file_id","hashset_id","file_name",...,"hash",...``."""

    name = "hashkeeper"
    default_kind = "known-bad"
    kind_rule = "needs --kind, unless a .hke beside it flags the kind (notable_flag)"
    probe_lines = 1

    def __init__(
        self, source: str | Path | BinaryIO, *, hke: Path | None = None, **options: Any
    ) -> None:
        self._hke = hke
        self._sets: dict[str, str] | None = None
        super().__init__(source, **options)

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        try:
            return bool(lines) and tuple(next(csv.reader(lines[:1]), [])) == COLUMNS
        except csv.Error:
            return False

    def _initial_metadata(self) -> dict[str, Any]:
        hke = self._hke or (companion(self.path) if self.path is not None else None)
        if hke is None:  # known-good or known-bad lives in the .hke: ask the user
            return {"kind_unknown": KIND_UNKNOWN}
        self._sets = read_hke(hke)
        kind = hke_kind(hke, self._sets)
        flag = "0" if kind == "known-good" else "1"
        return {
            "list_kind": kind, "kind_stated": True, "hke": hke.name,
            "kind_from": f"the .hke {hke} flags it {kind} (notable_flag {flag})",
        }  # fmt: skip

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
        if self._sets is not None and fields["hashset_id"] not in self._sets:
            raise self.corrupt(f"hashset_id {fields['hashset_id']!r} is not in the .hke", where)
        extra: dict[str, Any] = {k: v for k, v in fields.items() if v and k != "file_name"}
        if size:
            extra["file_size"] = int(size)
        return HashEntry({"md5": md5}, None, number, fields["file_name"] or None, extra)
