"""The CSV of matches: one row per match with its file, list and decision; a file name
that is a formula stays text in a spreadsheet; a case or a device, never both."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from phunt.errors import NotFoundError, UsageError
from phunt.exports.matches_csv import COLUMNS, export_matches
from phunt.schema.db import Database

from .conftest import FORMULA, ExportWorld


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def test_case_matches(database: Database, export_world: ExportWorld, tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    with database.session() as s:
        result = export_matches(s, out, case_id=export_world.world.case_a)
    rows = _read(out)
    assert result.entries == len(rows) == 5
    assert [(r["path"], r["hash_set"], r["kind"]) for r in rows] == [
        ("/DCIM/known.jpg", "unit", "sha1"),
        ("/DCIM/known.jpg", "other", "md5"),
        ("/DCIM/resized.JPG", "unit", "pdq"),
        ('<script>alert("x")</script>.jpg', "unit", "pdq"),
        ("'" + FORMULA, "other", "md5"),  # a formula is written as text
    ]
    known = rows[0]
    assert (known["device"], known["md5"], known["sha256"], known["category"]) == (
        "EV-A", "d" * 32, "c" * 64, "1",
    )  # fmt: skip
    assert known["category_label"] == "Child Abuse Material (CAM) (vics-us-2.0 1)"
    near = rows[2]
    assert (near["distance"], near["threshold"], near["quality"]) == ("12", "31", "90")
    assert (near["decision_id"], near["decision_category"]) == (str(export_world.decision), "2")
    assert near["decided_at_utc"].endswith("Z")
    assert rows[4]["category_label"] == "Non-pertinent (dhs-legacy 5)"
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["kind"] == "matches-csv"


def test_device_selection_and_refusals(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    world = export_world.world
    with database.session() as s:
        result = export_matches(s, tmp_path / "b.csv", device="EV-B")
        assert result.entries == 1
        assert [r["path"] for r in _read(tmp_path / "b.csv")] == ["/copy.jpg"]
        with pytest.raises(UsageError, match="either a case or a device"):
            export_matches(s, tmp_path / "x.csv", case_id=world.case_a, device="EV-B")
        with pytest.raises(UsageError, match="either a case or a device"):
            export_matches(s, tmp_path / "x.csv")
        with pytest.raises(NotFoundError, match="no device 'EV-B'"):
            export_matches(s, tmp_path / "x.csv", device="EV-B", scope=frozenset({world.case_a}))
        with pytest.raises(NotFoundError):
            export_matches(s, tmp_path / "x.csv", device="EV-X", scope=frozenset({world.case_a}))
        with pytest.raises(UsageError, match="--force"):
            export_matches(s, tmp_path / "b.csv", device=str(world.dev_b))
        empty = export_matches(s, tmp_path / "x.csv", device="EV-X")
    assert empty.entries == 0
    assert (tmp_path / "x.csv").read_text() == ",".join(COLUMNS) + "\n"
