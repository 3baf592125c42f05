"""A group's invite links on the chat page, on both databases: each link once, with the
message that first named it (its time, sender and text, and a link to it in the
conversation), in the order of those messages; none, no section."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.audit.store import acting_as
from phunt.chats import store as chat_store
from phunt.schema.chats import ChatMessage

from .conftest import World

OWN = "https://chat.whatsapp.com/AbCdEfGhIj0123456789"
OTHER = "https://chat.whatsapp.com/ZyXwVuTsRq9876543210"


def _export(folder: Path) -> Path:
    """A WhatsApp text export whose messages name two invite links, the first one twice."""
    lines = [
        '06/01/2026, 09:00 - Devi Example created group "Stall Owners"',
        "06/01/2026, 09:00 - Devi Example added Farid Sample",
        f"06/01/2026, 09:01 - Devi Example: Share this with the others: {OWN}",
        f"06/01/2026, 09:05 - Farid Sample: The bakery group is {OTHER} too",
        f"06/01/2026, 09:06 - Devi Example: Again, ours: {OWN}",
    ]
    path = folder / "WhatsApp Chat with Stall Owners.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_chat_page_shows_each_invite_link_with_its_message(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    with web_world.database.session() as s, acting_as("admin"):
        summary = chat_store.import_export(
            s, _export(tmp_path), web_world.device_a, tz="Asia/Kolkata"
        )
    assert summary.chats == 1
    with web_world.database.session() as s:
        rows = s.execute(
            select(ChatMessage.chat_id, ChatMessage.id, ChatMessage.text).order_by(ChatMessage.id)
        ).all()
    named = [(c, i) for c, i, text in rows if text and ("chat.whatsapp.com" in text)]
    assert len(named) == 3 and len({c for c, _ in named}) == 1  # the new chat's three
    chat_id = named[0][0]
    first_own, first_other = named[0][1], named[1][1]
    analyst = client_for("analyst")
    page = analyst.get(f"/chats/{chat_id}").text
    table = re.search(r'<table id="invite-links">(.*?)</table>', page, re.S)
    assert table is not None
    cells = re.findall(
        r"<tr>\s*<td><code>([^<]+)</code></td>\s*<td>(.*?)</td>", table.group(1), re.S
    )
    assert [link for link, _ in cells] == [OWN, OTHER]
    assert f'href="/chats/{chat_id}/messages?message={first_own}"' in cells[0][1]
    assert "Devi Example: Share this with the others:" in cells[0][1]
    assert f'href="/chats/{chat_id}/messages?message={first_other}"' in cells[1][1]
    assert "Farid Sample: The bakery group is" in cells[1][1]
    assert "Invite links (2)" in page
    plain = analyst.get(f"/chats/{web_world.chat_a}").text  # the world's chat names none
    assert 'id="invite-links"' not in plain and "Invite links" not in plain
