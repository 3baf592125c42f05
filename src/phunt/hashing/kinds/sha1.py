"""SHA-1: 160 bits, the key of NSRL and of many Project VIC lists."""

from __future__ import annotations

import hashlib

from phunt.hashing.kinds.base import DigestKind, Hasher, register


@register
class Sha1Kind(DigestKind):
    name = "sha1"
    label = "SHA-1"
    description = "SHA-1, 40 hex digits"
    hex_length = 40

    def new_hasher(self) -> Hasher:
        return hashlib.sha1(usedforsecurity=False)
