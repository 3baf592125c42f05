"""Regenerate the fixtures of the expansion limits (tests/sources, tests/cli): a high ratio
that is not a bomb, and out-of-range tar times.

Run from the project root: ``.venv/bin/python test_data/sources/make_limit_fixtures.py``.
Each file is a few KB: 5 MiB of zeros deflates to about 5 KiB.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
WHEN = (2024, 3, 1, 12, 0, 0)
NOTE = b"Meeting moved to Thursday.\n"
ZEROS = bytes(5 << 20)
#: Past year 9999 either way; only a pax header (or base-256) holds them.
FAR_FUTURE = 10**13
FAR_PAST = -(10**13)


def picture() -> bytes:
    """A 64 x 64 colour gradient as PNG: a benign picture for a test hash list."""
    image = Image.new("RGB", (64, 64))
    image.putdata([(x * 4, y * 4, 128) for y in range(64) for x in range(64)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, WHEN), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _tar(members: dict[str, tuple[bytes, int]], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as archive:  # type: ignore[call-overload]
        for name, (data, mtime) in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _write(name: str, data: bytes) -> None:
    with open(os.path.join(HERE, name), "wb") as handle:
        handle.write(data)


def main() -> None:
    _write("picture_and_zeros.zip", _zip({"photo.png": picture(), "zeros.bin": ZEROS}))
    members = {"zeros.bin": (ZEROS, 1709294400), "notes/after.txt": (NOTE, 1709294400)}
    _write("zeros_then_note.tar.gz", gzip.compress(_tar(members, "w"), mtime=0))
    times = {
        "future.txt": (NOTE, FAR_FUTURE),
        "past.txt": (NOTE, FAR_PAST),
        "normal.txt": (NOTE, 1709294400),
    }
    _write("far_times.tar", _tar(times, "w"))
    raw = os.path.join(HERE, "..", "phone_extraction", "phone.raw")
    with open(raw, "rb") as handle:
        _write("phone.raw.gz", gzip.compress(handle.read(), mtime=0))


if __name__ == "__main__":
    main()
