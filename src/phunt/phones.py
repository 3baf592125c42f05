"""Phone numbers in E.164, the one form in which the same person matches across sources."""

from __future__ import annotations

import phonenumbers

from phunt.errors import UsageError

DEFAULT_REGION = "IN"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise ``raw`` to E.164 (``+919800000001``); raise UsageError if it is no number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise UsageError(f"not a phone number: {raw!r} ({exc})") from None
    if not phonenumbers.is_possible_number(number):
        raise UsageError(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
