"""Chat-source candidates are recognised by name, in plain folders and inside containers alike."""

from __future__ import annotations

import pytest

from phunt.chats.candidate import ChatCandidate, chat_candidate

SAME = "same"


@pytest.mark.parametrize(
    ("path", "app", "form", "root"),
    [
        ("/x/Databases/msgstore.db", "whatsapp", "msgstore", SAME),
        ("/x/msgstore-2026-01-01.1.db", "whatsapp", "msgstore", SAME),
        ("p.zip!/d/msgstore.db-wal", "whatsapp", "journal", "p.zip!/d/msgstore.db"),
        ("p.zip!/d/msgstore.db-shm", "whatsapp", "journal", "p.zip!/d/msgstore.db"),
        ("/x/WhatsApp Chat with Ward 7.txt", "whatsapp", "text-export", SAME),
        ("/x/WhatsApp Chat - Traders.zip", "whatsapp", "text-export", SAME),
        ("img.e01!/p1/ios/_chat.txt", "whatsapp", "text-export", SAME),
        ("t.tar!/Telegram/result.json", "telegram", "json-export", "t.tar!/Telegram"),
        ("/x/tg/messages.html", "telegram", "html-export", "/x/tg"),
        ("/x/tg/messages12.html", "telegram", "html-export", "/x/tg"),
        ("result.json", "telegram", "json-export", "."),
    ],
)
def test_chat_candidates_by_name(path: str, app: str, form: str, root: str) -> None:
    assert chat_candidate(path) == ChatCandidate(app, form, path if root == SAME else root)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    ["/x/notes.txt", "/x/msgstore.txt", "/x/msgstore.db.bak", "/x/chat.txt", "/x/messages.htm"],
)
def test_other_files_are_not_chat_candidates(path: str) -> None:
    assert chat_candidate(path) is None


def test_a_journal_goes_with_its_database() -> None:
    journal = chat_candidate("/x/msgstore.db-wal")
    assert journal is not None and not journal.importable
    database = chat_candidate("/x/msgstore.db")
    assert database is not None and database.importable and database.root == journal.root
