"""What the demo plants: the contract between its generators, its runner and its test.

The scenario (districts, raids, cases, people, devices, groups, known files and their
forwarded copies) is decided once, from the seed, before any file is written; the
generators write what the plan says and the test checks phunt's findings against it.
Everything here is invented: names, numbers and text are neutral and benign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: The device forms a lab receives (each written by one generator).
Form = Literal["folder", "zip", "7z", "raw-fat", "e01"]
#: What a forwarded copy went through on its way to another device.
Transform = Literal["resize", "recompress", "crop", "mirror", "reencode", "exact"]
App = Literal["whatsapp", "telegram"]
#: How a group's chat reaches phunt on a device.
ChatForm = Literal["telegram-json", "whatsapp-txt", "msgstore", "chatstorage", "cache4"]


@dataclass(frozen=True)
class Person:
    """An invented member of groups; ``suspect_of`` names the case that charged them."""

    name: str
    phone: str  # E.164, +91 98...
    telegram_id: int
    username: str
    suspect_of: str | None = None  # FIR number


@dataclass(frozen=True)
class MediaFile:
    """A generated picture or video and, when the lists declare it, its category."""

    key: str  # stable name within the plan, e.g. "pic-007"
    kind: Literal["picture", "video"]
    known_category: int | None = None  # VICS category the synthetic list gives it
    in_pdq_list: bool = False  # a picture also listed by PDQ (so its near copies match)


@dataclass(frozen=True)
class Placement:
    """One copy of a media file on one device, where it sits and how it was changed."""

    media: str  # MediaFile.key
    device: str  # Device.number
    path: str  # path inside the device's evidence, "/"-separated
    transform: Transform = "exact"
    deleted: bool = False  # only on raw-fat devices: written, then deleted


@dataclass(frozen=True)
class Message:
    author: str  # Person.phone
    at: datetime
    text: str
    attachment: str | None = None  # MediaFile.key shared with this message


@dataclass(frozen=True)
class Group:
    """A chat group as its members' devices record it."""

    app: App
    title: str
    creator: str  # Person.phone
    admins: tuple[str, ...]  # phones, creator included
    members: tuple[str, ...]  # phones, admins included
    messages: tuple[Message, ...]
    watch_words: tuple[str, ...] = ()  # words in its messages that the watchlist names


@dataclass(frozen=True)
class ChatCopy:
    """A group's chat on one device, in one form, as seen by that device's owner."""

    group: str  # Group.title
    device: str  # Device.number
    form: ChatForm
    owner: str  # Person.phone of the device's owner


@dataclass(frozen=True)
class Device:
    number: str  # evidence number, e.g. "EV-101/1"
    kind: str  # mobile phone, memory card, laptop, hard disk, modem
    form: Form
    case: str  # FIR number
    owner: str | None  # Person.phone of the suspect it was seized from


@dataclass(frozen=True)
class Case:
    fir: str
    police_station: str
    district: str
    statutes: tuple[str, ...]
    raid_location: str
    raid_at: datetime
    team_lead: str
    suspects: tuple[str, ...]  # phones
    arrested: tuple[str, ...]  # phones


@dataclass
class Plan:
    """The whole synthetic operation."""

    operation: str
    seed: int
    size: Literal["small", "full"]
    cases: list[Case] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    chats: list[ChatCopy] = field(default_factory=list)
    watchlist: tuple[str, ...] = ()
