"""Helpers shared by tests (not a test module itself despite the name pytest sees)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import pytest

from phunt.sources.base import Entry, Source

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TEST_DATA = REPO / "test_data"

#: Folders of ../shared the tests read, with the public source a clone can get them from.
SHARED_SOURCES = {
    "reference/pdq": "Meta ThreatExchange PDQ reference images and expected hashes"
    " (github.com/facebook/ThreatExchange, BSD-3-Clause)",
    "reference/vpdq": "Meta ThreatExchange vPDQ sample hashes and TMK sample videos"
    " (github.com/facebook/ThreatExchange, BSD-2-Clause)",
    "reference/disk-images": "dfVFS test images (github.com/log2timeline/dfvfs, Apache-2.0)",
}


def shared_folder(folder: str) -> Path:
    """``../shared/<folder>`` for a test that reads it; every such test goes through here.

    A clone on its own has no ../shared, so its tests skip with where to get the data;
    CI guarantees the folder, so there a missing one fails instead of hiding tests.
    """
    source = SHARED_SOURCES[folder]  # a folder not listed there is a mistake in the test
    path = SHARED / folder
    if path.is_dir():
        return path
    line = f"../shared/{folder} absent: {source}; see ../shared/README.md"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{line} (required under CI=true)", pytrace=False)
    pytest.skip(line)


def postgres_url_for_schema(url: str, schema: str) -> str:
    """A URL whose connections use ``schema`` (psycopg passes ``options`` to the server)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def initialise(url: str, template: Path) -> None:
    """Make the database at ``url`` as ``phunt init`` would (a copy of the template for
    SQLite, the migrations for PostgreSQL)."""
    import sqlite3

    from phunt.schema.db import Database

    if not url.startswith("sqlite:///"):
        Database(url).close()
        return
    source, target = sqlite3.connect(template), sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def run_phunt(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    drop_privileges: bool = False,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process as a user would.

    ``drop_privileges`` runs it without root's capabilities (through ``setpriv``), so
    permission tests mean the same as root in CI as for a developer.
    """
    cmd = [sys.executable, "-m", "phunt", *args]
    if drop_privileges and os.geteuid() == 0:
        cmd = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", *cmd]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        cmd, capture_output=True, text=True, env=full_env, cwd=cwd, input=stdin, timeout=300
    )


def snapshot_entries(source: Source) -> list[Entry]:
    """List a source; its entries reopen from their locators after it is closed, which is
    what tests check their content through."""
    with source:
        return list(source.entries())


@dataclass
class StreamEntry(Entry):
    """An entry whose content comes from ``stream`` (a test's in-memory reader) instead
    of a locator: for tests of readers of entries, not of sources."""

    stream: Callable[[], BinaryIO] | None = None

    def open(self) -> BinaryIO:
        if self.stream is None:
            return super().open()
        return self.stream()


class Trickle(io.BytesIO):
    """A stream that never returns more than 1,000 bytes a read (a slow device, a pipe, a
    container reader): code that reads whole files must read on past short reads."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(1000 if size is None or size < 0 else min(size, 1000))


class Forwards(io.RawIOBase):
    """A stream that reads forwards only, as a compressed member's reader does."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def make_ext2_image(image: Path, files: dict[str, bytes], size_kib: int = 2048) -> Path:
    """A raw ext2 image holding ``files`` (relative path -> bytes), made by ``mke2fs -d``
    (no root, no mount); the test is skipped where e2fsprogs is not installed."""
    import shutil

    import pytest

    mke2fs = shutil.which("mke2fs") or shutil.which("mke2fs", path="/usr/sbin:/sbin")
    if mke2fs is None:
        pytest.skip("mke2fs (e2fsprogs) not installed: cannot make an ext2 test image")
    tree = image.parent / f"{image.name}.tree"
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    subprocess.run(
        [mke2fs, "-q", "-F", "-t", "ext2", "-d", str(tree), str(image), f"{size_kib}k"],
        check=True,
        capture_output=True,
        env={**os.environ, "E2FSPROGS_FAKE_TIME": "1700000000"},
    )
    shutil.rmtree(tree)
    return image


def ewf_subset(folder: Path, *numbers: int) -> Path:
    """Copy segments ``numbers`` of the generated three-segment set test_data/ewf/notes.E0N
    into ``folder`` (a set with a segment missing, when one is left out); its first one."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        name = f"notes.E{number:02d}"
        (folder / name).write_bytes((TEST_DATA / "ewf" / name).read_bytes())
    return folder / "notes.E01"


POSTGRES_URL = os.environ.get("PHUNT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_schema() -> Iterator[str]:
    """A URL for a new, empty PostgreSQL schema, dropped afterwards (skips, or fails in
    CI, when the server is unreachable)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin_url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin_url)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and unreachable: {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable: {exc.orig}")
    try:
        yield postgres_url_for_schema(POSTGRES_URL, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def count_record_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the audit records whose hash is recomputed from now on, in order:
    what the chain verifier read (appending a record computes one too)."""
    from phunt.audit import store
    from phunt.schema.audit import AuditRecord

    seen: list[int] = []
    real = store.record_hash

    def counting(rec: AuditRecord) -> str:
        seen.append(rec.seq)
        return real(rec)

    monkeypatch.setattr(store, "record_hash", counting)
    return seen
