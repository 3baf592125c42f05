"""Correctness check for bench/chats.py: phunt's parsed model against an independent reading.

Each side is reduced to the same plain summary, per chat: messages, first and last time
(Unix seconds), messages per sender, attachments (message id, path, size) and names seen.
``from_json`` reads the Telegram file with ``json.load`` and ``from_text`` reads the WhatsApp
file with str.split; neither uses phunt. The bench prints how many fields agree.
"""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path
from typing import Any

Summary = dict[str, Any]


def from_model(export: Any) -> list[Summary]:
    """phunt's parsed export (keep_messages=False keeps everything but the messages)."""
    out = []
    for chat in export.chats:
        out.append(
            {
                "messages": chat.message_count,
                "first": int(chat.first_time.timestamp()),
                "last": int(chat.last_time.timestamp()),
                "senders": {
                    name: p.message_count
                    for p in chat.participants.values()
                    if p.message_count
                    for name in p.names[:1]
                },
                "names": sorted(n for p in chat.participants.values() for n in p.names),
                "attachments": sorted([a.message_id, a.path, a.size] for a in chat.attachments),
            }
        )
    return out


def from_json(data: Any) -> list[Summary]:
    """The Telegram export as json.load decoded it."""
    out = []
    for chat in data["chats"]["list"]:
        messages = chat["messages"]
        senders: collections.Counter[str] = collections.Counter(
            m.get("from") or m.get("actor") for m in messages
        )
        names = set(senders)
        for m in messages:
            names.update(m.get("members", ()))
        stamps = [int(m["date_unixtime"]) for m in messages]
        out.append(
            {
                "messages": len(messages),
                "first": min(stamps),
                "last": max(stamps),
                "senders": dict(senders),
                "names": sorted(names),
                "attachments": sorted(
                    [str(m["id"]), m["photo"], m.get("photo_file_size")]
                    for m in messages
                    if "photo" in m
                ),
            }
        )
    return out


def from_text(path: Path) -> list[Summary]:
    """The WhatsApp export read line by line with str.split (day-first, 24-hour, IST)."""
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    senders: collections.Counter[str] = collections.Counter()
    names: set[str] = set()
    attachments = []
    stamps = []
    count = 0
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            stamp, _, rest = line.rstrip("\n").partition(" - ")
            count += 1
            stamps.append(
                int(dt.datetime.strptime(stamp, "%d/%m/%Y, %H:%M").replace(tzinfo=ist).timestamp())
            )
            sender, colon, text = rest.partition(": ")
            if colon:
                senders[sender] += 1
                names.add(sender)
                if text.endswith(" (file attached)"):
                    name = text.removesuffix(" (file attached)")
                    attachments.append([str(number), name, None])
            else:
                words = rest.split(" ")
                names.add(" ".join(words[:2]))
                if words[2] == "added":
                    names.add(" ".join(words[3:5]))
    return [
        {
            "messages": count,
            "first": min(stamps),
            "last": max(stamps),
            "senders": dict(senders),
            "names": sorted(names),
            "attachments": sorted(attachments),
        }
    ]


def compare(ours: list[Summary], theirs: list[Summary]) -> str:
    """One line: which fields agree, chat by chat, and the first difference if any."""
    if len(ours) != len(theirs):
        return f"DIFFERENT: {len(ours)} chats parsed, {len(theirs)} in the file"
    for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for key in a:
            if a[key] != b[key]:
                return f"DIFFERENT in chat {index + 1}, field {key!r}"
    fields = ", ".join(ours[0]) if ours else "nothing"
    return f"identical on all {len(ours)} chats ({fields})"
