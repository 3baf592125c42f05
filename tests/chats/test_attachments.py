"""Companion files hashed where they are; absent or unreadable ones are not fatal."""

from __future__ import annotations

import hashlib
from pathlib import Path

from phunt.chats.attachments import hash_companion, present
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
