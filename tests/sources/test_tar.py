"""Tar source: reference tars, compressed tars, truncation and special members."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

import phunt.sources.expand  # noqa: F401 - registers the containers members open through
from phunt.sources.base import Entry
from phunt.sources.limits import ExpandLimits
from phunt.sources.tar import TarSource, looks_like_tar_header
from test_lib import shared_folder, snapshot_entries

DATA = Path(__file__).resolve().parents[2] / "test_data" / "sources"


def _entries(path: Path, **kwargs: object) -> list[Entry]:
    return snapshot_entries(TarSource(str(path), display=path.name, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tar/syslog.tar", {"syslog": 1247}),
        ("tar/with_directory.tar", {"folder/syslog": 1247, "folder/wtmp.1": 1537}),
        ("tar/without_directory.tar", {"folder/syslog": 1247, "folder/wtmp.1": 1537}),
        ("syslog.tgz", {"syslog": 1247}),
    ],
)
def test_reference_tars(name: str, expected: dict[str, int]) -> None:
    path = shared_folder("reference/disk-images") / name
    entries = _entries(path)
    assert {e.path: e.size for e in entries} == {
        f"{path.name}!/{k}": v for k, v in expected.items()
    }
    with entries[0].open() as stream:
        assert stream.read()[167:].startswith(b"Jan 22 07:53:01 myhostname")
    assert TarSource.probe(str(path), path.read_bytes()[:1024])


@pytest.mark.parametrize("name", ["logs.tar.xz", "logs.tar.bz2", "plain.tar"])
def test_compressed_and_plain_fixtures(name: str) -> None:
    entries = _entries(DATA / name)
    assert all(e.error is None for e in entries)
    with entries[0].open() as stream:
        assert stream.read() == b"Meeting moved to Thursday.\n"
    modified = entries[0].times.modified
    assert modified is not None and modified.isoformat() == "2024-03-01T12:00:00+00:00"


def test_truncated_header_recorded() -> None:
    entries = _entries(DATA / "truncated.tar")
    assert [e.path for e in entries] == ["truncated.tar!/a.txt", "truncated.tar!/"]
    assert entries[1].error is not None
    assert "after member 'a.txt'" in entries[1].error


def test_truncated_tar_gz_recorded() -> None:
    entries = _entries(DATA / "truncated.tar.gz")
    assert entries[0].path == "truncated.tar.gz!/a.txt" and entries[0].error is None
    assert entries[-1].path == "truncated.tar.gz!/"
    assert entries[-1].error is not None and "ended before" in entries[-1].error


def test_truncated_inside_member_data(tmp_path: Path) -> None:
    data = (DATA / "plain.tar").read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: 1536 + 500])  # header of b.txt, then 500 of its 1080 bytes
    entries = _entries(cut)
    assert entries[-1].path == "cut.tar!/"
    assert entries[-1].error is not None
    assert "unexpected end of data (after member 'b.txt'" in entries[-1].error


def test_links_and_special_members_recorded(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("real.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"abc"))
        for name, kind in (("sym", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE)):
            link = tarfile.TarInfo(name)
            link.type = kind
            link.linkname = "real.txt"
            archive.addfile(link)
        fifo = tarfile.TarInfo("pipe")
        fifo.type = tarfile.FIFOTYPE
        archive.addfile(fifo)
    path = tmp_path / "special.tar"
    path.write_bytes(buffer.getvalue())
    entries = {e.path.split("!/")[1]: e for e in _entries(path)}
    assert entries["sym"].error == "skipped: symbolic link, not followed (-> real.txt)"
    assert entries["pipe"].error == "skipped: a FIFO (named pipe), not a regular file"
    assert entries["hard"].warnings == ["hard link to 'real.txt'"]
    with entries["hard"].open() as stream:
        assert stream.read() == b"abc"


def test_a_highly_compressible_member_does_not_hide_the_next() -> None:
    """5 MiB of zeros then a note, gzipped: both read (the walk used to stop at the zeros)."""
    zeros, note = _entries(DATA / "zeros_then_note.tar.gz")
    assert zeros.path == "zeros_then_note.tar.gz!/zeros.bin"
    assert (zeros.error, zeros.size) == (None, 5 << 20)
    assert (note.path, note.error) == ("zeros_then_note.tar.gz!/notes/after.txt", None)
    with note.open() as stream:
        assert stream.read() == b"Meeting moved to Thursday.\n"


def test_a_member_past_the_budget_is_refused_and_the_next_still_read() -> None:
    limits = ExpandLimits(max_high_ratio_bytes=4 << 20)
    refused, note = _entries(DATA / "zeros_then_note.tar.gz", limits=limits)
    assert refused.locator is None
    assert refused.error is not None and refused.error.startswith("expansion limit: 5 MiB")
    assert "possible archive bomb" in refused.error and "--max-high-ratio" in refused.error
    assert note.error is None and note.path == "zeros_then_note.tar.gz!/notes/after.txt"


def test_a_compressed_tar_bomb_stops_without_decompressing_it_all(tmp_path: Path) -> None:
    """A member judged a bomb on its first 16 MiB is not decompressed further, so the
    members after it cannot be reached: both are said."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (("zeros.bin", bytes(40 << 20)), ("after.txt", b"after\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(buffer.getvalue())
    entries = _entries(path, limits=ExpandLimits(max_high_ratio_bytes=4 << 20))
    assert [e.path for e in entries] == ["bomb.tar.gz!/zeros.bin", "bomb.tar.gz!/"]
    refused, stopped = entries
    assert refused.locator is None and refused.error is not None
    assert refused.error.startswith("expansion limit: 40 MiB (41943040 bytes) from ")
    assert refused.error.endswith(
        "possible archive bomb, not read (raise with --max-high-ratio) "
        "(judged on its first 16777216 bytes)"
    )
    assert stopped.error == (
        "members after it not read: reaching them means decompressing it "
        "(after member 'zeros.bin', offset 41943552)"
    )


def test_a_plain_tar_member_past_the_budget_is_refused_and_the_next_read() -> None:
    first, second = _entries(DATA / "plain.tar", limits=ExpandLimits(max_expanded_bytes=100))
    assert first.error is None  # 27 bytes
    assert second.error is not None and "--max-expanded" in second.error
    assert second.locator is None


def test_out_of_range_times_are_warnings_naming_the_raw_value() -> None:
    entries = {e.path.rsplit("/", 1)[-1]: e for e in _entries(DATA / "far_times.tar")}
    assert set(entries) == {"future.txt", "past.txt", "normal.txt"}
    for name, raw in (("future.txt", "10000000000000"), ("past.txt", "-10000000000000")):
        entry = entries[name]
        assert entry.error is None and entry.times.modified is None
        assert entry.warnings == [f"tar member mtime out of range, not kept: '{raw}'"]
        with entry.open() as stream:
            assert stream.read() == b"Meeting moved to Thursday.\n"
    assert entries["normal.txt"].warnings == []
    assert entries["normal.txt"].times.modified is not None


def test_old_style_header_checksum() -> None:
    header = bytearray(tarfile.TarInfo("a").tobuf(format=tarfile.USTAR_FORMAT))
    header[257:265] = bytes(8)  # no ustar magic: a pre-POSIX (v7) header
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)
    assert looks_like_tar_header(bytes(header))
    header[0] ^= 1
    assert not looks_like_tar_header(bytes(header))
    assert not looks_like_tar_header(bytes(512))
