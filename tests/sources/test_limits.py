"""Expansion limits: the high ratio and its floor, the budgets, sizes, bounded reads, names."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from phunt.sources.limits import (
    Budget,
    ExpandLimits,
    ExpansionLimitError,
    bounded,
    format_size,
    name_warnings,
    parse_size,
)


def test_high_ratio_needs_both_size_and_ratio() -> None:
    limits = ExpandLimits(max_ratio=100.0, ratio_floor=1000)
    assert not limits.high_ratio(900, 1)  # under the floor
    assert not limits.high_ratio(50_000, 1_000)  # ratio 50
    assert not limits.high_ratio(200_000, None)  # stored: nothing expands
    assert limits.high_ratio(200_000, 1_000)


def test_a_high_ratio_is_read_while_the_budget_lasts() -> None:
    budget = Budget(ExpandLimits(max_high_ratio_bytes=5 << 20, ratio_floor=1000))
    assert budget.take(4 << 20, 4096) is None  # ratio 1024, within the budget
    refusal = budget.take(2 << 20, 2048)
    assert refusal == (
        "expansion limit: 2 MiB (2097152 bytes) from 2.0 KiB (ratio 1024 > 100) would pass "
        "this source's budget of 5 MiB expanded at a ratio over 100 (4 MiB used); possible "
        "archive bomb, not read (raise with --max-high-ratio)"
    )
    assert budget.take(2 << 20, 1 << 20) is None  # ratio 2: not drawn from that budget
    assert (budget.used, budget.high_ratio_used) == (6 << 20, 4 << 20)


def test_budget_is_shared_and_refuses_past_total() -> None:
    budget = Budget(ExpandLimits(max_expanded_bytes=10))
    assert budget.take(6) is None
    refusal = budget.take(5)
    assert refusal == (
        "expansion limit: 5 bytes would pass this source's budget of 10 bytes expanded "
        "(6 bytes used); not read (raise with --max-expanded)"
    )
    assert budget.take(4) is None
    assert budget.used == 10


def test_scratch_budget_and_free_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    budget = Budget(ExpandLimits(max_scratch_bytes=3 << 20))
    assert budget.spool(2 << 20, str(tmp_path)) is None
    refusal = budget.spool(2 << 20, str(tmp_path))
    assert refusal == (
        "scratch limit: spooling it needs 2 MiB (2097152 bytes), past this source's scratch "
        "budget of 3 MiB (2 MiB in use); not opened (raise with --max-scratch)"
    )
    budget.unspool(2 << 20)
    assert budget.spool(2 << 20, str(tmp_path)) is None
    # A fixed free space: the real one moves while other jobs write to the disk.
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage._replace(free=5 << 30))
    roomy = Budget(ExpandLimits(max_scratch_bytes=10 << 30))
    assert roomy.spool(5 << 30, str(tmp_path)) == (
        "scratch limit: spooling it needs 5 GiB (5368709120 bytes) and the scratch folder has "
        "5 GiB free; not opened (free space there, or point TMPDIR at a folder with room)"
    )
    assert roomy.spool(4 << 30, str(tmp_path)) is None  # under the free space less the reserve


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1048576", 1 << 20),
        ("64G", 64 << 30),
        ("1.5T", 3 << 39),
        ("500MiB", 500 << 20),
        ("2 kb", 2048),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1G", "12X", "1e9"])
def test_parse_size_refuses_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_format_size() -> None:
    assert [format_size(n) for n in (900, 1536, 5 << 20, 1 << 40, 3 << 39)] == [
        "900 bytes",
        "1.5 KiB",
        "5 MiB",
        "1 TiB",
        "1.5 TiB",
    ]


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


ABSOLUTE = "member name is an absolute path (kept as a name, never extracted)"
DOTDOT = "member name contains '..' (kept as a name, never extracted)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ok/a.txt", []),
        ("../a", [DOTDOT]),
        ("a\\..\\b", [DOTDOT]),
        ("/etc/x", [ABSOLUTE]),
        ("\\\\server\\x", [ABSOLUTE]),
        ("C:\\x", [ABSOLUTE]),
        ("/a/../../b", [ABSOLUTE, DOTDOT]),
        ("a..b", []),
    ],
)
def test_name_warnings(name: str, expected: list[str]) -> None:
    assert name_warnings(name) == expected
