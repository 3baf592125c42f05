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


def test_bomb_stopped_by_ratio(tmp_path: Path) -> None:
    path = tmp_path / "zeros.bin.gz"
    path.write_bytes(gzip.compress(bytes(4 << 20)))
    [entry] = _entries(path, limits=ExpandLimits(ratio_floor=1 << 20))
    assert entry.path == "zeros.bin.gz!/zeros.bin"
    assert entry.error is not None and entry.error.startswith("expansion limit")


def test_total_budget_applies(tmp_path: Path) -> None:
    [entry] = _entries(DATA / "note.txt.gz", limits=ExpandLimits(max_total_bytes=100))
    assert entry.size == 270
    assert entry.error is not None and "total uncompressed bytes" in entry.error


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
