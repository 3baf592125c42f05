"""The writer registry: one class per format, names unique, unknown names refused."""

from __future__ import annotations

import io
import json

import pytest

from phunt.errors import UsageError
from phunt.hashsets import WRITERS, CsvWriter, PlainWriter, VicsWriter
from phunt.hashsets.base import HashEntry
from phunt.hashsets.writers import register_writer


class _Duplicate(CsvWriter):
    """A second writer under a taken name."""

    suffix = ".txt"


def test_every_format_is_one_registered_class() -> None:
    assert WRITERS.names() == ["csv", "plain", "vics"]
    assert WRITERS.get("csv") is CsvWriter and WRITERS.get("vics") is VicsWriter
    assert WRITERS.get("plain") is PlainWriter
    assert [WRITERS.get(n).suffix for n in WRITERS.names()] == [".csv", ".txt", ".json"]


def test_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="hash-list export format 'csv' is already registered"):
        register_writer(_Duplicate)
    assert WRITERS.get("csv") is CsvWriter


def test_an_unknown_name_lists_the_choices() -> None:
    with pytest.raises(
        UsageError, match=r"unknown hash-list export format 'xml' \(choose from: csv, plain, vics\)"
    ):
        WRITERS.get("xml")


def test_vics_writer_checks_its_form() -> None:
    entry = HashEntry({"md5": "ab" * 16}, None, 1, "a.png")
    out = io.StringIO()
    assert VicsWriter().write([entry], out, form="case") == 1
    assert json.loads(out.getvalue())["value"][0]["Media"][0]["MD5"] == "AB" * 16
    with pytest.raises(
        UsageError, match=r"unknown vics form 'folder' \(choose from: hashset, case\)"
    ):
        VicsWriter().write([entry], io.StringIO(), form="folder")
