"""Phones' databases tied to their media as real full-file-system extractions lay them out.

The demo writers put ``msgstore.db`` in ``data/data/com.whatsapp/databases`` and its media
on the shared storage (Android 11 and later); the same files are moved to the older
layouts, to WhatsApp Business, and to Telegram's, then read from a folder, from inside a
zip, and from an ingest job's stored files.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

import pytest

from phunt.chats.base import ChatParser, parse_export
from phunt.chats.model import ChatExport
from phunt.chats.source import ChatSource, FolderChatSource, Link, ZipChatSource
from phunt.chats.whatsapp_ios import WhatsAppIosParser
from phunt.chats.whatsapp_msgstore import WhatsAppMsgstoreParser
from phunt.demo.cache4 import cache4
from phunt.demo.chats import chatstorage, msgstore
from phunt.demo.plan import Group, Message, Person
from phunt.ingest.chat_sources import AttachmentLinker, StoredChatSource, StoredFile, StoredTree

NEWER = "data/media/0/Android/media/com.whatsapp/WhatsApp/"
DATABASES = "data/data/com.whatsapp/databases/"
SECRET = b"a file of the examiner's own machine"


def _plan() -> tuple[list[Group], Person, dict[str, Person], dict[str, bytes]]:
    """One group of three sharing two pictures (JPEG-headed bytes are all the writers read)."""
    people = {
        f"+9198000{10001 + n}": Person(name, f"+9198000{10001 + n}", 7_000_001 + n, f"u{n}")
        for n, name in enumerate(("Asha Menon", "Biju Paul", "Chitra Nair"))
    }
    owner, *others = people.values()
    start = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    phones = tuple(people)
    messages = (
        Message(phones[1], start, "Rice and tea at ten", "pic-1"),
        Message(phones[0], start + timedelta(minutes=5), "Meeting moved", "pic-2"),
        Message(phones[2], start + timedelta(minutes=9), "See you there"),
    )
    group = Group("whatsapp", "Ward 4 Walkers", phones[1], phones[:2], phones, messages)
    media = {key: b"\xff\xd8\xff" + key.encode() * 40 for key in ("pic-1", "pic-2")}
    return [group], owner, {p.phone: p for p in others}, media


def _moved(files: dict[str, bytes], old: str, new: str) -> dict[str, bytes]:
    return {(new + p[len(old) :] if p.startswith(old) else p): d for p, d in files.items()}


LAYOUTS = {
    "android-11": (DATABASES, NEWER),
    "older-android": (DATABASES, "data/media/0/WhatsApp/"),
    "sdcard": ("data/user/0/com.whatsapp/databases/", "sdcard/WhatsApp/"),
    "business": (
        "data/data/com.whatsapp.w4b/databases/",
        "data/media/0/Android/media/com.whatsapp.w4b/WhatsApp Business/",
    ),
}


def _phone(layout: str) -> tuple[dict[str, bytes], str, str]:
    """The demo phone's WhatsApp files in ``layout``, its database folder and media root."""
    databases, media = LAYOUTS[layout]
    files = _moved(msgstore(*_plan()), DATABASES, databases)
    return _moved(files, NEWER, media), databases.rstrip("/"), media.rstrip("/")


def _notes(export: ChatExport) -> set[str | None]:
    return {a.note for chat in export.chats for a in chat.attachments}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_msgstore_in_a_folder_finds_its_media_on_the_shared_storage(
    tmp_path: Path, layout: str
) -> None:
    files, databases, media = _phone(layout)
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    export = parse_export(tmp_path / databases / "msgstore.db")
    [chat] = export.chats
    assert len(chat.attachments) == 2
    for att in chat.attachments:
        assert att.present and att.path is not None
        assert att.sha256 == hashlib.sha256(files[f"{media}/{att.path}"]).hexdigest()
    newer = "Android/media" in media
    assert _notes(export) == {
        f"read from {media}, " + ("Android 11 and later" if newer else "before Android 11")
    }
    assert export.warnings == []
    assert export.app == ("whatsapp-business" if layout == "business" else "whatsapp")


def test_msgstore_inside_a_zip_finds_its_media_by_member_path(tmp_path: Path) -> None:
    files, databases, media = _phone("older-android")
    target = tmp_path / "phone.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path, data in files.items():
            archive.writestr(f"Dump/{path}", data)
    with zipfile.ZipFile(target) as archive:
        source = ZipChatSource(archive, f"Dump/{databases}", str(target))
        main = archive.open(f"Dump/{databases}/msgstore.db")
        export = _parse(WhatsAppMsgstoreParser, main, "msgstore.db", source)
    assert [a.present for a in export.chats[0].attachments] == [True, True]
    assert _notes(export) == {f"read from {media}, before Android 11"}


