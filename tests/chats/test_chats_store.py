"""Chat imports on both databases: rows, roles with evidence, media matches, flags, audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from phunt.audit.store import verify
from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.chats import store_writer
from phunt.chats.keywords import Watchlist
from phunt.errors import CorruptInput, NotFoundError, UsageError
from phunt.hashsets import store as hashset_store
from phunt.schema.audit import AuditRecord
from phunt.schema.chats import ChatImport, ChatMediaMatch, ChatMessage, ChatParticipant
from phunt.schema.db import Database
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PHONE_A = DEVICES / "phone_a" / "msgstore.db"
PHONE_B = DEVICES / "phone_b" / "msgstore.db"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"


def _setup(database: Database, tmp_path: Path, *, listed: bool = True) -> None:
    with database.session() as s:
        add_device(s, "PH-A", "mobile phone")
        add_device(s, "PH-B", "mobile phone")
        if listed:
            known = tmp_path / "known.txt"
            known.write_text(hashlib.sha256(PICTURE.read_bytes()).hexdigest() + "\n")
            hashset_store.import_hash_list(s, str(known), name="unit-list")


def test_import_stores_chat_roles_messages_and_file_match(
    database: Database, tmp_path: Path
) -> None:
    _setup(database, tmp_path)
    with database.session() as s:
        summary = chat_store.import_export(s, PHONE_A, "PH-A", owner_phone="98000 00001")
    assert (summary.platform, summary.format, summary.owner_phone) == (
        "whatsapp",
        "whatsapp-msgstore",
        "+919800000001",
    )
    assert (summary.chats, summary.participants, summary.messages) == (1, 3, 5)
    assert (summary.attachments, summary.matched_attachments) == (1, 1)
    assert summary.source_sha256 == hashlib.sha256(PHONE_A.read_bytes()).hexdigest()
    with database.session() as s:
        [group] = chat_store.list_chats(s)
        assert (group["device"], group["platform_id"], group["members"]) == (
            "PH-A",
            "1203630000000000@g.us",
            3,
        )
        assert group["known_bad"] is True
        members = {m["phone"]: m for m in chat_store.list_members(s, group["id"])}
        owner = members["+919800000001"]
        assert owner["owner"] is True
        creator = next(r for r in owner["roles"] if r["role"] == "creator")
        assert (creator["evidence"], creator["inferred"]) == ("row 1 of message", False)
        assert members["+919800000002"]["known_bad_sent"] == 1
        messages = chat_store.list_messages(s, group["id"])
        assert [m["message"] for m in messages] == ["1", "2", "3", "4", "5"]
        flagged = chat_store.list_messages(s, group["id"], flagged_only=True)
        assert [m["sender"] for m in flagged] == ["+919800000002"]
        [att] = flagged[0]["attachments"]
        assert (att["present"], att["known_bad"]) == (True, True)
        assert att["matches"][0] | {"entry": 0} == {
            "hashset": "unit-list",
            "version": 1,
            "entry": 0,
            "kind": "sha256",
            "source": "file",
            "distance": 0,
        }
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "chats.import")).one()
        assert record.details["source_sha256"] == summary.source_sha256
        assert record.details["messages"] == 5
        assert verify(s).ok


def test_app_recorded_hash_matches_when_the_file_is_gone(
    database: Database, tmp_path: Path
) -> None:
    _setup(database, tmp_path)
    with database.session() as s:
        summary = chat_store.import_export(s, PHONE_B, "PH-B", owner_phone="+919800000002")
        assert summary.matched_attachments == 1
        match = s.scalars(select(ChatMediaMatch)).one()
        assert (match.kind, match.hash_source) == ("sha256", "platform")
        owner = s.scalars(select(ChatParticipant).where(ChatParticipant.is_owner)).all()
        assert sorted((p.phone, p.known_bad_sent) for p in owner) == [
            ("+919800000002", 0),  # the private chat
            ("+919800000002", 1),  # the group, where the owner sent the listed file
        ]
        private = chat_store.list_chats(s, device_ref="PH-B", groups_only=False)
        assert [c["kind"] for c in private] == ["group", "private"]


def test_same_export_twice_on_one_device_is_refused(database: Database, tmp_path: Path) -> None:
    _setup(database, tmp_path, listed=False)
    with database.session() as s:
        assert chat_store.import_export(s, PHONE_A, "PH-A").matched_attachments == 0
    with database.session() as s, pytest.raises(UsageError, match="already imported"):
        chat_store.import_export(s, PHONE_A, "PH-A")
    with database.session() as s:
        chat_store.import_export(s, PHONE_A, "PH-B")
        assert s.scalar(select(func.count()).select_from(ChatImport)) == 2


def test_watchlist_hits_are_stored_and_flag_messages(database: Database, tmp_path: Path) -> None:
    _setup(database, tmp_path, listed=False)
    words = Watchlist(["saturday"], [r"river\s+novel"])
    with database.session() as s:
        summary = chat_store.import_export(s, PHONE_A, 1, watchlist=words)
        assert summary.keyword_hits == 2
        [chat] = chat_store.list_chats(s)
        flagged = chat_store.list_messages(s, chat["id"], flagged_only=True)
        assert [(m["message"], m["keywords"]) for m in flagged] == [
            ("3", [r"river\s+novel"]),
            ("5", ["saturday"]),
        ]


def test_telegram_export_streams_in_batches(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_writer, "BATCH", 2)
    _setup(database, tmp_path, listed=False)
    export = TEST_DATA / "chats" / "telegram" / "full_export"
    with database.session() as s:
        summary = chat_store.import_export(s, export, "PH-A")
        assert (summary.platform, summary.chats, summary.messages) == ("telegram", 4, 9)
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == 9
        owner = s.scalars(select(ChatParticipant).where(ChatParticipant.is_owner)).first()
        assert owner is not None and owner.platform_user_id == "user1001"
        named = s.scalars(
            select(ChatParticipant).where(ChatParticipant.key == "name:Asha Menon")
        ).one()
        assert named.platform_user_id is None


def test_owner_number_defaults_to_the_suspects_only_number(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        case = open_case(s, "CR 7/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        suspect = add_suspect(s, case.id, "Invented Person", phones=["+919800000001"])
        add_device(s, "PH-A", "mobile phone", suspect_id=suspect.id)
    with database.session() as s:
        assert chat_store.import_export(s, PHONE_A, "PH-A").owner_phone == "+919800000001"


def test_corrupt_export_raises_and_stores_nothing(database: Database, tmp_path: Path) -> None:
    _setup(database, tmp_path, listed=False)
    with database.session() as s:
        with pytest.raises(CorruptInput):
            chat_store.import_export(s, DEVICES / "corrupt" / "msgstore.db", "PH-A")
        chat_store.import_export(s, PHONE_B, "PH-A")  # the same session goes on
    with database.session() as s:
        [imp] = s.scalars(select(ChatImport)).all()
        assert imp.source_path == str(PHONE_B)
        assert s.scalar(select(func.count()).select_from(ChatMessage)) == 6
        with pytest.raises(UsageError, match="no such chat export"):
            chat_store.import_export(s, tmp_path / "missing.db", "PH-A")
        with pytest.raises(NotFoundError):
            chat_store.list_members(s, 999)


def test_import_keeps_the_invite_links_on_the_chat(database: Database, tmp_path: Path) -> None:
    _setup(database, tmp_path, listed=False)
    wordings = TEST_DATA / "chats" / "variants" / "wordings"
    with database.session() as s:
        chat_store.import_export(s, wordings, "PH-A")
    with database.session() as s:
        [group] = chat_store.list_chats(s)
        row = chat_store.get_chat(s, group["id"])
        assert row.invite_links == {"https://chat.whatsapp.com/AbCdEfGhIjKlMnOp12": "line 7"}
        assert row.title == "Ward Notices"
