"""The case commands end to end on both databases, through ``--db`` and ``--json``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from phunt.cli.main import app
from phunt.errors import UsageError
from phunt.schema.db import head_revision


def _run(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--db", db_url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_full_flow(db_url: str) -> None:
    assert f"schema {head_revision()}" in _run(db_url, "init")
    op = json.loads(_run(db_url, "operation", "create", "P-Hunt", "--json"))
    assert op["name"] == "P-Hunt"
    raid = json.loads(
        _run(
            db_url,
            "raid",
            "add",
            "--operation",
            "P-Hunt",
            "--district",
            "Thrissur",
            "--location",
            "Round North",
            "--team-lead",
            "SI Devika",
            "--at",
            "2026-11-28T06:30",
            "--json",
        )
    )
    assert raid["raided_at"] == "2026-11-28T06:30:00+05:30"
    case = json.loads(
        _run(
            db_url,
            "case",
            "open",
            "--number",
            "CR 9/2026",
            "--station",
            "Cyber PS Thrissur",
            "--district",
            "Thrissur",
            "--statute",
            "IT Act s.67B,POCSO s.15",
            "--operation",
            "1",
            "--raid",
            str(raid["id"]),
            "--json",
        )
    )
    assert case["statutes"] == ["IT Act s.67B", "POCSO s.15"]
    suspect = json.loads(
        _run(
            db_url,
            "suspect",
            "add",
            "--case",
            str(case["id"]),
            "--name",
            "Vinod Example",
            "--phone",
            "9847000002",
            "--json",
        )
    )
    assert suspect["phones"] == ["+919847000002"]
    _run(db_url, "suspect", "arrest", str(suspect["id"]), "--at", "2026-11-28T09:00")
    _run(
        db_url,
        "device",
        "add",
        "--evidence",
        "EV-9/1",
        "--kind",
        "mobile phone",
        "--case",
        str(case["id"]),
        "--imei",
        "356938035643809",
    )
    _run(
        db_url,
        "custody",
        "log",
        "--device",
        "EV-9/1",
        "--action",
        "seized",
        "--by",
        "SI Devika",
        "--at",
        "2026-11-28T07:00",
    )
    custody = _lines(_run(db_url, "custody", "show", "EV-9/1", "--json"))
    assert [c["action"] for c in custody] == ["seized"]
    assert custody[0]["at"] == "2026-11-28T07:00:00+05:30"
    # Named as `custody log` names it, too; not both ways at once, nor neither.
    assert _lines(_run(db_url, "custody", "show", "--device", "EV-9/1", "--json")) == custody
    for twice_or_none in (["EV-9/1", "--device", "EV-9/1"], []):
        refused = CliRunner().invoke(app, ["custody", "show", *twice_or_none, "--db", db_url])
        assert isinstance(refused.exception, UsageError)
        assert "name the device once" in str(refused.exception)

    for listing, count in [
        ("operation", 1),
        ("raid", 1),
        ("case", 1),
        ("suspect", 1),
        ("device", 1),
        ("district", 14),
    ]:
        assert len(_lines(_run(db_url, listing, "list", "--json"))) == count
    stats = json.loads(_run(db_url, "stats", "--operation", "P-Hunt", "--by", "district", "--json"))
    assert stats["total"] == {
        "district": "Total",
        "raids": 1,
        "cases": 1,
        "arrests": 1,
        "devices": 1,
    }
    thrissur = next(r for r in stats["rows"] if r["district"] == "Thrissur")
    assert thrissur["arrests"] == 1
    assert "Thrissur" in _run(db_url, "stats")

    verdict = json.loads(_run(db_url, "audit", "verify", "--json"))
    assert verdict["ok"] and verdict["records"] == 7
    log = _lines(_run(db_url, "audit", "log", "--json"))
    assert [r["action"] for r in log][:2] == ["operation.create", "raid.add"]
    assert len(_lines(_run(db_url, "audit", "log", "--json", "--limit", "2"))) == 2
