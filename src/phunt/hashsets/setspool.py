"""Scratch files of a set-file build: spooled columns, buckets, and the sort they need.

A list of forty million entries does not fit the memory an import may use, so a build
spools every column to its scratch folder and reads it back in chunks. Sorting is done
bucket by bucket: rows are partitioned by the leading bits of their key into files small
enough to sort in memory, and the buckets, taken in order, are the sorted whole. Files
are read with plain reads, never mapped, so the pages read do not count against the
process.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = np.ndarray[Any, Any]
MAX_BUCKET_BITS = 12
"""At most 4096 bucket files: each of 40M rows' buckets still holds only ~10,000 rows."""


class Allowance:
    """Bytes of scratch data a build may keep in memory rather than write to its folder.

    Disks are slow next to memory (writing a spool costs more than sorting it), so
    scratch data stays in memory while the build's budget allows and only the rest goes
    to disk: a list that fits is built without scratch files at all.
    """

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True

    def give(self, size: int) -> None:
        self.left += size


class Spool:
    """Rows of one dtype (``width`` values a row, or scalars), appended then read back.

    Rows are held in memory while ``allowance`` lets them, then the whole spool moves to
    its file and stays there.
    """

    def __init__(
        self, path: Path, dtype: Any, width: int | None = None, allowance: Allowance | None = None
    ) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.width = width
        self.rows = 0
        self.allowance = allowance
        self._held: list[Array] | None = [] if allowance is not None else None
        self._held_bytes = 0
        self._starts = [0]
        path.write_bytes(b"")

    @property
    def row_bytes(self) -> int:
        return int(self.dtype.itemsize) * (self.width or 1)

    def append(self, values: Array) -> None:
        array = np.ascontiguousarray(values, dtype=self.dtype)
        count = int(array.shape[0])
        if not count:
            return
        if (
            self._held is not None
            and self.allowance is not None
            and self.allowance.take(array.nbytes)
        ):
            self._held.append(array)
            self._held_bytes += array.nbytes
            self._starts.append(self._starts[-1] + count)
        else:
            self._spill()
            with self.path.open("ab") as stream:
                stream.write(array.reshape(-1).data.cast("B"))
        self.rows += count

    def _spill(self) -> None:
        """Move the rows held in memory to the file (the allowance ran out)."""
        if self._held is None:
            return
        with self.path.open("ab") as stream:
            for array in self._held:
                stream.write(array.reshape(-1).data.cast("B"))
        self.release_memory()

    def release_memory(self) -> None:
        if self.allowance is not None:
            self.allowance.give(self._held_bytes)
        self._held, self._held_bytes, self._starts = None, 0, [0]

    def discard(self) -> None:
        """Forget every row (a spool read for the last time), memory and file."""
        self.release_memory()
        self.path.unlink(missing_ok=True)

    def fill(self, rows: int, value: Any, chunk: int) -> None:
        """Append ``rows`` rows all equal to ``value`` (a column that starts late)."""
        for start in range(0, rows, chunk):
            count = min(chunk, rows - start)
            self.append(np.full((count, self.width) if self.width else count, value, self.dtype))

    def write_at(self, row: int, values: Array) -> None:
        """Write rows starting at ``row`` (identities computed after their rows)."""
        self._spill()
        array = np.ascontiguousarray(values, dtype=self.dtype)
        with self.path.open("r+b") as stream:
            stream.seek(row * self.row_bytes)
            stream.write(array.reshape(-1).data.cast("B") if array.size else b"")

    def read(self, start: int, stop: int) -> Array:
        stop = min(stop, self.rows)
        if self._held is not None:
            pieces = []
            first = max(0, int(np.searchsorted(self._starts, start, side="right")) - 1)
            for index in range(first, len(self._held)):
                begin = self._starts[index]
                if begin >= stop:
                    break
                pieces.append(self._held[index][max(0, start - begin) : stop - begin])
            if len(pieces) == 1:
                return pieces[0]
            if pieces:
                return np.concatenate(pieces)
            empty = (0, self.width) if self.width else (0,)
            return np.zeros(empty, dtype=self.dtype)
        count = max(0, stop - start)
        values = np.fromfile(
            self.path,
            dtype=self.dtype,
            count=count * (self.width or 1),
            offset=start * self.row_bytes,
        )
        return values.reshape(-1, self.width) if self.width else values

    def chunks(self, rows: int) -> Iterator[tuple[int, Array]]:
        """(first row, values) of consecutive chunks of ``rows`` rows."""
        for start in range(0, self.rows, rows):
            yield start, self.read(start, start + rows)


