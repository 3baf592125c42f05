"""xlsx and CSV rows as the officer sees them: header in row 1, blank rows skipped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from phunt.errors import InputError, UsageError
from phunt.leads.sheets import read_sheet
from test_lib import TEST_DATA

LEADS = TEST_DATA / "leads"


def test_the_xlsx_fixture_reads_with_dates_and_phone_digits() -> None:
    sheet = read_sheet(LEADS / "ncrb_tips.xlsx")
    assert sheet.headers[:2] == ["CyberTip Report", "Incident Date Time (UTC)"]
    assert [number for number, _ in sheet.rows] == [2, 3, 4, 5, 6]
    first = sheet.rows[0][1]
    assert first["Incident Date Time (UTC)"] == datetime(2026, 10, 3, 14, 5)
    assert sheet.rows[2][1]["Mobile"] == "919800010002"  # a number cell, not 9.198e+11
    assert sheet.rows[0][1]["Port"] == "50432"


def test_the_csv_fixture_reads_as_text() -> None:
    sheet = read_sheet(LEADS / "interpol_referrals.csv")
    assert [number for number, _ in sheet.rows] == [2, 3, 4]
    assert sheet.rows[2][1]["Time zone"] == "+05:30"


def _csv(tmp_path: Path, text: str, name: str = "tips.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_blank_rows_are_skipped_and_numbers_kept(tmp_path: Path) -> None:
    sheet = read_sheet(_csv(tmp_path, "A,B\n1,2\n,\n\n3,4\n"))
    assert sheet.rows == [(2, {"A": "1", "B": "2"}), (5, {"A": "3", "B": "4"})]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("", "row 1", "no header row"),
        ("A,A\n1,2\n", "row 1", "'A' appears twice"),
        ("A,,B\n1,2,3\n", "row 1", "column 2 of the header has no name"),
        ("A,B\n1,2,3\n", "row 2", "more cells than the header"),
    ],
)
def test_malformed_csv_names_file_and_row(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_sheet(path)
    assert str(caught.value).startswith(f"{path}:{where}: ")
    assert words in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "tips.csv"
    path.write_bytes(b"A,B\n\xff\xfe,1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_sheet(path)


def test_a_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "tips.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match="not an xlsx workbook") as caught:
        read_sheet(path)
    assert caught.value.path == str(path)


def test_an_unknown_kind_of_file_or_a_missing_one(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a leads spreadsheet"):
        read_sheet(_csv(tmp_path, "A\n1\n", "tips.ods"))
    with pytest.raises(UsageError, match="no such file"):
        read_sheet(tmp_path / "gone.csv")


def test_xlsx_dates_without_time_become_midnight(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Report", "When"])
    sheet.append(["R1", datetime(2026, 11, 2).date()])
    sheet.append([12.5, None])
    book.save(tmp_path / "tips.xlsx")
    rows = read_sheet(tmp_path / "tips.xlsx").rows
    assert rows == [
        (2, {"Report": "R1", "When": datetime(2026, 11, 2)}),
        (3, {"Report": "12.5", "When": ""}),
    ]


@pytest.mark.parametrize("name", ["ncrb_tips.xlsx", "interpol_referrals.csv"])
def test_a_sheet_longer_than_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from phunt.leads import sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    with pytest.raises(InputError, match="more than 2 rows") as caught:
        read_sheet(LEADS / name)
    assert caught.value.location == "row 3"
