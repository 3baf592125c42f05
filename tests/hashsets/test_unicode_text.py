"""UTF-16/32 lists with a byte-order mark reach the readers as UTF-8."""

from __future__ import annotations

import codecs
import io

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.unicode_text import (
    bom_encoding,
    looks_like_bomless_utf16,
    utf8_head,
    utf8_stream,
)

TEXT = "md5,name\nd41d8cd98f00b204e9800998ecf8427e,café.png\n"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_each_byte_order_mark_is_transcoded(bom: bytes, encoding: str) -> None:
    data = bom + TEXT.encode(encoding)
    assert bom_encoding(data) == (encoding, len(bom))
    assert utf8_head(data, whole=True) == TEXT.encode()
    # A head cut short keeps only complete lines, as a probe must judge.
    assert utf8_head(data[: len(bom) + 20 * len("x".encode(encoding))], whole=False) == (
        b"md5,name\n"
    )
    stream = utf8_stream(io.BytesIO(data), "list.csv")
    assert list(stream) == [line.encode() for line in TEXT.splitlines(keepends=True)]


def test_utf8_and_binary_pass_through_untouched() -> None:
    raw = io.BytesIO(b"\xef\xbb\xbf" + TEXT.encode())
    assert utf8_stream(raw, "list.csv") is raw and raw.tell() == 0
    assert utf8_head(b"SQLite format 3\x00", whole=False) == b"SQLite format 3\x00"
    assert bom_encoding(b"\xff") is None


def test_long_streams_transcode_across_chunks() -> None:
    text = "".join(f"{n:032x}\n" for n in range(10_000))  # 330 KB: several chunks
    stream = utf8_stream(io.BytesIO(codecs.BOM_UTF16_BE + text.encode("utf-16-be")), "x")
    assert stream.read() == text.encode()


def test_undecodable_bytes_after_the_mark_name_the_byte() -> None:
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xdc"  # lone low surrogate
    with pytest.raises(CorruptInput, match=r"list.csv:byte 7: not UTF-16-LE text"):
        utf8_stream(io.BytesIO(data), "list.csv").read()


def test_utf16_without_a_mark_is_recognised_for_the_hint() -> None:
    assert looks_like_bomless_utf16(TEXT.encode("utf-16-le"))
    assert looks_like_bomless_utf16(TEXT.encode("utf-16-be"))
    assert not looks_like_bomless_utf16(TEXT.encode())
    assert not looks_like_bomless_utf16(b"\0\0")
