"""The Sleuth Kit / Autopsy hash-database index (``<list>-md5.idx``), as ``hfind -i`` writes.

Layout: two header lines keyed by all-zero values, then one ``HASH|offset`` line per entry
in sorted order::

    00000000000000000000000000000000000000000|md5sum
    00000000000000000000000000000000000000001|NSRLFile.txt
    0D4A1C9ED5A49CAF22FD5F52C666DE2C|0000000000000045

The first header names the indexed list's type (``md5sum``, ``nsrl-md5``, ``nsrl-sha1``,
``hk`` ...), the second its file name; the offset points into that list. The index holds
the hashes but no names, sizes or categories: import the list it indexes when you have it.
An index of an NSRL list (by its type or its list's name) holds known files: known-good;
any other index may be of a known-good or a known-bad list, so its import needs ``--kind``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, kind_of_hex, normalise_hash

_HEADER = re.compile(r"0{31,40}[01]\|(?P<value>.+)")
_LINE = re.compile(r"(?P<hash>[0-9A-Fa-f]{32,64})\|(?P<offset>[0-9]{1,18})")


class TskIdxReader(HashListReader):
    """A Sleuth Kit ``.idx`` index: ``HASH|offset`` lines under two zero-keyed headers."""

    name = "tsk-idx"
    default_kind = "known-bad"
    kind_rule = "known-good for an index of NSRL; any other needs --kind"
    probe_lines = 2

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        return len(lines) >= 2 and all(_HEADER.fullmatch(line.strip()) for line in lines[:2])

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        count = 0
        for number, raw in self.text_lines(stream):
            line = raw.strip()
            if number <= 2:
                header = _HEADER.fullmatch(line)
                if header is None:
                    raise self.corrupt(f"not a zero-keyed header: {line[:80]!r}", f"line {number}")
                self._header(number, header["value"])
                continue
            if not line:
                continue
            match = _LINE.fullmatch(line)
            if match is None:
                raise self.corrupt(f"not 'HASH|offset': {line[:80]!r}", f"line {number}")
            try:
                kind = kind_of_hex(match["hash"])
                value = normalise_hash(kind, match["hash"])
            except ValueError as error:
                raise self.corrupt(str(error), f"line {number}") from None
            count += 1
            yield HashEntry({kind: value}, None, number, None, {"offset": int(match["offset"])})
        self._metadata["records"] = count

    def _header(self, number: int, value: str) -> None:
        key = "index_type" if number == 1 else "indexed_file"
        self._metadata[key] = value
        if value.lower().startswith("nsrl"):
            self._metadata.update(list_kind="known-good", kind_stated=True)
            self._metadata.pop("kind_unknown", None)
        elif number == 2 and not self._metadata.get("kind_stated"):
            # Autopsy indexes known-good lists and notable ones alike; only the user knows.
            self._metadata["kind_unknown"] = "an index does not say what its list holds"
