"""PhotoDNA: 144 bytes, given in lists as Base64 (or 288 hex digits); kept, not matched.

phunt cannot compute PhotoDNA (the algorithm is licensed), so its values are stored and
exported with their entries but no file is ever matched against them.
"""

from __future__ import annotations

import base64
import binascii

from phunt.hashing.kinds.base import HashKind, is_hex, register, shorten

_BYTES = 144


@register
class PhotoDnaKind(HashKind):
    name = "photodna"
    description = "PhotoDNA, 144 bytes as Base64; kept, not matched"

    def normalise(self, text: str) -> str:
        """The Base64 form, so both spellings of one value compare equal."""
        if len(text) == 2 * _BYTES and is_hex(text):
            return base64.b64encode(bytes.fromhex(text)).decode("ascii")
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise ValueError(
                f"photodna is neither Base64 nor 288 hex digits: {shorten(text)!r}"
            ) from None
        if len(raw) != _BYTES:
            raise ValueError(f"photodna must hold {_BYTES} bytes, got {len(raw)}")
        return text
