"""NsrlRds2Reader.batches(): the bulk conversion gives what entries() gives, row for row."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phunt.errors import CorruptInput
from phunt.hashsets import nsrl
from phunt.hashsets.columns import batches_from_entries
from phunt.hashsets.nsrl import NsrlRds2Reader

HEADER = '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"'


def both(path: Path) -> tuple[Any, Any]:
    out = []
    for bulk in (True, False):
        reader = NsrlRds2Reader(path)
        batches = reader.batches() if bulk else batches_from_entries(reader.entries())
        try:
            out.append(([e for b in batches for e in b.entries()], reader.metadata()))
        except CorruptInput as error:
            out.append((str(error), None))
    return out[0], out[1]


def good(n: int) -> str:
    sha1 = hashlib.sha1(str(n).encode()).hexdigest().upper()
    md5 = hashlib.md5(str(n).encode()).hexdigest().upper()
    return f'"{sha1}","{md5}","{n:08X}","file, {n}.dll",{n},{n % 7},"358",""'


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nsrl, "_BLOCK", 3)


@pytest.mark.parametrize(
    "name",
    ["NSRLFile.txt", "NSRLFile_bad_hash.txt", "NSRLFile_no_member.zip", "NSRLFile_rds15.txt",
     "NSRLFile_utf16le.txt", "NSRLFile_wrong_columns.txt", "RDS_sample.zip"],
)  # fmt: skip
def test_fixtures_read_the_same_both_ways(data: Path, name: str) -> None:
    bulk, by_row = both(data / name)
    assert bulk == by_row


def test_rows_are_converted_in_blocks(tmp_path: Path) -> None:
    path = tmp_path / "NSRLFile.txt"
    path.write_text("\r\n".join([HEADER, *(good(n) for n in range(8))]) + "\r\n")
    batches = list(NsrlRds2Reader(path).batches())
    assert [len(b) for b in batches] == [3, 3, 2]
    assert batches[0].names == ["file, 0.dll", "file, 1.dll", "file, 2.dll"]
    assert batches[0].extras is not None and batches[0].extras[1]["FileSize"] == 1
    bulk, by_row = both(path)
    assert bulk == by_row


_ODD = st.sampled_from(
    [
        '"{s}","{m}","0000ABCD","a",1,1,"1",""',
        '"{s}","{m}","","a",1,1,"1",""',
        '"{s}","{m}","0000ABCD","a",-1,1,"1",""',
        '"{s}","{m}","0000ABCD","a",1,1,"1"',
        '" {s}","{m}","0000abcd","a",1,1,"1","M"',
        '"{s}","","0000ABCD","a",1,1,"1",""',
        '"{s}","{m}","0000ABCD","multi\nline",1,1,"1",""',
        '"{s}","{m}","0000ABCD","bad "quote",1,1,"1",""',
        '"{s}","{m}","0000ABCD","caf\xe9",1,1,"1",""',
        "",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.one_of(st.integers(0, 50).map(good), _ODD), max_size=12))
def test_bulk_equals_row_by_row(tmp_path_factory: pytest.TempPathFactory, rows: list[str]) -> None:
    sha1, md5 = hashlib.sha1(b"x").hexdigest(), hashlib.md5(b"x").hexdigest()
    lines = [row.replace("{s}", sha1).replace("{m}", md5) for row in rows]
    path = tmp_path_factory.mktemp("v2") / "NSRLFile.txt"
    path.write_bytes("\r\n".join([HEADER, *lines]).encode("latin-1"))
    bulk, by_row = both(path)
    assert bulk == by_row
