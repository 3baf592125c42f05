"""``phunt review`` as an examiner runs it, on both databases: set, list, propagate after
a preview, export without overwriting, and the local set published and re-screened."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.os_user import os_user
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from review.conftest import Picture, ReviewWorld, build
from review.conftest import pictures as pictures  # the fixture, for this module
from test_lib import run_phunt

#: The command line records the operating-system user (tests/cli/test_actor.py).
ACTOR = os_user()


@pytest.fixture
def world(database: Database, pictures: dict[str, Picture]) -> ReviewWorld:
    return build(database, pictures)


def _phunt(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_phunt("review", *args, "--db", db_url)


def test_review_commands(
    db_url: str, database: Database, world: ReviewWorld, pictures: dict[str, Picture],
    tmp_path: Path,
) -> None:  # fmt: skip
    source = world.files[("A1", "P0")]
    done = _phunt(db_url, "set", str(source), "--category", "1", "--note", "seen twice")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"file {source}: decision 1\n"
    listed = _phunt(db_url, "list", "--device", "EV-A1", "--json")
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["file_id"], row["category_code"], row["decided_by"]) == (
        source,
        1,
        ACTOR,
    )
    unknown = _phunt(db_url, "set", "999999", "--category", "1")
    assert (unknown.returncode, unknown.stderr) == (2, "phunt: error: no stored file 999999\n")
    _phunt(db_url, "set", str(source), "--category", "2")
    changed = _phunt(db_url, "set", str(source), "--category", "1", "--note", "seen twice")
    assert changed.stdout == f"file {source}: decision 3\n"
    shown = _phunt(db_url, "history", str(source), "--json")
    steps = [json.loads(line) for line in shown.stdout.splitlines()]
    assert [(d["id"], d["category_code"], d["previous_id"]) for d in steps] == [
        (1, 1, None),
        (2, 2, 1),
        (3, 1, 2),
    ]
    refused = _phunt(db_url, "propagate", "1")
    assert refused.returncode == 2 and "replaced by 2" in refused.stderr
    refused = _phunt(db_url, "propagate", "3")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "reaches 2 files (1 identical, 1 near copies) on 2 devices in 2 cases" in refused.stdout
    applied = _phunt(db_url, "propagate", "3", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.endswith("2 decisions recorded from decision 3\n")
    case_b = _phunt(db_url, "list", "--case", str(world.case_b), "--json")
    assert [json.loads(x)["propagated_from_id"] for x in case_b.stdout.splitlines()] == [3]

    out = tmp_path / "known-bad.txt"
    assert _phunt(db_url, "export", "--format", "plain", "--out", str(out)).returncode == 0
    assert pictures["P0"].sha256 in out.read_text()
    again = _phunt(db_url, "export", "--format", "plain", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    forced = _phunt(db_url, "export", "--format", "vics", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(out.read_text())["value"][0]["Category"] == 1

    assert _phunt(db_url, "local-set", "Unit review set").returncode == 0
    published = _phunt(db_url, "publish", "--json")
    assert published.returncode == 0, published.stderr
    report = json.loads(published.stdout)
    assert (report["set"]["version"], report["set"]["entries"]) == (1, 2)
    assert report["rescreen"]["files_newly_matched"] == 4  # P0 on A1, A2, X1; P0-near
    with database.session() as s:
        actions = list(s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))
    assert actions[-9:] == [
        "review.decide", "review.decide", "review.decide", "review.propagate",
        "review.export", "review.export", "review.local_set", "hashset.import", "review.rescreen",
    ]  # fmt: skip
