"""wa.db beside msgstore.db: the owner's address-book names, and WhatsApp Business databases."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from phunt.chats import summarise
from phunt.chats.model import ChatExport
from phunt.chats.source import FolderChatSource, NoCompanions
from phunt.chats.whatsapp_contacts import read_contacts
from phunt.chats.whatsapp_msgstore import WhatsAppMsgstoreParser

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats"
CONTACTS = DATA / "contacts"


def names(export: ChatExport) -> list[dict[str, tuple[list[str], str | None]]]:
    return [
        {p.id: (p.names, p.contact_name) for p in chat.participants.values()}
        for chat in export.chats
    ]


def test_contact_names_joined_to_participants() -> None:
    export = WhatsAppMsgstoreParser().parse_path(CONTACTS / "msgstore.db")
    assert export.warnings == []
    assert names(export) == [
        {
            "+919800000002": (["A"], "Asha (work)"),
            "+919800000003": ([], "Ravi Cousin"),
            "owner": (["device owner"], None),
            "+919800000004": (["Meera S"], None),
        },
        {"+919800000002": (["A"], "Asha (work)"), "owner": (["device owner"], None)},
    ]
    asha = summarise(export)["chats"][0]["participants"][0]
    assert (asha["id"], asha["name"], asha["contact_name"]) == ("+919800000002", "A", "Asha (work)")
    assert "contact_name" not in summarise(export)["chats"][0]["participants"][2]


def test_read_contacts_by_jid() -> None:
    export = ChatExport("whatsapp", "whatsapp-msgstore", "x")
    assert read_contacts(FolderChatSource(CONTACTS), export) == {
        "919800000002@s.whatsapp.net": ("Asha (work)", "A"),
        "919800000003@s.whatsapp.net": ("Ravi Cousin", None),
        "919800000099@s.whatsapp.net": ("Not In Chats", None),
        "120363000000000001@g.us": ("A group row", None),
        "919800000004@s.whatsapp.net": (None, "Meera S"),
    }
    assert read_contacts(NoCompanions(), export) == {}
    assert export.warnings == []


def test_given_and_family_name_when_no_display_name(tmp_path: Path) -> None:
    shutil.copyfile(CONTACTS / "wa.db", tmp_path / "wa.db")
    with sqlite3.connect(tmp_path / "wa.db") as db:
        db.execute(
            "UPDATE wa_contacts SET display_name = NULL, given_name = 'Ravi', "
            "family_name = 'Kumar' WHERE _id = 2"
        )
    db.close()
    export = ChatExport("whatsapp", "whatsapp-msgstore", "x")
    found = read_contacts(FolderChatSource(tmp_path), export)
    assert found["919800000003@s.whatsapp.net"] == ("Ravi Kumar", None)


def test_without_wa_db_nothing_changes() -> None:
    export = WhatsAppMsgstoreParser().parse_path(DATA / "msgstore" / "msgstore.db")
    assert [p.contact_name for c in export.chats for p in c.participants.values()] == [None] * 6
    assert export.app is None and summarise(export)["app"] == "whatsapp"


def test_bad_contact_row_is_a_warning_naming_table_and_row() -> None:
    export = WhatsAppMsgstoreParser().parse_path(CONTACTS / "corrupt" / "msgstore.db")
    wa_db = CONTACTS / "corrupt" / "wa.db"
    assert [str(w) for w in export.warnings] == [
        f"row 2 of wa_contacts ({wa_db}): jid 'not-a-jid' is not a WhatsApp address; skipped"
    ]
    group = export.chats[0].participants
    assert (group["+919800000002"].contact_name, group["+919800000003"].contact_name) == (
        "Asha (work)",
        None,
    )
    assert export.chats[0].message_count == 9


def test_wa_db_without_its_table_is_a_warning() -> None:
    export = WhatsAppMsgstoreParser().parse_path(CONTACTS / "no_table" / "msgstore.db")
    wa_db = CONTACTS / "no_table" / "wa.db"
    assert [str(w) for w in export.warnings] == [
        f"table wa_contacts ({wa_db}): no such table: contact names not read"
    ]
    assert export.chats[0].message_count == 9


def test_unreadable_wa_db_is_a_warning(tmp_path: Path) -> None:
    shutil.copyfile(CONTACTS / "msgstore.db", tmp_path / "msgstore.db")
    (tmp_path / "wa.db").write_bytes(b"SQLite format 3\x00" + b"\x07" * 2000)
    export = WhatsAppMsgstoreParser().parse_path(tmp_path / "msgstore.db")
    [warning] = export.warnings
    assert warning.location == f"table wa_contacts ({tmp_path / 'wa.db'})"
    assert warning.message.startswith("unreadable: ")
    assert [c.message_count for c in export.chats] == [9, 2]


def test_whatsapp_business_database_says_so() -> None:
    folder = DATA / "w4b" / "com.whatsapp.w4b" / "databases"
    export = WhatsAppMsgstoreParser().parse_path(folder / "msgstore.db")
    assert (export.platform, export.format, export.app) == (
        "whatsapp",
        "whatsapp-msgstore",
        "whatsapp-business",
    )
    assert summarise(export)["app"] == "whatsapp-business"
    assert export.source == str(folder / "msgstore.db")
    assert export.chats[0].participants["+919800000003"].contact_name == "Ravi Cousin"
