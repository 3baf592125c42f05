"""``phunt chats``, ``phunt people`` and ``phunt graph export`` end to end, on both databases.

The commands are run through ``phunt.cli.main.main`` (one-line errors, exit 2) in a child
process; until the main command registers them, the child registers them first.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from phunt.chats import parse_export, summarise
from phunt.cli.chats import register
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
WIDE = {"COLUMNS": "200"}
RUNNER = """
import sys
from phunt.cli import chats, main
if "chats" not in {group.name for group in main.app.registered_groups}:
    chats.register(main.app)
sys.argv[0] = "phunt"
main.main()
"""


def _phunt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ) | WIDE,
        timeout=300,
    )


def _local(*args: str) -> Result:
    """In-process run for commands that succeed (no child process: several times faster)."""
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_parse_prints_the_summary_without_a_database(tmp_path: Path) -> None:
    export = DEVICES / "phone_b" / "msgstore.db"
    done = _phunt("chats", "parse", str(export), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(summarise(parse_export(export))))
    table = _phunt("chats", "parse", str(export))
    assert "Riverside Book Club" in table.stdout
    assert not (tmp_path / "phunt-home").exists()


def test_corrupt_export_is_one_line_and_exit_2() -> None:
    done = _phunt("chats", "parse", str(DEVICES / "corrupt" / "msgstore.db"), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("phunt: error: ") and "msgstore.db" in line


@pytest.mark.slow
def test_import_groups_members_messages_people_graph(db_url: str, tmp_path: Path) -> None:
    from phunt.cases.devices import add_device
    from phunt.chats.store import import_export
    from phunt.hashsets.store import import_hash_list
    from phunt.schema.db import Database

    known = tmp_path / "known.txt"
    known.write_text(hashlib.sha256(PICTURE.read_bytes()).hexdigest() + "\n")
    database = Database(db_url)
    with database.session() as s:
        add_device(s, "PH-A", "mobile phone")
        add_device(s, "PH-B", "mobile phone")
        import_hash_list(s, str(known), name="unit")
    with database.session() as s:  # the other phone through the library; the CLI does one
        import_export(s, DEVICES / "phone_b" / "msgstore.db", "PH-B", owner_phone="+919800000002")
    database.close()
    db = ("--db", db_url)
    watch = tmp_path / "watch.txt"
    watch.write_text("# neutral test term\nsaturday\n")
    a = _phunt(
        "chats", "import", str(DEVICES / "phone_a" / "msgstore.db"), "--device", "PH-A",
        "--owner-phone", "+919800000001", "--watchlist", str(watch), "--json", *db,
    )  # fmt: skip
    assert a.returncode == 0, a.stderr
    assert (json.loads(a.stdout)["matched_attachments"], json.loads(a.stdout)["keyword_hits"]) == (
        1,
        1,
    )
    [merged] = _jsonl(_local("chats", "groups", "--merged", "--json", *db).stdout)
    assert merged["devices"] == ["PH-A", "PH-B"] and len(merged["members"]) == 4
    on_a = max(merged["chats"])  # phone B was stored first

    members = _jsonl(_local("chats", "members", str(on_a), "--json", *db).stdout)
    owner = next(m for m in members if m["owner"])
    assert owner["phone"] == "+919800000001"
    assert {r["role"] for r in owner["roles"]} == {"creator", "admin", "member"}

    table = _local("chats", "members", str(on_a), *db)
    assert "creator (row 1 of message)" in table.stdout  # evidence is text, not Rich markup

    flagged = _local("chats", "messages", str(on_a), "--flagged", "--json", *db)
    assert [(m["known_bad"], m["keywords"]) for m in _jsonl(flagged.stdout)] == [
        (True, []),
        (False, ["saturday"]),
    ]
    assert _jsonl(flagged.stdout)[0]["time"] == "2026-01-10T13:03:00+05:30"  # the unit's zone

    people = _jsonl(_local("people", "--json", *db).stdout)
    assert people[0]["person"] == "phone:+919800000002"
    assert set(people[0]) >= {
        "person", "names", "phones", "usernames", "platform_ids", "devices", "groups",
        "admin_of", "known_bad_sent", "score", "links",
    }  # fmt: skip
    assert people[0]["devices"] == ["PH-A", "PH-B"] and people[0]["known_bad_sent"] == 1

    out = tmp_path / "net.gexf"
    graph = _local("graph", "export", str(out), "--format", "gexf", "--json", *db)
    assert json.loads(graph.stdout)["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, initialised_home: Path) -> None:
    db = ("--home", str(initialised_home))
    missing = _phunt("chats", "members", "999", *db)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == ["phunt: error: no chat 999"]
    bad = _phunt("graph", "export", str(tmp_path / "x"), "--format", "dot", *db)
    assert bad.returncode == 2 and "unknown graph format" in bad.stderr
