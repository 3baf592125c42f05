"""Every device's evidence and the hash lists, written from a :class:`Plan`.

The generators (:mod:`phunt.demo.media`, :mod:`phunt.demo.chats`,
:mod:`phunt.demo.containers`, :mod:`phunt.demo.lists`) are pure and seeded per file, so
one plan always gives the same bytes. Besides the files, the world keeps a ledger of
which media file (and which change of it) each written file is, found by digest: the
demo's test compares phunt's matches with it, chat attachments included.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from phunt.demo import chats, containers, lists, media
from phunt.demo.cache4 import cache4
from phunt.demo.plan import ChatCopy, ChatForm, Device, Group, MediaFile, Plan, Transform

#: Files a device holds besides media and chats (the everyday rest of an extraction).
EVERYDAY = {
    "mobile phone": {"Documents/shopping.txt": "rice, tea, bananas\n"},
    "laptop": {"Users/owner/Documents/timetable.txt": "bus at 8.10, train at 9.45\n"},
    "memory card": {"NOTES.TXT": "camera card\n"},
    "hard disk": {"README.TXT": "backup disk\n"},
    "modem": {
        "config/router.cfg": "ssid=HomeNet\nchannel=6\n",
        "logs/syslog.txt": "dhcp lease renewed\nlink up\n",
    },
}


@dataclass(frozen=True)
class Copy:
    """A written file that is a copy of a plan's media file."""

    path: str
    media: str  # MediaFile.key
    transform: Transform
    sha256: str
    deleted: bool


@dataclass
class World:
    """Where each device's evidence lies, the lists to import, and the ledger of copies."""

    evidence: dict[str, Path] = field(default_factory=dict)  # device number -> path
    lists: dict[str, Path] = field(default_factory=dict)  # list name -> file
    copies: dict[str, list[Copy]] = field(default_factory=dict)  # device number -> copies
    files: dict[str, int] = field(default_factory=dict)  # device number -> files written

    def planted(self, plan: Plan) -> dict[str, Any]:
        """The answer key: per device, each copy of a media file and whether the lists
        reach it (a listed file, as it is or, when its kind's list is imported, changed)."""
        by_key = {m.key: m for m in plan.media}
        reach = {"picture": "demo-pdq" in self.lists, "video": "demo-vpdq" in self.lists}

        def listed(copy: Copy) -> bool:
            item = by_key[copy.media]
            if item.known_category is None:
                return False
            if copy.transform == "exact":
                return True
            return reach[item.kind] and (item.kind == "video" or item.in_pdq_list)

        return {
            "seed": plan.seed,
            "size": plan.size,
            "lists": sorted(self.lists),
            "devices": {
                number: {
                    "evidence": self.evidence[number].name,
                    "files": self.files[number],
                    "copies": [{**asdict(c), "listed": listed(c)} for c in copies],
                }
                for number, copies in self.copies.items()
            },
        }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Media:
    """Each media file's original and changed bytes, generated once and remembered."""

    def __init__(self, plan: Plan) -> None:
        self.seed = plan.seed
        self.by_key = {m.key: m for m in plan.media}
        self.made: dict[tuple[str, Transform], bytes] = {}
        self.ledger: dict[str, tuple[str, Transform]] = {}

    def get(self, key: str, transform: Transform = "exact") -> bytes:
        if (key, transform) not in self.made:
            item = self.by_key[key]
            if transform == "exact":
                rng = random.Random(f"{self.seed}/{key}")
                made = media.picture(rng) if item.kind == "picture" else media.video(rng)
            else:
                rng = random.Random(f"{self.seed}/{key}/{transform}")
                made = media.forward(self.get(key), item.kind, transform, rng)
            self.made[key, transform] = made
            self.ledger.setdefault(_sha256(made), (key, transform))
        return self.made[key, transform]


def _chat_files(
    plan: Plan, device: Device, copies: list[ChatCopy], made: _Media
) -> dict[str, bytes]:
    """The device's chats, each in the form the plan gives it, with their media."""
    people = {p.phone: p for p in plan.people}
    groups = {g.title: g for g in plan.groups}
    owner = people[device.owner or ""]
    by_form: dict[ChatForm, list[Group]] = {}
    for copy in copies:
        by_form.setdefault(copy.form, []).append(groups[copy.group])
    out: dict[str, bytes] = {}
    for form, chosen in sorted(by_form.items()):
        shared = {m.attachment for g in chosen for m in g.messages if m.attachment}
        files = {key: made.get(key) for key in sorted(shared)}
        rng = random.Random(f"{plan.seed}/{device.number}/{form}")
        if form == "cache4":
            out.update(cache4(chosen, owner, people, files))
        else:
            out.update(chats.chat_files(form, chosen, owner, people, files, rng))
    return out


def _write_device(
    device: Device, dest: Path, live: dict[str, bytes], gone: dict[str, bytes]
) -> Path:
    """The device's evidence in its form; returns what to ingest."""
    name = device.number.replace("/", "_")
    if device.form == "folder":
        containers.write_folder(dest / name, live)
        return dest / name
    if device.form == "zip":
        containers.write_zip(dest / f"{name}.zip", live)
        return dest / f"{name}.zip"
    if device.form == "7z":
        containers.write_7z(dest / f"{name}.7z", live)
        return dest / f"{name}.7z"
    if device.form == "raw-fat":
        containers.write_fat_image(dest / f"{name}.img", live, gone)
        return dest / f"{name}.img"
    return containers.write_e01(dest / name, live, gone)


def _write_lists(plan: Plan, dest: Path, made: _Media) -> dict[str, Path]:
    known: list[MediaFile] = [m for m in plan.media if m.known_category is not None]
    out: dict[str, Path] = {}
    dest.mkdir(parents=True, exist_ok=True)
    writers: list[tuple[str, str, Callable[[], bytes | None]]] = [
        ("demo-vics", "vics.json",
         lambda: lists.vics_json([(made.get(m.key), m.known_category or 0) for m in known])),
        ("demo-pdq", "pdq.txt",
         lambda: lists.pdq_list([made.get(m.key) for m in known if m.in_pdq_list])),
        ("demo-vpdq", "vpdq.txt",
         lambda: lists.vpdq_list([made.get(m.key) for m in known if m.kind == "video"])),
    ]  # fmt: skip
    for name, filename, write in writers:
        data = write()
        if data is not None:
            (dest / filename).write_bytes(data)
            out[name] = dest / filename
    return out


def write_world(plan: Plan, dest: Path) -> World:
    """Write every device of ``plan`` and the hash lists under ``dest``."""
    (dest / "devices").mkdir(parents=True, exist_ok=True)
    made = _Media(plan)
    world = World()
    for device in plan.devices:
        live = {p: t.encode() for p, t in EVERYDAY.get(device.kind, {}).items()}
        gone: dict[str, bytes] = {}
        for place in (p for p in plan.placements if p.device == device.number):
            (gone if place.deleted else live)[place.path] = made.get(place.media, place.transform)
        copies = [c for c in plan.chats if c.device == device.number]
        if copies:
            live.update(_chat_files(plan, device, copies, made))
        world.evidence[device.number] = _write_device(device, dest / "devices", live, gone)
        world.files[device.number] = len(live) + len(gone)
        world.copies[device.number] = [
            Copy(path, *made.ledger[digest], digest, path in gone)
            for path, data in sorted({**live, **gone}.items())
            if (digest := _sha256(data)) in made.ledger
        ]
    world.lists = _write_lists(plan, dest / "lists", made)
    return world
