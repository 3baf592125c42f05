"""Text from evidence made safe for a terminal and for a spreadsheet.

File names, chat titles and message text come from the evidence, so an attacker chooses
them. A name holding ESC sequences or newlines could clear an examiner's screen or forge
lines of a listing; a CSV cell starting with ``=`` runs as a formula when a colleague
opens the export in a spreadsheet (OWASP, "CSV Injection"). Every human-readable output
passes names through :func:`printable`; every CSV writer passes cells through
:func:`csv_cell`.
"""

from __future__ import annotations

import unicodedata

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """``text`` with every control or format character shown as a visible escape.

    C0/C1 controls (ESC, newline, carriage return, backspace, DEL ...) and the
    bidirectional overrides (U+202A-U+202E, U+2066-U+2069) become ``\\x1b``, ``\\n``,
    ``\\u202e`` and so on, so one entry stays one line and reads in its stored order.
    Ordinary text, accents and non-Latin scripts pass unchanged.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula.

    Strings starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a
    leading apostrophe (OWASP's rule); numbers and ``None`` pass unchanged, so a negative
    number written as a number stays one. The apostrophe shows in a text editor, which is
    the price of the rule: the record says what the value was.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
