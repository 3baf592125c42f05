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
from phunt.hashing.kinds import DIGEST_LENGTHS, Hasher, digest_kinds

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


def _hashers(prefix: bytes) -> list[tuple[str, Hasher]]:
    out: list[tuple[str, Hasher]] = []
    for kind in digest_kinds():
        hasher = kind.new_hasher()
        if prefix:
            hasher.update(prefix)
        out.append((kind.name, hasher))
    return out


def _finish(size: int, hashers: list[tuple[str, Hasher]], head: bytes) -> Digests:
    hexes = {name: hasher.hexdigest() for name, hasher in hashers}
    core = [hexes.pop(name) for name in _CORE]
    return Digests(size, core[0], core[1], core[2], head, hexes)


def digest_bytes(data: bytes) -> Digests:
    """The digests of content already in memory (a small file read whole)."""
    hashers = _hashers(data)
    return _finish(len(data), hashers, data[:HEAD_SIZE])


def digest_stream(
    stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, prefix: bytes = b""
) -> Digests:
    """Hash ``prefix`` (bytes the caller already read) then ``stream`` to its end.

    Raises ``OSError`` from the underlying read; the caller turns it into a per-file error.
    """
    hashers = _hashers(prefix)
    updates = [hasher.update for _name, hasher in hashers]
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
    return _finish(size, hashers, head)


def digest_file(path: str, *, chunk_size: int = CHUNK_SIZE) -> Digests:
    """Hash the file at ``path`` (opened read-only)."""
    with open(path, "rb", buffering=0) as fh:
        return digest_stream(fh, chunk_size=chunk_size)


def sha256_file(path: str) -> str:
    """SHA-256 of a file: the fingerprint recorded for every source and every report."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
