"""The PhotoDNA kind: kept as Base64 whichever spelling a list uses, never matched."""

from __future__ import annotations

import base64

import pytest

from phunt.hashing.kinds import KINDS


def test_photodna_hex_and_base64_compare_equal() -> None:
    photodna = KINDS.get("photodna")
    raw = bytes(range(144))
    b64 = base64.b64encode(raw).decode()
    assert photodna.normalise(raw.hex().upper()) == b64 == photodna.normalise(b64)
    with pytest.raises(ValueError, match="must hold 144 bytes"):
        photodna.normalise("QUJD")
    with pytest.raises(ValueError, match="neither Base64"):
        photodna.normalise("not base64!")
    assert not photodna.matched
