from __future__ import annotations

import io

import pytest
from PIL import Image

from phunt.content.mime import extension_mismatch, mime_from_head


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_signature_not_name() -> None:
    assert mime_from_head(_png()) == "image/png"
    assert mime_from_head(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") == "application/pdf"
    assert mime_from_head(b"PK\x05\x06" + b"\x00" * 18) == "application/zip"
    assert mime_from_head(b"hello world\n") == "text/plain"
    assert mime_from_head(b"") == "application/x-empty"


@pytest.mark.parametrize(
    ("name", "mime", "mismatch"),
    [
        ("holiday.jpg", "image/jpeg", False),
        ("HOLIDAY.JPEG", "image/jpeg", False),
        ("notes.txt", "image/jpeg", True),
        ("clip.mp4", "image/png", True),
        ("noext", "image/png", False),
        ("readme.md", "text/plain", False),
        ("x.bin", "application/octet-stream", False),
        ("a.docx", "application/zip", False),
        ("dir.v1/photo", "image/png", False),
    ],
)
def test_extension_mismatch(name: str, mime: str, mismatch: bool) -> None:
    assert extension_mismatch(name, mime) is mismatch
