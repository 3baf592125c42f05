"""Hash lists saved as UTF-16 or UTF-32 (Windows tools write them) are read as UTF-8.

Every text reader parses UTF-8, so a list that starts with a UTF-16 or UTF-32 byte-order
mark is transcoded on the way in: its head for detection, its stream for reading. The
file's own bytes are untouched, so its SHA-256 fingerprint is that of the file as given.
Without a byte-order mark the encoding is not guessed; detection says what to do instead.
"""

from __future__ import annotations

import codecs
import io
from typing import Any, BinaryIO, cast

from phunt.errors import CorruptInput

#: Byte-order marks, longest first: UTF-32-LE's starts with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHUNK = 64 * 1024


def bom_encoding(head: bytes) -> tuple[str, int] | None:
    """``(encoding, BOM length)`` when ``head`` starts with a UTF-16 or UTF-32 BOM."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None


def utf8_head(head: bytes, *, whole: bool) -> bytes:
    """``head`` as UTF-8 when it carries a UTF-16/32 BOM (else unchanged). Unless ``whole``
    (the head is the entire file), the text is cut after its last complete line."""
    found = bom_encoding(head)
    if found is None:
        return head
    encoding, skip = found
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head[skip:], final=whole)
    if not whole:
        text = text[: text.rfind("\n") + 1]
    return text.encode("utf-8")


def looks_like_bomless_utf16(head: bytes) -> bool:
    """Mostly ASCII text with a zero byte beside every character: UTF-16 without a BOM."""
    sample = head[:4096]
    if len(sample) < 8:
        return False
    return sample[0::2].count(0) > len(sample) * 0.4 or sample[1::2].count(0) > len(sample) * 0.4


class _Transcoder(io.RawIOBase):
    """UTF-8 bytes of a UTF-16/32 stream, decoded in chunks as it is read."""

    def __init__(self, stream: BinaryIO, encoding: str, name: str, offset: int) -> None:
        super().__init__()
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._encoding = encoding
        self._name = name
        self._pending = b""
        self._offset = offset  # of the next byte read, in the file: errors name it
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._ended:
            data = self._stream.read(_CHUNK)
            self._ended = not data
            try:
                text = self._decoder.decode(data, final=self._ended)
            except UnicodeDecodeError as error:
                where = f"byte {self._offset + error.start + 1}"
                raise CorruptInput(
                    f"not {self._encoding.upper()} text although it starts with that "
                    "byte-order mark",
                    path=self._name,
                    location=where,
                ) from None
            self._offset += len(data)
            self._pending = text.encode("utf-8")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def utf8_stream(stream: BinaryIO, name: str) -> BinaryIO:
    """``stream`` (seekable, at its start) itself, or its UTF-8 transcoding when it starts
    with a UTF-16/32 byte-order mark (the mark itself dropped)."""
    head = stream.read(4)
    found = bom_encoding(head)
    if found is None:
        stream.seek(0)
        return stream
    encoding, skip = found
    stream.seek(skip)
    raw = _Transcoder(stream, encoding, name, skip)
    return cast(BinaryIO, io.BufferedReader(raw, buffer_size=_CHUNK))
