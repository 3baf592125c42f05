"""The account's own user from Telegram for Android's preferences, when cache4.db lacks it.

The client keeps the logged-in user in ``shared_prefs/userconfing.xml`` (the name is the
app's own spelling) beside ``files/``: a ``<string name="user">`` holding the ``User``
object's TL bytes in Base64. A phone whose ``users`` table has no row with the ``self``
flag still names its owner there. The XML is searched with a pattern, not parsed: only
that one value is wanted, and the file comes from the evidence.
"""

from __future__ import annotations

import base64
import binascii
import re

from phunt.chats.model import ChatExport
from phunt.chats.source import ChatSource
from phunt.chats.tl import TLError, TLObject, decode

PREFERENCES = "../shared_prefs/userconfing.xml"
_LIMIT = 1 << 20
_USER = re.compile(rb'<string name="user">([A-Za-z0-9+/=\s]+)</string>')


def own_user(source: ChatSource, export: ChatExport) -> TLObject | None:
    """The ``user`` object the preferences name; None (with a warning when the file is
    there but unreadable) otherwise."""
    try:
        stream = source.open(PREFERENCES)
        if stream is None:
            return None
        with stream:
            text = stream.read(_LIMIT)
    except OSError as exc:
        export.warn(source.describe(PREFERENCES), f"unreadable ({exc}); owner unknown")
        return None
    found = _USER.search(text)
    if found is None:
        return None
    try:
        user, _end = decode(base64.b64decode(found.group(1)), "User")
    except (binascii.Error, ValueError, TLError) as exc:
        export.warn(source.describe(PREFERENCES), f"undecodable user: {exc}; owner unknown")
        return None
    return user if user["_"] == "user" else None
