"""The expert's profile that fills Part B, and the report commands from the shell, on both
databases: ``phunt user profile`` sets only the fields given and audits them;
``phunt report certificate``, ``operation`` and ``takedown`` write what the services do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from phunt.accounts.profile import get_profile, set_profile
from phunt.cli.main import app as cli
from phunt.errors import NotFoundError, UsageError
from phunt.reports.manifest import manifest_path
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from reports_more_world import PROFILE, World, make_world, pdf_text


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def test_profile_fields_are_set_cleared_and_audited(database: Database, world: World) -> None:
    with database.session() as s:
        assert get_profile(s, "examiner").designation == PROFILE["designation"]
        set_profile(s, "examiner", {"designation": "", "email": "lab@example.org"})
    with database.session() as s:
        found = get_profile(s, "examiner")
        assert (found.designation, found.email) == ("", "lab@example.org")
        assert found.full_name == PROFILE["full_name"]  # untouched
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert last is not None and last.action == "user.profile"
        assert last.details == {"fields": {"designation": "", "email": "lab@example.org"}}
        with pytest.raises(UsageError, match="no profile field"):
            set_profile(s, "examiner", {"rank": "x"})
        with pytest.raises(UsageError, match="control character"):
            set_profile(s, "examiner", {"place": "Kochi\x1b[2J"})
        with pytest.raises(UsageError, match="longer than"):
            set_profile(s, "examiner", {"phone": "9" * 41})
        with pytest.raises(NotFoundError):
            get_profile(s, "nobody")


def test_commands(db_url: str, world: World, tmp_path: Path) -> None:
    runner = CliRunner()

    def phunt(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--db", db_url])
        assert result.exit_code == 0, result.output
        return result.output

    phunt("user", "profile", "examiner", "--designation", "Deputy Director", "--place", "Thrissur")
    shown = json.loads(phunt("user", "profile", "examiner", "--json"))
    assert (shown["designation"], shown["place"]) == ("Deputy Director", "Thrissur")
    assert shown["full_name"] == PROFILE["full_name"]

    cert = tmp_path / "cert.pdf"
    out = phunt("report", "certificate", "EV-A/1", "-o", str(cert), "--expert", "examiner",
                "--signed-at", "2026-12-07T14:35")  # fmt: skip
    sha = json.loads(manifest_path(cert).read_bytes())["output_sha256"]
    assert out == f"{cert}: sha256 {sha}\n"
    text = " ".join(pdf_text(cert).split())
    assert (
        "Deputy Director" in text and "Thrissur" in text and "07/12/2026 Time (IST) 14:35" in text
    )

    report = tmp_path / "op.html"
    phunt("report", "operation", "P-Hunt (report tests)", "-o", str(report))
    assert "4 raids at 3 locations" in report.read_text()

    folder = tmp_path / "takedown"
    folder.mkdir()
    out = phunt("report", "takedown", "--case", str(world.case_b), "-o", str(folder))
    assert [line.split(":")[0] for line in out.splitlines()] == [
        str(folder / "takedown.csv"), str(folder / "takedown-whatsapp.pdf")
    ]  # fmt: skip
    refused = runner.invoke(cli, ["report", "takedown", "-o", str(folder), "--db", db_url])
    assert refused.exit_code != 0
