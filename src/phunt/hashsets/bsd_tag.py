"""BSD-style tagged checksum lines: ``MD5 (name) = hash``.

Written by BSD ``md5``/``sha256``, by GNU ``md5sum --tag``/``sha256sum --tag`` (which
starts a line with a backslash when it escaped one, or a newline, in the name) and by
OpenSSL's ``dgst`` (``SHA2-256(name)= hash``). The algorithm is named on every line, so a
file may mix kinds (``SHA256 (a) = ...`` after ``MD5 (a) = ...``). The name sits between
the first ``(`` and the last ``) =``, so names holding parentheses are kept whole. Lines
of a kind phunt does not match (``SHA512``, ``BLAKE2b``) are kept under that kind and never
matched, as any list's unknown kinds are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, normalise_hash

_LINE = re.compile(
    r"(?P<escaped>\\)?(?P<algo>[A-Za-z0-9-]+) ?\((?P<name>.*)\) ?= (?P<hash>[0-9A-Fa-f]+)\s*"
)
#: The tags tools write, by phunt's kind name (``SHA-256`` from some BSDs, ``SHA2-256``
#: from OpenSSL).
_KINDS = {
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "sha-1": "sha1",
    "sha-256": "sha256",
    "sha2-256": "sha256",
}


def _unescape(name: str) -> str:
    """GNU's escaped name (a line starting ``\\``): ``\\n`` is a newline, ``\\\\`` a backslash."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], name)


def _kind(tag: str) -> str:
    text = tag.lower()
    return _KINDS.get(text, text.replace("-", ""))


class BsdTagReader(HashListReader):
    """``ALGO (file name) = hex`` lines; ``#`` comments and blank lines skipped."""

    name = "bsd-tag"
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
            match = _LINE.fullmatch(line)
            if match is None:
                raise self.corrupt(
                    f"not an 'ALGO (name) = hash' line: {line[:80]!r}", f"line {number}"
                )
            kind = _kind(match["algo"])
            try:
                value = normalise_hash(kind, match["hash"])
            except ValueError as error:
                raise self.corrupt(f"{match['algo']}: {error}", f"line {number}") from None
            count += 1
            name = _unescape(match["name"]) if match["escaped"] else match["name"]
            yield HashEntry({kind: value}, None, number, name or None)
        self._metadata["records"] = count
