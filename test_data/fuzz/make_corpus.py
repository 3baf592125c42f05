"""Regenerate the hand-made files of the corrupt corpus (run from anywhere).

Most of ``test_data/fuzz/<target>/`` is what the fuzzers found, minimised by
``python -m fuzz.minimise`` and kept byte for byte. The files written here are the same
faults rebuilt by hand from other fixtures, where that is clearer than the fuzzer's bytes
or where one fault hit several readers (a bare carriage return inside a CSV line).
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
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


def ext2_folder_entry_spins() -> None:
    """A 128 KiB ext2 whose folder ``b_spins`` claims 1.1 GB through a triple-indirect
    block, as the fuzzed root inode of ``ext2-root-open-loops.raw`` does: The Sleuth Kit
    spends tens of seconds of CPU loading it, inside the listing of the root folder, after
    ``a_folder`` and before ``c_last.txt`` (names in creation order). Needs e2fsprogs."""
    out = HERE / "disk-raw/ext2-folder-entry-spins.raw"
    env = {**os.environ, "E2FSPROGS_FAKE_TIME": "1709294400"}
    with tempfile.TemporaryDirectory() as work:
        content = Path(work) / "content"
        for folder, name, text in (
            ("a_folder", "one.txt", "Meeting moved to Thursday.\n"),
            ("b_spins", "two.txt", "Lunch at noon.\n"),
        ):
            (content / folder).mkdir(parents=True)
            (content / folder / name).write_text(text)
        (content / "c_last.txt").write_text("Bring the projector.\n")
        for item in [*content.rglob("*"), content]:
            os.utime(item, (1709294400, 1709294400))
        out.unlink(missing_ok=True)
        with out.open("wb") as f:
            f.truncate(128 * 1024)
        uuid = "11111111-2222-3333-4444-555555555555"
        subprocess.run(
            [
                *("mke2fs", "-q", "-t", "ext2", "-b", "1024", "-N", "16", "-U", uuid),
                *("-E", f"root_owner=0:0,hash_seed={uuid}", "-d", str(content), str(out)),
            ],
            check=True,
            env=env,
        )
        for change in ("size 1106051072", "block[TIND] 60"):
            subprocess.run(
                ["debugfs", "-w", "-R", f"sif /b_spins {change}", str(out)],
                check=True,
                env=env,
                capture_output=True,
            )


if __name__ == "__main__":
    hash_lists()
    telegram()
    zip_version()
    sevenzip_header()
    ext2_folder_entry_spins()
