from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.icse import IcseReader, flag

Digest = Callable[[str, int], str]


def test_good_list_yields_exactly_its_rows(data: Path, digest: Digest) -> None:
    reader = IcseReader(data / "icse.csv")
    d = digest
    assert list(reader.entries()) == [
        HashEntry(
            {"md5": d("md5", 31), "sha1": d("sha1", 31), "photodna": d("photodna", 31)},
            None,
            2,
            None,
            {"Image ID": "1001", "Is distributed": "yes", "Victim identified": "n",
             "Offender identified": "f", "Series name": "Series Alpha",
             "Number of submissions": "3", "File Available": "t", "Media Type": "Image",
             "Baseline": "false"},
        ),
        HashEntry(
            {"md5": d("md5", 32), "photodna": d("photodna", 32)},  # hex PhotoDNA -> Base64
            None,
            3,
            None,
            {"Image ID": "1002", "Is distributed": "no", "Victim identified": "",
             "Offender identified": "", "Series name": "", "Number of submissions": "1",
             "File Available": "n", "Media Type": "Image", "Baseline": ""},
        ),
        HashEntry(
            {"md5": d("md5", 33), "sha1": d("sha1", 33)},
            None,
            4,
            None,
            {"Image ID": "1003", "Is distributed": "true", "Victim identified": "false",
             "Offender identified": "false", "Series name": "", "Number of submissions": "0",
             "File Available": "y", "Media Type": "Video", "Baseline": "n"},
        ),
    ]  # fmt: skip
    assert reader.metadata()["columns"][:3] == ["MD5", "SHA1", "PhotoDNA"]
    assert base64.b64decode(d("photodna", 32))  # the fixture's hex form decodes to this


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("icse_wrong_columns.csv", r"line 3: row has 11 fields, header has 12"),
        ("icse_bad_flag.csv", r"line 4: column 'File Available': not a yes/no flag: 'maybe'"),
        ("icse_bad_photodna.csv", r"line 2: column 'PhotoDNA': photodna must hold 144 bytes"),
    ],
)
def test_corrupt_lists_name_the_line(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(IcseReader(data / name).entries())


def test_header_must_have_the_hash_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("MD5;Image ID\n" + "a" * 32 + ";1\n")
    with pytest.raises(
        CorruptInput, match=r"line 1: header lacks ICSE columns \['SHA1', 'PhotoDNA'\]"
    ):
        list(IcseReader(path).entries())
    path.write_text("")
    with pytest.raises(CorruptInput, match="empty file"):
        list(IcseReader(path).entries())


def test_flags() -> None:
    assert [flag(v) for v in ("y", "YES", "t", "true", "n", "No", "f", "FALSE", " ")] == [
        True, True, True, True, False, False, False, False, None,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not a yes/no flag"):
        flag("1")
