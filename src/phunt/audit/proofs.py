"""Inclusion proofs in RFC 6962 Merkle trees, for many leaves at once.

A case backup carries some of a tree's leaves (the audit records of one case among every
record of the log; the seals of its rows among every seal of a record) and must prove that
they sit in a tree whose root was signed or sealed, without carrying the others. The
proof is the root hash of every largest subtree holding none of the carried leaves, in
left-to-right order: the RFC 6962 audit paths of the carried leaves, with the nodes they
share given once. Trees split as RFC 6962 splits them (the left part the largest power of
two below the size), so these roots are those of :func:`phunt.audit.rows.merkle_root`.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise


def leaf(data: bytes) -> bytes:
    """The hash of a leaf holding ``data`` (``0x00 || data``)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root over leaf hashes given as a stream (at most log2(n) subtrees held)."""
    stack: list[tuple[int, bytes]] = []
    for digest in leaves:
        size, top = 1, digest
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            size, top = size * 2, node(left, top)
        stack.append((size, top))
    if not stack:
        return hashlib.sha256(b"").digest()
    root = stack.pop()[1]
    while stack:
        root = node(stack.pop()[1], root)
    return root


def _split(size: int) -> int:
    """RFC 6962's split: the largest power of two smaller than ``size``."""
    return 1 << ((size - 1).bit_length() - 1)


def _walk(
    lo: int,
    hi: int,
    known: Sequence[int],
    whole: Callable[[int, int], bytes],
    absent: Callable[[int, int], bytes],
) -> bytes:
    """The root of leaves ``lo..hi-1``: ``whole`` where every leaf is known, ``absent``
    where none is, split in two elsewhere."""
    held = bisect_left(known, hi) - bisect_left(known, lo)
    if held == hi - lo:
        return whole(lo, hi)
    if held == 0:
        return absent(lo, hi)
    mid = lo + _split(hi - lo)
    return node(_walk(lo, mid, known, whole, absent), _walk(mid, hi, known, whole, absent))


def prove(leaves: Sequence[bytes], known: Sequence[int]) -> list[bytes]:
    """The proof that the leaves at positions ``known`` (ascending) sit in the tree over
    ``leaves``: the roots of the subtrees holding none of them, left to right."""
    proof: list[bytes] = []

    def absent(lo: int, hi: int) -> bytes:
        proof.append(root_of(leaves[lo:hi]))
        return proof[-1]

    if leaves:
        _walk(0, len(leaves), known, lambda lo, hi: root_of(leaves[lo:hi]), absent)
    return proof


def root_from(
    size: int, known: Sequence[int], held: Sequence[bytes], proof: Sequence[bytes]
) -> bytes:
    """The root of a tree of ``size`` leaves whose leaves at positions ``known`` hash to
    ``held`` (in that order), with :func:`prove`'s ``proof`` for the others. A proof of the
    wrong length, or positions out of order or range, raises ValueError."""
    if len(known) != len(held):
        raise ValueError("as many leaves as positions are needed")
    if any(b <= a for a, b in pairwise(known)) or (known and (known[0] < 0 or known[-1] >= size)):
        raise ValueError("positions out of order or outside the tree")
    given = iter(proof)
    used = 0

    def whole(lo: int, hi: int) -> bytes:
        start = bisect_left(known, lo)
        return root_of(held[start : start + hi - lo])

    def absent(lo: int, hi: int) -> bytes:
        nonlocal used
        used += 1
        found = next(given, None)
        if found is None:
            raise ValueError("the proof is too short")
        return found

    if size == 0:
        return root_of(())
    root = _walk(0, size, known, whole, absent)
    if used != len(proof):
        raise ValueError("the proof is too long")
    return root
