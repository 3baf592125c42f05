"""Rows of a leads spreadsheet, xlsx or CSV, as ``{header: cell}`` with their row numbers.

Row numbers are the ones the officer sees in a spreadsheet program (the header is row 1),
so an error naming a row can be found at once. Cells are text, except the dates and times
an xlsx stores as such; whole numbers an xlsx stores as numbers (phone numbers typed into
a sheet) come back as their digits, not as ``9.198e+11``.
"""

from __future__ import annotations

import csv
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from phunt.errors import InputError, UsageError

Cell = str | datetime
#: The spreadsheet forms read, by file name suffix.
SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}
#: A leads sheet is a few thousand reports; this bounds a hostile one.
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Sheet:
    """The header and the non-blank rows (``(row number, {header: cell})``) of a file."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, dict[str, Cell]]]


def read_sheet(path: Path) -> Sheet:
    """Read the first sheet of an xlsx workbook, or a CSV file (UTF-8, comma separated)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UsageError(
            f"{path}: not a leads spreadsheet (expected {', '.join(sorted(SUFFIXES))})"
        )
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    raw = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)
    return _sheet(path, raw)


def _sheet(path: Path, raw: Iterator[tuple[int, list[Cell]]]) -> Sheet:
    header_row = next(raw, None)
    if header_row is None:
        raise InputError("the file is empty: no header row", path=str(path), location="row 1")
    headers = [str(cell).strip() for cell in header_row[1]]
    while headers and not headers[-1]:
        headers.pop()
    seen: set[str] = set()
    for number, header in enumerate(headers, 1):
        if not header:
            raise InputError(
                f"column {number} of the header has no name", path=str(path), location="row 1"
            )
        if header in seen:
            raise InputError(
                f"column {header!r} appears twice in the header", path=str(path), location="row 1"
            )
        seen.add(header)
    rows: list[tuple[int, dict[str, Cell]]] = []
    for number, cells in raw:
        if number > MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows", path=str(path), location=f"row {number}")
        if not any(str(cell).strip() for cell in cells):
            continue
        if any(str(cell).strip() for cell in cells[len(headers) :]):
            raise InputError(
                "the row has more cells than the header has columns",
                path=str(path),
                location=f"row {number}",
            )
        rows.append((number, dict(zip(headers, cells, strict=False))))
    return Sheet(path, headers, rows)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                yield reader.line_num, [cell.strip() for cell in cells]
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=str(path)) from None
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file ({exc})", path=str(path)) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    """The first sheet's rows, read whole: openpyxl's warnings about styles and extensions
    it skips (nothing read here) are silenced while it reads, and only then."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise InputError(f"not an xlsx workbook ({exc})", path=str(path)) from None
        try:
            if not book.worksheets:
                raise InputError("the workbook has no sheet", path=str(path))
            found: list[tuple[int, list[Cell]]] = []
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                if number > MAX_ROWS + 1:  # the header and MAX_ROWS rows
                    break  # _sheet names the row past the limit
                found.append((number, [_cell(value) for value in values]))
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise InputError(f"a damaged xlsx sheet ({exc})", path=str(path)) from None
        finally:
            book.close()
    return iter(found)


def _cell(value: Any) -> Cell:
    """An xlsx cell as text, or as a datetime when the sheet stores a date or time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
