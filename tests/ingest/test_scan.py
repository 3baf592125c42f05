"""Scanning sources against lists loaded from files and from governed hash sets."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from phunt.hashsets.store import disable_entry, import_hash_list, load_hash_sets
from phunt.ingest.scan import load_list_file, scan_sources
from phunt.ingest.triage import Match, ScanSummary
from phunt.matching.engine import MatchEngine
from phunt.schema.db import Database


def _scan(paths: list[str], engine: MatchEngine) -> tuple[list[Match], ScanSummary]:
    summary = ScanSummary()
    items = list(scan_sources(paths, engine, summary))
    return [i for i in items if isinstance(i, Match)], summary


def test_scan_sources_counts(tmp_path: Path) -> None:
    (tmp_path / "hit.bin").write_bytes(b"known bytes")
    (tmp_path / "miss.bin").write_bytes(b"unknown")
    lst = tmp_path / "list.txt"
    lst.write_text(f"# test list\n{hashlib.sha256(b'known bytes').hexdigest()}\n")
    engine = MatchEngine()
    assert load_list_file(engine, str(lst)) == 1
    matches, summary = _scan([str(tmp_path / "hit.bin"), str(tmp_path / "miss.bin")], engine)
    assert [Path(x.path).name for x in matches] == ["hit.bin"]
    assert matches[0].list == "list.txt" and matches[0].entry == 2
    out = summary.as_json()
    assert (out["files"], out["matched_files"], out["errors"], out["bytes"]) == (2, 1, 0, 18)


def _picture(path: Path, flip: bool = False) -> None:
    img = Image.linear_gradient("L").convert("RGB").resize((300, 200))
    for x in range(0, 300, 40):
        for y in range(0, 200, 2):
            img.putpixel((x, y), (250, 20, 20))
    if flip:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img.save(path, "PNG")


def test_pdq_match_through_a_mirror(tmp_path: Path) -> None:
    """The listed hash is threatexchange's, and the expected distance and quality come from
    Meta's C++ PDQ (pdqhash) on the mirrored picture: none of them from phunt."""
    original = tmp_path / "orig.png"
    _picture(original)
    listed, _ = pdq_from_file(original)
    lst = tmp_path / "pdq.txt"
    lst.write_text(f"# kind: pdq\n{listed}\n")
    ev = tmp_path / "ev"
    ev.mkdir()
    _picture(ev / "mirrored.png", flip=True)
    _, quality = pdq_from_file(ev / "mirrored.png")
    with Image.open(ev / "mirrored.png") as image:
        variants, _ = pdqhash.compute_dihedral(np.ascontiguousarray(image.convert("RGB")))
    distances = [bin(int(listed, 16) ^ _bits(v)).count("1") for v in variants]
    assert min(distances) == distances[5]  # pdqhash's sixth variant is the vertical-axis flip
    engine = MatchEngine()
    load_list_file(engine, str(lst))
    matches, summary = _scan([str(ev)], engine)
    assert len(matches) == 1
    m = matches[0].as_json()
    assert (m["kind"], m["variant"], m["distance"]) == ("pdq", "flipy", distances[5])
    assert (m["threshold"], m["pdq_mode"], m["quality"]) == (31, "default", quality)
    no_dihedral = list(scan_sources([str(ev)], engine, ScanSummary(), dihedral=False))
    assert not [i for i in no_dihedral if isinstance(i, Match)]
    assert summary.matched_files == 1


def _bits(bits: np.ndarray) -> int:
    return int("".join(str(int(b)) for b in bits), 2)


def test_scan_against_hash_sets_respects_disable(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"file a")
    (tmp_path / "b.bin").write_bytes(b"file b")
    lst = tmp_path / "set.txt"
    lst.write_text("\n".join(hashlib.md5(x).hexdigest() for x in [b"file a", b"file b"]) + "\n")
    with database.session() as s:
        import_hash_list(s, str(lst), name="unit-list")
        disable_entry(s, "unit-list", hashlib.md5(b"file b").hexdigest(), "reviewed: holiday photo")
    engine = MatchEngine()
    with database.session() as s:
        assert load_hash_sets(engine, s, ["unit-list"]) == 1
    matches, _ = _scan([str(tmp_path / "a.bin"), str(tmp_path / "b.bin")], engine)
    assert [Path(m.path).name for m in matches] == ["a.bin"]
    assert matches[0].as_json()["version"] == 1 and matches[0].list == "unit-list"


