"""WhatsApp msgstore.db: current and legacy schemas, admin flags, system events, damage."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.chats.model import Chat
from phunt.chats.source import ZipChatSource
from phunt.chats.whatsapp_msgstore import WhatsAppMsgstoreParser
from phunt.errors import CorruptInput, WrongFormat

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "msgstore"


def roles_of(chat: Chat) -> dict[str, dict[str, tuple[str, bool]]]:
    return {
        pid: {name: (role.evidence, role.inferred) for name, role in p.roles.items()}
        for pid, p in chat.participants.items()
    }


GROUP_ROLES = {
    "+919800000002": {
        "member": ("row 2 of message", False),
        "admin": ("row 1 of group_participant_user", False),
    },
    "+919800000003": {"member": ("row 2 of message", False)},
    "owner": {
        "creator": ("row 1 of message", False),
        "member": ("row 1 of message", False),
        "admin": ("row 2 of message", True),
    },
    "+919800000004": {
        "member": ("row 6 of message", False),
        "removed": ("row 7 of message", False),
    },
}


def test_current_schema() -> None:
    export = WhatsAppMsgstoreParser().parse_path(DATA / "msgstore.db")
    assert export.warnings == []
    group, private = export.chats
    assert (group.platform_id, group.title, group.kind, group.message_count) == (
        "120363000000000001@g.us",
        "Ward 7 Residents",
        "group",
        9,
    )
    assert roles_of(group) == GROUP_ROLES
    # The LID sender of row 4 is shown under the phone JID that jid_map gives.
    by_id = {m.id: m for m in group.messages}
    assert by_id["4"].sender_id == "+919800000003"
    assert by_id["8"].reply_to == "3"
    assert by_id["11"].deleted
    assert by_id["2"].action == "add_members"
    assert by_id["2"].action_targets == (
        "919800000002@s.whatsapp.net",
        "919800000003@s.whatsapp.net",
    )
    assert by_id["3"].time == datetime(2026, 1, 5, 4, 32, tzinfo=UTC)
    image = (DATA / "Media/WhatsApp Images/IMG-20260105-WA0001.jpg").read_bytes()
    digest = hashlib.sha256(image).hexdigest()
    got = [
        (a.message_id, a.path, a.included, a.present, a.sha256, a.platform_sha256)
        for a in group.attachments
    ]
    assert got == [
        ("4", "Media/WhatsApp Images/IMG-20260105-WA0001.jpg", True, True, digest, digest),
        ("5", None, False, False, None, hashlib.sha256(b"a photo never downloaded").hexdigest()),
    ]
    assert (private.platform_id, private.kind, private.message_count) == (
        "919800000002@s.whatsapp.net",
        "private",
        2,
    )
    assert [(m.sender_id, m.forwarded) for m in private.messages] == [
        ("+919800000002", True),
        ("owner", False),
    ]


def test_legacy_schema() -> None:
    export = WhatsAppMsgstoreParser().parse_path(DATA / "legacy" / "msgstore.db")
    group, private = export.chats
    assert (group.platform_id, group.title, group.kind, group.message_count) == (
        "120363000000000002@g.us",
        "Market Traders",
        "group",
        3,
    )
    assert roles_of(group) == {
        "owner": {
            "member": ("row 1 of group_participants", False),
            "admin": ("row 1 of group_participants", False),
        },
        "+919800000002": {
            "member": ("row 3 of messages", False),
            "admin": ("row 2 of group_participants", False),
        },
        "+919800000003": {"member": ("row 4 of messages", False)},
    }
    [photo] = group.attachments
    assert (photo.file_name, photo.included, photo.platform_sha256) == (
        "IMG-20190301-WA0003.jpg",
        False,
        hashlib.sha256(b"legacy stall photo").hexdigest(),
    )
    assert [m.text for m in group.messages] == ["", "Stall rent due Friday", "Stall photo"]
    assert (private.platform_id, private.message_count) == ("919800000002@s.whatsapp.net", 1)


def test_bad_row_is_a_warning() -> None:
    export = WhatsAppMsgstoreParser().parse_path(DATA / "corrupt" / "msgstore_badrow.db")
    assert [str(w) for w in export.warnings] == [
        "row 8 of message: message without a usable timestamp (None); skipped"
    ]
    assert export.chats[0].message_count == 8


def test_damaged_database_is_corrupt() -> None:
    path = DATA / "corrupt" / "msgstore.db"
    assert WhatsAppMsgstoreParser.probe_path(path)
    with pytest.raises(CorruptInput, match="malformed"):
        WhatsAppMsgstoreParser().parse_path(path)


def test_evidence_untouched(tmp_path: Path) -> None:
    """The parser works on a copy: the original's bytes do not change."""
    source = tmp_path / "msgstore.db"
    shutil.copyfile(DATA / "msgstore.db", source)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    export = WhatsAppMsgstoreParser().parse_path(source)
    assert export.source_sha256 == before
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["msgstore.db"]


