"""The demo's findings against what its generators planted (one run per session).

The run is ``phunt demo --size small --serve`` (see conftest): the summary it printed,
``phunt stats``, the dashboard's API and the operation report must all give the figures
the plan implies, every listed copy must be matched and nothing else, and every planted
group creator and admin must be found.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_session import SEED, DemoRun
from fastapi.testclient import TestClient

from phunt.accounts.store import new_token
from phunt.chats.store import list_chats, list_members
from phunt.config import resolve
from phunt.demo.home import database_url
from phunt.demo.plan import Plan
from phunt.demo.scenario import DISTRICTS, OPERATION, build_plan
from phunt.demo.world import write_world
from phunt.ingest.store import list_matches
from phunt.schema.db import Database, Session
from phunt.web.app import create_app
from reports_more_world import pdf_text
from test_lib import run_phunt

Figures = dict[str, tuple[int, int, int, int]]  # district -> raids, cases, arrests, devices


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(SEED, "small")


@pytest.fixture
def session(demo_run: DemoRun) -> Iterator[Session]:
    db = Database(database_url(demo_run.home), create=False)
    try:
        with db.session() as s:
            yield s
    finally:
        db.close()


def planted_figures(plan: Plan) -> Figures:
    out: Figures = {}
    for case in plan.cases:
        devices = sum(1 for d in plan.devices if d.case == case.fir)
        out[case.district] = (1, 1, len(case.arrested), devices)
    total = tuple(sum(row[i] for row in out.values()) for i in range(4))
    out["Total"] = (total[0], total[1], total[2], total[3])
    return out


def table_rows(text: str, first: set[str]) -> dict[str, list[str]]:
    """The rows of the Rich tables in ``text`` whose first cell is one of ``first``."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) > 1 and cells[0] in first:
            rows[cells[0]] = cells[1:]
    return rows


def test_every_listed_copy_is_matched_and_nothing_else(
    demo_run: DemoRun, session: Session, plan: Plan
) -> None:
    known = {m.key for m in plan.media if m.known_category is not None}
    forwarded = deleted = 0
    for number, device in demo_run.planted["devices"].items():
        # every copy of a known file, changed or not, is within the lists' reach
        assert all(c["listed"] for c in device["copies"] if c["media"] in known), number
        listed = [c for c in device["copies"] if c["listed"]]
        matches = list_matches(session, number)
        matched_paths = {m["path"] for m in matches}
        matched = {m["sha256"] for m in matches}
        assert {c["sha256"] for c in listed} <= matched, f"{number}: a listed copy was missed"
        assert matched <= {c["sha256"] for c in listed}, f"{number}: a false match"
        assert len(matched_paths) == len(listed), number
        forwarded += sum(1 for c in listed if c["transform"] != "exact")
        deleted += sum(1 for c in listed if c["deleted"])
    assert forwarded >= 4 and deleted >= 1  # changed copies and a deleted file were planted
    rows = table_rows(demo_run.stdout, set(demo_run.planted["devices"]))
    for number, device in demo_run.planted["devices"].items():
        assert int(rows[number][4]) == sum(1 for c in device["copies"] if c["listed"]), number


def test_every_planted_creator_and_admin_is_identified(
    demo_run: DemoRun, session: Session, plan: Plan
) -> None:
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    found: Counter[str] = Counter()
    for chat in list_chats(session):
        found[chat["device"]] += 1
        for member in list_members(session, chat["id"]):
            roles[chat["title"]][member["phone"]].update(r["role"] for r in member["roles"])
    for group in plan.groups:
        seen = roles[group.title]
        assert "creator" in seen[group.creator], f"{group.title}: creator {group.creator}"
        for admin in group.admins:
            assert seen[admin] & {"creator", "admin"}, f"{group.title}: admin {admin}"
        assert set(group.members) <= set(seen), f"{group.title}: a member is missing"
    rows = table_rows(demo_run.stdout, {d.number for d in plan.devices})
    groups = {g.title: g for g in plan.groups}
    for device in plan.devices:
        copies = [c for c in plan.chats if c.device == device.number]
        assert found[device.number] == len(copies) == int(rows[device.number][6]), device.number
        watched = sum(
            1 for c in copies for m in groups[c.group].messages
            if any(w in m.text for w in plan.watchlist)
        )  # fmt: skip
        assert int(rows[device.number][7]) == watched, device.number
    assert "did not import" not in demo_run.stdout
    # the people ranked first are planted admins or senders of known files
    known = {m.key for m in plan.media if m.known_category is not None}
    weighty = {a for g in plan.groups for a in g.admins} | {
        m.author for g in plan.groups for m in g.messages if m.attachment in known
    }
    people = demo_run.stdout.split("People ranked first")[1].split("figures by district")[0]
    ranked = re.findall(r"│ (\+\d{8,})\b", people)  # the phone column
    assert ranked and set(ranked[:3]) <= weighty


