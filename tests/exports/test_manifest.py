"""Writing an export: whole or not at all, never over a file that appeared meanwhile, and
a file name's undecodable bytes written as escapes instead of failing the export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import pytest
from sqlalchemy import select

from phunt.errors import UsageError
from phunt.exports.ids import clean, stable_uuid
from phunt.exports.manifest import write_export
from phunt.exports.store import Selection
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database

SELECTION = Selection("device", 7, "EV-7", None, (7,))


def test_a_failed_write_leaves_nothing(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"

    def broken(fh: TextIO) -> int:
        fh.write("half a file")
        raise OSError("disk full")

    with database.session() as s, pytest.raises(OSError, match="disk full"):
        write_export(s, out, kind="t", selection=SELECTION, inputs={}, write=broken)
    assert not out.exists() and not list(tmp_path.glob(".x.csv*"))
    with database.session() as s:
        assert s.scalars(select(AuditRecord).where(AuditRecord.action == "export.t")).all() == []


def test_a_file_that_appears_meanwhile_is_kept(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"

    def racing(fh: TextIO) -> int:
        out.write_text("someone else's\n")  # appears after the check, before the rename
        fh.write("mine\n")
        return 1

    with database.session() as s, pytest.raises(UsageError, match="--force"):
        write_export(s, out, kind="t", selection=SELECTION, inputs={}, write=racing)
    assert out.read_text() == "someone else's\n"
    assert not list(tmp_path.glob(".x.csv*"))


def test_manifest_names_the_inputs(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"

    def one(fh: TextIO) -> int:
        fh.write("a\n")
        return 1

    with database.session() as s:
        result = write_export(
            s, out, kind="t", selection=SELECTION, inputs={"job:2": "b" * 64, "job:1": "a" * 64},
            write=one,
        )  # fmt: skip
    assert (out.stat().st_mode & 0o777, result.manifest.stat().st_mode & 0o777) == (0o600, 0o600)
    manifest = json.loads(result.manifest.read_text())
    assert manifest == {
        "kind": "t",
        "file": "x.csv",
        "sha256": "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7",
        "size": 2,
        "entries": 1,
        "tool": manifest["tool"],
        "selection": {"kind": "device", "id": 7, "label": "EV-7"},
        "inputs": {"job:1": "a" * 64, "job:2": "b" * 64},
    }
    assert manifest["tool"]["name"] == "phunt"


def test_clean_text_and_stable_ids() -> None:
    raw = b"DCIM/\xff\xfeimg.jpg".decode("utf-8", "surrogateescape")
    assert clean(raw) == "DCIM/\\xff\\xfeimg.jpg"
    assert clean("\ud800x") == "\\ud800x"
    assert clean("ഫോട്ടോ.jpg") == "ഫോട്ടോ.jpg"
    assert stable_uuid("device", "EV-1") == stable_uuid("device", "EV-1")
    assert stable_uuid("device", "EV-1") != stable_uuid("device", "EV-2")
    # pinned: the namespace never changes, so ids of past exports stay the same
    assert stable_uuid("device", "EV-1") == "10bba546-3051-507a-9d6d-d7f4bd2ba8d5"
