"""The nesting limit every JSON reader in phunt decodes through."""

from __future__ import annotations

import json

import pytest

from phunt.json_limits import MAX_DEPTH, JsonTooDeep, decode_value, loads, nesting_depth


def test_100000_deep_is_refused_with_its_depth_not_a_recursion_error() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(JsonTooDeep, match="at least 100000 levels deep") as caught:
        loads(text)
    assert caught.value.depth == 100_000 and caught.value.pos == 0


def test_the_limit_is_exact_below_the_interpreters() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert nesting_depth(at_limit) == MAX_DEPTH
    assert loads(" " + at_limit + "\n") == json.loads(at_limit)
    over = '{"a": ' + at_limit + "}"
    with pytest.raises(JsonTooDeep, match=f"nested {MAX_DEPTH + 1} levels deep") as caught:
        loads(over)
    assert caught.value.depth == MAX_DEPTH + 1


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"text": "[" * 500 + '\\"{' * 300, "list": [[1], {"b": [2]}]})
    assert nesting_depth(text) == 4  # the object, "list", {"b": ...} and [2]
    assert loads(text)["list"] == [[1], {"b": [2]}]


def test_decode_value_keeps_raw_decodes_contract() -> None:
    decoder = json.JSONDecoder()
    text = 'xx{"id": 7, "t": [1, 2]} , 5'
    assert decode_value(decoder, text, 2) == ({"id": 7, "t": [1, 2]}, 24)
    with pytest.raises(json.JSONDecodeError):
        decode_value(decoder, "[1, 2", 0)


def test_loads_refuses_trailing_data_as_json_does() -> None:
    with pytest.raises(json.JSONDecodeError, match="Extra data"):
        loads("[1] [2]")
    with pytest.raises(ValueError):
        loads("")
