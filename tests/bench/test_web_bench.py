"""bench/web.py at a tiny size: the seeder writes what it says, and the harness measures.

The full run takes minutes on a seed-sized database; this one seeds a few hundred files
on each database, starts ``phunt serve`` against it, logs in through the form, gets a
token, and runs a few clients for about a second each way, so a change that breaks the
seeder (a schema change), the server's start or a URL of the mix fails here first.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

import web_seed
from phunt.schema.cases import Device, Suspect
from phunt.schema.chats import ChatParticipant
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch

pytestmark = pytest.mark.slow


def _bench_web() -> ModuleType:
    """bench/web.py, loaded from its path: ``import web`` finds the web tests' package."""
    path = Path(web_seed.__file__).with_name("web.py")
    spec = importlib.util.spec_from_file_location("bench_web", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


web = _bench_web()

SIZES = web_seed.Sizes.at(0.002)


def test_seeded_rows_are_the_sizes_asked(db_url: str) -> None:
    seeded = web_seed.seed(db_url, SIZES)
    db = Database(db_url)
    try:
        with db.session() as session:
            files = session.scalar(select(func.count()).select_from(EvidenceFile))
            matched = session.scalar(select(func.count(func.distinct(FileMatch.file_id))))
            arrests = session.scalar(select(func.count()).where(Suspect.arrested_at.is_not(None)))
            members = session.scalar(select(func.count()).select_from(ChatParticipant))
            largest = session.get(Device, seeded.devices[0][0])
    finally:
        db.close()
    assert files == SIZES.files == seeded.counts["evidence_file"]
    assert matched == seeded.counts["file_match"] > 0
    assert arrests == SIZES.arrests
    assert members == seeded.counts["chat_participant"] >= min(SIZES.members, SIZES.people)
    assert largest is not None
    assert set(seeded.passwords) == set(web_seed.ROLE_NAMES)


def test_every_endpoint_answers_under_load(db_url: str, tmp_path: Path) -> None:
    seeded = web_seed.seed(db_url, SIZES)
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    plan = web.Plan(4, seconds=1.0, warmup=0.3, think=0.05, think_seconds=1.0, solo_seconds=0.3)
    windows = web.measure(kind, seeded, 1, plan, tmp_path)
    modes = [w.mode for w in windows]
    assert modes[-3:] == ["closed loop", "think 0.05 s", "static file alone, closed loop"]
    assert modes[:-3] == [f"alone, 1 client: {t.name}" for t in web.mix(seeded)]
    for window in windows:
        for name, sample in window.samples.items():
            assert not sample.errors, (window.mode, name, sample.errors)
            assert sample.times, (window.mode, name)
            assert 0 < sample.percentile(50) <= sample.percentile(95) <= max(sample.times)
        assert window.server_cpu > 0
        assert math.isfinite(window.client_cpu)
        assert window.db_cpu >= 0 if kind == "postgresql" else window.db_cpu == 0
    text = web.report(windows, {kind: seeded}, plan, [])
    assert "| dashboard page |" in text
    assert "## Acceptance" in text
