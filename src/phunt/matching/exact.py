"""Exact digest index (MD5, SHA-1, SHA-256 and any other digest kind) for hash-list lookups.

Digests are held as fixed-width byte rows sorted by their first eight bytes, so 10M SHA-1
entries take 36 bytes each (digest, id, sort key) instead of the ~150 a Python dict of
``bytes`` objects costs, and a batch of lookups is two vectorised binary searches plus a
full-digest comparison: no per-entry Python objects on either side. One digest may carry
several ids (the same file in several lists); every id is returned.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput, InputError, UsageError
from phunt.hashing.kinds import EXACT_WIDTHS, check_hex
from phunt.matching.arrays import Arrays, read_arrays, write_arrays

KINDS: Mapping[str, int] = EXACT_WIDTHS
"""Digest kinds the index holds and their width in bytes (live from the hash-kind registry)."""

_FORMAT = "phunt-exact-index-1"

Digests = npt.NDArray[np.uint8]


def _width(kind: str) -> int:
    try:
        return KINDS[kind]
    except KeyError:
        choices = ", ".join(KINDS)
        raise UsageError(f"unknown digest kind {kind!r} (choose from: {choices})") from None


def digests_to_array(kind: str, hexes: Sequence[str]) -> Digests:
    """Decode hex digests of ``kind`` (any case) to an ``(n, width)`` array; name a bad one."""
    width = _width(kind)
    try:
        raw = bytes.fromhex("".join(hexes))
    except (TypeError, ValueError):
        raw = b""
    if len(raw) != len(hexes) * width:  # a bad character, a wrong length or embedded spaces
        for i, h in enumerate(hexes):
            try:
                check_hex(kind, h, 2 * width)
            except (TypeError, ValueError):
                raise InputError(f"not a {kind} digest: {h!r}", location=f"digest {i}") from None
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hexes), width).copy()


def prefixes(digests: Digests) -> npt.NDArray[np.uint64]:
    """First eight bytes of each digest as a big-endian integer: the sort and search key.

    A digest narrower than eight bytes (a CRC) is padded with zeros on the right.
    """
    head = digests[:, :8]
    if head.shape[1] < 8:
        head = np.pad(head, ((0, 0), (0, 8 - head.shape[1])))
    return np.ascontiguousarray(head).view(">u8").ravel().astype(np.uint64)


@dataclass(frozen=True)
class ExactMatches:
    """Columnar matches: ``query`` is the position in the batch, ``id`` an indexed entry."""

    query: npt.NDArray[np.int64]
    id: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.id.shape[0])


class _Table:
    """The digests of one kind, sorted by prefix, with their ids."""

    def __init__(self, digests: Digests, ids: npt.NDArray[np.int64]) -> None:
        self.prefix = prefixes(digests)
        self.digests = digests
        self.ids = ids

    @classmethod
    def sorted_from(cls, digests: Digests, ids: npt.NDArray[np.int64]) -> _Table:
        order = np.argsort(prefixes(digests), kind="stable")
        return cls(np.ascontiguousarray(digests[order]), np.ascontiguousarray(ids[order]))

    def lookup(self, queries: Digests) -> ExactMatches:
        qprefix = prefixes(queries)
        order = np.argsort(qprefix)  # sorted keys make the binary searches cache-friendly
        qprefix = qprefix[order]
        lo = np.searchsorted(self.prefix, qprefix, side="left")
        hi = np.searchsorted(self.prefix, qprefix, side="right")
        counts = hi - lo
        total = int(counts.sum())
        qidx = np.repeat(order.astype(np.int64), counts)
        run_start = np.repeat(np.cumsum(counts) - counts, counts)
        pos = np.repeat(lo, counts) + (np.arange(total) - run_start)
        same = (self.digests[pos] == queries[qidx]).all(axis=1)
        qidx, pos = qidx[same], pos[same]
        back = np.argsort(qidx, kind="stable")  # report in batch order
        return ExactMatches(qidx[back], self.ids[pos[back]])


class ExactIndex:
    """MD5 / SHA-1 / SHA-256 digests of hash-list entries, each with a caller-chosen id."""

    def __init__(self, tables: Mapping[str, _Table]) -> None:
        """Use :meth:`build`, :meth:`from_arrays` or :meth:`load`."""
        self._tables = dict(tables)

    def __len__(self) -> int:
        return sum(t.ids.shape[0] for t in self._tables.values())

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays."""
        return sum(t.prefix.nbytes + t.digests.nbytes + t.ids.nbytes for t in self._tables.values())

    def kinds(self) -> list[str]:
        """Digest kinds that have at least one entry."""
        return [k for k in KINDS if k in self._tables and self._tables[k].ids.shape[0]]

    @classmethod
    def from_arrays(cls, tables: Mapping[str, tuple[Digests, npt.ArrayLike]]) -> ExactIndex:
        """Index ``{kind: (digests (n, width) uint8, ids (n,) int64)}``, as read from a database."""
        built = {}
        for kind, (digests, ids) in tables.items():
            width = _width(kind)
            arr = np.asarray(digests)
            id_arr = np.asarray(ids, dtype=np.int64)
            if arr.dtype != np.uint8 or arr.ndim != 2 or arr.shape[1] != width:
                raise ValueError(f"{kind} digests must be (n, {width}) uint8, got {arr.shape}")
            if id_arr.shape != (arr.shape[0],):
                raise ValueError(f"{kind} ids must have shape ({arr.shape[0]},)")
            built[kind] = _Table.sorted_from(arr, id_arr)
        return cls(built)

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str, int]]) -> ExactIndex:
        """Index ``(kind, hex digest, id)`` triples."""
        hexes: dict[str, list[str]] = {}
        ids: dict[str, list[int]] = {}
        for kind, digest, entry_id in entries:
            _width(kind)
            hexes.setdefault(kind, []).append(digest)
            ids.setdefault(kind, []).append(entry_id)
        return cls.from_arrays(
            {k: (digests_to_array(k, hexes[k]), np.array(ids[k], np.int64)) for k in hexes}
        )

    def lookup(self, kind: str, digest: str) -> list[int]:
        """Ids of the entries whose ``kind`` digest equals ``digest`` (hex, any case)."""
        return [int(i) for i in self.lookup_many(kind, [digest]).id]

    def lookup_many(self, kind: str, digests: Sequence[str] | Digests) -> ExactMatches:
        """Every (batch position, id) whose digest is in the index; misses are absent."""
        width = _width(kind)
        queries = (
            digests_to_array(kind, digests)
            if not isinstance(digests, np.ndarray)
            else np.ascontiguousarray(digests)
        )
        if queries.dtype != np.uint8 or queries.ndim != 2 or queries.shape[1] != width:
            raise ValueError(f"{kind} queries must be (n, {width}) uint8, got {queries.shape}")
        table = self._tables.get(kind)
        if table is None or queries.shape[0] == 0:
            return ExactMatches(np.empty(0, np.int64), np.empty(0, np.int64))
        return table.lookup(queries)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every kind's sorted digests and ids to an ``.npz`` file (no pickle)."""
        arrays: Arrays = {}
        for kind, table in self._tables.items():
            arrays[f"{kind}_digests"] = table.digests
            arrays[f"{kind}_ids"] = table.ids
        write_arrays(path, _FORMAT, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ExactIndex:
        """Read a file written by :meth:`save`, checking shapes, types and sort order."""
        where = os.fspath(path)
        fields = read_arrays(where, _FORMAT, "exact index")
        tables = {}
        for kind, width in KINDS.items():
            digests = fields.pop(f"{kind}_digests", None)
            ids = fields.pop(f"{kind}_ids", None)
            if digests is None and ids is None:
                continue
            if digests is None or ids is None:
                raise CorruptInput(f"{kind}: digests and ids must come together", path=where)
            if digests.dtype != np.uint8 or digests.ndim != 2 or digests.shape[1] != width:
                raise CorruptInput(f"{kind}: bad digest array {digests.shape}", path=where)
            if ids.dtype != np.int64 or ids.shape != (digests.shape[0],):
                raise CorruptInput(f"{kind}: bad id array {ids.dtype} {ids.shape}", path=where)
            table = _Table(digests, ids)
            if np.any(table.prefix[1:] < table.prefix[:-1]):
                raise CorruptInput(f"{kind}: digests are not sorted", path=where)
            tables[kind] = table
        if fields:
            raise CorruptInput(f"unexpected arrays {sorted(fields)}", path=where)
        return cls(tables)
