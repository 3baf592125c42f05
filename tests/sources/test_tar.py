"""Tar source: reference tars, compressed tars, truncation and special members."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

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


def test_ratio_limit_stops_a_compressed_tar_bomb(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 3 << 20
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(buffer.getvalue())
    entries = _entries(path, limits=ExpandLimits(max_ratio=10.0))
    assert entries[0].path == "bomb.tar.gz!/zeros.bin"
    assert entries[0].error is not None and entries[0].error.startswith("expansion limit")
    assert entries[1].path == "bomb.tar.gz!/"


def test_old_style_header_checksum() -> None:
    header = bytearray(tarfile.TarInfo("a").tobuf(format=tarfile.USTAR_FORMAT))
    header[257:265] = bytes(8)  # no ustar magic: a pre-POSIX (v7) header
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)
    assert looks_like_tar_header(bytes(header))
    header[0] ^= 1
    assert not looks_like_tar_header(bytes(header))
    assert not looks_like_tar_header(bytes(512))
