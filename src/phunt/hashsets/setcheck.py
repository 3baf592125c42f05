"""Checks of a set file's header (on every open) and of its structure (on verify).

The header is checked before any column is mapped, so a file whose header lies about an
offset or a shape is refused with a CorruptInput naming it instead of failing later in
numpy. The structural check reads every column once, in bounded chunks: it is what a
fetched copy and ``phunt hashset verify`` pay, never a plain open.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput
from phunt.hashsets.columns import fixed_width
from phunt.hashsets.setspool import in_order


class Opened(Protocol):
    """What the structural check reads of an opened set file (kept apart from SetFile,
    which imports this module)."""

    path: Path
    kinds: tuple[str, ...]
    schemes: tuple[str, ...]
    entry_numbers: npt.NDArray[np.int64]

    def __len__(self) -> int: ...
    def column(self, name: str) -> np.ndarray[Any, Any] | None: ...
    def has_column(self, name: str) -> bool: ...
    def digests(self, kind: str) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]]: ...


ALIGN = 64
CHUNK = 1 << 20
IDENTITY_WIDTH = 16
_DTYPES = {"<i8", "<u4", "<i4", "|u1"}
_VARIABLE = ("name", "extra")


def check_header(header: Any, size: int, header_end: int, where: str) -> None:
    """Refuse a header whose fields, columns, dtypes, shapes or offsets are not sound."""

    def bad(message: str) -> CorruptInput:
        return CorruptInput(message, path=where, location="header")

    if not isinstance(header, dict):
        raise bad("header is not an object")
    columns, n = header.get("columns"), header.get("entries")
    kinds, schemes, meta = header.get("kinds"), header.get("schemes"), header.get("meta")
    if not isinstance(columns, dict) or not isinstance(meta, dict):
        raise bad("header lacks its columns or meta")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise bad(f"entry count {n!r} is not a count")
    for name, values in (("kinds", kinds), ("schemes", schemes)):
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise bad(f"{name} is not a list of names")
    assert isinstance(kinds, list)
    if len(set(kinds)) != len(kinds):
        raise bad("a kind is listed twice")
    spans = [_span(name, spec, header_end, size, bad) for name, spec in columns.items()]
    spans.sort()
    for (_, end, name), (start, _, other) in itertools.pairwise(spans):
        if end > start:
            raise bad(f"columns {name} and {other} overlap")
    _check_expected(columns, n, kinds, bad)


def _span(name: Any, spec: Any, header_end: int, size: int, bad: Any) -> tuple[int, int, str]:
    if not isinstance(spec, dict):
        raise bad(f"column {name} has no description")
    dtype, shape, offset = spec.get("dtype"), spec.get("shape"), spec.get("offset")
    if dtype not in _DTYPES:
        raise bad(f"column {name} has dtype {dtype!r}")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in shape)
    ):
        raise bad(f"column {name} has shape {shape!r}")
    if not isinstance(offset, int) or offset < header_end or offset % ALIGN:
        raise bad(f"column {name} has offset {offset!r}")
    end = offset + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if end > size:
        raise bad(f"column {name} ends at {end}, past the end of the file ({size}); truncated?")
    return offset, end, str(name)


def _check_expected(columns: dict[str, Any], n: int, kinds: list[str], bad: Any) -> None:
    """Every column the layout needs is there with its dtype and shape; nothing else is."""
    expected: dict[str, tuple[set[str], list[int | None]]] = {
        "entry": ({"<i8"}, [n]),
        "record": ({"<u4", "<i8"}, [n]),
    }
    optional: dict[str, tuple[set[str], list[int | None]]] = {
        "category/code": ({"<i4"}, [n]),
        "category/scheme": ({"|u1"}, [n]),
        "identity": ({"|u1"}, [n, IDENTITY_WIDTH]),
    }
    for prefix in _VARIABLE:
        optional[f"{prefix}/offsets"] = ({"<i8"}, [n + 1])
        optional[f"{prefix}/bytes"] = ({"|u1"}, [None])
    for kind in kinds:
        if f"digest/{kind}" in columns:
            spec = columns[f"digest/{kind}"]
            m = spec["shape"][0]
            width = fixed_width(kind)
            expected[f"digest/{kind}"] = ({"|u1"}, [m if m <= n else -1, width or None])
            expected[f"row/{kind}"] = ({"<u4"}, [m])
        else:
            expected[f"text/{kind}/offsets"] = ({"<i8"}, [n + 1])
            expected[f"text/{kind}/bytes"] = ({"|u1"}, [None])
    for name, (dtypes, shape) in {**expected, **optional}.items():
        spec = columns.get(name)
        if spec is None:
            if name in expected:
                raise bad(f"column {name} is missing")
            continue
        fits = len(spec["shape"]) == len(shape) and all(
            want is None or want == got for want, got in zip(shape, spec["shape"], strict=True)
        )
        if spec["dtype"] not in dtypes or not fits or (len(shape) == 2 and spec["shape"][1] < 1):
            raise bad(f"column {name} is {spec['dtype']} {spec['shape']}, expected {shape}")
    for name in columns:
        if name not in expected and name not in optional:
            raise bad(f"unexpected column {name}")
    for prefix in (*_VARIABLE, "category"):
        pair = [name for name in optional if name.startswith(f"{prefix}/")]
        if sum(name in columns for name in pair) == 1:
            raise bad(f"column {pair[0]} comes without {pair[1]}")


def check_structure(opened: Opened) -> None:
    """Every invariant a lookup relies on, checked in chunks (O(n), flat memory)."""
    where = str(opened.path)
    n = len(opened)

    def bad(message: str) -> CorruptInput:
        return CorruptInput(message, path=where)

    numbers = opened.entry_numbers
    for start in range(0, n, CHUNK):
        part = numbers[max(start - 1, 0) : start + CHUNK]
        if np.any(part[1:] <= part[:-1]):
            raise bad("entry numbers are not sorted and unique")
    for kind in opened.kinds:
        digests, rows = opened.digests(kind)
        if not opened.has_column(f"digest/{kind}"):
            _check_offsets(opened, f"text/{kind}", bad)
            continue
        seen = np.zeros(n, dtype=np.bool_)
        for start in range(0, digests.shape[0], CHUNK):
            if not in_order(digests[max(start - 1, 0) : start + CHUNK]):
                raise bad(f"digests of {kind} are not sorted")
            at = rows[start : start + CHUNK]
            if at.shape[0] and int(at.max()) >= n:
                raise bad(f"a row of {kind} is out of range")
            seen[at] = True
        if int(np.count_nonzero(seen)) != rows.shape[0]:
            raise bad(f"a row carries {kind} twice")
    for prefix in _VARIABLE:
        _check_offsets(opened, prefix, bad)
    codes, schemes = opened.column("category/code"), opened.column("category/scheme")
    if codes is not None and schemes is not None:
        for start in range(0, n, CHUNK):
            code, scheme = codes[start : start + CHUNK], schemes[start : start + CHUNK]
            if np.any(code < -1) or np.any(scheme[code >= 0] >= len(opened.schemes)):
                raise bad("a category code or scheme index is out of range")


def _check_offsets(opened: Opened, prefix: str, bad: Any) -> None:
    offsets, data = opened.column(f"{prefix}/offsets"), opened.column(f"{prefix}/bytes")
    if offsets is None or data is None:
        return
    if int(offsets[0]) != 0 or int(offsets[-1]) != data.shape[0]:
        raise bad(f"{prefix} offsets do not span its bytes")
    for start in range(0, offsets.shape[0], CHUNK):
        part = offsets[max(start - 1, 0) : start + CHUNK]
        if np.any(part[1:] < part[:-1]):
            raise bad(f"{prefix} offsets go backwards")
