"""Role bookkeeping on participants: earliest evidence, intervals, stated over inferred."""

from __future__ import annotations

from datetime import UTC, datetime

from phunt.chats.model import Chat, ChatExport, ParseWarning, Participant, Role

T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 1, 2, tzinfo=UTC)
T3 = datetime(2026, 1, 3, tzinfo=UTC)


def test_role_interval_keeps_earliest_evidence() -> None:
    person = Participant("user1")
    person.add_role("member", T2, "message 20")
    person.add_role("member", T3, "message 30")
    person.add_role("member", T1, "message 10")
    assert person.roles["member"] == Role("member", T1, T3, "message 10", False)


def test_stated_role_beats_inferred() -> None:
    person = Participant("user1")
    person.add_role("admin", T1, "message 10", inferred=True)
    person.add_role("admin", T3, "row 4 of group_participant_user")
    assert person.roles["admin"] == Role("admin", T3, T3, "row 4 of group_participant_user")
    person.add_role("admin", T1, "message 11", inferred=True)  # does not widen a stated role
    assert person.roles["admin"].first_seen == T3


def test_undated_flag_then_dated_event() -> None:
    person = Participant("user1")
    person.add_role("member", None, "row 1 of group_participants")
    assert person.roles["member"] == Role("member", None, None, "row 1 of group_participants")
    person.add_role("member", T2, "row 5 of messages")
    assert person.roles["member"] == Role("member", T2, T2, "row 5 of messages")


def test_names_and_chat_participants() -> None:
    chat = Chat("telegram", "chat1", "Ward 7", "group")
    person = chat.participant("user1")
    assert chat.participant("user1") is person
    person.see_name("Asha")
    person.see_name(None)
    person.see_name("Asha M")
    person.see_name("Asha")
    assert person.names == ["Asha", "Asha M"] and person.display_name == "Asha M"


def test_export_warnings() -> None:
    export = ChatExport("whatsapp", "whatsapp-txt", "chat.txt")
    export.warn("line 3", "bad date")
    assert export.warnings == [ParseWarning("line 3", "bad date")]
    assert str(export.warnings[0]) == "line 3: bad date"