def test_scan_matches_a_reencoded_video_with_its_time_range(tmp_path: Path) -> None:
    from phunt.hashing.vpdq import hash_video, to_text
    from test_lib import TEST_DATA

    video = TEST_DATA / "video"
    listed = to_text(hash_video(str(video / "original.mp4"))).strip().replace("\n", ";")
    lst = tmp_path / "videos.txt"
    lst.write_text(f"vpdq {listed}\n")
    engine = MatchEngine()
    assert load_list_file(engine, str(lst)) == 1
    matches, summary = _scan([str(video / "reencoded.mp4"), str(video / "different.mp4")], engine)
    assert [Path(m.path).name for m in matches] == ["reencoded.mp4"]
    m = matches[0].as_json()
    assert (m["kind"], m["query_pct"], m["ranges"]) == ("vpdq", 100.0, ["00:00:00-00:00:17"])
    assert summary.files == 2 and summary.matched_files == 1


def test_scan_matches_a_video_against_metas_own_vpdq_hashes(tmp_path: Path) -> None:
    """The list holds the hashes Meta's vPDQ wrote for one of its sample videos (every frame);
    phunt hashes the video itself (one frame a second) and must find it, and only it."""
    from test_lib import shared_folder

    reference = shared_folder("reference/vpdq")
    frames = (reference / "vpdq" / "sample-hashes" / "doorknob-hd-no-bar.txt").read_text().split()
    lst = tmp_path / "meta.txt"
    lst.write_text("vpdq " + ";".join(frames) + "\n")
    engine = MatchEngine()
    assert load_list_file(engine, str(lst)) == 1
    videos = reference / "tmk" / "sample-videos"
    found, summary = _scan(
        [
            str(videos / "doorknob-hd-no-bar.mp4"),
            str(videos / "pattern-sd-with-small-logo-bar.mp4"),
        ],
        engine,
    )
    assert [Path(m.path).name for m in found] == ["doorknob-hd-no-bar.mp4"]
    m = found[0].as_json()
    assert (m["kind"], m["query_pct"], m["ranges"]) == ("vpdq", 100.0, ["00:00:00-00:00:01"])
    assert (summary.files, summary.matched_files, summary.errors) == (2, 1, 0)


def test_hash_json_carries_video_frames_and_facts() -> None:
    from phunt.ingest.hasher import hash_entry
    from phunt.sources.base import Entry
    from phunt.sources.locator import Locator
    from test_lib import TEST_DATA

    clip = TEST_DATA / "video" / "original.mp4"
    out = hash_entry(Entry(path=str(clip), locator=Locator(str(clip)))).as_json()
    assert out["error"] is None and out["mime"] == "video/mp4"
    assert out["video"]["codec"] == "h264" and out["video"]["width"] == 320
    frames = out["vpdq"]
    assert [f["timestamp"] for f in frames[:3]] == [0.0, 1.0, 2.0]
    assert all(len(f["pdq"]) == 64 for f in frames)
    cut = TEST_DATA / "video" / "truncated.mp4"
    partial = hash_entry(Entry(path=str(cut), locator=Locator(str(cut)))).as_json()
    assert partial["error"] is not None and "video" in partial["error"]


def test_scan_in_worker_processes_reports_as_in_one(tmp_path: Path) -> None:
    import pytest

    from phunt.errors import UsageError
    from phunt.matching.spec import EngineSpec, ListFile

    for i in range(40):
        (tmp_path / f"f{i:02}.bin").write_bytes(f"file {i}".encode())
    lst = tmp_path / "list.txt"
    lst.write_text("".join(hashlib.md5(f"file {i}".encode()).hexdigest() + "\n" for i in (3, 31)))
    spec = EngineSpec((ListFile.of(str(lst)),))
    paths = sorted(str(p) for p in tmp_path.glob("*.bin"))
    one, two = ScanSummary(), ScanSummary()
    serial = [m.as_json() for m in scan_sources(paths, spec, one) if isinstance(m, Match)]
    pooled = [
        m.as_json() for m in scan_sources(paths, spec, two, workers=2) if isinstance(m, Match)
    ]
    assert serial == pooled and [Path(str(m["path"])).name for m in serial] == [
        "f03.bin",
        "f31.bin",
    ]
    assert (one.files, one.matched_files) == (two.files, two.matched_files) == (40, 2)
    with pytest.raises(UsageError, match="EngineSpec"):
        list(scan_sources(paths, MatchEngine(), ScanSummary(), workers=2))
