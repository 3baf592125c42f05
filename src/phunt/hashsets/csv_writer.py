"""Writes CSV that :class:`~phunt.hashsets.csv_list.CsvReader` reads back, to share a list.

One row per entry: a column per hash kind, then ``name``, ``category`` and
``category_scheme`` (each row carries its scheme, so codes keep their meaning), then any
``extra`` fields asked for.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from phunt.errors import UsageError
from phunt.hashsets.base import HashEntry
from phunt.hashsets.writers import HashListWriter, register_writer
from phunt.safe_text import csv_cell


@register_writer
class CsvWriter(HashListWriter):
    """CSV with every hash kind phunt knows as a column."""

    name = "csv"
    suffix = ".csv"

    def _write(
        self, entries: Iterable[HashEntry], out: TextIO, form: str, meta: Mapping[str, Any]
    ) -> int:
        return write_csv(entries, out)  # one flat form; header facts have no column


def write_csv(
    entries: Iterable[HashEntry],
    out: TextIO,
    *,
    kinds: Sequence[str] = ("md5", "sha1", "sha256", "pdq", "vpdq", "photodna"),
    extra_fields: Sequence[str] = (),
) -> int:
    """Write ``entries`` as CSV readable by :class:`CsvReader`; return how many.

    Columns: ``kinds``, ``name``, ``category``, ``category_scheme``, then ``extra_fields``
    (non-text extras as JSON). Names and extras come from whoever made the list: one
    starting with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe (OWASP). A hash
    of a kind without a column stops the export rather than being dropped. Open ``out``
    with ``newline=""``.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*kinds, "name", "category", "category_scheme", *extra_fields])
    count = 0
    for entry in entries:
        count += 1
        missing = set(entry.hashes) - set(kinds)
        if missing:
            raise UsageError(f"record {entry.record}: no column for {sorted(missing)}")
        category = entry.category
        writer.writerow(
            [
                *(entry.hashes.get(kind, "").replace("\n", ";") for kind in kinds),
                csv_cell(entry.name or ""),
                "" if category is None else category.code,
                "" if category is None else category.scheme,
                *(_cell(entry.extra.get(field)) for field in extra_fields),
            ]
        )
    return count


def _cell(value: Any) -> object:
    """A cell no spreadsheet runs as a formula (:func:`phunt.safe_text.csv_cell`)."""
    if value is None:
        return ""
    return csv_cell(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
