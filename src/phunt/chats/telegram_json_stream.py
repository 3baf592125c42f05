"""A pull reader for very large JSON files: Telegram's ``result.json`` runs to gigabytes.

Structural tokens (``{ } [ ] , :``) are read by hand and each value is decoded with
``json.JSONDecoder.raw_decode`` over a sliding buffer, so memory is bounded by the
largest single value (at most ``_MAX_VALUE`` characters), never the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from phunt.errors import CorruptInput
from phunt.json_limits import JsonTooDeep, decode_value

_CHUNK = 1 << 20
_MAX_VALUE = 256 << 20
_NON_BLANK = re.compile(r"[^ \t\r\n]")


class JsonStream:
    """Just enough of a pull parser: structural tokens by hand, values by ``raw_decode``."""

    def __init__(self, fh: TextIO, path: str) -> None:
        self._fh, self._path = fh, path
        self._buf, self._pos, self._base, self._eof = "", 0, 0, False
        self._decoder = json.JSONDecoder()

    @property
    def offset(self) -> int:
        """Character offset in the file, for error messages."""
        return self._base + self._pos

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._fh.read(max(_CHUNK, len(self._buf) - self._pos))
        except UnicodeDecodeError as exc:
            where = f"after character {self._base + len(self._buf)}"
            message = f"not UTF-8 text ({exc.reason})"
            raise CorruptInput(message, path=self._path, location=where) from None
        if not chunk:
            self._eof = True
            return False
        self._base += self._pos
        self._buf, self._pos = self._buf[self._pos :] + chunk, 0
        return True

    def peek(self) -> str:
        """Next non-blank character without consuming it; "" at end of file."""
        while True:
            found = _NON_BLANK.search(self._buf, self._pos)
            if found is not None:
                self._pos = found.start()
                return found.group()
            self._pos = len(self._buf)
            if not self._fill():
                return ""

    def take(self, expected: str, where: str) -> None:
        """Consume one structural character or fail with the position."""
        found = self.peek()
        if found != expected:
            raise self.corrupt(f"expected {expected!r}, found {found or 'end of file'!r}", where)
        self._pos += 1

    def value(self, where: str) -> Any:
        """Decode the next complete JSON value, reading more of the file as needed."""
        self.peek()
        while True:
            try:
                value, end = decode_value(self._decoder, self._buf, self._pos)
            except JsonTooDeep as exc:
                raise self.corrupt(str(exc), where) from None
            except json.JSONDecodeError as exc:
                truncated = exc.msg.startswith("Unterminated") or exc.pos >= len(self._buf) - 8
                if truncated and len(self._buf) - self._pos < _MAX_VALUE and self._fill():
                    continue
                raise self.corrupt(f"invalid JSON ({exc.msg})", where) from None
            if end == len(self._buf) and not self._eof and self._buf[self._pos] not in '"{[':
                self._fill()  # a number or literal may continue in the next chunk
                continue
            self._pos = end
            return value

    def items(self, where: str) -> Iterator[Any]:
        """Iterate an array; the caller consumes each element (``value`` or a nested walk)."""
        self.take("[", where)
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield None
            char = self.peek()
            if char == "]":
                self._pos += 1
                return
            if char != ",":
                raise self.corrupt(f"expected ',' or ']', found {char or 'end of file'!r}", where)
            self._pos += 1

    def keys(self, where: str) -> Iterator[str]:
        """Iterate an object's keys; the caller consumes each value."""
        self.take("{", where)
        first = True
        while True:
            if self.peek() == "}":
                self._pos += 1
                return
            if not first:
                self.take(",", where)
            first = False
            key = self.value(where)
            if not isinstance(key, str):
                raise self.corrupt("object key is not a string", where)
            self.take(":", where)
            yield key

    def corrupt(self, message: str, where: str) -> CorruptInput:
        return CorruptInput(message, path=self._path, location=f"{where}, offset {self.offset}")
