"""Sealing with the hashes a writer knows: split around the id and made whole, checked by
a sample, dropped for rows changed since, and giving the seal a read of every row gives."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from phunt.audit import seal
from phunt.audit.rows import hash_parts, hash_with_id, row_hash
from phunt.cases.devices import add_device
from phunt.ingest.job import ingest
from phunt.schema.db import Database, Session
from phunt.schema.ingest import EvidenceFile


def test_split_parts_made_whole_give_the_row_hash() -> None:
    row: dict[str, Any] = {"path": "a/é\u2028b", "size": None, "exif": {"id": [1, "x"]}}
    parts = hash_parts("evidence_file", row)
    assert parts is not None
    assert hash_with_id(parts, 4021) == row_hash("evidence_file", row | {"id": 4021})


def test_no_parts_where_the_split_is_not_certain() -> None:
    mark = "\ue000phunt row id\ue000"
    assert hash_parts("evidence_file", {"path": mark}) is None
    assert hash_parts("evidence_file", {"path": "bad \udcff byte"}) is None  # not storable
    for near in ("\\" + mark, f'"{mark}"', mark + "x"):  # the mark in a value, not the id
        parts = hash_parts("evidence_file", {"path": near})
        assert parts is not None
        assert hash_with_id(parts, 7) == row_hash("evidence_file", {"path": near, "id": 7})


def _stored(database: Database, tmp_path: Path, count: int) -> list[int]:
    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(count):
        (folder / f"n{i:02d}.txt").write_text(f"note {i}\n")
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    ingest(database, str(folder), "EV-1")
    with database.session() as s:
        return list(s.scalars(select(EvidenceFile.id).order_by(EvidenceFile.id)))


_SEQS = itertools.count(7)  # a number the seals of each call are written under


def _seal(session: Session, known: dict[int, str] | None) -> dict[str, Any]:
    seal.seal_where(session, EvidenceFile, EvidenceFile.job_id == 1, known=known)
    return seal.write_seals(session, -next(_SEQS), seal.take_pending(session))


def _hashes(session: Session) -> dict[int, str]:
    rows = session.execute(select(EvidenceFile.__table__)).mappings()
    return {row["id"]: row_hash("evidence_file", row) for row in rows}


def test_known_hashes_seal_as_a_read_does_and_a_wrong_sample_reads_all(
    database: Database, tmp_path: Path
) -> None:
    ids = _stored(database, tmp_path, 100)
    with database.session() as s:
        read = _seal(s, None)
        right = _hashes(s)
        assert _seal(s, right) == read
        assert _seal(s, {**right, 10_000: "not in the scope"}) == read
        partly = {row_id: right[row_id] for row_id in ids[::3]}  # the others read back
        assert _seal(s, partly) == read
        assert _seal(s, {**right, ids[1]: "0" * 64}) == read  # sampled: all are read
        assert _seal(s, {**right, ids[0]: "0" * 64}) != read  # not sampled: what it is for
        s.rollback()


def test_a_row_this_session_changed_is_read_not_taken_as_known(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seal, "_checked", lambda _session, _table, known: known)  # no sample
    ids = _stored(database, tmp_path, 5)
    with database.session() as s:
        right = _hashes(s)
        for row in s.scalars(select(EvidenceFile)):  # every one: whichever the merge puts first
            row.warnings = ["changed after its hash was made"]
        s.flush()  # noticed by the seals' flush hook
        assert seal.pending(s).rows == {"evidence_file": set(ids)}
        changed = _seal(s, right)
        assert changed == _seal(s, None) != _seal(s, right)  # (the change no longer pending)
        s.rollback()


@pytest.mark.parametrize("count", [1, 2, 31, 32, 33, 100, 5000])
def test_the_sample_is_spread_over_the_known_rows(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    picked: list[list[int]] = []

    def reading(_session: object, _table: object, wanted: list[int]) -> dict[int, str]:
        picked.append(wanted)
        return {}

    monkeypatch.setattr(seal, "_read", reading)
    ids = list(range(1000, 1000 + count))
    known = dict.fromkeys(ids, "x")
    assert seal._checked(None, EvidenceFile.__table__, known) is known  # type: ignore[arg-type]
    (sample,) = picked
    assert len(set(sample)) == len(sample) == min(count, seal.SAMPLE) and set(sample) <= set(ids)
    assert sample == sorted(sample) and sample[-1] - sample[0] >= (count - 1) * 9 // 10
