"""The demo's synthetic operation, decided from (seed, size) before any file is written.

Everything is invented and neutral: names are made from two short lists, phone numbers
are +91 98000 numbers, chat text is everyday talk, and the "known" files are generated
shapes that the demo's own lists declare known. ``small`` keeps every device form, chat
form and feature (deleted files, forwarded copies, review propagation) with fewer
raids and devices, so the tests can afford it; ``full`` is the ~two dozen devices that
``make demo`` shows.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Literal

from phunt.demo.plan import (
    App,
    Case,
    ChatCopy,
    ChatForm,
    Device,
    Form,
    Group,
    MediaFile,
    Message,
    Person,
    Placement,
    Plan,
    Transform,
)

Size = Literal["small", "full"]
OPERATION = "P-Hunt (demo)"
DISTRICTS = (
    "Thiruvananthapuram", "Kollam", "Pathanamthitta", "Alappuzha", "Kottayam", "Idukki",
    "Ernakulam", "Thrissur", "Palakkad", "Malappuram", "Kozhikode", "Wayanad", "Kannur",
    "Kasaragod",
)  # fmt: skip
FIRST = (
    "Arun", "Bindu", "Chandran", "Deepa", "Eldho", "Fathima", "Gokul", "Hari", "Indu",
    "Jibin", "Kavya", "Lijo", "Meera", "Nikhil", "Oommen", "Priya", "Rahul", "Sneha",
)  # fmt: skip
LAST = ("Example", "Sample", "Test", "Demo", "Mock", "Placeholder", "Specimen", "Dummy")
PLACES = ("house", "flat", "shop", "lodge room", "rented room", "office")
STATUTES = (("IT Act s.67B",), ("IT Act s.67B", "POCSO s.15"), ("IT Act s.67B", "POCSO s.14"))
#: The kinds of devices seized and the form the lab receives each in, in the order a
#: case's devices are drawn; every form appears within the first seven.
PATTERN: tuple[tuple[str, Form], ...] = (
    ("mobile phone", "folder"),
    ("mobile phone", "zip"),
    ("laptop", "7z"),
    ("memory card", "raw-fat"),
    ("hard disk", "e01"),
    ("mobile phone", "folder"),
    ("modem", "folder"),
)
#: How a phone's WhatsApp reaches the lab, by the phone's rank among phones.
WHATSAPP_FORMS: tuple[ChatForm, ...] = ("msgstore", "chatstorage", "whatsapp-txt")
PICTURE_TRANSFORMS: tuple[Transform, ...] = ("resize", "recompress", "crop", "mirror")
TEXTS = (
    "meeting at ten", "rice and tea for everyone", "the bus was late again",
    "see you at the station", "happy birthday!", "rain all afternoon here",
    "who has the cricket score?", "bring the umbrella", "lunch at the usual place",
    "the shop closes at nine", "good morning all", "train tickets booked",
)  # fmt: skip
#: Words the unit's watchlist names (neutral stand-ins); some messages carry them.
WATCHLIST = ("blue parcel", "mango folder")
SIZES: dict[Size, dict[str, int]] = {
    "small": {"cases": 5, "devices": 7, "groups": 1, "known_pictures": 4, "known_videos": 1,
              "new_shared": 1, "bystanders": 3, "filler": 2},
    "full": {"cases": 14, "devices": 24, "groups": 2, "known_pictures": 8, "known_videos": 2,
             "new_shared": 2, "bystanders": 6, "filler": 3},
}  # fmt: skip
RAID_DAY = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)  # 06:00 IST, the raids' morning
CHAT_DAY = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)


def is_phone(device: Device) -> bool:
    return device.kind == "mobile phone"


def media_path(device: Device, n: int, kind: str, forwarded: bool) -> str:
    """Where a picture or video sits on a device of this kind (8.3 names on FAT)."""
    ext = "jpg" if kind == "picture" else "mp4"
    if device.form in ("raw-fat", "e01"):
        folder = "BACKUP" if forwarded else "DCIM/100MEDIA"
        return f"{folder}/{'P' if kind == 'picture' else 'V'}{n:05d}.{ext.upper()}"
    if device.kind == "laptop":
        folder = "Downloads" if forwarded else "Pictures"
        return f"Users/owner/{folder}/{'photo' if kind == 'picture' else 'video'}_{n:04d}.{ext}"
    if forwarded:
        return f"Download/IMG-20261101-WA{n:04d}.{ext}"
    prefix = "IMG" if kind == "picture" else "VID"
    return f"DCIM/Camera/{prefix}_2026110{n % 9 + 1}_{n:04d}.{ext}"


class _Builder:
    def __init__(self, seed: int, size: Size) -> None:
        self.rng = random.Random(f"phunt-demo/{seed}/{size}")
        self.plan = Plan(OPERATION, seed, size, watchlist=WATCHLIST)
        self.n = SIZES[size]
        self.counter: dict[str, int] = {}
        self.phones: set[str] = set()
        self.names: set[str] = set()

    def person(self, fir: str | None) -> Person:
        while True:
            name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            phone = f"+9198000{self.rng.randrange(10000, 100000)}"
            if name not in self.names and phone not in self.phones:
                break
        self.names.add(name)
        self.phones.add(phone)
        index = len(self.plan.people)
        username = name.lower().replace(" ", "_") + f"_{index}"
        person = Person(name, phone, 7_000_000 + index * 37, username, suspect_of=fir)
        self.plan.people.append(person)
        return person

    def cases_and_devices(self) -> None:
        districts = self.rng.sample(DISTRICTS, self.n["cases"])
        kinds = [PATTERN[i % len(PATTERN)] for i in range(self.n["devices"])]
        per_case: list[list[tuple[str, Form]]] = [[] for _ in districts]
        for i, kind in enumerate(kinds):
            per_case[i % len(districts)].append(kind)
        for i, (district, seized) in enumerate(zip(districts, per_case, strict=True)):
            fir = f"CR {101 + i}/2026"
            owners = [self.person(fir) for what, _ in seized if what != "modem"]
            suspects = owners or [self.person(fir)]
            arrested = tuple(p.phone for j, p in enumerate(suspects) if (i + j) % 2 == 0)
            place = f"{self.rng.choice(PLACES)} {self.rng.randrange(1, 60)}"
            self.plan.cases.append(
                Case(
                    fir, f"Cyber PS {district}", district, STATUTES[i % len(STATUTES)],
                    f"{district}, {place}", RAID_DAY + timedelta(minutes=17 * i),
                    f"SI {FIRST[i % len(FIRST)]} Officer", tuple(p.phone for p in suspects),
                    arrested,
                )
            )  # fmt: skip
            owner_iter = iter(owners)
            for k, (what, form) in enumerate(seized, start=1):
                owner = None if what == "modem" else next(owner_iter).phone
                self.plan.devices.append(Device(f"EV-{101 + i}/{k}", what, form, fir, owner))

    def place(self, media: MediaFile, device: Device, transform: Transform, **kw: bool) -> None:
        n = self.counter[device.number] = self.counter.get(device.number, 0) + 1
        path = media_path(device, n, media.kind, forwarded=transform != "exact")
        self.plan.placements.append(Placement(media.key, device.number, path, transform, **kw))

    def media(self) -> None:
        holders = [d for d in self.plan.devices if d.kind != "modem"]
        fat = [d for d in holders if d.form == "raw-fat"]
        pictures = self.n["known_pictures"]
        for i in range(pictures):
            listed = i < pictures - 1  # the last one is listed by its digests only
            self.spread(
                MediaFile(f"pic-{i + 1:03d}", "picture", 1 + i % 3, in_pdq_list=listed),
                holders, PICTURE_TRANSFORMS[i % 4] if listed else "exact", i,
            )  # fmt: skip
        for i in range(self.n["known_videos"]):
            video = MediaFile(f"vid-{i + 1:03d}", "video", 1 + i % 2)
            self.spread(video, holders, "reencode", i + 1)
        for i in range(self.n["new_shared"]):  # not listed: found by review, spread by it
            self.spread(MediaFile(f"new-{i + 1:03d}", "picture"), holders, "resize", i + 2)
        for device in fat:  # a known picture written, then deleted: recovered
            self.place(self.plan.media[0], device, "exact", deleted=True)
        for device in holders:
            for j in range(self.n["filler"]):
                filler = MediaFile(f"own-{device.number}-{j + 1}", "picture")
                self.plan.media.append(filler)
                self.place(filler, device, "exact")

    def spread(self, media: MediaFile, holders: list[Device], changed: Transform, i: int) -> None:
        """The original on one device, an exact copy and a changed copy on two others."""
        self.plan.media.append(media)
        first, second, third = (holders[(i * 2 + k) % len(holders)] for k in range(3))
        self.place(media, first, "exact")
        self.place(media, second, "exact")
        self.place(media, third, changed)

    def groups(self) -> None:
        bystanders = [self.person(None) for _ in range(self.n["bystanders"])]
        shareable = [m for m in self.plan.media if not m.key.startswith("own-")]
        for app in ("whatsapp", "telegram"):
            devices = [d for d in self.plan.devices if d.owner and self.chat_form(app, d)]
            for g in range(self.n["groups"]):
                chosen = self.choose_devices(app, devices, g)
                owners = [d.owner for d in chosen if d.owner]
                others = [p.phone for p in self.rng.sample(bystanders, 2)]
                members = tuple(dict.fromkeys([*owners, *others]))
                title = f"{'Family' if app == 'whatsapp' else 'Cricket'} circle {g + 1}"
                group = Group(
                    app, title, owners[0], tuple(dict.fromkeys(owners[:2])), members,
                    self.messages(members, shareable, g), WATCHLIST,
                )  # fmt: skip
                self.plan.groups.append(group)
                for device in chosen:
                    form = self.chat_form(app, device)
                    if form is not None and device.owner is not None:
                        self.plan.chats.append(ChatCopy(title, device.number, form, device.owner))

    def choose_devices(self, app: App, devices: list[Device], g: int) -> list[Device]:
        """Every chat form in each size's first group; three or four devices per group."""
        if self.plan.size == "small" or len(devices) <= 4:
            return devices
        by_form: dict[ChatForm | None, list[Device]] = {}
        for d in devices:
            by_form.setdefault(self.chat_form(app, d), []).append(d)
        chosen = [forms[g % len(forms)] for forms in by_form.values()]
        rest = [d for d in devices if d not in chosen]
        chosen += self.rng.sample(rest, max(0, 4 - len(chosen)))
        return chosen

    def chat_form(self, app: App, device: Device) -> ChatForm | None:
        """How the app's chats on this device reach the lab, None if it has no such app.

        Phones take turns: an Android phone extracted whole (msgstore.db, Telegram's
        cache4.db), an iPhone (ChatStorage.sqlite, no Telegram), an Android phone whose
        owner exported a WhatsApp chat; a laptop holds a Telegram Desktop export.
        """
        if device.kind == "laptop":
            return "telegram-json" if app == "telegram" else None
        if not is_phone(device):
            return None
        phones = [d for d in self.plan.devices if is_phone(d)]
        whatsapp = WHATSAPP_FORMS[phones.index(device) % len(WHATSAPP_FORMS)]
        if app == "whatsapp":
            return whatsapp
        return None if whatsapp == "chatstorage" else "cache4"

    def messages(
        self, members: tuple[str, ...], shareable: list[MediaFile], g: int
    ) -> tuple[Message, ...]:
        out: list[Message] = []
        at = CHAT_DAY + timedelta(days=g)
        attachments = [m.key for m in shareable if m.known_category is not None][g::2]
        shared = 0
        for i in range(10):
            at += timedelta(minutes=self.rng.randrange(3, 90))
            text = self.rng.choice(TEXTS)
            if i in (3, 7):
                text = f"{text}, the {WATCHLIST[i // 4]} is ready"
            attachment = None
            if i % 3 == 1 and attachments:
                attachment, shared = attachments[shared % len(attachments)], shared + 1
            author = members[0] if i == 0 else self.rng.choice(members)
            out.append(Message(author, at, text, attachment))
        return tuple(out)


def build_plan(seed: int = 2026, size: Size = "small") -> Plan:
    """The operation for ``seed`` and ``size``; the same arguments give the same plan."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    builder = _Builder(seed, size)
    builder.cases_and_devices()
    builder.media()
    builder.groups()
    return builder.plan
