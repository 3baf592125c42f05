"""Issue 19's export variants, one fixture each (test_data/chats/make_variants.py)."""

from __future__ import annotations

from pathlib import Path

from phunt.chats import parse_export
from phunt.chats.model import Chat, ChatExport

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "variants"


def roles(chat: Chat) -> dict[str, list[str]]:
    """Participant id -> role names, inferred ones marked with "?"."""
    return {
        pid: sorted(r.name + ("?" if r.inferred else "") for r in p.roles.values())
        for pid, p in chat.participants.items()
    }


def actions(export: ChatExport) -> list[tuple[str, str | None, str | None]]:
    return [(m.id, m.action, m.sender_id) for m in export.chats[0].messages]


def test_telegram_numeric_from_id_and_actor_id_are_user_ids() -> None:
    export = parse_export(DATA / "telegram_numeric_ids")
    assert export.warnings == []
    chat = export.chats[0]
    assert (chat.title, chat.kind, chat.message_count) == ("Cycling Club", "group", 3)
    assert roles(chat) == {
        "user2001": ["admin?", "creator", "member"],
        "user2002": ["member", "removed"],
    }


def test_msgstore_with_only_a_placeholder_in_message_reads_the_legacy_table() -> None:
    export = parse_export(DATA / "msgstore_placeholder" / "msgstore.db")
    assert [str(w) for w in export.warnings] == [
        "table message: holds only its placeholder row: read the 4 rows of legacy table "
        "messages (a database in mid-migration)"
    ]
    assert {c.platform_id: c.message_count for c in export.chats} == {
        "120363000000000002@g.us": 3,
        "919800000002@s.whatsapp.net": 1,
    }
    assert export.chats[0].title == "Market Traders"


def test_msgstore_with_both_tables_reads_both_without_duplicates() -> None:
    export = parse_export(DATA / "msgstore_both" / "msgstore.db")
    assert [str(w) for w in export.warnings] == [
        "tables message and messages: both hold messages (mid-migration): read 11 rows of "
        "message and 1 of the 2 rows of messages not already there (same chat and key_id)"
    ]
    group = next(c for c in export.chats if c.platform_id == "120363000000000001@g.us")
    assert len(export.chats) == 2  # the legacy rows joined the same chat, not a second one
    assert group.message_count == 10
    texts = [m.text for m in group.messages]
    assert texts.count("Welcome, the meeting is on Sunday.") == 1
    assert group.messages[-1].id == "messages/3"
    assert group.messages[-1].text == "Older note kept only here"
    assert group.messages[-1].sender_id == "+919800000003"


def test_android_notices_with_typographic_quotes() -> None:
    export = parse_export(DATA / "android_curly")
    chat = export.chats[0]
    assert (chat.title, chat.kind) == ("Lake Road Residents", "group")
    assert roles(chat) == {"owner": ["admin?", "creator", "member"], "name:Kavya Nair": ["member"]}
    assert [m.action for m in chat.messages] == [
        "create_group",
        "add_members",
        None,
        "edit_group_title",
    ]


def test_ios_notices_without_the_mark_and_the_title_named_by_the_chat() -> None:
    export = parse_export(DATA / "ios_unmarked")
    chat = export.chats[0]
    assert (chat.title, chat.kind) == ("Bus Stop Committee", "group")
    assert actions(export) == [
        ("1", "encryption_notice", None),
        ("2", "create_group", "name:Arjun Menon"),
        ("3", "add_members", "name:Arjun Menon"),
        ("4", None, "name:Devi Pillai"),
        ("5", None, "name:Devi Pillai"),
        ("6", "remove_members", "name:Arjun Menon"),
    ]
    assert roles(chat) == {
        "name:Arjun Menon": ["admin?", "creator", "member"],
        "name:Devi Pillai": ["member", "removed"],
    }
    assert [a.file_name for a in chat.attachments] == ["00000003-PHOTO-2026-03-18.jpg"]


def test_other_real_wordings_and_an_unrecognised_notice_kept_as_text() -> None:
    export = parse_export(DATA / "wordings")
    chat = export.chats[0]
    assert roles(chat) == {
        "name:Rahul Das": ["admin?", "creator", "member"],
        "owner": ["admin", "member"],
        "name:Sneha Roy": ["member", "removed"],
        "name:Anil Kumar": ["left", "member"],
    }
    assert [m.action for m in chat.messages] == [
        "create_group",
        "added",
        "join_group_by_link",
        "admin_granted",
        "edit_group_photo",
        "settings",
        None,
        "remove_members",
        "left",
        "unrecognised-notice",
    ]
    last = chat.messages[-1]
    assert (last.sender_id, last.text) == (None, "Rahul Das pinned a message")
    assert chat.participants["name:Sneha Roy"].message_count == 1


