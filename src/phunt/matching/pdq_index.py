"""Exact PDQ near-match index: every indexed hash within the threshold, nothing approximate.

Why it is exact: a match within ``t`` bits differs in at most ``t // 8`` bits over one of the
eight 32-bit halves-of-a-word (pigeonhole), so in at most ``t // 16`` bits over one of that
pair's 16-bit chunks. The index keeps, for each of the 16 chunks, the rows sorted by chunk
value with the pair's other chunk stored beside each row; a query probes every bucket within
``t // 16`` bits of its chunk and keeps candidates whose pair is within ``t // 8``. At
``t = 31`` that is 16 x 17 buckets and a two-byte test per candidate that rejects about 99 %
of random rows before their full hash is read.

Memory is 136 bytes per hash (the hash, its id, and 16 x (row number + partner chunk)); the
sorted tables are rebuilt on load rather than stored, because building them is cheaper than
checking that a stored copy is consistent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba import types
from numba.extending import intrinsic

from phunt.errors import CorruptInput, InputError, UsageError
from phunt.hashing.kinds import check_hex, pdq_threshold
from phunt.matching.arrays import read_arrays, write_arrays

BITS = 256
_CHUNKS = 16
_BUCKETS = 1 << 16
_PROBES_PER_PASS = 1 << 21  # bounds the probe list of one pass to 16 MiB
_SCAN_FROM_RADIUS = 4  # beyond 3 flipped bits per chunk the probes outnumber a plain scan
_FORMAT = "phunt-pdq-index-1"

Words = npt.NDArray[np.uint64]


def hex_to_array(hexes: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Decode 64-hex PDQ hashes (any case) to an ``(n, 32)`` byte array; name a bad one."""
    try:
        raw = bytes.fromhex("".join(hexes))
    except (TypeError, ValueError):
        raw = b""
    if len(raw) != 32 * len(hexes):  # a bad character, a wrong length or embedded spaces
        for i, h in enumerate(hexes):
            try:
                check_hex("pdq", h, 64)
            except (TypeError, ValueError):
                raise InputError(f"not a 64-hex PDQ hash: {h!r}", location=f"hash {i}") from None
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hexes), 32).copy()


def array_to_hex(hashes: npt.NDArray[np.uint8] | Words) -> list[str]:
    """Encode hashes (bytes or words) back to lower-case 64-hex strings."""
    raw = _to_words(hashes).astype(">u8").tobytes().hex()
    return [raw[i : i + 64] for i in range(0, len(raw), 64)]


def _to_words(hashes: npt.NDArray[np.uint8] | Words) -> Words:
    """Accept ``(n, 32)`` uint8 or ``(n, 4)`` uint64 (big-endian words) and return words."""
    arr = np.asarray(hashes)
    if arr.ndim != 2:
        raise ValueError(f"hashes must be a 2-D array, got shape {arr.shape}")
    if arr.dtype == np.uint8 and arr.shape[1] == 32:
        return np.ascontiguousarray(arr).view(">u8").astype(np.uint64)
    if arr.dtype == np.uint64 and arr.shape[1] == 4:
        return np.ascontiguousarray(arr)
    raise ValueError(f"hashes must be (n, 32) uint8 or (n, 4) uint64, got {arr.dtype} {arr.shape}")


