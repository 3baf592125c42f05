"""Commands that once lost the case (issue 18, defects 1-3 and "verify refuses to invent"),
through the CLI as an examiner types them, on both databases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from phunt.schema.db import Database
from test_lib import run_phunt


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _case_with_a_hash_set(tmp_path: Path, where: list[str]) -> None:
    assert run_phunt("init", *where).returncode == 0
    listed = tmp_path / "list.txt"
    listed.write_text(hashlib.md5(b"benign test bytes").hexdigest() + "\n")
    imported = run_phunt("hashset", "import", str(listed), "--name", "L", *where)
    assert imported.returncode == 0, imported.stderr


def test_export_over_the_live_database_is_refused(tmp_path: Path) -> None:
    """Defect 1: ``--out`` the live phunt.db once truncated it to 0 bytes."""
    home = tmp_path / "home"
    where = ["--home", str(home)]
    _case_with_a_hash_set(tmp_path, where)
    db = home / "phunt.db"
    before = _sha256(db)
    for target in (db, Path(f"{db}-wal"), home / "export.json", home / "scratch" / "x.json"):
        for force in ([], ["--force"]):
            out = run_phunt("hashset", "export", "L", "--out", str(target), *force, *where)
            assert out.returncode == 2, out.stdout
            assert out.stderr.startswith("phunt: error: refusing to write"), out.stderr
            assert "Traceback" not in out.stderr
    (tmp_path / "alias").symlink_to(db)
    linked = run_phunt(
        "hashset", "export", "L", "--out", str(tmp_path / "alias"), "--force", *where
    )
    assert linked.returncode == 2 and "inside phunt's data" in linked.stderr
    assert _sha256(db) == before
    assert not (home / "export.json").exists()
    verified = run_phunt("audit", "verify", *where)
    assert verified.returncode == 0 and "intact: 1 records" in verified.stdout


def test_export_overwrites_only_with_force_and_makes_no_folders(
    db_url: str, tmp_path: Path
) -> None:
    where = ["--db", db_url, "--home", str(tmp_path / "home")]
    _case_with_a_hash_set(tmp_path, where)
    target = tmp_path / "share.json"
    target.write_text("a colleague's file")
    refused = run_phunt("hashset", "export", "L", "--out", str(target), *where)
    assert refused.returncode == 2
    assert "share.json exists; give --force to replace it" in refused.stderr
    assert target.read_text() == "a colleague's file"
    forced = run_phunt("hashset", "export", "L", "--out", str(target), "--force", "--json", *where)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["sha256"] == _sha256(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".share")] == []
    typo = run_phunt("hashset", "export", "L", "--out", str(tmp_path / "typo" / "x.json"), *where)
    assert typo.returncode == 2 and "does not exist" in typo.stderr
    assert not (tmp_path / "typo").exists()
    graph = run_phunt("graph", "export", str(target), *where)
    assert graph.returncode == 2 and "give --force" in graph.stderr


def test_the_default_data_folder_is_the_users_not_the_current_one(tmp_path: Path) -> None:
    """Defect 2: run from inside the evidence, phunt made ./phunt-data there."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "notes.txt").write_text("bring the blue folder\n")
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "PHUNT_HOME": ""}  # "": not set
    done = run_phunt("init", env=env, cwd=evidence)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in evidence.iterdir()) == ["notes.txt"]
    assert (tmp_path / "share" / "phunt" / "phunt.db").is_file()


