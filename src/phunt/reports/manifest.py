"""The manifest written beside every report: what it was made from and what came out.

The manifest holds no wall-clock time and no absolute path, so writing the same report
twice gives the same manifest too; ``inputs`` maps each named input (a section of facts,
one matched file) to the SHA-256 of its canonical JSON, which is what ``verify`` compares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from phunt.errors import InputError

FORMAT = "phunt-report-manifest/1"
SUFFIX = ".manifest.json"


def canonical_json(value: object) -> bytes:
    """The bytes an input's hash covers: sorted keys, no spaces, UTF-8, times as ISO text."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode()


def digest(value: object) -> str:
    """SHA-256 of ``value``'s canonical JSON: anyone can recompute it with any JSON library."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def inputs_digest(inputs: dict[str, str]) -> str:
    """One SHA-256 over all the inputs' hashes: seeds the PDF's identifier and dates."""
    return digest(dict(sorted(inputs.items())))


def manifest_path(out: Path) -> Path:
    """``report.pdf`` -> ``report.pdf.manifest.json``, in the same folder."""
    return out.with_name(out.name + SUFFIX)


@dataclass(frozen=True)
class Manifest:
    """What a report was made from (``inputs``, ``options``) and its output's SHA-256."""

    kind: str
    output: str  # the report's file name, without its folder: the pair can be moved
    media: str  # "html" or "pdf"
    output_sha256: str
    output_bytes: int
    html_sha256: str
    inputs: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    tool: dict[str, str] = field(default_factory=dict)
    format: str = FORMAT

    def to_json(self) -> bytes:
        """Indented, sorted JSON: readable by a defence expert, stable byte for byte."""
        text = json.dumps(asdict(self), sort_keys=True, indent=2, ensure_ascii=False)
        return (text + "\n").encode()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_json()).hexdigest()


def read_manifest(report: Path) -> Manifest:
    """The manifest beside ``report``; :class:`InputError` when missing or not one."""
    path = manifest_path(report)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError("no manifest beside the report", path=str(path)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable manifest: {exc}", path=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} manifest", path=str(path))
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise InputError(f"unexpected manifest fields: {exc}", path=str(path)) from None


@dataclass(frozen=True)
class Built:
    """A report rebuilt from the database: its HTML, its inputs' hashes and their labels,
    and the options that rebuild it again. Each kind's module has
    ``build(session, options) -> Built`` (``device.py``, ``case.py``, ...)."""

    html: bytes
    inputs: dict[str, str]
    labels: dict[str, str]
    options: dict[str, Any]
