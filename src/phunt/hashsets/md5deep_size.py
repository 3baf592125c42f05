"""md5deep/sha1deep/sha256deep ``-z`` output: ``size  hash  path`` per line.

md5deep right-aligns the size in ten columns and separates the fields with two spaces;
the kind follows from the hash's length as in plain lists (so a 64-digit value is SHA-256,
the only 64-digit kind the *deep tools write). The path is everything after the hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, kind_of_hex, normalise_hash

_LINE = re.compile(r"\s*(?P<size>\d{1,18})  (?P<hash>[0-9A-Fa-f]+)  (?P<name>.+)")


class Md5deepSizeReader(HashListReader):
    """``md5deep -z`` lines: file size, hash, path."""

    name = "md5deep-z"
    default_kind = "known-bad"

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = [line for line in lines if line.strip() and not line.startswith("#")]
        return bool(data) and 2 * sum(bool(_LINE.fullmatch(line)) for line in data) >= len(data)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        count = 0
        for number, line in self.text_lines(stream):
            if not line.strip() or line.startswith("#"):
                continue
            where = f"line {number}"
            match = _LINE.fullmatch(line)
            if match is None:
                raise self.corrupt(f"not a 'size  hash  path' line: {line[:80]!r}", where)
            try:
                kind = kind_of_hex(match["hash"])
                value = normalise_hash(kind, match["hash"])
            except ValueError as error:
                raise self.corrupt(str(error), where) from None
            count += 1
            yield HashEntry(
                {kind: value}, None, number, match["name"], {"size": int(match["size"])}
            )
        self._metadata["records"] = count
