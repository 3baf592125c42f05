"""The line grammar of WhatsApp's "Export chat" text: headers, their dates, and lines.

A header (``12/03/2024, 09:15 - `` on Android, ``[12/03/2024, 09:15:02] `` on iOS, and
the locales' variants) starts a message; other lines continue it. The date order
(day-first or month-first) is decided per file from the values seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from typing import IO

HEADER = re.compile(
    r"^[\u200e\u200f\ufeff]*(?P<br>\[)?(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)"
    r"(?P<c>\d{2,4})\.?,?\s(?:klo\s)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"(?:\s?(?P<ap>[AaPp]\.?\s?[Mm]\.?))?(?(br)\]\s|(?:\s-\s|:\s))(?P<rest>.*)$"
)
_PROBE_LINES = 20
_PROBE_LINE_BYTES = 4096


def first_lines_match(stream: IO[bytes]) -> bool:
    """True when the first non-empty line of a probe's few is a message header."""
    for _ in range(_PROBE_LINES):
        raw = stream.readline(_PROBE_LINE_BYTES)  # bounded: probes also see large binaries
        if not raw:
            return False
        line = raw.decode("utf-8", "replace").strip()
        if line:
            return HEADER.match(line) is not None
    return False


def lines(stream: IO[bytes], warn: Callable[[str, str], None]) -> Iterator[tuple[int, str]]:
    """The text's lines, numbered from 1, without line ends or a leading BOM."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("utf-8", "replace")
            warn(f"line {number}", "invalid UTF-8, undecodable bytes replaced")
        yield number, line.rstrip("\r\n").lstrip("\ufeff") if number == 1 else line.rstrip("\r\n")


def date_order(stream: IO[bytes], warn: Callable[[str, str], None]) -> bool:
    """True for day-first. Decided by the first field above 12 in either position."""
    high_a = high_b = 0
    day_month = False  # any header not year-first (those have one order: y-m-d)
    for number, line in lines(stream, lambda _where, _what: None):
        match = HEADER.match(line)
        if match is None or len(match["a"]) == 4:
            continue
        day_month = True
        high_a, high_b = max(high_a, int(match["a"])), max(high_b, int(match["b"]))
        if high_a > 12 and high_b <= 12:
            return True
        if high_b > 12 and high_a <= 12:
            return False
        if high_a > 12 and high_b > 12:
            warn(f"line {number}", "inconsistent date order in file")
            return True
    if day_month:
        warn("line 1", "date order ambiguous (no day above 12); read as day-first")
    return True


def stamp(m: re.Match[str], day_first: bool, tz: tzinfo) -> datetime | None:
    """A header's local time (in ``tz``), or None for an impossible date or time."""
    a, b, c = int(m["a"]), int(m["b"]), int(m["c"])
    if len(m["a"]) == 4:
        year, month, day = a, b, c
    else:
        day, month = (a, b) if day_first else (b, a)
        year = c + 2000 if c < 100 else c
    hour = int(m["H"])
    if m["ap"]:
        pm = m["ap"][0] in "Pp"
        if hour > 12:  # hour 0 with AM/PM ("00:08 a. m."): some phones write midnight so
            return None
        hour = hour % 12 + (12 if pm else 0)
    try:
        local = datetime(year, month, day, hour, int(m["M"]), int(m["S"] or 0), tzinfo=tz)
    except ValueError:
        return None
    return local
