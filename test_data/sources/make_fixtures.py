"""Regenerate the archive fixtures for tests/sources (tiny, benign, some deliberately hostile).

Run from the project root: ``.venv/bin/python test_data/sources/make_fixtures.py``.
Contents are neutral text and made-up bytes; timestamps are fixed so reruns give the
same files (7z and gzip headers aside).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import struct
import tarfile
import zipfile
import zlib

import py7zr

HERE = os.path.dirname(os.path.abspath(__file__))
WHEN = (2024, 3, 1, 12, 0, 0)
NOTE = b"Meeting moved to Thursday.\n"


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, WHEN), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1709294400
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip64_bytes() -> bytes:
    """Zip64 throughout: member extras, zip64 end record and locator (limits lowered)."""
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    _set_zip_limits(8, 1)
    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", allowZip64=True) as archive:
            for name in ("notes.txt", "more/notes.txt"):
                info = zipfile.ZipInfo(name, WHEN)
                with archive.open(info, "w", force_zip64=True) as member:
                    member.write(NOTE)
        return buffer.getvalue()
    finally:
        _set_zip_limits(*saved)


def _bomb_zip() -> bytes:
    """10 MiB of zeros (10 KiB deflated) whose zip64 headers declare 1 TiB: past the
    default budget of bytes expanded at a high ratio, so refused from its header alone.
    A note beside it must still be read."""
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    _set_zip_limits(8, 1)
    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            info = zipfile.ZipInfo("zeros.bin", WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                member.write(bytes(10 << 20))
            archive.writestr(zipfile.ZipInfo("note.txt", WHEN), NOTE, zipfile.ZIP_DEFLATED)
        data = buffer.getvalue()
    finally:
        _set_zip_limits(*saved)
    declared, claimed = struct.pack("<Q", 10 << 20), struct.pack("<Q", 1 << 40)
    assert data.count(declared) == 2  # the zip64 extras of the local and central headers
    return data.replace(declared, claimed)


def _set_zip_limits(size: int, count: int) -> None:
    """zipfile writes zip64 records only past these; lowered to force them on tiny data."""
    setattr(zipfile, "ZIP64_LIMIT", size)  # noqa: B010 - the stubs mark it Final
    setattr(zipfile, "ZIP_FILECOUNT_LIMIT", count)  # noqa: B010


def _write(name: str, data: bytes) -> None:
    with open(os.path.join(HERE, name), "wb") as handle:
        handle.write(data)


class _ZipCrypto:
    """Traditional PKWARE encryption, enough to make a real encrypted member."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = zlib.crc32(bytes([byte]), k0 ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = zlib.crc32(bytes([k1 >> 24]), k2 ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = self.keys[2] | 2
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def _encrypted_zip(name: str, data: bytes, password: bytes) -> bytes:
    crc = zlib.crc32(data)
    payload = _ZipCrypto(password).encrypt(bytes(11) + bytes([crc >> 24]) + data)
    raw_name = name.encode()
    dos_time, dos_date = 0x6000, 0x5861
    local = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        1,
        0,
        dos_time,
        dos_date,
        crc,
        len(payload),
        len(data),
        len(raw_name),
        0,
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        1,
        0,
        dos_time,
        dos_date,
        crc,
        len(payload),
        len(data),
        len(raw_name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + raw_name + payload
    directory = central + raw_name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def _seven_zip(members: dict[str, bytes], password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password) as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def not_compressed() -> None:
    """Files that merely start like a gzip or bzip2 file: plain files, not damaged ones."""
    noise = random.Random(7).randbytes(4096)
    _write("starts_1f8b.bin", b"\x1f\x8b" + noise)
    # A valid gzip header (CM 8, no flags) in front of bytes that are not deflate data.
    _write("gzip_header_then_noise.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + noise)
    _write("starts_bzh.txt", b"BZh9 is the name of a made-up band.\n")


def main() -> None:
    not_compressed()
    inner_zip = _zip_bytes({"inner/note.txt": NOTE})
    inner_tgz = _tar_bytes({"logs/day1.txt": b"Day one.\n", "logs/day2.txt": b"Day two.\n"}, "w:gz")
    phone = {
        "DCIM/Camera/IMG_0001.jpg": b"\xff\xd8\xff\xe0 not a real picture, just bytes",
        "WhatsApp/Media/WhatsApp Images/Sent/IMG-20240301-WA0001.jpg": b"\xff\xd8\xff sent",
        "Telegram/Telegram Images/photo_1.jpg": b"\xff\xd8\xff telegram",
        "Documents/inner.zip": inner_zip,
        "Documents/backup.tar.gz": inner_tgz,
        "Documents/readme.txt": NOTE,
    }
    phone_zip = _zip_bytes(phone)
    _write("phone.zip", phone_zip)
    _write("truncated.zip", phone_zip[: len(phone_zip) // 2])
    _write("zip64.zip", _zip64_bytes())
    _write(
        "traversal.zip", _zip_bytes({"../../evil.txt": b"x\n", "/etc/x": b"y\n", "ok.txt": NOTE})
    )
    _write("bomb.zip", _bomb_zip())
    nested = NOTE
    for level in range(7, 0, -1):
        nested = _zip_bytes({f"level{level}.zip" if level < 7 else "deepest.txt": nested})
    _write("deep.zip", nested)
    _write("encrypted.zip", _encrypted_zip("secret.txt", NOTE, b"invented-password"))

    tar = _tar_bytes({"a.txt": NOTE, "b.txt": NOTE * 40})
    _write("plain.tar", tar)
    _write("truncated.tar", tar[:1200])
    tar_gz = gzip.compress(tar, mtime=0)
    _write("truncated.tar.gz", tar_gz[: len(tar_gz) - 30])
    _write("logs.tar.xz", _tar_bytes({"x/log.txt": NOTE}, "w:xz"))
    _write("logs.tar.bz2", _tar_bytes({"x/log.txt": NOTE}, "w:bz2"))

    _write("note.txt.gz", gzip.compress(NOTE * 10, mtime=0))
    _write("note.txt.bz2", bz2.compress(NOTE * 10))
    _write("note.txt.xz", lzma.compress(NOTE * 10))
    _write("truncated.txt.gz", gzip.compress(NOTE * 200, mtime=0)[:60])

    plain_7z = _seven_zip({"docs/note.txt": NOTE, "docs/other.txt": b"Other.\n"})
    _write("plain.7z", plain_7z)
    _write("encrypted.7z", _seven_zip({"secret.txt": NOTE}, password="invented-password"))
    _write("truncated.7z", plain_7z[:40])


if __name__ == "__main__":
    main()
