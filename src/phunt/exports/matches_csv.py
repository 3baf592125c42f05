"""``phunt export matches``: every match of a case or a device as CSV, for a spreadsheet.

One row per match (a file on two lists is two rows), with the file's device, path, size,
digests, the list, version, entry, kind, distance and category, and the reviewer's
current decision. File names come from the evidence, so every cell passes through
:func:`phunt.safe_text.csv_cell` (a name starting with ``=`` is not run as a formula).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from phunt.errors import UsageError
from phunt.exports.ids import clean, utc_text
from phunt.exports.manifest import ExportResult, Plan, check_target, write_plan
from phunt.exports.store import (
    MatchRow,
    Selection,
    case_selection,
    device_selection,
    input_hashes,
    match_rows,
)
from phunt.hashsets.categories import Category, label
from phunt.safe_text import csv_cell
from phunt.schema.db import Session
from phunt.schema.scope import Scope

COLUMNS = (
    "device", "job", "seq", "file_id", "path", "size", "modified_utc", "md5", "sha1",
    "sha256", "hash_set", "version", "entry", "kind", "distance", "threshold", "quality",
    "variant", "category", "category_scheme", "category_label", "decision_id",
    "decision_category", "decision_scheme", "decision_label", "decided_by", "decided_at_utc",
)  # fmt: skip


def export_matches(
    session: Session,
    out: Path,
    *,
    case_id: int | None = None,
    device: int | str | None = None,
    scope: Scope = None,
    force: bool = False,
    own: Path | None = None,
) -> ExportResult:
    """Write the matches of a case or of a device (exactly one of them) to ``out``."""
    selection = select_one(session, case_id, device, scope)
    check_target(Path(out), force, own)
    return write_plan(session, out, matches_plan(session, selection), force, own)


def matches_plan(session: Session, selection: Selection) -> Plan:
    """The CSV export of a case's or a device's matches."""

    def write(fh: TextIO) -> int:
        return write_rows(match_rows(session, selection), fh)

    return Plan("matches-csv", selection, input_hashes(session, selection), write)


def select_one(
    session: Session, case_id: int | None, device: int | str | None, scope: Scope
) -> Selection:
    if (case_id is None) == (device is None):
        raise UsageError("give either a case or a device")
    if case_id is not None:
        return case_selection(session, case_id, scope)
    assert device is not None
    return device_selection(session, device, scope)


def write_rows(rows: Iterable[MatchRow], out: TextIO) -> int:
    """The header and one line per match; returns how many matches were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in _cells(row)])
        count += 1
    return count


def _cells(row: MatchRow) -> list[object]:
    category = ""
    if row.category_code is not None and row.category_scheme is not None:
        category = label(Category(row.category_code, row.category_scheme))
    decision = row.decision
    ruling: list[object] = [None] * 6
    if decision is not None:
        ruling = [decision.id, decision.code, decision.scheme, decision.label,
                  clean(decision.by), utc_text(decision.at)]  # fmt: skip
    return [
        clean(row.device), row.job, row.seq, row.file_id, clean(row.path), row.size,
        utc_text(row.modified), row.md5, row.sha1, row.sha256, clean(row.hash_set),
        row.version, row.entry, row.kind, row.distance, row.threshold, row.quality,
        row.variant, row.category_code, row.category_scheme, category, *ruling,
    ]  # fmt: skip
