"""The last pass of a set-file build: every column put in the file's row order.

Per-row columns are reordered from list order to entry-number order. When the kept rows
keep their list order (a first version, a list re-imported in the same order) that is a
filter; otherwise rows are distributed into files by output-row range, each small enough
to place in memory. Digests are sorted bucket by bucket on their leading bits. Every
result is a scratch file that the writer streams into the set file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from phunt.hashsets.setfile import SetFile
from phunt.hashsets.setinput import KindSpool, Spooled
from phunt.hashsets.setorder import DROPPED, Order, entry_chunks
from phunt.hashsets.setspool import (
    Buckets,
    Spool,
    VarSpool,
    bucket_bits,
    bucket_of,
    sort_keys,
    take,
)
from phunt.hashsets.setwrite import Column

Array = np.ndarray[Any, Any]


def emit_columns(
    spooled: Spooled, order: Order, previous: SetFile | None, first_number: int, target: int
) -> tuple[dict[str, Column], list[str]]:
    """The set file's columns (streamed from scratch files) and the kinds it holds."""
    chunk = spooled.chunk
    n = order.kept
    columns: dict[str, Column] = {
        "entry": Column(
            np.dtype("<i8"), (n,), lambda: entry_chunks(order, previous, first_number, chunk)
        )
    }
    records = _reordered(spooled.records, order, "out.records", target)
    low, high = _bounds(records, chunk)
    small = low >= 0 and high < 2**32
    columns["record"] = _streamed(records, np.dtype("<u4" if small else "<i8"), chunk)
    if spooled.codes is not None and spooled.schemes is not None:
        codes = _reordered(spooled.codes, order, "out.codes", target)
        columns["category/code"] = _streamed(codes, np.dtype("<i4"), chunk)
        schemes = _reordered(spooled.schemes, order, "out.schemes", target)
        columns["category/scheme"] = _streamed(schemes, np.dtype("|u1"), chunk)
    kinds: list[str] = []
    for kind in sorted(spooled.kinds):
        if order.sorted_plain is not None:
            digests, index = order.sorted_plain
            columns[f"row/{kind}"] = _mapped_rows(index, order, chunk)
        else:
            digests, rows = _sorted_digests(spooled.kinds[kind], order, kind, target, chunk)
            columns[f"row/{kind}"] = _streamed(rows, np.dtype("<u4"), chunk)
        if digests.rows:
            columns[f"digest/{kind}"] = _streamed(digests, np.dtype("|u1"), chunk)
            kinds.append(kind)
        else:
            del columns[f"row/{kind}"]
    if spooled.plain_kind() is None:
        identity = _reordered(spooled.identity, order, "out.identity", target)
        columns["identity"] = _streamed(identity, np.dtype("|u1"), chunk)
    for name in sorted(spooled.strings):
        strings = _reordered_strings(
            spooled.strings[name], order, "out." + name.replace("/", "."), target
        )
        if strings.data.rows:
            columns[f"{name}/offsets"] = _offsets(strings, n, chunk)
            columns[f"{name}/bytes"] = _streamed(strings.data, np.dtype("|u1"), chunk * 64)
            if name.startswith("text/"):
                kinds.append(name.removeprefix("text/"))
    return columns, sorted(kinds)


def _streamed(spool: Spool, dtype: np.dtype[Any], chunk: int) -> Column:
    shape = (spool.rows, spool.width) if spool.width else (spool.rows,)
    return Column(dtype, shape, lambda: (values for _, values in spool.chunks(chunk)))


def _mapped_rows(index: Spool, order: Order, chunk: int) -> Column:
    """Rows of a plain list's digests, sorted while deduplicating: their output rows."""
    return Column(
        np.dtype("<u4"),
        (index.rows,),
        lambda: (order.out_row[rows] for _, rows in index.chunks(chunk)),
    )


def _offsets(strings: VarSpool, n: int, chunk: int) -> Column:
    def chunks() -> Iterator[Array]:
        total = 0
        yield np.zeros(1, dtype=np.int64)
        for _, lengths in strings.lengths.chunks(chunk):
            ends = total + np.cumsum(lengths)
            total = int(ends[-1]) if ends.shape[0] else total
            yield ends

    return Column(np.dtype("<i8"), (n + 1,), chunks)


def _bounds(spool: Spool, chunk: int) -> tuple[int, int]:
    low, high = 0, 0
    for _, values in spool.chunks(chunk):
        if values.shape[0]:
            low, high = min(low, int(values.min())), max(high, int(values.max()))
    return low, high


def _ranges(order: Order, row_bytes: int, target: int) -> tuple[int, int]:
    """(bits, shift): output rows ``r`` go to range bucket ``r >> shift`` of ``1 << bits``."""
    bits = bucket_bits(order.kept * row_bytes, target)
    return bits, max(0, (order.kept - 1).bit_length() - bits)


