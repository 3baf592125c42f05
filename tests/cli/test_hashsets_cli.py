"""``phunt hashset`` and ``phunt scan --hashset`` end to end, on both databases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from test_lib import run_phunt

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_import_show_lookup_scan_disable_export(db_url: str, tmp_path: Path) -> None:
    md5 = hashlib.md5(b"listed file").hexdigest()
    lst = tmp_path / "unit.txt"
    lst.write_text(f"{md5}\n# kind: pdq\n{PDQ}\n")
    imp = run_phunt(
        "hashset",
        "import",
        str(lst),
        "--name",
        "unit",
        "--source-agency",
        "CCU",
        "--json",
        "--db",
        db_url,
    )
    assert imp.returncode == 0, imp.stderr
    assert json.loads(imp.stdout)["entries"] == 2

    listed = _jsonl(run_phunt("hashset", "list", "--json", "--db", db_url).stdout)
    assert [(r["name"], r["current_version"], r["entries"]) for r in listed] == [("unit", 1, 2)]
    show = json.loads(run_phunt("hashset", "show", "unit", "--json", "--db", db_url).stdout)
    assert show["versions"][0]["file_sha256"] == hashlib.sha256(lst.read_bytes()).hexdigest()

    near = format(int(PDQ, 16) ^ 0b111, "064x")
    look = run_phunt(
        "hashset",
        "lookup",
        "--hashset",
        "unit",
        "--db",
        db_url,
        stdin=f"{md5}\n{near}\nnot-a-hash\n",
    )
    assert look.returncode == 0, look.stderr
    a, b, c = _jsonl(look.stdout)
    assert a["matches"][0]["kind"] == "md5" and a["matches"][0]["version"] == 1
    assert (b["matches"][0]["kind"], b["matches"][0]["distance"]) == ("pdq", 3)
    assert c == {"query": "not-a-hash", "error": "not an MD5, SHA-1, SHA-256 or PDQ hash in hex"}
    args = run_phunt("hashset", "lookup", md5, "--db", db_url)
    assert _jsonl(args.stdout)[0]["matches"][0]["hashset"] == "unit"

    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "a.bin").write_bytes(b"listed file")
    scan = run_phunt("scan", str(ev), "--hashset", "unit", "--json", "--db", db_url)
    assert scan.returncode == 1
    assert _jsonl(scan.stdout)[0]["list"] == "unit"

    entry = a["matches"][0]["entry"]
    dis = run_phunt(
        "hashset", "disable", "unit", str(entry), "--reason", "reviewed", "--db", db_url
    )
    assert dis.returncode == 0, dis.stderr
    clean = run_phunt("scan", str(ev), "--hashset", "unit", "--json", "--db", db_url)
    assert clean.returncode == 0

    out = tmp_path / "share.json"
    exp = run_phunt("hashset", "export", "unit", "--out", str(out), "--json", "--db", db_url)
    assert exp.returncode == 0, exp.stderr
    assert json.loads(exp.stdout)["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert md5 not in out.read_text().lower()  # the disabled entry is not shared

    diff = run_phunt("hashset", "diff", "unit", "--json", "--db", db_url)
    assert json.loads(diff.stdout)["added_count"] == 0
    audit = run_phunt("audit", "verify", "--db", db_url)
    assert audit.returncode == 0 and "intact: 3 records" in audit.stdout


def test_import_errors_are_one_line(tmp_path: Path, initialised_home: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("d41d8cd98f00b204e9800998ecf8427e\nzz\n")
    home = str(initialised_home)
    result = run_phunt("hashset", "import", str(bad), "--name", "x", "--home", home)
    assert result.returncode == 2
    assert result.stderr == (
        f"phunt: error: {bad}:line 2: not an MD5, SHA-1, SHA-256 or PDQ hash "
        "(32, 40 or 64 hex digits): 'zz' (2 characters)\n"
    )
    missing = run_phunt("hashset", "show", "nope", "--home", home)
    assert missing.returncode == 2 and missing.stderr == "phunt: error: no hash set 'nope'\n"


def test_import_and_scan_of_a_deeply_nested_vics_file_are_one_clear_line(
    tmp_path: Path, initialised_home: Path
) -> None:
    from test_lib import TEST_DATA

    deep = TEST_DATA / "hashsets" / "vics_deep.json"
    result = run_phunt(
        "hashset", "import", str(deep), "--name", "x", "--home", str(initialised_home)
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"phunt: error: {deep}:record 2 (line 21): "
        "JSON nested at least 5001 levels deep, over phunt's limit of 100\n"
    )
    scan = run_phunt("scan", str(tmp_path), "--hashlist", str(deep))
    assert scan.returncode == 2, scan.stderr
    assert scan.stderr.startswith("phunt: error:") and "nested at least 5001" in scan.stderr
    assert "Traceback" not in scan.stderr + result.stderr


def test_format_list_names_every_reader(tmp_path: Path) -> None:
    from phunt.hashsets.detect import READERS

    result = run_phunt("hashset", "import", "--format", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = _jsonl(result.stdout)
    assert [r["format"] for r in rows] == READERS.names()
    assert all(r["reads"] and r["list_kind"].startswith(("known-", "needs")) for r in rows)
    assert {r["format"]: r["list_kind"] for r in rows}["nsrl-rds2"] == "known-good"
    missing = run_phunt("hashset", "import", str(tmp_path / "x.txt"), "--home", str(tmp_path))
    assert missing.returncode == 2
    assert "give the hash-list file and --name" in missing.stderr


def test_a_lost_set_file_is_named_by_scan_then_verified_and_rebuilt(
    db_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import delete

    from phunt.hashsets import blobs
    from phunt.schema.db import Database
    from phunt.schema.hashset_blobs import HashSetBlob

    lst = tmp_path / "unit.txt"
    lst.write_text(hashlib.md5(b"listed file").hexdigest() + "\n")
    imp = run_phunt("hashset", "import", str(lst), "--name", "unit", "--json", "--db", db_url)
    assert imp.returncode == 0, imp.stderr
    sha = json.loads(imp.stdout)["index_sha256"]
    database = Database(db_url)
    try:
        with database.session() as s:
            (blobs.index_home(s.get_bind().engine.url) / f"{sha}.phs").unlink()
            s.execute(delete(HashSetBlob).where(HashSetBlob.sha256 == sha))
    finally:
        database.close()
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "a.bin").write_bytes(b"listed file")

    lost = run_phunt("scan", str(ev), "--hashset", "unit", "--db", db_url)
    assert lost.returncode == 2, lost.stderr
    assert "hash set 'unit' version 1" in lost.stderr
    assert "phunt hashset rebuild unit" in lost.stderr and "Traceback" not in lost.stderr
    broken = run_phunt("hashset", "verify", "--db", db_url)
    assert broken.returncode == 1 and "unit version 1: hash set 'unit'" in broken.stdout
    rebuilt = run_phunt("hashset", "rebuild", "unit", "--db", db_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith(f"unit version 1: rebuilt ({sha[:16]})")
    whole = run_phunt("hashset", "verify", "unit", "--json", "--db", db_url)
    assert whole.returncode == 0 and [r["ok"] for r in _jsonl(whole.stdout)] == [True]
    found = run_phunt("scan", str(ev), "--hashset", "unit", "--json", "--db", db_url)
    assert found.returncode == 1 and _jsonl(found.stdout)[0]["list"] == "unit"

    lst.unlink()
    gone = run_phunt("hashset", "rebuild", "unit", "--db", db_url)
    assert gone.returncode == 0 and "intact" in gone.stdout  # nothing to rebuild
