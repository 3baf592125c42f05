"""A seed-sized synthetic operation in the real schema, for the web benchmark.

One operation over Kerala's 14 districts (those the first migration loads) with the seed's
figures (326 raids, 268 cases, 41 arrests, 285 devices, 500,000 stored files, 50,000
matches, 200 groups with 20,000 members) and the chats in proportion, bulk inserted with
SQLAlchemy Core (one ``executemany`` per batch) into a database created by
:class:`phunt.schema.db.Database`, so the migrations and their indexes are the ones a lab
runs. The two hash sets the matches name are imported through the hash-set service (real
set files, two versions of one); the users, one per role, are added through the accounts
service. Everything is invented and deterministic: the same ``--scale`` and ``--seed`` give
the same rows on SQLite and PostgreSQL (the users' passwords are new and random each time).

    PYTHONPATH=src .venv/bin/python bench/web_seed.py --db sqlite:///bench/.cache/web/phunt.db
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, select, text

from phunt.schema.cases import Case, CustodyEvent, Device, District, Operation, Raid, Suspect
from phunt.schema.chats import (
    ChatAttachment,
    ChatImport,
    ChatKeywordHit,
    ChatMediaMatch,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

FIRST = (
    "Arun", "Bindu", "Chandran", "Deepa", "Eldho", "Fathima", "Gopan", "Hari", "Indu",
    "Jomon", "Kavya", "Liju", "Manu", "Nisha", "Omana", "Prasad", "Rajesh", "Sreeja",
    "Tomy", "Usha", "Vinod", "Anil", "Biju", "Reshma", "Shibu", "Sunil", "Asha", "Jithin",
)  # fmt: skip
LAST = (
    "Example", "Sample", "Mock", "Demo", "Placeholder", "Fictive", "Testcase", "Dummy",
    "Specimen", "Pattern", "Model", "Draft", "Template", "Stand-in", "Invented",
)  # fmt: skip
WORDS = (
    "meeting", "market", "water", "street", "light", "payment", "notice", "ward", "price",
    "list", "sunday", "bus", "tea", "rain", "ticket", "office", "school", "road",
)  # fmt: skip
#: What was seized, and what a device holds, with their weights.
KINDS: tuple[tuple[str, int], ...] = (
    ("mobile phone", 55), ("memory card", 14), ("hard disk", 9), ("laptop", 8), ("modem", 8),
    ("computer", 4), ("other", 2),
)  # fmt: skip
MIMES: tuple[tuple[str, int], ...] = (
    ("image/jpeg", 52), ("image/png", 8), ("video/mp4", 5), ("application/pdf", 6),
    ("text/plain", 9), ("application/zip", 3), ("audio/ogg", 7), ("application/octet-stream", 10),
)  # fmt: skip
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4", "audio/ogg": "opus"}
EXTENSIONS |= {"application/pdf": "pdf", "text/plain": "txt", "application/zip": "zip"}
WEEKEND = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
BATCH = 10_000
ROLE_NAMES = ("admin", "supervisor", "investigator", "analyst", "auditor")
BENCH_DEVICES = 10
MD5_SET, PDQ_SET = "Synthetic Known MD5", "Synthetic Known PDQ"


@dataclass(frozen=True)
class Sizes:
    """How many of each thing; ``at(1.0)`` is the seed's operation."""

    raids: int = 326
    cases: int = 268
    suspects: int = 420
    arrests: int = 41
    devices: int = 285
    ingested: int = 262
    files: int = 500_000
    exact_matches: int = 35_000
    near_matches: int = 15_000
    md5_entries: int = 20_000
    pdq_entries: int = 6_000
    groups: int = 200
    members: int = 20_000
    people: int = 12_000
    messages_per_member: int = 10

    @classmethod
    def at(cls, scale: float) -> Sizes:
        """Every count times ``scale`` (at least one of each; districts stay 14, and each
        member still writes as many messages)."""
        counts = {k: max(1, round(v * scale)) for k, v in asdict(cls()).items()}
        return cls(**counts | {"messages_per_member": cls.messages_per_member})

    @property
    def matches(self) -> int:
        return self.exact_matches + self.near_matches


