"""Writing an export: never over a file unless asked, whole or not at all, recorded.

The content goes through :func:`phunt.output_path.output_path`: a temporary file beside
``out``, renamed into place only when complete (so a crash or a full disk never leaves half
an export under the final name), never over an existing file without ``force`` (the
rename is a hard link, which fails if ``out`` appeared meanwhile), never into a missing
folder, and never inside phunt's data folder but for a folder of phunt's own (``own``:
the web's downloads), whichever layer calls it.
``<out>.manifest.json`` states the file's SHA-256 and size, what it covers and the hashes
of what it was made from; it holds no time, so the same database gives the same manifest.
The write is audited in the caller's transaction with both hashes.

(reports-core's ``write_report`` writes HTML and PDF; this is the same contract for data
files, kept separate until the two are merged.)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from phunt import __version__, output_path
from phunt.audit import store as audit
from phunt.exports.store import Selection
from phunt.schema.db import Session

MANIFEST_SUFFIX = ".manifest.json"
OBJECT_TYPES = {"case": "case_file", "device": "device"}


@dataclass(frozen=True)
class Plan:
    """An export ready to write: what it covers, what it is made from, and the function
    that writes its content (returning how many entries it wrote). Writing a plan twice
    gives the same bytes; :mod:`.verify` rebuilds one to compare."""

    kind: str
    selection: Selection
    inputs: dict[str, str]
    write: Callable[[TextIO], int]


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its manifest and the hashes the audit recorded."""

    kind: str
    path: Path
    manifest: Path
    sha256: str
    size: int
    entries: int

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "entries": self.entries,
            "manifest": str(self.manifest),
        }


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + MANIFEST_SUFFIX)


def check_target(out: Path, force: bool, own: Path | None = None) -> None:
    """Stop before any work when ``out`` (or its manifest) may not be written: it exists
    and ``force`` is off, or it lies in phunt's data folder. A missing folder is made, as
    the export services always have (the CLI refuses one before calling them)."""
    for path in (out, manifest_path(out)):
        output_path.check_target(path, force=force, own=own, make_parents=True)


def write_export(
    session: Session,
    out: Path,
    *,
    kind: str,
    selection: Selection,
    inputs: Mapping[str, str],
    write: Callable[[TextIO], int],
    force: bool = False,
    own: Path | None = None,
) -> ExportResult:
    """Write ``out`` with ``write`` (which returns how many entries it wrote), then its
    manifest, then the audit record; see the module for the guarantees."""
    out = Path(os.path.abspath(out))
    check_target(out, force, own)
    entries = 0

    def content(fh: TextIO) -> None:
        nonlocal entries
        entries = write(fh)

    sha256, size = _place(out, content, force, own)
    manifest = {
        "kind": kind,
        "file": out.name,
        "sha256": sha256,
        "size": size,
        "entries": entries,
        "tool": {"name": "phunt", "version": __version__},
        "selection": {"kind": selection.kind, "id": selection.id, "label": selection.label},
        "inputs": dict(sorted(inputs.items())),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"

    def manifest_content(fh: TextIO) -> None:
        fh.write(text)

    manifest_sha, _ = _place(manifest_path(out), manifest_content, force, own)
    result = ExportResult(kind, out, manifest_path(out), sha256, size, entries)
    details = result.as_dict() | {"manifest_sha256": manifest_sha, "inputs": manifest["inputs"]}
    audit.append(session, f"export.{kind}", OBJECT_TYPES[selection.kind], selection.id, details)
    return result


def write_plan(
    session: Session, out: Path, plan: Plan, force: bool, own: Path | None = None
) -> ExportResult:
    """:func:`write_export` of a :class:`Plan`."""
    return write_export(
        session, out, kind=plan.kind, selection=plan.selection, inputs=plan.inputs,
        write=plan.write, force=force, own=own,
    )  # fmt: skip


class _HashSink(io.RawIOBase):
    """A file that only counts and hashes what is written to it."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.size += view.nbytes
        return view.nbytes


def plan_digest(plan: Plan) -> tuple[str, int]:
    """The SHA-256 and size the plan's content has, computed without writing a file
    (encoded exactly as :func:`write_export` writes it)."""
    sink = _HashSink()
    text = io.TextIOWrapper(io.BufferedWriter(sink), encoding="utf-8", newline="")
    plan.write(text)
    text.flush()
    return sink.digest.hexdigest(), sink.size


def _place(
    out: Path, content: Callable[[TextIO], None], force: bool, own: Path | None
) -> tuple[str, int]:
    """Write ``out`` with ``content`` through :func:`phunt.output_path.output_path`
    (private to its owner: it names evidence); its SHA-256 and size."""
    with output_path.output_path(out, force=force, own=own) as temp:
        with open(temp, "w", encoding="utf-8", newline="") as fh:
            content(fh)
        sha256, size = _digest(temp)
    return sha256, size


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