def test_added_you_makes_the_exporting_user_a_member() -> None:
    chat = parse_export(DATA / "added_you").chats[0]
    assert (chat.title, chat.kind) == ("Market Day", "group")
    assert roles(chat) == {"name:Meena Iyer": ["admin?", "member"], "owner": ["member"]}


def test_portuguese_notices_markers_and_file_name() -> None:
    chat = parse_export(DATA / "portuguese").chats[0]
    assert (chat.title, chat.kind) == ("Feira do Bairro", "group")
    assert roles(chat) == {
        "name:Ana Souza": ["admin?", "creator", "member"],
        "name:Bruno Lima": ["member", "removed"],
        "name:Carla Dias": ["left", "member"],
    }
    shown = [(a.file_name, a.included, a.present, a.note) for a in chat.attachments]
    assert shown == [
        ("IMG-20260210-WA0001.jpg", True, True, None),
        (None, False, False, "<Mídia oculta>"),
    ]


def test_spanish_notices_and_the_owner_joining_by_link() -> None:
    chat = parse_export(DATA / "spanish").chats[0]
    assert (chat.title, chat.kind) == ("Club de Lectura", "group")
    assert roles(chat) == {"name:Diego Ruiz": ["creator", "member"], "owner": ["member"]}
    assert [m.action for m in chat.messages] == ["create_group", "join_group_by_link", None, None]
    assert [m.deleted for m in chat.messages] == [False, False, False, True]
    assert chat.attachments[0].note == "<Multimedia omitido>"


def test_german_notices_with_low_and_high_quotes() -> None:
    chat = parse_export(DATA / "german").chats[0]
    assert (chat.title, chat.kind) == ("Sportverein", "group")
    assert roles(chat) == {
        "name:Lena Vogel": ["admin?", "creator", "member"],
        "name:Tim Berg": ["left", "member"],
    }
    assert chat.attachments[0].note == "<Medien ausgeschlossen>"


def test_midnight_as_hour_zero_in_a_12_hour_clock() -> None:
    export = parse_export(DATA / "midnight_12h", tz="UTC")
    chat = export.chats[0]
    assert export.warnings == []
    assert [m.time.isoformat() for m in chat.messages] == [
        "2026-06-19T23:55:00+00:00",
        "2026-06-20T00:08:00+00:00",
        "2026-06-20T00:30:00+00:00",
    ]


def test_year_first_dates_are_not_ambiguous() -> None:
    for name in ("year_first", "year_first_slash"):
        export = parse_export(DATA / name, tz="UTC")
        assert export.warnings == [], name
        assert [m.time.date().isoformat() for m in export.chats[0].messages] == [
            "2026-01-02",
            "2026-01-03",
        ]


def test_a_folder_holding_only_the_export_zip_under_another_name(tmp_path: Path) -> None:
    """Exports are often renamed when shared (``whatsapp_chat.zip``): the folder still parses."""
    source = DATA.parent / "whatsapp" / "WhatsApp Chat - Market Traders.zip"
    (tmp_path / "whatsapp_chat.zip").write_bytes(source.read_bytes())
    renamed = parse_export(tmp_path)
    original = parse_export(source)
    assert renamed.format == "whatsapp-txt"
    assert renamed.chats[0].message_count == original.chats[0].message_count > 0
    assert roles(renamed.chats[0]) == roles(original.chats[0])


def test_invite_links_named_in_a_chat_are_kept_with_their_line() -> None:
    chat = parse_export(DATA / "wordings").chats[0]
    assert chat.invite_links == {"https://chat.whatsapp.com/AbCdEfGhIjKlMnOp12": "line 7"}


def test_the_exporting_user_in_another_language_is_the_owner(tmp_path: Path) -> None:
    text = "10/02/2026 08:00 - Você criou este grupo\n10/02/2026 08:01 - Ana Souza: Olá\n"
    (tmp_path / "Conversa do WhatsApp com Vizinhos.txt").write_text(text, encoding="utf-8")
    chat = parse_export(tmp_path).chats[0]
    assert (chat.title, chat.kind) == ("Vizinhos", "group")
    assert roles(chat) == {"owner": ["creator", "member"], "name:Ana Souza": ["member"]}
