"""``phunt report operation``: an operation's statewide figures by district, its charts and
the totals in the words of a press note.

The reported figures are the dashboard's and ``phunt stats``'s (raids, cases, arrests,
devices seized, devices examined, matched files, groups: :func:`phunt.cases.browse.dashboard`
over :func:`phunt.cases.stats.operation_stats`), never counted a second way. What the
report adds: distinct places raided, matched files by category (the reviewer's decision
when there is one, else the category the lists gave; a file whose lists disagree is
counted once, as such), and the people seen as members and as admins of the groups found
(merged across devices as ``phunt people`` merges them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from phunt.analysis.people import ADMIN_ROLES, build_network
from phunt.cases.browse import DashboardFigures, dashboard
from phunt.cases.operations import get_operation
from phunt.hashsets.categories import Category, label
from phunt.reports import operation_facts as facts
from phunt.reports.charts import bar_chart, data_uri
from phunt.reports.facts import as_of
from phunt.reports.manifest import Built, Manifest, digest
from phunt.reports.render import render_html, write_report
from phunt.schema.db import Session

KIND = "operation"
LISTS_DISAGREE = "Lists disagree (several categories)"
NO_CATEGORY = "No category on the list"


@dataclass
class DistrictRow(DashboardFigures):
    """The dashboard's figures of one district (or the total) and what the report adds."""

    locations: int = 0
    members: int = 0
    admins: int = 0


@dataclass
class People:
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    admins: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def category_of(item: facts.MatchedFile) -> str:
    """The one bucket a matched file is counted in."""
    if item.review is not None:
        return label(Category(*item.review))
    if len(item.list_categories) == 1:
        return label(Category(*next(iter(item.list_categories))))
    return LISTS_DISAGREE if item.list_categories else NO_CATEGORY


def _people(session: Session, districts: Mapping[int, str]) -> People:
    """People seen in the groups found on the operation's devices, by district."""
    chats = facts.chat_devices(session, set(districts))
    found = People()
    for group in build_network(session).groups.values():
        where = {districts[chats[c]] for c in group.chat_ids if c in chats}
        for person, roles in group.members.items():
            for district in where | {"Total"} if where else ():
                found.members[district].add(person)
                if roles & set(ADMIN_ROLES):
                    found.admins[district].add(person)
    return found


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def press_note(total: DistrictRow) -> str:
    """The totals as a press note states them."""
    return (
        f"{plural(total.raids, 'raid', 'raids')} at "
        f"{plural(total.locations, 'location', 'locations')}, "
        f"{plural(total.cases, 'case', 'cases')} registered, {total.arrests:,} arrested, "
        f"{plural(total.devices, 'device', 'devices')} seized"
    )


def _charts(rows: list[DistrictRow], categories: Counter[str]) -> list[dict[str, str]]:
    active = [r for r in rows if r.raids or r.cases or r.devices]
    names = [r.district for r in active]
    charts = [
        ("Raids, cases, arrests and devices seized by district", names, {
            "raids": [r.raids for r in active], "cases": [r.cases for r in active],
            "arrested": [r.arrests for r in active], "devices": [r.devices for r in active],
        }, False),
        ("Devices examined and matched files by district", names, {
            "devices examined": [r.devices_ingested for r in active],
            "matched files": [r.matched_files for r in active],
        }, False),
    ]  # fmt: skip
    if categories:
        ordered = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
        charts.append(("Matched files by category", [k for k, _ in ordered],
                       {"files": [v for _, v in ordered]}, True))  # fmt: skip
    return [
        {"title": title, "src": data_uri(bar_chart(title, labels, series, horizontal=h))}
        for title, labels, series, h in charts
        if labels
    ]


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The report of ``options["operation"]`` (id or name) as of ``options["as_of"]``."""
    op = get_operation(session, options["operation"])
    point = as_of(session, options.get("as_of"))
    dash = dashboard(session, op.id)
    places = facts.raid_locations(session, op.id)
    districts = facts.device_districts(session, op.id)
    files = facts.matched_files(session, set(districts))
    people = _people(session, districts)

    rows = [
        DistrictRow(
            **fig.as_dict(),
            locations=len(places.get(fig.district, ())),
            members=len(people.members.get(fig.district, ())),
            admins=len(people.admins.get(fig.district, ())),
        )
        for fig in [*dash.rows, dash.total]
    ]
    total = rows.pop()
    total.locations = sum(r.locations for r in rows)
    categories: Counter[str] = Counter()
    by_district: dict[str, Counter[str]] = defaultdict(Counter)
    for item in files:
        bucket = category_of(item)
        categories[bucket] += 1
        by_district[bucket][districts[item.device_id]] += 1
    category_rows = [
        {"category": name, "files": n,
         "districts": ", ".join(f"{d} {c:,}" for d, c in sorted(by_district[name].items()))}
        for name, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    ]  # fmt: skip
    figures = [asdict(r) for r in [*rows, total]]
    context = {
        "title": f"Operation {op.name}: figures by district",
        "as_of": point,
        "operation": {"id": op.id, "name": op.name, "description": op.description},
        "rows": [asdict(r) for r in rows],
        "total": asdict(total),
        "press_note": press_note(total),
        "categories": category_rows,
        "categorised_files": sum(categories.values()),
        "charts": _charts(rows, categories),
    }
    inputs = {
        f"operation:{op.id}": digest(context["operation"]),
        "figures": digest(figures),
        "categories": digest(category_rows),
        "audit": point.hash,
    }
    labels = {f"operation:{op.id}": op.name}
    rebuilt = {"subject": op.name, "operation": op.id, "as_of": point.seq}
    return Built(render_html("operation.html", context), inputs, labels, rebuilt)


def write_operation(
    session: Session, operation: int | str, out: Path, *, force: bool = False
) -> Manifest:
    """Write the operation's report to ``out`` (.pdf or .html) with its manifest; audited."""
    built = build(session, {"operation": operation})
    return write_report(
        built.html, out, inputs=built.inputs, kind=KIND, session=session, force=force,
        options=built.options, labels=built.labels,
    )  # fmt: skip
