"""The dashboard: its figures equal the database's for every role, on both databases, and
the API's stats equal ``phunt stats --json``; in a browser, its charts draw under the CSP."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from phunt.accounts.access import ROLES
from phunt.cli.main import app as cli
from phunt.schema.cases import Case, Device, District, Raid, Suspect
from phunt.schema.chats import ChatRecord
from phunt.schema.ingest import FileMatch, IngestJob

from .conftest import World

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

FIGURES = (
    "raids",
    "cases",
    "arrests",
    "devices",
    "devices_ingested",
    "matched_files",
    "groups",
)


class _Figures(HTMLParser):
    """The district table's cells: ``{district: {figure: "text"}}`` (Total included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = defaultdict(dict)
        self._in_table = False
        self._district: str | None = None
        self._figure: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("id") == "district-figures":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._district = found.get("data-district")
        elif self._in_table and tag == "td":
            self._figure = found.get("data-figure")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "td":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._district and self._figure and data.strip():
            self.rows[self._district][self._figure] = data.strip()


def table_of(html: str) -> dict[str, dict[str, int]]:
    parser = _Figures()
    parser.feed(html)
    return {d: {k: int(v) for k, v in row.items()} for d, row in parser.rows.items()}


def expected_figures(world: World) -> dict[str, dict[str, int]]:
    """The operation's figures counted in Python from the rows themselves, not by the
    read model's queries: each device counts towards its case's district, else its raid's."""
    op = world.operation_id
    with world.database.session() as s:
        names = {d.id: d.name for d in s.scalars(select(District))}
        raids = {r.id: r for r in s.scalars(select(Raid))}
        cases = {c.id: c for c in s.scalars(select(Case))}
        devices = list(s.scalars(select(Device)))
        suspects = list(s.scalars(select(Suspect)))
        jobs = {j.id: j for j in s.scalars(select(IngestJob))}
        matches = list(s.scalars(select(FileMatch)))
        chats = list(s.scalars(select(ChatRecord)))
    place: dict[int, tuple[int | None, int | None]] = {}
    for dev in devices:
        owner = cases.get(dev.case_id) if dev.case_id else None
        raid = raids.get(dev.raid_id) if dev.raid_id else None
        source = owner or raid
        place[dev.id] = (source.district_id, source.operation_id) if source else (None, None)
    counts: dict[str, Counter[str]] = {name: Counter() for name in names.values()}
    for raid in raids.values():
        if raid.operation_id == op:
            counts[names[raid.district_id]]["raids"] += 1
    for case in cases.values():
        if case.operation_id == op:
            counts[names[case.district_id]]["cases"] += 1
    for suspect in suspects:
        case = cases[suspect.case_id]
        if case.operation_id == op and suspect.arrested_at is not None:
            counts[names[case.district_id]]["arrests"] += 1
    in_op = {dev: district for dev, (district, dev_op) in place.items() if dev_op == op}
    for district in in_op.values():
        assert district is not None
        counts[names[district]]["devices"] += 1
    ingested = {j.device_id for j in jobs.values() if j.status == "complete"}
    for dev in ingested & in_op.keys():
        counts[names[in_op[dev]]]["devices_ingested"] += 1
    matched = {(jobs[m.job_id].device_id, m.file_id) for m in matches}
    for dev, _file in matched:
        if dev in in_op:
            counts[names[in_op[dev]]]["matched_files"] += 1
    groups: dict[str, set[str]] = defaultdict(set)
    for chat in chats:
        if chat.kind != "private" and chat.device_id in in_op:
            key = f"{chat.platform}:{chat.platform_id}"
            if chat.platform_id.startswith("title:"):
                key = f"chat:{chat.id}"
            groups[names[in_op[chat.device_id]]].add(key)
    for district, keys in groups.items():
        counts[district]["groups"] = len(keys)
    table = {d: {k: c[k] for k in FIGURES} for d, c in counts.items()}
    table["Total"] = {k: sum(c[k] for c in counts.values()) for k in FIGURES}
    table["Total"]["groups"] = len(set().union(*groups.values())) if groups else 0
    return table


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_figures_the_database_holds(
    web_world: World, client_for: Callable[[str], TestClient], role: str
) -> None:
    response = client_for(role).get(f"/dashboard?operation={web_world.operation_id}")
    assert response.status_code == 200
    shown = table_of(response.text)
    expected = expected_figures(web_world)
    assert shown == expected
    assert len(shown) == 15  # Kerala's 14 districts and the total
    total = shown["Total"]
    assert total["raids"] == 3 and total["cases"] == 2 and total["matched_files"] >= 4
    assert total["devices_ingested"] == 2 and total["groups"] == 2


