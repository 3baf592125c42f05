"""``phunt report verify`` on an edited manifest: one line naming the problem, exit 1 or 2,
never a traceback (on both databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phunt.reports.manifest import manifest_path
from phunt.schema.db import Database
from test_lib import run_phunt

from .conftest import ReportWorld
from .reading import write


@pytest.mark.parametrize(
    ("edit", "expected", "code"),
    [
        ({"options": None}, "cannot be rebuilt from its manifest's options", 1),
        ({"options": {"device_id": "seven"}}, "cannot be rebuilt from its manifest's options", 1),
        ({"options": "device 7"}, "manifest field 'options' is not a JSON object", 2),
        ({"output_sha256": 7}, "manifest field 'output_sha256' is not text", 2),
    ],
)
def test_an_edited_manifest_is_a_problem_not_a_traceback(
    database: Database,
    world: ReportWorld,
    db_url: str,
    tmp_path: Path,
    edit: dict[str, object],
    expected: str,
    code: int,
) -> None:
    out = tmp_path / "device.html"
    write(database, "device", {"device_id": world.phone}, out)
    where = manifest_path(out)
    data = json.loads(where.read_bytes())
    for key, value in edit.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    where.write_text(json.dumps(data))
    done = run_phunt("report", "verify", str(out), "--db", db_url)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    if code == 2:
        assert str(where) in done.stderr
