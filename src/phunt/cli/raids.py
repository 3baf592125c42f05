"""``phunt raid plan``, ``raid plans`` and ``raid outcome``: raids planned on targets.

They join the ``raid`` group of :mod:`phunt.cli.operations` (``raid add`` records a raid
by hand); the outcome of a plan writes the same raid, case, suspect and device rows.
"""

from __future__ import annotations

from typing import Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    parse_time,
    print_json,
    print_rows,
    session_for,
    split_list,
)
from phunt.cli.leads import account_scope
from phunt.errors import UsageError
from phunt.safe_text import printable


def raid_plan(
    operation: Annotated[str, typer.Option(help="Operation id or name.")],
    target: Annotated[int, typer.Option(help="Target id (phunt leads targets).")],
    team_lead: Annotated[str, typer.Option(help="Officer leading the team.")],
    at: Annotated[str, typer.Option(help="Planned ISO 8601 time.")],
    district: Annotated[str | None, typer.Option(help="Default: the target's.")] = None,
    location: Annotated[str, typer.Option(help="Default: the target's address.")] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a raid of an operation on a target."""
    from phunt.leads.raids import plan_raid
    from phunt.leads.targets import get_target
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        get_target(session, target, account_scope(session, write=True))
        plan = plan_raid(
            session,
            operation,
            target,
            team_lead=team_lead,
            planned_for=parse_time(at, cfg),
            district=district,
            location=location,
        )
        out = as_dict(plan, cfg.timezone) | {"district": plan.district.name}
    planned = f"raid plan {out['id']}: target {target} at {printable(out['location'])}"
    print_json(out) if as_json else print(planned)


def raid_plans(
    operation: Annotated[str | None, typer.Option(help="Only this operation.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List raid plans in planned order, with the raid and case they led to."""
    from phunt.leads.raids import list_plans
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        plans = list_plans(session, account_scope(session, write=False), operation=operation)
        rows = [
            as_dict(p, cfg.timezone) | {"district": p.district.name, "target": p.target.name}
            for p in plans
        ]
    print_rows(
        "Raid plans",
        rows,
        [
            ("id", "id"),
            ("operation", "operation_id"),
            ("district", "district"),
            ("target", "target"),
            ("location", "location"),
            ("planned", "planned_for"),
            ("team lead", "team_lead"),
            ("raid", "raid_id"),
            ("case", "case_id"),
        ],
        as_json,
    )


def _devices(values: list[str]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        number, _, kind = value.partition("=")
        if not number.strip() or not kind.strip():
            raise UsageError(f"--device takes EVIDENCE_NUMBER=KIND, not {value!r}")
        out.append((number.strip(), kind.strip()))
    return out


def raid_outcome(
    plan: Annotated[int, typer.Argument(help="Raid plan id.")],
    at: Annotated[str | None, typer.Option(help="When the raid took place (default now).")] = None,
    case: Annotated[int | None, typer.Option(help="An existing case it belongs to.")] = None,
    case_number: Annotated[str, typer.Option(help="The case (FIR) registered.")] = "",
    station: Annotated[str, typer.Option(help="Police station that registered it.")] = "",
    statute: Annotated[
        list[str] | None, typer.Option(help="Repeat or comma-separate: 'IT Act s.67B'.")
    ] = None,
    arrested: Annotated[bool, typer.Option(help="The target was arrested.")] = False,
    arrest: Annotated[
        list[str] | None, typer.Option(help="Someone else arrested (name), repeatable.")
    ] = None,
    device: Annotated[
        list[str] | None,
        typer.Option(help="A device seized: EVIDENCE_NUMBER=KIND ('mobile phone'), repeatable."),
    ] = None,
    note: Annotated[str, typer.Option(help="Free text.")] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what a planned raid found: the raid, the case, arrests, devices seized."""
    from phunt.leads.raids import SeizedDevice, get_plan, record_outcome
    from phunt.leads.targets import get_target
    from phunt.schema.records import as_dict

    seized = [SeizedDevice(number, kind) for number, kind in _devices(device or [])]
    with session_for(home, db) as (session, cfg):
        get_target(session, get_plan(session, plan).target_id, account_scope(session, write=True))
        done = record_outcome(
            session,
            plan,
            raided_at=parse_time(at, cfg),
            case_id=case,
            case_number=case_number,
            station=station,
            statutes=split_list(statute),
            target_arrested=arrested,
            others_arrested=arrest or [],
            devices=seized,
            note=note,
        )
        out = as_dict(done, cfg.timezone)
    if as_json:
        print_json(out)
        return
    print(f"raid plan {plan}: raid {out['raid_id']} recorded, case {out['case_id']}")


def add_commands(raid_app: typer.Typer) -> None:
    """Add the planning commands to the ``raid`` group."""
    raid_app.command("plan")(raid_plan)
    raid_app.command("plans")(raid_plans)
    raid_app.command("outcome")(raid_outcome)
