"""``phunt leads`` and ``phunt raid plan|plans|outcome`` end to end on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from phunt.accounts.store import add_user, assign
from phunt.cases.case_files import open_case
from phunt.errors import InputError, NotFoundError, NotPermitted, UsageError
from phunt.schema.db import Database
from test_lib import TEST_DATA, run_phunt

LEADS = TEST_DATA / "leads"
PASSWORD = "harbour kite meadow"


def _run(db_url: str, *args: str, account: str | None = None, stdin: str | None = None) -> str:
    before = ["--as", account] if account else []
    result = CliRunner().invoke(
        app_(), [*before, *args, "--db", db_url], input=stdin, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def app_() -> Any:
    from phunt.cli.main import app

    return app


def _json(db_url: str, *args: str, **kw: Any) -> Any:
    return json.loads(_run(db_url, *args, "--json", **kw))


def _lines(db_url: str, *args: str, **kw: Any) -> list[dict[str, Any]]:
    out = _run(db_url, *args, "--json", **kw)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _import_both(db_url: str) -> None:
    for file, source, mapping in (
        ("ncrb_tips.xlsx", "NCRB", "ncrb_mapping.json"),
        ("interpol_referrals.csv", "Interpol", "interpol_mapping.json"),
    ):
        _run(
            db_url, "leads", "import", str(LEADS / file), "--source", source,
            "--mapping", str(LEADS / mapping),
        )  # fmt: skip


def test_leads_to_targets_to_raids(db_url: str) -> None:
    _run(db_url, "operation", "create", "P-Hunt")
    first = _run(
        db_url, "leads", "import", str(LEADS / "ncrb_tips.xlsx"), "--source", "NCRB",
        "--mapping", str(LEADS / "ncrb_mapping.json"),
    )  # fmt: skip
    assert "5 rows, 4 new leads, 0 already known, 5 new files, 2 new links" in first
    csv = _json(
        db_url, "leads", "import", str(LEADS / "interpol_referrals.csv"), "--source",
        "Interpol", "--mapping", str(LEADS / "interpol_mapping.json"),
    )  # fmt: skip
    assert (csv["new_leads"], csv["links"]) == (2, 2)
    again = _run(db_url, "leads", "import", str(LEADS / "ncrb_tips.xlsx"), "--source", "NCRB")
    assert "0 new leads, 4 already known" in again
    leads = {row["report_id"]: row for row in _lines(db_url, "leads", "list")}
    assert len(leads) == 6 and leads["9100001"]["files"] == 2
    assert leads["IP-7781"]["incident_at"] == "2026-11-02T19:35:00+05:30"  # the unit's zone
    shown = _json(db_url, "leads", "show", str(leads["IP-7781"]["id"]))
    assert [(k["report_id"], k["reason"]) for k in shown["links"]] == [
        ("9100002", "email"),
        ("9100003", "file"),
    ]
    assert shown["imported_from"]["row"] == 2
    target = _json(
        db_url, "leads", "resolve", str(leads["9100001"]["id"]), "--name", "Ravi Example",
        "--district", "Ernakulam", "--address", "Kakkanad", "--phone", "+91 98000 10001",
        "--subscriber", "CAF: Ravi Example", "--from", "Example Broadband",
    )  # fmt: skip
    assert (target["district"], target["phones"]) == ("Ernakulam", ["+919800010001"])
    _run(db_url, "leads", "resolve", str(leads["9100003"]["id"]), "--target", str(target["id"]))
    ranked = _lines(db_url, "leads", "targets", "--district", "Ernakulam")
    assert [(t["name"], t["reports"], t["accounts_seen_again"]) for t in ranked] == [
        ("Ravi Example", 2, 1)
    ]
    plan = _json(
        db_url, "raid", "plan", "--operation", "P-Hunt", "--target", str(target["id"]),
        "--team-lead", "SI Devika", "--at", "2026-11-28T06:00",
    )  # fmt: skip
    assert (plan["location"], plan["district"], plan["raid_id"]) == ("Kakkanad", "Ernakulam", None)
    done = _json(
        db_url, "raid", "outcome", str(plan["id"]), "--at", "2026-11-28T06:30",
        "--case-number", "CR 21/2026", "--station", "Cyber PS Kochi", "--statute",
        "IT Act s.67B", "--arrested", "--device", "PH-21=mobile phone",
        "--device", "MC-21=memory card",
    )  # fmt: skip
    assert done["raid_id"] is not None and done["case_id"] is not None
    plans = _lines(db_url, "raid", "plans", "--operation", "P-Hunt")
    assert [(p["raid_id"], p["case_id"]) for p in plans] == [(done["raid_id"], done["case_id"])]
    stats = _json(db_url, "stats", "--operation", "P-Hunt")["total"]
    assert (stats["raids"], stats["cases"], stats["arrests"], stats["devices"]) == (1, 1, 1, 2)
    of_case = _lines(db_url, "leads", "list", "--case", str(done["case_id"]))
    assert sorted(row["report_id"] for row in of_case) == ["9100001", "9100003"]


def test_the_tables_print(db_url: str) -> None:
    _import_both(db_url)
    assert "9100001" in _run(db_url, "leads", "list")
    shown = _run(db_url, "leads", "show", "1")
    assert "img_0002.jpg" in shown and "9100003" in shown
    _run(db_url, "leads", "resolve", "1", "--name", "Ravi Example", "--district", "Ernakulam")
    assert "Ravi" in _run(db_url, "leads", "targets")  # the table wraps names
    assert "Interpol" in _run(db_url, "leads", "sources")
    sources = _lines(db_url, "leads", "sources")
    assert [(s["name"], s["mapping"]["zone"]) for s in sources] == [
        ("NCRB", "UTC"),
        ("Interpol", "Asia/Kolkata"),
    ]


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (["bad_date.csv", "Interpol"], InputError, "row 4, column 'Date'"),
        (["bad_hash.xlsx", "NCRB"], InputError, "row 5, column 'SHA1'"),
        (["missing_column.csv", "Interpol"], InputError, "mandatory column 'Date'"),
        (["interpol_referrals.csv", "Interpol", "ncrb_tips.xlsx"], UsageError, "not a readable"),
        (["interpol_referrals.csv", "Nobody"], NotFoundError, "no lead source"),
    ],
)
def test_bad_imports_are_refused(
    db_url: str, args: list[str], error: type[Exception], words: str
) -> None:
    _import_both(db_url)
    file, source, *mapping = args
    extra = ["--mapping", str(LEADS / mapping[0])] if mapping else []
    with pytest.raises(error, match=words):
        CliRunner().invoke(
            app_(),
            ["leads", "import", str(LEADS / file), "--source", source, *extra, "--db", db_url],
            catch_exceptions=False,
        )
    assert len(_lines(db_url, "leads", "list")) == 6


def test_a_bad_file_is_one_error_line_and_status_2(db_url: str) -> None:
    _import_both(db_url)
    bad = LEADS / "bad_hash.csv"
    result = run_phunt("leads", "import", str(bad), "--source", "Interpol", "--db", db_url)
    assert result.returncode == 2
    assert result.stderr == (
        f"phunt: error: {bad}:row 3, column 'Hash MD5': not an MD5 hash: "
        "'b9f0243870610e6607add5bdfc6fdbc' (32 hex digits expected, got 31 characters)\n"
    )


@pytest.fixture
def two_cases(db_url: str) -> tuple[int, int]:
    """Users: an investigator assigned case 1, an analyst assigned case 1, a supervisor;
    the NCRB leads belong to case 1, the Interpol ones to case 2."""
    database = Database(db_url)
    try:
        with database.session() as s:
            one = open_case(s, "CR 31/2026", "Cyber PS Kochi", "Ernakulam", []).id
            two = open_case(s, "CR 32/2026", "Cyber PS Kochi", "Ernakulam", []).id
            for name, role in (("devika", "investigator"), ("arun", "analyst")):
                add_user(s, name, role, PASSWORD)
                assign(s, name, one)
            add_user(s, "mini", "supervisor", PASSWORD)
    finally:
        database.close()
    for file, source, mapping, case in (
        ("ncrb_tips.xlsx", "NCRB", "ncrb_mapping.json", one),
        ("interpol_referrals.csv", "Interpol", "interpol_mapping.json", two),
    ):
        _run(
            db_url, "leads", "import", str(LEADS / file), "--source", source,
            "--mapping", str(LEADS / mapping), "--case", str(case),
        )  # fmt: skip
    return one, two


def test_an_account_sees_the_leads_of_its_cases(db_url: str, two_cases: tuple[int, int]) -> None:
    one, two = two_cases
    mine = _lines(db_url, "leads", "list", account="devika")
    assert {row["case_id"] for row in mine} == {one} and len(mine) == 4
    assert len(_lines(db_url, "leads", "list", account="mini")) == 6
    other = next(r for r in _lines(db_url, "leads", "list") if r["case_id"] == two)
    with pytest.raises(NotFoundError, match=f"no lead {other['id']}"):
        CliRunner().invoke(
            app_(),
            ["--as", "devika", "leads", "show", str(other["id"]), "--db", db_url],
            catch_exceptions=False,
        )


def test_show_lists_the_linked_leads_the_account_sees(
    db_url: str, two_cases: tuple[int, int]
) -> None:
    """9100002 (case 1) shares a phone with 9100004 (case 1) and an e-mail with IP-7781
    (case 2): devika sees the first link only, by neither id nor report id nor a count of
    the other, as the web's lead page; mini and the OS user see both."""
    lead = next(r for r in _lines(db_url, "leads", "list") if r["report_id"] == "9100002")
    for account in (None, "mini"):
        shown = _json(db_url, "leads", "show", str(lead["id"]), account=account)
        assert [k["report_id"] for k in shown["links"]] == ["IP-7781", "9100004"]
    mine = _json(db_url, "leads", "show", str(lead["id"]), account="devika")
    assert [(k["report_id"], k["source"], k["reason"]) for k in mine["links"]] == [
        ("9100004", "NCRB", "phone")
    ]
    table = _run(db_url, "leads", "show", str(lead["id"]), account="devika")
    assert "9100004" in table and "IP-7781" not in table and "Interpol" not in table


