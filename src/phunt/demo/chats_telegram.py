"""Telegram Desktop's full-account JSON export, as found on a seized laptop or PC.

"Export Telegram data" writes ``DataExport_<date>/result.json`` (in the user's
``Downloads/Telegram Desktop`` folder) with the account's own details, its contacts (which
give phunt the members' numbers) and one chat object per group, its media under
``chats/chat_<n>/photos`` and ``video_files``. Field names follow
../shared/formats/telegram-desktop-export.md.

Telegram's export states a group's creator (the ``create_group`` service message) but not
its admins: phunt infers an admin from an action only admins can take, removing a member.
So each planted admin removes one visitor, an invented person who joined by the group's
link (derived from the group's title, so every device tells the same story); visitors
end with the roles member and removed, and no number.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from phunt.demo.chats_common import (
    LEAD,
    check,
    created_at,
    digest_int,
    extension,
    local,
    media_kind,
    mime,
    ordered,
    shown_phone,
    utc,
    who,
)
from phunt.demo.plan import Group, Person

#: When an export of no group at all was made (any fixed instant keeps output stable).
_NO_GROUPS = datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
ABOUT = "Here is the data you requested. Remember: Telegram is ad free."
#: Invented names for the visitors admins remove (never a plan's person).
_VISITORS = (
    "Vinod Pillai",
    "Reshma Nair",
    "Anoop Varghese",
    "Sreeja Menon",
    "Biju Thomas",
    "Divya Krishnan",
    "Manoj Kurup",
    "Lekha Das",
)


def telegram_export(
    groups: list[Group],
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
    rng: random.Random,
) -> dict[str, bytes]:
    """The owner's export of ``groups``: ``result.json`` and the media, by path from the
    PC's root (``Users/<first name>/Downloads/Telegram Desktop/DataExport_<date>/...``).

    ``rng`` picks how many days after the last message the export was made.
    """
    check(groups, owner, people, media)
    times = [utc(m.at) for g in groups for m in g.messages] + [created_at(g) for g in groups]
    exported = local(max(times, default=_NO_GROUPS) + timedelta(days=rng.randint(1, 5)))
    user = owner.name.split()[0] if owner.name.split() else "user"
    root = f"Users/{user}/Downloads/Telegram Desktop/DataExport_{exported:%Y-%m-%d}"
    writer = _Writer(owner, people, media)
    width = len(str(len(groups)))
    chats = [writer.chat(g, f"chats/chat_{n:0{width}d}") for n, g in enumerate(groups, 1)]
    doc = {
        "about": ABOUT,
        "personal_information": {
            "user_id": owner.telegram_id,
            **_names(owner.name),
            "phone_number": shown_phone(owner.phone),
            "username": f"@{owner.username}",
        },
        "contacts": {
            "about": "This is your contact list.",
            "list": writer.contacts(groups, min(times, default=_NO_GROUPS)),
        },
        "chats": {"about": "This page lists all chats from this export.", "list": chats},
    }
    files = {f"{root}/{path}": data for path, data in writer.files.items()}
    files[f"{root}/result.json"] = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    return files


def _names(name: str) -> dict[str, str]:
    first, _, last = name.partition(" ")
    return {"first_name": first, "last_name": last}


def _stamp(at: datetime) -> dict[str, str]:
    return {
        "date": local(at).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(int(at.timestamp())),
    }


def visitors(group: Group, count: int) -> list[tuple[str, int]]:
    """The (name, user id) of each visitor an admin removes, the same on every device."""
    pick = random.Random(digest_int("telegram-visitors:" + group.title, 12))
    names = pick.sample(_VISITORS, min(count, len(_VISITORS)))
    names += [f"Visitor {n}" for n in range(len(names) + 1, count + 1)]
    return [(name, digest_int(f"telegram-user:{group.title}:{name}", 10)) for name in names]


class _Writer:
    """One export: the chat objects and the media files they name, counted per export."""

    def __init__(self, owner: Person, people: dict[str, Person], media: dict[str, bytes]) -> None:
        self.owner, self.people, self.media = owner, people, media
        self.files: dict[str, bytes] = {}
        self.counters = {"photo": 0, "video": 0}

    def contacts(self, groups: list[Group], since: datetime) -> list[dict[str, Any]]:
        """Everyone the owner shares a group with, as Telegram lists the address book."""
        phones = sorted({p for g in groups for p in g.members if p != self.owner.phone})
        added = since - timedelta(days=30)
        return [
            {
                "user_id": self.people[p].telegram_id,
                **_names(self.people[p].name),
                "phone_number": shown_phone(p),
                **_stamp(added),
            }
            for p in phones
        ]

    def chat(self, group: Group, folder: str) -> dict[str, Any]:
        messages: list[dict[str, Any]] = []

        def add(at: datetime, fields: dict[str, Any]) -> None:
            messages.append(
                {"id": len(messages) + 1, "type": fields.pop("type"), **_stamp(at), **fields}
            )

        service = self.service_events(group)
        step = LEAD / (len(service) + 1)
        start = created_at(group)
        for index, event in enumerate(service):
            add(start + step * index, event)
        for message in ordered(group):
            sender = who(message.author, self.owner, self.people)
            body: dict[str, Any] = {"type": "message", "from": sender.name}
            body["from_id"] = f"user{sender.telegram_id}"
            if message.attachment is not None:
                body.update(self.attachment(folder, message.attachment, utc(message.at)))
            body["text"] = message.text
            body["text_entities"] = (
                [{"type": "plain", "text": message.text}] if message.text else []
            )
            add(utc(message.at), body)
        chat_id = digest_int("telegram:" + group.title, 10)
        return {"name": group.title, "type": "private_group", "id": chat_id, "messages": messages}

    def service_events(self, group: Group) -> list[dict[str, Any]]:
        """Created (with the admins), members joining by an admin's link, and each admin
        removing one visitor."""

        def actor(phone: str) -> dict[str, Any]:
            person = who(phone, self.owner, self.people)
            return {
                "type": "service",
                "actor": person.name,
                "actor_id": f"user{person.telegram_id}",
            }

        others = [a for a in group.admins if a != group.creator]
        events = [
            {
                **actor(group.creator),
                "action": "create_group",
                "title": group.title,
                "members": [who(a, self.owner, self.people).name for a in others],
                "text": "",
                "text_entities": [],
            }
        ]
        admins = list(group.admins)
        plain = [m for m in group.members if m not in group.admins]
        for index, member in enumerate(plain):
            inviter = who(admins[index % len(admins)], self.owner, self.people)
            events.append(
                {
                    **actor(member),
                    "action": "join_group_by_link",
                    "inviter": inviter.name,
                    "text": "",
                    "text_entities": [],
                }
            )
        for admin, (name, user_id) in zip(admins, visitors(group, len(admins)), strict=True):
            inviter = who(admin, self.owner, self.people)
            events.append(
                {
                    "type": "service",
                    "actor": name,
                    "actor_id": f"user{user_id}",
                    "action": "join_group_by_link",
                    "inviter": inviter.name,
                    "text": "",
                    "text_entities": [],
                }
            )
            events.append(
                {
                    **actor(admin),
                    "action": "remove_members",
                    "members": [name],
                    "text": "",
                    "text_entities": [],
                }
            )
        return events

    def attachment(self, folder: str, key: str, at: datetime) -> dict[str, Any]:
        """The media fields of a message, its file placed where Telegram Desktop puts it."""
        data = self.media[key]
        when = local(at).strftime("%d-%m-%Y_%H-%M-%S")
        if media_kind(key, data) == "picture":
            self.counters["photo"] += 1
            path = f"{folder}/photos/photo_{self.counters['photo']}@{when}{extension(data)}"
            self.files[path] = data
            return {"photo": path, "photo_file_size": len(data)}
        self.counters["video"] += 1
        name = f"video_{self.counters['video']}@{when}{extension(data)}"
        path = f"{folder}/video_files/{name}"
        self.files[path] = data
        return {
            "file": path,
            "file_name": name,
            "file_size": len(data),
            "media_type": "video_file",
            "mime_type": mime(data),
        }
