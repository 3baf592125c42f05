"""Where a cache4.db attachment's file is looked for, and what is never looked at."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from phunt.chats.model import Attachment, ChatExport
from phunt.chats.source import ChatSource, FolderChatSource
from phunt.chats.telegram_cache4_media import find_attachment as find_in
from phunt.chats.telegram_cache4_media import media_finder
from phunt.chats.tl import encode_bytes
from phunt.demo.cache4 import document_media

PHOTO = {"_": "messageMediaPhoto", "photo": {"_": "photoEmpty", "id": 1}}


def find_attachment(source: ChatSource, mid: str, media: Any, tail: bytes) -> Attachment | None:
    export = ChatExport("telegram", "telegram-cache4", "cache4.db")
    return find_in(media_finder(source, export), f"row {mid}", mid, media, tail)


def _folder(tmp_path: Path) -> FolderChatSource:
    files = tmp_path / "files"
    (files / "Telegram" / "Telegram Images").mkdir(parents=True)
    (files / "Telegram" / "Telegram Images" / "own.jpg").write_bytes(b"own picture")
    (files / "Telegram" / "Telegram Images" / "2_77.jpg").write_bytes(b"downloaded")
    (tmp_path / "secret.jpg").write_bytes(b"the examiner's own file")
    return FolderChatSource(files)


def test_the_appended_local_path_is_read_from_its_telegram_folder_on(tmp_path: Path) -> None:
    source = _folder(tmp_path)
    phone = "/storage/emulated/0/Android/data/org.telegram.messenger/files/Telegram/"
    tail = encode_bytes(f"{phone}Telegram Images/own.jpg".encode())
    found = find_attachment(source, "5", PHOTO, tail)
    assert found is not None
    assert (found.path, found.present, found.file_name) == (
        "Telegram/Telegram Images/own.jpg",
        True,
        "own.jpg",
    )
    assert found.sha256 == hashlib.sha256(b"own picture").hexdigest()


def test_a_document_is_found_by_the_clients_dc_and_id_name(tmp_path: Path) -> None:
    media = document_media(77, "image/jpeg", 10, "holiday.jpg")
    found = find_attachment(_folder(tmp_path), "6", media, b"")
    assert found is not None
    assert (found.path, found.present, found.file_name, found.size) == (
        "Telegram/Telegram Images/2_77.jpg",
        True,
        "holiday.jpg",
        10,
    )


def test_names_from_the_sender_never_lead_out_of_the_phones_folders(tmp_path: Path) -> None:
    source = _folder(tmp_path)
    media = document_media(78, "image/jpeg", 10, "../secret.jpg")
    found = find_attachment(source, "7", media, encode_bytes(b"/x/Telegram/../../secret.jpg"))
    assert found is not None
    assert (found.present, found.file_name, found.path, found.note) == (
        False,
        "2_78.jpg",  # the sender's name refused: the client's own name stands
        "2_78.jpg",
        "file missing",
    )


def test_media_without_a_file_and_other_media_kinds(tmp_path: Path) -> None:
    source = _folder(tmp_path)
    found = find_attachment(source, "8", PHOTO, b"\x01")
    assert found is not None
    assert (found.present, found.path, found.note) == (
        False,
        None,
        "no local file named in cache4.db",
    )
    assert find_attachment(source, "9", {"_": "messageMediaUnsupported"}, b"") is None
    assert find_attachment(source, "9", None, b"") is None
