"""ChatStorage.sqlite and wa.db into the case database, directly and from a zip through ingest."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.chats import browse
from phunt.chats import store as chat_store
from phunt.ingest.job import ingest
from phunt.schema.chats import ChatAttachment, ChatImport, ChatParticipant, ChatRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

IOS = TEST_DATA / "chats" / "ios"
SHARED = IOS / "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
MEDIA = "Message/Media/120363000000000001@g.us/a/1/0b5e2c1d-0000-4000-8000-000000000001.jpg"


@dataclass(frozen=True)
class _At:
    page: int = 1
    per_page: int = 50
    sort: str = "role"
    desc: bool = False


def _device(database: Database) -> str:
    with database.session() as s:
        add_device(s, "PH-I", "mobile phone")
    return "PH-I"


def test_import_keeps_owner_members_admins_and_app(database: Database) -> None:
    device = _device(database)
    with database.session() as s:
        summary = chat_store.import_export(s, SHARED, device)
    assert (summary.format, summary.app, summary.owner_phone) == (
        "whatsapp-ios",
        "whatsapp",
        "+919800000001",
    )
    assert (summary.chats, summary.messages, summary.attachments) == (2, 9, 2)
    with database.session() as s:
        group = next(c for c in chat_store.list_chats(s) if c["platform_id"].endswith("@g.us"))
        members = {
            m["key"]: (m["phone"], m["owner"], sorted(r["role"] for r in m["roles"]))
            for m in chat_store.list_members(s, group["id"])
        }
        assert members == {
            "owner": ("+919800000001", True, ["admin", "creator", "member"]),
            "+919800000002": ("+919800000002", False, ["admin", "member"]),
            "+919800000003": ("+919800000003", False, ["member"]),
            "+919800000004": ("+919800000004", False, ["left", "member"]),
        }
        assert s.scalars(select(ChatImport.app)).all() == ["whatsapp"]


def test_import_keeps_contact_names_apart_and_says_business(database: Database) -> None:
    device = _device(database)
    folder = TEST_DATA / "chats" / "w4b" / "com.whatsapp.w4b" / "databases"
    with database.session() as s:
        summary = chat_store.import_export(s, folder / "msgstore.db", device)
    assert (summary.format, summary.app) == ("whatsapp-msgstore", "whatsapp-business")
    with database.session() as s:
        rows = s.execute(
            select(ChatParticipant.key, ChatParticipant.names, ChatParticipant.contact_name)
            .join(ChatRecord, ChatRecord.id == ChatParticipant.chat_id)
            .where(ChatRecord.platform_id.endswith("@g.us"))
            .order_by(ChatParticipant.key)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("+919800000002", ["A"], "Asha (work)"),
            ("+919800000003", [], "Ravi Cousin"),
            ("+919800000004", ["Meera S"], None),
            ("owner", ["device owner"], None),
        ]
        group = next(c for c in chat_store.list_chats(s) if c["platform_id"].endswith("@g.us"))
        names = {m["key"]: m["contact_name"] for m in chat_store.list_members(s, group["id"])}
        assert names["+919800000003"] == "Ravi Cousin"
        assert s.scalars(select(ChatImport.app)).all() == ["whatsapp-business"]
        # What the web pages and the API read.
        assert browse.get_chat(s, None, group["id"]).app == "whatsapp-business"
        page = browse.list_members(s, None, group["id"], _At())
        assert {m.key: m.contact_name for m in page.items} == {
            "+919800000002": "Asha (work)",
            "+919800000003": "Ravi Cousin",
            "+919800000004": None,
            "owner": None,
        }


def test_ingest_imports_chat_storage_from_an_iphone_zip(database: Database, tmp_path: Path) -> None:
    device = _device(database)
    packed = tmp_path / "iphone.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted(SHARED.rglob("*")):
            if path.is_file():
                inside = path.relative_to(IOS).as_posix()
                archive.write(path, f"private/var/mobile/Containers/Shared/AppGroup/{inside}")
    summary = ingest(database, str(packed), device)
    [outcome] = summary.chats
    assert outcome["export"].endswith("WhatsApp.shared/ChatStorage.sqlite")
    imported = outcome["imported"]
    assert imported["warnings"] == []
    assert (imported["format"], imported["messages"], imported["owner_phone"]) == (
        "whatsapp-ios",
        9,
        "+919800000001",
    )
    picture = (SHARED / MEDIA).read_bytes()
    with database.session() as s:
        linked = s.execute(
            select(EvidenceFile.path, ChatAttachment.sha256, ChatAttachment.file_link).join(
                EvidenceFile, EvidenceFile.id == ChatAttachment.file_id
            )
        ).all()
        assert [(p.endswith(MEDIA), sha, how) for p, sha, how in linked] == [
            (True, hashlib.sha256(picture).hexdigest(), "path")
        ]
        untied = s.scalars(select(ChatAttachment).where(ChatAttachment.file_id.is_(None))).all()
        assert [(a.present, a.note) for a in untied] == [
            (False, "no local path in ZWAMEDIAITEM (not downloaded, or deleted)")
        ]


def test_ingest_reads_a_business_msgstore_with_its_wa_db(
    database: Database, tmp_path: Path
) -> None:
    device = _device(database)
    folder = TEST_DATA / "chats" / "w4b"
    packed = tmp_path / "android.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "data/data/" + path.relative_to(folder).as_posix())
    summary = ingest(database, str(packed), device)
    [outcome] = summary.chats
    assert outcome["export"].endswith("com.whatsapp.w4b/databases/msgstore.db")
    imported = outcome["imported"]
    assert (imported["format"], imported["app"], imported["warnings"]) == (
        "whatsapp-msgstore",
        "whatsapp-business",
        [],
    )
    with database.session() as s:
        saved = s.scalars(
            select(ChatParticipant.contact_name)
            .where(ChatParticipant.contact_name.is_not(None))
            .order_by(ChatParticipant.id)
        ).all()
        assert saved == ["Asha (work)", "Ravi Cousin", "Asha (work)"]
