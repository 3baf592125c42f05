"""WhatsApp on iPhone (ChatStorage.sqlite): members, admins, messages, media, owner, damage."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.chats import detect, summarise
from phunt.chats.candidate import chat_candidate
from phunt.chats.model import Chat
from phunt.chats.source import ZipChatSource
from phunt.chats.whatsapp_ios import WhatsAppIosParser
from phunt.chats.whatsapp_ios_rows import apple_time
from phunt.chats.whatsapp_msgstore import WhatsAppMsgstoreParser
from phunt.errors import CorruptInput, WrongFormat

IOS = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "ios"
SHARED = IOS / "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
MEDIA = "Media/120363000000000001@g.us/a/1/0b5e2c1d-0000-4000-8000-000000000001.jpg"


def roles_of(chat: Chat) -> dict[str, dict[str, str]]:
    return {
        pid: {name: role.evidence for name, role in p.roles.items()}
        for pid, p in chat.participants.items()
    }


def test_group_members_admins_and_creator() -> None:
    export = WhatsAppIosParser().parse_path(SHARED)
    assert (export.format, export.platform, export.app, export.warnings) == (
        "whatsapp-ios",
        "whatsapp",
        "whatsapp",
        [],
    )
    group, private = export.chats
    assert (group.platform_id, group.title, group.kind, group.message_count) == (
        "120363000000000001@g.us",
        "Book Club",
        "group",
        6,
    )
    assert roles_of(group) == {
        "owner": {
            "creator": "row 1 of ZWAGROUPINFO",
            "member": "row 4 of ZWAMESSAGE",
            "admin": "row 1 of ZWAGROUPMEMBER",
        },
        "+919800000002": {"member": "row 2 of ZWAMESSAGE", "admin": "row 2 of ZWAGROUPMEMBER"},
        "+919800000003": {"member": "row 3 of ZWAMESSAGE"},
        "+919800000004": {"member": "row 6 of ZWAMESSAGE", "left": "row 4 of ZWAGROUPMEMBER"},
    }
    people = group.participants
    assert people["owner"].roles["creator"].first_seen == datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
    assert people["+919800000002"].names == ["Asha Library", "Asha R"]
    assert people["+919800000003"].names == ["Ravi K", "Ravi"]
    assert people["+919800000004"].phone_raw == "919800000004@s.whatsapp.net"
    assert [p.message_count for p in people.values()] == [1, 1, 1, 1]
    assert (private.platform_id, private.title, private.kind, private.message_count) == (
        "919800000002@s.whatsapp.net",
        "Asha Library",
        "private",
        3,
    )


def test_messages_dates_events_and_deletions() -> None:
    group, private = WhatsAppIosParser().parse_path(SHARED / "ChatStorage.sqlite").chats
    got = [(m.id, m.time, m.sender_id, m.text, m.action) for m in group.messages]
    at = [datetime(2026, 1, 5, 4, 30 + n, tzinfo=UTC) for n in range(6)]
    assert got == [
        ("1", at[0], "owner", "", "system:2"),
        ("2", at[1], "+919800000002", "Good morning, everyone", None),
        ("3", at[2], "+919800000003", "Morning! The meeting is at ten", None),
        ("4", at[3], "owner", "Here is the agenda", None),
        ("5", at[4], "+919800000004", "", "system:3"),
        ("6", at[5], "+919800000004", "A picture that was not downloaded", None),
    ]
    assert [(m.sender_id, m.text, m.deleted) for m in private.messages] == [
        ("+919800000002", "See you at the library", False),
        ("owner", "Yes, at five", False),
        ("+919800000002", "", True),
    ]
    assert [m.location for m in private.messages] == [
        "row 7 of ZWAMESSAGE",
        "row 8 of ZWAMESSAGE",
        "row 9 of ZWAMESSAGE",
    ]


def test_media_linked_by_local_path() -> None:
    group, _ = WhatsAppIosParser().parse_path(SHARED).chats
    image = (SHARED / "Message" / MEDIA).read_bytes()
    digest = hashlib.sha256(image).hexdigest()
    got = [
        (a.message_id, a.file_name, a.path, a.included, a.present, a.sha256, a.size, a.note)
        for a in group.attachments
    ]
    assert got == [
        ("4", MEDIA.rsplit("/", 1)[1], MEDIA, True, True, digest, len(image), None),
        ("6", None, None, False, False, None, 52000, got[1][7]),
    ]
    assert got[1][7] == "no local path in ZWAMEDIAITEM (not downloaded, or deleted)"
    assert group.messages[3].attachments == (group.attachments[0],)


def test_owner_from_preferences_plist() -> None:
    export = WhatsAppIosParser().parse_path(SHARED)
    assert export.owner is not None
    assert (export.owner.id, export.owner.phone, export.owner.phone_raw) == (
        "owner",
        "+919800000001",
        "919800000001@s.whatsapp.net",
    )
    owner = export.chats[0].participants["owner"]
    assert (owner.phone, owner.names) == ("+919800000001", ["device owner"])


def test_without_plist_the_owner_is_unknown(tmp_path: Path) -> None:
    shutil.copyfile(SHARED / "ChatStorage.sqlite", tmp_path / "ChatStorage.sqlite")
    export = WhatsAppIosParser().parse_path(tmp_path)
    assert export.owner is None
    # Unknown own address: the owner's member row stays a participant of its own number.
    people = export.chats[0].participants
    assert (people["owner"].phone, set(people["owner"].roles)) == (None, {"member"})
    assert people["+919800000001"].roles["admin"].evidence == "row 1 of ZWAGROUPMEMBER"
    assert [a.note for a in export.chats[0].attachments] == [
        "file missing",
        "no local path in ZWAMEDIAITEM (not downloaded, or deleted)",
    ]


def test_bad_row_is_a_warning_naming_table_and_row() -> None:
    export = WhatsAppIosParser().parse_path(IOS / "corrupt" / "badrow" / "ChatStorage.sqlite")
    assert [str(w) for w in export.warnings] == [
        "row 3 of ZWAMESSAGE: message without a usable date ('yesterday'); skipped"
    ]
    assert [c.message_count for c in export.chats] == [5, 3]


def test_missing_table_is_corrupt_naming_the_table() -> None:
    path = IOS / "corrupt" / "missing_table" / "ChatStorage.sqlite"
    assert detect(path) is WhatsAppIosParser
    with pytest.raises(CorruptInput, match="no table ZWAMESSAGE") as caught:
        WhatsAppIosParser().parse_path(path)
    assert caught.value.location == "table ZWAMESSAGE"


def test_other_sqlite_is_not_chat_storage(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR)")
    db.close()
    assert not WhatsAppIosParser.probe_path(other)
    with pytest.raises(WrongFormat):
        WhatsAppIosParser().parse_path(other)
    # ... and a ChatStorage.sqlite under another name is still found by its tables.
    renamed = tmp_path / "copy.sqlite"
    shutil.copyfile(SHARED / "ChatStorage.sqlite", renamed)
    assert detect(renamed) is WhatsAppIosParser
    assert not WhatsAppMsgstoreParser.probe_path(renamed)


def test_detected_and_summarised_from_the_app_folder() -> None:
    assert detect(SHARED) is WhatsAppIosParser
    doc = summarise(WhatsAppIosParser().parse_path(SHARED))
    assert (doc["format"], doc["app"]) == ("whatsapp-ios", "whatsapp")
    assert [c["title"] for c in doc["chats"]] == ["Book Club", "Asha Library"]


def test_whatsapp_business_app_folder(tmp_path: Path) -> None:
    business = tmp_path / "AppDomainGroup-group.net.whatsapp.WhatsAppSMB.shared"
    shutil.copytree(SHARED, business)
    export = WhatsAppIosParser().parse_path(business)
    assert (export.app, summarise(export)["app"]) == ("whatsapp-business", "whatsapp-business")


def test_candidate_names() -> None:
    root = "phone.zip!/private/var/mobile/ChatStorage.sqlite"
    found = chat_candidate(root)
    assert found is not None and (found.app, found.form, found.root) == (
        "whatsapp",
        "chatstorage",
        root,
    )
    wal = chat_candidate(root + "-wal")
    assert wal is not None and (wal.form, wal.root, wal.importable) == ("journal", root, False)
    assert chat_candidate("x/ChatStorage.sqlite.bak") is None


def test_apple_time() -> None:
    assert apple_time(0.5) == datetime(2001, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert apple_time(789280200) == datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
    assert [apple_time(v) for v in (None, "x", -1, True, 1e300)] == [None] * 5


def test_database_and_media_from_zip_members(tmp_path: Path) -> None:
    """An iOS extraction zip: database and media are members; nothing is extracted."""
    extraction = tmp_path / "iphone.zip"
    with zipfile.ZipFile(extraction, "w") as archive:
        for path in sorted(SHARED.rglob("*")):
            if path.is_file():
                archive.write(path, "private/var/" + path.relative_to(IOS).as_posix())
    folder = "private/var/AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
    with zipfile.ZipFile(extraction) as archive:
        companions = ZipChatSource(archive, folder, str(extraction))
        stream = companions.open("ChatStorage.sqlite")
        assert stream is not None
        with stream:
            export = WhatsAppIosParser().parse(stream, "ChatStorage.sqlite", source=companions)
    assert export.source == f"{extraction}!/{folder}/ChatStorage.sqlite"
    assert export.owner is not None and export.owner.phone == "+919800000001"
    [picture, _] = export.chats[0].attachments
    assert (picture.present, picture.sha256) == (
        True,
        hashlib.sha256((SHARED / "Message" / MEDIA).read_bytes()).hexdigest(),
    )
    assert list(tmp_path.iterdir()) == [extraction]


def test_unreadable_preferences_plist_is_a_warning(tmp_path: Path) -> None:
    shutil.copyfile(SHARED / "ChatStorage.sqlite", tmp_path / "ChatStorage.sqlite")
    prefs = tmp_path / "Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist"
    prefs.parent.mkdir(parents=True)
    prefs.write_bytes(b"bplist00 not really")
    export = WhatsAppIosParser().parse_path(tmp_path)
    [warning] = export.warnings
    assert warning.location == str(tmp_path / prefs.relative_to(tmp_path))
    assert warning.message.startswith("unreadable preferences plist (")
    assert warning.message.endswith("); owner's number unknown")
    assert export.owner is None and export.chats[0].message_count == 6


def test_builds_without_optional_columns_still_parse(tmp_path: Path) -> None:
    """Older builds lack some columns: read as NULL, not as damage."""
    older = tmp_path / "ChatStorage.sqlite"
    shutil.copyfile(SHARED / "ChatStorage.sqlite", older)
    with sqlite3.connect(older) as db:
        for table, column in [
            ("ZWAMESSAGE", "ZPUSHNAME"),
            ("ZWAMESSAGE", "ZGROUPEVENTTYPE"),
            ("ZWAGROUPMEMBER", "ZFIRSTNAME"),
            ("ZWAGROUPMEMBER", "ZISACTIVE"),
            ("ZWAMEDIAITEM", "ZTITLE"),
            ("ZWACHATSESSION", "ZPARTNERNAME"),
        ]:
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute("INSERT INTO ZWAMESSAGE (Z_PK, ZMESSAGEDATE, ZTEXT) VALUES (99, 789280200, '')")
    db.close()
    export = WhatsAppIosParser().parse_path(older)
    assert [str(w) for w in export.warnings] == [
        "table ZWAMESSAGE: 1 rows without a chat (ZCHATSESSION empty); skipped"
    ]
    group, private = export.chats
    assert (group.title, group.message_count, private.message_count) == (None, 6, 3)
    assert [m.action for m in group.messages if m.action] == ["system:None", "system:None"]
    assert set(group.participants["+919800000004"].roles) == {"member"}
    assert group.participants["+919800000003"].names == ["Ravi K"]
    assert (group.attachments[0].path, group.attachments[0].note) == (MEDIA, "file missing")


def test_missing_required_column_is_corrupt_naming_the_table(tmp_path: Path) -> None:
    damaged = tmp_path / "ChatStorage.sqlite"
    shutil.copyfile(SHARED / "ChatStorage.sqlite", damaged)
    with sqlite3.connect(damaged) as db:
        db.execute("ALTER TABLE ZWAMESSAGE DROP COLUMN ZMESSAGEDATE")
    db.close()
    with pytest.raises(CorruptInput, match="no such column") as caught:
        WhatsAppIosParser().parse_path(damaged)
    assert caught.value.location == "table ZWAMESSAGE"
