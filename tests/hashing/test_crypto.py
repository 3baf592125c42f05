from __future__ import annotations

import hashlib
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from phunt.content.mime import HEAD_SIZE
from phunt.hashing.crypto import (
    digest_bytes,
    digest_file,
    digest_stream,
    sha256_file,
    sha256_stream,
)


@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=700))
def test_matches_hashlib_for_any_chunking(data: bytes, chunk: int) -> None:
    d = digest_stream(io.BytesIO(data), chunk_size=chunk)
    assert d.size == len(data)
    assert d.md5 == hashlib.md5(data).hexdigest()
    assert d.sha1 == hashlib.sha1(data).hexdigest()
    assert d.sha256 == hashlib.sha256(data).hexdigest()
    assert d.head == data[:HEAD_SIZE]


class _NoReadinto(io.RawIOBase):
    """A stream offering only read(), as some archive members do."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)

    def readable(self) -> bool:
        return True


def test_stream_without_readinto() -> None:
    data = bytes(range(256)) * 100
    stream = _NoReadinto(data)
    stream.readinto = None  # type: ignore[method-assign,assignment]
    d = digest_stream(stream, chunk_size=1000)  # type: ignore[arg-type]
    assert d.sha256 == hashlib.sha256(data).hexdigest() and d.head == data[:HEAD_SIZE]


def test_files(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"evidence")
    assert digest_file(str(p)).as_dict() == {
        "md5": hashlib.md5(b"evidence").hexdigest(),
        "sha1": hashlib.sha1(b"evidence").hexdigest(),
        "sha256": hashlib.sha256(b"evidence").hexdigest(),
    }
    assert sha256_file(str(p)) == hashlib.sha256(b"evidence").hexdigest()


@given(data=st.binary(max_size=3 * HEAD_SIZE), split=st.integers(0, 3 * HEAD_SIZE))
def test_bytes_and_a_read_prefix_give_the_same_digests(data: bytes, split: int) -> None:
    whole = digest_stream(io.BytesIO(data), chunk_size=7)
    assert digest_bytes(data) == whole
    rest = io.BytesIO(data[split:])
    assert digest_stream(rest, chunk_size=5, prefix=data[:split]) == whole


def test_sha256_stream_reads_from_the_position_to_the_end() -> None:
    stream = io.BytesIO(b"head" + b"evidence" * 300_000)
    stream.seek(4)
    assert (
        sha256_stream(stream, chunk_size=4096) == hashlib.sha256(b"evidence" * 300_000).hexdigest()
    )
