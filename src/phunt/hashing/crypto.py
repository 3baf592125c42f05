"""Every registered digest kind of a stream in one read pass, with the head kept for MIME.

MD5, SHA-1 and SHA-256 are what every hash list and court report quotes; a kind added to
:mod:`phunt.hashing.kinds` is computed in the same pass. Reading once and feeding every
hasher keeps ingest I/O-bound, and a fixed reusable buffer keeps memory flat whatever the
file size. The hashers are hashlib's (or hashlib-style), which release the GIL on large
updates, so the per-kind Python cost is one call per chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from phunt.content.mime import HEAD_SIZE
from phunt.hashing.kinds import DIGEST_LENGTHS, KINDS, DigestKind, Hasher, digest_kinds

CHUNK_SIZE = 1 << 20

CRYPTO_KINDS: Mapping[str, int] = DIGEST_LENGTHS
"""The digest kinds phunt computes, by name, with their hex lengths (live from the registry)."""

_CORE = ("md5", "sha1", "sha256")


@dataclass(frozen=True)
class Digests:
    """Size and digests of one file, plus its first bytes.

    ``extra`` holds the digests of registered kinds beyond the three every report quotes.
    """

    size: int
    md5: str
    sha1: str
    sha256: str
    head: bytes
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, str]:
        """The digests keyed by kind name, as hash lists name them."""
        return {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256} | self.extra


_extras: tuple[int, tuple[DigestKind, ...]] = (-1, ())


def _extra_kinds() -> tuple[DigestKind, ...]:
    """Registered digest kinds beyond the three hashlib computes directly (the fast path:
    their kinds' hashers are the same hashlib objects, without a call per kind)."""
    global _extras
    if _extras[0] != KINDS.changes:
        _extras = (KINDS.changes, tuple(k for k in digest_kinds() if k.name not in _CORE))
    return _extras[1]


def _extra_hashers(prefix: bytes) -> list[tuple[str, Hasher]]:
    out = []
    for kind in _extra_kinds():
        hasher = kind.new_hasher()
        if prefix:
            hasher.update(prefix)
        out.append((kind.name, hasher))
    return out


def digest_bytes(data: bytes) -> Digests:
    """The digests of content already in memory (a small file read whole)."""
    md5 = hashlib.md5(data, usedforsecurity=False)
    sha1 = hashlib.sha1(data, usedforsecurity=False)
    sha256 = hashlib.sha256(data)
    extra = {name: hasher.hexdigest() for name, hasher in _extra_hashers(data)}
    return Digests(
        len(data), md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), data[:HEAD_SIZE], extra
    )


def digest_stream(
    stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, prefix: bytes = b""
) -> Digests:
    """Hash ``prefix`` (bytes the caller already read) then ``stream`` to its end.

    Raises ``OSError`` from the underlying read; the caller turns it into a per-file error.
    """
    md5 = hashlib.md5(prefix, usedforsecurity=False)
    sha1 = hashlib.sha1(prefix, usedforsecurity=False)
    sha256 = hashlib.sha256(prefix)
    extras = _extra_hashers(prefix)
    updates = [md5.update, sha1.update, sha256.update, *(h.update for _name, h in extras)]
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    head = prefix[:HEAD_SIZE]
    size = len(prefix)
    readinto = getattr(stream, "readinto", None)
    while True:
        if readinto is not None:
            n = readinto(view)
            if not n:
                break
            chunk = view[:n]
        else:
            data = stream.read(chunk_size)
            if not data:
                break
            n = len(data)
            chunk = memoryview(data)
        if len(head) < HEAD_SIZE:
            head += bytes(chunk[: HEAD_SIZE - len(head)])
        for update in updates:
            update(chunk)
        size += n
    extra = {name: hasher.hexdigest() for name, hasher in extras}
    return Digests(size, md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), head, extra)


def digest_file(path: str, *, chunk_size: int = CHUNK_SIZE) -> Digests:
    """Hash the file at ``path`` (opened read-only)."""
    with open(path, "rb", buffering=0) as fh:
        return digest_stream(fh, chunk_size=chunk_size)


def sha256_stream(stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> str:
    """SHA-256 of ``stream`` from its position to its end (a parsed file's fingerprint)."""
    digest = hashlib.sha256()
    while chunk := stream.read(chunk_size):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: str) -> str:
    """SHA-256 of a file: the fingerprint recorded for every source and every report."""
    with open(path, "rb", buffering=0) as fh:
        return sha256_stream(fh)
