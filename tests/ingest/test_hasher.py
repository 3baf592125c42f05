from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pdqhash
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from phunt.hashing import pdq
from phunt.ingest.hasher import hash_entry
from phunt.sources.base import Entry
from phunt.sources.locator import Locator
from test_lib import StreamEntry, Trickle


def test_hashes_mime_and_mismatch(tmp_path: Path) -> None:
    p = tmp_path / "photo.txt"
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nrest")
    r = hash_entry(Entry(path=str(p), locator=Locator(str(p))))
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

    r = hash_entry(StreamEntry(path="phone.zip!/a.jpg", stream=boom))
    assert r.error == "cannot read: Permission denied" and r.md5 is None


def test_opener_streams_and_flags_are_carried() -> None:
    e = StreamEntry(
        path="disk.E01!/p1/a.bin",
        deleted=True,
        warnings=["slack"],
        stream=lambda: io.BytesIO(b"abc"),
    )
    r = hash_entry(e)
    out = r.as_json()
    assert out["deleted"] is True and out["warning"] == "slack"
    assert out["md5"] == hashlib.md5(b"abc").hexdigest()


def _jpeg(path: Path) -> bytes:
    Image.radial_gradient("L").convert("RGB").save(path, "JPEG", quality=90)
    return path.read_bytes()


def _hex(bits: np.ndarray) -> str:
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


def test_pictures_get_pdq_in_the_requested_mode(tmp_path: Path) -> None:
    """The hash, quality and dihedral variants are Meta's, computed here by threatexchange
    and pdqhash (the C++ reference) from the same file, not by phunt."""
    p = tmp_path / "g.jpg"
    _jpeg(p)
    expected_hex, expected_quality = pdq_from_file(p)
    with Image.open(p) as image:
        rgb = np.ascontiguousarray(image.convert("RGB"))
    dihedral, _ = pdqhash.compute_dihedral(rgb)
    r = hash_entry(Entry(path=str(p), locator=Locator(str(p))))
    out = r.as_json()
    assert (out["pdq"], out["pdq_quality"], out["pdq_mode"]) == (
        expected_hex,
        expected_quality,
        "default",
    )
    assert r.pdq_variants() == list(zip(pdq.DIHEDRAL_NAMES, map(_hex, dihedral), strict=True))
    fast = hash_entry(Entry(path=str(p), locator=Locator(str(p))), pdq_mode="fast").as_json()
    # A grey picture: the JPEG's own luma plane is its luminance, so even fast mode lands on
    # the reference hash here; the mode must still say "fast".
    assert (fast["pdq"], fast["pdq_mode"]) == (expected_hex, "fast")
    assert hash_entry(Entry(path=str(p), locator=Locator(str(p))), pdq_mode=None).pdq is None


def test_truncated_picture_keeps_digests_and_reports_error(tmp_path: Path) -> None:
    data = _jpeg(tmp_path / "full.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    r = hash_entry(Entry(path=str(cut), locator=Locator(str(cut))))
    assert r.sha256 == hashlib.sha256(data[: len(data) // 2]).hexdigest()
    assert r.error is not None and r.error.startswith("corrupt image:")
    assert r.pdq is None


def test_picture_inside_a_container_is_hashed_from_its_stream(tmp_path: Path) -> None:
    data = _jpeg(tmp_path / "g.jpg")
    r = hash_entry(StreamEntry(path="phone.zip!/DCIM/g.jpg", stream=lambda: io.BytesIO(data)))
    direct = hash_entry(
        Entry(path=str(tmp_path / "g.jpg"), locator=Locator(str(tmp_path / "g.jpg")))
    )
    assert r.pdq is not None and direct.pdq is not None
    assert r.pdq.hash.hex == direct.pdq.hash.hex


def test_whole_file_read_survives_short_reads_and_a_wrong_listed_size(tmp_path: Path) -> None:
    """With PDQ on, small files are read once into memory; a short read or a size that the
    listing got wrong must still give the digests of every byte."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.radial_gradient("L").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    expected = hashlib.sha256(data).hexdigest()
    for listed in (len(data), 10, None):
        entry = StreamEntry(path="x.zip!/a.jpg", size=listed, stream=lambda: Trickle(data))
        result = hash_entry(entry, pdq_mode="default")
        assert result.sha256 == expected and result.size == len(data), listed
        assert result.pdq is not None and result.error is None, listed


class _Recording(io.BytesIO):
    """A stream that remembers how many bytes each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(size)
        return super().read(size)


def test_whole_file_read_asks_for_the_listed_size_and_reads_on_past_it() -> None:
    """The first read asks for the listed size plus one byte (not the 32 MB limit, whose
    buffer cost more than two digests); a listing that is too long or too short changes
    nothing about what is hashed."""
    data = bytes(range(256)) * 40
    expected = hashlib.sha256(data).hexdigest()
    for listed in (len(data), len(data) * 10, 100, 0):
        stream = _Recording(data)
        entry = StreamEntry(path="x.zip!/a.bin", size=listed, stream=lambda s=stream: s)
        result = hash_entry(entry, pdq_mode="default")
        assert result.sha256 == expected and result.size == len(data), listed
        assert stream.asked[0] == listed + 1, (listed, stream.asked)
