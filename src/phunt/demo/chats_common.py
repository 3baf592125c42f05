"""What the demo's chat writers share: checks, times, identifiers and a WhatsApp timeline.

Every writer turns one :class:`~phunt.demo.plan.Group` into the records a real app keeps,
so the same group must get the same identifiers on every device (a Telegram chat id, a
WhatsApp group JID): they are derived from the group's title, never drawn at random, or
phunt's cross-device merge could not recognise the group. The order of WhatsApp's group
events (created, admins added, members added by admins) is decided here once, so the text
export, ``msgstore.db`` and ``ChatStorage.sqlite`` tell one story.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from phunt.demo.plan import Group, Message, Person
from phunt.errors import UsageError

#: The zone the invented phones keep local time in (and phunt assumes for text exports).
IST = ZoneInfo("Asia/Kolkata")
#: When a group with no messages was created (any fixed instant keeps output stable).
_NO_MESSAGES = datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
#: How long before its first message a group was created, and the spacing of its events.
LEAD = timedelta(hours=2)
STEP = timedelta(minutes=1)

MediaKind = Literal["picture", "video"]


def utc(at: datetime) -> datetime:
    """``at`` in UTC; a naive time is taken to be UTC already (the plan's convention)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def local(at: datetime) -> datetime:
    """``at`` on an Indian phone's clock."""
    return utc(at).astimezone(IST)


def millis(at: datetime) -> int:
    """Unix milliseconds, as Android's WhatsApp stores times."""
    return int(utc(at).timestamp() * 1000)


def digest_int(text: str, digits: int) -> int:
    """A stable number of ``digits`` digits (no leading zero) derived from ``text``."""
    value = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    low = 10 ** (digits - 1)
    return int(low + value % (9 * low))


def media_kind(key: str, data: bytes) -> MediaKind:
    """Whether the bytes the caller gave for ``key`` are a picture or a video."""
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n":
        return "picture"
    if data[4:8] == b"ftyp":
        return "video"
    raise UsageError(f"media {key!r}: neither a JPEG/PNG picture nor an MP4 video")


def extension(data: bytes) -> str:
    """The file extension the apps give these bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return ".png"
    return ".mp4" if data[4:8] == b"ftyp" else ".jpg"


def mime(data: bytes) -> str:
    """The MIME type the apps record for these bytes."""
    return {".png": "image/png", ".mp4": "video/mp4"}.get(extension(data), "image/jpeg")


def check(
    groups: list[Group], owner: Person, people: dict[str, Person], media: dict[str, bytes]
) -> None:
    """Refuse a plan the writers cannot render, naming the group and what is wrong."""
    titles = [g.title for g in groups]
    twice = sorted({t for t in titles if titles.count(t) > 1})
    if twice:
        # identifiers derive from titles: two groups of one title would be one chat
        raise UsageError(f"groups {', '.join(map(repr, twice))} appear more than once")
    for group in groups:
        where = f"group {group.title!r}"
        if group.creator not in group.admins:
            raise UsageError(f"{where}: creator {group.creator} is not among its admins")
        stray = [p for p in group.admins if p not in group.members]
        if stray:
            raise UsageError(f"{where}: admins {', '.join(stray)} are not members")
        if owner.phone not in group.members:
            raise UsageError(f"{where}: the device owner {owner.phone} is not a member")
        unknown = [p for p in group.members if p not in people and p != owner.phone]
        if unknown:
            raise UsageError(f"{where}: members {', '.join(unknown)} are not in people")
        for number, message in enumerate(group.messages, 1):
            if message.author not in group.members:
                raise UsageError(f"{where}, message {number}: {message.author} is not a member")
            if message.attachment is not None:
                if message.attachment not in media:
                    raise UsageError(
                        f"{where}, message {number}: no bytes for media {message.attachment!r}"
                    )
                media_kind(message.attachment, media[message.attachment])


def who(phone: str, owner: Person, people: dict[str, Person]) -> Person:
    """The person with ``phone`` (the owner need not be in ``people``)."""
    return owner if phone == owner.phone else people[phone]


def ordered(group: Group) -> list[Message]:
    """The group's messages in time order (stable for equal times)."""
    return sorted(group.messages, key=lambda m: utc(m.at))


def created_at(group: Group) -> datetime:
    """When the group was created: :data:`LEAD` before its first message."""
    messages = ordered(group)
    return (utc(messages[0].at) if messages else _NO_MESSAGES + LEAD) - LEAD


def jid_user(phone: str) -> str:
    """The user part of a WhatsApp JID: the E.164 number without its ``+``."""
    return phone.lstrip("+")


def user_jid(phone: str) -> str:
    return f"{jid_user(phone)}@s.whatsapp.net"


def group_jid(group: Group) -> str:
    """The group's JID, the same on every device (``120363`` + 12 digits, from the title)."""
    return f"120363{digest_int('whatsapp:' + group.title, 12)}@g.us"


def shown_phone(phone: str) -> str:
    """A number as phones show it (``+91 98000 12345``)."""
    digits = phone.lstrip("+")
    if phone.startswith("+91") and len(digits) == 12:
        return f"+91 {digits[2:7]} {digits[7:]}"
    return phone


@dataclass(frozen=True)
class Event:
    """A WhatsApp group event: ``actor`` (a phone) created the group or added ``targets``."""

    kind: Literal["created", "added"]
    at: datetime
    actor: str
    targets: tuple[str, ...] = ()


def whatsapp_events(group: Group, owner: str) -> list[Event]:
    """The group's story before its messages, as every WhatsApp form records it.

    The creator creates the group and adds the other admins; then each admin adds a share
    of the other members (the device owner first, so an owner who is an admin always adds
    someone: the owner's own database lists no role for the owner), so every admin has
    taken an action that only admins can take.
    """
    at = created_at(group)
    events = [Event("created", at, group.creator)]
    others = sorted((a for a in group.admins if a != group.creator), key=lambda a: a != owner)
    if others:
        events.append(Event("added", at + STEP, group.creator, tuple(others)))
    plain = [m for m in group.members if m not in group.admins]
    adders = others or [group.creator]
    shares: list[list[str]] = [[] for _ in adders]
    for index, member in enumerate(plain):
        shares[index % len(adders)].append(member)
    for index, (adder, share) in enumerate(zip(adders, shares, strict=True)):
        if share:
            events.append(Event("added", at + STEP * (2 + index), adder, tuple(share)))
    return events


def wa_media_names(groups: list[Group], media: dict[str, bytes]) -> dict[tuple[int, int], str]:
    """WhatsApp's name for each attachment, by (group index, message index in
    :func:`ordered`): ``IMG-YYYYMMDD-WA0001.jpg`` / ``VID-...mp4``, counted per day over
    the whole phone as the app does, so two groups never share a name."""
    names: dict[tuple[int, int], str] = {}
    counters: dict[str, int] = {}
    for number, group in enumerate(groups):
        for index, message in enumerate(ordered(group)):
            if message.attachment is None:
                continue
            data = media[message.attachment]
            day = local(message.at).strftime("%Y%m%d")
            counters[day] = counters.get(day, 0) + 1
            prefix = "VID" if media_kind(message.attachment, data) == "video" else "IMG"
            names[number, index] = f"{prefix}-{day}-WA{counters[day]:04d}{extension(data)}"
    return names
