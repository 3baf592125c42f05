"""Chat sources among stored files: candidates, companions, and attachments tied to files."""

from __future__ import annotations

import io
from typing import BinaryIO

from phunt.chats.model import Attachment
from phunt.chats.source import Link
from phunt.ingest.chat_sources import (
    AttachmentLinker,
    StoredChatSource,
    StoredFile,
    StoredTree,
    find_candidates,
    media_roots,
)

ROOT = "phone.zip!/Android/media/com.whatsapp/WhatsApp"


def _file(fid: int, path: str, sha: str | None = None) -> StoredFile:
    digest = sha if sha is not None else f"{fid:064x}"
    return StoredFile(fid, path, None, 10 * fid, f"{fid:032x}", f"{fid:040x}", digest)


def test_candidates_are_main_files_once_per_source_in_listing_order() -> None:
    zipped = "phone.zip!/Download/WhatsApp Chat with Ward 7.zip"
    tree = StoredTree(
        [
            _file(1, f"{ROOT}/Databases/msgstore.db"),
            _file(2, f"{ROOT}/Databases/msgstore.db-wal"),
            _file(3, "phone.zip!/Telegram/result.json"),
            _file(4, "phone.zip!/Telegram/messages.html"),
            _file(5, "phone.zip!/Telegram/photos/a.jpg"),
            _file(6, "phone.zip!/TelegramHtml/messages.html"),
            _file(7, "phone.zip!/TelegramHtml/messages2.html"),
            _file(8, zipped),
            _file(9, f"{zipped}!/WhatsApp Chat with Ward 7.txt"),
            _file(10, "phone.zip!/Backup/WhatsApp Chat with Market.zip"),
            _file(11, "phone.zip!/Documents/notes.txt"),
            _file(12, "phone.zip!/_chat.txt"),
        ]
    )
    assert [c.id for c in find_candidates(tree)] == [1, 3, 6, 9, 12]


def test_two_files_at_one_path_are_both_candidates_and_the_first_is_found_by_path() -> None:
    live, deleted = _file(1, "img.raw!/db/msgstore.db"), _file(2, "img.raw!/db/msgstore.db")
    tree = StoredTree([live, deleted])
    assert find_candidates(tree) == [live, deleted]
    assert tree.get("img.raw!/db/msgstore.db") == live
    assert tree.children("img.raw!/db") == ["msgstore.db"]


def test_stored_source_opens_companions_relative_to_the_main_file() -> None:
    data = {
        f"{ROOT}/Databases/msgstore.db-wal": b"wal",
        f"{ROOT}/Media/WhatsApp Images/IMG-1.jpg": b"picture",
        f"{ROOT}/Databases/msgstore.db": b"main",
    }
    tree = StoredTree(_file(n, path) for n, path in enumerate(data, 1))
    opened: list[str] = []

    def opener(file: StoredFile) -> BinaryIO:
        opened.append(file.path)
        return io.BytesIO(data[file.path])

    source = StoredChatSource(tree, f"{ROOT}/Databases", opener)
    stream = source.open("msgstore.db-wal")
    assert stream is not None and stream.read() == b"wal"
    picture = source.open("../Media/WhatsApp Images/IMG-1.jpg")
    assert picture is not None and picture.read() == b"picture"
    assert source.open("msgstore.db-shm") is None
    assert source.open("/etc/passwd") is None
    assert source.exists("msgstore.db") and not source.exists("../../x")
    assert source.list() == ["msgstore.db", "msgstore.db-wal"]
    assert source.describe("msgstore.db") == f"{ROOT}/Databases/msgstore.db"
    assert opened == [
        f"{ROOT}/Databases/msgstore.db-wal",
        f"{ROOT}/Media/WhatsApp Images/IMG-1.jpg",
    ]


def test_media_roots_are_the_folder_then_the_app_folder_never_above_the_evidence() -> None:
    assert media_roots(f"{ROOT}/Databases") == [
        f"{ROOT}/Databases",
        ROOT,
        f"{ROOT}/WhatsApp",
        f"{ROOT}/Databases/Message",
    ]
    assert media_roots("/ev/x.zip!") == ["/ev/x.zip!", "/ev/x.zip!/Message"]


def test_media_roots_of_a_full_extraction_end_with_the_shared_storage_newest_first() -> None:
    roots = media_roots("img.E01!/p2/data/data/com.whatsapp/databases")
    assert roots[:3] == [
        "img.E01!/p2/data/data/com.whatsapp/databases",
        "img.E01!/p2/data/data/com.whatsapp",
        "img.E01!/p2/data/data/com.whatsapp/WhatsApp",
    ]
    assert roots[4:6] == [
        "img.E01!/p2/data/media/0/Android/media/com.whatsapp/WhatsApp",
        "img.E01!/p2/data/media/0/WhatsApp",
    ]


def test_an_attachment_path_out_of_the_evidence_is_never_tied_by_path() -> None:
    outside = _file(3, "other.zip!/a.jpg")
    linker = AttachmentLinker(StoredTree([outside]), "phone.zip!/export")
    att = Attachment("m5", "a.jpg", "../../other.zip!/a.jpg", True, note="file missing")
    assert linker(att) == (att, None)


def test_attachment_missing_beside_a_copy_is_tied_by_path_and_takes_the_stored_digests() -> None:
    picture = _file(7, f"{ROOT}/Media/WhatsApp Images/IMG-1.jpg")
    linker = AttachmentLinker(StoredTree([picture]), f"{ROOT}/Databases")
    att = Attachment(
        "m1", "IMG-1.jpg", "Media/WhatsApp Images/IMG-1.jpg", True, note="file missing"
    )
    linked, link = linker(att)
    assert link == Link(7, "path")
    assert (linked.present, linked.note, linked.size) == (True, None, 70)
    assert (linked.md5, linked.sha1, linked.sha256) == (picture.md5, picture.sha1, picture.sha256)


def test_path_with_other_bytes_than_the_parser_read_is_not_taken() -> None:
    stored = _file(7, "ext/photos/a.jpg")
    other = _file(8, "ext/copy/a.jpg", sha="ab" * 32)
    linker = AttachmentLinker(StoredTree([stored, other]), "ext")
    att = Attachment("m1", "a.jpg", "photos/a.jpg", True, present=True, sha256="ab" * 32)
    linked, link = linker(att)
    assert link == Link(8, "digest")
    assert linked.present and linked.sha256 == "ab" * 32


def test_file_gone_is_tied_by_the_hash_the_app_recorded() -> None:
    elsewhere = _file(9, "card!/Backup/IMG-2.jpg", sha="cd" * 32)
    linker = AttachmentLinker(StoredTree([elsewhere]), f"{ROOT}/Databases")
    att = Attachment(
        "m2",
        "IMG-2.jpg",
        "Media/Sent/IMG-2.jpg",
        True,
        platform_sha256="cd" * 32,
        note="file missing",
    )
    linked, link = linker(att)
    assert link == Link(9, "digest")
    assert linked.present is False
    assert linked.sha256 == "cd" * 32
    assert linked.note == "file missing; same bytes at card!/Backup/IMG-2.jpg"


def test_attachment_with_no_file_and_no_hash_stays_untied() -> None:
    linker = AttachmentLinker(StoredTree([_file(1, "ext/a.jpg")]), "ext")
    omitted = Attachment("m3", None, None, False, note="<Media omitted>")
    assert linker(omitted) == (omitted, None)
    missing = Attachment("m4", "b.pdf", "b.pdf", True, note="file missing")
    assert linker(missing) == (missing, None)
