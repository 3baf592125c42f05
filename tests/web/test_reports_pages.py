"""Reports and exports from the device, case and operation pages, on both databases:
the link and forms for the roles that write reports, each output a download (attachment,
never cached) that equals what the services write, kept with its manifest and audited as
the signed-in user; another case's device answers as an unknown one; a report kind is
found by its module's name."""

from __future__ import annotations

import csv
import hashlib
import importlib.machinery
import io
import json
import re
import sys
import types
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from exports.uco_check import assert_conforms
from phunt import output_path
from phunt.errors import UsageError
from phunt.reports.manifest import Built, digest
from phunt.review.decisions import Choice, decide
from phunt.schema.audit import AuditRecord
from phunt.schema.ingest import EvidenceFile, FileMatch
from phunt.web import bundle
from phunt.web.pages import reports

from .conftest import World

UNKNOWN = 10**6


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, url: str, **form: str) -> Any:
    return client.post(url, data={**form, "csrf_token": _csrf(client, "/dashboard")})


def _audited(world: World, action: str) -> list[AuditRecord]:
    with world.database.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def _kept(world: World, suffix: str) -> Path:
    (found,) = (world.settings.home / "reports" / "web").glob(f"*.{suffix}")
    return found


def test_links_and_forms_follow_the_role(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    investigator, analyst = client_for("investigator"), client_for("analyst")
    for page, target in (
        (f"/devices/{web_world.device_a}", f"/devices/{web_world.device_a}/reports"),
        (f"/cases/{web_world.case_a}", f"/cases/{web_world.case_a}/reports"),
        (f"/operations/{web_world.operation_id}", f"/operations/{web_world.operation_id}/reports"),
    ):
        assert f'href="{target}"' in investigator.get(page).text
        assert f'href="{target}"' not in analyst.get(page).text
    listed = investigator.get(f"/devices/{web_world.device_a}/reports").text
    names = re.findall(r'name="output" value="([^"]+)"', listed)
    assert names == [o.name for o in reports.offered("device")]
    assert {"case-uco", "matches"} <= set(names)
    refused = analyst.get(f"/devices/{web_world.device_a}/reports")
    assert refused.status_code == 200 and 'id="reports-refused"' in refused.text
    assert 'name="output"' not in refused.text


def test_matches_csv_download(web_world: World, client_for: Callable[[str], TestClient]) -> None:
    client = client_for("investigator")
    url = f"/devices/{web_world.device_a}/reports"
    got = _post(client, url, output="matches", format="csv")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["content-disposition"] == (
        f'attachment; filename="device-{web_world.device_a}-matches.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(got.text)))
    with web_world.database.session() as s:
        count = s.scalar(
            select(func.count())
            .select_from(FileMatch)
            .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
            .where(EvidenceFile.device_id == web_world.device_a)
        )
    assert len(rows) == count == 2
    assert {r["device"] for r in rows} == {"EV-A/1"}
    kept = _kept(web_world, "csv")
    assert kept.read_bytes() == got.content
    manifest = json.loads(Path(f"{kept}.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(got.content).hexdigest()
    (record,) = _audited(web_world, "export.matches-csv")
    assert (record.actor, record.details["sha256"]) == ("investigator", manifest["sha256"])


def test_vics_and_case_uco_downloads(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    with web_world.database.session() as s:
        decide(s, [web_world.matched_file_a], Choice(1))
    client = client_for("supervisor")
    vics = _post(client, f"/cases/{web_world.case_a}/reports", output="vics", format="json")
    assert vics.status_code == 200 and vics.headers["content-type"] == "application/json"
    (case,) = vics.json()["value"]
    assert case["CaseNumber"] == "CR 101/2026"
    assert [(m["Category"], m["PhuntCategorySource"]) for m in case["Media"]] == [(1, "review")]
    uco = _post(client, f"/devices/{web_world.device_a}/reports", output="case-uco",
                format="jsonld")  # fmt: skip
    assert uco.headers["content-type"] == "application/ld+json"
    graph = uco.json()["@graph"]
    devices = [n for n in graph if n["@type"] == "uco-observable:MobileDevice"]
    assert [d["uco-core:name"] for d in devices] == ["EV-A/1"]
    assert_conforms(_kept(web_world, "jsonld"))
    assert [r.actor for r in _audited(web_world, "export.case-uco")] == ["supervisor"]


def test_refusals(web_world: World, client_for: Callable[[str], TestClient]) -> None:
    investigator = client_for("investigator")
    other = _post(investigator, f"/devices/{web_world.device_b}/reports", output="matches",
                  format="csv")  # fmt: skip
    unknown = _post(investigator, f"/devices/{UNKNOWN}/reports", output="matches", format="csv")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    assert investigator.get(f"/cases/{web_world.case_b}/reports").status_code == 404
    wrong = _post(investigator, f"/devices/{web_world.device_a}/reports", output="matches",
                  format="pdf")  # fmt: skip
    assert wrong.status_code == 400 and "Matches (CSV) is written as csv" in wrong.text
    nothing = _post(investigator, f"/devices/{web_world.device_a}/reports")
    assert nothing.status_code == 400 and "choose what to write" in nothing.text
    analyst = _post(client_for("analyst"), f"/devices/{web_world.device_a}/reports",
                    output="matches", format="csv")  # fmt: skip
    assert analyst.status_code == 403
    forged = investigator.post(f"/devices/{web_world.device_a}/reports",
                               data={"output": "matches", "format": "csv"})  # fmt: skip
    assert forged.status_code == 403
    assert not (web_world.settings.home / "reports" / "web").exists()


def _probe_build(session: Any, options: Mapping[str, Any]) -> Built:
    html = f"<!doctype html><title>probe</title><p>device {options['device_id']}</p>".encode()
    inputs = {f"device:{options['device_id']}": digest(dict(options))}
    return Built(html, inputs, {}, dict(options))


@pytest.fixture
def probe_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A report kind ``probe`` found by name, as ``phunt.reports.device`` will be."""
    module = types.ModuleType("phunt.reports.probe")
    module.__spec__ = importlib.machinery.ModuleSpec("phunt.reports.probe", None)
    module.build = _probe_build  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "phunt.reports.probe", module)
    probe = reports.Output("probe", "Probe report", ("html",), "probe")
    missing = reports.Output("absent", "Not installed", ("pdf",), "no_such_kind")
    catalogue = dict(reports.CATALOGUE)
    catalogue["device"] = (*catalogue["device"], probe, missing)
    monkeypatch.setattr(reports, "CATALOGUE", catalogue)
    yield "probe"


def test_a_report_built_by_name(
    web_world: World, client_for: Callable[[str], TestClient], probe_kind: str
) -> None:
    client = client_for("admin")
    listed = client.get(f"/devices/{web_world.device_a}/reports").text
    assert 'value="probe"' in listed and 'value="absent"' not in listed
    got = _post(client, f"/devices/{web_world.device_a}/reports", output="probe", format="html")
    assert got.status_code == 200, got.text
    assert (
        got.content
        == f"<!doctype html><title>probe</title><p>device {web_world.device_a}</p>".encode()
    )
    assert got.headers["content-disposition"].startswith("attachment;")
    kept = _kept(web_world, "html")
    manifest = json.loads(Path(f"{kept}.manifest.json").read_text())
    assert (manifest["kind"], manifest["options"]) == ("probe", {"device_id": web_world.device_a})
    assert manifest["output_sha256"] == hashlib.sha256(got.content).hexdigest()
    (record,) = _audited(web_world, "report.write")
    assert (record.actor, record.details["sha256"]) == ("admin", manifest["output_sha256"])


def test_takedown_requests_as_one_zip(
    web_world: World, client_for: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # as under `phunt serve`: the data folder is protected from every other output
    monkeypatch.setattr(output_path, "_protected", {web_world.settings.home.resolve()})
    client = client_for("investigator")
    url = f"/cases/{web_world.case_a}/reports"
    assert 'name="output" value="takedown"' in client.get(url).text
    got = _post(client, url, output="takedown", format="zip")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["content-disposition"] == (
        f'attachment; filename="case-{web_world.case_a}-takedown.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    names = ["takedown-whatsapp.pdf", "takedown-whatsapp.pdf.manifest.json", "takedown.csv",
             "takedown.csv.manifest.json"]  # fmt: skip
    assert archive.namelist() == names
    assert {i.date_time for i in archive.infolist()} == {bundle.MEMBER_TIME}
    (row,) = csv.DictReader(io.StringIO(archive.read("takedown.csv").decode()))
    assert (row["platform"], row["title"], row["devices"]) == (
        "whatsapp",
        "Ward 9 Market",
        "EV-A/1",
    )
    for name in ("takedown.csv", "takedown-whatsapp.pdf"):
        manifest = json.loads(archive.read(f"{name}.manifest.json"))
        assert manifest["output_sha256"] == hashlib.sha256(archive.read(name)).hexdigest()
    assert archive.read("takedown-whatsapp.pdf").startswith(b"%PDF-")
    kept = _kept(web_world, "zip")
    assert kept.read_bytes() == got.content
    assert sorted(p.name for p in kept.with_suffix("").iterdir()) == names  # for report verify
    (record,) = _audited(web_world, "report.takedown-zip")
    assert (record.actor, record.details["sha256"]) == (
        "investigator", hashlib.sha256(got.content).hexdigest()
    )  # fmt: skip
    assert sorted(record.details["members"]) == names
    writes = [r for r in _audited(web_world, "report.write") if "takedown" in r.details["kind"]]
    assert sorted((r.actor, r.details["kind"]) for r in writes) == [
        ("investigator", "takedown"), ("investigator", "takedown_csv")
    ]  # fmt: skip
    again = web_world.settings.home / "reports" / "web" / "again.zip"
    bundle.zip_folder(kept.with_suffix(""), again, own=again.parent)
    assert again.read_bytes() == got.content  # the same members, the same bytes
    with pytest.raises(UsageError, match="inside phunt's data"):
        bundle.zip_folder(kept.with_suffix(""), web_world.settings.home / "elsewhere.zip")


def test_an_operations_takedown_is_for_who_sees_every_case(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    url = f"/operations/{web_world.operation_id}/reports"
    investigator, supervisor = client_for("investigator"), client_for("supervisor")
    assert 'value="takedown"' not in investigator.get(url).text
    refused = _post(investigator, url, output="takedown", format="zip")
    assert refused.status_code == 403
    assert not (web_world.settings.home / "reports" / "web").exists()
    assert 'value="takedown"' in supervisor.get(url).text
    got = _post(supervisor, url, output="takedown", format="zip")
    assert got.status_code == 200, got.text
    rows = list(csv.DictReader(io.StringIO(
        zipfile.ZipFile(io.BytesIO(got.content)).read("takedown.csv").decode()
    )))  # fmt: skip
    assert sorted(r["title"] for r in rows) == ["Harbour Traders", "Ward 9 Market"]
