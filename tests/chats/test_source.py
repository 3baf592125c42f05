"""The companion-file sources: a local folder, a zip read in place, a lone file."""

from __future__ import annotations

import zipfile
from pathlib import Path

from phunt.chats.source import FolderChatSource, NoCompanions, ZipChatSource


def test_folder_source(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "photos").mkdir()
    (tmp_path / "export" / "photos" / "a.jpg").write_bytes(b"picture")
    (tmp_path / "export" / "result.json").write_bytes(b"{}")
    (tmp_path / "beside.txt").write_bytes(b"parent")
    source = FolderChatSource(tmp_path / "export", root=tmp_path)
    assert source.list() == ["result.json"]
    assert source.exists("photos/a.jpg") and not source.exists("photos")
    stream = source.open("photos/a.jpg")
    assert stream is not None
    with stream:
        assert stream.read() == b"picture"
    parent = source.open("../beside.txt")
    assert parent is not None
    with parent:
        assert parent.read() == b"parent"
    assert source.open("photos/missing.jpg") is None
    assert source.open(str(tmp_path / "beside.txt")) is None  # absolute: never followed
    assert source.describe("result.json") == str(tmp_path / "export" / "result.json")
    assert FolderChatSource(tmp_path / "absent").list() == []
    assert FolderChatSource(tmp_path / "export").open("../beside.txt") is None


def test_zip_source(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("chat/_chat.txt", "text")
        archive.writestr("chat/a.jpg", b"picture")
        archive.writestr("chat/sub/b.jpg", b"deeper")
        archive.writestr("top.txt", b"top")
    with zipfile.ZipFile(path) as archive:
        source = ZipChatSource(archive, "chat", "export.zip")
        assert source.list() == ["_chat.txt", "a.jpg"]
        assert source.exists("sub/b.jpg") and not source.exists("sub")
        stream = source.open("a.jpg")
        assert stream is not None
        with stream:
            assert stream.read() == b"picture"
        assert not source.exists("../top.txt")  # above the export: outside the evidence
        assert ZipChatSource(archive, "chat", "export.zip", root="").exists("../top.txt")
        assert source.open("missing.jpg") is None
        assert source.describe("a.jpg") == "export.zip!/chat/a.jpg"
        assert ZipChatSource(archive, "", "export.zip").list() == ["top.txt"]


def test_no_companions() -> None:
    source = NoCompanions()
    assert source.open("a.jpg") is None and not source.exists("a.jpg")
    assert source.list() == [] and source.describe("result.json") == "result.json"
