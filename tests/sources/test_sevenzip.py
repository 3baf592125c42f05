"""7z archives through py7zr: members, encrypted members, truncation, lifetime of spools."""

from __future__ import annotations

from pathlib import Path

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
