"""List files become set files in the process's scratch folder, numbered by record."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from phunt import scratch
from phunt.hashsets.columns import plain_batch
from phunt.matching.engine import MatchEngine
from phunt.matching.private_sets import numbered_by_record
from phunt.matching.spec import load_list_file


def _numbers(*records: list[int]) -> list[list[int]]:
    batches = [
        plain_batch("md5", np.zeros((len(r), 16), np.uint8), np.array(r, np.int64)) for r in records
    ]
    out = []
    for batch in numbered_by_record(batches):
        assert batch.numbers is not None
        out.append(batch.numbers.tolist())
    return out


def test_entries_are_numbered_by_their_record() -> None:
    assert _numbers([1, 2, 5], [7, 9]) == [[1, 2, 5], [7, 9]]


def test_a_repeated_or_earlier_record_takes_the_next_number() -> None:
    assert _numbers([3, 3, 3, 4, 9], [2, 10]) == [[3, 4, 5, 6, 9], [10, 11]]


def test_a_list_file_is_matched_through_a_set_file_in_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scratch, "_area", str(tmp_path / "area"))
    lst = tmp_path / "list.txt"
    lst.write_text(
        "# a comment line\n" + "\n".join(hashlib.md5(b"%d" % i).hexdigest() for i in range(3))
    )
    engine = MatchEngine()
    assert load_list_file(engine, str(lst)) == 3
    (hit,) = engine.match_file({"md5": hashlib.md5(b"2").hexdigest()})
    assert (hit.listed.list_name, hit.listed.version, hit.listed.entry) == ("list.txt", None, 4)
    (segment,) = engine.segments
    assert Path(scratch.folder()) in segment.set_file.path.parents
    empty = tmp_path / "empty.txt"
    empty.write_text("# kind: md5\n")
    assert load_list_file(engine, str(empty)) == 0 and len(engine.segments) == 1
