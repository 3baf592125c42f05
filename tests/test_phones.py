from __future__ import annotations

import pytest

from phunt.errors import UsageError
from phunt.phones import to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("98470 00001", "+919847000001"),
        ("+91 98470-00001", "+919847000001"),
        ("09847000001", "+919847000001"),
        ("+44 20 7946 0000", "+442079460000"),
    ],
)
def test_normalises_to_e164(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize("raw", ["hello", "12", ""])
def test_rejects_non_numbers(raw: str) -> None:
    with pytest.raises(UsageError, match="phone number"):
        to_e164(raw)
