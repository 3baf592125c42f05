"""Plain text hash lists: one hash per line.

Rules: ``#`` starts a comment line; blank lines, CRLF and a UTF-8 BOM are fine; a line may
be ``<hash>`` or ``<hash> <file name>`` (md5sum/sha256sum output, ``*`` marker allowed).
The kind comes from the length (32 MD5, 40 SHA-1, 64 SHA-256). Because PDQ is also 64
hex digits, a 64-digit line is SHA-256 unless told otherwise: by the ``kind`` option
(which wins), or by a comment line ``# kind: pdq`` that applies to the lines after it
(``# kind: auto`` returns to guessing by length).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phunt.hashing.kinds import KIND_BY_HEX_LENGTH
from phunt.hashing.kinds.base import is_hex
from phunt.hashsets.base import HashEntry, HashListReader, normalise_hash, requested_kind

_DIRECTIVE = re.compile(r"#\s*kind\s*:\s*([a-z0-9_]+)\s*$", re.IGNORECASE)
_LINE = re.compile(r"(\S+)(?:[ \t]+\*?(.*))?")


class PlainReader(HashListReader):
    """One hash per line, optionally followed by a file name."""

    name = "plain"
    default_kind = "known-bad"
    accepts_kind = True

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = [
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
        if not data and not any(line.strip() for line in lines):
            return False
        # Mostly hashes: a list with one damaged line is still this format, and the reader
        # then names the line instead of detection failing without saying why.
        return 2 * sum(_is_hash_line(line) for line in data) >= len(data)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        directive: str | None = None
        for number, raw in self.text_lines(stream):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                match = _DIRECTIVE.match(line)
                if match:
                    directive = None if match[1].lower() == "auto" else match[1].lower()
                    self._metadata.setdefault("kind_directives", []).append(
                        {"line": number, "kind": match[1].lower()}
                    )
                continue
            yield self._entry(line, number, self.kind or directive)

    def _entry(self, line: str, number: int, kind: str | None) -> HashEntry:
        match = _LINE.fullmatch(line)
        location = f"line {number}"
        if match is None:
            raise self.corrupt(f"not a hash: {line[:80]!r}", location)
        try:
            found = requested_kind(match[1], kind)
            value = normalise_hash(found, match[1])
        except ValueError as error:
            raise self.corrupt(str(error), location) from None
        name = (match[2] or "").strip() or None
        return HashEntry({found: value}, record=number, name=name)


def _is_hash_line(line: str) -> bool:
    match = _LINE.fullmatch(line)
    return match is not None and len(match[1]) in KIND_BY_HEX_LENGTH and is_hex(match[1])
