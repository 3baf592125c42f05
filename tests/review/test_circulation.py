"""The circulation read model on both databases: every device, case and suspect of the
viewer's where a file's content or a near copy lies, the chats that carried it, and the
earliest time on each device (generated pictures, invented chat)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from phunt.cases.case_files import add_suspect
from phunt.errors import NotFoundError
from phunt.review.circulation import circulation
from phunt.review.decisions import Choice, decide
from phunt.schema.cases import Device
from phunt.schema.chats import ChatAttachment, ChatImport, ChatMessage, ChatRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile

from .conftest import ReviewWorld


def _times(database: Database, world: ReviewWorld) -> None:
    """File times on A1, A2 and B1, a suspect on B1, and a chat on A2 carrying P0."""
    f = world.files
    with database.session() as s:
        for key, day in ((("A1", "P0"), 9), (("A2", "P0"), 5), (("B1", "P0-near"), 7)):
            when = datetime(2026, 3, day, 10, 0, tzinfo=UTC)
            s.execute(update(EvidenceFile).where(EvidenceFile.id == f[key]).values(modified=when))
        suspect = add_suspect(s, world.case_b, "Dev Sample")
        s.execute(
            update(Device).where(Device.id == world.devices["B1"]).values(suspect_id=suspect.id)
        )
        imported = ChatImport(device_id=world.devices["A2"], source_path="/x/chat.txt",
                              platform="whatsapp", format="txt", imported_by="test")  # fmt: skip
        s.add(imported)
        s.flush()
        chat = ChatRecord(import_id=imported.id, device_id=world.devices["A2"], platform="whatsapp",
                          platform_id="g1", title="Plant Swap", kind="group")  # fmt: skip
        s.add(chat)
        s.flush()
        message = ChatMessage(chat_id=chat.id, platform_message_id="1", location="line 3",
                              sent_at=datetime(2026, 3, 2, 8, 30, tzinfo=UTC))  # fmt: skip
        s.add(message)
        s.flush()
        s.add(ChatAttachment(message_id=message.id, chat_id=chat.id, file_name="P0.jpg",
                             included=True, file_id=f[("A2", "P0")]))  # fmt: skip


def test_every_place_with_its_earliest_time(database: Database, world: ReviewWorld) -> None:
    _times(database, world)
    f = world.files
    with database.session() as s:
        decide(s, [f[("A1", "P0")]], Choice(1))
        seen = circulation(s, f[("A1", "P0")], None)
    assert seen.decision is not None and seen.decision.category_code == 1
    places = [(p.evidence_number, p.exact, p.near, p.earliest, p.suspect) for p in seen.places]
    assert [p[0] for p in places] == ["EV-A2", "EV-B1", "EV-A1", "EV-X1"]  # earliest first
    # A2: the chat message that carried it is earlier than the file time.
    assert places[0][1:] == (1, 0, datetime(2026, 3, 2, 8, 30, tzinfo=UTC), None)
    assert places[1][1:] == (0, 1, datetime(2026, 3, 7, 10, 0, tzinfo=UTC), "Dev Sample")
    assert places[3][3] is None  # no time known: last
    assert [(c.title, c.platform) for c in seen.places[0].chats] == [("Plant Swap", "whatsapp")]
    assert (seen.cases, seen.suspects) == (2, 1)


def test_the_viewers_scope_bounds_it(database: Database, world: ReviewWorld) -> None:
    f = world.files
    with database.session() as s:
        mine = circulation(s, f[("A1", "P0")], frozenset({world.case_a}))
        assert [p.evidence_number for p in mine.places] == ["EV-A1", "EV-A2"]
        assert mine.cases == 1
        with pytest.raises(NotFoundError):
            circulation(s, f[("B1", "P1")], frozenset({world.case_a}))
        with pytest.raises(NotFoundError):
            circulation(s, 10**6, None)
