"""A kind added in one file (``toy_kind.py``) works through hash, hashset import, scan and
ingest with no other change, and is gone again afterwards."""

from __future__ import annotations

import importlib
import json
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from phunt.cases.devices import add_device
from phunt.cli.main import app
from phunt.errors import CorruptInput
from phunt.hashing.crypto import digest_bytes
from phunt.hashing.kinds import EXACT_WIDTHS, HASH_KINDS, KINDS
from phunt.hashsets.base import kind_of_hex, normalise_hash
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch


@pytest.fixture
def toy() -> Iterator[str]:
    importlib.import_module("toy_kind")
    try:
        yield "crc32"
    finally:
        KINDS.unregister("crc32")
        sys.modules.pop("toy_kind", None)


def _phunt(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _crc(data: bytes) -> str:
    return f"{zlib.crc32(data):08x}"


def test_toy_kind_through_hash_import_scan_and_ingest(
    toy: str, db_url: str, tmp_path: Path
) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "listed.bin").write_bytes(b"the listed bytes")
    (ev / "other.txt").write_text("not on any list\n")
    crc = _crc(b"the listed bytes")

    hashed = _phunt("hash", str(ev), "--json", "--no-pdq")
    assert hashed.exit_code == 0, hashed.output
    records = {Path(str(r["path"])).name: r for r in _jsonl(hashed.stdout)}
    assert records["listed.bin"]["crc32"] == crc
    assert list(records["listed.bin"])[:6] == ["path", "size", "md5", "sha1", "sha256", "crc32"]

    toy_list = tmp_path / "toy.txt"
    toy_list.write_text(f"# a list of the toy kind\n{crc.upper()}  listed.bin\n")
    assert _phunt("init", "--db", db_url).exit_code == 0
    imported = _phunt(
        "hashset", "import", str(toy_list), "--name", "toy", "--format", "plain",
        "--hash-kind", toy, "--db", db_url, "--json",
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["entries"] == 1
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{crc}\n{crc}0\n")
    refused = _phunt(
        "hashset", "import", str(bad), "--name", "bad", "--format", "plain",
        "--hash-kind", toy, "--db", db_url,
    )  # fmt: skip
    assert isinstance(refused.exception, CorruptInput)
    assert "line 2: crc32 must be 8 hex digits" in str(refused.exception)

    for lists in (
        ["--hashlist", str(toy_list), "--format", "plain", "--hash-kind", toy],
        ["--hashset", "toy", "--db", db_url],
    ):
        scanned = _phunt("scan", str(ev), "--json", "--no-pdq", *lists)
        assert scanned.exit_code == 1, scanned.output  # 1: matches found
        [match] = [r for r in _jsonl(scanned.stdout) if r.get("type") == "match"]
        assert (Path(str(match["path"])).name, match["kind"], match["distance"]) == (
            "listed.bin",
            "crc32",
            0,
        )

    database = Database(db_url)
    try:
        with database.session() as s:
            add_device(s, "EV-TOY", "memory card")
        ingested = _phunt(
            "ingest", str(ev), "--device", "EV-TOY", "--db", db_url, "--workers", "1", "--json"
        )
        assert ingested.exit_code == 0, ingested.output
        assert json.loads(ingested.stdout)["matched_files"] == 1
        with database.session() as s:
            [stored] = s.scalars(select(FileMatch)).all()
            assert (stored.hash_set, stored.kind, stored.distance) == ("toy", "crc32", 0)
            row = s.get(EvidenceFile, stored.file_id)
            assert row is not None and Path(row.path).name == "listed.bin"
            if "digests" in EvidenceFile.__table__.columns:  # the column of migration 0005
                assert row.digests == {"crc32": crc}  # type: ignore[attr-defined]
    finally:
        database.close()


def test_unregistering_the_toy_kind_forgets_it_everywhere() -> None:
    importlib.import_module("toy_kind")
    try:
        assert kind_of_hex("0a1b2c3d") == "crc32"
        assert digest_bytes(b"x").extra == {"crc32": _crc(b"x")}
    finally:
        KINDS.unregister("crc32")
        sys.modules.pop("toy_kind", None)
    assert "crc32" not in HASH_KINDS and "crc32" not in EXACT_WIDTHS
    assert digest_bytes(b"x").extra == {}
    assert normalise_hash("crc32", "anything") == "anything"  # an opaque kind again
