"""The generators behind bench/hashsets_scale.py: the lists must be what the bench says.

A bench that imported a list of the wrong size, a second version that differed by more
than it claims, or an NSRL database phunt's own reader rejects would report figures for
something else; these tests keep the generators honest at a few thousand rows.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

import _hashsets_data as data
from phunt.hashsets.detect import open_hash_list


def test_hex_lines_round_trip(tmp_path: Path) -> None:
    digests = data.random_digests(2_500, 16, seed=1)
    path = tmp_path / "list.txt"
    written = data.write_hex_lines(path, digests, suffix=b"  f")
    lines = path.read_bytes().splitlines()
    assert written == path.stat().st_size == 2_500 * 36
    assert [bytes.fromhex(line[:32].decode()) for line in lines] == [bytes(d) for d in digests]
    assert all(line.endswith(b"  f") for line in lines)


def test_same_seed_same_list() -> None:
    first, again = data.random_digests(100, 32, 7), data.random_digests(100, 32, 7)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, data.random_digests(100, 32, 8))


def test_next_version_changes_the_share_it_claims() -> None:
    digests = data.random_digests(10_000, 16, seed=2)
    later, removed, added = data.next_version(digests, 0.01, seed=3)
    old, new = {bytes(d) for d in digests}, {bytes(d) for d in later}
    assert (removed, added) == (50, 50)
    assert len(later) == len(digests)
    assert (len(old - new), len(new - old)) == (removed, added)


def test_nsrl_database_is_read_by_phunt(tmp_path: Path) -> None:
    content = b"an invented file"
    path = tmp_path / "RDS_2026.12.1_minimal.db"
    known = [data.nsrl_row(content, "notes.txt", 2)]
    assert data.make_nsrl_v3(path, 1_100, known=known) == 1_101
    with sqlite3.connect(path) as connection:
        (distinct,) = connection.execute("SELECT count(DISTINCT sha256) FROM FILE").fetchone()
        (table,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'FILE'"
        ).fetchone()
    connection.close()
    assert distinct == 1_000 + 1  # 1 in 11 rows repeats a file in another package
    assert "PRIMARY KEY" in table
    reader = open_hash_list(path)
    entries = list(reader.entries())
    assert len(entries) == 1_101
    assert entries[-1].hashes["md5"] == hashlib.md5(content).hexdigest()
    assert {len(e.hashes["sha256"]) for e in entries} == {64}


def test_folder_contents_match_the_files(tmp_path: Path) -> None:
    contents = data.make_folder(tmp_path, 12, 100, seed=4)
    files = sorted(tmp_path.rglob("*.bin"))
    assert len(files) == 12
    assert sorted(p.read_bytes() for p in files) == sorted(contents)
