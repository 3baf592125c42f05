"""Telegram for Android's cache4.db: members and roles, messages, media, damage by row."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phunt.chats import tl
from phunt.chats.base import detect, parse_export
from phunt.chats.candidate import chat_candidate
from phunt.chats.model import Chat, ChatExport
from phunt.chats.telegram_cache4 import TelegramCache4Parser
from phunt.demo.cache4 import DATABASE, cache4
from phunt.demo.plan import Group, Message, Person
from phunt.errors import CorruptInput, WrongFormat
from test_lib import TEST_DATA

HERE = TEST_DATA / "chats" / "cache4"
GOOD = HERE / "good" / DATABASE
PICTURE = HERE / "good" / "org.telegram.messenger/files/Telegram/Telegram Images/2_5000000001.jpg"


def _chat(export: ChatExport, pid: str) -> Chat:
    return next(c for c in export.chats if c.platform_id == pid)


def _altered(folder: Path, *statements: str) -> Path:
    """A copy of the good database in ``folder`` with ``statements`` applied."""
    target = folder / "cache4.db"
    target.write_bytes(GOOD.read_bytes())
    db = sqlite3.connect(target)
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return target


def _roles(chat: Chat) -> dict[str, list[str]]:
    return {p.id: sorted(p.roles) for p in chat.participants.values()}


def test_detected_by_content_and_by_name() -> None:
    assert detect(GOOD) is TelegramCache4Parser
    with GOOD.open("rb") as stream:
        assert TelegramCache4Parser.probe(stream, "renamed.db")
    other = TEST_DATA / "chats" / "msgstore" / "msgstore.db"
    with other.open("rb") as stream:
        assert not TelegramCache4Parser.probe(stream, "msgstore.db")
    assert not TelegramCache4Parser.probe(io.BytesIO(b"not sqlite at all"), "cache4.db")


def test_ingest_names_the_database_and_its_journal() -> None:
    found = chat_candidate("phone.zip!/data/org.telegram.messenger/files/cache4.db")
    assert found is not None and (found.app, found.form) == ("telegram", "cache4")
    journal = chat_candidate("x/cache4.db-wal")
    assert journal is not None and journal.form == "journal" and journal.root == "x/cache4.db"
    assert chat_candidate("x/cache4.dbx") is None


def test_owner_groups_members_and_roles_from_their_tables() -> None:
    export = parse_export(GOOD)
    assert export.format == "telegram-cache4" and export.warnings == []
    assert export.owner is not None
    assert (export.owner.id, export.owner.phone, export.owner.username) == (
        "user700001",
        "+919800000001",
        "anil_k",
    )
    walkers = _chat(export, "chat4100000000")
    assert (walkers.title, walkers.kind, walkers.message_count) == ("Morning walkers", "group", 9)
    assert _roles(walkers) == {
        "user700001": ["admin", "member"],
        "user700002": ["admin", "creator", "member"],
        "user700003": ["member"],
        "user700004": ["left", "member"],
        "user700005": ["member", "removed"],
    }
    asha = walkers.participants["user700002"]
    assert asha.names == ["Asha Nair"] and asha.phone == "+919800000002"
    # Undated table evidence gives way to the dated service message that states the same.
    assert asha.roles["creator"].evidence == "row mid=1 uid=-4100000000 of messages_v2"
    assert asha.roles["admin"].evidence == "row 4100000000 of chat_settings_v2, participant 0"
    assert not asha.roles["admin"].inferred  # stated by the table, not inferred from removing
    owner_admin = walkers.participants["user700001"].roles["admin"]
    assert (owner_admin.evidence, owner_admin.inferred) == (
        "row 4100000000 of chats",  # the owner's own admin_rights, read first
        False,
    )
    ravi = walkers.participants["user700003"].roles["member"]
    assert ravi.evidence == "row 4100000000 of chat_settings_v2, participant 2"
    traders = _chat(export, "channel4100000001")
    assert (traders.title, traders.kind) == ("Rice traders", "supergroup")
    assert _roles(traders) == {
        "user700001": ["admin", "creator", "member"],
        "user700003": ["admin", "member"],
        "user700004": ["member"],
    }
    assert traders.participants["user700003"].roles["admin"].evidence == (
        "row did=-4100000001 uid=700003 of channel_users_v2"
    )
    private = _chat(export, "user700002")
    assert (private.kind, private.title, private.message_count) == ("private", "Asha Nair", 1)


def test_messages_authors_times_actions_and_media() -> None:
    export = parse_export(GOOD)
    walkers = _chat(export, "chat4100000000")
    rows = [(m.id, m.sender_id, m.text, m.action, m.action_targets) for m in walkers.messages]
    assert rows == [
        ("1", "user700002", "", "create_group", ("user700001", "user700003", "user700004")),
        ("2", "user700002", "meeting at ten", None, ()),
        ("3", "user700003", "rice and tea after", None, ()),
        ("4", "user700001", "the park gate", None, ()),
        ("10", "user700002", "", "invite_members", ("user700005",)),
        ("11", "user700002", "", "remove_members", ("user700005",)),
        ("12", "user700004", "", "remove_members", ("user700004",)),
        ("13", "user700004", "", "join_group_by_link", ()),
        ("14", "user700003", "forwarded price photo", None, ()),
    ]
    first = walkers.messages[1]
    assert first.time == datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
    assert first.location == "row mid=2 uid=-4100000000 of messages_v2"
    shared = walkers.messages[3].attachments[0]
    assert (shared.file_name, shared.path, shared.present, shared.mime) == (
        "pic-001.jpg",
        "Telegram/Telegram Images/2_5000000001.jpg",
        True,
        "image/jpeg",
    )
    assert shared.sha256 == hashlib.sha256(PICTURE.read_bytes()).hexdigest()
    forwarded = walkers.messages[-1]
    assert (forwarded.forwarded, forwarded.forwarded_from, forwarded.reply_to) == (
        True,
        "Market news",
        "2",
    )
    [photo] = forwarded.attachments
    assert (photo.present, photo.path, photo.note) == (
        False,
        None,
        "no local file named in cache4.db",
    )
    assert walkers.participants["user700003"].message_count == 2


def test_a_truncated_blob_is_a_warning_naming_the_row_and_the_rest_is_read() -> None:
    export = parse_export(HERE / "truncated" / "cache4.db")
    assert [str(w) for w in export.warnings] == [
        "row mid=3 uid=-4100000000 of messages_v2: undecodable Message: truncated: "
        "8 bytes needed at offset 20, data ends; skipped"
    ]
    assert _chat(export, "chat4100000000").message_count == 8


def test_unknown_constructors_are_warnings_naming_table_and_row() -> None:
    export = parse_export(HERE / "unknown" / "cache4.db")
    assert [w.location for w in export.warnings] == [
        "row 700003 of users",
        "row mid=2 uid=-4100000000 of messages_v2",
    ]
    assert "unknown constructor 0xdeadbeef (a Message)" in export.warnings[1].message
    walkers = _chat(export, "chat4100000000")
    assert walkers.participants["user700003"].names == []  # his user row did not decode
    assert walkers.message_count == 8


def test_a_missing_table_is_damage_named_by_table() -> None:
    with pytest.raises(CorruptInput, match="table messages_v2: no table messages_v2"):
        parse_export(HERE / "no_table" / "cache4.db")


def test_another_database_is_not_this_format(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    sqlite3.connect(other).execute("CREATE TABLE notes(id INTEGER)").connection.close()
    with pytest.raises(WrongFormat, match=r"not a Telegram for Android cache4\.db"):
        parse_export(other, format="telegram-cache4")


def test_older_builds_keep_messages_in_the_messages_table(tmp_path: Path) -> None:
    export = parse_export(_altered(tmp_path, "ALTER TABLE messages_v2 RENAME TO messages"))
    walkers = _chat(export, "chat4100000000")
    assert walkers.message_count == 9
    assert walkers.messages[0].location == "row mid=1 uid=-4100000000 of messages"


def test_the_demo_writer_is_deterministic_and_read_back_exactly(tmp_path: Path) -> None:
    owner = Person("Lakshmi Pillai", "+919800000021", 710021, "lakshmi_p")
    ravi = Person("Ravi Menon", "+919800000022", 710022, "ravi_m")
    others = [Person(f"Member {n}", f"+9197000{n:05d}", 720000 + n, f"m{n}") for n in range(201)]
    at = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    small = Group(
        "telegram",
        "Tea stall",
        ravi.phone,
        (ravi.phone,),
        (ravi.phone, owner.phone),
        (Message(owner.phone, at, "two cups", "vid-9"),),
    )
    large = Group(
        "telegram",
        "Ward notices",
        owner.phone,
        (owner.phone, others[0].phone),
        (owner.phone, *(p.phone for p in others)),
        (Message(others[5].phone, at, "water cut on sunday"),),
    )
    people = {p.phone: p for p in (ravi, *others)}
    media = {"vid-9": b"\x00\x00\x00\x18ftypmp42 invented video bytes"}
    first = cache4([small, large], owner, people, media)
    assert first == cache4([small, large], owner, people, media)
    video = "org.telegram.messenger/files/Telegram/Telegram Video/2_5000000001.mp4"
    assert sorted(first) == [video, DATABASE]
    for name, data in first.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    export = parse_export(tmp_path / DATABASE)
    assert export.warnings == [] and export.owner is not None
    assert export.owner.id == "user710021"
    tea = _chat(export, "chat4100000000")
    assert _roles(tea) == {
        "user710022": ["admin", "creator", "member"],
        "user710021": ["member"],
    }
    [_, message] = tea.messages
    assert (message.sender_id, message.text, message.time) == ("user710021", "two cups", at)
    [attachment] = message.attachments
    assert (attachment.present, attachment.mime, attachment.file_name) == (
        True,
        "video/mp4",
        "vid-9.mp4",
    )
    assert attachment.sha256 == hashlib.sha256(media["vid-9"]).hexdigest()
    ward = _chat(export, "channel4100000001")  # 202 members: written as a supergroup
    assert ward.kind == "supergroup" and len(ward.participants) == 202
    admins = sorted(p.id for p in ward.participants.values() if "admin" in p.roles)
    assert admins == ["user710021", "user720000"]
    assert [m.sender_id for m in ward.messages] == ["user710021", "user720005"]


def test_messages_still_in_the_wal_are_read(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "cache4.db").write_bytes(GOOD.read_bytes())
    seized = tmp_path / "seized"
    seized.mkdir()
    db = sqlite3.connect(live / "cache4.db")
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        with db:
            db.execute("DELETE FROM messages_v2 WHERE mid = 15")
        for name in ("cache4.db", "cache4.db-wal"):  # copied before the app checkpoints
            (seized / name).write_bytes((live / name).read_bytes())
    finally:
        db.close()
    assert _chat(parse_export(GOOD), "user700002").message_count == 1
    before = {p.name: p.read_bytes() for p in seized.iterdir()}
    export = parse_export(seized / "cache4.db")
    assert all(c.platform_id != "user700002" for c in export.chats)
    assert {p.name: p.read_bytes() for p in seized.iterdir()} == before  # evidence untouched


_BLOBS = {
    "users": "data",
    "chats": "data",
    "chat_settings_v2": "info",
    "channel_users_v2": "data",
    "messages_v2": "data",
}


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(_BLOBS)),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=400),
    st.binary(min_size=1, max_size=8),
    st.booleans(),
)
def test_a_damaged_blob_anywhere_is_a_warning_or_is_read_never_a_crash(
    table: str, row: int, at: int, junk: bytes, cut: bool
) -> None:
    column = _BLOBS[table]
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "cache4.db"
        target.write_bytes(GOOD.read_bytes())
        db = sqlite3.connect(target)
        with db:
            rows = db.execute(f"SELECT rowid, {column} FROM {table} ORDER BY rowid").fetchall()
            rowid, blob = rows[row % len(rows)]
            at %= len(blob)
            damaged = blob[:at] if cut else blob[:at] + junk + blob[at + len(junk) :]
            db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (damaged, rowid))
        db.close()
        export = parse_export(target)
    # Every warning names a table and row. Damage may still decode (a changed id), so a
    # later row that needed it (a chat's members) may be the one warned about.
    assert all(re.fullmatch(r"row .+ of [a-z_0-9]+", w.location) for w in export.warnings)
    assert all(w.location.rsplit(" of ", 1)[1] in _BLOBS for w in export.warnings)
    assert export.chats  # the rest of the database was still read


def _without_self(target: Path) -> None:
    """``target``: the good database with no user row carrying the ``self`` flag."""
    target.parent.mkdir(parents=True)
    target.write_bytes(GOOD.read_bytes())
    db = sqlite3.connect(target)
    with db:
        [(blob,)] = db.execute("SELECT data FROM users WHERE uid = 700001").fetchall()
        user, _ = tl.decode(blob, "User")
        db.execute(
            "UPDATE users SET data = ? WHERE uid = 700001", (tl.encode({**user, "self": False}),)
        )
    db.close()


def test_the_owner_comes_from_the_apps_preferences_when_no_user_is_self(tmp_path: Path) -> None:
    target = tmp_path / "files" / "cache4.db"
    _without_self(target)
    assert parse_export(target).owner is None
    prefs = tmp_path / "shared_prefs" / "userconfing.xml"
    prefs.parent.mkdir()
    user = {"_": "user", "self": True, "id": 700001, "first_name": "Anil", "phone": "919800000001"}
    encoded = base64.b64encode(tl.encode(user)).decode()
    prefs.write_text(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
        f'    <string name="user">{encoded}\n</string>\n</map>\n'
    )
    export = parse_export(target)
    assert export.owner is not None and export.warnings == []
    assert (export.owner.id, export.owner.phone) == ("user700001", "+919800000001")
    walkers = _chat(export, "chat4100000000")
    assert "admin" in walkers.participants["user700001"].roles  # the owner's own admin_rights
    prefs.write_text('<map><string name="user">AAAA</string></map>')
    damaged = parse_export(target)
    assert damaged.owner is None
    assert [w.location for w in damaged.warnings] == [str(prefs)]


def test_a_message_in_both_tables_of_a_migrating_build_is_read_once(tmp_path: Path) -> None:
    target = _altered(
        tmp_path,
        "CREATE TABLE messages AS SELECT * FROM messages_v2 WHERE mid IN (2, 3)",
        "UPDATE messages SET mid = 99 WHERE mid = 3",  # one only the old table has
    )
    walkers = _chat(parse_export(target), "chat4100000000")
    assert walkers.message_count == 10
    assert [m.location for m in walkers.messages if m.id == "3"] == [
        "row mid=3 uid=-4100000000 of messages_v2",
        "row mid=99 uid=-4100000000 of messages",
    ]
