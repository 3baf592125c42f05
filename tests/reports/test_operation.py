"""The operation report, on both databases: the same figures as the dashboard and
``phunt stats --json``, the figures the world's rows give, the press note's totals, charts
as SVG, and the same bytes when written twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phunt.cases.browse import dashboard
from phunt.cli.main import app as cli
from phunt.reports.charts import bar_chart
from phunt.reports.operation import build, write_operation
from phunt.schema.db import Database
from reports_more_world import World, make_world, page_one_ink, pdf_text

#: What the world's rows give (tests/reports_more_world.py), counted by hand.
ERNAKULAM = {
    "raids": 3, "locations": 2, "cases": 1, "arrests": 1, "devices": 3, "devices_examined": 1,
    "matched_files": 4, "groups": 2, "members": 4, "admins": 1,
}  # fmt: skip
KOZHIKODE = {
    "raids": 1, "locations": 1, "cases": 1, "arrests": 1, "devices": 1, "devices_examined": 1,
    "matched_files": 1, "groups": 1, "members": 2, "admins": 1,
}  # fmt: skip
#: The report's figure -> the dashboard's name for it.
SAME_AS_DASHBOARD = {
    "raids": "raids", "cases": "cases", "arrests": "arrests", "devices": "devices",
    "devices_examined": "devices_ingested", "matched_files": "matched_files", "groups": "groups",
}  # fmt: skip
PRESS_NOTE = "4 raids at 3 locations, 2 cases registered, 2 arrested, 4 devices seized"


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def _rows(html: str) -> dict[str, list[int]]:
    """The district table's figures by district, read back from the HTML."""
    rows = {}
    for district, body in re.findall(r'<tr class="[^"]*" data-district="([^"]+)">(.*?)</tr>',
                                     html, re.S):  # fmt: skip
        rows[district] = [int(v.replace(",", "")) for v in re.findall(r'"num">([\d,]+)<', body)]
    return rows


def test_figures_equal_the_dashboard_and_phunt_stats(
    database: Database, db_url: str, world: World
) -> None:
    with database.session() as s:
        html = build(s, {"operation": world.operation_id}).html.decode()
        board = dashboard(s, world.operation_id)
    rows = _rows(html)
    assert len(rows) == 15  # every district and the total
    order = list(ERNAKULAM)
    assert rows["Ernakulam"] == list(ERNAKULAM.values())
    assert rows["Kozhikode"] == list(KOZHIKODE.values())
    assert rows["Wayanad"] == [0] * len(order)
    assert rows["Total"] == [4, 3, 2, 2, 4, 2, 5, 3, 5, 2]
    for fig in [*board.rows, board.total]:
        got = dict(zip(order, rows[fig.district], strict=True))
        for key, dash_key in SAME_AS_DASHBOARD.items():
            assert got[key] == getattr(fig, dash_key), (fig.district, key)
    result = CliRunner().invoke(
        cli, ["stats", "--operation", str(world.operation_id), "--json", "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    for row in [*stats["rows"], stats["total"]]:
        got = dict(zip(order, rows[row["district"]], strict=True))
        assert [got[k] for k in ("raids", "cases", "arrests", "devices")] == [
            row["raids"], row["cases"], row["arrests"], row["devices"]
        ]  # fmt: skip
    assert f"{PRESS_NOTE}." in html


def test_pdf_states_the_figures_and_is_reproducible(
    database: Database, world: World, tmp_path: Path
) -> None:
    outs = [tmp_path / "a" / "op.pdf", tmp_path / "b" / "op.pdf"]
    for out in outs:
        out.parent.mkdir()
        with database.session() as s:
            write_operation(s, "P-Hunt (report tests)", out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    text = pdf_text(outs[0])
    flat = " ".join(text.split())
    assert PRESS_NOTE in flat
    assert "Ernakulam 3 2 1 1 3 1 4 2 4 1" in flat
    assert "Kozhikode 1 1 1 1 1 1 1 1 2 1" in flat
    assert "Total 4 3 2 2 4 2 5 3 5 2" in flat
    assert "Child Abuse Material (CAM) (vics-us-2.0 1) 2 Ernakulam 2" in flat
    assert "Lists disagree (several categories) 1 Ernakulam 1" in flat
    assert "No category on the list 1 Kozhikode 1" in flat
    assert page_one_ink(outs[0], tmp_path) > 500


def test_charts_are_svg_with_fixed_bytes(database: Database, world: World) -> None:
    with database.session() as s:
        html = build(s, {"operation": world.operation_id}).html.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 3
    first = bar_chart("t", ["a", "b"], {"x": [1, 2]})
    assert first == bar_chart("t", ["a", "b"], {"x": [1, 2]})
    assert first.startswith("<?xml") and "<dc:date>" not in first and "Matplotlib v" not in first


def test_an_empty_operation(database: Database, tmp_path: Path) -> None:
    from phunt.cases.operations import create_operation

    with database.session() as s:
        create_operation(s, "Quiet")
    with database.session() as s:
        html = build(s, {"operation": "Quiet"}).html.decode()
    assert "0 raids at 0 locations, 0 cases registered, 0 arrested, 0 devices seized" in html
    assert "Nothing to chart" in html


def test_verify_names_the_figures_that_changed(
    database: Database, world: World, tmp_path: Path
) -> None:
    from phunt.cases.case_files import add_suspect, arrest_suspect
    from phunt.reports.verify import verify_report
    from reports_more_world import T0

    out = tmp_path / "op.pdf"
    with database.session() as s:
        write_operation(s, world.operation_id, out)
    with database.session() as s:
        assert verify_report(out, s).ok
        arrest_suspect(s, add_suspect(s, world.case_b, "Late Arrest").id, T0)
    with database.session() as s:
        result = verify_report(out, s)
    assert not result.ok
    assert result.changed == ["figures"]
