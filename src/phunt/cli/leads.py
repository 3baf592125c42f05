"""``phunt leads``: import tipline reports, list and show them, resolve them to targets.

Run as the operating-system user, a command sees every lead; run as an account
(``phunt --as NAME``), it sees what the web shows that account: the leads of the cases
assigned to it, or every lead for a supervisor, and it changes leads only when the role
may edit cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    print_json_lines,
    print_rows,
    print_table,
    session_for,
    split_list,
)
from phunt.errors import UsageError
from phunt.safe_text import printable

if TYPE_CHECKING:
    from phunt.leads.corroboration import Tally
    from phunt.schema.db import Session
    from phunt.schema.scope import Scope

app = typer.Typer(help="Leads: tipline reports, their links and targets.", no_args_is_help=True)


def account_scope(session: Session, *, write: bool) -> Scope:
    """The cases the ``--as`` account sees (``None``: every case, as the OS user does);
    a change by an account whose role may not edit cases is refused."""
    from phunt.accounts.access import Action
    from phunt.accounts.store import viewer_named
    from phunt.cli.common import requested_account
    from phunt.errors import NotPermitted

    name = requested_account()
    if name is None:
        return None
    viewer = viewer_named(session, name)
    if write and not viewer.may(Action.EDIT_CASES):
        raise NotPermitted(f"a user with the role {viewer.role!r} may not change leads")
    return None if viewer.sees_all else viewer.case_ids


def _mapping(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a readable JSON mapping ({exc})") from None
    if not isinstance(found, dict):
        raise UsageError(f"{path}: a mapping is a JSON object")
    return found


@app.command("import")
def leads_import(
    file: Annotated[Path, typer.Argument(help="An .xlsx or .csv file of reports.")],
    source: Annotated[str, typer.Option(help="Who sent it (NCRB, Interpol ...).")],
    mapping: Annotated[
        Path | None,
        typer.Option(help="JSON column mapping; saved with the source for its next files."),
    ] = None,
    case: Annotated[int | None, typer.Option(help="The case the new leads belong to.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a spreadsheet of reports: all of it, or nothing when a cell is bad."""
    from phunt.leads.store import import_leads

    given = _mapping(mapping)
    with session_for(home, db) as (session, _cfg):
        scope = account_scope(session, write=True)
        if scope is not None and (case is None or case not in scope):
            raise UsageError("import leads into one of your cases (--case)")
        summary = import_leads(session, file, source, mapping=given, case_id=case)
    if as_json:
        print_json(summary.as_dict())
        return
    print(
        f"import {summary.import_id} of {printable(summary.file_name)} from "
        f"{printable(summary.source)}: {summary.rows} rows, {summary.new_leads} new leads, "
        f"{summary.known_leads} already known, {summary.new_files} new files, "
        f"{summary.links} new links"
    )


