"""Issue 21 end to end, on both databases: tipline reports imported, resolved to a target,
a raid planned and its outcome recorded, the seized phone ingested, and the same
corroboration counts on the command line, in the API and in the case report.

The phone holds three of the four files lead 1 reported: one by MD5, one by SHA-1, and
one re-saved smaller as a JPEG of another quality, so that only its PDQ hash finds it
(at a distance above 0). Lead 2 (the same account, so linked) reports one file on the
phone and one on no device. Lead 1's phone is a member of a chat on the phone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from starlette.testclient import TestClient
from typer.testing import CliRunner

from phunt.accounts import store as accounts
from phunt.cases.operations import create_operation
from phunt.cli.main import app as cli
from phunt.config import Settings
from phunt.demo import make_device_folder
from phunt.hashing.pdq import hash_image_file
from phunt.ingest.job import ingest
from phunt.leads.corroboration_leads import corroborate_lead
from phunt.leads.raids import SeizedDevice, plan_raid, record_outcome
from phunt.leads.store import import_leads, list_leads
from phunt.leads.targets import resolve_lead
from phunt.schema.db import Database
from phunt.web.app import create_app

PHONE = "+91 98000 12345"
COLUMNS = ["Report", "Time", "Account", "Phone", "File", "MD5", "SHA-1", "PDQ"]
MAPPING = {
    "columns": {
        "report_id": "Report",
        "incident_time": "Time",
        "account": "Account",
        "phone": "Phone",
        "file_name": "File",
        "md5": "MD5",
        "sha1": "SHA-1",
        "pdq": "PDQ",
    },
    "zone": "Asia/Kolkata",
    "time_format": "",
}


def _digest(path: Path, name: str) -> str:
    return hashlib.new(name, path.read_bytes()).hexdigest()


def _reencode(path: Path) -> None:
    """The picture re-saved smaller at another JPEG quality: new bytes, same picture."""
    with Image.open(path) as img:
        smaller = img.resize((img.width * 4 // 5, img.height * 4 // 5))
    smaller.save(path, "JPEG", quality=55)


def _evidence(root: Path) -> tuple[Path, list[dict[str, str]]]:
    """The seized phone's folder, and the rows of the tipline spreadsheet."""
    folder = root / "seized"
    pics = make_device_folder(folder, seed=21, pictures=4)
    elsewhere = make_device_folder(root / "elsewhere", seed=22, pictures=1)[0]
    original_pdq = hash_image_file(str(pics[2])).hash.hex
    row = dict.fromkeys(COLUMNS, "") | {"Time": "2026-11-02T19:35:00"}
    first = row | {"Report": "TIP-1", "Account": "@blue_kettle", "Phone": PHONE}
    second = row | {"Report": "TIP-2", "Account": "blue_kettle", "Time": "2026-11-03T08:00:00"}
    rows = [
        first | {"File": "a.jpg", "MD5": _digest(pics[0], "md5")},
        first | {"File": "b.jpg", "SHA-1": _digest(pics[1], "sha1")},
        first | {"File": "c.jpg", "MD5": _digest(pics[2], "md5"), "PDQ": original_pdq},
        first | {"File": "d.jpg", "MD5": _digest(elsewhere, "md5")},
        second | {"File": "e.jpg", "SHA-1": _digest(pics[3], "sha1")},
        second | {"File": "f.jpg", "SHA-1": hashlib.sha1(b"on no device").hexdigest()},
    ]
    _reencode(pics[2])
    chat = [
        '02/11/2026, 18:00 - Devi Example created group "Tea Stall"',
        f"02/11/2026, 18:00 - Devi Example added {PHONE}",
        f"02/11/2026, 18:05 - {PHONE}: rice and tea at ten",
    ]
    (folder / "WhatsApp Chat with Tea Stall.txt").write_text("\n".join(chat) + "\n")
    return folder, rows


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _cli(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", db_url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reports_to_corroboration_on_the_cli_the_api_and_the_case_report(
    database: Database, tmp_path: Path
) -> None:
    folder, rows = _evidence(tmp_path)
    sheet = _sheet(tmp_path / "tips.csv", rows)
    with database.session() as s:
        operation = create_operation(s, "P-Hunt (leads)", "synthetic data only").id
        summary = import_leads(s, sheet, "NCRB tips", mapping=MAPPING)
        assert (summary.new_leads, summary.new_files) == (2, 6) and summary.links >= 1
        lead_1, lead_2 = (lead.id for lead in list_leads(s, None))
        target = resolve_lead(
            s, lead_1, None, name="Target One", address="House 7, Example Lane",
            district="Palakkad", phones=[PHONE], subscriber_details="prepaid, since 2024",
            subscriber_source="Example Mobile (nodal officer)",
        ).id  # fmt: skip
        resolve_lead(s, lead_2, None, target_id=target)
        plan = plan_raid(
            s, operation, target, team_lead="SI Example",
            planned_for=datetime(2026, 12, 1, 0, 30, tzinfo=UTC),
        ).id  # fmt: skip
        case = record_outcome(
            s, plan, raided_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC), case_number="CR 55/2026",
            station="Cyber PS Palakkad", statutes=["IT Act s.67B"], target_arrested=True,
            devices=[SeizedDevice("EV-L/1", "mobile phone")],
        ).case_id  # fmt: skip
        assert case is not None
        assert corroborate_lead(s, lead_1, None).tally.reported == 4  # nothing ingested yet:
        assert corroborate_lead(s, lead_1, None).tally.found == 0  # nothing found
    ingest(database, str(folder), "EV-L/1", workers=1)

    with database.session() as s:
        one = corroborate_lead(s, lead_1, None)
        by = {f.name: (f.by, f.distance) for f in one.found}
        seen = [(x.by, x.value, x.chat_title) for x in one.sightings]
    assert set(by) == {"a.jpg", "b.jpg", "c.jpg"}
    assert by["a.jpg"] == ("md5", 0) and by["b.jpg"] == ("sha1", 0)
    assert by["c.jpg"][0] == "pdq" and by["c.jpg"][1] > 0  # the re-encoded near copy
    assert seen == [("phone", "+919800012345", "Tea Stall")]

    shown = _cli(database.url, "leads", "show", str(lead_1))
    assert "corroborated: 3 of 4 reported files found" in shown

    with database.session() as s:
        accounts.add_user(s, "sup", "supervisor", "sup-correct-horse-battery")
        token = accounts.new_token(s, "sup")
    settings = Settings(home=tmp_path / "home", database_url=database.url, timezone=ZoneInfo("UTC"))
    web = create_app(settings)
    try:
        api = TestClient(web, headers={"Authorization": f"Bearer {token}"})
        lead = api.get(f"/api/v1/leads/{lead_1}").json()
        assert lead["corroboration"]["text"] == "corroborated: 3 of 4 reported files found"
        assert [f["found"][0]["by"] for f in lead["files"] if f["found"]] == ["md5", "sha1", "pdq"]
        assert lead["seen_in_chats"][0]["chat_title"] == "Tea Stall"
        assert lead["links"] == [{"lead_id": lead_2, "reason": "account", "value": "blue_kettle"}]
        second = api.get(f"/api/v1/leads/{lead_2}").json()["corroboration"]
        assert (second["found"], second["reported"]) == (1, 2)
        for path in (f"/api/v1/targets/{target}", f"/api/v1/cases/{case}/leads"):
            got = api.get(path).json()["corroboration"]
            assert got["text"] == "corroborated: 4 of 6 reported files found", path
    finally:
        web.state.database.close()

    out = tmp_path / "case.html"
    _cli(database.url, "report", "case", str(case), "--out", str(out))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text()))
    assert "Corroborated: 4 of 6 reported files found." in text
    assert "corroborated: 3 of 4 reported files found" in text
    assert "corroborated: 1 of 2 reported files found" in text
    assert re.search(r"Found on EV-L/1 [^()]+ \(by PDQ, distance [1-9]\d*\)", text)
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text())
    assert "leads" in manifest["inputs"]
