"""``phunt ingest``, ``phunt files`` and ``phunt matches`` through the CLI, on both databases."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

from test_lib import ewf_subset, run_phunt, shared_folder


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_ingest_then_list_files_and_matches(db_url: str, tmp_path: Path) -> None:
    ev = tmp_path / "phone"
    (ev / "DCIM").mkdir(parents=True)
    (ev / "DCIM" / "a.txt").write_text("listed text")
    with zipfile.ZipFile(ev / "backup.zip", "w") as zf:
        zf.writestr("Telegram/Telegram Images/b.txt", "listed text")
    lst = tmp_path / "l.txt"
    lst.write_text(hashlib.md5(b"listed text").hexdigest() + "\n")
    assert (
        run_phunt(
            "device", "add", "--evidence", "EV-3", "--kind", "mobile phone", "--db", db_url
        ).returncode
        == 0
    )
    assert run_phunt("hashset", "import", str(lst), "--name", "L", "--db", db_url).returncode == 0
    ing = run_phunt(
        "ingest", str(ev), "--device", "EV-3", "--workers", "2", "--json", "--db", db_url
    )
    assert ing.returncode == 0, ing.stderr
    summary = json.loads(ing.stdout)
    assert (summary["files"], summary["matched_files"]) == (3, 2)

    files = _jsonl(run_phunt("files", "--device", "EV-3", "--json", "--db", db_url).stdout)
    assert [Path(f["path"]).name for f in files] == ["a.txt", "backup.zip", "b.txt"]
    assert files[2]["app"] == "telegram" and files[0]["app"] == "camera"
    only = _jsonl(
        run_phunt("files", "--device", "EV-3", "--matched", "--json", "--db", db_url).stdout
    )
    assert len(only) == 2
    matches = _jsonl(run_phunt("matches", "--device", "EV-3", "--json", "--db", db_url).stdout)
    assert {(m["hash_set"], m["version"], m["kind"], m["distance"]) for m in matches} == {
        ("L", 1, "md5", 0)
    }
    assert matches[1]["path"].endswith("backup.zip!/Telegram/Telegram Images/b.txt")
    table = run_phunt("matches", "--device", "EV-3", "--db", db_url)
    assert table.returncode == 0 and "md5" in table.stdout
    # the table shows the file id that ``review set`` and ``review history`` take
    listed = run_phunt("files", "--device", "EV-3", "--db", db_url, env={"COLUMNS": "200"})
    first_row = next(line for line in listed.stdout.splitlines() if "a.txt" in line)
    assert first_row.split("│")[1].strip() == str(files[0]["id"])
    assert "source sha256 none (a folder" in ing_text(tmp_path / "other", db_url)


def ing_text(ev: Path, db_url: str) -> str:
    """A second device's ingest of a folder, as text: a folder has no single digest."""
    ev.mkdir()
    (ev / "c.txt").write_text("another device")
    added = run_phunt("device", "add", "--evidence", "EV-4", "--kind", "laptop", "--db", db_url)
    assert added.returncode == 0, added.stderr
    done = run_phunt("ingest", str(ev), "--device", "EV-4", "--db", db_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _ingest_reference(image_name: str, kind: str, home: str) -> str:
    """Register device D1 and ingest one reference image into it; the ingest's stdout."""
    added = run_phunt("device", "add", "--evidence", "D1", "--kind", kind, "--home", home)
    assert added.returncode == 0, added.stderr
    image = shared_folder("reference/disk-images") / image_name
    result = run_phunt("ingest", str(image), "--device", "D1", "--home", home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_ingest_e01_reports_verification(initialised_home: Path) -> None:
    home = str(initialised_home)
    stdout = _ingest_reference("ext2.split.E01", "hard disk", home)
    # The acquisition MD5 ewfinfo and img_stat give (reference/disk-images/MANIFEST.md).
    assert (
        "E01 acquisition hash: verified {'stored_md5': '196066add11fb71c4c49cf1bb50d6d24', "
        "'computed_md5': '196066add11fb71c4c49cf1bb50d6d24', 'ok': True"
    ) in stdout
    stored = _jsonl(run_phunt("files", "--device", "D1", "--json", "--home", home).stdout)
    assert [(str(f["path"]).split("!/")[1], f["md5"]) for f in stored] == [
        ("a_directory/a_file", hashlib.md5(A_FILE).hexdigest()),
        ("a_directory/another_file", hashlib.md5(b"This is another file.\n").hexdigest()),
        ("a_link", None),
        ("passwords.txt", "39cb097008d17660abd0539891a672af"),
    ]
    deleted = run_phunt("files", "--device", "D1", "--deleted", "--json", "--home", home)
    assert (deleted.returncode, deleted.stdout) == (0, "")  # fls -d lists nothing here


A_FILE = b"This is a text file.\n\nWe should be able to parse it.\n"


def test_files_deleted_lists_the_names_fls_finds_deleted(initialised_home: Path) -> None:
    """ímynd.dd holds two deleted names whose inode is gone (MANIFEST.md, `fls -r -p -d`)."""
    home = str(initialised_home)
    _ingest_reference("ímynd.dd", "memory card", home)
    deleted = run_phunt("files", "--device", "D1", "--deleted", "--json", "--home", home)
    assert deleted.returncode == 0, deleted.stderr
    assert [(str(f["path"]).split("!/")[1], f["deleted"]) for f in _jsonl(deleted.stdout)] == [
        ("a_directory/.another_file.swp", True),
        ("a_directory/another_file~", True),
    ]


def test_ingest_of_an_e01_set_missing_a_segment_names_it(
    tmp_path: Path, initialised_home: Path
) -> None:
    home = str(initialised_home)
    run_phunt("device", "add", "--evidence", "D1", "--kind", "hard disk", "--home", home)
    first = ewf_subset(tmp_path / "ev", 1, 3)
    result = run_phunt("ingest", str(first), "--device", "D1", "--workers", "1", "--home", home)
    assert result.returncode == 0, result.stderr
    assert "1 errors" in result.stdout
    assert "NOT verified" in result.stdout and "segment notes.E02 is missing" in result.stdout
    stored = _jsonl(run_phunt("files", "--device", "D1", "--json", "--home", home).stdout)
    assert [(f["path"], f["error"]) for f in stored] == [
        (f"{first}!/", "EWF set incomplete: segment notes.E02 is missing (found notes.E01)")
    ]


def test_ingest_refuses_a_symlink_named_as_the_source(
    tmp_path: Path, initialised_home: Path
) -> None:
    home = str(initialised_home)
    run_phunt("device", "add", "--evidence", "D1", "--kind", "hard disk", "--home", home)
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("a")
    os.symlink("real", tmp_path / "link")
    result = run_phunt("ingest", str(tmp_path / "link"), "--device", "D1", "--home", home)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"phunt: error: {tmp_path / 'link'}: a symbolic link, not followed (-> real): "
        "name the folder or file it points to"
    )
    jobs = run_phunt("files", "--device", "D1", "--json", "--home", home)
    assert jobs.returncode == 0 and jobs.stdout.strip() in ("", "[]")


def test_ingest_refuses_bad_workers_and_batch(tmp_path: Path, initialised_home: Path) -> None:
    home = str(initialised_home)
    run_phunt("device", "add", "--evidence", "D1", "--kind", "hard disk", "--home", home)
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "a.txt").write_text("a")
    for option, value, line in (
        ("--workers", "-3", "--workers must be within 0.."),
        ("--workers", "5000", "--workers must be within 0.."),
        ("--batch", "0", "--batch must be 1 or more, not 0"),
    ):
        args = ("ingest", str(tmp_path / "ev"), "--device", "D1", option, value, "--home", home)
        result = run_phunt(*args)
        assert result.returncode == 2 and result.stderr.startswith(f"phunt: error: {line}")
    stored = run_phunt("files", "--device", "D1", "--json", "--home", home)
    assert stored.stdout.strip() in ("", "[]")  # refused before any job opened
