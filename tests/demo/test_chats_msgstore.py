"""msgstore: phunt's msgstore.db parser finds the planted roles, messages, media and contacts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_chats import MEDIA, OwnerRole, check_roles, group, people, sha256, two_groups, write

from phunt.chats.base import parse_export
from phunt.demo.chats import msgstore
from phunt.demo.chats_msgstore import DATABASES, WHATSAPP


@pytest.mark.parametrize("owner_role", ["creator", "admin", "member"])
def test_database_parses_to_the_planted_groups(tmp_path: Path, owner_role: OwnerRole) -> None:
    first, second, owner = two_groups(owner_role)
    write(tmp_path, msgstore([first, second], owner, people(), MEDIA))
    export = parse_export(tmp_path / DATABASES / "msgstore.db")
    assert (export.format, export.app, export.warnings) == ("whatsapp-msgstore", "whatsapp", [])
    chats = {chat.title or "": chat for chat in export.chats}
    assert sorted(chats) == ["Temple Road Cricket", "Ward 9 Walkers"]
    assert chats[first.title].platform_id != chats[second.title].platform_id
    for planted in (first, second):
        chat = chats[planted.title]
        assert chat.kind == "group"
        check_roles(chat, planted, owner, unlisted_owner=True)
        said = sorted(
            (chat.participants[m.sender_id or ""].phone or owner.phone, m.time, m.text)
            for m in chat.messages
            if m.action is None
        )
        assert said == sorted((m.author, m.at, m.text) for m in planted.messages)
        named = {p.phone: p.contact_name for p in chat.participants.values() if p.phone}
        assert named == {phone: people()[phone].name for phone in named}
    attached = sorted((m.time, a) for m in chats[first.title].messages for a in m.attachments)
    planted_media = sorted((m.at, m.attachment) for m in first.messages if m.attachment)
    assert [a.platform_sha256 for _, a in attached] == [
        sha256(MEDIA[key]) for _, key in planted_media
    ]
    # The media sit on the shared storage, where file_path (relative to WhatsApp/) says.
    for _, attachment in attached:
        assert attachment.path is not None and attachment.path.startswith("Media/WhatsApp ")
        stored = (tmp_path / WHATSAPP / attachment.path).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == attachment.platform_sha256


def test_same_inputs_give_the_same_databases() -> None:
    planted, owner = group("Ward 9 Walkers", "member")
    assert msgstore([planted], owner, people(), MEDIA) == msgstore(
        [planted], owner, people(), MEDIA
    )
