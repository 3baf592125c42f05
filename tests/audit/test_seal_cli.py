"""``phunt audit verify`` names a forged custody event, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import text

from phunt.schema.db import Database
from test_lib import run_phunt


def test_verify_names_a_forged_custody_event(db_url: str) -> None:
    steps = [
        ["device", "add", "--evidence", "EV-1", "--kind", "mobile phone"],
        ["custody", "log", "--device", "EV-1", "--action", "seized", "--by", "SI Devika"],
    ]
    assert run_phunt("init", "--db", db_url).returncode == 0
    for step in steps:
        done = run_phunt(*step, "--db", db_url)
        assert done.returncode == 0, done.stderr
    assert run_phunt("audit", "verify", "--db", db_url).returncode == 0
    db = Database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE custody_event SET action = 'returned' WHERE id = 1"))
    db.close()
    broken = run_phunt("audit", "verify", "--db", db_url)
    assert broken.returncode == 1
    assert (
        "audit log BROKEN at record 2: altered (custody_event row 1 differs from its seal in "
        "record 2)"
    ) in broken.stderr
    found = json.loads(run_phunt("audit", "verify", "--json", "--db", db_url).stdout)
    assert (found["ok"], found["table"], found["row_id"], found["problem"]) == (
        False,
        "custody_event",
        1,
        "altered",
    )
