"""The demo's chat writers: a small invented world, and what every writer must refuse.

The other ``test_chats_*`` files import the world from here: groups with a creator, two
more admins and six plain members, neutral messages, pictures and a video attached, and
the device owner as creator, as admin or as plain member.
"""

from __future__ import annotations

import hashlib
import io
import random
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
import pytest
from PIL import Image

from phunt.chats.model import Chat
from phunt.demo.chats import chat_files, chatstorage, msgstore, telegram_export, whatsapp_txt
from phunt.demo.chats_whatsapp import export_name
from phunt.demo.plan import Group, Message, Person
from phunt.errors import UsageError

OwnerRole = Literal["creator", "admin", "member"]
TEXTS = (
    "Good morning, everyone",
    "The meeting is at ten tomorrow",
    "Rice and tea for the picnic",
    "Who is bringing the chairs?",
    "Bus leaves at eight sharp",
    "Photos from the market",
    "Thanks, see you all there",
    "Please share the venue address",
    "Reached home safely",
    "Cricket practice moved to Sunday",
)
NAMES = (
    "Arun Kumar",
    "Beena Joseph",
    "Chandran Pillai",
    "Deepa Mathew",
    "Eldho Varghese",
    "Fathima Rahim",
    "Gopal Menon",
    "Hari Nair",
    "Indu Raj",
    "Jayan Thomas",
)


def people() -> dict[str, Person]:
    """Ten invented people, keyed by phone as the plan keys them."""
    found = {}
    for n, name in enumerate(NAMES):
        phone = f"+9198000{10001 + n}"
        found[phone] = Person(name, phone, 5_000_001 + n, name.split()[0].lower() + "_k")
    return found


def picture(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (seed * 40 % 256, 120, 200 - seed * 30 % 200)).save(
        out, "JPEG", quality=85
    )
    return out.getvalue()


def video() -> bytes:
    """A ten-frame MP4 of plain colours (what the demo's media writer stands in for)."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        stream.time_base = Fraction(1, 5)
        for n in range(10):
            frame = av.VideoFrame.from_ndarray(
                np.full((32, 32, 3), (n * 20, 90, 160), dtype=np.uint8), format="rgb24"
            )
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()


MEDIA = {"pic-001": picture(1), "pic-002": picture(2), "pic-003": picture(3), "vid-001": video()}


def group(title: str, owner_role: OwnerRole, shift: int = 0) -> tuple[Group, Person]:
    """A group of nine (creator, two admins, six members) and its device owner."""
    everyone = list(people())
    chosen = everyone[shift:] + everyone[:shift]
    members = tuple(chosen[:9])
    creator, admins = members[0], members[:3]
    owner = {"creator": members[0], "admin": members[1], "member": members[5]}[owner_role]
    start = datetime(2026, 1, 5 + shift, 4, 30, tzinfo=UTC)
    attachments = {2: "pic-001", 5: "vid-001", 7: "pic-002", 9: "pic-003", 11: "pic-001"}
    messages = tuple(
        Message(
            members[(n * 4) % len(members)],
            start + timedelta(minutes=7 * n),
            "" if n == 9 else TEXTS[n % len(TEXTS)],
            attachments.get(n),
        )
        for n in range(12)
    )
    built = Group("whatsapp", title, creator, admins, members, messages)
    return built, people()[owner]


def two_groups(owner_role: OwnerRole) -> tuple[Group, Group, Person]:
    """A group with messages and one without, the owner holding ``owner_role`` in both."""
    first, owner = group("Ward 9 Walkers", owner_role)
    second, _ = group("Temple Road Cricket", owner_role)
    quiet = Group("whatsapp", second.title, second.creator, second.admins, second.members, ())
    return first, quiet, owner


def write(root: Path, files: dict[str, bytes]) -> None:
    """Lay a writer's files out under ``root`` as on the device."""
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def roles_by_phone(chat: Chat, owner: Person) -> dict[str, set[str]]:
    """Each planted person's roles in a parsed chat (the owner by the parser's own id)."""
    found: dict[str, set[str]] = {}
    for pid, person in chat.participants.items():
        phone = person.phone or (owner.phone if pid == "owner" else None)
        found.setdefault(phone or pid, set()).update(person.roles)
    return found


