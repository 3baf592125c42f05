"""``phunt export verify``: check an export against its manifest and the database today.

Three questions, answered separately so the examiner and the defence see what no longer
holds: are the file's bytes those its manifest records (and does the audit log record
writing them); do the inputs (ingest manifests, hash-list versions) still have the hashes
the manifest lists; and does exporting the same selection again give the same bytes. A
stored row changed since (a path, a hash, a category, a decision) fails the last one.
Nothing is written and nothing is audited.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from phunt.errors import InputError, NotFoundError
from phunt.exports.case_uco import case_uco_plan
from phunt.exports.manifest import OBJECT_TYPES, Plan, manifest_path, plan_digest
from phunt.exports.matches_csv import matches_plan
from phunt.exports.store import Selection, case_selection, device_selection, export_writes
from phunt.exports.vics import vics_plan
from phunt.reports.verify import VerifyResult
from phunt.schema.db import Session

_PLANS = {"vics": vics_plan, "matches-csv": matches_plan, "case-uco": case_uco_plan}


def read_manifest(path: Path) -> dict[str, Any]:
    where = manifest_path(path)
    try:
        data = json.loads(where.read_bytes())
    except FileNotFoundError:
        raise InputError("no manifest beside the export", path=str(where)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable manifest: {exc}", path=str(where)) from None
    ok = isinstance(data, dict) and data.get("kind") in _PLANS
    ok = ok and isinstance(data.get("selection"), dict)
    if not ok or data["selection"].get("kind") not in OBJECT_TYPES:
        raise InputError("not a phunt export manifest", path=str(where))
    _check_fields(data, str(where))
    found: dict[str, Any] = data
    return found


def _check_fields(data: dict[str, Any], where: str) -> None:
    """:class:`InputError` naming the manifest and the key when a field verification reads
    is missing or of the wrong type (an edited manifest never ends in a traceback)."""
    if not isinstance(data.get("sha256"), str):
        raise InputError("manifest key 'sha256' is missing or not text", path=where)
    chosen = data["selection"].get("id")
    if isinstance(chosen, bool) or not isinstance(chosen, int | str) or not str(chosen).isdigit():
        raise InputError("manifest key 'selection.id' is missing or not a number", path=where)
    inputs = data.get("inputs")
    ok = inputs is None or (
        isinstance(inputs, dict) and all(isinstance(v, str) for v in inputs.values())
    )
    if not ok:
        raise InputError("manifest key 'inputs' is not an object of hashes", path=where)


def verify_export(session: Session, path: Path) -> VerifyResult:
    """Check the export at ``path`` (see the module); :class:`InputError` only when the
    file or its manifest cannot be read. The result is the one ``phunt report verify``
    gives (``written_at_record``: the audit record of the write)."""
    manifest = read_manifest(path)
    kind, chosen = manifest["kind"], manifest["selection"]
    try:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read the export: {exc.strerror}", path=str(path)) from None
    problems: list[str] = []
    file_ok = sha256 == manifest["sha256"]
    if not file_ok:
        problems.append("the file's SHA-256 is not the one its manifest records: it was altered")
    writes = export_writes(session, f"export.{kind}", OBJECT_TYPES[chosen["kind"]], chosen["id"])
    written = [seq for seq, details in writes if details.get("sha256") == manifest["sha256"]]
    if not written:
        problems.append("the audit log holds no record of writing an export with this SHA-256")
    try:
        plan: Plan | None = _PLANS[kind](session, _selection(session, chosen))
    except NotFoundError:
        plan = None
        problems.append(f"the {chosen['kind']} {chosen['id']} is no longer in the database")
    except (KeyError, TypeError, ValueError) as exc:
        plan = None
        problems.append(f"the export cannot be rebuilt from its manifest: {exc!r}")
    then: dict[str, str] = manifest.get("inputs") or {}
    now = {} if plan is None else plan.inputs
    changed = sorted(k for k in then.keys() & now.keys() if then[k] != now[k])
    missing, added = sorted(then.keys() - now.keys()), sorted(now.keys() - then.keys())
    for names, what in ((changed, "changed"), (missing, "gone"), (added, "new")):
        if names:
            problems.append(f"inputs {what} since: {', '.join(names)}")
    rebuilt_ok = None if plan is None else plan_digest(plan)[0] == manifest["sha256"]
    if rebuilt_ok is False:
        problems.append("exporting the same selection today gives different bytes")
    return VerifyResult(
        str(path), kind, not problems, file_ok, written[-1] if written else None, changed,
        missing, added, rebuilt_ok, problems,
    )  # fmt: skip


def _selection(session: Session, chosen: dict[str, Any]) -> Selection:
    if chosen["kind"] == "case":
        return case_selection(session, int(chosen["id"]))
    return device_selection(session, int(chosen["id"]))
