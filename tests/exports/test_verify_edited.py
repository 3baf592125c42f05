"""``phunt export verify`` on an edited manifest: one line naming the file and the key,
exit 1 or 2, never a traceback (on both databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phunt.exports.manifest import manifest_path
from phunt.exports.matches_csv import export_matches
from phunt.schema.db import Database
from test_lib import run_phunt

from .conftest import ExportWorld


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("sha256", None, "manifest key 'sha256' is missing or not text"),
        ("sha256", 12, "manifest key 'sha256' is missing or not text"),
        ("selection.id", None, "manifest key 'selection.id' is missing or not a number"),
        ("selection.id", "seven", "manifest key 'selection.id' is missing or not a number"),
        ("inputs", ["a"], "manifest key 'inputs' is not an object of hashes"),
    ],
)
def test_an_edited_manifest_names_the_key(
    database: Database,
    export_world: ExportWorld,
    db_url: str,
    tmp_path: Path,
    key: str,
    value: object,
    expected: str,
) -> None:
    out = tmp_path / "a.csv"
    with database.session() as s:
        export_matches(s, out, case_id=export_world.world.case_a)
    where = manifest_path(out)
    data = json.loads(where.read_bytes())
    holder, name = (data["selection"], "id") if key == "selection.id" else (data, key)
    if value is None:
        del holder[name]
    else:
        holder[name] = value
    where.write_text(json.dumps(data))
    done = run_phunt("export", "verify", str(out), "--db", db_url)
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    assert str(where) in done.stderr
