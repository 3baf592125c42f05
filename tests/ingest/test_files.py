"""A file stored by ingest reopens from its stored locator, without walking the source."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.errors import NotFoundError
from phunt.ingest.files import open_stored_file, stored_locator
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from phunt.sources import expand
from phunt.sources.locator import close_caches
from test_lib import make_ext2_image

FILES = {"DCIM/IMG_0001.jpg": b"\xff\xd8\xff" + b"picture" * 300, "notes.txt": b"Buy bread.\n"}


@pytest.fixture
def device(database: Database) -> str:
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    return "EV-1"


def _stored(database: Database) -> dict[str, int]:
    with database.session() as s:
        rows = s.execute(select(EvidenceFile.path, EvidenceFile.id)).all()
    return {path.split("!/", 1)[-1]: file_id for path, file_id in rows}


def _reopen_without_walking(
    database: Database, monkeypatch: pytest.MonkeyPatch, ids: dict[str, int]
) -> dict[str, bytes]:
    """Read every listed file back, with the source walker made unusable."""
    close_caches()

    def no_walk(*args: object, **kwargs: object) -> object:
        raise AssertionError("the source was walked again")

    monkeypatch.setattr(expand, "open_evidence", no_walk)
    out = {}
    for name, file_id in ids.items():
        with open_stored_file(database, file_id) as stream:
            out[name] = stream.read()
    return out


def test_member_of_a_zip_reopens(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(tmp_path / "phone.zip", "w") as archive:
        for name, data in FILES.items():
            archive.writestr(name, data)
    ingest(database, str(tmp_path / "phone.zip"), device, workers=1)
    ids = _stored(database)
    assert set(ids) == set(FILES)
    assert _reopen_without_walking(database, monkeypatch, ids) == FILES
    with database.session() as s:
        where = stored_locator(s, ids["notes.txt"])
        assert where.path == str(tmp_path / "phone.zip") and where.hops[0].source == "zip"
        with open_stored_file(s, ids["notes.txt"]) as stream:
            assert stream.read() == FILES["notes.txt"]


def test_file_in_a_disk_image_reopens(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = make_ext2_image(tmp_path / "disk.raw", FILES)
    summary = ingest(database, str(image), device, workers=2)
    assert summary.files == 2 and summary.source_sha256 is not None
    ids = _stored(database)
    assert _reopen_without_walking(database, monkeypatch, ids) == FILES


def test_a_file_with_nothing_to_reopen_says_so(
    database: Database, device: str, tmp_path: Path
) -> None:
    with zipfile.ZipFile(tmp_path / "phone.zip", "w") as archive:
        archive.writestr("a.txt", b"a")
        archive.getinfo("a.txt").flag_bits |= 0x1  # marked encrypted: listed, not read
    ingest(database, str(tmp_path / "phone.zip"), device, workers=1)
    (file_id,) = _stored(database).values()
    with pytest.raises(NotFoundError, match="no content to reopen"):
        open_stored_file(database, file_id)
    with pytest.raises(NotFoundError, match="no stored file"):
        open_stored_file(database, file_id + 1000)


def test_open_stored_reads_a_member_by_locator_and_an_old_row_by_path(tmp_path: Path) -> None:
    from phunt.ingest.chat_sources import StoredFile
    from phunt.ingest.files import open_stored
    from phunt.sources.locator import Locator

    archive = tmp_path / "phone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes.txt", FILES["notes.txt"])
    member = Locator(str(archive)).child("zip", "0:notes.txt")
    stored = StoredFile(1, f"{archive}!/notes.txt", member.to_json(), 11, None, None, None)
    with open_stored(stored) as stream:
        assert stream.read() == FILES["notes.txt"]
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"older row")
    with open_stored(StoredFile(2, str(plain), None, 9, None, None, None)) as stream:
        assert stream.read() == b"older row"
    close_caches()