def test_the_figures_agree_everywhere(demo_run: DemoRun, plan: Plan, session: Session) -> None:
    expected = planted_figures(plan)
    names = {*DISTRICTS, "Total"}
    printed = table_rows(demo_run.stdout.split("figures by district")[1], names)
    assert {d: tuple(map(int, r)) for d, r in printed.items()} == expected

    stats = run_phunt("stats", "--json", "--operation", OPERATION, "--home", str(demo_run.home))
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    got = {
        r["district"]: (r["raids"], r["cases"], r["arrests"], r["devices"]) for r in data["rows"]
    }
    got = {d: f for d, f in got.items() if f[0]}
    t = data["total"]
    assert {**got, "Total": (t["raids"], t["cases"], t["arrests"], t["devices"])} == expected

    app = create_app(resolve(str(demo_run.home), database_url(demo_run.home)))
    token = new_token(session, "demo")
    session.commit()
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        [op] = client.get("/api/v1/operations").json()["items"]
        api = client.get(f"/api/v1/operations/{op['id']}/stats").json()
    got = {r["district"]: (r["raids"], r["cases"], r["arrests"], r["devices"]) for r in api["rows"]}
    got = {d: f for d, f in got.items() if f[0]}
    t = api["total"]
    assert {**got, "Total": (t["raids"], t["cases"], t["arrests"], t["devices"])} == expected

    html = (demo_run.home / "reports" / "operation.html").read_text()
    report: Figures = {}
    for district, cells in re.findall(r'data-district="([^"]+)">(.*?)</tr>', html, re.S):
        n = [int(v.replace(",", "")) for v in re.findall(r'class="num">([\d,]+)<', cells)]
        if n[0]:  # raids, locations, cases, arrests, devices seized, ...
            report[district] = (n[0], n[2], n[3], n[4])
    assert report == expected


def test_serve_answers_and_the_password_logs_in(demo_run: DemoRun) -> None:
    assert demo_run.served["login_page"] == 200
    assert demo_run.served["login"] == 303  # to the workspace
    assert demo_run.served["wrong_password"] != 303
    assert demo_run.exit_code == 0  # Ctrl-C stopped it cleanly


def test_review_and_reports(demo_run: DemoRun, plan: Plan) -> None:
    new = [m for m in plan.media if m.key.startswith("new-")]
    copies = sum(1 for p in plan.placements if p.media in {m.key for m in new}) - len(new)
    assert f"Review: {len(new)} new picture(s) categorised, {copies} copies" in demo_run.stdout
    reports = demo_run.home / "reports"
    for name in ("operation.html", "takedown/takedown.csv"):
        assert (reports / name).stat().st_size > 0
    [certificate] = reports.glob("certificate-*.pdf")
    text = pdf_text(certificate)
    for record in (*reports.glob("device-*.pdf"), *reports.glob("case-*.pdf")):
        assert hashlib.sha256(record.read_bytes()).hexdigest() in text  # the records produced
    assert "Audit log: intact" in demo_run.stdout


def test_the_demo_never_removes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    real = tmp_path / "real-home"
    real.mkdir()
    (real / "phunt.db").write_bytes(b"a case")
    result = run_phunt("demo", "--out", str(real), "--size", "small")
    assert result.returncode == 2
    assert "holds something other than a demo" in result.stderr
    assert (real / "phunt.db").read_bytes() == b"a case"


def test_the_same_seed_gives_the_same_plan(demo_run: DemoRun, plan: Plan) -> None:
    assert build_plan(SEED, "small") == plan
    assert build_plan(SEED + 1, "small") != plan
    assert demo_run.planted["seed"] == SEED


def test_the_same_plan_writes_the_same_evidence(tmp_path: Path, plan: Plan) -> None:
    """One device's evidence, written twice from the plan, is byte for byte the same."""
    device = next(d for d in plan.devices if d.form == "zip")
    small = Plan(
        plan.operation, plan.seed, plan.size, plan.cases, plan.people, [device], plan.media,
        [p for p in plan.placements if p.device == device.number],
    )  # fmt: skip
    first = write_world(small, tmp_path / "a")
    second = write_world(small, tmp_path / "b")
    assert first.copies == second.copies and first.copies[device.number]
    a, b = first.evidence[device.number], second.evidence[device.number]
    assert a.read_bytes() == b.read_bytes()
