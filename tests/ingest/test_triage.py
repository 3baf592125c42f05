from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from phunt.ingest.triage import Match, ScanSummary, hash_sources


def test_hash_sources_in_order_with_missing(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    results = list(hash_sources([str(tmp_path), str(tmp_path / "missing")]))
    assert [Path(r.path).name for r in results] == ["a.txt", "b.txt", "missing"]
    assert results[2].error == "no such file or folder"


def test_match_and_summary_json(monkeypatch: pytest.MonkeyPatch) -> None:
    m = Match("p", "s" * 64, "pdq", "list", "2", 7, 9, {"variant": "rot90"})
    assert m.as_json() == {
        "type": "match",
        "path": "p",
        "sha256": "s" * 64,
        "kind": "pdq",
        "list": "list",
        "category": "2",
        "distance": 7,
        "entry": 9,
        "variant": "rot90",
    }
    s = ScanSummary(files=3, bytes=10, matched_files=1, errors=0, started=100.0)
    monkeypatch.setattr("phunt.ingest.triage.time", SimpleNamespace(monotonic=lambda: 102.5))
    assert s.as_json() == {
        "type": "summary",
        "files": 3,
        "bytes": 10,
        "matched_files": 1,
        "errors": 0,
        "pdq_low_quality": 0,
        "elapsed_s": 2.5,
    }


def test_a_root_that_is_a_link_is_one_clear_error(tmp_path: Path) -> None:
    # (A FIFO root is tested through the CLI, under a timeout: the old code blocked on it.)
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("a")
    os.symlink("real", tmp_path / "link")
    results = list(hash_sources([str(tmp_path / "link")]))
    assert [(r.path, r.error) for r in results] == [
        (
            str(tmp_path / "link"),
            "a symbolic link, not followed (-> real): name the folder or file it points to",
        )
    ]


# The two files test_data/ewf/make_damaged.py writes, digested here, not by phunt.
NOTE_MD5 = hashlib.md5(b"Meeting moved to Thursday.\n").hexdigest()
REPORT_MD5 = hashlib.md5(
    "".join(
        f"Shift roster for week {n:03d}: desk duty, patrol, court, leave.\n" for n in range(700)
    ).encode()
).hexdigest()


def test_hash_of_a_damaged_e01_ends_with_its_errors_and_the_damaged_files() -> None:
    from test_lib import TEST_DATA

    image = str(TEST_DATA / "ewf" / "damaged-deflate.E01")
    results = list(hash_sources([image], pdq_mode=None))
    assert [(r.path.rsplit("!/", 1)[-1], r.error is None) for r in results] == [
        ("p1/note.txt", True),
        ("p1/report.txt", True),
        (image, False),
        ("p1/report.txt", False),
    ]
    bad = (
        "sector(s): 192 - 255 (number: 64) in damaged-deflate.E01: compressed chunk does not "
        "decompress (Error -3 while decompressing data: invalid literal/lengths set)"
    )
    assert results[2].error == (
        f"E01 not verified: bad {bad}; MD5 630aeb42fd074b126b3ac17282bad794 is not the "
        "acquisition MD5 e3f62ce1a14b3a6196a8ba42cfba9fe5"
    )
    assert results[3].error == (
        f"data in bad sectors of the E01 ({bad}): read as zeros, so its content and digests "
        "are not the acquired file's"
    )
    assert results[0].md5 == NOTE_MD5
    sound = list(hash_sources([str(TEST_DATA / "ewf" / "sound.E01")], pdq_mode=None, workers=2))
    assert [(r.path.rsplit("!/", 1)[-1], r.error, r.md5) for r in sound] == [
        ("p1/note.txt", None, NOTE_MD5),
        ("p1/report.txt", None, REPORT_MD5),
    ]


def test_each_path_has_its_own_budget_and_the_limits_reach_the_walk() -> None:
    """Two paths each spend up to the budget: 5 MiB at a high ratio in each fits 6 MiB."""
    from phunt.sources.limits import ExpandLimits

    archive = str(Path(__file__).resolve().parents[2] / "test_data/sources/picture_and_zeros.zip")
    limits = ExpandLimits(max_high_ratio_bytes=6 << 20)
    results = list(hash_sources([archive, archive], pdq_mode=None, limits=limits))
    assert [r.error for r in results] == [None] * 6
    tight = list(
        hash_sources([archive], pdq_mode=None, limits=ExpandLimits(max_high_ratio_bytes=4 << 20))
    )
    assert [r.path.rsplit("!/", 1)[-1] for r in tight if r.error] == ["zeros.bin"]
    assert "(raise with --max-high-ratio)" in str(tight[2].error)


def test_a_container_named_at_depth_0_is_hashed_once_and_said_not_opened() -> None:
    from phunt.sources.limits import ExpandLimits

    archive = str(Path(__file__).resolve().parents[2] / "test_data/sources/phone.zip")
    results = list(hash_sources([archive], pdq_mode=None, limits=ExpandLimits(max_depth=0)))
    assert [(r.path, r.error is None) for r in results] == [
        (archive, True),
        (f"{archive}!/", False),
    ]
    assert "container nesting deeper than 0" in str(results[1].error)


def _no_pool(*args: object, **kwargs: object) -> object:
    raise AssertionError("a worker pool was started")


def test_a_lone_file_is_hashed_here_whatever_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file cannot be shared among workers: no pool is started for it."""
    from phunt.ingest import pipeline

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", _no_pool)
    (tmp_path / "only.txt").write_text("only")
    (result,) = hash_sources([str(tmp_path)], pdq_mode=None, workers=4)
    assert (Path(result.path).name, result.md5) == (
        "only.txt",
        hashlib.md5(b"only").hexdigest(),
    )
    (tmp_path / "second.txt").write_text("second")
    with pytest.raises(AssertionError, match="pool was started"):
        list(hash_sources([str(tmp_path)], pdq_mode=None, workers=4))
