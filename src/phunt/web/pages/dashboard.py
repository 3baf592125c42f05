"""The statewide dashboard: an operation's figures per district, for every role.

The figures are counts only (no case, person or file is named), so every role sees them
whatever cases are assigned to them. They are shown three ways: a table with the total,
bar charts (drawn by ``static/js/charts.js`` from JSON blocks, since the page may run no
inline script), and a breakdown ranking the districts by what was seized there with each
one's share of the state's total, which needs no map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.web.deps import DbSession, page_viewer, render

StatsReader = Annotated[Viewer, page_viewer(Action.VIEW_STATS)]

router = APIRouter()

#: The dashboard's columns, in order: figure name and heading.
FIGURES = (
    ("raids", "Raids"),
    ("cases", "Cases"),
    ("arrests", "Arrests"),
    ("devices", "Devices seized"),
    ("devices_ingested", "Devices ingested"),
    ("matched_files", "Matched files"),
    ("groups", "Groups found"),
)
#: The charts: canvas id, title, the figures drawn and the width:height ratio (matched
#: files outnumber the rest by far, so they get a scale of their own).
CHARTS = (
    ("chart-seizures", "Raids, cases, arrests and devices", FIGURES[:5], 3.2),
    ("chart-matches", "Matched files", FIGURES[5:6], 5.0),
    ("chart-groups", "Groups found", FIGURES[6:7], 5.0),
)
#: The breakdown's columns: what a district's share of the state is told by.
SHARES = (FIGURES[0], FIGURES[1], FIGURES[3], FIGURES[5])
ALL = "all"


@dataclass(frozen=True)
class Share:
    """One district of the breakdown: its figures and each one's share of the total."""

    district: str
    values: list[tuple[str, int, int, float]]
    """(heading, value, the largest district's value, percent of the state's total)."""


def breakdown(board: browse.Dashboard) -> tuple[list[Share], list[str]]:
    """Districts with any figure, most devices seized first, and the names of those with
    none: a ranking that needs no map."""
    total = board.total.as_dict()
    peaks = {key: max((getattr(r, key) for r in board.rows), default=0) for key, _ in SHARES}
    active = [r for r in board.rows if any(getattr(r, key) for key, _ in FIGURES)]
    active.sort(key=lambda r: (-r.devices, -r.cases, -r.raids, r.district))
    shares = [
        Share(
            row.district,
            [
                (
                    label,
                    getattr(row, key),
                    peaks[key],
                    100.0 * getattr(row, key) / total[key] if total[key] else 0.0,
                )
                for key, label in SHARES
            ],
        )
        for row in active
    ]
    quiet = [r.district for r in board.rows if r not in active]
    return shares, quiet


def charts(board: browse.Dashboard) -> list[dict[str, Any]]:
    """What ``charts.js`` draws: per chart, the districts and one series per figure."""
    labels = [r.district for r in board.rows]
    return [
        {
            "id": canvas,
            "title": title,
            "spec": {
                "aspect": aspect,
                "labels": labels,
                "datasets": [
                    {"label": label, "data": [getattr(r, key) for r in board.rows]}
                    for key, label in figures
                ],
            },
        }
        for canvas, title, figures, aspect in CHARTS
    ]


def _chosen(operation: str | None, operations: list[browse.OperationRow]) -> int | None:
    """The operation asked for; the latest one when none is; ``None`` for all of them."""
    if operation == ALL:
        return None
    if operation is None:
        return operations[0].id if operations else None
    if not operation.isdigit():
        raise HTTPException(400, detail="operation must be an operation id or 'all'")
    return int(operation)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    session: DbSession,
    viewer: StatsReader,
    operation: str | None = None,
) -> HTMLResponse:
    """The figures of one operation (or all) per district and in total."""
    latest_first = browse.Order(sort="id", desc=True, per_page=500)
    operations = browse.list_operations(session, latest_first).rows
    op_id = _chosen(operation, operations)
    board = browse.dashboard(session, op_id)
    shares, quiet = breakdown(board)
    # The operation's row is in the list just read (its 500 latest): read it only if older.
    listed = {row.id: row for row in operations}
    current = None if op_id is None else listed.get(op_id) or browse.operation(session, op_id)
    return render(
        request,
        "dashboard/index.html",
        viewer,
        operations=operations,
        current=current,
        chosen=ALL if op_id is None else str(op_id),
        board=board,
        figures=FIGURES,
        charts=charts(board),
        shares=shares,
        share_labels=[label for _, label in SHARES],
        quiet=quiet,
    )
