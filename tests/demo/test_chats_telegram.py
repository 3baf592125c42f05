"""telegram_export: phunt's Telegram JSON parser finds the planted roles, messages and media."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_chats import MEDIA, OwnerRole, check_roles, group, people, planted_messages, sha256, write

from phunt.chats.base import parse_export
from phunt.demo.chats import telegram_export


@pytest.mark.parametrize("owner_role", ["creator", "admin", "member"])
def test_export_parses_to_the_planted_groups(tmp_path: Path, owner_role: OwnerRole) -> None:
    first, owner = group("Ward 9 Walkers", owner_role)
    second, _ = group("Temple Road Cricket", "member", shift=1)
    if owner.phone not in second.members:
        second = second.__class__(
            second.app,
            second.title,
            second.creator,
            second.admins,
            (*second.members, owner.phone),
            second.messages,
        )
    files = telegram_export([first, second], owner, people(), MEDIA, random.Random(3))
    (result,) = [p for p in files if p.endswith("/result.json")]
    assert result.startswith("Users/") and "/Downloads/Telegram Desktop/DataExport_" in result
    write(tmp_path, files)
    export = parse_export(tmp_path / result)
    assert (export.format, export.warnings) == ("telegram-json", [])
    assert export.owner is not None and export.owner.phone == owner.phone
    chats = {chat.title or "": chat for chat in export.chats}
    assert sorted(chats) == sorted([first.title, second.title])
    for planted in (first, second):
        chat = chats[planted.title]
        check_roles(chat, planted, owner)
        said = sorted(
            (chat.participants[m.sender_id or ""].phone or "", m.time, m.text)
            for m in chat.messages
            if m.action is None
        )
        assert said == planted_messages(planted)
        by_time = {m.time: m for m in chat.messages if m.action is None}
        for message in planted.messages:
            got = by_time[message.at].attachments
            if message.attachment is None:
                assert got == ()
            else:
                (attachment,) = got
                assert attachment.present and attachment.sha256 == sha256(MEDIA[message.attachment])


def test_the_same_group_has_the_same_chat_id_on_every_device() -> None:
    planted, owner = group("Ward 9 Walkers", "admin")
    other = people()[planted.members[6]]
    ours = telegram_export([planted], owner, people(), MEDIA, random.Random(1))
    theirs = telegram_export([planted], other, people(), MEDIA, random.Random(2))
    ids = []
    for files in (ours, theirs):
        (result,) = [data for path, data in files.items() if path.endswith("result.json")]
        ids.append(json.loads(result)["chats"]["list"][0]["id"])
    assert ids[0] == ids[1]
