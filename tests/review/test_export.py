"""Export of decisions as VICS 2.0 and as a plain list; re-imported, the categories return."""

from __future__ import annotations

from pathlib import Path

import pytest

from phunt.errors import UsageError
from phunt.hashsets.categories import Category
from phunt.hashsets.store import entries_of, import_hash_list
from phunt.review.decisions import Choice, decide
from phunt.review.export import export_decisions
from phunt.schema.db import Database

from .conftest import Picture, ReviewWorld


def test_vics_round_trip(
    database: Database, world: ReviewWorld, pictures: dict[str, Picture], tmp_path: Path
) -> None:
    f = world.files
    out = tmp_path / "decisions.json"
    with database.session() as s:
        decide(s, [f[("A1", "P0")]], Choice(1))
        decide(s, [f[("A1", "P1")]], Choice(3))
        decide(s, [f[("A1", "P2")]], Choice(0, note="a plate of food"))
        decide(s, [f[("B1", "P0-near")]], Choice(label="unit: compare later"))
        details = export_decisions(s, str(out), fmt="vics")
        assert details["entries"] == 3
        assert "PhuntDecidedBy" not in out.read_text()  # names stay at home
        with pytest.raises(UsageError, match="--force"):
            export_decisions(s, str(out), fmt="vics")
        import_hash_list(s, str(out), name="Re-imported")
        back = {e.hashes["sha256"]: e.category for _n, e in entries_of(s, "Re-imported")}
    assert back == {
        pictures["P0"].sha256: Category(1, "vics-us-2.0"),
        pictures["P1"].sha256: Category(3, "vics-us-2.0"),
        pictures["P2"].sha256: Category(0, "vics-us-2.0"),
    }


def test_plain_list_and_scope(
    database: Database, world: ReviewWorld, pictures: dict[str, Picture], tmp_path: Path
) -> None:
    f = world.files
    out = tmp_path / "known-bad.txt"
    with database.session() as s:
        decide(s, [f[("A1", "P0")]], Choice(1))
        decide(s, [f[("A1", "P2")]], Choice(0))
        decide(s, [f[("B1", "P1")]], Choice(2))
        export_decisions(s, str(out), fmt="plain", scope={world.case_a})
        lines = [line for line in out.read_text().splitlines() if not line.startswith("#")]
        assert lines == [pictures["P0"].sha256]
        export_decisions(s, str(out), fmt="plain", force=True)
        import_hash_list(s, str(out), name="Plain back")
        back = {e.hashes["sha256"] for _n, e in entries_of(s, "Plain back")}
        assert back == {pictures["P0"].sha256, pictures["P1"].sha256}
        with pytest.raises(UsageError, match="unknown export format"):
            export_decisions(s, str(tmp_path / "x"), fmt="csv")
