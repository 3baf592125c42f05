from __future__ import annotations

import io
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt import scratch
from phunt.errors import CorruptInput, UsageError, WrongFormat
from phunt.hashsets.base import HEAD_SIZE, HashEntry
from phunt.hashsets.detect import READERS, detect_format, detect_head, open_hash_list
from phunt.hashsets.nsrl import NsrlRds2Reader, NsrlRds3Reader

Digest = Callable[[str, int], str]


def test_minimal_v3_yields_exactly_its_rows(data: Path, digest: Digest) -> None:
    """Each FILE row gives its hashes only (names and packages stay in the RDS)."""
    reader = NsrlRds3Reader(data / "RDS_2024.12.1_minimal.db")

    def row(n: int, record: int) -> HashEntry:
        return HashEntry({k: digest(k, n) for k in ("sha256", "sha1", "md5")}, None, record)

    assert list(reader.entries()) == [row(51, 1), row(52, 2), row(51, 3)]
    meta = reader.metadata()
    assert meta["layout"] == "minimal"
    assert meta["records"] == 3
    assert meta["version"] == [
        {"version": "2024.12.1", "build_set": "minimal", "build_date": "2024-12-01 00:00:00",
         "release_date": "2024-12-10 00:00:00", "description": "invented fixture"}
    ]  # fmt: skip


def test_full_v3_reads_the_file_view(data: Path, digest: Digest) -> None:
    reader = NsrlRds3Reader(data / "RDS_2024.12.1_full.db")
    assert list(reader.entries()) == [
        HashEntry({k: digest(k, n) for k in ("sha256", "sha1", "md5")}, None, record)
        for n, record in ((61, 1), (62, 2))
    ]
    assert reader.metadata()["layout"] == "full"


