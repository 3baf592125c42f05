"""Expansion limits: ratio with its floor, the shared budget, bounded reads, member names."""

from __future__ import annotations

import io

import pytest

from phunt.sources.limits import (
    Budget,
    ExpandLimits,
    ExpansionLimitError,
    bounded,
    name_warnings,
)


def test_ratio_needs_both_size_and_ratio() -> None:
    limits = ExpandLimits(max_ratio=100.0, ratio_floor=1000)
    assert limits.ratio_problem(900, 1) is None  # under the floor
    assert limits.ratio_problem(50_000, 1_000) is None  # ratio 50
    problem = limits.ratio_problem(200_000, 1_000)
    assert problem is not None and "ratio 200 > 100" in problem


def test_budget_is_shared_and_refuses_past_total() -> None:
    budget = Budget(ExpandLimits(max_total_bytes=10))
    assert budget.take(6) is None
    assert budget.take(5) is not None
    assert budget.take(4) is None
    assert budget.used == 10


def test_bounded_reader_stops_at_limit() -> None:
    with bounded(io.BytesIO(b"12345"), 5, "x") as stream:
        assert stream.read() == b"12345"
    with pytest.raises(ExpansionLimitError, match="expands past 4 bytes"):
        bounded(io.BytesIO(b"12345"), 4, "x").read()


def test_bounded_reader_translates_decoder_errors() -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            raise EOFError("cut short")

    with pytest.raises(OSError, match="damaged data: cut short"):
        bounded(Broken(), 10, "x").read()


@pytest.mark.parametrize(
    ("name", "count"),
    [("ok/a.txt", 0), ("../a", 1), ("/etc/x", 1), ("C:\\x", 1), ("/a/../../b", 2), ("a..b", 0)],
)
def test_name_warnings(name: str, count: int) -> None:
    assert len(name_warnings(name)) == count