def _reordered(spool: Spool, order: Order, name: str, target: int) -> Spool:
    """``spool``'s kept rows in output order, as a new scratch file."""
    if order.monotonic and order.kept == spool.rows:
        return spool
    out = Spool(spool.path.with_name(name), spool.dtype, spool.width, spool.allowance)
    if order.monotonic:
        for start, values in spool.chunks(out_chunk(spool)):
            out.append(take(values, order.out_row[start : start + values.shape[0]] != DROPPED))
        spool.discard()
        return out
    bits, shift = _ranges(order, spool.row_bytes + 4, target)
    value_field = (spool.dtype, (spool.width,)) if spool.width else (spool.dtype,)
    fields = {"row": (np.uint32,), "value": value_field}
    buckets = Buckets(spool.path.parent, name + ".part", bits, fields, spool.allowance)
    for start, values in spool.chunks(out_chunk(spool)):
        rows = order.out_row[start : start + values.shape[0]]
        keep = rows != DROPPED
        buckets.add(rows[keep].astype(np.int64) >> shift, row=rows[keep], value=take(values, keep))
    spool.discard()
    for bucket in range(buckets.count):
        part = buckets.load(bucket)
        placed = np.empty_like(part["value"])
        placed[part["row"].astype(np.int64) - (bucket << shift)] = part["value"]
        out.append(placed)
    return out


def out_chunk(spool: Spool) -> int:
    return max(1024, (64 << 20) // max(1, spool.row_bytes * 8))


def _reordered_strings(strings: VarSpool, order: Order, name: str, target: int) -> VarSpool:
    """Variable-length values of the kept rows in output order."""
    folder = strings.lengths.path.parent
    out = VarSpool(folder, name, strings.lengths.allowance)
    chunk = out_chunk(strings.lengths)
    if order.monotonic:
        for start, lengths, data in strings.chunks(chunk):
            keep = order.out_row[start : start + lengths.shape[0]] != DROPPED
            out.append_raw(lengths[keep], data[np.repeat(keep, lengths)])
        return out
    bits, shift = _ranges(order, 16, target)
    fields = {"row": (np.uint32,), "length": (np.int64,)}
    buckets = Buckets(folder, name + ".part", bits, fields)
    for start, lengths, data in strings.chunks(chunk):
        rows = order.out_row[start : start + lengths.shape[0]]
        kept = np.nonzero(rows != DROPPED)[0]
        ranges = rows[kept].astype(np.int64) >> shift
        buckets.add(ranges, row=rows[kept], length=lengths[kept])
        by_bucket = kept[np.argsort(ranges, kind="stable")]
        starts = (np.cumsum(lengths) - lengths)[by_bucket]
        gathered = data[ranges_index(starts, lengths[by_bucket])]
        sizes = np.bincount(ranges, weights=lengths[kept], minlength=buckets.count).astype(np.int64)
        edges = np.concatenate([[0], np.cumsum(sizes)])
        for part_index in np.nonzero(sizes)[0].tolist():
            with (folder / f"{name}.bytes.{part_index}").open("ab") as stream:
                stream.write(gathered[edges[part_index] : edges[part_index + 1]].tobytes())
    for bucket in range(buckets.count):
        part = buckets.load(bucket)
        path = folder / f"{name}.bytes.{bucket}"
        data = np.fromfile(path, dtype=np.uint8) if path.exists() else np.zeros(0, np.uint8)
        path.unlink(missing_ok=True)
        placed = np.argsort(part["row"])
        lengths = part["length"]
        starts = (np.cumsum(lengths) - lengths)[placed]
        out.append_raw(lengths[placed], data[ranges_index(starts, lengths[placed])])
    return out


def ranges_index(starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> Array:
    """Indices of the byte ranges ``[start, start + length)``, one after another."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = starts - (np.cumsum(lengths) - lengths)
    return np.repeat(shift, lengths) + np.arange(total, dtype=np.int64)


def _sorted_digests(
    kind: KindSpool, order: Order, name: str, target: int, chunk: int
) -> tuple[Spool, Spool]:
    """The kind's digests of kept rows sorted by (bytes, row), and those rows."""
    width = kind.digests.width or 0
    folder: Path = kind.digests.path.parent
    allowance = kind.digests.allowance
    digests = Spool(folder / f"out.digests.{name}", np.uint8, width, allowance)
    rows_out = Spool(folder / f"out.rows.{name}", np.uint32, allowance=allowance)
    bits = bucket_bits(kind.digests.rows * (width + 4), target)
    fields = {"key": (np.uint8, (width,)), "row": (np.uint32,)}
    buckets = Buckets(folder, f"sort.{name}", bits, fields, allowance)
    for index, values in kind.chunks(chunk):
        rows = order.out_row[index]
        keep = rows != DROPPED
        values = take(values, keep)
        buckets.add(bucket_of(values, bits), key=values, row=rows[keep])
    kind.digests.discard()
    if kind.index is not None:
        kind.index.discard()
    for bucket in range(buckets.count):
        part = buckets.load(bucket)
        placed = sort_keys(part["key"], part["row"].astype(np.int64))
        digests.append(take(part["key"], placed))
        rows_out.append(part["row"][placed])
    return digests, rows_out
