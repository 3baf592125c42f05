"""The demo's run: the real services over the synthetic operation, on a fresh data folder.

Each step is what an examiner would do with the CLI (``phunt init``, ``operation``,
``raid``, ``case``, ``device``, ``custody``, ``hashset import``, ``ingest``, ``review``,
``report``), called through the same services, so the figures the demo prints are the
ones ``phunt stats``, the dashboard and the operation report give.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from phunt.analysis.people import rank_people
from phunt.audit.store import verify
from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device, get_device, log_custody
from phunt.cases.operations import add_raid, create_operation
from phunt.cases.stats import DistrictFigures, operation_stats, totals
from phunt.chats.keywords import Watchlist
from phunt.chats.store import list_chats
from phunt.demo.home import PLANTED, database_url, fresh_home
from phunt.demo.plan import Plan
from phunt.demo.scenario import Size, build_plan
from phunt.demo.world import World, write_world
from phunt.hashsets.store_import import import_hash_list
from phunt.ingest.browse_files import device_files
from phunt.ingest.job import ingest
from phunt.ingest.pipeline import default_workers
from phunt.ingest.store import list_matches
from phunt.reports.certificate import write_certificate
from phunt.reports.render import write_report
from phunt.reports.takedown_requests import write_takedown
from phunt.reports.verify import builder
from phunt.review import propagate
from phunt.review.decisions import Choice, decide
from phunt.schema.db import Database

#: The category an examiner gives the new pictures the demo reviews (a number only).
REVIEW_CODE = 2
EXAMINER = "SI Demo Examiner"
#: Where the run tells each step as it starts.
Say = Callable[[str], None]


@dataclass
class DeviceResult:
    """What phunt found on one device."""

    number: str
    district: str
    kind: str
    form: str
    files: int
    matched: int
    categories: dict[str, int]  # VICS code (or "-") -> matched files
    matched_sha256: set[str]
    groups: int
    watch_hits: int  # messages flagged by the watchlist, in every chat imported
    chat_errors: list[str]  # chats that did not import, with why


@dataclass
class Outcome:
    """The run's findings, printed by :mod:`phunt.demo.summary` and checked by the tests."""

    home: Path
    plan: Plan
    world: World
    devices: list[DeviceResult] = field(default_factory=list)
    figures: list[DistrictFigures] = field(default_factory=list)  # by district, then total
    people: list[dict[str, Any]] = field(default_factory=list)
    reviewed: int = 0
    propagated: int = 0
    reports: list[Path] = field(default_factory=list)
    audit_ok: bool = False
    audit_records: int = 0


def _record(db: Database, plan: Plan) -> None:
    """The operation, its raids and cases, suspects, arrests, devices and custody."""
    people = {p.phone: p for p in plan.people}
    with db.session() as s:
        create_operation(s, plan.operation, f"synthetic data only (seed {plan.seed})")
        for case in plan.cases:
            raid = add_raid(
                s, plan.operation, case.district, case.raid_location, case.raid_at, case.team_lead
            )
            row = open_case(
                s, case.fir, case.police_station, case.district, list(case.statutes),
                operation=plan.operation, raid_id=raid.id, opened_at=case.raid_at,
            )  # fmt: skip
            suspects = {}
            for phone in case.suspects:
                suspect = add_suspect(s, row.id, people[phone].name, phones=[phone])
                suspects[phone] = suspect.id
                if phone in case.arrested:
                    arrest_suspect(s, suspect.id, case.raid_at + timedelta(hours=2))
            for device in (d for d in plan.devices if d.case == case.fir):
                add_device(
                    s, device.number, device.kind, case_id=row.id, raid_id=raid.id,
                    suspect_id=suspects.get(device.owner or ""),
                )  # fmt: skip
                log_custody(s, device.number, "seized", case.team_lead, case.raid_at)
                at = case.raid_at + timedelta(hours=6)
                log_custody(s, device.number, "received", EXAMINER, at, "at the cyber lab")


def _import_lists(db: Database, world: World) -> None:
    for name, path in world.lists.items():
        with db.session() as s:
            import_hash_list(
                s, str(path), name=name, source_agency="demo unit",
                description="synthetic list: generated pictures declared known for the demo",
            )  # fmt: skip