def test_ingest_of_the_data_folder_or_inside_it_is_refused(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "evidence" / "phunt-home"
    where = ["--db", db_url, "--home", str(home)]
    assert run_phunt("init", *where).returncode == 0
    added = run_phunt("device", "add", "--evidence", "EV-1", "--kind", "laptop", *where)
    assert added.returncode == 0, added.stderr
    (home / "scratch").mkdir(exist_ok=True)
    for source, says in (
        (tmp_path / "evidence", "it holds phunt's data"),
        (tmp_path, "it holds phunt's data"),
        (home, "it holds phunt's data"),
        (home / "scratch", "it lies inside phunt's data"),
    ):
        ingest = run_phunt("ingest", str(source), "--device", "EV-1", *where)
        assert ingest.returncode == 2, ingest.stdout
        assert says in ingest.stderr and str(home) in ingest.stderr
        assert str(source) in ingest.stderr
    jobs = run_phunt("jobs", "--json", *where)
    assert jobs.returncode == 0 and jobs.stdout == ""


def test_only_init_creates_a_database(empty_db_url: str, tmp_path: Path) -> None:
    """Defect 3 and "verify refuses to invent": a mistyped folder or an empty database is
    an error for every other command, and nothing is created there."""
    typo = tmp_path / "typo-home"
    for args in (["audit", "verify"], ["case", "list"], ["operation", "create", "Op"]):
        missing = run_phunt(*args, "--home", str(typo))
        assert missing.returncode == 2, missing.stdout
        assert "no phunt database at" in missing.stderr and "phunt init" in missing.stderr
        assert "intact" not in missing.stdout
        assert not (typo / "phunt.db").exists()
        empty = run_phunt(*args, "--db", empty_db_url)
        assert empty.returncode == 2 and "`phunt init` creates one" in empty.stderr
    if empty_db_url.startswith("postgresql"):
        probe = Database(empty_db_url, migrate=False)
        try:
            assert probe.table_names() == []
        finally:
            probe.close()
    assert run_phunt("init", "--db", empty_db_url).returncode == 0
    verified = run_phunt("audit", "verify", "--db", empty_db_url)
    assert verified.returncode == 0 and "intact: 0 records" in verified.stdout


def test_urls_that_keep_nothing_or_land_elsewhere_are_refused(tmp_path: Path) -> None:
    memory = run_phunt("operation", "create", "P-Hunt", "--db", "sqlite://")
    assert memory.returncode == 2 and "created" not in memory.stdout
    assert "database in memory: nothing would be kept" in memory.stderr
    nameless = run_phunt("case", "list", "--db", "postgresql://postgres@127.0.0.1:1")
    assert nameless.returncode == 2 and "names no database" in nameless.stderr
    far = tmp_path / "far" / "away"
    anywhere = run_phunt("init", "--db", f"sqlite:///{far}/phunt.db", "--home", str(tmp_path / "h"))
    assert anywhere.returncode == 2 and "does not exist" in anywhere.stderr
    assert not (tmp_path / "far").exists()
    secret = run_phunt("case", "list", "--db", "postgresql://u:s3cret@host:notaport/db")
    assert secret.returncode == 2 and "s3cret" not in secret.stderr
    assert "postgresql://u:***@host:notaport/db" in secret.stderr


def test_reports_and_exports_over_the_live_database_are_refused(tmp_path: Path) -> None:
    """The same rule for the report, certificate, takedown, export, anchor and backup
    commands: with or without --force, nothing is written over the database or the audit
    key or inside the data folder."""
    home = tmp_path / "home"
    where = ["--home", str(home)]
    assert run_phunt("init", *where).returncode == 0
    assert run_phunt("operation", "create", "P-Hunt", *where).returncode == 0
    db = home / "phunt.db"
    before = _sha256(db)
    commands = [
        ["report", "operation", "P-Hunt", "-o", str(db)],
        ["report", "device", "1", "-o", str(home / "r.pdf")],
        ["report", "certificate", "1", "-o", str(db)],
        ["report", "takedown", "--operation", "P-Hunt", "-o", str(home)],
        ["export", "matches", "--case", "1", "-o", str(db)],
        ["export", "vics", "--case", "1", "-o", str(Path(f"{db}-wal"))],
        ["export", "case-uco", "--device", "1", "-o", str(home / "x.jsonld")],
    ]
    key = tmp_path / "home-audit-key.pem"  # the default place: beside the data folder
    assert run_phunt("audit", "key", "init", *where).returncode == 0
    key_before = _sha256(key)
    commands += [
        ["audit", "anchor", "-o", str(db)],
        ["audit", "anchor", "-o", str(key)],
        ["backup", "-o", str(key)],
        ["backup", "-o", str(db)],
    ]
    for command in commands:
        out = run_phunt(*command, "--force", *where)
        assert out.returncode == 2, (command, out.stdout)
        assert out.stderr.startswith("phunt: error: refusing to write"), (command, out.stderr)
    assert _sha256(db) == before
    assert _sha256(key) == key_before
    assert not (home / "r.pdf").exists() and not (home / "x.jsonld").exists()


def test_a_key_file_that_is_not_an_ed25519_pem_key_is_one_line(tmp_path: Path) -> None:
    where = ["--home", str(tmp_path / "home")]
    assert run_phunt("init", *where).returncode == 0
    for text in ("not a key\n", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"):
        bad = tmp_path / "bad.pem"
        bad.write_text(text)
        bad.chmod(0o600)
        anchor = str(tmp_path / "a.json")
        out = run_phunt("audit", "anchor", "-o", anchor, "--key", str(bad), *where)
        assert (out.returncode, out.stderr) == (
            2,
            f"phunt: error: {bad}: not an unencrypted Ed25519 PEM key\n",
        )
