"""Writes a plain hash list that :class:`~phunt.hashsets.plain.PlainReader` reads back.

One hash per line, the strongest digest an entry has (SHA-256, then SHA-1, then MD5), so a
partner's tool that takes "one hash per line" reads every line; entries known only by PDQ
follow a ``# kind: pdq`` line (PDQ and SHA-256 are both 64 hex digits). Categories have no
place in the format: share them as VICS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from phunt.errors import UsageError
from phunt.hashsets.base import HashEntry
from phunt.hashsets.writers import HashListWriter, register_writer

#: Digests a line may hold, strongest first.
_DIGESTS = ("sha256", "sha1", "md5")


@register_writer
class PlainWriter(HashListWriter):
    """One hash per line, with a comment header saying what the list is."""

    name = "plain"
    suffix = ".txt"

    def _write(
        self, entries: Iterable[HashEntry], out: TextIO, form: str, meta: Mapping[str, Any]
    ) -> int:
        title = str(meta.get("title") or "hash list written by phunt")
        out.write(f"# {' '.join(title.split())}\n")
        count = 0
        pdq_only: list[str] = []
        for entry in entries:
            digest = next((entry.hashes[k] for k in _DIGESTS if k in entry.hashes), None)
            if digest is not None:
                out.write(f"{digest.lower()}\n")
            elif "pdq" in entry.hashes:
                pdq_only.append(entry.hashes["pdq"].lower())
            else:
                raise UsageError(f"record {entry.record}: no hash a plain list can hold")
            count += 1
        if pdq_only:
            out.write("# kind: pdq\n")
            out.writelines(f"{value}\n" for value in pdq_only)
        return count
