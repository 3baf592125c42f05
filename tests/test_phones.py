"""Phone spellings normalised to E.164 with India as the default region."""

from __future__ import annotations

import pytest

from phunt.errors import UsageError
from phunt.phones import clean, from_jid_user, looks_like_phone, parse_phone, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("\u202a+91\u00a098000\u00a000001\u202c", "+919800000001"),
        ("98000 00001", "+919800000001"),
        ("+44 20 7946 0000", "+442079460000"),
        ("12345", None),
        ("Asha", None),
        ("", None),
    ],
)
def test_to_e164(raw: str, e164: str | None) -> None:
    assert to_e164(raw) == e164


def test_jid_and_shape() -> None:
    assert from_jid_user("919800000001") == "+919800000001"
    assert from_jid_user("919800000001:12") == "+919800000001"  # device suffix
    assert from_jid_user("123456789012345") is None  # a LID, not a number
    assert looks_like_phone("\u202a+91\u00a098000\u00a000001\u202c")
    assert not looks_like_phone("Ward 7 Residents")
    assert clean("\u200eAsha\u202fMenon ") == "Asha Menon"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("98470 00001", "+919847000001"),
        ("+91 98470-00001", "+919847000001"),
        ("09847000001", "+919847000001"),
    ],
)
def test_parse_phone_typed_by_an_officer(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["hello", "12", ""])
def test_parse_phone_rejects_non_numbers(raw: str) -> None:
    with pytest.raises(UsageError, match="not a valid phone number"):
        parse_phone(raw)
