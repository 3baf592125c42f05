"""whatsapp_txt: phunt's WhatsApp text parser finds the planted roles, messages and media."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from test_chats import MEDIA, OwnerRole, check_roles, group, people, planted_messages, sha256, write

from phunt.chats.base import parse_export
from phunt.chats.model import ChatExport
from phunt.demo.chats import whatsapp_txt

TITLE = "Ward 9 Walkers"


def parsed(tmp_path: Path, owner_role: OwnerRole, form: str) -> ChatExport:
    planted, owner = group(TITLE, owner_role)
    files = whatsapp_txt(planted, owner, people(), MEDIA, form="zip" if form == "zip" else "folder")
    write(tmp_path, files)
    if form == "zip":
        assert list(files) == [f"Download/WhatsApp Chat with {TITLE}.zip"]
        return parse_export(tmp_path / "Download" / f"WhatsApp Chat with {TITLE}.zip")
    name = f"Download/WhatsApp Chat with {TITLE}/WhatsApp Chat with {TITLE}.txt"
    assert name in files and len(files) == 1 + 5  # the text and one file per attachment
    return parse_export(tmp_path / name)


@pytest.mark.parametrize("owner_role", ["creator", "admin", "member"])
@pytest.mark.parametrize("form", ["folder", "zip"])
def test_export_parses_to_the_planted_group(
    tmp_path: Path, owner_role: OwnerRole, form: str
) -> None:
    planted, owner = group(TITLE, owner_role)
    export = parsed(tmp_path, owner_role, form)
    assert export.format == "whatsapp-txt"
    # Day-first dates with no day above 12 are ambiguous: the parser says so, and reads
    # them day-first, as written.
    assert [w.message for w in export.warnings] == [
        "date order ambiguous (no day above 12); read as day-first"
    ]
    (chat,) = export.chats
    assert (chat.title, chat.kind) == (TITLE, "group")
    check_roles(chat, planted, owner)
    said = sorted(
        (chat.participants[m.sender_id or ""].phone or owner.phone, m.time, m.text)
        for m in chat.messages
        if m.action is None
    )
    assert said == planted_messages(planted, minute=True)
    attached = [a for m in sorted(chat.messages, key=lambda m: m.time) for a in m.attachments]
    expected = [MEDIA[m.attachment] for m in planted.messages if m.attachment is not None]
    assert [a.sha256 for a in attached] == [sha256(data) for data in expected]
    assert all(a.present for a in attached)


def test_zip_holds_the_text_first_then_the_media() -> None:
    planted, owner = group(TITLE, "member")
    (data,) = whatsapp_txt(planted, owner, people(), MEDIA, form="zip").values()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert names[0] == f"WhatsApp Chat with {TITLE}.txt"
    # one counter a day for every kind of media, as the app numbers them
    assert sorted(names[1:]) == [
        "IMG-20260105-WA0001.jpg",
        "IMG-20260105-WA0003.jpg",
        "IMG-20260105-WA0004.jpg",
        "IMG-20260105-WA0005.jpg",
        "VID-20260105-WA0002.mp4",
    ]
