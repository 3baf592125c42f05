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

from phunt.hashsets.base import HashEntry, PatternLineReader, normalise_hash

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


class BsdTagReader(PatternLineReader):
    """``ALGO (file name) = hex`` lines; ``#`` comments and blank lines skipped."""

    name = "bsd-tag"
    default_kind = "known-bad"
    line_pattern = _LINE
    line_shape = "an 'ALGO (name) = hash'"

    def _line_entry(self, match: re.Match[str], number: int, where: str) -> HashEntry:
        kind = _kind(match["algo"])
        try:
            value = normalise_hash(kind, match["hash"])
        except ValueError as error:
            raise self.corrupt(f"{match['algo']}: {error}", where) from None
        name = _unescape(match["name"]) if match["escaped"] else match["name"]
        return HashEntry({kind: value}, None, number, name or None)
