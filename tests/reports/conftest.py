"""The reports' world: one case with two seized devices, ingested for real.

Phone EV-7/1 is phone A of ``test_data/chats_devices`` (a WhatsApp msgstore.db and its
media) plus generated benign pictures, one of them re-saved smaller; EV-7/2 is a memory
card of generated pictures. The unit's CSV list declares three pictures known, with
categories: two by SHA-256 and one by the PDQ of the original of the re-saved picture, so
the phone has exact and near matches, chats and a reviewer's decision.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from browse_world import add_job
from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.demo import make_device_folder
from phunt.hashing.pdq import hash_image_file
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.review.decisions import Choice, decide
from phunt.schema.db import Database
from test_lib import TEST_DATA, postgres_schema

PHONE_A = TEST_DATA / "chats_devices" / "phone_a"
E01_SHA256 = "e0" * 32
E01_SEGMENTS = {"card.E01": "e0" * 32, "card.E02": "e2" * 32}
E01_MD5 = "5d41402abc4b2a76b9719d911017c592"
E01_VERIFICATION = {"ewf": {"stored_md5": E01_MD5, "computed_md5": E01_MD5, "ok": True}}


@dataclass(frozen=True)
class Sources:
    phone: Path
    card: Path
    hash_list: Path
    sha256: dict[str, str]
    """Known picture name -> SHA-256 of its bytes as listed."""


@dataclass(frozen=True)
class ReportWorld:
    case_id: int
    phone: int
    card: int
    sources: Sources


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    from PIL import Image

    root = tmp_path_factory.mktemp("report-sources")
    phone, card = root / "phone", root / "card"
    shutil.copytree(PHONE_A, phone)
    made = make_device_folder(phone, seed=11, pictures=3)
    original = root / "original.jpg"
    shutil.move(made[2], original)
    with Image.open(original) as img:
        smaller = img.resize((img.width * 3 // 4, img.height * 3 // 4))
    smaller.save(made[2], "JPEG", quality=60)
    make_device_folder(card, seed=12, pictures=2)
    shutil.copy(made[0], card / "DCIM" / "copy.jpg")
    whatsapp = next((phone / "Media" / "WhatsApp Images").glob("*.jpg"))
    known = {"whatsapp": whatsapp, "camera": made[0]}
    sha = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in known.items()}
    pdq = hash_image_file(str(original)).hash.hex
    hash_list = root / "unit-list.csv"
    rows = [
        "sha256,pdq,category",
        f"{sha['whatsapp']},,1",
        f"{sha['camera']},,2",
        f",{pdq},1",
    ]
    hash_list.write_text("\n".join(rows) + "\n")
    return Sources(phone, card, hash_list, sha)


def build(database: Database, sources: Sources) -> ReportWorld:
    """Record the case, its devices and custody, import the list, ingest both devices and
    record one reviewer's decision."""
    with database.session() as s:
        case = open_case(
            s, "CR 7/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B", "POCSO s.15"]
        )
        suspect = add_suspect(s, case.id, "Arun Example", phones=["+91 98470 10000"])
        phone = add_device(
            s, "EV-7/1", "mobile phone", make="Acme", model="Phone 5", serial="SN-0451",
            imei="356938035643809", case_id=case.id, suspect_id=suspect.id,
        )  # fmt: skip
        card = add_device(s, "EV-7/2", "memory card", make="Cardco", case_id=case.id)
        seized = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)
        log_custody(s, "EV-7/1", "seized", "SI Ravi Example", seized, "sealed bag 14")
        log_custody(
            s, "EV-7/1", "received", "Lab Clerk Mini", datetime(2026, 5, 3, 11, 0, tzinfo=UTC)
        )
        log_custody(s, "EV-7/2", "seized", "SI Ravi Example", seized)
        import_hash_list(
            s, str(sources.hash_list), name="unit-list", category_scheme="vics-us-2.0",
            source_agency="State cyber unit",
        )  # fmt: skip
        ids = (case.id, phone.id, card.id)
    ingest(database, str(sources.phone), "EV-7/1")
    ingest(database, str(sources.card), "EV-7/2")
    with database.session() as s:  # an E01 acquisition of the card, as its facts are stored
        add_job(s, "EV-7/2", "/evidence/card.E01", kind="ewf", sha256=E01_SHA256,
                segments=E01_SEGMENTS, verification=E01_VERIFICATION)  # fmt: skip
    with database.session() as s:
        from phunt.ingest.store import list_matches

        camera = [m for m in list_matches(s, "EV-7/1") if m["sha256"] == sources.sha256["camera"]]
        file_id = _file_id(s, ids[1], camera[0]["path"])
        decide(s, [file_id], Choice(code=2, note="confirmed on review"))
    return ReportWorld(ids[0], ids[1], ids[2], sources)


def _file_id(session: object, device_id: int, path: str) -> int:
    from phunt.ingest.browse_files import FileFilter, device_files

    rows, _ = device_files(session, device_id, FileFilter(matched=True))  # type: ignore[arg-type]
    return next(r.id for r in rows if r.path == path)


@pytest.fixture
def world(database: Database, sources: Sources) -> ReportWorld:
    """A world of its own, for a test that changes it."""
    return build(database, sources)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sources: Sources
) -> Iterator[tuple[Database, ReportWorld]]:
    """One world per module and database kind, for tests that only read it and write
    reports (which change no fact); isolated like ``database`` (no PHUNT_* of the user's,
    no write to the user's cache)."""
    tmp = tmp_path_factory.mktemp("report-world")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("PHUNT_HOME", "PHUNT_DATABASE_URL", "PHUNT_TIMEZONE", "PHUNT_ACTOR"):
            mp.delenv(name, raising=False)
        mp.setenv("PHUNT_HOME", str(tmp / "phunt-home"))
        mp.setenv("PHUNT_CACHE", str(tmp / "phunt-cache"))
        urls = (
            iter([f"sqlite:///{tmp / 'phunt.db'}"])
            if request.param == "sqlite"
            else postgres_schema()
        )
        for url in urls:
            db = Database(url)
            try:
                yield db, build(db, sources)
            finally:
                db.close()
