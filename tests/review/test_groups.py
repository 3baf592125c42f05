"""The review queue's stored near-duplicate pairs (both databases): the groups they give
are those of the all-pairs rule on the queue's files (a brute-force reference, on inputs
Hypothesis makes), files stored in several ingests are compared only once, and videos
pair under vPDQ's rule whichever of two was stored first.

Hashes are generated numbers: a few random 256-bit bases, each file one of them with a
few bits changed, so files of one base are near or not and chains join them.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from phunt.accounts.access import Viewer
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.vpdq import VpdqFrame, to_text
from phunt.review import groups
from phunt.review.queue import review_queue
from phunt.schema.db import Database, Session
from phunt.schema.ingest import EvidenceFile, IngestJob
from phunt.schema.review_groups import ReviewGrouped, ReviewNearPair
from test_lib import initialise, run_phunt

ADMIN = Viewer(0, "admin1", "admin", frozenset())
_names = itertools.count()


def _flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def _world(s: Session, devices: int) -> tuple[int, list[int]]:
    n = next(_names)
    case = open_case(s, f"CR {n}/2026", "Cyber PS", "Ernakulam", ["IT Act s.67B"])
    ids = [
        add_device(s, f"EV-G{n}-{d}", "mobile phone", case_id=case.id).id for d in range(devices)
    ]
    return case.id, ids


def _store(s: Session, device_id: int, files: list[dict[str, object]]) -> list[int]:
    """Store ``files`` on the device as one finished ingest job would."""
    job = IngestJob(device_id=device_id, source_path=f"/evidence/{next(_names)}",
                    source_kind="folder", status="finished", files=len(files))  # fmt: skip
    s.add(job)
    s.flush()
    rows = [EvidenceFile(job_id=job.id, device_id=device_id, seq=seq, path=f"DCIM/{seq}.jpg",
                         size=1000 + seq, **f) for seq, f in enumerate(files)]  # fmt: skip
    s.add_all(rows)
    s.flush()
    return [r.id for r in rows]


def _components(ids: list[int], near: set[tuple[int, int]]) -> set[frozenset[int]]:
    """The reference: connected components over ``ids`` joined by ``near``."""
    parent = {i: i for i in ids}

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in near:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    out: dict[int, set[int]] = {}
    for i in ids:
        out.setdefault(root(i), set()).add(i)
    return {frozenset(g) for g in out.values()}


FILE = st.tuples(
    st.integers(0, 1),  # device
    st.integers(0, 2),  # ingest it is stored by
    st.integers(0, 2),  # base
    st.lists(st.integers(0, 255), min_size=8, max_size=20, unique=True),  # bits changed
    st.booleans(),  # quality at the minimum
    st.booleans(),  # known-good (out of the queue, so it joins nothing there)
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(FILE, min_size=1, max_size=24), seed=st.integers(0, 2**32 - 1))
def test_groups_are_those_of_the_all_pairs_rule(
    database: Database, files: list[tuple[int, int, int, list[int], bool, bool]], seed: int
) -> None:
    bases = [random.Random(seed + k).getrandbits(256) for k in range(3)]
    good, low = pdq_quality_min(), pdq_quality_min() - 1
    stored: dict[int, tuple[int, int, bool, bool]] = {}  # id -> (device, hash, quality, good)
    with database.session() as s:
        case_id, devices = _world(s, 2)
        for ingest in range(3):
            for d, device_id in enumerate(devices):
                batch = [f for f in files if f[0] == d and f[1] == ingest]
                if not batch:
                    continue
                values = [_flip(bases[b], bits) for _d, _i, b, bits, _q, _g in batch]
                rows = [
                    {"mime": "image/jpeg", "pdq": format(v, "064x"),
                     "pdq_quality": good if f[4] else low, "known_good": f[5]}
                    for v, f in zip(values, batch, strict=True)
                ]  # fmt: skip
                ids = _store(s, device_id, rows)
                for i, v, f in zip(ids, values, batch, strict=True):
                    stored[i] = (device_id, v, f[4], f[5])
            if ingest == 1:
                groups.update(s, devices)  # the first two ingests grouped, the last not yet
    near = {
        (a, b)
        for a, b in itertools.combinations(sorted(stored), 2)
        if stored[a][2]
        and stored[b][2]
        and bin(stored[a][1] ^ stored[b][1]).count("1") <= pdq_threshold()
    }
    with database.session() as s:
        for owner in [{"device_id": d} for d in devices] + [{"case_id": case_id}]:
            page = review_queue(s, ADMIN, per_page=500, **owner)  # type: ignore[arg-type]
            queued = sorted(i for i, (dev, _v, _q, kg) in stored.items() if not kg
                            and ("case_id" in owner or dev == owner["device_id"]))  # fmt: skip
            expected = _components(queued, near)
            assert {frozenset(item.members) for item in page.items} == expected
            assert page.total_files == len(queued) and page.total_items == len(expected)


def _picture(value: int) -> dict[str, object]:
    return {"mime": "image/jpeg", "pdq": format(value, "064x"), "pdq_quality": 100}


def test_the_threshold_is_inclusive(database: Database) -> None:
    base = random.Random(7).getrandbits(256)
    t = pdq_threshold()
    with database.session() as s:
        _case, (one,) = _world(s, 1)
        ids = _store(s, one, [_picture(base), _picture(_flip(base, list(range(t)))),
                              _picture(_flip(base, list(range(100, 101 + t))))])  # fmt: skip
        groups.update(s, [one])
        assert groups.pairs_of(s, [one]).tolist() == [ids[:2]]
        distance = s.scalar(select(ReviewNearPair.distance))
    assert distance == t


def test_a_later_ingest_only_adds_its_own_files(database: Database) -> None:
    rng = random.Random(3)
    base = rng.getrandbits(256)
    with database.session() as s:
        _case, (one, two) = _world(s, 2)
        first = _store(s, one, [_picture(_flip(base, [k])) for k in range(4)])
        assert groups.update(s, [one, two]) == 6  # 4 near copies: 6 pairs
        assert groups.update(s, [one, two]) == 0  # nothing stored since
        later = _store(s, two, [_picture(_flip(base, [200])), _picture(rng.getrandbits(256))])
        # the new near copy pairs with the 4 earlier files; the earlier 6 are not redone
        assert groups.update(s, [two]) == 4
        assert groups.update(s, [one, two]) == 0
        count = s.scalar(select(func.count()).select_from(ReviewNearPair))
        pairs = {tuple(p) for p in groups.pairs_of(s, [one, two]).tolist()}
    assert count == 10
    assert pairs == {tuple(p) for p in itertools.combinations(first + later[:1], 2)}


def test_pairs_go_with_their_files(database: Database) -> None:
    base = random.Random(5).getrandbits(256)
    with database.session() as s:
        _case, (one,) = _world(s, 1)
        ids = _store(s, one, [_picture(base), _picture(_flip(base, [1, 2]))])
        groups.update(s, [one])
        assert groups.pairs_of(s, [one]).tolist() == [ids]
        s.query(EvidenceFile).filter(EvidenceFile.id == ids[1]).delete()
        s.flush()
        assert groups.pairs_of(s, [one]).tolist() == []


def _video(frames: list[int], quality: int = 100) -> dict[str, object]:
    text = to_text(
        [VpdqFrame(k, quality, format(v, "064x"), float(k)) for k, v in enumerate(frames)]
    )
    return {"mime": "video/mp4", "vpdq": text}


def test_videos_pair_whichever_was_stored_first(database: Database) -> None:
    rng = random.Random(11)
    shots = [rng.getrandbits(256) for _ in range(4)]
    other = [rng.getrandbits(256) for _ in range(4)]
    with database.session() as s:
        case_id, (one, two) = _world(s, 2)
        (original,) = _store(s, one, [_video(shots)])
        groups.update(s, [one])
        copy, _unrelated = _store(
            s, two, [_video([_flip(v, [3, 9]) for v in shots]), _video(other)]
        )
        assert groups.update(s, [two]) == 1
        page = review_queue(s, ADMIN, case_id=case_id)
    items = {frozenset(i.members): i.kind for i in page.items}
    assert items == {frozenset({original, copy}): "video", frozenset({_unrelated}): "video"}


def test_the_ingest_command_stores_its_pairs(
    db_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    """``phunt ingest`` groups its files: the queue finds the pairs already stored."""
    from PIL import Image

    initialise(db_url, sqlite_template)  # only ``phunt init`` creates a database

    folder = tmp_path / "phone"
    folder.mkdir()
    rng = np.random.default_rng(4)
    pixels = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
    picture = Image.fromarray(pixels).resize((640, 480), Image.Resampling.BICUBIC)
    picture.save(folder / "a.png")
    picture.resize((480, 360)).save(folder / "b.jpg", quality=80)
    Image.fromarray(255 - pixels).resize((640, 480)).save(folder / "c.png")
    added = run_phunt("device", "add", "--evidence", "EV-9", "--kind", "laptop", "--db", db_url)
    assert added.returncode == 0, added.stderr
    done = run_phunt("ingest", str(folder), "--device", "EV-9", "--db", db_url)
    assert done.returncode == 0, done.stderr
    database = Database(db_url, migrate=False)
    try:
        with database.session() as s:
            grouped = s.scalars(select(ReviewGrouped)).one()
            files = {
                p.rsplit("/", 1)[-1]: i
                for p, i in s.execute(select(EvidenceFile.path, EvidenceFile.id))
            }
            pairs = groups.pairs_of(s, [grouped.device_id]).tolist()
    finally:
        database.close()
    assert grouped.last_file_id == max(files.values())
    assert pairs == [sorted([files["a.png"], files["b.jpg"]])]
