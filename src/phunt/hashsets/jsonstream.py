"""A small incremental JSON walker: one value at a time from a buffered text stream.

VICS files run to gigabytes, and the standard library parses a document only whole. This
walker steps through the containers the caller names (the envelope object, its ``value``
array, a case's ``Media`` array) and hands every element to ``json.JSONDecoder.raw_decode``
on its own, so memory is bounded by the read buffer plus the largest single record, and
nesting by ``phunt.json_limits``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from phunt.json_limits import JsonTooDeep, decode_value

_WHITESPACE = " \t\n\r"
_EDGE = 32
MAX_VALUE = 256 * 1024 * 1024
"""Largest single value (one record) read, in characters: bounds memory on hostile input."""


class JsonSyntaxError(ValueError):
    """Malformed or truncated JSON at ``line`` (1-based)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"{message} (line {line})")
        self.reason = message
        self.line = line


class JsonStream:
    """Cursor over a JSON text; the caller walks containers and takes whole values."""

    def __init__(self, text: TextIO, *, chunk_size: int = 1 << 16) -> None:
        self._text = text
        self._chunk = chunk_size
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_dropped = 0
        self._decoder = json.JSONDecoder()

    @property
    def line(self) -> int:
        """Line of the cursor, for error messages."""
        return self._lines_dropped + self._buf.count("\n", 0, self._pos) + 1

    def error(self, message: str) -> JsonSyntaxError:
        return JsonSyntaxError(message, self.line)

    def _fill(self, at_least: int) -> bool:
        """Read at least ``at_least`` more characters (fewer at EOF); False if none came."""
        if self._eof:
            return False
        more = self._text.read(max(at_least, self._chunk))
        if not more:
            self._eof = True
            return False
        if self._pos:
            self._lines_dropped += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += more
        return True

    def peek(self) -> str:
        """Next non-whitespace character without consuming it; ``""`` at end of input."""
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._fill(self._chunk):
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            what = repr(found) if found else "end of file (truncated?)"
            raise self.error(f"expected {char!r}, found {what}")
        self._pos += 1

    def value(self) -> Any:
        """Parse and consume one complete JSON value."""
        if not self.peek():
            raise self.error("unexpected end of file (truncated?)")
        while True:
            try:
                result, end = decode_value(self._decoder, self._buf, self._pos)
            except JsonTooDeep as error:
                line = self._lines_dropped + self._buf.count("\n", 0, error.pos) + 1
                raise JsonSyntaxError(str(error), line) from None
            except json.JSONDecodeError as error:
                # Incomplete rather than malformed if the failure is at the buffer's end
                # (an unterminated string reports its start): read more and try again.
                if _maybe_cut(error, len(self._buf)) and self._grow():
                    continue
                reason = error.msg
                if _maybe_cut(error, len(self._buf)):
                    reason = f"unexpected end of file (truncated?): {reason}"
                raise JsonSyntaxError(
                    reason, self._lines_dropped + self._buf.count("\n", 0, error.pos) + 1
                ) from None
            # A number ending near the buffer edge may go on in the next read ("-1" of
            # "-1.5e10"), so it is only taken once a delimiter or the end of input follows.
            if end > len(self._buf) - _EDGE and self._fill(self._chunk):
                continue
            self._pos = end
            return result

    def _grow(self) -> bool:
        """Double the unparsed text, refusing single values beyond :data:`MAX_VALUE`."""
        pending = len(self._buf) - self._pos
        if pending > MAX_VALUE:
            raise self.error(f"a single JSON value is larger than {MAX_VALUE} characters")
        return self._fill(pending)

    def key(self) -> str:
        if self.peek() != '"':
            raise self.error("expected an object key")
        key = self.value()
        self.expect(":")
        assert isinstance(key, str)
        return key

    def object_keys(self) -> Iterator[str]:
        """Yield each key of the object at the cursor; the caller consumes its value."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            yield self.key()
            if self._separator("}"):
                return

    def array_items(self) -> Iterator[int]:
        """Yield 0, 1, ... per element of the array at the cursor; the caller consumes it."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            if self._separator("]"):
                return

    def _separator(self, close: str) -> bool:
        """Consume ``,`` (False: more follows) or ``close`` (True: container ended)."""
        found = self.peek()
        self._pos += 1 if found else 0
        if found == ",":
            return False
        if found == close:
            return True
        what = repr(found) if found else "end of file (truncated?)"
        raise self.error(f"expected ',' or {close!r}, found {what}")

    def end(self) -> None:
        """Check that only whitespace follows the document."""
        found = self.peek()
        if found:
            raise self.error(f"unexpected {found!r} after the end of the document")


def _maybe_cut(error: json.JSONDecodeError, size: int) -> bool:
    return error.pos >= size - _EDGE or error.msg.startswith("Unterminated string")
