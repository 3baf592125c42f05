"""Writing a set file: columns streamed into a temporary file, hashed, renamed to its hash.

Columns are written from arrays or from chunk generators (:class:`Column`), so a builder
can stream a column far larger than memory from its scratch files. The SHA-256 is taken
while writing and the file only gets its final name ``<sha256>.phs`` by an atomic rename:
a reader never sees a half-written set file under a real name.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from phunt.hashsets.setfile import ALIGN, FORMAT_VERSION, MAGIC, PREAMBLE, SUFFIX


@dataclass(frozen=True)
class Column:
    """A column written from chunks (consecutive rows), for columns kept on disk."""

    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    chunks: Callable[[], Iterable[np.ndarray[Any, Any]]]


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    size: int


def write_set_file(
    out_dir: Path,
    columns: Mapping[str, np.ndarray[Any, Any] | Column],
    *,
    kinds: Iterable[str],
    schemes: Iterable[str],
    meta: Mapping[str, Any],
) -> Written:
    """Write ``columns`` (which must include ``entry``) as ``out_dir/<sha256>.phs``."""
    specs = {name: _as_column(value) for name, value in columns.items()}
    entries = specs["entry"].shape[0]
    layout: dict[str, Any] = {
        "columns": {},
        "entries": entries,
        "kinds": list(kinds),
        "schemes": list(schemes),
        "meta": dict(meta),
    }
    header = _header(layout, specs)
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp = tempfile.mkstemp(prefix=".partial-", suffix=SUFFIX, dir=out_dir)
    try:
        with os.fdopen(handle, "wb") as stream:
            written = _write(stream, digest, header)
            for name, spec in specs.items():
                offset = layout["columns"][name]["offset"]
                written += _write(stream, digest, bytes(offset - written))
                written += _write_column(stream, digest, name, spec)
            stream.flush()
            os.fsync(stream.fileno())
        sha256 = digest.hexdigest()
        final = out_dir / f"{sha256}{SUFFIX}"
        os.replace(temp, final)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Written(path=final, sha256=sha256, size=written)


def _as_column(value: np.ndarray[Any, Any] | Column) -> Column:
    if isinstance(value, Column):
        return value
    array = np.ascontiguousarray(value)
    return Column(dtype=array.dtype, shape=tuple(array.shape), chunks=lambda: [array])


def _header(layout: dict[str, Any], specs: Mapping[str, Column]) -> bytes:
    """The preamble and JSON header, padded to where the first column starts.

    Offsets are absolute, and the header's length depends on their digits, so the start
    of the data is moved up until the header fits before it (two rounds at most).
    """
    start = ALIGN
    while True:
        offset = start
        for name, spec in specs.items():
            layout["columns"][name] = {
                "dtype": spec.dtype.str,
                "shape": list(spec.shape),
                "offset": offset,
            }
            nbytes = int(np.prod(spec.shape, dtype=np.int64)) * spec.dtype.itemsize
            offset += -(-nbytes // ALIGN) * ALIGN
        text = json.dumps(layout, sort_keys=True, separators=(",", ":")).encode("utf-8")
        needed = PREAMBLE + len(text)
        if needed <= start:
            text += b" " * (start - needed)
            return (
                MAGIC
                + FORMAT_VERSION.to_bytes(4, "little")
                + len(text).to_bytes(8, "little")
                + text
            )
        start = -(-needed // ALIGN) * ALIGN


def _write(stream: BinaryIO, digest: Any, data: bytes | memoryview) -> int:
    stream.write(data)
    digest.update(data)
    return len(data)


def _write_column(stream: BinaryIO, digest: Any, name: str, spec: Column) -> int:
    expected = int(np.prod(spec.shape, dtype=np.int64)) * spec.dtype.itemsize
    written = 0
    for chunk in spec.chunks():
        array = np.ascontiguousarray(chunk, dtype=spec.dtype)
        if array.size:
            written += _write(stream, digest, array.reshape(-1).data.cast("B"))
    if written != expected:
        raise ValueError(f"column {name} gave {written} bytes, its shape needs {expected}")
    return written