def _ingest_all(db: Database, plan: Plan, world: World, out: Outcome, say: Say) -> None:
    watchlist = Watchlist(plan.watchlist)
    districts = {c.fir: c.district for c in plan.cases}
    for device in plan.devices:
        say(f"ingesting {device.number} ({device.kind}, {world.evidence[device.number].name})")
        summary = ingest(
            db, str(world.evidence[device.number]), device.number,
            workers=default_workers(), watchlist=watchlist,
        )  # fmt: skip
        with db.session() as s:
            matches = list_matches(s, device.number)
            groups = list_chats(s, device_ref=device.number)
        by_file: dict[str, str] = {}  # a file's first match's category
        for m in matches:
            code = m["category"]
            by_file.setdefault(m["path"], "-" if code is None else str(code))
        categories = dict(sorted(Counter(by_file.values()).items()))
        out.devices.append(
            DeviceResult(
                device.number, districts[device.case], device.kind, device.form,
                summary.files, summary.matched_files, categories,
                {m["sha256"] for m in matches if m["sha256"]}, len(groups),
                sum(c["imported"]["keyword_hits"] for c in summary.chats if "imported" in c),
                [f"{c['export']}: {c['error']}" for c in summary.chats if "error" in c],
            )
        )  # fmt: skip


def _review(db: Database, plan: Plan, world: World, out: Outcome) -> None:
    """An examiner categorises each new shared picture once; propagation does the rest."""
    for media in (m for m in plan.media if m.key.startswith("new-")):
        first = next(p for p in plan.placements if p.media == media.key)
        digest = next(c.sha256 for c in world.copies[first.device] if c.media == media.key)
        with db.session() as s:
            device_id = get_device(s, first.device).id
            rows, _total = device_files(s, device_id, limit=100_000)
            file_id = next(r.id for r in rows if r.sha256 == digest)
            choice = Choice(code=REVIEW_CODE, note="categorised in the demo's review")
            [decision] = decide(s, [file_id], choice)
            out.reviewed += 1
            out.propagated += len(propagate.apply(s, decision))


def _reports(db: Database, plan: Plan, home: Path, out: Outcome) -> None:
    """The device, case and certificate reports as PDF (the court's copies), the operation's
    figures as HTML (read in a browser), and the takedown requests."""
    folder = home / "reports"
    folder.mkdir()
    device = plan.devices[0]
    with db.session() as s:
        row = get_device(s, device.number)
        device_id, case_id = row.id, row.case_id
        wanted: list[tuple[str, dict[str, Any], str]] = [
            ("device", {"device_id": device_id}, f"device-{device_id}.pdf"),
            ("case", {"case_id": case_id}, f"case-{case_id}.pdf"),
            ("operation", {"operation": plan.operation}, "operation.html"),
        ]
    for kind, options, name in wanted:
        with db.session() as s:
            built = builder(kind)(s, options)
            write_report(
                built.html, folder / name, inputs=built.inputs, kind=kind, session=s,
                options=built.options, labels=built.labels,
            )  # fmt: skip
        out.reports.append(folder / name)
    with db.session() as s:
        certificate = folder / f"certificate-{device_id}.pdf"
        write_certificate(s, device.number, certificate, records=out.reports[:2])
        out.reports.append(certificate)
    takedown = folder / "takedown"
    takedown.mkdir()
    with db.session() as s:
        written = write_takedown(s, takedown, operation=plan.operation)
    out.reports.extend(takedown / m.output for m in written)


def _quiet(_text: str) -> None:
    """No progress lines, for a caller that wants only the outcome."""


def run(home: Path, *, seed: int = 2026, size: Size = "full", say: Say = _quiet) -> Outcome:
    """Build the plan, write the evidence, and run the pipeline over it in ``home``;
    ``say`` is told each step as it starts."""
    home = fresh_home(home)
    plan = build_plan(seed, size)
    say(f"writing the evidence of {len(plan.devices)} seized devices and the hash lists")
    world = write_world(plan, home / "evidence")
    (home / PLANTED).write_text(json.dumps(world.planted(plan), indent=1) + "\n")
    out = Outcome(home, plan, world)
    db = Database(database_url(home), create=True)  # what ``phunt init`` does
    try:
        say(f"recording {plan.operation}: {len(plan.cases)} raids and cases, suspects, devices")
        _record(db, plan)
        say(f"importing the hash lists: {', '.join(world.lists)}")
        _import_lists(db, world)
        _ingest_all(db, plan, world, out, say)
        say("reviewing the new pictures found on several devices, and propagating")
        _review(db, plan, world, out)
        say("writing the reports")
        _reports(db, plan, home, out)
        with db.session() as s:
            rows = [r for r in operation_stats(s, plan.operation) if r.raids]
            out.figures = [*rows, totals(rows)]
            out.people = rank_people(s)
            verdict = verify(s)
        out.audit_ok, out.audit_records = verdict.ok, verdict.records
    finally:
        db.close()
    return out
