"""Companion files hashed where they are; absent or unreadable ones are not fatal; names
from evidence that leave it are refused, with a warning naming the chat and message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from phunt.chats.attachments import MediaFinder, hash_companion, present
from phunt.chats.base import parse_export
from phunt.chats.model import ChatExport
from phunt.chats.paths import MediaRoot
from phunt.chats.source import FolderChatSource


def test_hash_companion(tmp_path: Path) -> None:
    data = b"neutral bytes" * 100_000
    (tmp_path / "media.bin").write_bytes(data)
    digest = hash_companion(FolderChatSource(tmp_path), "media.bin")
    assert digest is not None
    assert (digest.size, digest.md5, digest.sha1, digest.sha256) == (
        len(data),
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )
    assert hash_companion(FolderChatSource(tmp_path), "absent.bin") is None
    (tmp_path / "folder.bin").mkdir()
    assert hash_companion(FolderChatSource(tmp_path), "folder.bin") is None


def test_present_carries_the_digests(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"picture")
    digest = hash_companion(FolderChatSource(tmp_path), "a.jpg")
    assert digest is not None
    found = present("7", "a.jpg", "photos/a.jpg", "image/jpeg", digest, "ab" * 32)
    assert (found.message_id, found.path, found.included, found.present, found.size) == (
        "7",
        "photos/a.jpg",
        True,
        True,
        7,
    )
    assert (found.sha256, found.platform_sha256) == (
        hashlib.sha256(b"picture").hexdigest(),
        "ab" * 32,
    )


SECRET = b"a file of the examiner's own machine"


def _export_beside_a_secret(tmp_path: Path) -> Path:
    """An export folder with the examiner's own file one level above it."""
    (tmp_path / "secret.jpg").write_bytes(SECRET)
    export = tmp_path / "export"
    (export / "photos").mkdir(parents=True)
    (export / "photos" / "a.jpg").write_bytes(b"picture")
    return export


def test_finder_refuses_a_path_out_of_the_evidence_and_names_chat_and_message(
    tmp_path: Path,
) -> None:
    folder = _export_beside_a_secret(tmp_path)
    export = ChatExport("telegram", "telegram-json", str(folder))
    finder = MediaFinder(FolderChatSource(folder), export)
    found = finder.find("photos/a.jpg", "chat 1, message id 2")
    assert found is not None and (found.name, found.note) == ("photos/a.jpg", None)
    for hostile in ("photos/../../secret.jpg", "../secret.jpg", str(tmp_path / "secret.jpg")):
        assert finder.find(hostile, "chat 1, message id 3") is None
    assert [w.location for w in export.warnings] == ["chat 1, message id 3"] * 3
    assert "leaves the evidence" in export.warnings[0].message
    assert "is absolute" in export.warnings[2].message


def test_finder_skips_its_own_roots_above_the_evidence_without_a_warning(tmp_path: Path) -> None:
    folder = _export_beside_a_secret(tmp_path)
    export = ChatExport("whatsapp", "whatsapp-msgstore", str(folder))
    roots = (MediaRoot("../", "above"), MediaRoot("photos/", "photos", True))
    finder = MediaFinder(FolderChatSource(folder), export, roots)
    assert [r.prefix for r in finder.roots] == ["photos/"]
    assert finder.find("secret.jpg", "chat 1, message row 4") is None
    assert export.warnings == []
    found = finder.find("a.jpg", "chat 1, message row 5")
    assert found is not None and (found.name, found.note) == ("photos/a.jpg", "read from photos")
    assert export.warnings == []


def test_telegram_export_photo_named_out_of_the_export_is_refused(tmp_path: Path) -> None:
    folder = _export_beside_a_secret(tmp_path)
    message = {"type": "message", "date": "2026-01-05T10:00:00", "from": "Asha"}
    chat = {
        "name": "Ward 4 Walkers",
        "type": "private_group",
        "id": 41,
        "messages": [
            {**message, "id": 1, "from_id": "user7", "text": "tea", "photo": "photos/a.jpg"},
            {
                **message,
                "id": 2,
                "from_id": "user7",
                "text": "x",
                "photo": "photos/../../secret.jpg",
            },
        ],
    }
    (folder / "result.json").write_text(json.dumps(chat))
    _second_refused(folder, "message id 2", "photos/../../secret.jpg")


def test_whatsapp_text_attachment_named_out_of_the_export_is_refused(tmp_path: Path) -> None:
    folder = _export_beside_a_secret(tmp_path)
    (folder / "IMG-1.jpg").write_bytes(b"beside the text")
    lines = [
        "25/01/2026, 10:00 - Asha: IMG-1.jpg (file attached)",
        "25/01/2026, 10:01 - Asha: ../secret.jpg (file attached)",
    ]
    text = folder / "WhatsApp Chat with Ward 4 Walkers.txt"
    text.write_text("\n".join(lines) + "\n")
    _second_refused(text, "message at line 2", "../secret.jpg")


def _second_refused(target: Path, message: str, name: str) -> None:
    """The export's first attachment is read and its second refused, with one warning."""
    export = parse_export(target)
    [parsed] = export.chats
    assert [a.present for a in parsed.attachments] == [True, False]
    [warning] = export.warnings
    assert warning.location == f"chat {parsed.platform_id}, {message}"
    assert f"{name!r} leaves the evidence" in warning.message