@app.command("list")
def leads_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    case: Annotated[int | None, typer.Option(help="Only this case.")] = None,
    target: Annotated[int | None, typer.Option(help="Only this target's leads.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List leads, oldest report first."""
    from phunt.leads.store import list_leads
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        scope = account_scope(session, write=False)
        leads = list_leads(session, scope, source=source, case_id=case, target_id=target)
        rows = [
            as_dict(lead, cfg.timezone) | {"source": lead.source.name, "files": len(lead.files)}
            for lead in leads
        ]
    print_rows(
        "Leads",
        rows,
        [
            ("id", "id"),
            ("source", "source"),
            ("report", "report_id"),
            ("incident", "incident_at"),
            ("account", "account"),
            ("phone", "phone"),
            ("files", "files"),
            ("case", "case_id"),
        ],
        as_json,
    )


@app.command("show")
def leads_show(
    lead: Annotated[int, typer.Argument(help="Lead id.")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A lead with its reported files, its linked leads (those --as may see) and its target."""
    from dataclasses import asdict

    from phunt.leads.corroboration_leads import corroborate_lead
    from phunt.leads.store import lead_detail
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        scope = account_scope(session, write=False)
        detail = lead_detail(session, lead, scope)
        corroborated = corroborate_lead(session, lead, scope)
        out = as_dict(detail.lead, cfg.timezone) | {
            "source": detail.source,
            "imported_from": {
                "file": detail.imported.file_name,
                "sha256": detail.imported.file_sha256,
                "row": detail.lead.sheet_row,
            },
            "files": [as_dict(f) for f in detail.files],
            "links": [link.__dict__ for link in detail.links],
            "target": None if detail.target is None else as_dict(detail.target, cfg.timezone),
            "corroboration": str(corroborated.tally),
            "found": [asdict(f) for f in corroborated.found],
        }
    if as_json:
        print_json(out)
        return
    fields = ["source", "report_id", "incident_at", "incident_zone", "platform", "account"]
    fields += ["phone", "phone_raw", "email", "ip", "port", "isp", "location", "case_id"]
    print_table(f"Lead {lead}", ["field", "value"], [(f, out[f]) for f in fields])
    print_table(
        "Reported files",
        ["name", "MD5", "SHA-1", "PDQ"],
        [(f["name"], f["md5"], f["sha1"], f["pdq"]) for f in out["files"]],
    )
    print_table(
        "Linked leads",
        ["lead", "source", "report", "shares", "value"],
        [
            (k["lead_id"], k["source"], k["report_id"], k["reason"], k["value"])
            for k in out["links"]
        ],
    )
    target = out["target"]
    if target is not None:
        print(f"target {target['id']}: {printable(target['name'])}")
    print(out["corroboration"])


@app.command("resolve")
def leads_resolve(
    lead: Annotated[int, typer.Argument(help="Lead id.")],
    target: Annotated[int | None, typer.Option(help="An existing target's id.")] = None,
    name: Annotated[str, typer.Option(help="A new target: the person's name.")] = "",
    district: Annotated[str | None, typer.Option(help="District id or name.")] = None,
    address: Annotated[str, typer.Option(help="Where the person lives.")] = "",
    phone: Annotated[list[str] | None, typer.Option(help="Repeatable; stored as E.164.")] = None,
    subscriber: Annotated[
        str, typer.Option(help="Subscriber details obtained (name on the account, CAF ...).")
    ] = "",
    subscriber_from: Annotated[
        str, typer.Option("--from", help="Who gave the subscriber details (ISP, operator).")
    ] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve a lead to a target: an existing one, or a new person."""
    from phunt.leads.targets import resolve_lead
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        found = resolve_lead(
            session,
            lead,
            account_scope(session, write=True),
            target_id=target,
            name=name,
            address=address,
            district=district,
            phones=split_list(phone),
            subscriber_details=subscriber,
            subscriber_source=subscriber_from,
        )
        out = as_dict(found, cfg.timezone) | {"district": found.district.name}
    resolved = f"lead {lead} resolved to target {out['id']}: {printable(out['name'])}"
    print_json(out) if as_json else print(resolved)


@app.command("targets")
def leads_targets(
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Targets by district, highest priority first, each with its leads' reported files
    found on the devices seized from it (corroborated: N of M)."""
    from phunt.leads.corroboration_leads import corroborate_target
    from phunt.leads.targets import list_targets

    with session_for(home, db, read_only=True) as (session, _cfg):
        scope = account_scope(session, write=False)
        rows = [
            row.as_dict() | {"corroborated": _of(corroborate_target(session, row.id, scope).tally)}
            for row in list_targets(session, scope, district=district)
        ]
    print_rows(
        "Targets by district and priority",
        rows,
        [
            ("district", "district"),
            ("rank", "rank"),
            ("id", "id"),
            ("name", "name"),
            ("reports", "reports"),
            ("known-bad files", "known_bad_files"),
            ("accounts seen again", "accounts_seen_again"),
            ("seized groups", "chat_groups"),
            ("corroborated", "corroborated"),
            ("case", "case_id"),
        ],
        as_json,
    )


def _of(tally: Tally) -> str:
    """A tally as the targets table shows it: "3 of 5"."""
    return f"{tally.found} of {tally.reported}"


@app.command("sources")
def leads_sources(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Lead sources with the column mapping saved for each."""
    from phunt.leads.store import list_sources
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [as_dict(source, cfg.timezone) for source in list_sources(session)]
    if as_json:
        print_json_lines(rows)
        return
    print_table(
        "Lead sources",
        ["id", "name", "zone", "time format", "columns"],
        [
            (
                r["id"],
                r["name"],
                r["mapping"]["zone"],
                r["mapping"]["time_format"] or "ISO 8601",
                "; ".join(f"{k}={v}" for k, v in r["mapping"]["columns"].items()),
            )
            for r in rows
        ],
    )
