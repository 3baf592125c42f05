"""Disk images against the contents dfvfs's own tests expect (../shared MANIFEST.md)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import phunt.sources.expand  # noqa: F401  (registers the container sources entries reopen by)
from phunt.errors import CorruptInput
from phunt.sources.base import Entry
from phunt.sources.disk_image import DiskImageSource, is_later_segment, segment_files, verify_ewf
from test_lib import ewf_subset, shared_folder

EXT2_MD5 = "196066add11fb71c4c49cf1bb50d6d24"
EXT2_FAMILY = [
    "ext2.E01",
    "ext2.split.E01",
    "ext2.splitraw.000",
    "ext2.qcow2",
    "ext2.vmdk",
    "ext2.vhd",
]


def _ref(name: str) -> Path:
    return shared_folder("reference/disk-images") / name


def _walk(name: str) -> tuple[dict[str, Entry], DiskImageSource]:
    source = DiskImageSource(str(_ref(name)), display=name)
    with source:
        found = {entry.path: entry for entry in source.entries()}
    return found, source


def _read(entry: Entry) -> bytes:
    with entry.open() as stream:
        return stream.read()


@pytest.mark.parametrize("name", EXT2_FAMILY)
def test_ext2_family_lists_manifest_files(name: str) -> None:
    found, source = _walk(name)
    sizes = {path: entry.size for path, entry in found.items()}
    assert sizes == {
        f"{name}!/a_directory/a_file": 53,
        f"{name}!/a_directory/another_file": 22,
        f"{name}!/a_link": None,
        f"{name}!/passwords.txt": 116,
    }
    assert source.volumes == [("", "EXT")]
    passwords = _read(found[f"{name}!/passwords.txt"])
    assert hashlib.md5(passwords).hexdigest() == "39cb097008d17660abd0539891a672af"
    assert _read(found[f"{name}!/a_directory/another_file"]) == b"This is another file.\n"
    link = found[f"{name}!/a_link"]
    assert link.error == "skipped: symbolic link, not followed (-> a_directory/another_file)"
    modified = found[f"{name}!/passwords.txt"].times.modified
    assert modified is not None and modified.isoformat().startswith("2021-07-22")
    assert not any(entry.deleted for entry in found.values())


def test_imynd_dd_flags_deleted_names_and_keeps_unicode_path() -> None:
    found, _ = _walk("ímynd.dd")
    live = {path: e.size for path, e in found.items() if not e.deleted}
    assert live == {
        "ímynd.dd!/a_directory/a_file": 53,
        "ímynd.dd!/a_directory/another_file": 22,
        "ímynd.dd!/a_link": None,
        "ímynd.dd!/passwords.txt": 116,
    }
    deleted = {path: e for path, e in found.items() if e.deleted}
    assert sorted(deleted) == [
        "ímynd.dd!/a_directory/.another_file.swp",
        "ímynd.dd!/a_directory/another_file~",
    ]
    for entry in deleted.values():
        assert entry.error is not None and "only the name survives" in entry.error
        assert entry.locator is None


def test_windows_volume_qcow2_ntfs_syslog() -> None:
    found, source = _walk("windows_volume.qcow2")
    assert source.volumes == [("", "NTFS")]
    syslog = found["windows_volume.qcow2!/Windows/System32/config/syslog"]
    assert syslog.size == 1247
    data = _read(syslog)
    assert hashlib.md5(data).hexdigest().startswith("8b32710e")
    assert data[167:].startswith(b"Jan 22 07:53:01 myhostname.myhost.com CRON[31051]")
    assert "windows_volume.qcow2!/$MFT" in found
    orphans = [e for p, e in found.items() if "/$OrphanFiles/" in p]
    assert [e.path.rsplit("/", 1)[1] for e in orphans] == [f"OrphanFile-{n}" for n in range(16, 24)]
    assert all(e.deleted and e.error and "orphan entry" in e.error for e in orphans)


def test_vsstest_qcow2_ntfs_files_and_shadow_copy_warning() -> None:
    found, source = _walk("older-snapshot-99021eae/vsstest.qcow2")
    prefix = "older-snapshot-99021eae/vsstest.qcow2!/"
    sizes = {path.removeprefix(prefix): e.size for path, e in found.items()}
    assert sizes["password.txt"] == 116
    assert sizes["another_file"] == 22
    assert sizes["syslog.gz"] == 540
    store = found[prefix + "System Volume Information/{3808876b-c176-4e48-b7ae-04046e6cc752}"]
    assert store.size == 65536
    for moment in (store.times.modified, store.times.accessed, store.times.created):
        assert moment is not None and int(moment.timestamp()) == 1386052509
    root_files = {p for p in sizes if "/" not in p and p.startswith("$")}
    assert root_files == {
        "$AttrDef", "$BadClus", "$Bitmap", "$Boot", "$LogFile", "$MFT",
        "$MFTMirr", "$Secure", "$UpCase", "$Volume",
    }  # fmt: skip
    assert source.warnings == ["/: volume shadow copies present (/vss1, /vss2), not walked"]


def test_mbr_raw_partitions_named_and_empty_partition_recorded() -> None:
    found, source = _walk("older-snapshot-99021eae/mbr.raw")
    assert found == {}  # the ext2 file system in the logical partition holds no files
    assert source.volumes == [("p5", "EXT")]  # the logical partition, Linux-style number
    assert source.warnings == ["p1: no file system recognised in this partition"]


def test_iso9660_raw() -> None:
    found, _ = _walk("iso9660.raw")
    assert {path: e.size for path, e in found.items()} == {
        "iso9660.raw!/A_DIRECTORY/ANOTHER_FILE": 22,
        "iso9660.raw!/A_DIRECTORY/A_FILE": 53,
        "iso9660.raw!/PASSWORDS.TXT": 116,
    }


@pytest.mark.parametrize(
    ("name", "magic_ok"),
    [
        ("ext2.E01", True),
        ("ext2.qcow2", True),
        ("ext2.vmdk", True),
        ("ext2.vhd", True),
        ("ext2.splitraw.000", True),
        ("iso9660.raw", True),
        ("syslog.tgz", False),
        ("MANIFEST.md", False),
    ],
)
def test_probe(name: str, magic_ok: bool) -> None:
    path = _ref(name)
    head = path.read_bytes()[: 64 * 1024]
    assert DiskImageSource.probe(str(path), head) is magic_ok


def test_segment_files_finds_split_sets_from_first_segment() -> None:
    assert segment_files(str(_ref("ext2.split.E01"))) == [
        str(_ref("ext2.split.E01")),
        str(_ref("ext2.split.E02")),
    ]
    assert segment_files(str(_ref("ext2.splitraw.000"))) == [
        str(_ref("ext2.splitraw.000")),
        str(_ref("ext2.splitraw.001")),
    ]
    assert segment_files(str(_ref("ímynd.dd"))) == [str(_ref("ímynd.dd"))]


@pytest.mark.parametrize("name", ["ext2.E01", "ext2.split.E01"])
def test_verify_ewf_matches_stored_md5(name: str) -> None:
    result = verify_ewf(str(_ref(name)))
    assert result.stored_md5 == EXT2_MD5
    assert result.computed_md5 == EXT2_MD5
    assert result.media_size == 4194304
    assert result.ok is True


def test_verify_ewf_reports_altered_media(tmp_path: Path) -> None:
    for segment in ("ext2.split.E01", "ext2.split.E02"):
        shutil.copy(_ref(segment), tmp_path / segment)
    altered = tmp_path / "ext2.split.E01"
    data = bytearray(altered.read_bytes())
    at = data.find(b"place,user,password")  # passwords.txt, in an uncompressed chunk
    assert at > 0
    data[at] ^= 0xFF
    altered.write_bytes(bytes(data))
    result = verify_ewf(str(altered))
    assert result.stored_md5 == EXT2_MD5
    assert result.computed_md5 != EXT2_MD5
    assert result.ok is False


def test_verify_ewf_unopenable_set_raises_corrupt_input(tmp_path: Path) -> None:
    broken = tmp_path / "cut.E01"
    broken.write_bytes((_ref("ext2.E01")).read_bytes()[:100])
    with pytest.raises(CorruptInput, match=r"cut\.E01"):
        verify_ewf(str(broken))


def test_unreadable_image_is_recorded_not_raised(tmp_path: Path) -> None:
    bogus = tmp_path / "blank.raw"
    bogus.write_bytes(bytes(510) + b"\x55\xaa" + bytes(4096))
    source = DiskImageSource(str(bogus), display="blank.raw")
    assert list(source.entries()) == []
    assert source.warnings and "no file system" in source.warnings[-1]


def test_file_systems_tsk_cannot_open_are_walked_through_dfvfs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(fs_spec: object, context: object = None) -> object:
        raise OSError("pytsk3 cannot open this file system")

    monkeypatch.setattr(DiskImageSource, "_open_tsk", staticmethod(refuse))
    found, _ = _walk("ext2.qcow2")
    assert {p: e.size for p, e in found.items() if e.error is None} == {
        "ext2.qcow2!/a_directory/a_file": 53,
        "ext2.qcow2!/a_directory/another_file": 22,
        "ext2.qcow2!/passwords.txt": 116,
    }
    assert found["ext2.qcow2!/a_link"].error is not None
    assert _read(found["ext2.qcow2!/passwords.txt"]).startswith(b"place,user,password")
    warning = "/: EXT file system read through dfvfs; deleted files not listed"
    assert found["ext2.qcow2!/"].error == warning


def test_later_segment_rule_needs_the_first_segment(tmp_path: Path) -> None:
    (tmp_path / "mail.eml").write_bytes(b"x")
    (tmp_path / "disk.E01").write_bytes(b"x")
    (tmp_path / "disk.E02").write_bytes(b"x")
    (tmp_path / "disk.EAA").write_bytes(b"x")
    (tmp_path / "cut.001").write_bytes(b"x")
    (tmp_path / "cut.002").write_bytes(b"x")
    assert not is_later_segment(str(tmp_path / "mail.eml"))
    assert is_later_segment(str(tmp_path / "disk.E02"))
    assert is_later_segment(str(tmp_path / "disk.EAA"))
    assert not is_later_segment(str(tmp_path / "disk.E01"))
    assert not is_later_segment(str(tmp_path / "cut.001"))
    assert is_later_segment(str(tmp_path / "cut.002"))


@pytest.mark.parametrize(("kept", "missing"), [((1, 3), "notes.E02"), ((1, 2), "notes.E03")])
def test_e01_set_missing_a_segment_is_one_error_naming_it(
    tmp_path: Path, kept: tuple[int, ...], missing: str
) -> None:
    first = ewf_subset(tmp_path, *kept)
    source = DiskImageSource(str(first), display="notes.E01")
    with source:
        entries = list(source.entries())
    assert entries == []
    assert source.warnings == [
        f"EWF set incomplete: segment {missing} is missing "
        f"(found {', '.join(f'notes.E{n:02d}' for n in range(1, int(missing[-1])))})"
    ]
    assert not source.found_nothing
    with pytest.raises(CorruptInput, match=f"segment {missing} is missing"):
        verify_ewf(str(first))


def test_complete_generated_e01_set_lists_its_files(tmp_path: Path) -> None:
    first = ewf_subset(tmp_path, 1, 2, 3)
    source = DiskImageSource(str(first), display="notes.E01")
    with source:
        found = {entry.path: _read(entry) for entry in source.entries() if entry.error is None}
    assert found["notes.E01!/note.txt"] == b"Meeting moved to Thursday.\n"
    assert found["notes.E01!/lunch.txt"] == b"Lunch at noon.\n"
    assert verify_ewf(str(first)).ok is True