@cache
def _masks(radius: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every 16-bit mask of at most ``radius`` bits, lightest first, with its bit count."""
    masks, weights = [], []
    for w in range(radius + 1):
        for bits in combinations(range(16), w):
            masks.append(sum(1 << b for b in bits))
            weights.append(w)
    return np.array(masks, dtype=np.int64), np.array(weights, dtype=np.int64)


# Compiled inner loops (numba). A hash is four uint64 words, most significant byte first as
# PDQ's 64-hex form reads; chunk c (0..15) is 16-bit field c % 4 of word c // 4 from the top.
# A loop that reassigns an array (to grow it) runs several times slower in numba, so the
# loops that fill the outputs stop when full and the caller grows them and resumes.

F = TypeVar("F", bound=Callable[..., Any])


def _jit(func: F) -> F:
    """``numba.njit`` with the project's settings, typed so ``mypy --strict`` keeps signatures."""
    return cast(F, numba.njit(cache=True, nogil=True)(func))


def _jit_inline(func: F) -> F:
    """A helper inlined into its caller's IR: no call boundary in the hot loop."""
    return cast(F, numba.njit(cache=True, nogil=True, inline="always")(func))


def _popcount_codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
    return builder.ctpop(args[0])


def _popcount_typer(typingctx: Any, x: Any) -> Any:
    return types.uint64(types.uint64), _popcount_codegen


# One ``popcnt`` instruction: numba has no population count of its own.
_popcount = cast(Callable[[np.uint64], np.uint64], intrinsic(_popcount_typer))

_FFFF = np.uint64(0xFFFF)
_LOW47 = (1 << 47) - 1  # a probe is bucket << 47 | query * masks + mask
_SCAN_BLOCK = 4096  # rows per pass of the plain scan: 128 KiB, stays in L2 across queries


@_jit
def _chunk_at(words: np.ndarray, row: int, c: int) -> int:
    """Value of 16-bit chunk ``c`` of hash ``row``."""
    shift = np.uint64(48 - 16 * (c & 3))
    return int((words[row, c >> 2] >> shift) & _FFFF)


@_jit
def _distance(a: np.ndarray, i: int, b: np.ndarray, j: int) -> int:
    """Hamming distance between hash ``i`` of ``a`` and hash ``j`` of ``b``."""
    return int(
        _popcount(a[i, 0] ^ b[j, 0])
        + _popcount(a[i, 1] ^ b[j, 1])
        + _popcount(a[i, 2] ^ b[j, 2])
        + _popcount(a[i, 3] ^ b[j, 3])
    )


@_jit
def _fill_tables(
    words: np.ndarray, offsets: np.ndarray, partners: np.ndarray, rows: np.ndarray
) -> None:
    """Counting sort of the rows by each chunk: ``offsets`` must come zeroed."""
    pos = np.empty(offsets.shape[1] - 1, np.int64)
    for c in range(16):
        for r in range(words.shape[0]):
            offsets[c, _chunk_at(words, r, c) + 1] += 1
        for v in range(pos.shape[0]):
            offsets[c, v + 1] += offsets[c, v]
        pos[:] = offsets[c, :-1]
        for r in range(words.shape[0]):
            v = _chunk_at(words, r, c)
            rows[c, pos[v]] = r
            partners[c, pos[v]] = _chunk_at(words, r, c ^ 1)
            pos[v] += 1


@_jit
def _found_earlier(
    words: np.ndarray, row: int, qchunks: np.ndarray, qi: int, c: int, radius: int, limit: int
) -> bool:
    """True if chunk ``c' < c`` already reported ``row``: each match is reported once."""
    for e in range(c):
        de = int(_popcount(np.uint64(_chunk_at(words, row, e) ^ qchunks[qi, e])))
        if de <= radius:
            dp = int(_popcount(np.uint64(_chunk_at(words, row, e ^ 1) ^ qchunks[qi, e ^ 1])))
            if de + dp <= limit:
                return True
    return False


@_jit
def _search(
    words: np.ndarray,
    offsets: np.ndarray,
    partners: np.ndarray,
    rows: np.ndarray,
    masks: np.ndarray,
    weights: np.ndarray,
    queries: np.ndarray,
    threshold: int,
    pair_limit: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (query, row, distance) with distance <= threshold, each pair once.

    For every chunk ``c`` the rows sit in ``rows[c]`` sorted by chunk value (bucket
    ``offsets[c, v]:offsets[c, v + 1]``), each beside ``partners[c]``, its chunk ``c ^ 1``.
    A query probes the buckets of its chunk value XOR each of ``masks`` (all masks of at
    most ``radius`` bits, ``weights`` their bit counts) and keeps only candidates whose
    chunk pair is within ``pair_limit``: the scan reads two contiguous bytes per candidate
    and touches the full hash of about 1 % of them. The probes of the whole batch are
    visited in bucket order, so the tables are swept forwards rather than read at random.
    """
    nq = queries.shape[0]
    nm = masks.shape[0]
    qchunks = np.empty((nq, 16), np.int64)
    for qi in range(nq):
        for c in range(16):
            qchunks[qi, c] = _chunk_at(queries, qi, c)
    probes = np.empty(nq * nm, np.int64)
    cap = 1024
    out_q = np.empty(cap, np.int64)
    out_r = np.empty(cap, np.int64)
    out_d = np.empty(cap, np.int16)
    count, c, p = 0, 0, 0
    while c < 16:
        count, c, p = _search_pass(
            words, offsets, partners, rows, masks, weights, queries, qchunks, probes,
            threshold, pair_limit, out_q, out_r, out_d, count, c, p,
        )  # fmt: skip
        if c < 16:  # the buffer filled up: grow it and resume at probe p of chunk c
            cap *= 2
            out_q = _grow(out_q, cap)
            out_r = _grow(out_r, cap)
            out_d = _grow(out_d, cap)
    return out_q[:count].copy(), out_r[:count].copy(), out_d[:count].copy()


@_jit
def _search_pass(
    words: np.ndarray,
    offsets: np.ndarray,
    partners: np.ndarray,
    rows: np.ndarray,
    masks: np.ndarray,
    weights: np.ndarray,
    queries: np.ndarray,
    qchunks: np.ndarray,
    probes: np.ndarray,
    threshold: int,
    pair_limit: int,
    out_q: np.ndarray,
    out_r: np.ndarray,
    out_d: np.ndarray,
    count: int,
    c0: int,
    p0: int,
) -> tuple[int, int, int]:
    """Search from probe ``p0`` of chunk ``c0`` until done or the output would overflow.

    Returns the new count and where to resume (chunk 16 when done). Output arrays are
    never reassigned here, which keeps the bucket loop tight.
    """
    radius = int(weights[-1]) if weights.shape[0] else 0
    nm = masks.shape[0]
    cap = out_q.shape[0]
    p = p0
    for c in range(c0, 16):
        if p == 0:
            for qi in range(qchunks.shape[0]):
                for m in range(nm):
                    probes[qi * nm + m] = ((qchunks[qi, c] ^ masks[m]) << 47) | (qi * nm + m)
            probes.sort()
        while p < probes.shape[0]:
            key = probes[p] >> 47
            qi = (probes[p] & _LOW47) // nm
            m = (probes[p] & _LOW47) % nm
            lo = offsets[c, key]
            hi = offsets[c, key + 1]
            if count + (hi - lo) > cap:
                return count, c, p
            count = _scan_bucket(
                words, partners, rows, c, lo, hi, pair_limit - weights[m], queries, qi,
                qchunks, radius, pair_limit, threshold, out_q, out_r, out_d, count,
            )  # fmt: skip
            p += 1
        p = 0
    return count, 16, 0


@_jit_inline
def _scan_bucket(
    words: np.ndarray,
    partners: np.ndarray,
    rows: np.ndarray,
    c: int,
    lo: int,
    hi: int,
    limit: int,
    queries: np.ndarray,
    qi: int,
    qchunks: np.ndarray,
    radius: int,
    pair_limit: int,
    threshold: int,
    out_q: np.ndarray,
    out_r: np.ndarray,
    out_d: np.ndarray,
    count: int,
) -> int:
    """Append the rows of one bucket within ``threshold``; the partner test goes first."""
    qp = np.uint64(qchunks[qi, c ^ 1])
    lim = np.uint64(limit)
    for j in range(lo, hi):
        if _popcount(np.uint64(partners[c, j]) ^ qp) > lim:
            continue
        row = int(rows[c, j])
        d = _distance(words, row, queries, qi)
        if d <= threshold and not _found_earlier(words, row, qchunks, qi, c, radius, pair_limit):
            out_q[count] = qi
            out_r[count] = row
            out_d[count] = d
            count += 1
    return count


@_jit
def _scan(
    words: np.ndarray, queries: np.ndarray, threshold: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row against every query, in blocks that stay in cache; for very wide thresholds."""
    cap = 1024
    out_q = np.empty(cap, np.int64)
    out_r = np.empty(cap, np.int64)
    out_d = np.empty(cap, np.int16)
    count = 0
    dist = np.empty(_SCAN_BLOCK, np.int64)
    for start in range(0, words.shape[0], _SCAN_BLOCK):
        stop = min(start + _SCAN_BLOCK, words.shape[0])
        for qi in range(queries.shape[0]):
            _block_distances(words, start, stop, queries, qi, dist)
            hits = 0
            for k in range(stop - start):
                hits += dist[k] <= threshold
            if hits == 0:
                continue
            if count + hits > cap:
                cap = max(2 * cap, count + hits)
                out_q = _grow(out_q, cap)
                out_r = _grow(out_r, cap)
                out_d = _grow(out_d, cap)
            count = _emit(dist, stop - start, threshold, qi, start, out_q, out_r, out_d, count)
    return out_q[:count].copy(), out_r[:count].copy(), out_d[:count].copy()


@_jit
def _emit(
    dist: np.ndarray,
    n: int,
    threshold: int,
    qi: int,
    start: int,
    out_q: np.ndarray,
    out_r: np.ndarray,
    out_d: np.ndarray,
    count: int,
) -> int:
    for k in range(n):
        if dist[k] <= threshold:
            out_q[count] = qi
            out_r[count] = start + k
            out_d[count] = dist[k]
            count += 1
    return count


@_jit
def _block_distances(
    words: np.ndarray, start: int, stop: int, queries: np.ndarray, qi: int, dist: np.ndarray
) -> None:
    q0, q1, q2, q3 = queries[qi, 0], queries[qi, 1], queries[qi, 2], queries[qi, 3]
    for row in range(start, stop):
        dist[row - start] = (
            _popcount(words[row, 0] ^ q0)
            + _popcount(words[row, 1] ^ q1)
            + _popcount(words[row, 2] ^ q2)
            + _popcount(words[row, 3] ^ q3)
        )


@_jit
def _grow(a: np.ndarray, cap: int) -> np.ndarray:
    out = np.empty(cap, a.dtype)
    out[: a.shape[0]] = a
    return out


@dataclass(frozen=True)
class PdqMatches:
    """Columnar matches, one row per (query group, indexed entry), distance kept.

    ``query`` is the row of the query array that came closest (for dihedral groups, the
    variant that matched), ``group`` its group (equal to ``query`` without groups).
    """

    query: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    id: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int16]

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def rows(self) -> Iterator[tuple[int, int, int, int]]:
        """Iterate ``(group, query, id, distance)`` as Python ints."""
        for g, q, i, d in zip(self.group, self.query, self.id, self.distance, strict=True):
            yield int(g), int(q), int(i), int(d)


class PdqIndex:
    """In-memory exact PDQ index over ``n`` hashes with caller-chosen int64 ids."""

    def __init__(
        self,
        words: Words,
        ids: npt.NDArray[np.int64],
        offsets: npt.NDArray[np.int64],
        partners: npt.NDArray[np.uint16],
        rows: npt.NDArray[np.uint32],
    ) -> None:
        """Use :meth:`build` or :meth:`load`; this takes already consistent tables."""
        self.words = words
        self.ids = ids
        self._offsets = offsets
        self._partners = partners
        self._rows = rows

    def __len__(self) -> int:
        return int(self.words.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays."""
        return sum(
            a.nbytes for a in (self.words, self.ids, self._offsets, self._partners, self._rows)
        )

    @classmethod
    def build(
        cls, hashes: npt.NDArray[np.uint8] | Words, ids: npt.ArrayLike | None = None
    ) -> PdqIndex:
        """Index ``hashes`` (``(n, 32)`` uint8 or ``(n, 4)`` uint64); ``ids`` default to 0..n-1."""
        words = _to_words(hashes)
        n = words.shape[0]
        if n >= 2**32:
            raise UsageError("a PDQ index holds fewer than 2**32 hashes")
        id_arr = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        if id_arr.shape != (n,):
            raise ValueError(f"ids must have shape ({n},), got {id_arr.shape}")
        offsets = np.zeros((_CHUNKS, _BUCKETS + 1), dtype=np.int64)
        partners = np.empty((_CHUNKS, n), dtype=np.uint16)
        rows = np.empty((_CHUNKS, n), dtype=np.uint32)
        _fill_tables(words, offsets, partners, rows)
        return cls(words, np.ascontiguousarray(id_arr), offsets, partners, rows)

    def query(
        self,
        queries: npt.NDArray[np.uint8] | Words,
        threshold: int | None = None,
        groups: npt.ArrayLike | None = None,
    ) -> PdqMatches:
        """Every indexed hash within ``threshold`` bits (inclusive) of each query.

        ``threshold`` defaults to the PDQ hash kind's.

        ``groups`` (one int per query row) gathers the dihedral variants of one picture:
        each indexed entry is then reported once per group, at its smallest distance.
        """
        if threshold is None:
            threshold = pdq_threshold()
        if not 0 <= threshold <= BITS:
            raise UsageError(f"PDQ threshold must be within 0..{BITS}, got {threshold}")
        q = _to_words(queries)
        group_arr = None
        if groups is not None:
            group_arr = np.asarray(groups, dtype=np.int64)
            if group_arr.shape != (q.shape[0],):
                raise ValueError(f"groups must have shape ({q.shape[0]},), got {group_arr.shape}")
        qi, qr, qd = self._pairs(q, threshold)
        if group_arr is None:
            return PdqMatches(qi, qi.copy(), self.ids[qr], qd)
        g = group_arr[qi]
        order = np.lexsort((qi, qd, qr, g))  # by group, row, then closest, first variant
        g, qr, qd, qi = g[order], qr[order], qd[order], qi[order]
        first = np.ones(g.shape[0], dtype=bool)
        first[1:] = (g[1:] != g[:-1]) | (qr[1:] != qr[:-1])
        return PdqMatches(qi[first], g[first], self.ids[qr[first]], qd[first])

    def _pairs(
        self, q: Words, threshold: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int16]]:
        """(query, row, distance) of every match, ordered by query then row."""
        if len(self) == 0 or q.shape[0] == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16)
        if threshold // _CHUNKS >= _SCAN_FROM_RADIUS:
            qi, qr, qd = _scan(self.words, q, threshold)
        else:
            masks, weights = _masks(threshold // _CHUNKS)
            step = max(1, _PROBES_PER_PASS // len(masks))
            parts = []
            for start in range(0, q.shape[0], step):
                pi, pr, pd = _search(
                    self.words, self._offsets, self._partners, self._rows, masks, weights,
                    q[start : start + step], threshold, threshold // 8,
                )  # fmt: skip
                parts.append((pi + start, pr, pd))
            qi, qr, qd = (np.concatenate([p[k] for p in parts]) for k in range(3))
        order = np.lexsort((qr, qi))
        return qi[order], qr[order], qd[order]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the hashes and ids to an ``.npz`` file (no pickle)."""
        write_arrays(path, _FORMAT, {"words": self.words, "ids": self.ids})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PdqIndex:
        """Read a file written by :meth:`save`, refusing anything else, and rebuild the tables."""
        where = os.fspath(path)
        fields = read_arrays(where, _FORMAT, "PDQ index")
        if set(fields) != {"words", "ids"}:
            raise CorruptInput(f"not a {_FORMAT} file", path=where)
        words, ids = fields["words"], fields["ids"]
        if words.dtype != np.uint64 or words.ndim != 2 or words.shape[1] != 4:
            raise CorruptInput(f"bad hash array {words.dtype} {words.shape}", path=where)
        if ids.dtype != np.int64 or ids.shape != (words.shape[0],):
            raise CorruptInput(f"bad id array {ids.dtype} {ids.shape}", path=where)
        return cls.build(words, ids)