def _parse(
    parser: type[ChatParser], stream: IO[bytes], name: str, source: ChatSource
) -> ChatExport:
    with stream:
        data = io.BytesIO(stream.read())
    return parser().parse(data, name, source=source)


def _stored(files: dict[str, bytes], prefix: str) -> tuple[StoredTree, dict[str, bytes]]:
    by_path = {f"{prefix}{p}": d for p, d in files.items()}
    stored = []
    for n, (path, data) in enumerate(by_path.items(), 1):
        sha = hashlib.sha256(data).hexdigest()
        stored.append(StoredFile(n, path, None, len(data), None, None, sha))
    return StoredTree(stored), by_path


def test_ingest_ties_msgstore_attachments_by_path_on_the_shared_storage() -> None:
    files, databases, media = _phone("android-11")
    tree, data = _stored(files, "phone.zip!/")
    folder = f"phone.zip!/{databases}"

    def opener(file: StoredFile) -> BinaryIO:
        return io.BytesIO(data[file.path])

    source = StoredChatSource(tree, folder, opener)
    main = io.BytesIO(data[f"{folder}/msgstore.db"])
    export = _parse(WhatsAppMsgstoreParser, main, "msgstore.db", source)
    linker = AttachmentLinker(tree, folder)
    for att in export.chats[0].attachments:
        linked, link = linker(att)
        expected = tree.get(f"phone.zip!/{media}/{att.path}")
        assert expected is not None and link == Link(expected.id, "path")
        assert linked.present and linked.note == f"read from {media}, Android 11 and later"


def test_cache4_finds_telegram_downloads_on_the_shared_storage(tmp_path: Path) -> None:
    groups, owner, people, media = _plan()
    files = cache4(groups, owner, people, media)
    files = _moved(files, "org.telegram.messenger/files/Telegram/", "data/media/0/Telegram/")
    files = _moved(files, "org.telegram.messenger/", "data/data/org.telegram.messenger/")
    for path, blob in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(blob)
    export = parse_export(tmp_path / "data/data/org.telegram.messenger/files/cache4.db")
    found = [a for chat in export.chats for a in chat.attachments]
    assert len(found) == 2 and all(a.present for a in found)
    assert _notes(export) == {"read from data/media/0, before Android 11"}


def test_msgstore_media_path_that_leaves_the_extraction_is_refused(tmp_path: Path) -> None:
    files, databases, _media = _phone("android-11")
    for path, blob in files.items():
        (tmp_path / "phone" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "phone" / path).write_bytes(blob)
    (tmp_path / "secret.jpg").write_bytes(SECRET)
    db = tmp_path / "phone" / databases / "msgstore.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE message_media SET file_path = '../../../../../../../../../../../secret.jpg'"
        )
    conn.close()
    export = parse_export(db)
    [chat] = export.chats
    assert [a.present for a in chat.attachments] == [False, False]
    refused = [w for w in export.warnings if "refused" in w.message]
    assert len(refused) == 2
    assert refused[0].location.startswith(f"chat {chat.platform_id}, message row ")
    assert "leaves the evidence" in refused[0].message


def test_chatstorage_media_path_that_leaves_the_extraction_is_refused(tmp_path: Path) -> None:
    files = chatstorage(*_plan())
    [db_path] = [p for p in files if p.endswith("ChatStorage.sqlite")]
    for path, blob in files.items():
        (tmp_path / "ios" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "ios" / path).write_bytes(blob)
    (tmp_path / "secret.jpg").write_bytes(SECRET)
    db = tmp_path / "ios" / db_path
    assert parse_export(db).chats[0].attachments[0].present  # beside: Message/Media/...
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ZWAMEDIAITEM SET ZMEDIALOCALPATH = '../../secret.jpg'")
    conn.close()
    export = _parse(WhatsAppIosParser, db.open("rb"), db.name, FolderChatSource(db.parent))
    [chat] = export.chats
    assert not any(a.present for a in chat.attachments)
    refused = [w for w in export.warnings if "refused" in w.message]
    assert refused and refused[0].location.startswith(f"chat {chat.platform_id}, ZWAMESSAGE row ")


def test_an_older_msgstore_absolute_phone_path_is_found_on_the_extractions_storage(
    tmp_path: Path,
) -> None:
    files, databases, _media = _phone("older-android")
    for path, blob in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(blob)
    db = tmp_path / databases / "msgstore.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE message_media SET file_path = '/storage/emulated/0/WhatsApp/' || file_path"
        )
    conn.close()
    export = parse_export(db)
    assert [a.present for a in export.chats[0].attachments] == [True, True]
    assert _notes(export) == {"read from data/media/0, named by its phone path"}
    assert export.warnings == []
