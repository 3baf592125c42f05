"""open_evidence: detection, nesting, limits, scratch safety and hostile folders."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from phunt.sources import expand
from phunt.sources.base import Entry
from phunt.sources.disk_image import DiskImageSource
from phunt.sources.expand import SOURCES, ExpandLimits, detect_source, open_evidence
from phunt.sources.limits import Budget
from phunt.sources.sevenzip import SevenZipSource
from phunt.sources.zip import ZipSource
from test_lib import Forwards, shared_folder

DATA = Path(__file__).resolve().parents[2] / "test_data" / "sources"


def _consume(entries: Iterator[Entry]) -> dict[str, Entry]:
    """Every entry by path, content read as it comes (as ingest does)."""
    found: dict[str, Entry] = {}
    for entry in entries:
        assert entry.path not in found, f"{entry.path} yielded twice"
        if entry.error is None:
            with entry.open() as stream:
                data = stream.read()
            assert entry.size is None or len(data) == entry.size, entry.path
        found[entry.path] = entry
    return found


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_detection_order_is_documented() -> None:
    assert SOURCES.names() == ["folder", "7z", "zip", "tar", "compressed", "disk-image"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("phone.zip", "zip"),
        ("plain.7z", "7z"),
        ("plain.tar", "tar"),
        ("logs.tar.xz", "tar"),
        ("note.txt.gz", "compressed"),
        ("make_fixtures.py", None),
    ],
)
def test_detect_source(name: str, kind: str | None) -> None:
    found = detect_source(str(DATA / name))
    assert (found.name if found else None) == kind


def test_phone_zip_nested_chain_container_before_members(tmp_path: Path) -> None:
    paths = list(_consume(open_evidence(str(DATA / "phone.zip"), scratch_dir=str(tmp_path))))
    prefix = str(DATA / "phone.zip") + "!/"
    names = [p.removeprefix(prefix) for p in paths]
    assert names == [
        "DCIM/Camera/IMG_0001.jpg",
        "WhatsApp/Media/WhatsApp Images/Sent/IMG-20240301-WA0001.jpg",
        "Telegram/Telegram Images/photo_1.jpg",
        "Documents/inner.zip",
        "Documents/inner.zip!/inner/note.txt",
        "Documents/backup.tar.gz",
        "Documents/backup.tar.gz!/logs/day1.txt",
        "Documents/backup.tar.gz!/logs/day2.txt",
        "Documents/readme.txt",
    ]
    assert list(tmp_path.iterdir()) == []  # private scratch removed


def test_no_expand_yields_the_named_file_only() -> None:
    [entry] = list(open_evidence(str(DATA / "phone.zip"), expand=False))
    assert entry.path == str(DATA / "phone.zip")
    assert entry.size == (DATA / "phone.zip").stat().st_size


def test_plain_file_yields_itself() -> None:
    [entry] = list(open_evidence(str(DATA / "make_fixtures.py")))
    assert entry.local_path == str(DATA / "make_fixtures.py")


def test_depth_limit_is_an_error_entry_after_the_container() -> None:
    found = _consume(open_evidence(str(DATA / "deep.zip"), limits=ExpandLimits(max_depth=2)))
    base = str(DATA / "deep.zip")
    stopped = f"{base}!/level1.zip!/level2.zip"
    assert list(found) == [f"{base}!/level1.zip", stopped, f"{stopped}!/"]
    assert found[stopped].error is None and found[stopped].locator is not None  # hashed
    assert found[f"{stopped}!/"].error == (
        "expansion limit: container nesting deeper than 2; hashed as a file, its members "
        "not read (raise with --max-depth)"
    )


def test_default_depth_opens_five_containers_and_says_where_it_stopped() -> None:
    found = _consume(open_evidence(str(DATA / "deep.zip")))
    deepest = max((p for p in found if not p.endswith("!/")), key=lambda p: p.count("!/"))
    assert deepest.count("!/") == 5
    assert (found[f"{deepest}!/"].error or "").startswith("expansion limit: container nesting")


def test_default_limits_stop_the_bomb_and_read_the_member_beside_it() -> None:
    found = _consume(open_evidence(str(DATA / "bomb.zip")))
    base = str(DATA / "bomb.zip")
    assert set(found) == {f"{base}!/zeros.bin", f"{base}!/note.txt"}
    error = found[f"{base}!/zeros.bin"].error or ""
    assert "possible archive bomb" in error and "--max-high-ratio" in error
    assert found[f"{base}!/note.txt"].error is None


def test_hostile_archives_in_a_folder_write_nothing_outside_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    hostile = ["traversal.zip", "encrypted.zip", "truncated.zip", "truncated.tar.gz"]
    hostile += ["truncated.7z", "encrypted.7z", "deep.zip", "bomb.zip", "truncated.txt.gz"]
    for name in hostile:
        shutil.copy(DATA / name, evidence / name)
    outer = evidence / "outer.zip"  # hostile names one level down, so they get spooled too
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("../../evil.zip", (DATA / "traversal.zip").read_bytes())
        archive.writestr("/etc/evil.7z", (DATA / "plain.7z").read_bytes())
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = _files_under(tmp_path)
    found: dict[str, Entry] = {}
    for entry in open_evidence(str(evidence), scratch_dir=str(scratch)):
        new = _files_under(tmp_path) - before
        assert all(scratch in p.parents for p in new), new
        if entry.error is None:
            with entry.open() as stream:
                stream.read()
        found[entry.path] = entry
    assert _files_under(tmp_path) == before
    shown = {p.removeprefix(str(evidence) + "/"): e for p, e in found.items()}
    assert shown["outer.zip!/../../evil.zip!/../../evil.txt"].warnings
    assert shown["outer.zip!/etc/evil.7z!/docs/note.txt"].error is None
    assert shown["encrypted.zip!/secret.txt"].error == "encrypted member: not read"
    assert shown["encrypted.7z!/secret.txt"].error == "encrypted member: not read"
    assert "truncated archive" in (shown["truncated.zip!/Documents/backup.tar.gz"].error or "")
    assert (shown["truncated.tar.gz!/"].error or "").startswith("damaged or truncated archive")
    assert (shown["truncated.7z!/"].error or "").startswith("damaged or truncated 7z")
    assert "truncated" in (shown["truncated.txt.gz!/truncated.txt"].error or "")
    assert "possible archive bomb" in (shown["bomb.zip!/zeros.bin"].error or "")


def test_hostile_folder_items_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "device"
    root.mkdir()
    (root / "loop").symlink_to(".")
    os.mkfifo(root / "pipe")
    (root / os.fsdecode(b"bad-\xff-name.txt")).write_bytes(b"odd name\n")
    locked_file = root / "locked.txt"
    locked_file.write_bytes(b"secret\n")
    locked_dir = root / "locked-dir"
    locked_dir.mkdir()
    (locked_dir / "inside.txt").write_bytes(b"x\n")
    if os.geteuid() == 0:
        # root reads through chmod 000, so the refusals are simulated at the OS calls
        real_read_head, real_scandir = expand._read_head, os.scandir

        def read_head(path: str) -> bytes:
            if path == str(locked_file):
                raise PermissionError(13, "Permission denied", path)
            return real_read_head(path)

        def scandir(path: object) -> object:
            if path == str(locked_dir):
                raise PermissionError(13, "Permission denied", path)
            return real_scandir(path)  # type: ignore[call-overload]

        monkeypatch.setattr(expand, "_read_head", read_head)
        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked_file.chmod(0)
        locked_dir.chmod(0)
    try:
        found = {e.path.removeprefix(str(root) + "/"): e for e in open_evidence(str(root))}
    finally:
        locked_file.chmod(0o600)
        locked_dir.chmod(0o700)
    assert found["loop"].error == "skipped: symbolic link, not followed (-> .)"
    assert found["pipe"].error == "skipped: a FIFO (named pipe), not a regular file"
    assert found["locked.txt"].error == "cannot read: Permission denied"
    assert found["locked-dir"].error == "cannot list folder: Permission denied"
    odd = found["bad-\\xff-name.txt"]
    assert odd.error is None and odd.name_problem is not None


def test_disk_image_in_a_folder_and_inside_a_zip(tmp_path: Path) -> None:
    images = shared_folder("reference/disk-images")
    folder = tmp_path / "seized"
    folder.mkdir()
    shutil.copy(images / "ext2.E01", folder / "ext2.E01")
    with zipfile.ZipFile(folder / "bundle.zip", "w") as archive:
        archive.write(images / "ext2.E01", "images/ext2.E01")
        archive.write(images / "older-snapshot-99021eae" / "mbr.raw", "images/mbr.raw")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = _consume(open_evidence(str(folder), scratch_dir=str(scratch)))
    shown = {p.removeprefix(str(folder) + "/"): e.size for p, e in found.items()}
    assert shown["ext2.E01"] == 12122
    assert shown["ext2.E01!/passwords.txt"] == 116
    assert shown["bundle.zip!/images/ext2.E01"] == 12122
    assert shown["bundle.zip!/images/ext2.E01!/a_directory/another_file"] == 22
    warning = found[f"{folder}/bundle.zip!/images/mbr.raw!/"]
    assert warning.error == "p1: no file system recognised in this partition"
    assert list(scratch.iterdir()) == []


def test_split_images_in_a_folder_open_once_from_first_segment(tmp_path: Path) -> None:
    images = shared_folder("reference/disk-images")
    for name in ("ext2.split.E01", "ext2.split.E02", "ext2.splitraw.000", "ext2.splitraw.001"):
        shutil.copy(images / name, tmp_path / name)
    found = list(_consume(open_evidence(str(tmp_path))))
    inner = sorted(p.removeprefix(str(tmp_path) + "/") for p in found if "!/" in p)
    assert inner == sorted(
        f"{image}!/{member}"
        for image in ("ext2.split.E01", "ext2.splitraw.000")
        for member in ("a_directory/a_file", "a_directory/another_file", "a_link", "passwords.txt")
    )


def test_seven_zip_inside_zip(tmp_path: Path) -> None:
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("a/plain.7z", (DATA / "plain.7z").read_bytes())
    found = _consume(open_evidence(str(outer), scratch_dir=str(tmp_path)))
    assert f"{outer}!/a/plain.7z!/docs/other.txt" in found
    assert isinstance(SOURCES.get("7z")(""), SevenZipSource)
    assert SOURCES.get("zip") is ZipSource


def test_unreadable_nested_member_is_recorded(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.zip", (DATA / "phone.zip").read_bytes())
    data = bytearray(buffer.getvalue())
    data[60] ^= 0xFF  # inside the deflated member
    outer = tmp_path / "outer.zip"
    outer.write_bytes(bytes(data))
    entries = list(open_evidence(str(outer), scratch_dir=str(tmp_path)))
    assert len(entries) == 1
    assert entries[0].path == f"{outer}!/inner.zip"
    assert entries[0].warnings == [
        f"not checked for a container: {outer}!/inner.zip: "
        "damaged data: Bad CRC-32 for file 'inner.zip'"
    ]


def test_loose_boot_sector_signature_is_a_plain_file(tmp_path: Path) -> None:
    blank = tmp_path / "blank.bin"
    blank.write_bytes(bytes(510) + b"\x55\xaa" + bytes(4096))
    [entry] = list(open_evidence(str(blank)))
    assert entry.path == str(blank) and entry.error is None
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(blank, folder / "blank.bin")
    [entry] = list(open_evidence(str(folder)))
    assert entry.warnings == [] and entry.error is None


def test_damaged_ewf_is_recorded_not_dropped(tmp_path: Path) -> None:
    cut = tmp_path / "cut.E01"
    cut.write_bytes(b"EVF\x09\x0d\x0a\xff\x00" + bytes(200))
    entries = list(open_evidence(str(cut)))
    assert [e.path for e in entries] == [f"{cut}!/"]
    assert entries[0].error == "no file system found in the image"


def test_the_head_holds_the_first_bytes_and_the_iso_signature_at_its_offset() -> None:
    data = bytes(range(256)) * 16 + b"\x01" * (expand.ISO_AT - 4096) + b"\x01CD001\x01\x00" + b"x"
    for stream in (io.BytesIO(data), io.BufferedReader(Forwards(data))):
        head = expand.read_head(stream)
        assert head[: expand.HEAD_SIZE] == data[: expand.HEAD_SIZE]
        assert head[expand.ISO_AT + 1 : expand.ISO_AT + 6] == b"CD001"
        assert len(head) == expand.ISO_AT + 8
    short = b"PK\x03\x04" + b"z" * 5000
    assert expand.read_head(io.BufferedReader(Forwards(short))) == short[: expand.HEAD_SIZE]
    assert expand.read_head(io.BytesIO(b"tiny")) == b"tiny"


def test_an_iso_image_is_found_as_a_file_and_as_a_zip_member(tmp_path: Path) -> None:
    iso = bytes(expand.ISO_AT) + b"\x01CD001\x01" + bytes(2040)
    (tmp_path / "disc.bin").write_bytes(iso)
    assert detect_source(str(tmp_path / "disc.bin")) is DiskImageSource
    with zipfile.ZipFile(tmp_path / "holder.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("disc.bin", iso)
    expander = expand._Expander(ExpandLimits(), Budget(ExpandLimits()), str(tmp_path))
    with ZipSource(str(tmp_path / "holder.zip")) as source:
        (member,) = list(source.entries())
        assert expander._candidate(member) is DiskImageSource


def test_a_nested_container_past_the_scratch_budget_is_hashed_and_said_not_opened() -> None:
    """phone.zip's inner.zip must be spooled to be opened: past the scratch budget it is
    an error entry after the file, and the walk goes on to the next member."""
    found = _consume(
        open_evidence(str(DATA / "phone.zip"), limits=ExpandLimits(max_scratch_bytes=100))
    )
    base = str(DATA / "phone.zip")
    inner = f"{base}!/Documents/inner.zip"
    assert found[inner].error is None
    refusal = found[f"{inner}!/"].error or ""
    assert refusal.startswith("scratch limit: spooling it needs ")
    assert refusal.endswith(
        "past this source's scratch budget of 100 bytes (0 bytes in use); not opened "
        "(raise with --max-scratch)"
    )
    assert f"{inner}!/inner/note.txt" not in found
    assert found[f"{base}!/Documents/readme.txt"].error is None


def test_scratch_is_given_back_when_a_spool_is_removed() -> None:
    with zipfile.ZipFile(DATA / "phone.zip") as archive:
        inner = archive.getinfo("Documents/inner.zip").file_size
        tgz = archive.getinfo("Documents/backup.tar.gz").file_size
    limits = ExpandLimits(max_scratch_bytes=max(inner, tgz))  # one spool at a time fits
    found = _consume(open_evidence(str(DATA / "phone.zip"), limits=limits))
    assert not [p for p, e in found.items() if e.error]
    assert f"{DATA / 'phone.zip'}!/Documents/inner.zip!/inner/note.txt" in found


def test_a_gzipped_raw_disk_image_is_walked_into() -> None:
    found = _consume(open_evidence(str(DATA / "phone.raw.gz")))
    inside = [p for p in found if "phone.raw!/" in p]
    assert f"{DATA / 'phone.raw.gz'}!/phone.raw!/DCIM/Camera/IMG_20260101_090000.jpg" in inside
    assert not [p for p, e in found.items() if e.error]


def test_a_zipped_raw_disk_image_is_walked_into(tmp_path: Path) -> None:
    """phone.raw deflates 300-fold: within the budget, so opened as a disk image."""
    raw = DATA.parent / "phone_extraction" / "phone.raw"
    archive = tmp_path / "image.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(raw, "phone.raw")
    found = _consume(open_evidence(str(archive), scratch_dir=str(tmp_path)))
    assert f"{archive}!/phone.raw!/DCIM/Camera/IMG_20260101_090000.jpg" in found
    assert not [p for p, e in found.items() if e.error]


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="no O_NOATIME here")
def test_containers_are_opened_without_moving_their_access_times(tmp_path: Path) -> None:
    """zip, tar, 7z, gzip, bzip2 and xz read through file objects phunt opened with
    O_NOATIME, not by name (which would move the time on a read-write mount)."""
    names = ["phone.zip", "logs.tar.bz2", "logs.tar.xz", "plain.7z", "note.txt.gz"]
    names += ["note.txt.bz2", "note.txt.xz", "zeros_then_note.tar.gz"]
    evidence = tmp_path / "ev"
    evidence.mkdir()
    for name in names:
        shutil.copy(DATA / name, evidence / name)
    before = {}
    for path in evidence.iterdir():
        stat = path.stat()
        os.utime(path, (stat.st_mtime - 10 * 86400, stat.st_mtime))  # moved by any read
        before[path.name] = path.stat().st_atime_ns
    probe = tmp_path / "probe.txt"
    probe.write_text("x")
    os.utime(probe, (probe.stat().st_mtime - 10 * 86400, probe.stat().st_mtime))
    atime = probe.stat().st_atime_ns
    probe.read_bytes()
    if probe.stat().st_atime_ns == atime:
        pytest.skip("this file system does not update access times")
    found = _consume(open_evidence(str(evidence)))
    assert len([e for e in found.values() if e.error is None]) > len(names)  # members read
    assert {p.name: p.stat().st_atime_ns for p in evidence.iterdir()} == before
