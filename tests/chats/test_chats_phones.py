"""Phone spellings from chats normalised to E.164 with India as the default region."""

from __future__ import annotations

import pytest

from phunt.chats.phones import clean, from_jid_user, looks_like_phone, to_e164


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
