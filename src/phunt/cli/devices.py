"""``phunt device`` and ``phunt custody``."""

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
)
from phunt.errors import UsageError
from phunt.safe_text import printable

device_app = typer.Typer(help="Seized devices.", no_args_is_help=True)
custody_app = typer.Typer(help="Chain of custody of devices.", no_args_is_help=True)


@device_app.command("add")
def device_add(
    evidence: Annotated[str, typer.Option("--evidence", help="Unique evidence number.")],
    kind: Annotated[
        str,
        typer.Option(help="mobile phone, modem, hard disk, memory card, laptop, computer, other."),
    ],
    make: Annotated[str, typer.Option()] = "",
    model: Annotated[str, typer.Option()] = "",
    serial: Annotated[str, typer.Option()] = "",
    imei: Annotated[str, typer.Option()] = "",
    raid: Annotated[int | None, typer.Option(help="Raid id it was seized in.")] = None,
    suspect: Annotated[int | None, typer.Option(help="Suspect id it was seized from.")] = None,
    case: Annotated[int | None, typer.Option(help="Case id.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a seized device."""
    from phunt.cases.devices import add_device
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        device = add_device(
            session,
            evidence,
            kind,
            make=make,
            model=model,
            serial=serial,
            imei=imei,
            raid_id=raid,
            suspect_id=suspect,
            case_id=case,
        )
        out = as_dict(device, cfg.timezone)
    print_json(out) if as_json else print(f"device {out['id']} registered: {printable(evidence)}")


@device_app.command("list")
def device_list(
    case: Annotated[int | None, typer.Option(help="Only this case.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List devices, each with its last ingest job and how it stands."""
    from phunt.cases.devices import list_devices
    from phunt.ingest.guard import list_jobs
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [as_dict(d, cfg.timezone) for d in list_devices(session, case)]
        last = {job.device: job for job in list_jobs(session)}
    for row in rows:
        job = last.get(row["evidence_number"])
        if as_json:
            row["last_ingest"] = None if job is None else {"job": job.id, "status": job.state}
        else:
            row["ingest"] = "" if job is None else f"job {job.id}: {job.state}"
    print_rows(
        "Devices",
        rows,
        [
            ("id", "id"),
            ("evidence", "evidence_number"),
            ("kind", "kind"),
            ("make", "make"),
            ("model", "model"),
            ("case", "case_id"),
            ("raid", "raid_id"),
            ("last ingest", "ingest"),
        ],
        as_json,
    )


@custody_app.command("log")
def custody_log(
    device: Annotated[str, typer.Option(help="Device id or evidence number.")],
    action: Annotated[
        str, typer.Option(help="seized, transferred, received, imaged, examined, returned.")
    ],
    by: Annotated[str, typer.Option("--by", help="Who handled the device.")],
    at: Annotated[str | None, typer.Option(help="ISO 8601 time (default now).")] = None,
    note: Annotated[str, typer.Option()] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Append a custody event."""
    from phunt.cases.devices import log_custody
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        event = log_custody(session, device, action, by, parse_time(at, cfg), note)
        out = as_dict(event, cfg.timezone)
    logged = f"custody event {out['id']}: {printable(action)} by {printable(by)}"
    print_json(out) if as_json else print(logged)


@custody_app.command("show")
def custody_show(
    device_arg: Annotated[
        str | None, typer.Argument(metavar="DEVICE", help="Device id or evidence number.")
    ] = None,
    device_opt: Annotated[
        str | None,
        typer.Option("--device", help="The same, named as `custody log` names it."),
    ] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a device's chain of custody."""
    from phunt.cases.devices import custody_history
    from phunt.schema.records import as_dict

    if (device_arg is None) == (device_opt is None):
        raise UsageError("name the device once: `custody show DEVICE` or `--device DEVICE`")
    device = device_arg or device_opt or ""
    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [as_dict(e, cfg.timezone) for e in custody_history(session, device)]
    print_rows(
        f"Custody of {device}",
        rows,
        [("time", "at"), ("action", "action"), ("by", "actor"), ("note", "note")],
        as_json,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(device_app, name="device")
    app.add_typer(custody_app, name="custody")
