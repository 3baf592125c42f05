"""The takedown CSV: one row per group, for the platforms' law-enforcement portals.

Every cell passes :func:`phunt.safe_text.csv_cell` (titles and names come from the
evidence); times are DD/MM/YYYY HH:MM IST. The file is written with a manifest and an
audit record as every report is, its bytes fixed by the database alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from phunt.audit import store as audit
from phunt.output_path import check_target
from phunt.reports.facts import as_of
from phunt.reports.manifest import Built, Manifest, digest, inputs_digest, manifest_path
from phunt.reports.render import _write, ist, tool
from phunt.reports.takedown import find_groups, scope_of
from phunt.safe_text import csv_cell
from phunt.schema.db import Session

KIND = "takedown_csv"
HEADER = (
    "platform", "group_id", "title", "invite_links", "members_seen", "admins",
    "first_activity_ist", "last_activity_ist", "evidence_message_ids", "devices",
)  # fmt: skip


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The CSV's bytes (in ``Built.html``) for ``options``' case or operation."""
    scope = scope_of(session, options)
    point = as_of(session, options.get("as_of"))
    groups = find_groups(session, scope)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = []
    for g in groups:
        row = [
            g.platform, g.group_id, " / ".join(g.titles), " ; ".join(g.invite_links),
            str(g.members_seen), " ; ".join(g.admins), ist(g.first_activity),
            ist(g.last_activity), " ; ".join(g.evidence), " ; ".join(g.devices),
        ]  # fmt: skip
        rows.append(row)
        writer.writerow([csv_cell(cell) for cell in row])
    inputs = {"groups": digest(rows), "audit": point.hash}
    rebuilt = {
        "subject": scope.label, "case": options.get("case"),
        "operation": options.get("operation"), "as_of": point.seq,
    }  # fmt: skip
    return Built(out.getvalue().encode(), inputs, {}, rebuilt)


def write_csv(
    session: Session,
    out: Path,
    options: Mapping[str, Any],
    *,
    force: bool = False,
    own: Path | None = None,
) -> Manifest:
    """Write the CSV and its manifest beside it (by :mod:`phunt.output_path`'s rule, as
    ``write_report`` does); audited as a report's writing."""
    mpath = manifest_path(out)
    for path in (out, mpath):
        check_target(path, force=force, own=own)
    built = build(session, options)
    data = built.html
    manifest = Manifest(
        kind=KIND, output=out.name, media="csv", output_sha256=hashlib.sha256(data).hexdigest(),
        output_bytes=len(data), html_sha256=hashlib.sha256(data).hexdigest(),
        inputs=dict(sorted(built.inputs.items())), labels={}, options=built.options, tool=tool(),
    )  # fmt: skip
    details = {
        "kind": KIND, "path": str(out.absolute()), "sha256": manifest.output_sha256,
        "bytes": manifest.output_bytes, "manifest_sha256": manifest.sha256,
        "inputs_sha256": inputs_digest(manifest.inputs), "options": manifest.options,
    }  # fmt: skip
    audit.append(session, "report.write", "report", f"{KIND} {built.options['subject']}", details)
    _write(out, data, force, own)
    _write(mpath, manifest.to_json(), force, own)
    return manifest