def silent(planted: Group, owner: Person) -> bool:
    """Whether the owner is a plain member who never wrote in the group: Android's
    msgstore.db then holds no row that names the owner (WhatsApp lists other members only)."""
    wrote = any(m.author == owner.phone for m in planted.messages)
    return not wrote and owner.phone not in planted.admins


def check_roles(chat: Chat, planted: Group, owner: Person, *, unlisted_owner: bool = False) -> None:
    """Creator, admins and members of the parsed chat are the planted ones, by phone
    (without a silent owner when the format does not list the owner)."""
    roles = roles_by_phone(chat, owner)
    have = {phone for phone, names in roles.items() if "member" in names and "removed" not in names}
    members = set(planted.members)
    if unlisted_owner and silent(planted, owner):
        members.discard(owner.phone)
    assert have == members
    assert {p for p, names in roles.items() if "creator" in names} == {planted.creator}
    assert {p for p, names in roles.items() if "admin" in names} == set(planted.admins)


def planted_messages(planted: Group, minute: bool = False) -> list[tuple[str, datetime, str]]:
    """(author, UTC time, text) of each planted message, in time order."""
    return sorted(
        (m.author, m.at.replace(second=0) if minute else m.at, m.text) for m in planted.messages
    )


def test_writers_refuse_a_group_they_cannot_render() -> None:
    planted, owner = group("Ward 9 Walkers", "member")
    outsider = Person("Kiran Das", "+919800019999", 6_000_000, "kiran_d")
    with pytest.raises(UsageError, match=r"device owner .* is not a member"):
        whatsapp_txt(planted, outsider, people(), MEDIA)
    broken = Group("whatsapp", "Ward 9", planted.members[4], planted.admins, planted.members, ())
    with pytest.raises(UsageError, match=r"'Ward 9': creator .* is not among its admins"):
        telegram_export([broken], owner, people(), MEDIA, random.Random(1))
    with pytest.raises(UsageError, match="message 3: no bytes for media 'pic-001'"):
        whatsapp_txt(planted, owner, people(), {})
    odd = {**MEDIA, "pic-001": b"not a picture"}
    with pytest.raises(UsageError, match="media 'pic-001': neither"):
        whatsapp_txt(planted, owner, people(), odd)


def test_same_inputs_give_the_same_bytes() -> None:
    planted, owner = group("Ward 9 Walkers", "admin")
    first = telegram_export([planted], owner, people(), MEDIA, random.Random(7))
    assert first == telegram_export([planted], owner, people(), MEDIA, random.Random(7))
    zipped = whatsapp_txt(planted, owner, people(), MEDIA, form="zip")
    assert zipped == whatsapp_txt(planted, owner, people(), MEDIA, form="zip")


def test_chat_files_dispatches_each_form_and_refuses_others() -> None:
    ward, owner = group("Ward 9 Walkers", "admin")
    market = Group(
        "whatsapp", "Market Road", ward.creator, ward.admins, ward.members, ward.messages[:2]
    )
    both = [ward, market]
    assert chat_files("msgstore", both, owner, people(), MEDIA, random.Random(1)) == msgstore(
        both, owner, people(), MEDIA
    )
    assert chat_files("chatstorage", both, owner, people(), MEDIA, random.Random(1)) == (
        chatstorage(both, owner, people(), MEDIA)
    )
    tg = chat_files("telegram-json", both, owner, people(), MEDIA, random.Random(1))
    assert tg == telegram_export(both, owner, people(), MEDIA, random.Random(1))
    texts = chat_files("whatsapp-txt", both, owner, people(), MEDIA, random.Random(1))
    made: dict[str, bytes] = {}
    for planted in both:
        mine = {p: d for p, d in texts.items() if p.startswith(f"Download/{export_name(planted)}")}
        zipped = any(p.endswith(".zip") for p in mine)
        assert mine == whatsapp_txt(
            planted, owner, people(), MEDIA, form="zip" if zipped else "folder"
        )
        made.update(mine)
    assert made == texts
    with pytest.raises(UsageError, match=r"'cache4' is not written by phunt\.demo\.chats"):
        chat_files("cache4", both, owner, people(), MEDIA, random.Random(1))
    with pytest.raises(UsageError, match="groups 'Market Road' appear more than once"):
        msgstore([market, market], owner, people(), MEDIA)
