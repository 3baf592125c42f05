"""The demo's closing tables: what phunt found per device, who ranks first, the figures.

Printed with Rich from an :class:`Outcome`, so the figures shown are exactly those the
services returned (the tests compare them with ``phunt stats``, the API and the report).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from phunt.demo.run import Outcome
from phunt.phones import looks_like_phone
from phunt.safe_text import printable

#: How many of the ranked people the summary shows.
TOP_PEOPLE = 5


def _categories(counts: dict[str, int]) -> str:
    return ", ".join(
        f"cat {code}: {n}" if code != "-" else f"no category: {n}" for code, n in counts.items()
    )


def device_table(out: Outcome) -> Table:
    table = Table(title=f"{out.plan.operation}: seized devices after ingest")
    table.add_column("device", no_wrap=True)
    for col in ("district", "kind", "form"):
        table.add_column(col)
    for col in ("files", "matched"):
        table.add_column(col, justify="right")
    table.add_column("by category")
    for col in ("groups", "watchlist hits"):
        table.add_column(col, justify="right")
    for d in out.devices:
        table.add_row(
            d.number, d.district, d.kind, d.form, str(d.files), str(d.matched),
            _categories(d.categories), str(d.groups), str(d.watch_hits),
        )  # fmt: skip
    return table


def _names(names: list[str]) -> list[str]:
    """The names people gave themselves; a number shown as a name is in the phone column."""
    return [n for n in names if not looks_like_phone(n)]


def people_table(out: Outcome) -> Table:
    table = Table(title="People ranked first (merged across devices)")
    table.add_column("name")
    table.add_column("phone", no_wrap=True)
    for col in ("devices", "groups", "admin of", "known files sent", "score"):
        table.add_column(col, justify="right")
    for p in out.people[:TOP_PEOPLE]:
        name = "; ".join(_names(p["names"])) or "(no name)"
        table.add_row(
            printable(name), printable(", ".join(p["phones"])),
            str(len(p["devices"])), str(len(p["groups"])), str(len(p["admin_of"])),
            str(p["known_bad_sent"]), str(p["score"]),
        )  # fmt: skip
    return table


def figures_table(out: Outcome) -> Table:
    table = Table(title=f"{out.plan.operation}: figures by district")
    for col in ("district", "raids", "cases", "arrests", "devices"):
        table.add_column(col)
    for r in out.figures:
        table.add_row(r.district, str(r.raids), str(r.cases), str(r.arrests), str(r.devices))
    return table


def print_summary(out: Outcome, console: Console) -> None:
    """Every table, then the review, the reports and the audit verdict in a few lines."""
    console.print(device_table(out))
    for d in out.devices:
        for problem in d.chat_errors:
            console.print(f"[red]{d.number}: a chat did not import: {printable(problem)}[/red]")
    console.print(people_table(out))
    console.print(figures_table(out))
    console.print(
        f"Review: {out.reviewed} new picture(s) categorised, "
        f"{out.propagated} copies on other devices given the same decision by propagation"
    )
    console.print(f"Reports ({len(out.reports)}) in {out.home / 'reports'}:")
    for path in out.reports:
        console.print(f"  {path.relative_to(out.home)}")
    state = "intact" if out.audit_ok else "BROKEN"
    console.print(f"Audit log: {state}, {out.audit_records} records. Data in {out.home}")
