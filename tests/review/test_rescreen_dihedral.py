"""Rotated and mirrored copies (both databases): re-screening finds them against a new
local set, and propagation reaches them, recording the transform and the distance.

The picture is generated (softened coloured ellipses, 1024 pixels square) and turned or
mirrored with Pillow in the 7 ways; an unrelated generated picture must match nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select

from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid, create_operation
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.pdq import DIHEDRAL_NAMES, PdqHash, hamming, hash_rgb
from phunt.matching.pdq_index import array_to_hex
from phunt.review.decisions import Choice, decide, history
from phunt.review.groups_dihedral import INVERSE, WORDS, variants
from phunt.review.local_set import choose_local_set, publish
from phunt.review.propagate import apply, preview
from phunt.review.rescreen import rescreen
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

T = Image.Transpose
#: Pillow's operation for each PDQ variant name: the copy is the picture turned this way.
TURNS = {
    "rot90": T.ROTATE_90,
    "rot180": T.ROTATE_180,
    "rot270": T.ROTATE_270,
    "flipx": T.FLIP_TOP_BOTTOM,
    "flipy": T.FLIP_LEFT_RIGHT,
    "flipplus1": T.TRANSPOSE,
    "flipminus1": T.TRANSVERSE,
}


def _scene(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (1024, 1024), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = (int(v) for v in rng.integers(0, 800, 2))
        w, h = (int(v) for v in rng.integers(128, 512, 2))
        draw.ellipse((x, y, x + w, y + h), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return image.filter(ImageFilter.GaussianBlur(4))


@dataclass(frozen=True)
class Stored:
    pdq: str
    quality: int
    sha256: str


@pytest.fixture(scope="module")
def pictures() -> dict[str, Stored]:
    """The picture ("orig"), its 7 turned copies and an unrelated picture ("other")."""
    scene = _scene(3)
    images = {"orig": scene, "other": _scene(4)}
    images |= {name: scene.transpose(op) for name, op in TURNS.items()}
    out = {}
    for name, image in images.items():
        pixels = np.asarray(image)
        pdq = hash_rgb(pixels).hash
        assert isinstance(pdq, PdqHash) and (pdq.quality or 0) >= pdq_quality_min()
        out[name] = Stored(pdq.hex, pdq.quality or 0, hashlib.sha256(pixels.tobytes()).hexdigest())
    return out


def _store(database: Database, pictures: dict[str, Stored]) -> dict[str, int]:
    """The picture on device A1 of case A, the rest on B1 of case B, one operation."""
    t0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    ids = {}
    with database.session() as s:
        op = create_operation(s, "Turned copies", "synthetic data only")
        raid = add_raid(s, op.id, "Ernakulam", "Shop 1, Market Road", t0, "SI Example")
        for device, names in (("A1", ["orig"]), ("B1", [*TURNS, "other"])):
            case = open_case(s, f"CR {device}/2026", "Cyber PS", "Ernakulam", ["IT Act s.67B"],
                             operation=op.id, raid_id=raid.id)  # fmt: skip
            d = add_device(s, f"EV-{device}", "mobile phone", case_id=case.id, raid_id=raid.id)
            job = IngestJob(device_id=d.id, source_path=f"/evidence/{device}",
                            source_kind="folder", status="finished", files=len(names))  # fmt: skip
            s.add(job)
            s.flush()
            for seq, name in enumerate(names):
                p = pictures[name]
                row = EvidenceFile(job_id=job.id, device_id=d.id, seq=seq, path=f"DCIM/{name}.png",
                                   size=1000, sha256=p.sha256, mime="image/png", pdq=p.pdq,
                                   pdq_quality=p.quality, pdq_mode="default")  # fmt: skip
                s.add(row)
                s.flush()
                ids[name] = row.id
    return ids


def _made(pictures: dict[str, Stored], name: str) -> int:
    """The copy's distance to the picture's variant ``name`` made from its bits."""
    made = array_to_hex(variants([pictures["orig"].pdq]))
    return hamming(pictures[name].pdq, made[DIHEDRAL_NAMES.index(name)])


def test_rescreen_finds_turned_copies(
    database: Database, pictures: dict[str, Stored], tmp_path: Path
) -> None:
    ids = _store(database, pictures)
    with database.session() as s:
        choose_local_set(s, "Unit set")
        decide(s, [ids["orig"]], Choice(1))
        publish(s, tmp_path)
    with database.session() as s:
        found = rescreen(s, "Unit set")
        assert (found.matches_added, found.files_newly_matched) == (8, 8)
        rows = {m.file_id: m for m in s.scalars(select(FileMatch))}
    assert rows[ids["orig"]].kind == "sha256" and ids["other"] not in rows
    for name in TURNS:
        match = rows[ids[name]]
        assert (match.kind, match.category_code) == ("pdq", 1)
        assert match.detail == {"rescreened": True, "transform": name, "seen_as": WORDS[name]}
        assert match.variant == INVERSE[name]  # as ingest records it: the file's variant
        assert match.distance == _made(pictures, name) <= pdq_threshold()
        # as it is, the copy is far from the listed picture
        assert hamming(pictures[name].pdq, pictures["orig"].pdq) > pdq_threshold()


def test_propagation_reaches_turned_copies(database: Database, pictures: dict[str, Stored]) -> None:
    ids = _store(database, pictures)
    with database.session() as s:
        (source,) = decide(s, [ids["orig"]], Choice(2))
        seen = preview(s, source)
        assert seen.file_ids == sorted(ids[name] for name in TURNS)
        assert (seen.exact, seen.near, seen.turned, seen.devices) == (0, 7, 7, 1)
        name_of = {v: k for k, v in ids.items()}
        assert {name_of[r.file_id]: (r.transform, r.distance) for r in seen.reach} == {
            name: (name, _made(pictures, name)) for name in TURNS
        }
        assert "reach" not in seen.as_dict() and seen.as_dict()["turned"] == 7
        made = apply(s, source)
        assert len(made) == 7
        (decision,) = history(s, ids["rot90"])
        assert history(s, ids["other"]) == []
    assert decision.category_code == 2 and decision.propagated_from_id == source
    distance = _made(pictures, "rot90")
    assert decision.note == (
        f"propagated from review decision {source} "
        f"(rotated 90 degrees anticlockwise, PDQ distance {distance})"
    )


def test_variants_from_bits_are_close_to_those_from_the_dct() -> None:
    """A transpose moves the bits exactly; a sign change inverts them, within the bits
    between the two medians (see groups_dihedral's docstring)."""
    for seed in (3, 4, 7):
        result = hash_rgb(np.asarray(_scene(seed)), dihedral=True)
        made = array_to_hex(variants([result.hash.hex]))
        distances = [hamming(a, b) for a, b in zip(made, result.dihedral, strict=True)]
        assert made[0] == result.hash.hex and distances[DIHEDRAL_NAMES.index("flipplus1")] == 0
        assert max(distances) <= 12 and sum(distances) > 0
