"""A toy hash kind in one file: CRC-32 of the content, as 8 hex digits.

Importing this module registers it; :func:`phunt.hashing.kinds.KINDS.unregister` removes
it again. Nothing else in phunt names it: the tests show it works through ``hash``,
``hashset import``, ``scan`` and ``ingest`` from this file alone.
"""

from __future__ import annotations

import zlib

from phunt.hashing.kinds import DigestKind, Hasher, register


class _Crc32:
    """A hashlib-style CRC-32."""

    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes | memoryview, /) -> None:
        self._value = zlib.crc32(data, self._value)

    def hexdigest(self) -> str:
        return f"{self._value:08x}"


@register
class Crc32Kind(DigestKind):
    name = "crc32"
    description = "CRC-32 (a toy kind for tests), 8 hex digits"
    hex_length = 8

    def new_hasher(self) -> Hasher:
        return _Crc32()
