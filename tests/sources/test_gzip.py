"""Lone compressed files: one decompressed member, sized, truncation and bombs recorded."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pytest

from phunt.sources.base import Entry
from phunt.sources.expand import detect_source
from phunt.sources.gzip import CompressedFileSource
from phunt.sources.limits import ExpandLimits

DATA = Path(__file__).resolve().parents[2] / "test_data" / "sources"


def _entries(path: Path, **kwargs: object) -> list[Entry]:
    with CompressedFileSource(str(path), display=path.name, **kwargs) as source:  # type: ignore[arg-type]
        return list(source.entries())


@pytest.mark.parametrize("name", ["note.txt.gz", "note.txt.bz2", "note.txt.xz"])
def test_single_member_named_without_suffix(name: str) -> None:
    [entry] = _entries(DATA / name)
    assert entry.path == f"{name}!/note.txt"
    assert entry.size == 270
    assert entry.error is None
    with entry.open() as stream:
        assert stream.read() == b"Meeting moved to Thursday.\n" * 10


def test_truncated_stream_recorded() -> None:
    [entry] = _entries(DATA / "truncated.txt.gz")
    assert entry.path == "truncated.txt.gz!/truncated.txt"
    assert entry.error is not None and "damaged or truncated" in entry.error
    assert entry.locator is None


def test_bomb_stopped_by_the_high_ratio_budget(tmp_path: Path) -> None:
    path = tmp_path / "zeros.bin.gz"
    path.write_bytes(gzip.compress(bytes(4 << 20)))
    [entry] = _entries(path, limits=ExpandLimits(max_high_ratio_bytes=2 << 20))
    assert entry.path == "zeros.bin.gz!/zeros.bin"
    assert entry.locator is None
    assert (entry.error or "").startswith("stopped past 2097152 bytes: expansion limit: ")
    assert "possible archive bomb" in (entry.error or "")
    assert "budget of 2 MiB expanded at a ratio over 100" in (entry.error or "")
    assert (entry.error or "").endswith("(raise with --max-high-ratio)")


def test_a_high_ratio_within_the_budget_is_read(tmp_path: Path) -> None:
    """4 MiB of zeros from 4 KiB (ratio 1000) is not a bomb when the budget has room."""
    path = tmp_path / "zeros.bin.gz"
    path.write_bytes(gzip.compress(bytes(4 << 20)))
    [entry] = _entries(path)
    assert entry.error is None and entry.size == 4 << 20
    with entry.open() as stream:
        assert stream.read() == bytes(4 << 20)


def test_gzipped_disk_image_is_read_whole() -> None:
    """A 2 MiB raw image that gzips to 7 KB (ratio 300) reads back whole: the walk
    counted its size and the key carries it, so the reader is bounded by that size."""
    [entry] = _entries(DATA / "phone.raw.gz")
    raw = DATA.parent / "phone_extraction" / "phone.raw"
    assert entry.error is None and entry.size == raw.stat().st_size
    assert entry.locator is not None and entry.locator.hops[-1].key == f"phone.raw#{entry.size}"
    with entry.open() as stream:
        assert stream.read() == raw.read_bytes()


def test_an_old_key_without_the_size_is_bounded_by_the_ratio() -> None:
    source = CompressedFileSource(str(DATA / "note.txt.gz"))
    with source, source.open_member("note.txt") as stream:
        assert stream.read() == b"Meeting moved to Thursday.\n" * 10


def test_total_budget_applies(tmp_path: Path) -> None:
    [entry] = _entries(DATA / "note.txt.gz", limits=ExpandLimits(max_expanded_bytes=100))
    assert entry.locator is None
    assert entry.error == (
        "stopped past 100 bytes: expansion limit: 101 bytes would pass this source's budget "
        "of 100 bytes expanded (0 bytes used); not read (raise with --max-expanded)"
    )


@pytest.mark.parametrize(
    ("display", "member"),
    [("a.tgz", "a.tar"), ("x/b.TXZ", "b.tar"), ("dump", "dump.decompressed"), ("c.gz", "c")],
)
def test_member_names(tmp_path: Path, display: str, member: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(gzip.compress(b"data"))
    with CompressedFileSource(str(path), display=display) as source:
        [entry] = list(source.entries())
    assert entry.path == f"{display}!/{member}"


def test_probe() -> None:
    assert CompressedFileSource.probe("", b"\x1f\x8b\x08")
    assert CompressedFileSource.probe("", b"BZh9")
    assert CompressedFileSource.probe("", b"\xfd7zXZ\x00")
    assert not CompressedFileSource.probe("", b"PK\x03\x04")


@pytest.mark.parametrize("name", ["starts_1f8b.bin", "gzip_header_then_noise.gz", "starts_bzh.txt"])
def test_a_file_that_only_starts_like_one_is_not_claimed(name: str) -> None:
    head = (DATA / name).read_bytes()
    assert not CompressedFileSource.probe(str(DATA / name), head)
    assert detect_source(str(DATA / name)) is None  # a plain file, hashed as it is


def test_probe_judges_the_gzip_header_fields() -> None:
    good = gzip.compress(b"Meeting moved to Thursday.\n", mtime=0)
    assert CompressedFileSource.probe("", good)
    assert not CompressedFileSource.probe("", good[:2] + b"\x07" + good[3:])  # CM not 8
    assert not CompressedFileSource.probe("", good[:3] + b"\x20" + good[4:])  # reserved flag
    assert CompressedFileSource.probe("", good[:8])  # cut inside the header: truncated gzip
    assert not CompressedFileSource.probe("", b"BZh0")
    assert CompressedFileSource.probe("", bz2.compress(b"x"))
