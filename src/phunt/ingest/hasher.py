"""The per-file work of triage: one read for the digests, then type and PDQ for pictures.

Kept free of any database or terminal code so the same function runs in a local process
pool, on a Dask worker, and under ``phunt hash`` on a laptop at a raid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from phunt.content.mime import extension_mismatch, mime_from_head
from phunt.errors import CorruptInput, WrongFormat
from phunt.hashing.crypto import CHUNK_SIZE, digest_bytes, digest_stream
from phunt.sources.base import Entry, FileTimes

if TYPE_CHECKING:
    from phunt.hashing.pdq import PdqResult
    from phunt.hashing.vpdq import VpdqResult

WHOLE_READ = 32 << 20
"""With PDQ on, a file up to this size is read into memory once: the digests and the
picture decoder share the bytes instead of reading the file twice."""

#: Picture types PDQ hashes. A closed list on purpose: libmagic's looser image signatures
#: (TGA, PCX ...) also fire on random data, and decoding such a file wastes memory on noise.
PDQ_MIME_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/x-ms-bmp",
        "image/tiff",
        "image/heic",
        "image/heif",
        "image/avif",
    }
)
#: Video types vPDQ hashes (what phones and messaging apps save).
VIDEO_MIME_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/3gpp",
        "video/3gpp2",
        "video/x-m4v",
        "video/webm",
        "video/x-matroska",
        "video/x-msvideo",
        "video/mpeg",
        "video/x-flv",
    }
)


@dataclass
class FileResult:
    """What triage learnt about one entry; ``error`` set means something went wrong."""

    path: str
    size: int | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    mime: str | None = None
    extension_mismatch: bool = False
    deleted: bool = False
    times: FileTimes = field(default_factory=FileTimes)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    pdq: PdqResult | None = None
    video: VpdqResult | None = None
    exif: dict[str, Any] | None = None
    """EXIF facts read while the picture was open for PDQ (None: not read)."""

    def hashes(self) -> dict[str, str]:
        """The digests that were computed, keyed by kind."""
        found = {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256}
        return {k: v for k, v in found.items() if v is not None}

    def pdq_variants(self) -> list[tuple[str, str]]:
        """PDQ hashes to query with: the dihedral variants, and those inside a border."""
        if self.pdq is None:
            return []
        out = list(self.pdq.variants.items())
        if self.pdq.unbordered is not None:
            out += [(f"trimmed-{k}", v) for k, v in self.pdq.unbordered.variants.items()]
        return out

    def video_facts(self) -> dict[str, Any]:
        """Duration, resolution, codec and frame rate of a hashed video."""
        if self.video is None:
            return {}
        v = self.video
        facts: dict[str, Any] = {
            "duration": v.duration,
            "width": v.width,
            "height": v.height,
            "codec": v.codec,
            "fps": v.fps,
        }
        if v.error is not None:
            facts["decode_error"] = v.error
        return facts

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines record of ``phunt hash --json``."""
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "md5": self.md5,
            "sha1": self.sha1,
            "sha256": self.sha256,
            "mime": self.mime,
            "pdq": None if self.pdq is None else self.pdq.hash.hex,
            "pdq_quality": None if self.pdq is None else self.pdq.hash.quality,
            "error": self.error,
        }
        if self.pdq is not None:
            out["pdq_mode"] = self.pdq.hash.mode
        if self.video is not None:
            v = self.video
            out["vpdq"] = [
                {"frame": f.frame, "quality": f.quality, "pdq": f.pdq, "timestamp": f.timestamp}
                for f in v.frames
            ]
            out["video"] = self.video_facts()
        if self.deleted:
            out["deleted"] = True
        if self.extension_mismatch:
            out["extension_mismatch"] = True
        if self.warnings:
            out["warning"] = "; ".join(self.warnings)
        return out


def hash_entry(
    entry: Entry, *, pdq_mode: str | None = "default", video: bool | None = None
) -> FileResult:
    """Hash one entry; problems become the result's ``error``, never an exception.

    ``pdq_mode`` is "default" (bit-identical to the reference), "fast", or None to skip
    perceptual hashing; ``video`` (default: whenever PDQ is on) adds vPDQ for videos.
    """
    result = FileResult(
        path=entry.path,
        size=entry.size,
        deleted=entry.deleted,
        times=entry.times,
        error=entry.error,
        warnings=list(entry.warnings),
    )
    if entry.error is not None:
        return result
    content: bytes | None = None
    try:
        with entry.open() as stream:
            if pdq_mode is not None and entry.size is not None and entry.size <= WHOLE_READ:
                content = read_up_to(stream, WHOLE_READ + 1, expected=entry.size)
            if content is not None and len(content) <= WHOLE_READ:
                digests = digest_bytes(content)
            else:
                digests = digest_stream(stream, prefix=content or b"")
                content = None
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result
    result.size = digests.size
    result.md5, result.sha1, result.sha256 = digests.md5, digests.sha1, digests.sha256
    result.mime = mime_from_head(digests.head)
    result.extension_mismatch = extension_mismatch(entry.path, result.mime)
    # The content was read; the name still could not be shown exactly, which is an error
    # the examiner must see, tied to this file.
    result.error = entry.name_problem
    if pdq_mode is not None and result.mime in PDQ_MIME_TYPES:
        _add_pdq(entry, result, pdq_mode, content)
    if (video if video is not None else pdq_mode is not None) and result.mime in VIDEO_MIME_TYPES:
        _add_vpdq(entry, result)
    return result


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


def _add_vpdq(entry: Entry, result: FileResult) -> None:
    from phunt.hashing.vpdq import hash_video

    try:
        if entry.local_path is not None:
            result.video = hash_video(entry.local_path, threads=1)
        else:
            with entry.open() as stream:
                result.video = hash_video(stream, threads=1)
    except CorruptInput as exc:
        result.error = f"corrupt video: {exc.message}"
        return
    except WrongFormat as exc:
        result.warnings.append(f"no vPDQ: {exc.message}")
        return
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return
    if result.video.error is not None:
        # Frames decoded before the fault are kept and matched; the fault is still an error.
        result.error = f"video decoding stopped early: {result.video.error}"


def _add_pdq(entry: Entry, result: FileResult, mode: str, content: bytes | None) -> None:
    from phunt.hashing.image_decode import decode
    from phunt.hashing.pdq import check_mode, hash_decoded

    check_mode(mode)
    try:
        if content is not None:
            decoded = decode(io.BytesIO(content), fast=mode == "fast", exif=True)
        elif entry.local_path is not None:
            decoded = decode(entry.local_path, fast=mode == "fast", exif=True)
        else:
            with entry.open() as stream:
                decoded = decode(stream, fast=mode == "fast", exif=True)
        result.exif = decoded.exif
        result.pdq = hash_decoded(decoded)
    except CorruptInput as exc:
        result.error = f"corrupt image: {exc.message}"
    except WrongFormat as exc:
        result.warnings.append(f"no PDQ: {exc.message}")
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
