"""``phunt report takedown``: the CSV and one letter per platform, written together."""

from __future__ import annotations

from pathlib import Path

from phunt.errors import UsageError
from phunt.reports import takedown, takedown_csv
from phunt.reports.manifest import Manifest
from phunt.reports.render import write_report
from phunt.schema.db import Session


def write_takedown(
    session: Session,
    out_dir: Path,
    *,
    case: int | None = None,
    operation: int | str | None = None,
    officer: str | None = None,
    force: bool = False,
    own: Path | None = None,
) -> list[Manifest]:
    """``takedown.csv`` and ``takedown-<platform>.pdf`` for each platform with groups to
    take down, in ``out_dir``; each with its manifest, each write audited."""
    if (case is None) == (operation is None):
        raise UsageError("give one of --operation and --case")
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: no such folder")
    where = {"case": case, "operation": operation}
    written = [
        takedown_csv.write_csv(session, out_dir / "takedown.csv", where, force=force, own=own)
    ]
    scope = takedown.scope_of(session, where)
    platforms = {g.platform for g in takedown.find_groups(session, scope)}
    for platform in sorted(platforms):
        built = takedown.build(session, where | {"platform": platform, "officer": officer})
        out = out_dir / f"takedown-{platform}.pdf"
        written.append(
            write_report(
                built.html,
                out,
                inputs=built.inputs,
                kind=takedown.KIND,
                session=session,
                force=force,
                options=built.options,
                labels=built.labels,
                own=own,
            )
        )
    return written