class VarSpool:
    """Variable-length values (UTF-8 texts): a length a row and the bytes one after another."""

    def __init__(self, folder: Path, name: str, allowance: Allowance | None = None) -> None:
        self.lengths = Spool(folder / f"{name}.len", np.int64, allowance=allowance)
        self.data = Spool(folder / f"{name}.bytes", np.uint8, allowance=allowance)

    @property
    def rows(self) -> int:
        return self.lengths.rows

    def append(self, values: list[str | None] | list[bytes]) -> None:
        encoded = [
            b"" if value is None else value if isinstance(value, bytes) else value.encode()
            for value in values
        ]
        self.lengths.append(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
        self.data.append(np.frombuffer(b"".join(encoded), dtype=np.uint8))

    def append_raw(self, lengths: Array, data: Array) -> None:
        self.lengths.append(lengths)
        self.data.append(data)

    def chunks(self, rows: int) -> Iterator[tuple[int, Array, Array]]:
        """(first row, lengths, bytes) of consecutive chunks of rows."""
        at = 0
        for start, lengths in self.lengths.chunks(rows):
            size = int(lengths.sum())
            yield start, lengths, self.data.read(at, at + size)
            at += size


def bucket_bits(total_bytes: int, target: int) -> int:
    """Leading key bits that split ``total_bytes`` into buckets of about ``target`` bytes."""
    if total_bytes <= target:
        return 0
    return min(MAX_BUCKET_BITS, math.ceil(math.log2(total_bytes / target)))


def bucket_of(keys: npt.NDArray[np.uint8], bits: int) -> npt.NDArray[np.int64]:
    """The bucket of each key: its leading ``bits`` bits (keys are at least 2 bytes)."""
    lead = keys[:, 0].astype(np.int64) << 8 | keys[:, 1].astype(np.int64)
    return lead >> (16 - bits)


class Buckets:
    """Rows partitioned by bucket, each field of a bucket kept apart.

    Buckets stay in memory while ``allowance`` lets them (or, with no allowance, when
    there is only one); otherwise every bucket and field is a file appended to chunk by
    chunk.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        bits: int,
        fields: Mapping[str, Any],
        allowance: Allowance | None = None,
    ) -> None:
        self.folder = folder
        self.name = name
        self.count = 1 << bits
        self.fields = {
            field: (np.dtype(spec[0]), spec[1][0] if len(spec) > 1 else None)
            for field, spec in fields.items()
        }
        self.sizes = np.zeros(self.count, dtype=np.int64)
        self._row_bytes = sum(d.itemsize * (w or 1) for d, w in self.fields.values())
        self._allowance = allowance
        self._held: list[list[dict[str, Array]]] | None = [[] for _ in range(self.count)]
        self._held_bytes = 0
        if allowance is None and bits:
            self._held = None

    def _path(self, bucket: int, field: str) -> Path:
        return self.folder / f"{self.name}.{bucket}.{field}"

    def add(self, buckets: npt.NDArray[np.int64], **columns: Array) -> None:
        """Append rows to their buckets, keeping their order within each bucket."""
        columns = {
            field: np.asarray(values, dtype=self.fields[field][0])
            for field, values in columns.items()
        }
        if self.count > 1:
            order = np.argsort(buckets.astype(np.uint16), kind="stable")
            columns = {field: take(values, order) for field, values in columns.items()}
        counts = np.bincount(buckets, minlength=self.count)
        edges = np.concatenate([[0], np.cumsum(counts)]).tolist()
        self.sizes += counts
        size = sum(int(values.nbytes) for values in columns.values())
        filled = np.nonzero(counts)[0].tolist()
        if self._held is not None and (self._allowance is None or self._allowance.take(size)):
            self._held_bytes += size
            for bucket in filled:
                part = {f: v[edges[bucket] : edges[bucket + 1]] for f, v in columns.items()}
                self._held[bucket].append(part)
            return
        self._spill()
        for bucket in filled:
            for field, values in columns.items():
                with self._path(bucket, field).open("ab") as stream:
                    stream.write(
                        np.ascontiguousarray(values[edges[bucket] : edges[bucket + 1]]).data
                    )

    def _spill(self) -> None:
        if self._held is None:
            return
        for bucket, parts in enumerate(self._held):
            for field in self.fields:
                if parts:
                    with self._path(bucket, field).open("ab") as stream:
                        for part in parts:
                            stream.write(np.ascontiguousarray(part[field]).data)
        if self._allowance is not None:
            self._allowance.give(self._held_bytes)
        self._held, self._held_bytes = None, 0

    def load(self, bucket: int) -> dict[str, Array]:
        """The fields of one bucket's rows, each a contiguous array, in the order added."""
        loaded: dict[str, Array] = {}
        for field, (dtype, width) in self.fields.items():
            if self._held is not None:
                parts = [part[field] for part in self._held[bucket]]
                values = np.concatenate(parts) if parts else np.zeros(0, dtype)
            elif self.sizes[bucket]:
                values = np.fromfile(self._path(bucket, field), dtype=dtype)
                self._path(bucket, field).unlink()
            else:
                values = np.zeros(0, dtype)
            loaded[field] = values.reshape(-1, width) if width else values
        if self._held is not None:
            self._held[bucket] = []
            size = int(self.sizes[bucket]) * self._row_bytes
            self._held_bytes -= size
            if self._allowance is not None:
                self._allowance.give(size)
        return loaded


def take(values: Array, index: Array) -> Array:
    """``values[index]`` for 1-D or (n, w) arrays; rows are moved as single items."""
    if values.ndim != 2 or values.shape[1] == 0:
        return values[index]
    width = values.shape[1]
    items = np.ascontiguousarray(values).view(f"V{width * values.dtype.itemsize}").reshape(-1)
    return items[index].view(values.dtype).reshape(-1, width)


def key_words(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Keys as big-endian 64-bit words (zero-padded): integer order is byte order."""
    n, width = keys.shape
    if width % 8:
        keys = np.concatenate([keys, np.zeros((n, 8 - width % 8), dtype=np.uint8)], axis=1)
    return np.ascontiguousarray(keys).view(">u8").astype(np.uint64)


def sort_keys(keys: npt.NDArray[np.uint8], tiebreak: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Order of rows by (key bytes, tiebreak).

    Sorting on the first eight bytes as one integer is several times faster than sorting
    byte strings; only rows whose first eight bytes tie (duplicates, mostly) are sorted
    again on their whole key.
    """
    n = keys.shape[0]
    words = key_words(keys)
    order = np.argsort(words[:, 0])
    lead = words[order, 0]
    tie = lead[1:] == lead[:-1]
    if not tie.any():
        return order
    tied = np.zeros(n, dtype=np.bool_)
    tied[1:] |= tie
    tied[:-1] |= tie
    sub = order[tied]
    columns = [tiebreak[sub]] + [words[sub, i] for i in range(words.shape[1] - 1, -1, -1)]
    order[tied] = sub[np.lexsort(columns)]
    return order


def in_order(keys: npt.NDArray[np.uint8]) -> bool:
    """Whether (n, w) byte rows are in non-decreasing byte order (compared as words)."""
    if keys.shape[0] < 2:
        return True
    words = key_words(keys)
    before, after = words[:-1], words[1:]
    smaller = np.zeros(before.shape[0], dtype=np.bool_)
    equal = np.ones(before.shape[0], dtype=np.bool_)
    for column in range(words.shape[1]):
        smaller |= equal & (before[:, column] < after[:, column])
        equal &= before[:, column] == after[:, column]
    return bool(np.all(smaller | equal))


def first_of_each(sorted_keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Which rows of sorted keys differ from the row before (the first of each key)."""
    first = np.ones(sorted_keys.shape[0], dtype=np.bool_)
    if sorted_keys.shape[0] > 1:
        words = key_words(sorted_keys)
        differs = words[1:, 0] != words[:-1, 0]
        for column in range(1, words.shape[1]):
            differs |= words[1:, column] != words[:-1, column]
        first[1:] = differs
    return first