@dataclass
class Seeded:
    """What the benchmark needs to know of a seeded database."""

    url: str
    sizes: dict[str, int]
    operation_id: int
    #: [device id, files] of devices spread over the sizes, the largest first
    devices: list[list[int]]
    counts: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


class Ids:
    """Explicit primary keys, so rows can refer to each other without RETURNING."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


def _hex(kind: str, key: str) -> str:
    return hashlib.new(kind, key.encode()).hexdigest()


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"


def _phone(person: int) -> str:
    return f"+9198{person:08d}"


def _insert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` a batch at a time (one executemany each); the number inserted."""
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def _spread(rng: random.Random, total: int, parts: int, skew: float) -> list[int]:
    """``total`` split over ``parts`` with a heavy tail (Pareto weights of shape ``skew``)."""
    weights = [min(rng.paretovariate(skew), 40.0) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _flip(hex_hash: str, bits: int, rng: random.Random) -> str:
    """``hex_hash`` with ``bits`` distinct bits flipped: a near copy at that distance."""
    value = int(hex_hash, 16)
    for bit in rng.sample(range(len(hex_hash) * 4), bits):
        value ^= 1 << bit
    return f"{value:0{len(hex_hash)}x}"


@dataclass(frozen=True)
class Listed:
    """One entry of an imported set, as a match row names it."""

    hash: str
    entry: int
    category: int | None


def import_sets(db: Database, sizes: Sizes, work: Path) -> tuple[list[Listed], list[Listed]]:
    """The two known-bad sets through the hash-set service: an MD5 list in two versions
    (the second drops and adds 1 %) and a PDQ list; the entries of their current versions."""
    from phunt.audit.store import acting_as
    from phunt.hashsets.store import entries_of
    from phunt.hashsets.store_import import import_hash_list

    def write(path: Path, kind: str, keys: Iterable[str]) -> Path:
        lines = [f"{kind},category,category_scheme"]
        lines += [f"{_hex('md5' if kind == 'md5' else 'sha256', k)},{1 + i % 2},vics-us-2.0"
                  for i, k in enumerate(keys)]  # fmt: skip
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        return path

    n, change = sizes.md5_entries, max(1, sizes.md5_entries // 100)
    first = [f"listed-{i}" for i in range(n)]
    second = first[change:] + [f"listed-{n + i}" for i in range(change)]
    lists = [
        (MD5_SET, write(work / "md5-v1.csv", "md5", first)),
        (MD5_SET, write(work / "md5-v2.csv", "md5", second)),
        (PDQ_SET, write(work / "pdq.csv", "pdq", (f"pdq-{i}" for i in range(sizes.pdq_entries)))),
    ]
    with acting_as("bench-seed"):
        for name, path in lists:
            with db.session() as session:
                import_hash_list(session, str(path), name=name, kind="known-bad")
    out: list[list[Listed]] = []
    with db.session() as session:
        for name, kind in ((MD5_SET, "md5"), (PDQ_SET, "pdq")):
            out.append(
                [
                    Listed(e.hashes[kind], number, e.category.code if e.category else None)
                    for number, e in entries_of(session, name)
                ]
            )
    return out[0], out[1]


class Seeder:
    """Builds and inserts the rows, one part of the operation per method."""

    def __init__(self, conn: Connection, sizes: Sizes, seed: int) -> None:
        self.conn, self.sizes, self.rng, self.ids = conn, sizes, random.Random(seed), Ids()
        self.counts: dict[str, int] = {}
        self.kind_of: dict[int, str] = {}  # device -> kind
        self.case_of: dict[int, int] = {}  # device -> case
        self.files_of: dict[int, int] = {}  # device -> files stored
        self.images: dict[int, list[tuple[int, str]]] = {}  # device -> (file id, SHA-256)
        self.matched: dict[int, dict[str, Any]] = {}  # file id -> its (first) match row

    def put(self, model: Any, rows: Iterable[dict[str, Any]]) -> None:
        table = model.__table__
        self.counts[table.name] = self.counts.get(table.name, 0) + _insert(self.conn, table, rows)

    def cases(self) -> tuple[int, list[int]]:
        """Operation, districts, raids, cases, suspects, devices with their custody; the
        operation's id and the devices ingested."""
        s, rng, ids = self.sizes, self.rng, self.ids
        op = ids.next("operation")
        about = "Invented operation for the web benchmark."
        self.put(Operation, [{"id": op, "name": "Operation Synthetic Sweep", "description": about}])
        districts = dict(self.conn.execute(select(District.id, District.name)).all())
        order = sorted(districts)  # the 14 the first migration preloads
        raids: list[dict[str, Any]] = [
            {
                "id": ids.next("raid"),
                "operation_id": op,
                "district_id": order[int(len(order) * rng.random() ** 1.4)],
                "location": f"Ward {rng.randrange(1, 60)}, house {rng.randrange(1, 400)}",
                "raided_at": WEEKEND + timedelta(minutes=rng.randrange(2 * 24 * 60)),
                "team_lead": f"SI {_name(i + 7)}",
            }
            for i in range(s.raids)
        ]
        self.put(Raid, raids)
        cases: list[dict[str, Any]] = [
            {
                "id": ids.next("case_file"),
                "number": f"{100 + i}/2026",
                "station": f"{districts[raid['district_id']]} Cyber Crime PS",
                "district_id": raid["district_id"],
                "operation_id": op,
                "raid_id": raid["id"],
                "statutes": ["IT Act s. 67B", "POCSO s. 15"],
                "opened_at": raid["raided_at"],
            }
            for i, raid in enumerate(rng.sample(raids, min(s.cases, len(raids))))
        ]
        self.put(Case, cases)
        arrested = set(rng.sample(range(s.suspects), min(s.arrests, s.suspects)))
        suspects: list[dict[str, Any]] = []
        for i in range(s.suspects):
            case = cases[i % len(cases)]
            when = case["opened_at"] + timedelta(hours=rng.randrange(1, 48))
            suspects.append(
                {
                    "id": ids.next("suspect"),
                    "case_id": case["id"],
                    "name": _name(i),
                    "aliases": [f"alias{i}"],
                    "phones": [_phone(i)],
                    "handles": [f"@handle{i}"],
                    "arrested_at": when if i in arrested else None,
                }
            )
        self.put(Suspect, suspects)
        devices: list[dict[str, Any]] = []
        custody: list[dict[str, Any]] = []
        for i in range(s.devices):
            suspect = suspects[i % len(suspects)]
            case = cases[(suspect["case_id"] - 1) % len(cases)]
            dev, kind = ids.next("device"), _pick(rng, KINDS)
            self.kind_of[dev], self.case_of[dev] = kind, case["id"]
            imei = f"35{rng.randrange(10**13):013d}" if kind == "mobile phone" else ""
            devices.append(
                {
                    "id": dev,
                    "evidence_number": f"OSS/2026/{dev:04d}",
                    "kind": kind,
                    "make": "Generic",
                    "model": f"Model {rng.randrange(1, 30)}",
                    "serial": f"SN{rng.randrange(10**8):08d}",
                    "imei": imei,
                    "raid_id": case["raid_id"],
                    "suspect_id": suspect["id"],
                    "case_id": case["id"],
                }
            )
            for n, action in enumerate(("seized", "transferred", "received", "imaged")):
                custody.append(
                    {
                        "id": ids.next("custody_event"),
                        "device_id": dev,
                        "actor": f"HC {_name(n + i)}",
                        "at": case["opened_at"] + timedelta(hours=6 * n),
                        "action": action,
                        "note": f"Sealed bag {dev}-{n}",
                    }
                )
        self.put(Device, devices)
        self.put(CustodyEvent, custody)
        return op, sorted(rng.sample(list(self.kind_of), min(s.ingested, len(devices))))

    def files(self, devices: list[int], md5s: list[Listed], pdqs: list[Listed]) -> None:
        """One complete ingest job per device, its files, and their matches: exact copies of
        listed files (the same content on several devices) and near copies of listed PDQs."""
        s, rng = self.sizes, self.rng
        per_device = _spread(rng, s.files, len(devices), 1.3)
        chosen = rng.sample(range(len(devices)), max(1, len(devices) * 2 // 5))
        held = sum(per_device[n] for n in chosen)  # the matches go in proportion to files
        exact = {n: round(s.exact_matches * per_device[n] / held) for n in chosen}
        near = {n: round(s.near_matches * per_device[n] / held) for n in chosen}
        for n, dev in enumerate(devices):
            count = self.files_of[dev] = per_device[n]
            n_exact, n_near = min(exact.get(n, 0), count // 2), min(near.get(n, 0), count // 2)
            hits = rng.sample(range(count), n_exact + n_near)
            kinds = dict.fromkeys(hits[:n_exact], "md5") | dict.fromkeys(hits[n_exact:], "pdq")
            job = self.ids.next("ingest_job")
            self.put(IngestJob, [self.job(job, dev, n, count, len(kinds))])
            matches: list[dict[str, Any]] = []
            self.put(EvidenceFile, self.device_files(dev, job, count, kinds, md5s, pdqs, matches))
            self.put(FileMatch, matches)

    def job(self, job: int, dev: int, n: int, files: int, matched: int) -> dict[str, Any]:
        digest = _hex("md5", f"image-{dev}")
        return {
            "id": job,
            "device_id": dev,
            "source_path": f"/evidence/OSS-2026-{dev:04d}/image.E01",
            "source_kind": "file",
            "source_sha256": _hex("sha256", f"image-{dev}"),
            "source_size": 8 * 2**30,
            "manifest_sha256": _hex("sha256", f"manifest-{dev}"),
            "status": "complete",
            "started_at": WEEKEND + timedelta(days=3, minutes=n),
            "finished_at": WEEKEND + timedelta(days=3, minutes=n + 40),
            "options": {},
            "verification": {"ewf": {"stored_md5": digest, "computed_md5": digest, "ok": True}},
            "files": files,
            "bytes": files * 1_500_000,
            "errors": 0,
            "matched_files": matched,
        }

    def device_files(
        self,
        dev: int,
        job: int,
        count: int,
        kinds: dict[int, str],
        md5s: list[Listed],
        pdqs: list[Listed],
        matches: list[dict[str, Any]],
    ) -> Iterator[dict[str, Any]]:
        """The rows of one device's files (one in 250 with a warning, one in 1,000 unread,
        as problem files); their match rows are appended to ``matches``."""
        rng = self.rng
        for seq in range(count):
            fid, mime, kind = self.ids.next("evidence_file"), _pick(rng, MIMES), kinds.get(seq)
            key = f"file-{fid}" if rng.random() > 0.08 else f"common-{rng.randrange(20_000)}"
            md5 = pdq = None
            if kind == "md5":
                listed = md5s[int(len(md5s) * rng.random() ** 3)]  # some are on many devices
                mime, key, md5 = "image/jpeg", f"listed-{listed.hash}", listed.hash
                matches.append(self.match(fid, job, MD5_SET, listed, "md5", 0))
            elif kind == "pdq":
                listed, distance = pdqs[rng.randrange(len(pdqs))], rng.randrange(32)
                mime, key, pdq = "image/jpeg", f"file-{fid}", _flip(listed.hash, distance, rng)
                matches.append(self.match(fid, job, PDQ_SET, listed, "pdq", distance))
            if kind:
                self.matched[fid] = matches[-1]
            image = mime.startswith("image/")
            if image:
                self.images.setdefault(dev, []).append((fid, _hex("sha256", key)))
                pdq = pdq or _hex("sha256", f"pdq-{key}")
            when = WEEKEND - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            name = (
                f"{'DCIM/Camera' if image else 'Download'}/F{seq:06d}.{EXTENSIONS.get(mime, 'bin')}"
            )
            yield {
                "id": fid,
                "job_id": job,
                "device_id": dev,
                "seq": seq,
                "path": name,
                "size": rng.randrange(2_000, 3_000_000),
                "modified": when,
                "accessed": when,
                "changed": when,
                "created": when,
                "deleted": rng.random() < 0.03,
                "md5": md5 or _hex("md5", key),
                "sha1": _hex("sha1", key),
                "sha256": _hex("sha256", key),
                "mime": mime,
                "extension_mismatch": False,
                "app": "whatsapp" if rng.random() < 0.2 else None,
                "pdq": pdq,
                "pdq_quality": 90 if image else None,
                "pdq_mode": "full" if image else None,
                "exif": {"Make": "Generic", "Model": "Cam 2"} if image and seq % 5 == 0 else {},
                "known_good": False,
                "error": "read error: Input/output error" if fid % 1000 == 7 else None,
                "warnings": ["EXIF block truncated"] if fid % 250 == 0 else [],
                "vpdq": None,
                "video": {},
                "locator": json.dumps({"path": f"/{name}", "hops": [["ewf", "p1"]]}),
                "digests": None,
            }

    def match(
        self, fid: int, job: int, hash_set: str, listed: Listed, kind: str, distance: int
    ) -> dict[str, Any]:
        return {
            "id": self.ids.next("file_match"),
            "file_id": fid,
            "job_id": job,
            "hash_set": hash_set,
            "version": 2 if hash_set == MD5_SET else 1,
            "entry": listed.entry,
            "kind": kind,
            "distance": distance,
            "quality": 90 if kind == "pdq" else None,
            "threshold": 31 if kind == "pdq" else None,
            "variant": None,
            "category_code": listed.category,
            "category_scheme": "vics-us-2.0" if listed.category is not None else None,
            "detail": {},
        }

    def chats(self, devices: list[int]) -> None:
        """The groups, each on one phone: members drawn from one pool of people (so the same
        person is in several groups), their roles with the proving message, messages with
        attachments tied to the phone's pictures (known-bad where the picture matched) and
        keyword hits."""
        s, rng, ids = self.sizes, self.rng, self.ids
        phones = [d for d in devices if self.kind_of[d] == "mobile phone"] or devices
        sizes = [max(3, n) for n in _spread(rng, s.members, s.groups, 1.6)]
        hosts = [phones[g % len(phones)] for g in range(s.groups)]
        imports: dict[int, dict[str, Any]] = {}
        for dev in sorted(set(hosts)):
            whatsapp = dev % 4 != 0
            imports[dev] = {
                "id": ids.next("chat_import"),
                "device_id": dev,
                "source_path": "msgstore.db" if whatsapp else "DataExport/result.json",
                "source_sha256": _hex("sha256", f"export-{dev}"),
                "platform": "whatsapp" if whatsapp else "telegram",
                "format": "whatsapp-msgstore" if whatsapp else "telegram-json",
                "owner_phone": _phone(90_000_000 + dev),
                "imported_by": "bench-seed",
                "imported_at": WEEKEND + timedelta(days=4),
            }
        for row in imports.values():
            row.update(chats=0, messages=0, attachments=0, matched_attachments=0, keyword_hits=0)
        self.put(ChatImport, imports.values())
        for g, (dev, size) in enumerate(zip(hosts, sizes, strict=True)):
            self.group(g, imports[dev], min(size, s.people))
        table = cast(Table, ChatImport.__table__)
        for row in imports.values():  # the totals, known once every group is in
            self.conn.execute(table.update().where(table.c.id == row["id"]).values(row))

    def group(self, g: int, imp: dict[str, Any], size: int) -> None:
        s, rng, ids, dev = self.sizes, self.rng, self.ids, imp["device_id"]
        telegram = imp["platform"] == "telegram"
        chat = ids.next("chat")
        people = {90_000_000 + dev}  # the phone's own account
        while len(people) < size:
            people.add(int(s.people * rng.random() ** 2))  # a core of people in many groups
        members = sorted(people)
        pid = {p: ids.next("chat_participant") for p in members}
        sent = dict.fromkeys(members, 0)
        bad_sent = dict.fromkeys(members, 0)
        start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(300))
        messages: list[dict[str, Any]] = []
        attachments: list[dict[str, Any]] = []
        media: list[dict[str, Any]] = []
        hits: list[dict[str, Any]] = []
        creator = members[1 % len(members)]
        pictures = self.images.get(dev, [])
        for n in range(size * s.messages_per_member):
            mid, at = ids.next("chat_message"), start + timedelta(minutes=7 * n + rng.randrange(7))
            sender = creator if n == 0 else members[int(len(members) * rng.random() ** 1.5)]
            sent[sender] += 1
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 12)))
            row = {
                "id": mid,
                "chat_id": chat,
                "platform_message_id": str(n + 1),
                "sent_at": at,
                "utc_offset_minutes": 330,
                "offset_assumed": False,
                "sender_key": f"u{sender}",
                "sender_name": _name(sender),
                "text": "" if n == 0 else words,
                "location": f"row {mid} of message",
                "reply_to": str(n) if n % 11 == 5 else None,
                "forwarded": n % 17 == 3,
                "forwarded_from": None,
                "action": "create_group" if n == 0 else None,
                "action_targets": [],
                "deleted": n % 97 == 13,
                "known_bad": False,
                "keyword_flagged": n % 200 == 7,
            }
            if row["keyword_flagged"]:
                row["text"] = f"{words} payment"
                hits.append(
                    {
                        "id": ids.next("chat_keyword_hit"),
                        "message_id": mid,
                        "term": "payment",
                        "kind": "term",
                        "start": len(words) + 1,
                        "end": len(words) + 8,
                        "matched": "payment",
                    }
                )
            if n % 8 == 4:
                att = self.attachment(chat, mid, at, pictures, media)
                row["known_bad"] = att["known_bad"]
                bad_sent[sender] += att["known_bad"]
                attachments.append(att)
            messages.append(row)
        admins = set(rng.sample(members, min(len(members), rng.randrange(2, 7))))
        roles = [self.role(pid[creator], "creator", start, "message 1: created the group")]
        roles += [
            self.role(pid[p], "admin", start, f"message {1 + rng.randrange(50)}: made admin")
            for p in sorted(admins - {creator})
        ]
        participants = [
            {
                "id": pid[p],
                "chat_id": chat,
                "device_id": dev,
                "key": f"u{p}",
                "phone": _phone(p),
                "phone_raw": _phone(p),
                "username": f"user_{p}" if telegram else None,
                "platform_user_id": f"user{p}" if telegram else None,
                "names": [_name(p)],
                "is_owner": p == 90_000_000 + dev,
                "message_count": sent[p],
                "known_bad_sent": bad_sent[p],
            }
            for p in members
        ]
        self.put(
            ChatRecord,
            [
                {
                    "id": chat,
                    "import_id": imp["id"],
                    "device_id": dev,
                    "platform": imp["platform"],
                    "platform_id": f"group-{g}@g.us" if not telegram else f"-100{g:09d}",
                    "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} group {g}",
                    "kind": "supergroup" if telegram else "group",
                    "raw_kind": "private_supergroup" if telegram else None,
                    "message_count": len(messages),
                    "first_time": messages[0]["sent_at"],
                    "last_time": messages[-1]["sent_at"],
                    "known_bad": bool(media),
                }
            ],
        )
        for model, rows in (
            (ChatParticipant, participants),
            (ChatRole, roles),
            (ChatMessage, messages),
            (ChatAttachment, attachments),
            (ChatMediaMatch, media),
            (ChatKeywordHit, hits),
        ):
            self.put(model, rows)
        imp["chats"] += 1
        imp["messages"] += len(messages)
        imp["attachments"] += len(attachments)
        imp["matched_attachments"] += len(media)
        imp["keyword_hits"] += len(hits)

    def attachment(
        self,
        chat: int,
        mid: int,
        at: datetime,
        pictures: list[tuple[int, str]],
        media: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """A picture sent in a message: most are on the phone (tied to its file), and one
        whose file matched a list is known-bad, with its media match."""
        rng, aid = self.rng, self.ids.next("chat_attachment")
        fid, sha256 = None, None
        if pictures and rng.random() < 0.6:
            fid, sha256 = pictures[rng.randrange(len(pictures))]
        hit = self.matched.get(fid) if fid is not None else None
        if hit is not None:
            media.append(
                {
                    "id": self.ids.next("chat_media_match"),
                    "attachment_id": aid,
                    "hash_set": hit["hash_set"],
                    "version": hit["version"],
                    "entry": hit["entry"],
                    "kind": hit["kind"],
                    "hash_source": "file",
                    "distance": hit["distance"],
                    "category_code": hit["category_code"],
                    "category_scheme": hit["category_scheme"],
                }
            )
        name = f"IMG-{at:%Y%m%d}-WA{mid % 10_000:04d}.jpg"
        return {
            "id": aid,
            "message_id": mid,
            "chat_id": chat,
            "file_name": name,
            "path": f"Media/WhatsApp Images/{name}",
            "included": True,
            "present": fid is not None,
            "size": rng.randrange(20_000, 400_000),
            "mime": "image/jpeg",
            "md5": None,
            "sha1": None,
            "sha256": sha256,
            "platform_sha256": _hex("sha256", f"platform-{sha256 or aid}"),
            "note": None,
            "known_bad": hit is not None,
            "file_id": fid,
            "file_link": "path" if fid is not None else None,
        }

    def role(self, participant: int, role: str, at: datetime, evidence: str) -> dict[str, Any]:
        return {
            "id": self.ids.next("chat_role"),
            "participant_id": participant,
            "role": role,
            "first_seen": at,
            "last_seen": at,
            "evidence": evidence,
            "inferred": False,
        }


def add_users(db: Database, case_ids: list[int]) -> dict[str, str]:
    """One user per role through the accounts service, with new random passwords; the
    investigator and the analyst are assigned the given cases only."""
    import secrets

    from phunt.accounts import store as accounts
    from phunt.audit.store import acting_as

    passwords = {role: secrets.token_urlsafe(12) for role in ROLE_NAMES}
    with acting_as("bench-seed"), db.session() as session:
        for role, password in passwords.items():
            accounts.add_user(session, f"bench-{role}", role, password)
        for role in ("investigator", "analyst"):
            for case_id in case_ids:
                accounts.assign(session, f"bench-{role}", case_id)
    return passwords


def empty_database(url: str, schema: str = "bench_web") -> str:
    """Make room for a new seed: an SQLite file and its set files removed, or a PostgreSQL
    ``schema`` dropped and made again; the URL to seed (for PostgreSQL, one whose
    connections use that schema)."""
    from urllib.parse import quote

    from phunt.schema.db import make_engine

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for old in (path, *(path.with_name(path.name + x) for x in ("-wal", "-shm"))):
            old.unlink(missing_ok=True)
        for old in (path.parent / "hashsets").glob("*"):
            old.unlink()
        return url
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def seed(url: str, sizes: Sizes, *, seed: int = 2026) -> Seeded:
    """Build the operation in the empty database at ``url`` and say what is in it."""
    started = time.perf_counter()
    db = Database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="phunt-web-seed-") as work:
            md5s, pdqs = import_sets(db, sizes, Path(work))
        with db.engine.begin() as conn:
            seeder = Seeder(conn, sizes, seed)
            operation, devices = seeder.cases()
            seeder.files(devices, md5s, pdqs)
            seeder.chats(devices)
            if db.engine.dialect.name == "postgresql":
                for table, last in seeder.ids.last.items():
                    sequence = f"pg_get_serial_sequence('{table}', 'id')"
                    conn.execute(text(f"SELECT setval({sequence}, {last})"))
        by_size = sorted(seeder.files_of.items(), key=lambda kv: (-kv[1], kv[0]))
        picked = by_size[:: max(1, len(by_size) // BENCH_DEVICES)][:BENCH_DEVICES]
        assigned = sorted({seeder.case_of[by_size[0][0]]})
        passwords = add_users(db, assigned)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does to a lab's database some time after an ingest: planner
            # statistics, and the visibility map that lets a count read the index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in sorted(seeder.counts):  # this schema's tables only
                    conn.execute(text(f"VACUUM ANALYZE {table}"))
    finally:
        db.close()
    return Seeded(
        url,
        asdict(sizes),
        operation,
        [list(kv) for kv in picked],
        dict(sorted(seeder.counts.items())),
        passwords,
        round(time.perf_counter() - started, 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:///FILE or postgresql://... URL")
    parser.add_argument("--schema", default="bench_web", help="PostgreSQL schema to (re)make")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the seed's operation")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--manifest", type=Path, help="write what was seeded here (JSON)")
    args = parser.parse_args()
    url = empty_database(args.db, args.schema)
    seeded = seed(url, Sizes.at(args.scale), seed=args.seed)
    if args.manifest:
        args.manifest.write_text(seeded.to_json(), encoding="utf-8")
    print(json.dumps({k: v for k, v in asdict(seeded).items() if k != "passwords"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
