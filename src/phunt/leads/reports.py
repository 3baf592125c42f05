"""Spreadsheet rows to reports, every value checked where it enters.

Rows sharing a report id are one report (a CyberTipline report of five files is five rows):
the first row gives the report's fields, every row may add a reported file, and a later row
that contradicts the first is an error, not a silent choice. Any bad value (a column the
mapping names that the file lacks, a time that does not parse, a hash of the wrong length)
raises :class:`phunt.errors.InputError` naming the file, the row and the column, before
anything is written. Phone numbers are kept as reported and in E.164
(:func:`phunt.phones.to_e164`), empty when they are no valid number, so they still link.
"""

from __future__ import annotations

import ipaddress
import string
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, tzinfo

from phunt.errors import InputError
from phunt.leads.mapping import FILE_FIELDS, MANDATORY, ColumnMapping, parse_zone
from phunt.leads.sheets import Cell, Sheet
from phunt.phones import to_e164

#: Hex digits of each reported hash (PDQ: 256 bits).
HASH_LENGTHS = {"md5": 32, "sha1": 40, "pdq": 64}
_TITLES = {"md5": "an MD5", "sha1": "a SHA-1", "pdq": "a PDQ"}
_HEX = frozenset(string.hexdigits)


@dataclass(frozen=True)
class ReportedFile:
    name: str
    md5: str | None
    sha1: str | None
    pdq: str | None


