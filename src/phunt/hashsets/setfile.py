"""The set file: one version of a hash set as immutable, memory-mapped columns.

A version never changes once imported, so its entries are written once as raw arrays and
opened with ``mmap``: opening costs the same for ten entries or forty million, and a
lookup touches only the pages its binary search reads. The file is named by its SHA-256,
so a copy fetched from another machine can be checked against its own name.

Layout: ``PHUNTSET``, u32 format version, u64 header length, a UTF-8 JSON header, then
little-endian arrays, each 64-byte aligned, that the header describes (dtype, shape and
absolute offset). Rows are in entry-number order; each fixed-width kind has its digests
sorted by bytes with the row each came from; categories, names, extra fields and text
kinds are per-row columns (variable-length ones as offsets into a byte column). A list
that is not plain (several kinds, categories or texts) also keeps each row's 16-byte
``identity`` (:mod:`phunt.hashsets.setident`), so the next version can carry entry
numbers over without rebuilding this one's rows. The writer is
:mod:`phunt.hashsets.setwrite`; this module only reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import mmap
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput
from phunt.hashsets import setcheck
from phunt.hashsets.categories import Category
from phunt.hashsets.columns import fixed_width
from phunt.hashsets.entry import HashEntry

MAGIC = b"PHUNTSET"
FORMAT_VERSION = 1
PREAMBLE = len(MAGIC) + 4 + 8
ALIGN = 64
SUFFIX = ".phs"
MAX_HEADER = 64 << 20
"""A header is a few kilobytes; anything larger is damage, not a list."""
CHUNK = 1 << 20
"""Rows per vectorised step of a scan over a whole column: memory stays flat."""

_SHA256 = re.compile(r"[0-9a-f]{64}")


class SetFile:
    """An opened set file: its header and memory-mapped columns (nothing is loaded).

    Use :meth:`open`; close with :meth:`close` or as a context manager.
    """

    def __init__(self, path: Path, sha256: str, header: dict[str, Any], mapped: mmap.mmap) -> None:
        self.path = path
        self.sha256 = sha256
        self.meta: dict[str, Any] = header["meta"]
        self.kinds: tuple[str, ...] = tuple(header["kinds"])
        self.schemes: tuple[str, ...] = tuple(header["schemes"])
        self._n = int(header["entries"])
        self._mmap: mmap.mmap | None = mapped
        self._specs: dict[str, dict[str, Any]] = header["columns"]
        self._columns: dict[str, np.ndarray[Any, Any]] = {
            name: np.frombuffer(
                mapped,
                dtype=np.dtype(spec["dtype"]),
                count=int(np.prod(spec["shape"], dtype=np.int64)),
                offset=spec["offset"],
            ).reshape(spec["shape"])
            for name, spec in header["columns"].items()
        }
        self.entry_numbers: npt.NDArray[np.int64] = self._columns["entry"]

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, verify: bool = False) -> SetFile:
        """Map the file at ``path``; CorruptInput naming it when it is damaged.

        ``verify`` also hashes the whole file against its name and checks every ordering
        the lookups rely on: O(n), for a copy just fetched or ``phunt hashset verify``.
        """
        where = Path(path)
        try:
            with where.open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                header = _read_header(stream, size, str(where))
                mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
                _advise(mapped, "MADV_RANDOM")
                sha256 = where.stem if _named(where) else ""
                actual = _sha256_of(stream) if verify or not sha256 else sha256
        except OSError as exc:
            raise CorruptInput(f"cannot read set file: {exc}", path=str(where)) from exc
        if verify or not sha256:
            if verify and actual != sha256:
                mapped.close()
                raise CorruptInput(
                    f"content SHA-256 is {actual}, the file name says {sha256 or 'nothing'}",
                    path=str(where),
                )
            sha256 = actual
        opened = cls(where, sha256, header, mapped)
        if verify:
            try:
                setcheck.check_structure(opened)
            except CorruptInput:
                opened.close()
                raise
            _advise(mapped, "MADV_DONTNEED")  # the pages the check read leave this process
        return opened

    def __len__(self) -> int:
        return self._n

    def __enter__(self) -> SetFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Drop this object's views and unmap, unless a caller still holds an array.

        Arrays handed out (``entry_numbers``, :meth:`digests`) keep the mapping alive
        until they are gone; Python then unmaps it, so closing never invalidates them.
        """
        self._columns = {}
        mapped, self._mmap = self._mmap, None
        if mapped is not None:
            with contextlib.suppress(BufferError):
                mapped.close()

    def column(self, name: str) -> np.ndarray[Any, Any] | None:
        """The raw column ``name`` (memory-mapped), None when the file has none."""
        return self._columns.get(name)

    def has_column(self, name: str) -> bool:
        return name in self._specs

    def read(self, name: str, start: int, stop: int) -> np.ndarray[Any, Any]:
        """Rows [start, stop) of column ``name``, copied with plain reads.

        A build scans a previous version in chunks this way: pages read through the
        mapping would stay resident and count against the import's memory.
        """
        spec = self._specs[name]
        shape = spec["shape"]
        stop = min(stop, shape[0])
        width = int(np.prod(shape[1:], dtype=np.int64))
        dtype = np.dtype(spec["dtype"])
        count = max(0, stop - start) * width
        try:
            values = np.fromfile(
                self.path,
                dtype=dtype,
                count=count,
                offset=spec["offset"] + start * width * dtype.itemsize,
            )
        except OSError as exc:
            raise CorruptInput(f"cannot read column {name}: {exc}", path=str(self.path)) from exc
        if values.shape[0] != count:
            raise CorruptInput(f"column {name} is cut short", path=str(self.path))
        return values.reshape(-1, *shape[1:])

    def row_of(self, number: int) -> int | None:
        """The row of entry ``number``, None when this version has no such entry."""
        row = int(np.searchsorted(self.entry_numbers, number))
        if row < self._n and int(self.entry_numbers[row]) == number:
            return row
        return None

    def digests(self, kind: str) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
        """The digests of ``kind`` sorted by bytes, and the row each belongs to."""
        digests, rows = self._columns.get(f"digest/{kind}"), self._columns.get(f"row/{kind}")
        if digests is None or rows is None:
            width = fixed_width(kind) or 0
            return np.zeros((0, width), dtype=np.uint8), np.zeros(0, dtype=np.uint32)
        return digests, rows

    def lookup(
        self, kind: str, queries: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every exact match of each query: (position in the batch, row), in batch order.

        Two entries may share a digest (same MD5, other SHA-1 or category), so a query
        can match several rows. Binary search on the digests viewed as fixed bytes.
        """
        digests, rows = self.digests(kind)
        width = digests.shape[1]
        empty = np.zeros(0, dtype=np.int64)
        if queries.ndim != 2 or queries.shape[1] != width or queries.dtype != np.uint8:
            raise ValueError(f"queries for {kind} must be (q, {width}) uint8, not {queries.shape}")
        if digests.shape[0] == 0 or queries.shape[0] == 0:
            return empty, empty.copy()
        keys = digests.view(f"S{width}").reshape(-1)
        wanted = np.ascontiguousarray(queries).view(f"S{width}").reshape(-1)
        low = np.searchsorted(keys, wanted, side="left")
        high = np.searchsorted(keys, wanted, side="right")
        counts = high - low
        positions = np.repeat(np.arange(queries.shape[0], dtype=np.int64), counts)
        starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
        sorted_at = starts + np.arange(positions.shape[0], dtype=np.int64)
        return positions, rows[sorted_at].astype(np.int64)

    def texts(self, kind: str) -> Iterator[tuple[int, str]]:
        """(row, text) of every row that carries the text kind ``kind`` (vPDQ, PhotoDNA)."""
        name = f"text/{kind}"
        for row, text in self._strings(name, 0, self._n):
            if text is not None:
                yield row, text

    def category(self, row: int) -> Category | None:
        """The category of ``row`` with its scheme, None when the entry has none."""
        codes, schemes = self._columns.get("category/code"), self._columns.get("category/scheme")
        if codes is None or schemes is None:
            return None
        code = int(codes[row])
        if code < 0:
            return None
        index = int(schemes[row])
        if index >= len(self.schemes):
            raise CorruptInput(f"category scheme index {index} out of range", path=str(self.path))
        return Category(code=code, scheme=self.schemes[index])

    def entry(self, row: int) -> HashEntry:
        """Row ``row`` as a portable entry; finding its digests scans each kind once."""
        if not 0 <= row < self._n:
            raise IndexError(f"row {row} out of range (0..{self._n - 1})")
        return next(self._chunk_entries(np.array([row], dtype=np.int64)))[1]

    def entries(self, rows: npt.NDArray[np.int64] | None = None) -> Iterator[tuple[int, HashEntry]]:
        """(entry number, entry) of ``rows`` (default: all), in entry order, in chunks."""
        wanted = np.arange(self._n, dtype=np.int64) if rows is None else np.sort(rows)
        if wanted.shape[0] and not (wanted[0] >= 0 and wanted[-1] < self._n):
            raise IndexError(f"rows out of range (0..{self._n - 1})")
        inverse = (
            {kind: self._inverse(kind) for kind in self._fixed_kinds()}
            if wanted.shape[0] > 4096
            else None
        )
        for start in range(0, wanted.shape[0], CHUNK // 16):
            yield from self._chunk_entries(wanted[start : start + CHUNK // 16], inverse)

    def _fixed_kinds(self) -> list[str]:
        return [kind for kind in self.kinds if f"digest/{kind}" in self._columns]

    def _inverse(self, kind: str) -> npt.NDArray[np.signedinteger[Any]]:
        """For each row, where its digest of ``kind`` sits (-1: none): export's gather map."""
        rows = self._columns[f"row/{kind}"]
        inverse: npt.NDArray[np.signedinteger[Any]] = np.full(
            self._n, -1, dtype=np.int64 if self._n >= 2**31 else np.int32
        )
        inverse[rows] = np.arange(rows.shape[0], dtype=inverse.dtype)
        return inverse

    def _chunk_entries(
        self,
        rows: npt.NDArray[np.int64],
        inverse: dict[str, npt.NDArray[np.signedinteger[Any]]] | None = None,
    ) -> Iterator[tuple[int, HashEntry]]:
        hashes: list[dict[str, str]] = [{} for _ in range(rows.shape[0])]
        for kind in self._fixed_kinds():
            digests, at_rows = self.digests(kind)
            if inverse is not None:
                where = inverse[kind][rows]
                mine = np.nonzero(where >= 0)[0]
                where = where[mine]
            else:
                where = np.nonzero(np.isin(at_rows, rows))[0]
                mine = np.searchsorted(rows, at_rows[where].astype(np.int64))
            hexes = digests[where].tobytes().hex()
            step = 2 * digests.shape[1]
            for i, slot in enumerate(mine.tolist()):
                hashes[slot][kind] = hexes[i * step : (i + 1) * step]
        for kind in self.kinds:
            if f"text/{kind}/offsets" in self._columns:
                for i, (_, text) in enumerate(self._strings(f"text/{kind}", rows=rows)):
                    if text is not None:
                        hashes[i][kind] = text
        names = [text for _, text in self._strings("name", rows=rows)]
        extras = [text for _, text in self._strings("extra", rows=rows)]
        records = self._columns["record"][rows].tolist()
        for i, row in enumerate(rows.tolist()):
            extra = extras[i]
            yield (
                int(self.entry_numbers[row]),
                HashEntry(
                    hashes=dict(sorted(hashes[i].items())),
                    category=self.category(row),
                    record=int(records[i]),
                    name=names[i],
                    extra={} if extra is None else self._extra(extra, row),
                ),
            )

    def _extra(self, text: str, row: int) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptInput(
                f"extra fields not JSON: {exc}", path=str(self.path), location=f"row {row}"
            ) from exc
        if not isinstance(value, dict):
            raise CorruptInput(
                "extra fields not an object", path=str(self.path), location=f"row {row}"
            )
        return value

    def _strings(
        self, name: str, start: int = 0, stop: int = 0, rows: npt.NDArray[np.int64] | None = None
    ) -> Iterator[tuple[int, str | None]]:
        """(row, text or None) of a variable-length column; all None when it is absent."""
        wanted = rows if rows is not None else np.arange(start, stop, dtype=np.int64)
        offsets, data = self._columns.get(f"{name}/offsets"), self._columns.get(f"{name}/bytes")
        if offsets is None or data is None:
            for row in wanted.tolist():
                yield row, None
            return
        for row in wanted.tolist():
            begin, end = int(offsets[row]), int(offsets[row + 1])
            if begin == end:
                yield row, None
                continue
            if not 0 <= begin < end <= data.shape[0]:
                raise CorruptInput(
                    f"{name} offsets out of range", path=str(self.path), location=f"row {row}"
                )
            try:
                yield row, bytes(data[begin:end]).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CorruptInput(
                    f"{name} not UTF-8", path=str(self.path), location=f"row {row}"
                ) from exc


def _read_header(stream: Any, size: int, where: str) -> dict[str, Any]:
    """The JSON header, checked against the file's size and the layout rules."""
    preamble = stream.read(PREAMBLE)
    if len(preamble) < PREAMBLE or preamble[: len(MAGIC)] != MAGIC:
        raise CorruptInput("not a phunt set file (bad magic)", path=where)
    version = int.from_bytes(preamble[8:12], "little")
    length = int.from_bytes(preamble[12:20], "little")
    if version != FORMAT_VERSION:
        raise CorruptInput(
            f"set file format {version} (this phunt reads {FORMAT_VERSION})", path=where
        )
    if length > MAX_HEADER or PREAMBLE + length > size:
        raise CorruptInput(
            f"header of {length} bytes does not fit the file (truncated?)", path=where
        )
    try:
        header = json.loads(stream.read(length).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptInput(f"header is not JSON: {exc}", path=where, location="header") from exc
    setcheck.check_header(header, size, PREAMBLE + length, where)
    return dict(header)


def _named(where: Path) -> bool:
    return where.suffix == SUFFIX and _SHA256.fullmatch(where.stem) is not None


def _sha256_of(stream: io.BufferedReader) -> str:
    """SHA-256 of the whole file, read (not mapped: its pages stay out of this process)."""
    stream.seek(0)
    return hashlib.file_digest(stream, "sha256").hexdigest()


def _advise(mapped: mmap.mmap, advice: str) -> None:
    """Tell the kernel how the mapping is used, where it can be told.

    Lookups are binary searches: without MADV_RANDOM each page fault reads ahead
    neighbours no lookup wants, and a few thousand lookups make most of a large set
    resident. Where the platform lacks the advice, only memory use differs.
    """
    flag = getattr(mmap, advice, None)
    if flag is not None:
        with contextlib.suppress(OSError):
            mapped.madvise(flag)
