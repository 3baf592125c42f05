"""Name-only references folded into ids, and what a removal proves."""

from __future__ import annotations

from datetime import UTC, datetime

from phunt.chats import roles
from phunt.chats.model import Chat

T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 1, 2, tzinfo=UTC)


def test_unique_name_is_merged_ambiguous_is_not() -> None:
    chat = Chat("telegram", "chat1", "Ward 7", "group")
    ravi = chat.participant("user2")
    ravi.see_name("Ravi")
    for pid in ("user3", "user4"):
        chat.participant(pid).see_name("Anu")
    roles.member(roles.by_name(chat, "Ravi"), T1, "message 1")
    roles.member(roles.by_name(chat, "Anu"), T1, "message 1")
    roles.member(ravi, T2, "message 5")
    assert roles.resolve_names(chat) == [("name:Ravi", "user2")]
    assert set(chat.participants) == {"user2", "user3", "user4", "name:Anu"}
    member = chat.participants["user2"].roles["member"]
    assert (member.first_seen, member.last_seen, member.evidence) == (T1, T2, "message 1")


def test_removal_semantics() -> None:
    chat = Chat("whatsapp", "title:x", "x", "group")
    asha, ravi, meera = (chat.participant(p) for p in ("a", "r", "m"))
    roles.removal(asha, ravi, T1, "line 4")
    roles.removal(meera, meera, T2, "line 5")
    roles.removal(None, asha, T2, "line 6")
    assert set(ravi.roles) == {"removed"}
    assert asha.roles["admin"].inferred and asha.roles["admin"].evidence == "line 4"
    assert set(asha.roles) == {"admin", "removed"}
    assert set(meera.roles) == {"left"}


def test_merge_into_combines_everything() -> None:
    chat = Chat("whatsapp", "title:x", "x", "group")
    source = chat.participant("owner")
    source.add_role("admin", T1, "line 9")
    source.message_count = 2
    target = chat.participant("name:Ravi")
    target.see_name("Ravi")
    target.message_count = 3
    roles.merge_into(chat, "owner", "name:Ravi")
    assert set(chat.participants) == {"name:Ravi"}
    assert target.roles["admin"].evidence == "line 9" and target.message_count == 5
