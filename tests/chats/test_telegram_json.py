"""Telegram Desktop JSON: exact chats, people, roles and attachments of the fixtures."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phunt.chats import telegram_json_stream
from phunt.chats.model import Chat, Message
from phunt.chats.telegram_json import TelegramJsonParser
from phunt.chats.telegram_json_stream import JsonStream
from phunt.errors import CorruptInput, WrongFormat

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "telegram"


def roles_of(chat: Chat) -> dict[str, dict[str, tuple[str, bool]]]:
    return {
        pid: {name: (role.evidence, role.inferred) for name, role in p.roles.items()}
        for pid, p in chat.participants.items()
    }


def test_single_chat_export() -> None:
    export = TelegramJsonParser().parse_path(DATA / "single_chat")
    assert export.platform == "telegram" and export.format == "telegram-json"
    assert export.warnings == []
    raw = (DATA / "single_chat" / "result.json").read_bytes()
    assert export.source_sha256 == hashlib.sha256(raw).hexdigest()
    [chat] = export.chats
    assert (chat.platform_id, chat.title, chat.kind, chat.raw_kind) == (
        "chat4000000001",
        "Ward 7 Residents",
        "group",
        "private_group",
    )
    assert chat.message_count == 10  # including the unsupported one
    assert roles_of(chat) == {
        "user1001": {
            "member": ("message 1", False),
            "creator": ("message 1", False),
            "admin": ("message 7", True),
        },
        "user1002": {"member": ("message 1", False)},
        "user1003": {"member": ("message 4", False), "left": ("message 8", False)},
        "user1004": {"member": ("message 6", False), "removed": ("message 7", False)},
    }
    assert chat.participants["user1004"].names == ["Joseph Thomas"]
    removed = chat.participants["user1004"].roles["removed"]
    assert removed.first_seen == datetime(2026, 1, 5, 4, 36, tzinfo=UTC)


def test_single_chat_messages_and_attachments() -> None:
    [chat] = TelegramJsonParser().parse_path(DATA / "single_chat").chats
    by_id = {m.id: m for m in chat.messages}
    assert sorted(by_id, key=int) == ["1", "2", "3", "4", "5", "6", "7", "8", "10"]
    reply = by_id["3"]
    assert reply.text == "Thanks! See you there" and reply.reply_to == "2"
    assert reply.time == datetime(2026, 1, 5, 4, 32, tzinfo=UTC)
    assert reply.utc_offset == timedelta(hours=5, minutes=30) and not reply.offset_assumed
    assert by_id["5"].forwarded_from == "Town Notices" and by_id["5"].forwarded
    assert by_id["1"].action == "create_group" and by_id["1"].action_targets == ("Ravi Kumar",)
    # No date_unixtime: local time read in the caller's zone, and marked as assumed.
    assert by_id["10"].offset_assumed
    assert by_id["10"].time == datetime(2026, 1, 5, 4, 39, tzinfo=UTC)
    photo = DATA / "single_chat/photos/photo_1@05-01-2026_10-02-00.jpg"
    budget = DATA / "single_chat/files/budget (1).txt"
    got = [
        (a.message_id, a.file_name, a.path, a.included, a.present, a.size, a.sha256, a.note)
        for a in chat.attachments
    ]
    assert got == [
        (
            "3",
            "photo_1@05-01-2026_10-02-00.jpg",
            "photos/photo_1@05-01-2026_10-02-00.jpg",
            True,
            True,
            photo.stat().st_size,
            hashlib.sha256(photo.read_bytes()).hexdigest(),
            None,
        ),
        (
            "5",
            "minutes.pdf",
            None,
            False,
            False,
            20480,
            None,
            "(File not included. Change data exporting settings to download.)",
        ),
        (
            "10",
            "budget.txt",
            "files/budget (1).txt",
            True,
            True,
            35,
            hashlib.sha256(budget.read_bytes()).hexdigest(),
            None,
        ),
    ]
    assert chat.attachments[2].md5 == hashlib.md5(budget.read_bytes()).hexdigest()
    assert chat.attachments[0].mime == "image/jpeg"


def test_full_account_export() -> None:
    export = TelegramJsonParser().parse_path(DATA / "full_export" / "result.json")
    assert export.owner is not None
    assert (export.owner.id, export.owner.phone, export.owner.username) == (
        "user1001",
        "+919800000001",
        "asha_m",
    )
    chats = {c.platform_id: c for c in export.chats}
    assert [(c.platform_id, c.kind, c.title, c.message_count) for c in export.chats] == [
        ("user1002", "private", "Ravi Kumar", 2),
        ("channel1600000001", "channel", "Ward 7 Notices", 2),
        ("channel1700000001", "supergroup", "Market Traders", 4),
        ("channel1800000001", "supergroup", "Old Group", 1),
    ]
    private = chats["user1002"].participants
    assert private["user1002"].phone == "+919800000002"  # from the contacts section
    assert private["user1001"].phone == "+919800000001"
    # The channel posts as itself; the signed author is an inferred admin, known by name.
    assert roles_of(chats["channel1600000001"]) == {
        "name:Asha Menon": {"admin": ("message 2", True)}
    }
    [skipped] = chats["channel1600000001"].attachments
    assert not skipped.included and skipped.note is not None
    assert skipped.note.startswith("(File exceeds maximum size")
    assert roles_of(chats["channel1700000001"]) == {
        "user1002": {
            "member": ("message -999999999", False),
            "creator": ("message -999999999", False),
        },
        "user1001": {"member": ("message -999999999", False)},
        "user1009": {"member": ("message 3", False)},
    }
    migrated = next(m for m in chats["channel1700000001"].messages if m.id == "2")
    assert migrated.reply_to == "-999999999"
    assert roles_of(chats["channel1800000001"]) == {
        "user1001": {"member": ("message 5", False), "left": ("left_chats.list[0]", False)}
    }


def test_stream_without_keeping_messages() -> None:
    seen: list[tuple[str, str]] = []

    def sink(chat: Chat, message: Message) -> None:
        seen.append((chat.platform_id, message.id))

    export = TelegramJsonParser().parse_path(
        DATA / "full_export", keep_messages=False, on_message=sink
    )
    assert all(chat.messages == [] for chat in export.chats)
    assert len(seen) == 9 and seen[0] == ("user1002", "11")
    assert sum(c.message_count for c in export.chats) == 9


def test_truncated_export_is_corrupt_with_location() -> None:
    with pytest.raises(CorruptInput) as caught:
        TelegramJsonParser().parse_path(DATA / "corrupt_truncated")
    assert "message after id 2" in str(caught.value)
    assert caught.value.path is not None and caught.value.path.endswith("result.json")


def test_bad_message_is_a_warning_and_the_rest_is_read() -> None:
    export = TelegramJsonParser().parse_path(DATA / "bad_message")
    assert [str(w) for w in export.warnings] == [
        "chat chat4000000001, message id 4: unreadable message: "
        "ValueError(\"invalid literal for int() with base 10: 'not-a-number'\")"
    ]
    assert export.chats[0].message_count == 9


def test_not_telegram(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text('{"hello": 1}', encoding="utf-8")
    assert not TelegramJsonParser.probe_path(tmp_path)
    with pytest.raises(WrongFormat):
        TelegramJsonParser().parse_path(tmp_path)


messages = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(-(10**9), 10**9),
            "text": st.text(max_size=40),
            "n": st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
        }
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(values=messages, chunk=st.integers(1, 64), indent=st.sampled_from([None, 0, 2]))
def test_stream_matches_json_loads_across_chunk_boundaries(
    values: list[dict[str, object]], chunk: int, indent: int | None
) -> None:
    """Values split anywhere by the read buffer decode exactly as json.loads does."""
    text = json.dumps({"messages": values, "tail": [1, 2.5, "x"]}, indent=indent)
    original = telegram_json_stream._CHUNK
    telegram_json_stream._CHUNK = chunk
    try:
        stream = JsonStream(io.StringIO(text), "mem")
        got: dict[str, object] = {}
        for key in stream.keys("top"):
            if key == "messages":
                got[key] = [stream.value("m") for _ in stream.items("messages")]
            else:
                got[key] = stream.value(key)
    finally:
        telegram_json_stream._CHUNK = original
    assert got == json.loads(text)


def test_an_integer_from_id_is_a_user_id_as_older_exports_write_it() -> None:
    """Older Telegram Desktop exports write ``"from_id": 1002``: the same user as "user1002"."""
    export = TelegramJsonParser().parse_path(DATA / "integer_from_id")
    assert export.warnings == []
    chat = export.chats[0]
    assert chat.message_count == 10
    assert [m.sender_id for m in chat.messages if m.id in ("3", "10")] == ["user1002", "user1002"]
    assert chat.participants["user1002"].message_count == 2


def test_a_from_id_that_is_an_object_makes_the_message_unreadable(tmp_path: Path) -> None:
    text = (DATA / "single_chat" / "result.json").read_text(encoding="utf-8")
    odd = text.replace('"from_id": "user1003"', '"from_id": {"id": 1003}')
    (tmp_path / "result.json").write_text(odd, encoding="utf-8")
    export = TelegramJsonParser().parse_path(tmp_path)
    assert [str(w) for w in export.warnings] == [
        "chat chat4000000001, message id 5: unreadable message: "
        "TypeError('from_id is a JSON dict, not text')"
    ]
    assert export.chats[0].message_count == 9  # of 10: the unreadable one is not counted


def test_deep_nesting_is_corrupt_input_naming_the_file_and_depth() -> None:
    with pytest.raises(CorruptInput, match="nested at least 5002 levels deep") as caught:
        TelegramJsonParser().parse_path(DATA / "deep_nesting")
    assert caught.value.path is not None
    assert caught.value.path.endswith("deep_nesting/result.json")
    assert "message after id 2" in str(caught.value)


def test_bytes_that_are_not_utf8_are_corrupt_input_naming_the_file(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    export.write_bytes(b'{"name": "Group \xff", "type": "private_group", "id": 1, "messages": []}')
    with pytest.raises(CorruptInput, match=r"result\.json:after character 0: not UTF-8 text"):
        TelegramJsonParser().parse_path(export)
