"""A source's column mapping is checked where it enters, before any file is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from phunt.errors import UsageError
from phunt.leads.mapping import parse_mapping, parse_zone

GOOD = {"columns": {"report_id": "Report", "incident_time": "When"}, "zone": "Asia/Kolkata"}


def test_a_good_mapping_keeps_its_columns_zone_and_format() -> None:
    found = parse_mapping(GOOD | {"time_format": "%d/%m/%Y %H:%M"}, "NCRB")
    assert found.as_json() == {
        "columns": {"report_id": "Report", "incident_time": "When"},
        "zone": "Asia/Kolkata",
        "time_format": "%d/%m/%Y %H:%M",
    }


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"columns": {"report_id": "R", "incident_time": "T", "uploader": "U"}}, "'uploader'"),
        ({"columns": {"report_id": "R"}}, "mandatory fields incident_time"),
        ({"columns": {}}, "names no columns"),
        ({"columns": {"report_id": "R", "incident_time": " "}}, "gives field 'incident_time'"),
        (GOOD | {"zone": "Mars/Olympus"}, "not a time zone: 'Mars/Olympus'"),
        (GOOD | {"sheet": "2"}, "unknown keys ['sheet']"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_source(mapping: dict[str, object], words: str) -> None:
    with pytest.raises(UsageError, match="source 'NCRB'") as caught:
        parse_mapping(mapping, "NCRB")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("UTC", timedelta(0)),
        ("Z", timedelta(0)),
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("UTC+5:30", timedelta(hours=5, minutes=30)),
        ("GMT-0300", timedelta(hours=-3)),
        ("Asia/Kolkata", timedelta(hours=5, minutes=30)),
    ],
)
def test_zones_by_name_or_offset(text: str, offset: timedelta) -> None:
    moment = datetime(2026, 11, 2, 12, 0, tzinfo=parse_zone(text))
    assert moment.utcoffset() == offset
    assert moment.astimezone(UTC) == datetime(2026, 11, 2, 12, 0, tzinfo=UTC) - offset


@pytest.mark.parametrize("text", ["", "+15:00", "../etc/passwd", "Somewhere/Else", "IST+"])
def test_not_a_zone(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_zone(text)
