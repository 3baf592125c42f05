"""Pictures: PDQ (with the EXIF read from the same open header), and EXIF on its own.

PDQ runs on a closed list of picture types: libmagic's looser image signatures (TGA,
PCX ...) also fire on random data, and decoding such a file wastes memory on noise.
"""

from __future__ import annotations

import io
from typing import ClassVar

from phunt.content.exif import read_exif
from phunt.errors import CorruptInput, WrongFormat
from phunt.ingest.stages.base import Stage, Work

#: Picture types PDQ hashes.
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


class PdqStage(Stage):
    """PDQ of a picture (``mode`` "default" or "fast"); a picture the decoder refuses is a
    warning, a damaged one or one too large to decode an error of the file."""

    name: ClassVar[str] = "pdq"

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def run(self, work: Work) -> None:
        if not work.read or work.result.mime not in PDQ_MIME_TYPES:
            return
        from phunt.hashing.image_decode import PictureTooLarge, decode
        from phunt.hashing.pdq import check_mode, hash_decoded

        check_mode(self.mode)
        entry, result, fast = work.entry, work.result, self.mode == "fast"
        try:
            if work.content is not None:
                decoded = decode(io.BytesIO(work.content), fast=fast, exif=True)
            else:  # opened by phunt (O_NOATIME), never by Pillow from its path
                with entry.open() as stream:
                    decoded = decode(stream, fast=fast, exif=True)
            result.exif = decoded.exif
            result.pdq = hash_decoded(decoded)
        except PictureTooLarge as exc:
            result.error = f"no PDQ: {exc.message}"
        except CorruptInput as exc:
            result.error = f"corrupt image: {exc.message}"
        except WrongFormat as exc:
            result.warnings.append(f"no PDQ: {exc.message}")
        except OSError as exc:
            result.error = f"cannot read: {exc.strerror or exc}"


class ExifStage(Stage):
    """A picture's EXIF when the PDQ decode did not get as far as its header.

    A damaged picture can still have a readable header, and a case needs its camera and
    place more than its pixels.
    """

    name: ClassVar[str] = "exif"

    def run(self, work: Work) -> None:
        result = work.result
        if result.exif is not None:
            work.exif = result.exif
            return
        work.exif = {}
        if not work.read or result.mime not in PDQ_MIME_TYPES:
            return
        entry = work.entry
        try:
            with entry.open() as fh:  # O_NOATIME for a plain file
                work.exif = read_exif(fh)
        except OSError:
            work.exif = {}
