"""Regenerate the leads fixtures (run from anywhere: paths are relative to this file).

Two invented sources in two layouts: ``ncrb_tips.xlsx`` (a CyberTipline forwarding: one
row per reported file, times as spreadsheet dates in UTC) and ``interpol_referrals.csv``
(day-first text times with a zone column), each with its column mapping as JSON, and the
deliberately bad variants the import must refuse (a bad date, a short hash, a missing
column, a bad hash in an xlsx). Every name, number, address and hash is invented: phones
in the +91 98000 xxxxx range, IP addresses from the documentation ranges, and reported
files' hashes computed from short neutral strings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED = (2026, 1, 1, 0, 0, 0)  # zip entry times, so the workbook's bytes do not change

NCRB_HEADERS = [
    "CyberTip Report",
    "Incident Date Time (UTC)",
    "Electronic Service Provider",
    "Screen Name",
    "Mobile",
    "Email Address",
    "IP Address",
    "Port",
    "ISP",
    "Location",
    "File Name",
    "MD5",
    "SHA1",
    "PDQ",
]
NCRB_MAPPING = {
    "columns": {
        "report_id": "CyberTip Report",
        "incident_time": "Incident Date Time (UTC)",
        "platform": "Electronic Service Provider",
        "account": "Screen Name",
        "phone": "Mobile",
        "email": "Email Address",
        "ip": "IP Address",
        "port": "Port",
        "isp": "ISP",
        "location": "Location",
        "file_name": "File Name",
        "md5": "MD5",
        "sha1": "SHA1",
        "pdq": "PDQ",
    },
    "zone": "UTC",
    "time_format": "",
}
INTERPOL_HEADERS = [
    "Referral No",
    "Date",
    "Time zone",
    "Platform",
    "Username",
    "Phone",
    "E-mail",
    "IP",
    "Port",
    "Provider",
    "Place",
    "Filename",
    "Hash MD5",
    "Hash SHA-1",
]
INTERPOL_MAPPING = {
    "columns": {
        "report_id": "Referral No",
        "incident_time": "Date",
        "incident_zone": "Time zone",
        "platform": "Platform",
        "account": "Username",
        "phone": "Phone",
        "email": "E-mail",
        "ip": "IP",
        "port": "Port",
        "isp": "Provider",
        "location": "Place",
        "file_name": "Filename",
        "md5": "Hash MD5",
        "sha1": "Hash SHA-1",
    },
    "zone": "Asia/Kolkata",
    "time_format": "%d-%m-%Y %H:%M",
}


def md5(n: int) -> str:
    return hashlib.md5(f"reported file {n}".encode()).hexdigest()


def sha1(n: int) -> str:
    return hashlib.sha1(f"reported file {n}".encode()).hexdigest()


def pdq(n: int) -> str:
    return hashlib.sha256(f"reported picture {n}".encode()).hexdigest()


def continuation(width: int, first: list[Any], last: list[Any]) -> list[Any]:
    """A further row of a report: its id (and time), blanks, then one more file."""
    return [*first, *[""] * (width - len(first) - len(last)), *last]


def ncrb_rows() -> list[list[object]]:
    """Four reports, five rows: 9100001 has two files, 9100003 names 9100001's account
    written differently, 9100004 names 9100002's phone written differently."""
    t = datetime
    return [
        [
            "9100001",
            t(2026, 10, 3, 14, 5),
            "ExampleChat",
            "tea_time_42",
            "+91 98000 10001",
            "",
            "203.0.113.10",
            50432,
            "Example Broadband",
            "Kakkanad, Ernakulam",
            "img_0001.jpg",
            md5(1),
            sha1(1),
            pdq(1),
        ],
        continuation(
            len(NCRB_HEADERS),
            ["9100001", t(2026, 10, 3, 14, 5)],
            ["img_0002.jpg", md5(2), sha1(2), ""],
        ),
        [
            "9100002",
            t(2026, 10, 9, 8, 30),
            "ExampleChat",
            "rice_and_curry",
            919800010002,
            "rice.curry@example.org",
            "198.51.100.7",
            443,
            "Example Fibre",
            "Thrissur",
            "img_0003.jpg",
            md5(3),
            "",
            "",
        ],
        [
            "9100003",
            t(2026, 10, 11, 21, 0),
            "ExampleChat",
            "@Tea_Time_42",
            "",
            "",
            "203.0.113.10",
            "",
            "Example Broadband",
            "Kakkanad, Ernakulam",
            "img_0004.jpg",
            md5(4),
            sha1(4),
            "",
        ],
        [
            "9100004",
            t(2026, 10, 12, 6, 45),
            "PhotoShare",
            "morning_walk",
            "98000 10002",
            "",
            "198.51.100.8",
            "",
            "Example Fibre",
            "Thrissur",
            "img_0005.jpg",
            md5(5),
            "",
            pdq(5),
        ],
    ]


def interpol_rows() -> list[list[str]]:
    """Two referrals: IP-7781 shares 9100002's e-mail and 9100003's file; IP-7782 stands
    alone. Times are local (Asia/Kolkata or +05:30)."""
    return [
        [
            "IP-7781",
            "02-11-2026 19:35",
            "Asia/Kolkata",
            "PhotoShare",
            "blue_kettle",
            "",
            "Rice.Curry@example.org",
            "203.0.113.55",
            "61000",
            "Example Mobile",
            "Palakkad",
            "holiday.jpg",
            md5(4),
            "",
        ],
        continuation(
            len(INTERPOL_HEADERS),
            ["IP-7781", "02-11-2026 19:35", "Asia/Kolkata"],
            ["beach.jpg", md5(6), sha1(6)],
        ),
        [
            "IP-7782",
            "05-11-2026 07:10",
            "+05:30",
            "ExampleChat",
            "quiet_river",
            "+91 98000 10005",
            "",
            "2001:db8::12",
            "",
            "Example Mobile",
            "Kozhikode",
            "garden.jpg",
            md5(7),
            "",
        ],
    ]


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Reports"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.properties.created = datetime(2026, 1, 1)
    raw = io.BytesIO()
    book.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data
                )
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED), data, zipfile.ZIP_DEFLATED)


def write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    write_xlsx(HERE / "ncrb_tips.xlsx", NCRB_HEADERS, ncrb_rows())
    write_json(HERE / "ncrb_mapping.json", NCRB_MAPPING)
    good = interpol_rows()
    write_csv(HERE / "interpol_referrals.csv", INTERPOL_HEADERS, good)
    write_json(HERE / "interpol_mapping.json", INTERPOL_MAPPING)
    bad_date = [row[:] for row in good]
    bad_date[2][1] = "31-02-2026 10:00"  # row 4: there is no 31 February
    write_csv(HERE / "bad_date.csv", INTERPOL_HEADERS, bad_date)
    bad_hash = [row[:] for row in good]
    bad_hash[1][12] = md5(6)[:31]  # row 3: an MD5 one digit short
    write_csv(HERE / "bad_hash.csv", INTERPOL_HEADERS, bad_hash)
    gone = INTERPOL_HEADERS.index("Date")
    write_csv(
        HERE / "missing_column.csv",
        [h for i, h in enumerate(INTERPOL_HEADERS) if i != gone],
        [[c for i, c in enumerate(row) if i != gone] for row in good],
    )
    bad_xlsx = [row[:] for row in ncrb_rows()]
    bad_xlsx[3][12] = sha1(4) + "ab"  # row 5: a SHA-1 two digits long
    write_xlsx(HERE / "bad_hash.xlsx", NCRB_HEADERS, bad_xlsx)


if __name__ == "__main__":
    main()
