"""``phunt export vics``: a case's categorised media as a VICS 2.0 case file.

One Media record per content (SHA-256) among the case's devices' files that a hash list
or a reviewer categorised, written by :func:`phunt.hashsets.vics_writer.write_vics` in
the ``#Cases`` form with the US profile (VICS 2.0 categories). The reviewer's current
decision decides the category; without one, the list's category does (the record then
says ``IsPrecategorized``). When copies disagree the gravest wins (the lowest code above
0; 0, non-pertinent, last). Each copy is listed in ``MediaFiles`` with its device and
path; the lists and the decision that gave the category are kept in ``Phunt*`` fields.
A category with no VICS 2.0 meaning (the UK numbering, DHS "uncategorised") cannot be
written, so its media is left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from phunt import __version__
from phunt.errors import UsageError
from phunt.exports.ids import clean, stable_uuid, utc_text
from phunt.exports.manifest import ExportResult, Plan, check_target, write_plan
from phunt.exports.store import (
    CategorisedFile,
    Decision,
    Selection,
    case_row,
    case_selection,
    categorised_files,
    input_hashes,
)
from phunt.hashing.kinds import pdq_quality_min
from phunt.hashsets.categories import VICS_US, Category, convert
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.vics_writer import write_vics
from phunt.schema.db import Session
from phunt.schema.scope import Scope


def export_vics(
    session: Session,
    case_id: int,
    out: Path,
    *,
    scope: Scope = None,
    force: bool = False,
    own: Path | None = None,
) -> ExportResult:
    """Write the case's categorised media to ``out`` (see the module)."""
    selection = case_selection(session, case_id, scope)
    check_target(Path(out), force, own)
    return write_plan(session, out, vics_plan(session, selection), force, own)


def vics_plan(session: Session, selection: Selection) -> Plan:
    """The VICS export of a case selection."""
    case = case_row(session, selection.case_id)
    assert case is not None
    entries = media_entries(categorised_files(session, selection))
    fields = {
        "CaseID": stable_uuid("case", case.station, case.number),
        "CaseNumber": case.number,
        "ContactOrganization": case.station,
        "SourceApplicationName": "phunt",
        "SourceApplicationVersion": __version__,
        "TotalMediaFiles": len(entries),
    }
    meta = {"profile": "US", "cases": [fields]}

    def write(fh: TextIO) -> int:
        return write_vics(entries, fh, form="case", metadata=meta)

    return Plan("vics", selection, input_hashes(session, selection), write)


def media_entries(files: Iterable[CategorisedFile]) -> list[HashEntry]:
    """One entry per content, in the order its first copy was stored."""
    by_content: dict[str, list[CategorisedFile]] = {}
    for item in files:
        if item.file.sha256 is not None:
            by_content.setdefault(item.file.sha256, []).append(item)
    out: list[HashEntry] = []
    for copies in by_content.values():
        entry = _entry(copies, len(out) + 1)
        if entry is not None:
            out.append(entry)
    return out


def _entry(copies: list[CategorisedFile], number: int) -> HashEntry | None:
    decisions = [c.decision for c in copies if c.decision is not None]
    chosen: Decision | None = None
    category: Category | None = None
    for decision in decisions:
        assert decision.code is not None and decision.scheme is not None
        found = _in_vics(Category(decision.code, decision.scheme))
        if found is not None and (category is None or _graver(found, category)):
            category, chosen = found, decision
    if not decisions:
        for match in (m for c in copies for m in c.matches):
            assert match.category_code is not None and match.category_scheme is not None
            found = _in_vics(Category(match.category_code, match.category_scheme))
            if found is not None and (category is None or _graver(found, category)):
                category = found
    if category is None:
        return None
    first = copies[0].file
    hashes = {kind: value for kind in ("md5", "sha1", "sha256") if (value := getattr(first, kind))}
    picture = next((c.file for c in copies if (c.file.pdq_quality or 0) >= pdq_quality_min()), None)
    if picture is not None and picture.pdq is not None:
        hashes["pdq"] = picture.pdq
    extra: dict[str, Any] = {
        "MediaSize": first.size,
        "IsPrecategorized": chosen is None,
        "MediaFiles": [_media_file(c) for c in copies],
        "PhuntCategorySource": "hash-list" if chosen is None else "review",
        "PhuntMatches": _matches(copies),
    }
    if chosen is not None:
        extra["PhuntDecision"] = {
            "ID": chosen.id,
            "DecidedBy": chosen.by,
            "DecidedAt": utc_text(chosen.at),
        }
    extra = {key: value for key, value in extra.items() if value is not None}
    return HashEntry(hashes, category, number, None, extra)


def _in_vics(category: Category) -> Category | None:
    try:
        return convert(category, VICS_US)
    except UsageError:  # no mapping (UK numbering): not expressible in VICS 2.0
        return None


def _graver(new: Category, held: Category) -> bool:
    def rank(code: int) -> int:
        return code if code > 0 else 99

    return rank(new.code) < rank(held.code)


def _media_file(item: CategorisedFile) -> dict[str, Any]:
    file = item.file
    path = clean(file.path)
    out: dict[str, Any] = {
        "FileName": os.path.basename(path.rstrip("/")) or path,
        "FilePath": path,
        "Created": utc_text(file.created),
        "Written": utc_text(file.modified),
        "Accessed": utc_text(file.accessed),
        "Deleted": file.deleted,
        "PhuntDevice": clean(item.device),
        "PhuntFileID": file.id,
    }
    return {key: value for key, value in out.items() if value is not None}


def _matches(copies: list[CategorisedFile]) -> list[dict[str, Any]]:
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for match in (m for c in copies for m in c.matches):
        key = (match.hash_set, match.version, match.entry, match.kind)
        seen.setdefault(
            key,
            {
                "HashSet": match.hash_set,
                "Version": match.version,
                "Entry": match.entry,
                "Kind": match.kind,
                "Distance": match.distance,
                "Category": match.category_code,
                "CategoryScheme": match.category_scheme,
            },
        )
    return list(seen.values())
