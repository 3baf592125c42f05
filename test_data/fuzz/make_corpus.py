"""Regenerate the hand-made files of the corrupt corpus (run from anywhere).

Most of ``test_data/fuzz/<target>/`` is what the fuzzers found, minimised by
``python -m fuzz.minimise`` and kept byte for byte. The files written here are the same
faults rebuilt by hand from other fixtures, where that is clearer than the fuzzer's bytes
or where one fault hit several readers (a bare carriage return inside a CSV line).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent


def _with_cr(source: str, line: int, sep: bytes, count: int = 3) -> bytes:
    """The first ``count`` lines of a fixture, a carriage return after line ``line``'s first
    separator."""
    lines = (DATA / source).read_bytes().split(b"\n")
    lines[line] = lines[line].replace(sep, sep + b"\r", 1)
    return b"\n".join(lines[:count]) + b"\n"


def hash_lists() -> None:
    (HERE / "hashlist-icse/header-bare-cr.csv").write_bytes(_with_cr("hashsets/icse.csv", 0, b";"))
    (HERE / "hashlist-threatexchange/dataset-row-bare-cr.csv").write_bytes(
        _with_cr("hashsets/te_dataset.csv", 1, b",")
    )
    (HERE / "hashlist-nsrl-rds2/header-bare-cr.txt").write_bytes(
        _with_cr("hashsets/NSRLFile.txt", 0, b",")
    )


def telegram() -> None:
    (HERE / "chat-telegram-json/header-type-is-a-list.json").write_text(
        '{"name": "Ward 7", "type": [], "id": 4000000001, "messages": [{"id": 1, "type":'
        ' "message", "date": "2026-01-05T10:01:00", "from": "Asha Menon", "from_id":'
        ' "user1001", "text": ["Hello ", 7]}, {"id": 2, "type": "message", "date_unixtime":'
        ' "99999999999999999999", "text": "x"}]}\n'
    )


def zip_version() -> None:
    """A zip whose central directory says version 25.5 is needed to extract a member."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("note.txt", "Meeting moved to Thursday.\n")
    data = bytearray(out.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (255).to_bytes(2, "little")
    (HERE / "archive-zip/extract-version-25.5.zip").write_bytes(bytes(data))


def sevenzip_header() -> None:
    """plain.7z with one byte of its LZMA-compressed header changed (found by hypothesis)."""
    data = bytearray((DATA / "sources/plain.7z").read_bytes())
    data[72] = 0x90
    (HERE / "archive-7z/header-lzma-corrupt.7z").write_bytes(bytes(data))


if __name__ == "__main__":
    hash_lists()
    telegram()
    zip_version()
    sevenzip_header()
