"""Spooled copies are private, complete, and gone afterwards whatever happens."""

from __future__ import annotations

import io
import os
import stat
import tempfile
from pathlib import Path

import pytest

from phunt import scratch
from phunt.spool import seekable, spooled
from test_lib import Forwards


def test_copies_then_removes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy lives in this process's scratch folder, never the shared temp folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp"))
    data = bytes(range(256)) * 10_000
    before = set(os.listdir(scratch.folder()))
    with spooled({"db": io.BytesIO(data), "db-wal": io.BytesIO(b"wal")}) as folder:
        assert (folder / "db").read_bytes() == data
        assert (folder / "db-wal").read_bytes() == b"wal"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert folder.parent == Path(scratch.folder())
    assert set(os.listdir(scratch.folder())) == before
    assert not (tmp_path / "system-temp").exists()


def test_removed_on_error_and_names_checked() -> None:
    before = set(os.listdir(scratch.folder()))
    with pytest.raises(RuntimeError), spooled({"db": io.BytesIO(b"x")}):
        raise RuntimeError("parse failed")
    with (
        pytest.raises(ValueError, match="not a plain file name"),
        spooled({"../db": io.BytesIO(b"x")}),
    ):
        pass
    assert set(os.listdir(scratch.folder())) == before


def test_seekable_keeps_a_seekable_stream() -> None:
    stream = io.BytesIO(b"abc")
    assert seekable(stream) is stream


@pytest.mark.parametrize("size", [10, 5000])
def test_seekable_copies_a_forward_only_stream(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("phunt.spool.IN_MEMORY", 1000)
    data = bytes(range(256)) * (size // 256 + 1)
    original = io.BufferedReader(Forwards(data))
    copy = seekable(original)  # type: ignore[arg-type]
    assert original.closed and copy.seekable()
    assert copy.read() == data
    copy.seek(3)
    assert copy.read(2) == data[3:5]
    copy.close()
