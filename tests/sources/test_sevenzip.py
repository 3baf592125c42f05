"""7z archives through py7zr: members, encrypted members, truncation, lifetime of spools."""

from __future__ import annotations

from pathlib import Path

import py7zr

import phunt.sources.expand  # noqa: F401 - registers the containers members open through
from phunt.sources.limits import ExpandLimits
from phunt.sources.sevenzip import SevenZipSource

DATA = Path(__file__).resolve().parents[2] / "test_data" / "sources"


def test_members_listed_and_read(tmp_path: Path) -> None:
    with SevenZipSource(
        str(DATA / "plain.7z"), display="plain.7z", scratch_dir=str(tmp_path)
    ) as source:
        entries = list(source.entries())
        assert [(e.path, e.size, e.error) for e in entries] == [
            ("plain.7z!/docs/note.txt", 27, None),
            ("plain.7z!/docs/other.txt", 7, None),
        ]
        with entries[0].open() as stream:
            assert stream.read() == b"Meeting moved to Thursday.\n"
        assert entries[0].times.modified is not None
        assert entries[0].times.modified.tzinfo is not None
    assert list(tmp_path.iterdir()) == []  # the spool was anonymous and is gone


def test_encrypted_member_recorded() -> None:
    with SevenZipSource(str(DATA / "encrypted.7z"), display="encrypted.7z") as source:
        [entry] = list(source.entries())
    assert entry.path == "encrypted.7z!/secret.txt"
    assert entry.size == 27
    assert entry.error == "encrypted member: not read"


def test_truncated_archive_recorded() -> None:
    with SevenZipSource(str(DATA / "truncated.7z"), display="truncated.7z") as source:
        [entry] = list(source.entries())
    assert entry.path == "truncated.7z!/"
    assert entry.error is not None and entry.error.startswith("damaged or truncated 7z")


def test_member_limit() -> None:
    limits = ExpandLimits(max_members=1)
    with SevenZipSource(str(DATA / "plain.7z"), display="p.7z", limits=limits) as source:
        entries = list(source.entries())
    assert [e.path for e in entries] == ["p.7z!/docs/note.txt", "p.7z!/"]
    assert entries[1].error is not None and "more than 1 members" in entries[1].error


def test_probe() -> None:
    head = (DATA / "plain.7z").read_bytes()[:32]
    assert SevenZipSource.probe("", head)
    assert not SevenZipSource.probe("", b"PK\x03\x04")


def _solid(path: Path) -> Path:
    """5 MiB of zeros then a note, in one solid block (packed size on the first only)."""
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(bytes(5 << 20), "zeros.bin")
        archive.writestr(b"Meeting moved to Thursday.\n", "note.txt")
    return path


def test_a_high_ratio_is_read_while_the_budget_lasts(tmp_path: Path) -> None:
    path = _solid(tmp_path / "solid.7z")
    with SevenZipSource(str(path), display="solid.7z", scratch_dir=str(tmp_path)) as source:
        zeros, note = source.entries()
        assert (zeros.error, note.error) == (None, None)
        with zeros.open() as stream:
            assert stream.read() == bytes(5 << 20)


def test_a_member_past_the_high_ratio_budget_is_refused_and_the_next_read(
    tmp_path: Path,
) -> None:
    path = _solid(tmp_path / "solid.7z")
    limits = ExpandLimits(max_high_ratio_bytes=4 << 20)
    with SevenZipSource(str(path), display="solid.7z", limits=limits) as source:
        zeros, note = source.entries()
        assert zeros.locator is None and zeros.error is not None
        assert zeros.error.startswith("expansion limit: 5 MiB (5242880 bytes) from ")
        assert zeros.error.endswith("possible archive bomb, not read (raise with --max-high-ratio)")
        assert note.error is None
        with note.open() as stream:
            assert stream.read() == b"Meeting moved to Thursday.\n"


def test_every_member_of_a_solid_block_is_judged_at_the_block_ratio(tmp_path: Path) -> None:
    """py7zr gives the packed size on a block's first member only; zeros listed second
    must not escape the ratio for want of it."""
    path = tmp_path / "second.7z"
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(b"Meeting moved to Thursday.\n", "note.txt")
        archive.writestr(bytes(5 << 20), "zeros.bin")
    limits = ExpandLimits(max_high_ratio_bytes=4 << 20)
    with SevenZipSource(str(path), display="second.7z", limits=limits) as source:
        note, zeros = source.entries()
        assert note.error is None
        assert "possible archive bomb" in (zeros.error or "")
