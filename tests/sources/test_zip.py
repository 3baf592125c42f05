"""Zip source: reference zips, zip64, encrypted, hostile names, bombs and truncation."""

from __future__ import annotations

from pathlib import Path

import pytest

from phunt.sources.base import Entry
from phunt.sources.limits import ExpandLimits
from phunt.sources.zip import ZipSource
from test_lib import shared_folder, snapshot_entries

DATA = Path(__file__).resolve().parents[2] / "test_data" / "sources"


def _entries(path: Path, **kwargs: object) -> list[Entry]:
    return snapshot_entries(ZipSource(str(path), display=path.name, **kwargs))  # type: ignore[arg-type]


def _read(entry: Entry) -> bytes:
    with entry.open() as stream:
        return stream.read()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("syslog.zip", {"syslog": 1247, "wtmp.1": 1537}),
        ("with_directory.zip", {"folder/syslog": 1247, "folder/wtmp.1": 1537}),
        ("without_directory.zip", {"folder/syslog": 1247, "folder/wtmp.1": 1537}),
    ],
)
def test_reference_zips(name: str, expected: dict[str, int]) -> None:
    entries = _entries(shared_folder("reference/disk-images") / "zip" / name)
    assert {e.path: e.size for e in entries} == {f"{name}!/{k}": v for k, v in expected.items()}
    syslog = next(e for e in entries if e.path.endswith("syslog"))
    assert _read(syslog)[167:].startswith(b"Jan 22 07:53:01 myhostname.myhost.com")


def test_zip64_members_read() -> None:
    entries = _entries(DATA / "zip64.zip")
    assert [(e.path, e.size, e.error) for e in entries] == [
        ("zip64.zip!/notes.txt", 27, None),
        ("zip64.zip!/more/notes.txt", 27, None),
    ]
    assert _read(entries[1]) == b"Meeting moved to Thursday.\n"
    modified = entries[0].times.modified
    assert modified is not None and modified.isoformat() == "2024-03-01T12:00:00+00:00"


def test_encrypted_member_recorded_not_skipped() -> None:
    [entry] = _entries(DATA / "encrypted.zip")
    assert entry.path == "encrypted.zip!/secret.txt"
    assert entry.size == 27
    assert entry.error == "encrypted member: not read"
    with pytest.raises(OSError):
        entry.open()


def test_traversal_names_kept_as_names_with_warnings() -> None:
    entries = {e.path: e for e in _entries(DATA / "traversal.zip")}
    assert set(entries) == {
        "traversal.zip!/../../evil.txt",
        "traversal.zip!/etc/x",
        "traversal.zip!/ok.txt",
    }
    assert "'..'" in entries["traversal.zip!/../../evil.txt"].warnings[0]
    assert "absolute path" in entries["traversal.zip!/etc/x"].warnings[0]
    assert entries["traversal.zip!/ok.txt"].warnings == []
    assert _read(entries["traversal.zip!/../../evil.txt"]) == b"x\n"


def test_bomb_member_refused_by_its_header_and_the_note_beside_it_read() -> None:
    bomb, note = _entries(DATA / "bomb.zip")
    assert bomb.path == "bomb.zip!/zeros.bin"
    assert bomb.size == 1 << 40  # what its zip64 headers declare, from 10 KiB
    assert bomb.error is not None and bomb.error.startswith("expansion limit: 1 TiB")
    assert "possible archive bomb" in bomb.error and "--max-high-ratio" in bomb.error
    assert bomb.locator is None
    assert note.path == "bomb.zip!/note.txt" and note.error is None
    assert _read(note) == b"Meeting moved to Thursday.\n"


def test_a_picture_beside_5_mib_of_zeros_is_read_and_so_are_the_zeros() -> None:
    """Ratio 900 alone is no bomb: the archive used to be refused whole."""
    photo, zeros = _entries(DATA / "picture_and_zeros.zip")
    assert (photo.path, photo.error) == ("picture_and_zeros.zip!/photo.png", None)
    assert _read(photo).startswith(b"\x89PNG")
    assert zeros.error is None and _read(zeros) == bytes(5 << 20)


def test_high_ratio_budget_refuses_one_member_not_the_others() -> None:
    limits = ExpandLimits(max_high_ratio_bytes=4 << 20)
    photo, zeros = _entries(DATA / "picture_and_zeros.zip", limits=limits)
    assert photo.error is None and _read(photo).startswith(b"\x89PNG")
    assert zeros.locator is None
    assert zeros.error is not None and zeros.error.startswith(
        "expansion limit: 5 MiB (5242880 bytes) from "
    )
    assert "would pass this source's budget of 4 MiB expanded at a ratio over 100" in zeros.error


def test_member_count_limit_records_the_rest() -> None:
    entries = _entries(DATA / "phone.zip", limits=ExpandLimits(max_members=2))
    assert [e.error for e in entries[:2]] == [None, None]
    assert entries[2].path == "phone.zip!/"
    assert entries[2].error is not None and "more than 2 members" in entries[2].error
    assert len(entries) == 3


def test_total_bytes_budget_refuses_members_past_it() -> None:
    entries = _entries(DATA / "phone.zip", limits=ExpandLimits(max_expanded_bytes=60))
    errors = [e.error for e in entries]
    assert errors[:3] == [None, None, None]  # 35 + 8 + 12 bytes fit in 60
    assert len(errors) == 6
    assert all(err is not None and "budget of 60 bytes expanded" in err for err in errors[3:])
    assert all(err is not None and "--max-expanded" in err for err in errors[3:])


def test_truncated_zip_salvaged_from_local_headers() -> None:
    entries = _entries(DATA / "truncated.zip")
    assert entries[0].path == "truncated.zip!/"
    assert entries[0].error is not None and "damaged zip" in entries[0].error
    readable = [e for e in entries[1:] if e.error is None]
    assert [e.path for e in readable][:2] == [
        "truncated.zip!/DCIM/Camera/IMG_0001.jpg",
        "truncated.zip!/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240301-WA0001.jpg",
    ]
    assert _read(readable[0]).startswith(b"\xff\xd8\xff\xe0 not a real picture")
    broken = entries[-1]
    assert broken.error is not None and "truncated archive" in broken.error
    assert "offset" in broken.error


def test_damaged_member_data_raises_oserror(tmp_path: Path) -> None:
    data = bytearray((DATA / "phone.zip").read_bytes())
    at = data.find(b"IMG_0001.jpg") + len(b"IMG_0001.jpg")
    data[at + 4] ^= 0xFF  # inside the first member's deflate stream
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    first = _entries(damaged)[0]
    with pytest.raises(OSError), first.open() as stream:
        stream.read()


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b"PK\x03\x04rest", True), (b"PK\x05\x06" + bytes(18), True), (b"\x1f\x8b", False)],
)
def test_probe_by_signature(head: bytes, expected: bool) -> None:
    assert ZipSource.probe("", head) is expected


def test_zip_with_prepended_bytes_found_by_end_record(tmp_path: Path) -> None:
    path = tmp_path / "stub.zip"
    path.write_bytes(b"MZ stub before the archive\n" + (DATA / "zip64.zip").read_bytes())
    head = path.read_bytes()[:64]
    assert ZipSource.probe(str(path), head)
    assert not ZipSource.probe(str(tmp_path / "stub.bin"), head)
    assert [e.error for e in _entries(path)] == [None, None]
