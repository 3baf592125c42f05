"""MD5, SHA-1 and SHA-256 of a stream in one read pass, with the head kept for MIME.

The three digests are what every hash list and court report quotes. Reading once and
feeding all three keeps ingest I/O-bound, and a fixed reusable buffer keeps memory flat
whatever the file size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from phunt.content.mime import HEAD_SIZE

CHUNK_SIZE = 1 << 20

#: The cryptographic hash kinds phunt computes, by name, with their hex lengths.
CRYPTO_KINDS: dict[str, int] = {"md5": 32, "sha1": 40, "sha256": 64}


@dataclass(frozen=True)
class Digests:
    """Size and cryptographic digests of one file, plus its first bytes."""

    size: int
    md5: str
    sha1: str
    sha256: str
    head: bytes

    def as_dict(self) -> dict[str, str]:
        """The digests keyed by kind name, as hash lists name them."""
        return {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256}


def digest_bytes(data: bytes) -> Digests:
    """The digests of content already in memory (a small file read whole)."""
    md5 = hashlib.md5(data, usedforsecurity=False)
    sha1 = hashlib.sha1(data, usedforsecurity=False)
    sha256 = hashlib.sha256(data)
    return Digests(
        len(data), md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), data[:HEAD_SIZE]
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
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
        size += n
    return Digests(size, md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), head)


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
