"""SHA-256: 256 bits, the fingerprint phunt records for every file, source and report."""

from __future__ import annotations

import hashlib

from phunt.hashing.kinds.base import DigestKind, Hasher, register


@register
class Sha256Kind(DigestKind):
    name = "sha256"
    label = "SHA-256"
    description = "SHA-256, 64 hex digits"
    hex_length = 64

    def new_hasher(self) -> Hasher:
        return hashlib.sha256()
