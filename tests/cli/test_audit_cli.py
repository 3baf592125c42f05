"""``phunt audit verify`` fails loudly on a tampered log, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import text

from phunt.schema.db import Database
from test_lib import run_phunt


def test_verify_exit_status(db_url: str) -> None:
    for name in ["Op A", "Op B", "Op C"]:
        assert run_phunt("operation", "create", name, "--db", db_url).returncode == 0
    ok = run_phunt("audit", "verify", "--db", db_url)
    assert ok.returncode == 0 and "intact: 3 records" in ok.stdout

    db = Database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_record SET details = :d WHERE seq = 2"), {"d": '{"x": 1}'})
    db.close()

    broken = run_phunt("audit", "verify", "--db", db_url)
    assert broken.returncode == 1
    assert "BROKEN at record 2: altered" in broken.stderr
    as_json = run_phunt("audit", "verify", "--json", "--db", db_url)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["first_bad"] == 2
