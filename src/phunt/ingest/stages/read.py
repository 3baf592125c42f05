"""Read the file once and compute every registered digest kind in that one pass."""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from phunt.hashing.crypto import CHUNK_SIZE, digest_bytes, digest_stream
from phunt.ingest.stages.base import Stage, Work

WHOLE_READ = 32 << 20
"""With PDQ on, a file up to this size is read into memory once: the digests and the
picture decoder share the bytes instead of reading the file twice."""


class ReadStage(Stage):
    """Digests (MD5, SHA-1, SHA-256 and any other registered digest kind) and the head.

    ``whole`` keeps a file up to :data:`WHOLE_READ` in memory for the picture stage.
    """

    name: ClassVar[str] = "read"

    def __init__(self, *, whole: bool) -> None:
        self.whole = whole

    def run(self, work: Work) -> None:
        entry, result = work.entry, work.result
        if entry.error is not None:
            return
        content: bytes | None = None
        try:
            with entry.open() as stream:
                if self.whole and entry.size is not None and entry.size <= WHOLE_READ:
                    content = read_up_to(stream, WHOLE_READ + 1, expected=entry.size)
                if content is not None and len(content) <= WHOLE_READ:
                    digests = digest_bytes(content)
                else:
                    digests = digest_stream(stream, prefix=content or b"")
                    content = None
        except OSError as exc:
            result.error = f"cannot read: {exc.strerror or exc}"
            return
        result.size = digests.size
        result.md5, result.sha1, result.sha256 = digests.md5, digests.sha1, digests.sha256
        result.digests = digests.extra
        work.head, work.content = digests.head, content
        # The content was read; the name still could not be shown exactly, which is an error
        # the examiner must see, tied to this file.
        result.error = entry.name_problem


def read_up_to(stream: BinaryIO, limit: int, *, expected: int) -> bytes:
    """Up to ``limit`` bytes, reading on after short reads: fewer means the end was reached.

    The first request is for the listed size plus one byte, not for ``limit``: asking a
    buffered file for 32 MB allocates (and faults in) 32 MB for a 500 KB photo, which cost
    more than its SHA-1 and SHA-256 together. A file longer than listed is read on in
    chunks, so the listed size only guides the reads and never limits what is hashed.
    """
    parts: list[bytes] = []
    total = 0
    first = min(max(expected, 0) + 1, limit)
    while total < limit:
        want = first - total if total < first else min(CHUNK_SIZE, limit - total)
        chunk = stream.read(want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)
