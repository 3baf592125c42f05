"""md5deep/sha1deep/sha256deep ``-z`` output: ``size  hash  path`` per line.

md5deep right-aligns the size in ten columns and separates the fields with two spaces;
the kind follows from the hash's length as in plain lists (so a 64-digit value is SHA-256,
the only 64-digit kind the *deep tools write). The path is everything after the hash.
"""

from __future__ import annotations

import re

from phunt.hashsets.base import HashEntry, PatternLineReader, kind_of_hex, normalise_hash

_LINE = re.compile(r"\s*(?P<size>\d{1,18})  (?P<hash>[0-9A-Fa-f]+)  (?P<name>.+)")


class Md5deepSizeReader(PatternLineReader):
    """``md5deep -z`` lines: file size, hash, path."""

    name = "md5deep-z"
    default_kind = "known-bad"
    line_pattern = _LINE
    line_shape = "a 'size  hash  path'"

    def _line_entry(self, match: re.Match[str], number: int, where: str) -> HashEntry:
        try:
            kind = kind_of_hex(match["hash"])
            value = normalise_hash(kind, match["hash"])
        except ValueError as error:
            raise self.corrupt(str(error), where) from None
        size = {"size": int(match["size"])}
        return HashEntry({kind: value}, None, number, match["name"], size)
