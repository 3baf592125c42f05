"""The demo's hash lists import through phunt's hash-set import and match what was planted.

Each list is imported as an examiner would (format found by phunt's detection), its entries
read back with their categories, and a device holding exact copies, forwarded copies and
unlisted files is ingested against them: only the listed files and their copies match.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from phunt.cases.devices import add_device
from phunt.demo import lists, media
from phunt.errors import UsageError
from phunt.hashsets.categories import VICS_US, Category
from phunt.hashsets.store import entries_of, import_hash_list
from phunt.ingest.job import ingest
from phunt.ingest.store import list_matches
from phunt.schema.db import Database

#: Five pictures and two videos, drawn in turn from one seed (module-wide: they are only read).
_RNG = random.Random(20)
PICTURES = [media.picture(_RNG) for _ in range(5)]
VIDEOS = [media.video(_RNG) for _ in range(2)]


@pytest.fixture
def pictures() -> list[bytes]:
    return PICTURES


@pytest.fixture
def videos() -> list[bytes]:
    return VIDEOS


def _import(db: Database, path: Path, data: bytes | None, name: str) -> int:
    assert data is not None
    path.write_bytes(data)
    with db.session() as s:
        return import_hash_list(s, str(path), name=name, source_agency="demo unit").entries


def test_the_vics_set_imports_each_file_with_its_category(
    database: Database, tmp_path: Path, pictures: list[bytes], videos: list[bytes]
) -> None:
    known = [(pictures[0], 1), (pictures[1], 2), (videos[0], 3), (pictures[2], 0)]
    assert _import(database, tmp_path / "known.json", lists.vics_json(known), "vics") == 4
    with database.session() as s:
        read = [entry for _, entry in entries_of(s, "vics")]
    assert [e.category for e in read] == [Category(c, VICS_US) for _, c in known]
    assert [e.hashes["md5"] for e in read] == [hashlib.md5(d).hexdigest() for d, _ in known]
    assert [e.hashes["sha1"] for e in read] == [hashlib.sha1(d).hexdigest() for d, _ in known]


def test_the_pdq_and_vpdq_lists_import_one_entry_per_file(
    database: Database, tmp_path: Path, pictures: list[bytes], videos: list[bytes]
) -> None:
    pdq = lists.pdq_list(pictures[:3], [1, 2, 1])
    assert _import(database, tmp_path / "pdq.csv", pdq, "pdq") == 3
    assert _import(database, tmp_path / "vpdq.csv", lists.vpdq_list(videos), "vpdq") == 2
    with database.session() as s:
        read_pdq = [entry for _, entry in entries_of(s, "pdq")]
        read_vpdq = [entry for _, entry in entries_of(s, "vpdq")]
    assert [set(e.hashes) for e in read_pdq] == [{"pdq"}] * 3
    assert [e.category for e in read_pdq] == [Category(c, VICS_US) for c in (1, 2, 1)]
    assert [e.hashes["vpdq"].count(",") for e in read_vpdq] == [6, 6]  # two frames each
    assert [e.category for e in read_vpdq] == [None, None]


def test_the_lists_match_the_planted_files_and_their_copies_only(
    database: Database, tmp_path: Path, pictures: list[bytes], videos: list[bytes]
) -> None:
    _import(database, tmp_path / "known.json", lists.vics_json([(pictures[0], 1)]), "vics")
    _import(database, tmp_path / "pdq.csv", lists.pdq_list(pictures[1:3], [2, 3]), "pdq")
    _import(database, tmp_path / "vpdq.csv", lists.vpdq_list(videos[:1]), "vpdq")
    rng = random.Random(1)
    device = {
        "exact.jpg": pictures[0],
        "resized.jpg": media.forward(pictures[1], "picture", "resize", rng),
        "mirrored.jpg": media.forward(pictures[2], "picture", "mirror", rng),
        "unlisted.jpg": pictures[3],
        "unlisted-copy.jpg": media.forward(pictures[4], "picture", "crop", rng),
        "reencoded.mp4": media.forward(videos[0], "video", "reencode", rng),
        "unlisted.mp4": videos[1],
    }
    folder = tmp_path / "phone"
    folder.mkdir()
    for name, data in device.items():
        (folder / name).write_bytes(data)
    with database.session() as s:
        add_device(s, "EV-1/1", "mobile phone")
    ingest(database, str(folder), "EV-1/1", workers=1)
    with database.session() as s:
        matches = list_matches(s, "EV-1/1")
    found = {(Path(m["path"]).name, m["hash_set"], m["category"]) for m in matches}
    assert found == {
        ("exact.jpg", "vics", 1),
        ("resized.jpg", "pdq", 2),
        ("mirrored.jpg", "pdq", 3),
        ("reencoded.mp4", "vpdq", None),
    }


def test_a_category_outside_vics_is_refused_naming_the_file(pictures: list[bytes]) -> None:
    with pytest.raises(UsageError, match="file 2: category 7 is not a VICS code"):
        lists.vics_json([(pictures[0], 1), (pictures[1], 7)])
    with pytest.raises(UsageError, match="2 files but 1 categories"):
        lists.pdq_list(pictures[:2], [1])
