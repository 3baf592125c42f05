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
from phunt.reports.manifest import Built, Manifest, read_manifest
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror}", path=str(path)) from None
    problems: list[str] = []
    file_ok = hashlib.sha256(data).hexdigest() == manifest.output_sha256
    if not file_ok:
        problems.append("the file's SHA-256 is not the one its manifest records: it was altered")
    writes = report_writes(session, manifest.output_sha256)
    written = writes[-1].seq if writes else None
    if written is None:
        problems.append("the audit chain holds no record of writing a file with this SHA-256")
    elif writes[-1].details.get("manifest_sha256") != manifest.sha256:
        problems.append(f"the manifest differs from the one audit record {written} recorded")
    try:
        built = builder(manifest.kind)(session, manifest.options)
    except PhuntError as exc:
        problems.append(f"the report cannot be rebuilt from the database: {exc}")
        return _result(path, manifest, file_ok, written, problems)
    changed, missing, added = _compare(manifest, built)
    problems += [f"input changed since the report: {name}" for name in changed]
    problems += [f"input no longer in the database: {name}" for name in missing]
    problems += [f"input new in the database: {name}" for name in added]
    rebuilt = built.html if manifest.media == "html" else html_to_pdf(built.html, built.inputs)
    rebuilt_ok = hashlib.sha256(rebuilt).hexdigest() == manifest.output_sha256
    if not rebuilt_ok and not (changed or missing or added):
        then, now = manifest.tool, tool()
        problems.append(f"the same inputs render to other bytes (made with {then}, now {now})")
    elif not rebuilt_ok:
        problems.append("rebuilt from today's database, the report has other bytes")
    return _result(path, manifest, file_ok, written, problems, changed, missing, added, rebuilt_ok)


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
