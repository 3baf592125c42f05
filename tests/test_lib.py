"""Helpers shared by tests (not a test module itself despite the name pytest sees)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
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
    """List a source and read every readable member while it is open.

    Each entry's opener is swapped for one over the bytes read (or the error raised), so
    tests can check content after the source is closed.
    """
    with source:
        entries = list(source.entries())
        for entry in entries:
            if entry.opener is not None:
                entry.opener = _snapshot(entry)
    return entries


def _snapshot(entry: Entry) -> Callable[[], BinaryIO]:
    try:
        with entry.open() as stream:
            data = stream.read()
    except OSError as exc:
        failure = exc

        def fail() -> BinaryIO:
            raise failure

        return fail
    return lambda: io.BytesIO(data)


class Trickle(io.BytesIO):
    """A stream that never returns more than 1,000 bytes a read (a slow device, a pipe, a
    container reader): code that reads whole files must read on past short reads."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(1000 if size is None or size < 0 else min(size, 1000))
