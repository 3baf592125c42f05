"""Videos: vPDQ of the sampled frames, with duration, resolution and codec."""

from __future__ import annotations

from typing import ClassVar

from phunt.errors import CorruptInput, WrongFormat
from phunt.ingest.stages.base import Stage, Work

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


class VpdqStage(Stage):
    """vPDQ of a video; frames decoded before a fault are kept, the fault is an error."""

    name: ClassVar[str] = "vpdq"

    def run(self, work: Work) -> None:
        if not work.read or work.result.mime not in VIDEO_MIME_TYPES:
            return
        from phunt.hashing.vpdq import hash_video
        from phunt.spool import seekable

        entry, result = work.entry, work.result
        try:
            # Opened by phunt (O_NOATIME for a plain file), never by PyAV from its path,
            # which would move the evidence's access time. vPDQ reads the file twice: a
            # member of a zip (which reads forwards only) is hashed from a private copy.
            with seekable(entry.open()) as stream:
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
            result.error = f"video decoding stopped early: {result.video.error}"
