"""Check a written report against its manifest and against the database today.

Four questions, each answered separately so the examiner and the defence see exactly
what no longer holds: are the file's bytes the ones the manifest records; does the audit
chain record their writing; does each input, re-read from the database, still have the
hash it had (naming every one that changed, appeared or disappeared); and does rebuilding
the report from those inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from phunt.errors import InputError, PhuntError
from phunt.reports.facts import report_writes
from phunt.reports.manifest import Built, Manifest, manifest_path, read_manifest
from phunt.reports.render import html_to_pdf, tool
from phunt.schema.db import Session

Builder = Callable[[Session, Mapping[str, Any]], Built]
_KIND = re.compile(r"[a-z][a-z0-9_]{0,40}")


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` only when every check passed; ``problems`` says in words what failed."""

    path: str
    kind: str
    ok: bool
    file_ok: bool
    written_at_record: int | None
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    rebuilt_ok: bool | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def builder(kind: str) -> Builder:
    """The ``build`` function of the module named after ``kind`` in this package."""
    if not _KIND.fullmatch(kind):
        raise InputError(f"not a report kind: {kind!r}")
    try:
        module = importlib.import_module(f"phunt.reports.{kind}")
    except ModuleNotFoundError:
        raise InputError(f"this version of phunt cannot rebuild a {kind!r} report") from None
    build = getattr(module, "build", None)
    if build is None:
        raise InputError(f"this version of phunt cannot rebuild a {kind!r} report")
    return cast(Builder, build)


def verify_report(path: Path, session: Session) -> VerifyResult:
    """Verify the report at ``path`` with the manifest beside it; raises
    :class:`InputError` only when the report or its manifest cannot be read."""
    manifest = read_manifest(path)
    _check_fields(path, manifest)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror}", path=str(path)) from None
    problems: list[str] = []
    file_ok = hashlib.sha256(data).hexdigest() == manifest.output_sha256
    if not file_ok:
        problems.append("the file's SHA-256 is not the one its manifest records: it was altered")
    writes = report_writes(session, manifest.output_sha256)
    same = [w for w in writes if w.details.get("manifest_sha256") == manifest.sha256]
    written = same[-1].seq if same else None
    if not writes:
        problems.append("the audit chain holds no record of writing a file with this SHA-256")
    elif not same:
        seqs = ", ".join(str(w.seq) for w in writes)
        problems.append(f"the manifest is not the one the audit chain recorded (records {seqs})")
    try:
        built = builder(manifest.kind)(session, manifest.options)
    except PhuntError as exc:
        problems.append(f"the report cannot be rebuilt from the database: {exc}")
        return _result(path, manifest, file_ok, written, problems)
    except (KeyError, TypeError, ValueError) as exc:  # options edited in the manifest
        what = f"option {exc}" if isinstance(exc, KeyError) else str(exc)
        problems.append(f"the report cannot be rebuilt from its manifest's options: {what}")
        return _result(path, manifest, file_ok, written, problems)
    changed, missing, added = _compare(manifest, built)
    problems += [f"input changed since the report: {name}" for name in changed]
    problems += [f"input no longer in the database: {name}" for name in missing]
    problems += [f"input new in the database: {name}" for name in added]
    rebuilt = html_to_pdf(built.html, built.inputs) if manifest.media == "pdf" else built.html
    rebuilt_ok = hashlib.sha256(rebuilt).hexdigest() == manifest.output_sha256
    if not rebuilt_ok and not (changed or missing or added):
        then, now = manifest.tool, tool()
        problems.append(f"the same inputs render to other bytes (made with {then}, now {now})")
    elif not rebuilt_ok:
        problems.append("rebuilt from today's database, the report has other bytes")
    return _result(path, manifest, file_ok, written, problems, changed, missing, added, rebuilt_ok)


_TYPES: dict[str, type] = {
    "kind": str, "output": str, "media": str, "output_sha256": str, "output_bytes": int,
    "html_sha256": str, "inputs": dict, "labels": dict, "options": dict, "tool": dict,
}  # fmt: skip


def _check_fields(path: Path, manifest: Manifest) -> None:
    """:class:`InputError` naming the manifest and the field when a field has the wrong
    type: an edited manifest is reported, never followed into a traceback."""
    where = str(manifest_path(path))
    for key, kind in _TYPES.items():
        value = getattr(manifest, key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(f"manifest field {key!r} is not {_name(kind)}", path=where)
    for key in ("inputs", "labels"):
        if not all(isinstance(v, str) for v in getattr(manifest, key).values()):
            raise InputError(f"manifest field {key!r} holds a value that is not text", path=where)


def _name(kind: type) -> str:
    return {str: "text", int: "a whole number", dict: "a JSON object"}.get(kind, kind.__name__)


def _compare(manifest: Manifest, built: Built) -> tuple[list[str], list[str], list[str]]:
    """Inputs whose hash changed, that are gone and that are new, each with its label."""
    then, now = manifest.inputs, built.inputs
    labels = {**built.labels, **manifest.labels}

    def named(key: str) -> str:
        label = labels.get(key)
        return f"{key} ({label})" if label else key

    changed = [named(k) for k in sorted(then) if k in now and now[k] != then[k]]
    missing = [named(k) for k in sorted(then) if k not in now]
    added = [named(k) for k in sorted(now) if k not in then]
    return changed, missing, added


def _result(
    path: Path,
    manifest: Manifest,
    file_ok: bool,
    written: int | None,
    problems: list[str],
    changed: list[str] | None = None,
    missing: list[str] | None = None,
    added: list[str] | None = None,
    rebuilt_ok: bool | None = None,
) -> VerifyResult:
    return VerifyResult(
        path=str(path),
        kind=manifest.kind,
        ok=not problems,
        file_ok=file_ok,
        written_at_record=written,
        changed=changed or [],
        missing=missing or [],
        added=added or [],
        rebuilt_ok=rebuilt_ok,
        problems=problems,
    )