@dataclass
class Report:
    """One report as read; times aware, in UTC, with the zone the report gave."""

    report_id: str
    incident_at: datetime
    incident_zone: str
    sheet_row: int
    platform: str = ""
    account: str = ""
    phone_raw: str = ""
    email: str = ""
    ip: str = ""
    port: int | None = None
    isp: str = ""
    location: str = ""
    files: list[ReportedFile] = field(default_factory=list)

    @property
    def account_key(self) -> str:
        """The account as compared across reports: case and a leading ``@`` ignored."""
        return self.account.strip().lstrip("@").lower()

    @property
    def phone(self) -> str:
        return (to_e164(self.phone_raw) or "") if self.phone_raw else ""

    def fields_compared(self) -> dict[str, object]:
        """The report-level values two rows of one report must agree on."""
        skip = {"report_id", "incident_at", "incident_zone", "sheet_row", "files"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


class _Row:
    """One row's cells, with errors that name the file, the row and the column."""

    def __init__(self, sheet: Sheet, number: int, cells: dict[str, Cell], mapping: ColumnMapping):
        self.sheet, self.number, self.cells, self.mapping = sheet, number, cells, mapping

    def fail(self, name: str, message: str) -> InputError:
        column = self.mapping.columns[name]
        where = f"row {self.number}, column {column!r}"
        return InputError(message, path=str(self.sheet.path), location=where)

    def raw(self, name: str) -> Cell:
        column = self.mapping.columns.get(name)
        return "" if column is None else self.cells.get(column, "")

    def text(self, name: str) -> str:
        value = self.raw(name)
        text = value.isoformat() if isinstance(value, datetime) else value
        return " ".join(text.split()) if text else ""

    def hash(self, name: str) -> str | None:
        value = self.text(name).lower()
        if not value:
            return None
        if len(value) != HASH_LENGTHS[name] or not set(value) <= _HEX:
            raise self.fail(
                name,
                f"not {_TITLES[name]} hash: {value[:80]!r} "
                f"({HASH_LENGTHS[name]} hex digits expected, got {len(value)} characters)",
            )
        return value

    def zone(self) -> tuple[str, tzinfo | None]:
        given = self.text("incident_zone")
        try:
            return (given, parse_zone(given)) if given else (self.mapping.zone, None)
        except ValueError as exc:
            raise self.fail("incident_zone", str(exc)) from None

    def time(self) -> tuple[datetime, str]:
        """The incident time in UTC and the zone it was given in."""
        zone_name, zone = self.zone()
        value = self.raw("incident_time")
        if isinstance(value, datetime):
            moment = value
        else:
            text = self.text("incident_time")
            try:
                if self.mapping.time_format:
                    moment = datetime.strptime(text, self.mapping.time_format)
                else:
                    moment = datetime.fromisoformat(text.replace(" UTC", "Z"))
            except ValueError:
                wanted = self.mapping.time_format or "ISO 8601, e.g. 2026-11-02 14:05:00"
                raise self.fail(
                    "incident_time", f"not a date and time: {text[:80]!r} (expected {wanted})"
                ) from None
        if moment.tzinfo is None:
            tz = zone if zone is not None else parse_zone(self.mapping.zone)
            moment = moment.replace(tzinfo=tz)
        elif zone is None:
            zone_name = moment.strftime("%z") or zone_name
            zone_name = f"{zone_name[:3]}:{zone_name[3:]}" if len(zone_name) == 5 else zone_name
        return moment.astimezone(UTC), zone_name

    def port(self) -> int | None:
        text = self.text("port")
        if not text:
            return None
        if not text.isdigit() or not 0 <= int(text) <= 65535:
            raise self.fail("port", f"not a port number: {text[:20]!r} (0 to 65535)")
        return int(text)

    def ip(self) -> str:
        text = self.text("ip")
        if not text:
            return ""
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise self.fail("ip", f"not an IP address: {text[:80]!r}") from None


def read_reports(sheet: Sheet, mapping: ColumnMapping) -> list[Report]:
    """The sheet's reports, in the order of their first rows."""
    missing = [(name, col) for name, col in mapping.columns.items() if col not in sheet.headers]
    if missing:
        name, column = missing[0]
        kind = "mandatory column" if name in MANDATORY else "column"
        raise InputError(
            f"the {kind} {column!r} ({name}) named by the mapping is not in the file "
            f"(its columns: {', '.join(sheet.headers)})",
            path=str(sheet.path),
            location=f"row 1, column {column!r}",
        )
    reports: dict[str, Report] = {}
    for number, cells in sheet.rows:
        row = _Row(sheet, number, cells, mapping)
        report_id = row.text("report_id")
        if not report_id:
            raise row.fail("report_id", "no report id")
        report = _report(row, report_id)
        first = reports.setdefault(report_id, report)
        if first is not report:
            _agree(row, first, report)
        reported = _file(row)
        if reported is not None and reported not in first.files:
            first.files.append(reported)
    return list(reports.values())


def _report(row: _Row, report_id: str) -> Report:
    incident_at, zone = row.time()
    return Report(
        report_id=report_id[:200],
        incident_at=incident_at,
        incident_zone=zone[:64],
        sheet_row=row.number,
        platform=row.text("platform")[:100],
        account=row.text("account")[:200],
        phone_raw=row.text("phone")[:200],
        email=row.text("email").lower()[:320],
        ip=row.ip(),
        port=row.port(),
        isp=row.text("isp")[:200],
        location=row.text("location"),
    )


def _agree(row: _Row, first: Report, again: Report) -> None:
    """A later row of a report says what its first row said (or nothing)."""
    theirs = first.fields_compared()
    for name, value in again.fields_compared().items():
        if value not in ("", None) and value != theirs[name]:
            mapped = "phone" if name == "phone_raw" else name
            raise row.fail(
                mapped,
                f"report {first.report_id!r} has {value!r} in this row "
                f"but {theirs[name]!r} in row {first.sheet_row}",
            )
    if again.incident_at != first.incident_at:
        raise row.fail(
            "incident_time",
            f"report {first.report_id!r} has another incident time in row {first.sheet_row}",
        )


def _file(row: _Row) -> ReportedFile | None:
    if not any(row.text(name) for name in FILE_FIELDS):
        return None
    return ReportedFile(row.text("file_name"), row.hash("md5"), row.hash("sha1"), row.hash("pdq"))
