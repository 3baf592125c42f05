"""Synthetic hash lists for ``bench/hashsets_scale.py``: random digests, written fast.

Every list is random bytes from a seeded generator (nothing from a real hash set), written
in vectorised chunks so that generating 10M lines takes seconds, not minutes. The NSRL RDS
v3 database uses the minimal layout's schema text from the repository's fixture script
(``test_data/hashsets/make_fixtures.py``), filled by SQLite itself (a recursive CTE with
``randomblob``), so 40M rows need no Python object per row.
"""

from __future__ import annotations

import binascii
import hashlib
import importlib.util
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "test_data" / "hashsets" / "make_fixtures.py"
CHUNK = 1 << 20  # rows written per step


def random_digests(n: int, width: int, seed: int) -> np.ndarray:
    """``n`` random digests of ``width`` bytes, (n, width) uint8, the same for the same seed."""
    return np.random.default_rng(seed).integers(0, 256, size=(n, width), dtype=np.uint8)


def write_hex_lines(path: Path, digests: np.ndarray, *, suffix: bytes = b"") -> int:
    """Write one lower-case hex digest a line (then ``suffix``); return the bytes written."""
    n, width = digests.shape
    tail = np.frombuffer(suffix + b"\n", dtype=np.uint8)
    written = 0
    with open(path, "wb") as fh:
        for lo in range(0, n, CHUNK):
            part = digests[lo : lo + CHUNK]
            hexed = np.frombuffer(binascii.hexlify(part.tobytes()), dtype=np.uint8)
            lines = np.empty((len(part), 2 * width + len(tail)), dtype=np.uint8)
            lines[:, : 2 * width] = hexed.reshape(len(part), 2 * width)
            lines[:, 2 * width :] = tail
            written += fh.write(lines.tobytes())
    return written


def next_version(digests: np.ndarray, changed: float, seed: int) -> tuple[np.ndarray, int, int]:
    """A later version of a list: ``changed``/2 of its rows dropped, as many new rows appended.

    Returns the new digests and the numbers removed and added (together ``changed`` of the
    list), which ``hashset diff`` must report.
    """
    rng = np.random.default_rng(seed)
    n, width = digests.shape
    half = int(n * changed / 2)
    keep = np.ones(n, dtype=bool)
    keep[rng.choice(n, size=half, replace=False)] = False
    fresh = rng.integers(0, 256, size=(half, width), dtype=np.uint8)
    return np.concatenate([digests[keep], fresh]), half, half


def minimal_schema() -> str:
    """The NSRL RDS v3 minimal schema as the repository's fixture script writes it."""
    spec = importlib.util.spec_from_file_location("_phunt_hashset_fixtures", FIXTURES)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {FIXTURES}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    schema = module.MINIMAL_SCHEMA
    if not isinstance(schema, str):
        raise RuntimeError(f"{FIXTURES}: MINIMAL_SCHEMA is not text")
    return schema


def nsrl_row(data: bytes, name: str, package: int) -> tuple[object, ...]:
    """The FILE row NSRL would hold for a file with contents ``data``."""
    digests = [hashlib.new(kind, data).hexdigest().upper() for kind in ("sha256", "sha1", "md5")]
    crc = f"{binascii.crc32(data):08X}"
    return (*digests, crc, name, len(data), package)


def make_nsrl_v3(path: Path, rows: int, *, known: Iterable[tuple[object, ...]] = ()) -> int:
    """An RDS v3 minimal database of ``rows`` FILE rows (about 1 in 11 repeat a hash).

    Like the real sets, a file appears once per package that ships it: every tenth row of
    the unique part is repeated with another ``package_id``. Unique rows get SHA-256 in
    ascending order (a counter in the leading 60 bits, random after), so SQLite appends to
    the primary-key index instead of seeking for every row; SHA-1, MD5 and CRC-32 are random.
    ``known`` rows (e.g. from ``nsrl_row``) are added as they are. Returns the rows written.
    """
    path.unlink(missing_ok=True)
    unique = rows * 10 // 11
    repeats = rows - unique
    step = 16**15 // max(unique, 1)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-262144")  # 256 MiB
        connection.executescript(minimal_schema())
        with connection:
            connection.execute(
                f"""WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s
                                          WHERE i < {unique - 1})
                INSERT INTO FILE SELECT
                  printf('%015X', i * {step}) || substr(hex(randomblob(25)), 2),
                  hex(randomblob(20)), hex(randomblob(16)), hex(randomblob(4)),
                  'file_' || (i % 9973) || '.dll', 1024 + i % 65536, 1 + i % 5000
                FROM s"""
            )
            connection.execute(
                "INSERT INTO FILE SELECT sha256, sha1, md5, crc32, file_name, file_size,"
                f" package_id + 5000 FROM FILE WHERE rowid % 10 = 0 LIMIT {repeats}"
            )
            extra = list(known)
            connection.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)", extra)
            connection.execute(
                "INSERT INTO PKG VALUES (1, 'Example Suite', '1.0', 1, 1, 'English', 'Tool')"
            )
            connection.execute("INSERT INTO MFG VALUES (1, 'Example Software Co')")
            connection.execute(
                "INSERT INTO VERSION VALUES ('2026.12.1', 'minimal', '2026-12-01 00:00:00',"
                " '2026-12-07 00:00:00', 'generated by bench/hashsets_scale.py')"
            )
        (count,) = connection.execute('SELECT count(*) FROM "FILE"').fetchone()
    finally:
        connection.close()
    return int(count)


def make_folder(path: Path, files: int, size: int, seed: int) -> list[bytes]:
    """``files`` random files of ``size`` bytes in ``path`` (ten sub-folders); their contents."""
    rng = np.random.default_rng(seed)
    contents = []
    for i in range(files):
        sub = path / f"dir_{i % 10:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        data = rng.bytes(size)
        (sub / f"file_{i:06d}.bin").write_bytes(data)
        contents.append(data)
    return contents
