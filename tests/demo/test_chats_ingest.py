"""phunt's ingest finds the writers' chats on a device, in a folder and inside a zip.

One device tree holds every form the writers make (Telegram's export, WhatsApp's text
export as a folder and as a zip, ``msgstore.db`` with ``wa.db``, ``ChatStorage.sqlite``);
the ingest must import each, with the planted creator, admins and members (by phone), the
message count, and every attachment tied to the stored file holding its bytes.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from test_chats import MEDIA, group, people, sha256, write

from phunt.cases.devices import add_device
from phunt.demo.chats import chatstorage, msgstore, telegram_export, whatsapp_txt
from phunt.demo.plan import Group, Person
from phunt.ingest.job import ingest
from phunt.schema.chats import (
    ChatAttachment,
    ChatImport,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile

WARD, MARKET = "Ward 9 Walkers", "Market Road Traders"
#: How ingest ties each format's attachments to the stored media: at the path the export
#: names (msgstore's under the phone's shared storage, where Android keeps its media).
LINKS = {
    "telegram-json": "path",
    "whatsapp-txt": "path",
    "whatsapp-msgstore": "path",
    "whatsapp-ios": "path",
}


def device_tree() -> tuple[dict[str, bytes], dict[str, list[Group]], Person]:
    """Every writer's files on one device, and the groups each chat format must show."""
    ward, owner = group(WARD, "admin")
    market, _ = group(MARKET, "creator", shift=0)
    market = Group(
        "whatsapp",
        MARKET,
        owner.phone,
        (owner.phone, *ward.admins[2:], ward.members[3]),
        ward.members,
        market.messages,
    )
    files: dict[str, bytes] = {}
    files.update(telegram_export([ward, market], owner, people(), MEDIA, random.Random(5)))
    files.update(whatsapp_txt(ward, owner, people(), MEDIA))
    files.update(whatsapp_txt(market, owner, people(), MEDIA, form="zip"))
    files.update(msgstore([ward, market], owner, people(), MEDIA))
    files.update(chatstorage([ward, market], owner, people(), MEDIA))
    expected = {
        "telegram-json": [ward, market],
        "whatsapp-txt": [ward, market],
        "whatsapp-msgstore": [ward, market],
        "whatsapp-ios": [ward, market],
    }
    return files, expected, owner


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["folder", "zip"])
def test_ingest_imports_every_form_with_roles_messages_and_media(
    database: Database, tmp_path: Path, layout: str
) -> None:
    files, expected, owner = device_tree()
    if layout == "folder":
        write(tmp_path / "phone", files)
        source = tmp_path / "phone"
    else:
        source = tmp_path / "phone.zip"
        with zipfile.ZipFile(source, "w") as archive:
            for path, data in files.items():
                archive.writestr(path, data)
    with database.session() as s:
        add_device(s, "EV-9/1", "mobile phone")
    summary = ingest(database, str(source), "EV-9/1", workers=1)
    assert [c.get("error") for c in summary.chats] == [None] * len(summary.chats)
    with database.session() as s:
        found: dict[str, list[str]] = {}
        for imp in s.scalars(select(ChatImport)):
            for chat in s.scalars(select(ChatRecord).where(ChatRecord.import_id == imp.id)):
                found.setdefault(imp.format, []).append(chat.title or "")
                planted = next(g for g in expected[imp.format] if g.title == chat.title)
                _check_chat(s, chat, planted, owner, LINKS[imp.format])
        assert {f: sorted(t) for f, t in found.items()} == {
            f: sorted(g.title for g in groups) for f, groups in expected.items()
        }


def _check_chat(s: object, chat: ChatRecord, planted: Group, owner: Person, link: str) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    roles: dict[str, set[str]] = {}
    for person, role in s.execute(
        select(ChatParticipant, ChatRole.role)
        .join(ChatRole, ChatRole.participant_id == ChatParticipant.id)
        .where(ChatParticipant.chat_id == chat.id)
    ):
        phone = person.phone or (owner.phone if person.is_owner else person.key)
        roles.setdefault(phone, set()).add(role)
    members = {p for p, r in roles.items() if "member" in r and "removed" not in r}
    assert members == set(planted.members), chat.title
    assert {p for p, r in roles.items() if "creator" in r} == {planted.creator}
    assert {p for p, r in roles.items() if "admin" in r} == set(planted.admins)
    said = s.scalars(
        select(ChatMessage).where(ChatMessage.chat_id == chat.id, ChatMessage.action.is_(None))
    ).all()
    assert len(said) == len(planted.messages)
    tied = s.execute(
        select(EvidenceFile.sha256, ChatAttachment.sha256, ChatAttachment.file_link)
        .join(EvidenceFile, EvidenceFile.id == ChatAttachment.file_id)
        .where(ChatAttachment.chat_id == chat.id)
    ).all()
    wanted = sorted(sha256(MEDIA[m.attachment]) for m in planted.messages if m.attachment)
    assert sorted(stored or "" for stored, _, _ in tied) == wanted
    assert all(stored == own and how == link for stored, own, how in tied)
