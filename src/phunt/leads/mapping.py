"""A source's column mapping: which spreadsheet column holds which field of a report.

Each source (NCRB's CyberTipline forwarding, an Interpol referral, a platform) sends its
own layout; the mapping is saved with the source so the next spreadsheet of the same layout
imports with no options. It is checked where it enters: an unknown field, a mandatory field
left out or an unknown time zone is refused before any file is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phunt.errors import UsageError

#: Every field a report may have, in the order they are shown.
FIELDS = (
    "report_id",
    "incident_time",
    "incident_zone",
    "platform",
    "account",
    "phone",
    "email",
    "ip",
    "port",
    "isp",
    "location",
    "file_name",
    "md5",
    "sha1",
    "pdq",
)
#: Without these a row is no report.
MANDATORY = ("report_id", "incident_time")
#: The fields that describe one reported file; a report of several files spans rows.
FILE_FIELDS = ("file_name", "md5", "sha1", "pdq")

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnMapping:
    """``columns``: field to column header; ``zone``: the zone of times that state none;
    ``time_format``: a ``strptime`` format, or empty for ISO 8601."""

    columns: dict[str, str]
    zone: str = "UTC"
    time_format: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "zone": self.zone, "time_format": self.time_format}


def parse_zone(text: str) -> tzinfo:
    """An IANA zone name (``Asia/Kolkata``), ``UTC``/``GMT``/``Z`` or an offset
    (``+05:30``, ``UTC+5:30``); a :class:`ValueError` for anything else."""
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    found = _OFFSET.match(name)
    if found:
        sign, hours, minutes = found.group(1), int(found.group(2)), int(found.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"not a UTC offset: {text!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise ValueError(f"not a time zone: {text!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not a time zone: {text!r} (e.g. Asia/Kolkata, UTC, +05:30)") from None


def parse_mapping(data: Mapping[str, Any], source: str) -> ColumnMapping:
    """Check a mapping given as JSON (``{"columns": {...}, "zone": ..., "time_format": ...}``)
    and return it; every problem is a :class:`UsageError` naming ``source``."""
    unknown_keys = sorted(set(data) - {"columns", "zone", "time_format"})
    if unknown_keys:
        raise UsageError(
            f"the mapping of source {source!r} has unknown keys {unknown_keys} "
            "(keys: columns, zone, time_format)"
        )
    columns = data.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise UsageError(f"the mapping of source {source!r} names no columns")
    clean: dict[str, str] = {}
    for key, header in columns.items():
        if key not in FIELDS:
            raise UsageError(
                f"the mapping of source {source!r} names an unknown field {key!r} "
                f"(fields: {', '.join(FIELDS)})"
            )
        if not isinstance(header, str) or not header.strip():
            raise UsageError(f"the mapping of source {source!r} gives field {key!r} no column")
        clean[key] = header.strip()
    missing = [name for name in MANDATORY if name not in clean]
    if missing:
        raise UsageError(
            f"the mapping of source {source!r} leaves out mandatory fields {', '.join(missing)}"
        )
    zone = data.get("zone", "UTC")
    time_format = data.get("time_format", "")
    if not isinstance(zone, str) or not isinstance(time_format, str):
        raise UsageError(f"the mapping of source {source!r}: zone and time_format are text")
    try:
        parse_zone(zone)
    except ValueError as exc:
        raise UsageError(f"the mapping of source {source!r}: {exc}") from None
    return ColumnMapping(clean, zone.strip(), time_format)
