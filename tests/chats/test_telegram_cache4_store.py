"""cache4.db into the case database from a phone zip through ingest: chat, roles and media."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.ingest.job import ingest
from phunt.schema.chats import ChatAttachment
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

GOOD = TEST_DATA / "chats" / "cache4" / "good"
MEDIA = "org.telegram.messenger/files/Telegram/Telegram Images/2_5000000001.jpg"


def test_ingest_imports_cache4_from_an_android_zip_with_roles(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        add_device(s, "PH-T", "mobile phone")
    packed = tmp_path / "android.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for path in sorted(GOOD.rglob("*")):
            if path.is_file():
                archive.write(path, "data/data/" + path.relative_to(GOOD).as_posix())
    summary = ingest(database, str(packed), "PH-T")
    [outcome] = summary.chats
    assert outcome["export"].endswith("org.telegram.messenger/files/cache4.db")
    imported = outcome["imported"]
    assert (imported["format"], imported["messages"], imported["owner_phone"]) == (
        "telegram-cache4",
        12,
        "+919800000001",
    )
    assert imported["warnings"] == []
    with database.session() as s:
        chats = {c["platform_id"]: c for c in chat_store.list_chats(s)}
        assert chats["chat4100000000"]["title"] == "Morning walkers"
        members = {
            m["key"]: (m["phone"], m["owner"], sorted(r["role"] for r in m["roles"]))
            for m in chat_store.list_members(s, chats["channel4100000001"]["id"])
        }
        assert members == {
            "user700001": ("+919800000001", True, ["admin", "creator", "member"]),
            "user700003": ("+919800000003", False, ["admin", "member"]),
            "user700004": ("+919800000004", False, ["member"]),
        }
        linked = s.execute(
            select(EvidenceFile.path, ChatAttachment.sha256, ChatAttachment.file_link).join(
                EvidenceFile, EvidenceFile.id == ChatAttachment.file_id
            )
        ).all()
    picture = (GOOD / MEDIA).read_bytes()
    assert [(p.endswith(MEDIA), sha, how) for p, sha, how in linked] == [
        (True, hashlib.sha256(picture).hexdigest(), "path")
    ]