def _late_note_in_wal(folder: Path) -> sqlite3.Connection:
    """A copy of the fixture in ``folder`` with one committed message left in its -wal.

    The writer stays open (closing it would checkpoint the WAL into the database).
    """
    source = folder / "msgstore.db"
    shutil.copyfile(DATA / "msgstore.db", source)
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id,"
        " timestamp, message_type, text_data) VALUES (12, 1, 0, 'K12', 2, ?, 0, 'Late note')",
        (1767588600000,),
    )
    writer.commit()
    return writer


def test_committed_wal_frames_are_read(tmp_path: Path) -> None:
    source = tmp_path / "msgstore.db"
    writer = _late_note_in_wal(tmp_path)
    try:
        assert (tmp_path / "msgstore.db-wal").stat().st_size > 0
        export = WhatsAppMsgstoreParser().parse_path(source)
    finally:
        writer.close()
    assert export.chats[0].message_count == 10
    assert export.chats[0].messages[-1].text == "Late note"


def test_other_sqlite_is_not_msgstore(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    db.close()
    assert not WhatsAppMsgstoreParser.probe_path(path)
    with pytest.raises(WrongFormat):
        WhatsAppMsgstoreParser().parse_path(path)
    text = tmp_path / "plain.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(WrongFormat):
        WhatsAppMsgstoreParser().parse_path(text)


def test_legacy_bad_row_is_a_warning() -> None:
    export = WhatsAppMsgstoreParser().parse_path(DATA / "corrupt" / "legacy_badrow.db")
    assert [str(w) for w in export.warnings] == [
        "row 3 of messages: message without a usable timestamp ('yesterday'); skipped"
    ]
    assert [c.message_count for c in export.chats] == [2, 1]


def test_database_wal_and_media_from_zip_members(tmp_path: Path) -> None:
    """A phone extraction zip: db, -wal and media are members; nothing is extracted."""
    source = tmp_path / "msgstore.db"
    writer = _late_note_in_wal(tmp_path)
    try:
        extraction = tmp_path / "extraction.zip"
        with zipfile.ZipFile(extraction, "w") as archive:
            archive.write(source, "WhatsApp/Databases/msgstore.db")
            archive.write(tmp_path / "msgstore.db-wal", "WhatsApp/Databases/msgstore.db-wal")
            image = DATA / "Media/WhatsApp Images/IMG-20260105-WA0001.jpg"
            archive.write(image, "WhatsApp/Media/WhatsApp Images/IMG-20260105-WA0001.jpg")
    finally:
        writer.close()
    with zipfile.ZipFile(extraction) as archive:
        companions = ZipChatSource(archive, "WhatsApp/Databases", str(extraction))
        stored = hashlib.sha256(archive.read("WhatsApp/Databases/msgstore.db")).hexdigest()
        with archive.open("WhatsApp/Databases/msgstore.db") as member:
            assert WhatsAppMsgstoreParser.probe(member, "msgstore.db")
            member.seek(0)
            export = WhatsAppMsgstoreParser().parse(member, "msgstore.db", source=companions)
    group = export.chats[0]
    assert group.message_count == 10 and group.messages[-1].text == "Late note"
    assert group.attachments[0].present
    assert export.source_sha256 == stored
    assert export.source == f"{extraction}!/WhatsApp/Databases/msgstore.db"
