"""The match stage screens a worker's batch at once, with the hits of one file at a time."""

from __future__ import annotations

import hashlib
from pathlib import Path

from phunt.hashsets.entry import HashEntry
from phunt.ingest.stages.base import Work, start
from phunt.ingest.stages.match import MatchStage
from phunt.ingest.stages.read import ReadStage
from phunt.matching.engine import MatchEngine
from phunt.sources.base import Entry
from phunt.sources.locator import Locator


def _read(path: Path) -> Work:
    work = start(Entry(path=str(path), locator=Locator(str(path))))
    ReadStage(whole=False).run(work)
    return work


def test_a_batch_gets_each_files_own_verdict_and_hits(tmp_path: Path) -> None:
    contents = [b"listed", b"vendor", b"unlisted", b"listed"]
    for i, data in enumerate(contents):
        (tmp_path / f"f{i}").write_bytes(data)
    engine = MatchEngine()
    engine.add("bad", "known-bad", [(4, HashEntry({"md5": hashlib.md5(b"listed").hexdigest()}))])
    engine.add("nsrl", "known-good", [(1, HashEntry({"md5": hashlib.md5(b"vendor").hexdigest()}))])
    batch = [_read(tmp_path / f"f{i}") for i in range(4)]
    batch.append(start(Entry(path="gone", locator=Locator(str(tmp_path / "gone")))))  # unread
    stage = MatchStage(engine)
    stage.run_many(batch)
    got = [(w.known_good, [(h.listed.list_name, h.listed.entry) for h in w.hits]) for w in batch]
    bad = [("bad", 4)]
    assert got == [(False, bad), (True, []), (False, []), (False, bad), (False, [])]
    one = _read(tmp_path / "f0")
    stage.run(one)
    assert (one.known_good, one.hits) == (batch[0].known_good, batch[0].hits)
