"""The demo's evidence containers, read back by phunt's own sources (what ingest walks).

Every form must give back exactly the planted files; the FAT image and its E01 must also
give back the deleted files, flagged deleted, with their content, through The Sleuth Kit
as phunt's disk-image source reads it; and an ingest of the E01 must record them so.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.cases.devices import add_device
from phunt.demo import containers, lists, media
from phunt.errors import UsageError
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.ingest.store import list_matches
from phunt.schema.db import Database
from phunt.sources.disk_image import DiskImageSource
from phunt.sources.expand import open_evidence

Found = dict[str, tuple[bytes, bool]]
Writer = Callable[[Path, dict[str, bytes]], None]
NEEDS_EWF = pytest.mark.skipif(
    shutil.which("ewfacquire") is None, reason="ewfacquire missing: apt-get install ewf-tools"
)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    rng = random.Random(5)
    many = {f"DCIM/Camera/IMG_20260101_0900{n:02d}.jpg": bytes([n]) * 700 for n in range(40)}
    return {
        "DCIM/Camera/IMG_20260101_090000.jpg": media.picture(rng),
        "WhatsApp/Media/WhatsApp Images/IMG-20260110-WA0001.jpg": media.picture(rng),
        "Movies/clip.mp4": media.video(rng),
        "Documents/shopping list.txt": b"rice, tea, bananas\n",
        "Documents/empty.txt": b"",
        "ഡയറി.txt": b"meeting at ten\n",
        **many,
    }


@pytest.fixture(scope="module")
def deleted() -> dict[str, bytes]:
    rng = random.Random(6)
    return {
        "DCIM/Camera/IMG_20260102_100000.jpg": media.picture(rng),
        "an old picture with a long name.jpg": media.picture(rng),
    }


def _read(path: Path) -> Found:
    """Each file phunt's sources find: its path in the evidence, content, deleted flag."""
    found: Found = {}
    for entry in open_evidence(str(path)):
        assert entry.error is None, entry
        inner = entry.path.split("!/", 1)[1] if "!/" in entry.path else entry.path
        if "!/" not in entry.path:
            inner = Path(inner).relative_to(path).as_posix()
        with entry.open() as handle:
            found[inner] = (handle.read(), entry.deleted)
    return found


def _planted(files: dict[str, bytes], deleted: dict[str, bytes] | None = None) -> Found:
    return {
        **{k: (v, False) for k, v in files.items()},
        **{k: (v, True) for k, v in (deleted or {}).items()},
    }


@pytest.mark.parametrize(
    ("writer", "name"),
    [
        (containers.write_folder, "phone"),
        (containers.write_zip, "phone.zip"),
        (containers.write_7z, "phone.7z"),
    ],
)
def test_folders_and_archives_give_back_every_file(
    tmp_path: Path, files: dict[str, bytes], writer: Writer, name: str
) -> None:
    writer(tmp_path / name, files)
    assert _read(tmp_path / name) == _planted(files)


def test_the_fat_image_gives_back_live_and_deleted_files(
    tmp_path: Path, files: dict[str, bytes], deleted: dict[str, bytes]
) -> None:
    image = tmp_path / "card.raw"
    containers.write_fat_image(image, files, deleted)
    source = DiskImageSource(str(image))
    assert source.volumes == [("", "FAT")]  # a bare file system, no partition table
    assert source.warnings == []
    assert _read(image) == _planted(files, deleted)
    assert image.stat().st_size < 4 << 20


def test_the_same_files_give_the_same_bytes(
    tmp_path: Path, files: dict[str, bytes], deleted: dict[str, bytes]
) -> None:
    assert containers.fat_image(files, deleted) == containers.fat_image(files, deleted)
    for writer, name in ((containers.write_zip, "a.zip"), (containers.write_7z, "a.7z")):
        writer(tmp_path / "one" / name, files)
        writer(tmp_path / "two" / name, files)
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


@NEEDS_EWF
def test_the_e01_holds_the_same_files_as_the_fat_image(
    tmp_path: Path, files: dict[str, bytes], deleted: dict[str, bytes]
) -> None:
    made = containers.write_e01(tmp_path / "EV-3_1.E01", files, deleted)
    assert made == tmp_path / "EV-3_1.E01"
    assert made.read_bytes()[:8] == b"EVF\x09\x0d\x0a\xff\x00"
    assert _read(made) == _planted(files, deleted)


@NEEDS_EWF
def test_an_ingest_of_the_e01_records_the_deleted_known_picture(
    database: Database, tmp_path: Path, files: dict[str, bytes], deleted: dict[str, bytes]
) -> None:
    known = deleted["DCIM/Camera/IMG_20260102_100000.jpg"]
    listed = tmp_path / "known.json"
    listed.write_bytes(lists.vics_json([(known, 1), (files["Movies/clip.mp4"], 2)]))
    made = containers.write_e01(tmp_path / "EV-3_1.E01", files, deleted)
    with database.session() as s:
        import_hash_list(s, str(listed), name="vics")
        add_device(s, "EV-3/1", "memory card")
    summary = ingest(database, str(made), "EV-3/1", workers=1)
    with database.session() as s:
        matches = list_matches(s, "EV-3/1")
    found = {(m["path"].split("!/", 1)[1], m["deleted"], m["category"]) for m in matches}
    assert found == {
        ("DCIM/Camera/IMG_20260102_100000.jpg", True, 1),
        ("Movies/clip.mp4", False, 2),
    }
    assert summary.files == len(files) + len(deleted)


def test_paths_that_could_leave_the_device_or_clash_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="relative path without"):
        containers.write_folder(tmp_path, {"../outside.txt": b"x"})
    with pytest.raises(UsageError, match="given twice"):
        containers.fat_image({"a.txt": b"x"}, {"a.txt": b"y"})
    with pytest.raises(UsageError, match="is a file, not a folder"):
        containers.fat_image({"a": b"x", "a/b.txt": b"y"}, {})


def test_a_missing_ewfacquire_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="apt-get install ewf-tools"):
        containers.write_e01(tmp_path / "x.E01", {"a.txt": b"x"}, {})
