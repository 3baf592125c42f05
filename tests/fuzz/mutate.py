"""Hypothesis strategies that damage real seed files the way evidence gets damaged.

Byte-level mutations (bit flips, "interesting" values, truncation, deleted, duplicated or
inserted runs, splices of two seeds) work on any format; positions are biased towards the
head and the tail, where headers, directories and trailers live. Structure-aware
generators (JSON with odd types, CSV with odd columns, text with odd lines) reach the
readers' later branches, which random bytes rarely get past a parser to see.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

#: Values that break length fields and counters.
INTERESTING = (
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\x00\x00\x00\x00",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x80\x00\x00\x00",
    b"\xff\xff\xff\xff\xff\xff\xff\xff",
    b"\x00\x00\x01\x00",
)

Mutation = Callable[[bytes], bytes]


@st.composite
def _position(draw: st.DrawFn, size: int, focus: int) -> int:
    """An offset in ``[0, size)``: in the first or last ``focus`` bytes, or anywhere."""
    if size <= 1:
        return 0
    where = draw(st.sampled_from(("head", "tail", "any")))
    if where == "head":
        return draw(st.integers(0, min(size, focus) - 1))
    if where == "tail":
        return draw(st.integers(max(0, size - focus), size - 1))
    return draw(st.integers(0, size - 1))


@st.composite
def _mutate_once(draw: st.DrawFn, data: bytes, seeds: Sequence[bytes], focus: int) -> bytes:
    if not data:
        return draw(st.binary(max_size=64))
    op = draw(
        st.sampled_from(
            ("flip", "set", "interesting", "truncate", "delete", "duplicate", "insert", "splice")
        )
    )
    at = draw(_position(len(data), focus))
    if op == "flip":
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
    if op == "set":
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    if op == "interesting":
        value = draw(st.sampled_from(INTERESTING))
        return data[:at] + value + data[at + len(value) :]
    if op == "truncate":
        return data[:at]
    if op == "delete":
        return data[:at] + data[at + draw(st.integers(1, 64)) :]
    if op == "duplicate":
        run = data[at : at + draw(st.integers(1, 256))]
        return data[:at] + run * draw(st.integers(2, 8)) + data[at:]
    if op == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=32)) + data[at:]
    other = draw(st.sampled_from(list(seeds)))
    cut = draw(st.integers(0, len(other)))
    return data[:at] + other[cut:]


def mutated(
    seeds: Sequence[bytes], *, focus: int = 4096, max_steps: int = 6
) -> st.SearchStrategy[bytes]:
    """A seed with 0 to ``max_steps`` mutations applied one after the other."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = draw(st.sampled_from(list(seeds)))
        for _ in range(draw(st.integers(0, max_steps))):
            data = draw(_mutate_once(data, seeds, focus))
        return data

    return build()


# ------------------------------------------------------------------ structure-aware

_ODD_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "0", "-1", "1e400", "2024-13-45T25:61:61", "\u202e", "a" * 300]),
)
_ODD_VALUES: st.SearchStrategy[Any] = st.recursive(
    _ODD_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _replace_in_json(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one node somewhere replaced by a value of another type."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        out = dict(value)
        choice = draw(st.sampled_from(("descend", "replace", "drop")))
        if choice == "drop":
            del out[key]
        elif choice == "replace":
            out[key] = draw(_ODD_VALUES)
        else:
            out[key] = draw(_replace_in_json(value[key]))
        return out
    if isinstance(value, list) and value and draw(st.booleans()):
        at = draw(st.integers(0, len(value) - 1))
        out_list = list(value)
        choice = draw(st.sampled_from(("descend", "replace", "drop", "repeat")))
        if choice == "drop":
            del out_list[at]
        elif choice == "replace":
            out_list[at] = draw(_ODD_VALUES)
        elif choice == "repeat":
            out_list.insert(at, out_list[at])
        else:
            out_list[at] = draw(_replace_in_json(value[at]))
        return out_list
    return draw(_ODD_VALUES)


def json_variants(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """Valid JSON shaped like a seed, with a few nodes of unexpected type or missing."""
    documents = [json.loads(seed.decode("utf-8-sig")) for seed in seeds]

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        doc = draw(st.sampled_from(documents))
        for _ in range(draw(st.integers(1, 4))):
            doc = draw(_replace_in_json(doc))
        return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")

    return build()


_ODD_FIELDS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            '"',
            '""',
            '"a,b"',
            "\t",
            "-1",
            "99999999999999999999",
            "1e5",
            "ff" * 16,
            "ff" * 32,
            "ff" * 20,
            "ff" * 72,
            "\x00",
            "\u00b2",
            "=cmd",
            "NaN",
            " ",
            "\r",
        ]
    ),
)


def line_variants(seeds: Sequence[bytes], *, separators: str = ",;\t|") -> st.SearchStrategy[bytes]:
    """A text seed with lines dropped, repeated, or with odd fields and columns."""
    texts = [seed.decode("utf-8", "replace").splitlines() for seed in seeds]

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        lines = list(draw(st.sampled_from(texts)))
        for _ in range(draw(st.integers(1, 4))):
            if not lines:
                lines.append(draw(_ODD_FIELDS))
                continue
            at = draw(st.integers(0, len(lines) - 1))
            sep = draw(st.sampled_from(separators))
            op = draw(st.sampled_from(("field", "add-column", "drop-column", "drop", "repeat")))
            fields = lines[at].split(sep)
            if op == "field":
                fields[draw(st.integers(0, len(fields) - 1))] = draw(_ODD_FIELDS)
                lines[at] = sep.join(fields)
            elif op == "add-column":
                lines[at] = sep.join([*fields, draw(_ODD_FIELDS)])
            elif op == "drop-column":
                lines[at] = sep.join(fields[:-1])
            elif op == "drop":
                del lines[at]
            else:
                lines.insert(at, lines[at])
        ending = draw(st.sampled_from(("\n", "\r\n", "\r")))
        return ending.join(lines).encode("utf-8", "surrogatepass")

    return build()
