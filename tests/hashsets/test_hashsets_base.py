from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phunt.errors import UsageError
from phunt.hashsets.base import (
    HASH_KINDS,
    HEAD_SIZE,
    Category,
    check_scheme,
    head_lines,
    kind_of_hex,
    normalise_hash,
)
from phunt.hashsets.icse import IcseReader
from phunt.hashsets.plain import PlainReader

HEX = "0123456789abcdefABCDEF"


@pytest.mark.parametrize(
    ("kind", "length"), [("md5", 32), ("sha1", 40), ("sha256", 64), ("pdq", 64)]
)
def test_hex_kinds_are_lower_cased(kind: str, length: int) -> None:
    assert normalise_hash(kind, " " + "AB" * (length // 2) + "\n") == "ab" * (length // 2)


@given(
    kind=st.sampled_from(["md5", "sha1", "sha256", "pdq"]),
    text=st.text(alphabet=HEX, min_size=1, max_size=80),
)
def test_hex_kinds_accept_exactly_their_length(kind: str, text: str) -> None:
    length = HASH_KINDS[kind].hex_length
    if len(text) == length:
        assert normalise_hash(kind, text) == text.lower()
    else:
        with pytest.raises(ValueError, match=f"must be {length} hex digits, got {len(text)}"):
            normalise_hash(kind, text)


@given(kind=st.sampled_from(["md5", "sha1", "sha256"]), bad=st.sampled_from("gxz-+."))
def test_non_hex_is_refused(kind: str, bad: str) -> None:
    length = HASH_KINDS[kind].hex_length
    assert length is not None
    with pytest.raises(ValueError, match="not hexadecimal"):
        normalise_hash(kind, "a" * (length - 1) + bad)


def test_empty_value_is_refused() -> None:
    with pytest.raises(ValueError, match="empty md5"):
        normalise_hash("md5", "  ")


def test_photodna_hex_becomes_base64_and_base64_is_kept() -> None:
    raw = bytes(range(144))
    b64 = base64.b64encode(raw).decode()
    assert normalise_hash("photodna", raw.hex().upper()) == b64
    assert normalise_hash("photodna", b64) == b64
    with pytest.raises(ValueError, match="144 bytes, got 3"):
        normalise_hash("photodna", "QUJD")
    with pytest.raises(ValueError, match="neither Base64 nor 288 hex"):
        normalise_hash("photodna", "not base64!")


def test_vpdq_text_is_validated_and_lower_cased() -> None:
    frames = f"0,100,{'A' * 64},0.000;1,90,{'b' * 64},0.033"
    assert normalise_hash("vpdq", frames) == f"0,100,{'a' * 64},0.000\n1,90,{'b' * 64},0.033"
    # python-threatexchange writes seconds with format ".3" (1234.5 -> "1.23e+03").
    compact = json.dumps([f"{'A' * 64},100,0.0", f"{'b' * 64},90,1.23e+03"])
    assert normalise_hash("vpdq", compact) == f"0,100,{'a' * 64},0.0\n1,90,{'b' * 64},1.23e+03"
    with pytest.raises(ValueError, match="vpdq JSON list is malformed"):
        normalise_hash("vpdq", "[1,")
    with pytest.raises(ValueError, match="vpdq JSON must be a list of"):
        normalise_hash("vpdq", "[1]")
    with pytest.raises(ValueError, match="vpdq frame 2"):
        normalise_hash("vpdq", f"0,100,{'a' * 64},0.000\n1,90,{'b' * 63},0.033")


def test_opaque_kinds_are_kept_verbatim_but_need_a_proper_name() -> None:
    assert normalise_hash("url", " https://example.org/A ") == "https://example.org/A"
    with pytest.raises(ValueError, match="not a lower-case name"):
        normalise_hash("Bad Kind", "x")


def test_kind_of_hex_by_length_with_64_digits_sha256_unless_told() -> None:
    assert kind_of_hex("a" * 32) == "md5"
    assert kind_of_hex("a" * 40) == "sha1"
    assert kind_of_hex("a" * 64) == "sha256"
    assert kind_of_hex("a" * 64, wide="pdq") == "pdq"
    with pytest.raises(ValueError, match="33 characters"):
        kind_of_hex("a" * 33)


def test_head_lines_drops_a_cut_line_and_refuses_binary() -> None:
    head = (b"a" * 10 + b"\n") * (HEAD_SIZE // 11) + b"a" * (HEAD_SIZE % 11)
    lines = head_lines(head, limit=10**6)
    assert lines is not None and set(lines) == {"a" * 10}
    assert head_lines(b"abc\0def") is None
    assert head_lines(bytes(range(128, 256)) * 4) is None
    mostly_utf8 = b"caf\xe9.exe\n" + b"an ordinary line of text\n" * 10
    assert head_lines(mostly_utf8) == ["caf\ufffd.exe", *["an ordinary line of text"] * 10]


def test_category_is_a_value() -> None:
    assert Category(1, "vics-us-2.0") == Category(1, "vics-us-2.0")
    assert Category(0, "vics-us-2.0") != Category(0, "dhs-legacy")


def test_reader_options_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    with pytest.raises(UsageError, match="unknown category scheme 'dhs'"):
        PlainReader(path, category_scheme="dhs")
    with pytest.raises(UsageError, match="does not take a hash kind"):
        IcseReader(path, kind="pdq")
    with pytest.raises(UsageError, match="unknown hash kind"):
        PlainReader(path, kind="Not A Kind")


def test_scheme_names_are_checked() -> None:
    assert check_scheme(None) is None
    assert check_scheme("uk-caid") == "uk-caid"
    with pytest.raises(UsageError, match=r"choose from: vics-us-2\.0, dhs-legacy, uk-caid"):
        check_scheme("vics")
