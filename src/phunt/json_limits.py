"""Nesting limits for every JSON value phunt decodes from evidence or hash lists.

The standard library's decoder recurses once per nested array or object, so a file of
100,000 ``[`` characters ends in ``RecursionError``, which no reader catches and which
stopped a whole device's ingest. Every JSON reader in phunt decodes through
:func:`decode_value` or :func:`loads`, which refuse a value nested deeper than
:data:`MAX_DEPTH` with :class:`JsonTooDeep` (a ``ValueError``, so readers that already
turn malformed JSON into ``CorruptInput`` need nothing new), naming the depth found.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_DEPTH: Final = 100
"""Deepest nesting of arrays and objects read. Telegram exports, VICS and ThreatExchange
lists nest fewer than 10 levels; Python's own limit lies near 1,000, below which the
decoder must stop first."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonTooDeep(ValueError):
    """A JSON value nested deeper than :data:`MAX_DEPTH`; ``pos`` is where it starts."""

    def __init__(self, depth: int, pos: int, *, at_least: bool) -> None:
        found = f"at least {depth}" if at_least else str(depth)
        super().__init__(f"JSON nested {found} levels deep, over phunt's limit of {MAX_DEPTH}")
        self.depth = depth
        self.pos = pos


def nesting_depth(text: str, start: int = 0, end: int | None = None) -> int:
    """The deepest nesting of arrays and objects in ``text[start:end]``, strings skipped."""
    depth = deepest = 0
    for token in _TOKENS.finditer(text, start, len(text) if end is None else end):
        char = token.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def decode_value(decoder: json.JSONDecoder, text: str, pos: int = 0) -> tuple[Any, int]:
    """``decoder.raw_decode(text, pos)``, refusing values nested deeper than MAX_DEPTH.

    The depth is counted only when the value holds more than MAX_DEPTH brackets at all
    (two C-speed counts), so ordinary records cost nothing extra. A value so deep that the
    decoder itself gives up is measured in what the buffer holds ("at least").
    """
    try:
        value, end = decoder.raw_decode(text, pos)
    except RecursionError:
        raise JsonTooDeep(nesting_depth(text, pos), pos, at_least=True) from None
    if text.count("[", pos, end) + text.count("{", pos, end) > MAX_DEPTH:
        depth = nesting_depth(text, pos, end)
        if depth > MAX_DEPTH:
            raise JsonTooDeep(depth, pos, at_least=False)
    return value, end


_DECODER = json.JSONDecoder()


def loads(text: str) -> Any:
    """``json.loads`` with the nesting limit; ``ValueError`` for malformed or too deep."""
    value, end = decode_value(_DECODER, text, len(text) - len(text.lstrip()))
    if text[end:].strip():
        raise json.JSONDecodeError("Extra data", text, end)
    return value