def test_an_account_changes_leads_only_as_its_role_allows(
    db_url: str, two_cases: tuple[int, int]
) -> None:
    one, _two = two_cases
    resolved = _json(
        db_url, "leads", "resolve", "1", "--name", "Ravi Example", "--district", "Ernakulam",
        account="devika", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert resolved["case_id"] == one
    with pytest.raises(NotPermitted, match="role 'analyst' may not change leads"):
        CliRunner().invoke(
            app_(),
            ["--as", "arun", "leads", "resolve", "2", "--target", "1", "--db", db_url],
            input=PASSWORD + "\n",
            catch_exceptions=False,
        )
    with pytest.raises(UsageError, match="into one of your cases"):
        CliRunner().invoke(
            app_(),
            ["--as", "devika", "leads", "import", str(LEADS / "ncrb_tips.xlsx"), "--source",
             "NCRB", "--db", db_url],
            input=PASSWORD + "\n",
            catch_exceptions=False,
        )  # fmt: skip


def test_a_device_option_must_name_number_and_kind(db_url: str) -> None:
    with pytest.raises(UsageError, match="EVIDENCE_NUMBER=KIND"):
        CliRunner().invoke(
            app_(),
            ["raid", "outcome", "1", "--device", "PH-1", "--db", db_url],
            catch_exceptions=False,
        )


def test_targets_count_the_reported_files_found_on_their_seized_devices(
    db_url: str, tmp_path: Path
) -> None:
    """Lead 9100001 reported two files and 9100003 one; the seized phone holds two of the
    three (the fixtures' files are the bytes "reported file N"), so "2 of 3"."""
    _run(db_url, "operation", "create", "P-Hunt")
    _import_both(db_url)
    leads = {row["report_id"]: row["id"] for row in _lines(db_url, "leads", "list")}
    _run(
        db_url, "leads", "resolve", str(leads["9100001"]), "--name", "Ravi Example",
        "--district", "Ernakulam", "--address", "Kakkanad",
    )  # fmt: skip
    _run(db_url, "leads", "resolve", str(leads["9100003"]), "--target", "1")
    _run(db_url, "leads", "resolve", str(leads["9100002"]), "--name", "Mini Example",
         "--district", "Ernakulam")  # fmt: skip
    assert [t["corroborated"] for t in _lines(db_url, "leads", "targets")] == ["0 of 3", "0 of 1"]
    _run(db_url, "raid", "plan", "--operation", "P-Hunt", "--target", "1", "--team-lead",
         "SI Devika", "--at", "2026-11-28T06:00")  # fmt: skip
    _run(db_url, "raid", "outcome", "1", "--case-number", "CR 21/2026", "--station",
         "Cyber PS Kochi", "--device", "PH-21=mobile phone")  # fmt: skip
    phone = tmp_path / "phone"
    phone.mkdir()
    for n in (1, 4):
        (phone / f"file{n}.bin").write_bytes(f"reported file {n}".encode())
    _run(db_url, "ingest", str(phone), "--device", "PH-21", "--workers", "1")
    ranked = {t["name"]: t["corroborated"] for t in _lines(db_url, "leads", "targets")}
    assert ranked == {"Ravi Example": "2 of 3", "Mini Example": "0 of 1"}
    assert "2 of 3" in _run(db_url, "leads", "targets")
