"""The exact ``chats parse --json`` document for a fixture."""

from __future__ import annotations

import json
from pathlib import Path

from phunt.chats import parse_export, summarise

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats"


def test_summary_of_single_chat_export() -> None:
    doc = summarise(parse_export(DATA / "telegram" / "single_chat", keep_messages=False))
    assert json.loads(json.dumps(doc)) == doc
    assert (doc["platform"], doc["format"], doc["warnings"]) == ("telegram", "telegram-json", [])
    assert doc["source"].endswith("single_chat/result.json") and len(doc["source_sha256"]) == 64
    [chat] = doc["chats"]
    assert {k: chat[k] for k in ("id", "title", "kind", "message_count")} == {
        "id": "chat4000000001",
        "title": "Ward 7 Residents",
        "kind": "group",
        "message_count": 10,
    }
    assert chat["attachments"] == [
        {"message_id": "3", "file": "photos/photo_1@05-01-2026_10-02-00.jpg", "included": True},
        {"message_id": "5", "file": "minutes.pdf", "included": False},
        {"message_id": "10", "file": "files/budget (1).txt", "included": True},
    ]
    asha = chat["participants"][0]
    assert asha == {
        "id": "user1001",
        "name": "Asha Menon",
        "phone": None,
        "username": None,
        "roles": [
            {
                "role": "creator",
                "first_seen": "2026-01-05T04:30:00Z",
                "last_seen": "2026-01-05T04:30:00Z",
                "evidence": "message 1",
                "inferred": False,
            },
            {
                "role": "admin",
                "first_seen": "2026-01-05T04:36:00Z",
                "last_seen": "2026-01-05T04:36:00Z",
                "evidence": "message 7",
                "inferred": True,
            },
            {
                "role": "member",
                "first_seen": "2026-01-05T04:30:00Z",
                "last_seen": "2026-01-05T04:36:00Z",
                "evidence": "message 1",
                "inferred": False,
            },
        ],
    }
    assert [p["id"] for p in chat["participants"]] == [
        "user1001",
        "user1002",
        "user1003",
        "user1004",
    ]


def test_summary_of_whatsapp_zip_reports_omitted_media() -> None:
    doc = summarise(parse_export(DATA / "whatsapp" / "WhatsApp Chat - Market Traders.zip"))
    [chat] = doc["chats"]
    assert chat["attachments"] == [
        {"message_id": "5", "file": "00000012-PHOTO-2026-01-04-12-06-00.jpg", "included": True},
        {"message_id": "6", "file": "00000013-PHOTO-2026-01-04-12-07-00.jpg", "included": True},
        {"message_id": "7", "file": None, "included": False},
    ]
    assert {p["name"]: [r["role"] for r in p["roles"]] for p in chat["participants"]} == {
        "Ravi Kumar": ["creator", "admin", "member"],
        "Asha Menon": ["member", "removed"],
    }
