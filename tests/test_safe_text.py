"""Evidence names cannot drive the terminal or a spreadsheet."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phunt.safe_text import csv_cell, printable


def test_escape_sequences_and_newlines_become_visible() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("one\ntwo\r") == "one\\ntwo\\r"
    assert printable("x\u202ey") == "x\\u202ey"


def test_ordinary_names_pass_unchanged() -> None:
    for name in ("IMG_0001.jpg", "ഫോട്ടോ 1.png", "Café photo.jpeg", "名前.txt"):
        assert printable(name) == name


@given(st.text())
def test_output_holds_no_control_or_format_character(text: str) -> None:
    hidden = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
    assert not any(unicodedata.category(ch) in hidden for ch in printable(text))


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert csv_cell(cell) == "'" + cell


def test_numbers_and_plain_text_pass() -> None:
    assert csv_cell(-5) == -5
    assert csv_cell(None) is None
    assert csv_cell("IMG_1.jpg") == "IMG_1.jpg"
