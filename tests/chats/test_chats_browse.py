"""The chats' read models on both databases: scope, paging, sorting, roles with proof, media."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.chats import browse
from phunt.chats import store as chat_store
from phunt.errors import NotFoundError
from phunt.hashsets import store as hashset_store
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
SHA = hashlib.sha256(PICTURE.read_bytes()).hexdigest()


@dataclass(frozen=True)
class At:
    page: int = 1
    per_page: int = 50
    sort: str = "title"
    desc: bool = False


@dataclass(frozen=True)
class Cases:
    a: int
    b: int
    chat_a: int
    chat_b: int
    private_b: int


@pytest.fixture
def cases(database: Database, tmp_path: Path) -> Cases:
    """Phone A ingested as a folder in case A (media tied to files), phone B in case B."""
    known = tmp_path / "known.txt"
    known.write_text(SHA + "\n")
    with database.session() as s:
        a = open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"]).id
        b = open_case(s, "CR 9/2026", "Town PS Thrissur", "Thrissur", ["IT Act s.67B"]).id
        add_device(s, "PH-A", "mobile phone", case_id=a)
        add_device(s, "PH-B", "mobile phone", case_id=b)
        hashset_store.import_hash_list(s, str(known), name="unit-list")
    ingest(database, str(DEVICES / "phone_a"), "PH-A")
    with database.session() as s:
        chat_store.import_export(s, DEVICES / "phone_b/msgstore.db", "PH-B")
        ids = {
            (c["device"], c["kind"]): c["id"] for c in chat_store.list_chats(s, groups_only=False)
        }
    return Cases(a, b, ids["PH-A", "group"], ids["PH-B", "group"], ids["PH-B", "private"])


def test_chat_list_is_scoped_filtered_sorted_and_paged(database: Database, cases: Cases) -> None:
    with database.session() as s:
        mine = browse.list_chats(s, frozenset({cases.a}), At())
        assert [(c.id, c.device, c.members, c.flagged_media) for c in mine.items] == [
            (cases.chat_a, "PH-A", 3, 1)
        ]
        assert mine.total == 1
        assert browse.list_chats(s, frozenset(), At()).total == 0
        every = browse.list_chats(s, None, At(sort="members", desc=True), groups_only=False)
        assert [c.id for c in every.items] == [cases.chat_b, cases.chat_a, cases.private_b]
        second = browse.list_chats(s, None, At(page=2, per_page=1, sort="members", desc=True))
        assert ([c.id for c in second.items], second.total) == ([cases.chat_a], 2)
        by_case = browse.list_chats(s, None, At(), case_id=cases.b, groups_only=False)
        assert {c.id for c in by_case.items} == {cases.chat_b, cases.private_b}
        phone_b = browse.get_chat(s, None, cases.chat_b).chat.device_id
        assert browse.list_chats(s, None, At(), device_id=phone_b).total == 1
        for parent in ({"device_id": phone_b}, {"case_id": cases.b}):
            with pytest.raises(NotFoundError):  # as an unknown one: a list would confirm it
                browse.list_chats(s, frozenset({cases.a}), At(), **parent)
        for parent in ({"device_id": 999}, {"case_id": 999}):
            with pytest.raises(NotFoundError):
                browse.list_chats(s, None, At(), **parent)
        flagged = browse.list_chats(s, None, At(sort="flagged", desc=True))
        assert flagged.items[0].id == cases.chat_a


def test_chat_outside_scope_is_not_found_like_an_unknown_id(
    database: Database, cases: Cases
) -> None:
    scope = frozenset({cases.a})
    with database.session() as s:
        detail = browse.get_chat(s, scope, cases.chat_a)
        assert (detail.chat.title, detail.chat.platform, detail.case_number) == (
            "Riverside Book Club",
            "whatsapp",
            "CR 1/2026",
        )
        assert detail.source_path.endswith("msgstore.db")
        assert detail.format == "whatsapp-msgstore"
        for call in (
            lambda: browse.get_chat(s, scope, cases.chat_b),
            lambda: browse.list_members(s, scope, cases.chat_b, At()),
            lambda: browse.list_admins(s, scope, cases.chat_b),
            lambda: browse.list_messages(s, scope, cases.chat_b, At()),
        ):
            with pytest.raises(NotFoundError, match=rf"no chat {cases.chat_b}$"):
                call()
        with pytest.raises(NotFoundError, match=r"no chat 999$"):
            browse.get_chat(s, None, 999)


def test_members_and_admins_carry_every_role_and_its_proving_message(
    database: Database, cases: Cases
) -> None:
    with database.session() as s:
        stored = {m["id"]: m for m in chat_store.list_members(s, cases.chat_a)}
        page = browse.list_members(s, None, cases.chat_a, At(sort="role"))
        assert page.total == 3
        assert page.items[0].owner  # the creator first
        for member in page.items:
            assert {(r.role, r.evidence, r.inferred) for r in member.roles} == {
                (r["role"], r["evidence"], r["inferred"]) for r in stored[member.id]["roles"]
            }
        creator = next(r for r in page.items[0].roles if r.role == "creator")
        assert creator.message is not None
        assert (creator.message.action, creator.message.text) == (
            "create_group",
            "Riverside Book Club",
        )
        listed = next(r for r in page.items[0].roles if r.role == "admin")
        assert listed.message is None  # a participants-table row, not a message
        admins = browse.list_admins(s, None, cases.chat_a)
        assert sorted(m.phone or m.key for m in admins) == ["+919800000002", "owner"]
        two = browse.list_members(s, None, cases.chat_a, At(per_page=2, page=2, sort="role"))
        assert (len(two.items), two.total) == (1, 3)


def test_messages_page_with_flagged_media_tied_to_the_stored_file(
    database: Database, cases: Cases
) -> None:
    with database.session() as s:
        first = browse.list_messages(s, None, cases.chat_a, At(per_page=2, sort="time"))
        assert (first.total, [m.platform_message_id for m in first.items]) == (5, ["1", "2"])
        last = browse.list_messages(s, None, cases.chat_a, At(per_page=2, sort="time", desc=True))
        assert [m.platform_message_id for m in last.items] == ["5", "4"]
        flagged = browse.list_messages(s, None, cases.chat_a, At(), flagged_only=True)
        [message] = flagged.items
        [att] = message.attachments
        assert (att.known_bad, att.sha256, att.file_link) == (True, SHA, "path")
        assert [(m.hash_set, m.kind, m.source, m.distance) for m in att.matches] == [
            ("unit-list", "sha256", "file", 0)
        ]
        stored = s.get(EvidenceFile, att.file_id)
        assert stored is not None and stored.sha256 == SHA
        untied = browse.list_messages(s, None, cases.chat_b, At(), flagged_only=True)
        assert [a.file_id for m in untied.items for a in m.attachments] == [None]


def test_a_messages_place_in_time_order_opens_its_page(database: Database, cases: Cases) -> None:
    with database.session() as s:
        ordered = browse.list_messages(s, None, cases.chat_a, At(sort="time")).items
        places = [browse.message_index(s, None, cases.chat_a, m.id) for m in ordered]
        assert places == list(range(len(ordered)))
        other = browse.list_messages(s, None, cases.chat_b, At(sort="time")).items[0].id
        with pytest.raises(NotFoundError):
            browse.message_index(s, None, cases.chat_a, other)  # not this chat's message
        with pytest.raises(NotFoundError):
            browse.message_index(s, frozenset({cases.a}), cases.chat_b, other)
