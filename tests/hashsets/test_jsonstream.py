from __future__ import annotations

import io
import json
from typing import Any

import pytest

from phunt.hashsets import jsonstream
from phunt.hashsets.jsonstream import JsonStream, JsonSyntaxError

DOCUMENT = {
    "@odata.context": "x#Media",
    "value": [
        {"a": 1, "b": [1, 2, {"c": "d\\n\u00e9"}]},
        12345678901234567890,
        -1.5e10,
        True,
        None,
        "text with , and ] inside",
        [],
        {},
    ],
    "tail": {"n": 0},
}


def walk(stream: JsonStream) -> dict[str, Any]:
    """Rebuild the document, streaming the ``value`` array element by element."""
    out: dict[str, Any] = {}
    for key in stream.object_keys():
        if key == "value":
            out[key] = [stream.value() for _ in stream.array_items()]
        else:
            out[key] = stream.value()
    stream.end()
    return out


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 16])
@pytest.mark.parametrize("indent", [None, 2])
def test_walk_rebuilds_the_document_whatever_the_buffer_edges(
    chunk_size: int, indent: int | None
) -> None:
    text = json.dumps(DOCUMENT, indent=indent, ensure_ascii=False)
    assert walk(JsonStream(io.StringIO(text), chunk_size=chunk_size)) == DOCUMENT


def test_empty_containers() -> None:
    stream = JsonStream(io.StringIO(' { "value" : [ ] } '))
    assert walk(stream) == {"value": []}
    assert walk(JsonStream(io.StringIO("{}"))) == {}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"value": [1, 2', "expected ',' or ']', found end of file", 1),
        ('{"value": [\n{"a": 1},\n{"a": ', "unexpected end of file (truncated?)", 3),
        ('{"value": [\n{"a": "unterminated', "unexpected end of file (truncated?)", 2),
        ('{"value": [\n1,\n2 3]}', "expected ',' or ']', found '3'", 3),
        ('{"value": [\n{"a" 1}]}', "Expecting ':' delimiter", 2),
        ('{"value": []} extra', "unexpected 'e' after the end", 1),
        ("[1]", "expected '{', found '['", 1),
        ("", "expected '{', found end of file", 1),
    ],
)
def test_errors_give_reason_and_line(text: str, message: str, line: int) -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        walk(JsonStream(io.StringIO(text), chunk_size=4))
    assert message in caught.value.reason
    assert caught.value.line == line


def test_malformed_value_is_reported_without_reading_the_rest() -> None:
    class Counting(io.StringIO):
        read_chars = 0

        def read(self, size: int | None = -1) -> str:
            chunk = super().read(size)
            self.read_chars += len(chunk)
            return chunk

    text = '{"value": [{"a": x}' + ", 1" * 100_000 + "]}"
    source = Counting(text)
    with pytest.raises(JsonSyntaxError, match="Expecting value"):
        walk(JsonStream(source, chunk_size=1024))
    assert source.read_chars < 10_000


def test_a_single_oversized_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "MAX_VALUE", 100)
    text = '{"value": ["' + "x" * 1000 + '"]}'
    with pytest.raises(JsonSyntaxError, match="larger than 100 characters"):
        walk(JsonStream(io.StringIO(text), chunk_size=16))
