"""Rows become reports with every value checked; a bad one names file, row and column."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.errors import InputError
from phunt.leads.mapping import ColumnMapping, parse_mapping
from phunt.leads.reports import Report, read_reports
from phunt.leads.sheets import read_sheet
from test_lib import TEST_DATA

LEADS = TEST_DATA / "leads"


def _mapping(name: str) -> ColumnMapping:
    return parse_mapping(json.loads((LEADS / f"{name}_mapping.json").read_text()), name)


def test_the_xlsx_reports_group_their_files_and_normalise() -> None:
    reports = read_reports(read_sheet(LEADS / "ncrb_tips.xlsx"), _mapping("ncrb"))
    assert [r.report_id for r in reports] == ["9100001", "9100002", "9100003", "9100004"]
    first = reports[0]
    assert first.incident_at == datetime(2026, 10, 3, 14, 5, tzinfo=UTC)
    assert (first.incident_zone, first.port, first.ip) == ("UTC", 50432, "203.0.113.10")
    assert [f.name for f in first.files] == ["img_0001.jpg", "img_0002.jpg"]
    assert first.files[1].pdq is None and len(first.files[0].pdq or "") == 64
    assert first.phone == "+919800010001"
    assert reports[2].account == "@Tea_Time_42" and reports[2].account_key == "tea_time_42"
    assert reports[1].phone == reports[3].phone == "+919800010002"  # two spellings, one number


def test_the_csv_reports_keep_their_zone_and_convert_to_utc() -> None:
    reports = read_reports(read_sheet(LEADS / "interpol_referrals.csv"), _mapping("interpol"))
    first, second = reports
    assert first.incident_at == datetime(2026, 11, 2, 14, 5, tzinfo=UTC)  # 19:35 in Kolkata
    assert first.incident_zone == "Asia/Kolkata"
    assert second.incident_at == datetime(2026, 11, 5, 1, 40, tzinfo=UTC)
    assert second.incident_zone == "+05:30"
    assert first.email == "rice.curry@example.org"
    assert second.ip == "2001:db8::12"
    assert len(first.files) == 2


@pytest.mark.parametrize(
    ("file", "mapping", "location", "words"),
    [
        ("bad_date.csv", "interpol", "row 4, column 'Date'", "not a date and time: '31-02-2026"),
        ("bad_hash.csv", "interpol", "row 3, column 'Hash MD5'", "not an MD5 hash"),
        ("bad_hash.xlsx", "ncrb", "row 5, column 'SHA1'", "not a SHA-1 hash"),
        ("missing_column.csv", "interpol", "row 1, column 'Date'", "mandatory column 'Date'"),
    ],
)
def test_the_bad_fixtures_name_file_row_and_column(
    file: str, mapping: str, location: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_reports(read_sheet(LEADS / file), _mapping(mapping))
    assert (caught.value.path, caught.value.location) == (str(LEADS / file), location)
    assert words in caught.value.message


def _read(tmp_path: Path, rows: str, **extra: str) -> list[Report]:
    path = tmp_path / "tips.csv"
    path.write_text("Report,When,Zone,Account,IP,Port,MD5\n" + rows, encoding="utf-8")
    columns = {"report_id": "Report", "incident_time": "When", "incident_zone": "Zone"}
    columns |= {"account": "Account", "ip": "IP", "port": "Port", "md5": "MD5"}
    return read_reports(read_sheet(path), parse_mapping({"columns": columns} | extra, "t"))


@pytest.mark.parametrize(
    ("rows", "location", "words"),
    [
        ("R1,2026-11-02 10:00,,,,99999,\n", "row 2, column 'Port'", "not a port number"),
        ("R1,2026-11-02 10:00,,,300.1.1.1,,\n", "row 2, column 'IP'", "not an IP address"),
        ("R1,2026-11-02 10:00,Nowhere/Zone,,,,\n", "row 2, column 'Zone'", "not a time zone"),
        (",2026-11-02 10:00,,,,,\n", "row 2, column 'Report'", "no report id"),
        ("R1,2026-11-02 10:00,,,,,zz" + "0" * 30 + "\n", "row 2, column 'MD5'", "not an MD5"),
        (
            "R1,2026-11-02 10:00,,ann,,,\nR1,2026-11-02 10:00,,bob,,,\n",
            "row 3, column 'Account'",
            "'bob' in this row but 'ann' in row 2",
        ),
        (
            "R1,2026-11-02 10:00,,,,,\nR1,2026-11-02 11:00,,,,,\n",
            "row 3, column 'When'",
            "another incident time in row 2",
        ),
    ],
)
def test_bad_values_name_row_and_column(
    tmp_path: Path, rows: str, location: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        _read(tmp_path, rows)
    assert caught.value.location == location
    assert words in caught.value.message


def test_times_with_their_own_offset_and_the_default_zone(tmp_path: Path) -> None:
    reports = _read(
        tmp_path,
        "R1,2026-11-02T10:00:00+02:00,,,,,\n"
        "R2,2026-11-02 10:00,,,,,\n"
        "R3,2026-11-02 10:00 UTC,,,,,\n",
        zone="Asia/Kolkata",
    )
    found = [(r.incident_at, r.incident_zone) for r in reports]
    assert found == [
        (datetime(2026, 11, 2, 8, 0, tzinfo=UTC), "+02:00"),
        (datetime(2026, 11, 2, 4, 30, tzinfo=UTC), "Asia/Kolkata"),
        (datetime(2026, 11, 2, 10, 0, tzinfo=UTC), "+00:00"),
    ]


def test_a_later_row_may_leave_report_fields_empty_and_repeat_a_file(tmp_path: Path) -> None:
    md5 = "a" * 32
    reports = _read(
        tmp_path,
        f"R1,2026-11-02 10:00,,ann,,,{md5}\nR1,2026-11-02 10:00,,,,,{md5.upper()}\n",
    )
    assert len(reports) == 1
    assert [f.md5 for f in reports[0].files] == [md5]
