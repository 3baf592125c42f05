"""Proofs that some leaves sit in an RFC 6962 tree: the root they give back is the tree's
(and :func:`phunt.audit.rows.merkle_root`'s), and a wrong leaf or proof gives another."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phunt.audit.proofs import leaf, prove, root_from, root_of
from phunt.audit.rows import merkle_root


@st.composite
def _trees(draw: st.DrawFn) -> tuple[int, list[int]]:
    size = draw(st.integers(min_value=1, max_value=70))
    known = draw(st.sets(st.integers(min_value=0, max_value=size - 1)))
    return size, sorted(known)


def _leaves(size: int) -> list[bytes]:
    return [leaf(f"case_file:{i}:{i * 7}".encode()) for i in range(size)]


@given(_trees())
def test_the_proof_gives_back_the_root(tree: tuple[int, list[int]]) -> None:
    size, known = tree
    leaves = _leaves(size)
    proof = prove(leaves, known)
    held = [leaves[i] for i in known]
    assert root_from(size, known, held, proof) == root_of(leaves)


@given(_trees())
def test_a_changed_leaf_gives_another_root(tree: tuple[int, list[int]]) -> None:
    size, known = tree
    known = known or [size - 1]
    leaves = _leaves(size)
    proof = prove(leaves, known)
    held = [leaves[i] for i in known]
    held[0] = leaf(b"another row")
    assert root_from(size, known, held, proof) != root_of(leaves)


def test_the_root_is_the_seals_root() -> None:
    entries = [("custody_event", i, f"{i:064x}") for i in range(1, 12)]
    count, root = merkle_root(entries)
    leaves = [leaf(f"{t}:{r}:{v}".encode()) for t, r, v in entries]
    assert (count, root) == (11, root_of(leaves).hex())


def test_a_proof_of_the_wrong_length_is_refused() -> None:
    leaves = _leaves(9)
    proof = prove(leaves, [2, 5])
    with pytest.raises(ValueError, match="too short"):
        root_from(9, [2, 5], [leaves[2], leaves[5]], proof[:-1])
    with pytest.raises(ValueError, match="too long"):
        root_from(9, [2, 5], [leaves[2], leaves[5]], [*proof, proof[0]])
    with pytest.raises(ValueError, match="out of order"):
        root_from(9, [5, 2], [leaves[5], leaves[2]], proof)


def test_leaves_all_known_need_no_proof() -> None:
    leaves = _leaves(13)
    assert prove(leaves, list(range(13))) == []
    assert len(prove(leaves, [0])) == 4  # an audit path: log2 of the tree, rounded up
