"""Phone numbers in E.164, the one spelling in which the same person matches across sources.

Chats write numbers wrapped in bidi marks with no-break spaces, msgstore JIDs carry bare
digits with the country code, officers type them with spaces: everything goes through
:func:`to_e164` (default region India); callers keep the raw string too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phunt.errors import UsageError

DEFAULT_REGION = "IN"

# Bidi controls and invisible marks WhatsApp wraps around names and numbers.
INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"), None
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s\u00a0\u202f\u2009().-]{7,}$")


def clean(text: str) -> str:
    """Drop bidi/format marks and turn no-break and thin spaces into plain spaces."""
    if text.isascii():
        return text.strip()
    return text.translate(INVISIBLE).replace("\u00a0", " ").replace("\u202f", " ").strip()


def looks_like_phone(text: str) -> bool:
    """True when ``text`` (after :func:`clean`) is only digits and phone punctuation."""
    cleaned = clean(text)
    return bool(_PHONE_LIKE.match(cleaned)) and sum(c.isdigit() for c in cleaned) >= 7


@lru_cache(maxsize=65536)
def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of ``raw``, or None when it is not a valid number.

    ``region`` applies only to numbers written without a ``+`` country code.
    """
    cleaned = clean(raw)
    if not cleaned:
        return None
    import phonenumbers  # its metadata loads in ~0.03 s: only where a number is parsed

    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def from_jid_user(user: str) -> str | None:
    """E.164 from the user part of a WhatsApp JID (digits with country code, no ``+``)."""
    digits = user.split(":", 1)[0].split(".", 1)[0]
    if not digits.isdigit():
        return None
    return to_e164("+" + digits)


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """E.164 of a number someone typed in; a :class:`UsageError` when it is not one."""
    number = to_e164(raw, region)
    if number is None:
        raise UsageError(f"not a valid phone number: {raw!r}")
    return number
