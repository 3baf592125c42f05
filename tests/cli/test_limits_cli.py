"""The expansion limits through ``hash``, ``scan`` and ``ingest``: a high ratio alone is
read, a refused member is an error line naming the limit and its option, and reaching
the nesting limit is an error line too."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from test_lib import TEST_DATA, run_phunt

DATA = TEST_DATA / "sources"


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _photo_list(tmp_path: Path) -> Path:
    """A hash list naming the benign generated picture inside ``picture_and_zeros.zip``."""
    with zipfile.ZipFile(DATA / "picture_and_zeros.zip") as archive:
        photo = archive.read("photo.png")
    listed = tmp_path / "list.txt"
    listed.write_text(hashlib.md5(photo).hexdigest() + "\n")
    return listed


def _other_list(tmp_path: Path) -> Path:
    listed = tmp_path / "other.txt"
    listed.write_text(hashlib.md5(b"nothing here").hexdigest() + "\n")
    return listed


def test_help_defaults_are_the_limits_defaults() -> None:
    from phunt.cli.limits import DEFAULTS, expand_limits
    from phunt.sources.limits import ExpandLimits, parse_size

    limits = ExpandLimits()
    assert int(DEFAULTS["max_depth"]) == limits.max_depth
    assert parse_size(DEFAULTS["max_expanded"]) == limits.max_expanded_bytes
    assert parse_size(DEFAULTS["max_high_ratio"]) == limits.max_high_ratio_bytes
    assert parse_size(DEFAULTS["max_scratch"]) == limits.max_scratch_bytes
    assert float(DEFAULTS["max_listing_cpu"]) == limits.max_listing_cpu
    assert expand_limits(None, None, None, None) == limits
    assert expand_limits(None, None, None, None, "7.5").max_listing_cpu == 7.5


def test_a_listed_picture_beside_5_mib_of_zeros_is_found(tmp_path: Path) -> None:
    result = run_phunt(
        "scan", str(DATA / "picture_and_zeros.zip"), "--hashlist", str(_photo_list(tmp_path))
    )
    assert result.returncode == 1, result.stderr
    assert f"MATCH {DATA / 'picture_and_zeros.zip'}!/photo.png" in result.stdout
    assert result.stderr == ""
    assert "3 files" in result.stdout and "0 errors" in result.stdout


def test_a_member_past_the_budget_is_an_error_line_and_the_match_still_wins(
    tmp_path: Path,
) -> None:
    archive = DATA / "picture_and_zeros.zip"
    args = ("scan", str(archive), "--max-high-ratio", "4M", "--json")
    found = run_phunt(*args, "--hashlist", str(_photo_list(tmp_path)))
    assert found.returncode == 1, found.stderr
    lines = _jsonl(found.stdout)
    assert [line["type"] for line in lines] == ["match", "error", "summary"]
    error = lines[1]
    assert error["path"] == f"{archive}!/zeros.bin"
    assert str(error["error"]).startswith("expansion limit: 5 MiB (5242880 bytes) from ")
    assert str(error["error"]).endswith(
        "would pass this source's budget of 4 MiB expanded at a ratio over 100 (0 bytes used); "
        "possible archive bomb, not read (raise with --max-high-ratio)"
    )
    clean = run_phunt(*args, "--hashlist", str(_other_list(tmp_path)))
    assert clean.returncode == 2  # no match: the skipped member is an error
    assert _jsonl(clean.stdout)[-1]["errors"] == 1


def test_a_bomb_in_a_folder_is_one_error_line_and_its_neighbours_are_hashed(
    tmp_path: Path,
) -> None:
    evidence = tmp_path / "card"
    evidence.mkdir()
    shutil.copy(DATA / "bomb.zip", evidence / "bomb.zip")
    result = run_phunt("scan", str(evidence), "--hashlist", str(_other_list(tmp_path)))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{evidence / 'bomb.zip'}!/zeros.bin: expansion limit: 1 TiB ")
    assert line.endswith("possible archive bomb, not read (raise with --max-high-ratio)")
    assert "2 files" in result.stdout  # bomb.zip itself and the note beside the bomb


def test_nesting_past_the_limit_is_an_error_line(tmp_path: Path) -> None:
    deep = DATA / "deep.zip"  # seven zips, one in the other, then a note
    result = run_phunt("scan", str(deep), "--hashlist", str(_other_list(tmp_path)), "--json")
    assert result.returncode == 2
    lines = _jsonl(result.stdout)
    errors = [line for line in lines if line["type"] == "error"]
    stopped = "!/".join([str(deep), *(f"level{n}.zip" for n in range(1, 6))])
    assert errors == [
        {
            "type": "error",
            "path": f"{stopped}!/",
            "error": "expansion limit: container nesting deeper than 5; hashed as a file, "
            "its members not read (raise with --max-depth)",
        }
    ]
    assert lines[-1]["errors"] == 1
    deeper = run_phunt("hash", str(deep), "--max-depth", "8", "--json")
    assert deeper.returncode == 0, deeper.stdout
    paths = [str(line["path"]) for line in _jsonl(deeper.stdout)]
    assert paths[-1].endswith("level6.zip!/deepest.txt")


def test_a_gzipped_raw_disk_image_is_opened_and_its_files_hashed() -> None:
    result = run_phunt("hash", str(DATA / "phone.raw.gz"), "--no-pdq", "--json")
    assert result.returncode == 0, result.stdout
    records = {str(r["path"]).rsplit("!/", 1)[-1]: r for r in _jsonl(result.stdout)}
    raw = TEST_DATA / "phone_extraction" / "phone.raw"
    assert records["phone.raw"]["sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    db = records["Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db"]
    assert db["error"] is None and db["mime"] == "application/vnd.sqlite3"
    assert len(records) > 8


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-expanded", "12X", "--max-expanded: not a size: '12X'"),
        ("--max-scratch", "lots", "--max-scratch: not a size: 'lots'"),
        ("--max-depth", "-1", "--max-depth must be 0 or more"),
        ("--max-listing-cpu", "0", "--max-listing-cpu must be more than 0 seconds"),
        ("--max-listing-cpu", "soon", "--max-listing-cpu: not a number of seconds: 'soon'"),
    ],
)
def test_bad_limit_options_are_one_line(option: str, value: str, message: str) -> None:
    result = run_phunt("hash", str(DATA / "note.txt.gz"), option, value)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_ingest_records_the_refused_member_and_carries_on(
    tmp_path: Path, initialised_home: Path
) -> None:
    home = str(initialised_home)
    evidence = tmp_path / "card"
    evidence.mkdir()
    shutil.copy(DATA / "bomb.zip", evidence / "bomb.zip")
    shutil.copy(DATA / "picture_and_zeros.zip", evidence / "photos.zip")
    stored: dict[str, dict[str, dict[str, object]]] = {}
    for device, options in (("D1", ()), ("D2", ("--max-high-ratio", "4M"))):
        run_phunt("device", "add", "--evidence", device, "--kind", "memory card", "--home", home)
        result = run_phunt(
            "ingest", str(evidence), "--device", device, "--workers", "1", *options,
            "--json", "--home", home,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        files = run_phunt("files", "--device", device, "--json", "--home", home).stdout
        stored[device] = {str(f["path"]).removeprefix(f"{evidence}/"): f for f in _jsonl(files)}
    errors = {
        device: {path: str(f["error"]) for path, f in found.items() if f["error"]}
        for device, found in stored.items()
    }
    assert set(stored["D1"]) == {
        "bomb.zip", "bomb.zip!/zeros.bin", "bomb.zip!/note.txt",
        "photos.zip", "photos.zip!/photo.png", "photos.zip!/zeros.bin",
    }  # fmt: skip
    assert list(errors["D1"]) == ["bomb.zip!/zeros.bin"]
    assert errors["D1"]["bomb.zip!/zeros.bin"].endswith("(raise with --max-high-ratio)")
    assert set(stored["D2"]) == set(stored["D1"])
    assert sorted(errors["D2"]) == ["bomb.zip!/zeros.bin", "photos.zip!/zeros.bin"]
    assert "budget of 4 MiB expanded" in errors["D2"]["photos.zip!/zeros.bin"]
