from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import BinaryIO

from phunt.ingest.hasher import hash_entry
from phunt.sources.base import Entry


def test_hashes_mime_and_mismatch(tmp_path: Path) -> None:
    p = tmp_path / "photo.txt"
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nrest")
    r = hash_entry(Entry(path=str(p), local_path=str(p)))
    assert r.mime == "application/pdf" and r.extension_mismatch
    assert r.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert r.as_json()["extension_mismatch"] is True
    assert r.hashes().keys() == {"md5", "sha1", "sha256"}


def test_skipped_entry_is_not_read() -> None:
    r = hash_entry(Entry(path="x", error="skipped: a socket, not a regular file"))
    assert r.md5 is None and r.error == "skipped: a socket, not a regular file"
    assert r.hashes() == {}


def test_read_error_becomes_the_error() -> None:
    def boom() -> BinaryIO:
        raise PermissionError(13, "Permission denied")

    r = hash_entry(Entry(path="phone.zip!/a.jpg", opener=boom))
    assert r.error == "cannot read: Permission denied" and r.md5 is None


def test_opener_streams_and_flags_are_carried() -> None:
    e = Entry(
        path="disk.E01!/p1/a.bin",
        deleted=True,
        warnings=["slack"],
        opener=lambda: io.BytesIO(b"abc"),
    )
    r = hash_entry(e)
    out = r.as_json()
    assert out["deleted"] is True and out["warning"] == "slack"
    assert out["md5"] == hashlib.md5(b"abc").hexdigest()
