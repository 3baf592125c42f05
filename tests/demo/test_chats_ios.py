"""chatstorage: phunt's iOS parser finds the planted roles, messages, media and the owner."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_chats import MEDIA, OwnerRole, check_roles, group, people, sha256, two_groups, write

from phunt.chats.base import parse_export
from phunt.demo.chats import chatstorage
from phunt.demo.chats_ios import SHARED


@pytest.mark.parametrize("owner_role", ["creator", "admin", "member"])
def test_store_parses_to_the_planted_groups(tmp_path: Path, owner_role: OwnerRole) -> None:
    first, second, owner = two_groups(owner_role)
    write(tmp_path, chatstorage([first, second], owner, people(), MEDIA))
    export = parse_export(tmp_path / SHARED / "ChatStorage.sqlite")
    assert (export.format, export.app, export.warnings) == ("whatsapp-ios", "whatsapp", [])
    assert export.owner is not None and export.owner.phone == owner.phone
    chats = {chat.title or "": chat for chat in export.chats}
    assert sorted(chats) == ["Temple Road Cricket", "Ward 9 Walkers"]
    for planted in (first, second):
        chat = chats[planted.title]
        assert chat.kind == "group"
        check_roles(chat, planted, owner)
        said = sorted(
            (chat.participants[m.sender_id or ""].phone or "", m.time, m.text)
            for m in chat.messages
            if m.action is None
        )
        assert said == sorted((m.author, m.at, m.text) for m in planted.messages)
        attached = sorted((m.time, a) for m in chat.messages for a in m.attachments)
        planted_media = sorted((m.at, m.attachment) for m in planted.messages if m.attachment)
        assert [a.sha256 for _, a in attached] == [sha256(MEDIA[k]) for _, k in planted_media]
        assert all(a.present for _, a in attached)


def test_same_inputs_give_the_same_store() -> None:
    planted, owner = group("Ward 9 Walkers", "creator")
    assert chatstorage([planted], owner, people(), MEDIA) == chatstorage(
        [planted], owner, people(), MEDIA
    )
