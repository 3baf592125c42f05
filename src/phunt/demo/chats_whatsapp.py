"""WhatsApp's Android "Export chat" (with media): ``WhatsApp Chat with <title>.txt``.

The text has no ids: people appear as the exporting phone shows them, here by number
(``+91 98000 12345``, as for anyone not in the address book) and the owner as "You". Its
system lines state the creator ("created group") and show admins acting as admins ("added",
which phunt reads as an inferred admin role; "You're now an admin" for the owner).
Attachments are lines ``IMG-20260105-WA0001.jpg (file attached)`` with the caption on the
next line, the files beside the text, or with it in the zip the share sheet makes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Literal

from phunt.demo.chats_common import (
    check,
    created_at,
    local,
    ordered,
    shown_phone,
    utc,
    wa_media_names,
    whatsapp_events,
)
from phunt.demo.plan import Group, Person

#: Where the export is saved on the phone (the share sheet's "Save to Downloads").
FOLDER = "Download"
ENCRYPTION = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more."
)


def export_name(group: Group) -> str:
    """The export's name without extension, as WhatsApp names it (no ``/`` in a file name)."""
    return f"WhatsApp Chat with {group.title.replace('/', '_')}"


def whatsapp_txt(
    group: Group,
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
    *,
    form: Literal["folder", "zip"] = "folder",
) -> dict[str, bytes]:
    """The owner's export of ``group`` by path from the phone's root.

    ``folder``: ``Download/WhatsApp Chat with <title>/`` holding the ``.txt`` and the media;
    ``zip``: ``Download/WhatsApp Chat with <title>.zip`` holding the same files.
    """
    check([group], owner, people, media)
    name = export_name(group)
    members = _export(group, owner, media)
    members[f"{name}.txt"] = "".join(f"{line}\n" for line in _lines(group, owner, media)).encode()
    if form == "folder":
        return {f"{FOLDER}/{name}/{member}": data for member, data in members.items()}
    return {f"{FOLDER}/{name}.zip": _zip(members, local(created_at(group)))}


def _export(group: Group, owner: Person, media: dict[str, bytes]) -> dict[str, bytes]:
    """The media files of the export, by their names beside the text."""
    names = wa_media_names([group], media)
    messages = ordered(group)
    return {name: media[messages[index].attachment or ""] for (_g, index), name in names.items()}


def _lines(group: Group, owner: Person, media: dict[str, bytes]) -> list[str]:
    """The text's lines, system lines first, then the messages in time order."""

    def shown(phone: str) -> str:
        return "You" if phone == owner.phone else shown_phone(phone)

    def line(at: datetime, rest: str) -> None:
        lines.append(f"{local(at):%d/%m/%Y, %H:%M} - {rest}")

    lines: list[str] = []
    line(created_at(group), ENCRYPTION)
    for event in whatsapp_events(group, owner.phone):
        actor = shown(event.actor)
        if event.kind == "created":
            line(event.at, f'{actor} created group "{group.title}"')
            continue
        if owner.phone in event.targets:
            line(event.at, f"{actor} added you")
        others = [shown(t) for t in event.targets if t != owner.phone]
        if others:
            line(event.at, f"{actor} added {', '.join(others)}")
        if owner.phone in event.targets and owner.phone in group.admins:
            line(event.at, "You're now an admin")
    names = wa_media_names([group], media)
    for index, message in enumerate(ordered(group)):
        body = message.text
        if message.attachment is not None:
            attached = f"{names[0, index]} (file attached)"
            body = f"{attached}\n{body}" if body else attached
        line(utc(message.at), f"{shown(message.author)}: {body}")
    return lines


def _zip(members: dict[str, bytes], when: datetime) -> bytes:
    """A zip as the share sheet makes it, with fixed member times (same bytes every run)."""
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(out, "w") as archive:
        for member in sorted(members, key=lambda n: (not n.endswith(".txt"), n)):
            info = zipfile.ZipInfo(member, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[member])
    return out.getvalue()