def test_v3_is_opened_read_only(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "rds.db"
    copy.write_bytes((data / "RDS_2024.12.1_minimal.db").read_bytes())
    entries = NsrlRds3Reader(copy).entries()
    next(entries)
    assert not (tmp_path / "rds.db-journal").exists()
    assert not (tmp_path / "rds.db-wal").exists()
    assert len(list(entries)) == 2
    assert copy.read_bytes() == (data / "RDS_2024.12.1_minimal.db").read_bytes()


def test_sqlite_that_is_not_nsrl_says_so(data: Path, tmp_path: Path) -> None:
    with pytest.raises(
        WrongFormat,
        match=r"sqlite_master: SQLite database but not an NSRL RDS v3 set: no FILE .*NOTES",
    ):
        list(NsrlRds3Reader(data / "not_nsrl.db").entries())
    path = tmp_path / "file_only.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE FILE (name TEXT)")
    connection.close()
    with pytest.raises(WrongFormat, match="FILE has no sha256, sha1 or md5 column"):
        list(NsrlRds3Reader(path).entries())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("RDS_bad_hash.db", r"FILE row 2: sha1: sha1 must be 40 hex digits, got 38"),
        ("RDS_truncated.db", r"damaged SQLite database: database disk image is malformed"),
    ],
)
def test_corrupt_v3_names_the_row(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(NsrlRds3Reader(data / name).entries())


def test_v2_yields_exactly_its_rows(data: Path, digest: Digest) -> None:
    reader = NsrlRds2Reader(data / "NSRLFile.txt")

    def row(
        n: int, line: int, name: str, size: int, product: str, os_code: str, special: str
    ) -> HashEntry:
        extra = {"CRC32": digest("crc32", n), "FileSize": size, "ProductCode": product,
                 "OpSystemCode": os_code, "SpecialCode": special}  # fmt: skip
        return HashEntry(
            {"sha1": digest("sha1", n), "md5": digest("md5", n)}, None, line, name, extra
        )

    assert list(reader.entries()) == [
        row(41, 2, "readme.txt", 1024, "1234", "358", ""),
        row(42, 3, "setup, v2.exe", 204800, "1234", "358", ""),
        row(43, 4, "caf\u00e9.exe", 4096, "99", "WINXP", "M"),  # Latin-1 name kept
    ]
    assert reader.metadata()["records"] == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("NSRLFile_wrong_columns.txt", r"line 3: row has 7 fields, header has 8"),
        ("NSRLFile_bad_hash.txt", r"line 3: SHA-1: sha1 is not hexadecimal"),
    ],
)
def test_corrupt_v2_names_the_line(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(NsrlRds2Reader(data / name).entries())


def test_v2_checks_header_crc_and_size(tmp_path: Path, digest: Digest) -> None:
    path = tmp_path / "NSRLFile.txt"
    path.write_text('"SHA-1","MD5"\n')
    with pytest.raises(CorruptInput, match=r"line 1: header is not NSRLFile\.txt's"):
        list(NsrlRds2Reader(path).entries())
    header = (
        '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"'
    )
    hashes = f'"{digest("sha1", 1)}","{digest("md5", 1)}"'
    path.write_text(f'{header}\n{hashes},"XYZ","a",1,1,"1",""\n')
    with pytest.raises(CorruptInput, match="line 2: CRC32 is not 8 hex digits"):
        list(NsrlRds2Reader(path).entries())
    path.write_text(f'{header}\n{hashes},"0000ABCD","a",big,1,"1",""\n')
    with pytest.raises(CorruptInput, match="line 2: FileSize is not a whole number"):
        list(NsrlRds2Reader(path).entries())


def test_v3_from_a_stream_is_spooled_and_removed(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite opens only files: a stream is copied into a private folder, gone afterwards."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = set(os.listdir(scratch.folder()))
    path = data / "RDS_2024.12.1_minimal.db"
    expected = list(NsrlRds3Reader(path).entries())
    reader = NsrlRds3Reader(io.BytesIO(path.read_bytes()), name="set.zip!/rds.db")
    assert list(reader.entries()) == expected
    assert reader.metadata()["layout"] == "minimal"
    assert list(tmp_path.iterdir()) == []
    assert set(os.listdir(scratch.folder())) == before  # copies went to phunt's scratch
    not_nsrl = NsrlRds3Reader(io.BytesIO((data / "not_nsrl.db").read_bytes()), name="x.db")
    with pytest.raises(WrongFormat) as caught:
        list(not_nsrl.entries())
    assert caught.value.path == "x.db"


def test_rds15_column_order_is_read_by_header(data: Path, digest: Digest) -> None:
    """RDS 1.5 puts FileName second and adds MD4: the columns are found by name."""
    path = data / "NSRLFile_rds15.txt"
    assert detect_format(path) is NsrlRds2Reader
    entries = list(NsrlRds2Reader(path).entries())
    assert [(e.hashes, e.name, e.extra["FileSize"], e.extra["MD4"]) for e in entries] == [
        ({"sha1": digest("sha1", 51), "md5": digest("md5", 51)}, "INFODESK.ICO", 503, "0" * 32),
        ({"sha1": digest("sha1", 52), "md5": digest("md5", 52)}, "liveupdt.hlp", 300, "0" * 32),
    ]


def test_nist_zip_is_read_through_its_nsrlfile_member(data: Path) -> None:
    path = data / "RDS_sample.zip"
    assert detect_format(path) is NsrlRds2Reader
    reader = NsrlRds2Reader(path)
    zipped = list(reader.entries())
    assert zipped == list(NsrlRds2Reader(data / "NSRLFile.txt").entries())
    meta = reader.metadata()
    assert meta["member"] == "NSRLFile.txt"
    assert meta["version_txt"] == '"RDS Version 2.99 - phunt fixture"'
    assert meta["list_kind"] == "known-good"
    # The same zip as a stream: the probe reads the first local header's member name.
    with path.open("rb") as stream:
        head = stream.read(HEAD_SIZE)
        assert detect_head(head, "upload") is NsrlRds2Reader
        assert list(NsrlRds2Reader(io.BytesIO(path.read_bytes())).entries()) == zipped


def test_zip_without_nsrlfile_is_not_nsrl(data: Path) -> None:
    path = data / "NSRLFile_no_member.zip"
    with pytest.raises(WrongFormat):
        detect_format(path)
    with pytest.raises(CorruptInput, match=r"zip without NSRLFile\.txt \(members: readme\.txt\)"):
        list(NsrlRds2Reader(path).entries())


@pytest.mark.parametrize(
    "fixture", ["NSRLFile.txt", "NSRLFile_rds15.txt", "RDS_sample.zip", "NSRLFile.txt-md5.idx"]
)
def test_no_reader_takes_an_nsrl_file_for_known_bad(data: Path, fixture: str) -> None:
    """Under any --format, an NSRL file is read as known files or refused, never known-bad."""
    native = detect_format(data / fixture)
    assert list(native(data / fixture).entries())  # its own reader reads it
    for name, _reader in READERS:
        try:
            reader = open_hash_list(data / fixture, format=name)
            entries = list(reader.entries())
        except (CorruptInput, WrongFormat, UsageError):
            assert name != native.name
            continue
        assert entries, (name, fixture)
        assert reader.metadata()["list_kind"] == "known-good", (name, fixture)
        assert reader.metadata()["kind_stated"], (name, fixture)