def test_the_latest_operation_is_shown_by_default_and_all_of_them_on_request(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("analyst")
    default = client.get("/dashboard")
    assert default.status_code == 200
    assert table_of(default.text) == expected_figures(web_world)
    assert f'<option value="{web_world.operation_id}" selected>' in default.text
    every = client.get("/dashboard?operation=all")
    assert table_of(every.text)["Total"]["raids"] == 3
    assert '<option value="all" selected>' in every.text
    assert client.get("/dashboard?operation=999999").status_code == 404
    assert client.get("/dashboard?operation=P-Hunt").status_code == 400


def test_the_charts_carry_the_tables_figures_as_json(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    html = client_for("auditor").get("/dashboard").text
    blocks = dict(_json_blocks(html))
    assert set(blocks) == {"chart-seizures", "chart-matches", "chart-groups"}
    table = table_of(html)
    spec = blocks["chart-seizures"]
    districts = spec["labels"]
    raids = next(d["data"] for d in spec["datasets"] if d["label"] == "Raids")
    assert {d: n for d, n in zip(districts, raids, strict=True)} == {
        d: row["raids"] for d, row in table.items() if d != "Total"
    }
    scripts = re.findall(r"<script[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)


def _json_blocks(html: str) -> list[tuple[str, Any]]:
    found = []
    for part in html.split('<script type="application/json" data-chart="')[1:]:
        canvas, _, rest = part.partition('">')
        found.append((canvas, json.loads(rest.split("</script>")[0])))
    return found


def test_api_stats_equal_the_stats_command(
    web_world: World, web_app: Any, token_for: Callable[[str], str], tmp_path: Path
) -> None:
    args = ["stats", "--operation", str(web_world.operation_id), "--by", "district", "--json"]
    args += ["--db", web_world.settings.database_url, "--home", str(tmp_path / "home")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)
    with TestClient(web_app) as client:
        headers = {"Authorization": f"Bearer {token_for('analyst')}"}
        url = f"/api/v1/operations/{web_world.operation_id}/stats?by=district"
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200
        assert answer.json() == expected
        assert expected["total"]["raids"] == 3
        wrong = client.get(url.replace("district", "station"), headers=headers)
        assert wrong.status_code == 400 and "district" in wrong.json()["detail"]
        assert client.get("/api/v1/operations/999999/stats", headers=headers).status_code == 404
        assert client.get(url).status_code == 401


def test_dashboard_in_a_browser_draws_its_charts_under_the_policy(
    web_world: World, browser: Page, login: Callable[[Page, str], None], tmp_path: Path
) -> None:
    problems: list[str] = []  # script errors and CSP refusals (chromium's own favicon aside)

    def console(msg: ConsoleMessage) -> None:
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(msg.text)

    browser.on("console", console)
    browser.on("pageerror", lambda exc: problems.append(str(exc)))
    login(browser, "analyst")
    browser.goto(f"/dashboard?operation={web_world.operation_id}")
    for canvas in ("chart-seizures", "chart-matches", "chart-groups"):
        browser.wait_for_selector(f"#{canvas}[data-drawn='1']")
    expected = expected_figures(web_world)["Total"]
    for figure, value in expected.items():
        cell = browser.locator(f"#dashboard-totals td[data-figure='{figure}']")
        assert cell.inner_text() == str(value)
    shot = tmp_path / "dashboard.png"
    browser.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert problems == []
