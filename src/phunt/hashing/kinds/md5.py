"""MD5: 128 bits, what most older hash lists and court reports quote."""

from __future__ import annotations

import hashlib

from phunt.hashing.kinds.base import DigestKind, Hasher, register


@register
class Md5Kind(DigestKind):
    name = "md5"
    label = "MD5"
    description = "MD5, 32 hex digits"
    hex_length = 32

    def new_hasher(self) -> Hasher:
        return hashlib.md5(usedforsecurity=False)
