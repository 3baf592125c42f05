"""Hostile and odd inputs to the hash-list readers end in phunt's own errors, never a crash.

Each case is one a review found crashing or silently losing entries: zips NIST's reader
cannot read, numbers too long for a column, classic Mac line ends, fields too long for
the csv module, and two videos' vPDQ files joined.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, WrongFormat
from phunt.hashsets.detect import detect_format, open_hash_list
from phunt.hashsets.nsrl import NsrlRds2Reader

Digest = Callable[[str, int], str]


def _zip_with_method(tmp_path: Path, data: Path, method: int) -> Path:
    """NIST's zip with its member's compression method field set to ``method``."""
    raw = bytearray((data / "RDS_sample.zip").read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = raw.find(signature)
        raw[at + offset : at + offset + 2] = method.to_bytes(2, "little")
    path = tmp_path / f"method{method}.zip"
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("method", [9, 99])  # Deflate64 (Windows Explorer), unknown
def test_nsrl_zip_with_a_method_phunt_cannot_read(tmp_path: Path, data: Path, method: int) -> None:
    path = _zip_with_method(tmp_path, data, method)
    with pytest.raises(CorruptInput, match="zip member uses a method phunt cannot read"):
        list(NsrlRds2Reader(path).entries())


def test_nsrl_zip_with_an_encrypted_member(tmp_path: Path, data: Path) -> None:
    raw = bytearray((data / "RDS_sample.zip").read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 1  # the "encrypted" flag
    path = tmp_path / "locked.zip"
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptInput, match="zip member cannot be read"):
        list(NsrlRds2Reader(path).entries())


def test_nsrl_zip_with_a_damaged_directory_offset(tmp_path: Path, data: Path) -> None:
    raw = bytearray((data / "RDS_sample.zip").read_bytes())
    at = raw.find(b"PK\x01\x02")
    raw[at + 42 : at + 46] = (len(raw) * 4).to_bytes(4, "little")  # first member's offset
    path = tmp_path / "offset.zip"
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptInput, match="damaged zip"):
        list(NsrlRds2Reader(path).entries())


def test_nsrl_saved_as_utf16_is_read(data: Path) -> None:
    utf16 = list(NsrlRds2Reader(data / "NSRLFile_utf16le.txt").entries())
    assert utf16 == list(NsrlRds2Reader(data / "NSRLFile_rds15.txt").entries())


@pytest.mark.parametrize(
    "header",
    [
        "sha-1,md5,crc32,filename,filesize,productcode,opsystemcode,specialcode",
        '"SHA-1", "MD5", "CRC32", "FileName", "FileSize", "ProductCode", "OpSystemCode", '
        '"SpecialCode" ',
    ],
)
def test_nsrl_header_in_other_case_or_spacing(tmp_path: Path, digest: Digest, header: str) -> None:
    """An NSRL header is NSRL whatever its case or spacing: never a generic known-bad CSV."""
    path = tmp_path / "NSRLFile.txt"
    row = f'"{digest("sha1", 1)}","{digest("md5", 1)}","0000ABCD","a.txt",1,1,"WIN",""'
    path.write_text(f"{header}\n{row}\n")
    assert detect_format(path) is NsrlRds2Reader
    (entry,) = NsrlRds2Reader(path).entries()
    assert entry.hashes == {"sha1": digest("sha1", 1), "md5": digest("md5", 1)}
    assert entry.extra["FileSize"] == 1


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("md5deep-z", " " + "9" * 5000 + "  " + "b" * 32 + "  n\n"),
        ("tsk-idx", "0" * 41 + "|md5sum\n" + "0" * 40 + "1|x\n" + "B" * 32 + "|" + "9" * 5000),
        ("hashdeep", "%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n" + "9" * 5000 + ",a,b\n"),
        ("threatexchange", "a" * 64 + "," + "9" * 5000 + ",x.png\n"),
    ],
)
def test_numbers_too_long_for_a_column(tmp_path: Path, fmt: str, text: str) -> None:
    path = tmp_path / "long.txt"
    path.write_text(text)
    with pytest.raises((CorruptInput, WrongFormat)):
        list(open_hash_list(path, format=fmt).entries())


@pytest.mark.parametrize("fmt", ["bsd-tag", "md5deep-z", "plain", "tsk-idx"])
def test_classic_mac_line_ends_are_named_not_lost(
    tmp_path: Path, data: Path, digest: Digest, fmt: str
) -> None:
    """CR alone ends no line for the readers: said plainly, instead of one garbled entry."""
    source = {
        "bsd-tag": "bsd_tag.txt",
        "md5deep-z": "md5deep_z.txt",
        "plain": "plain.txt",
        "tsk-idx": "notable.txt-md5.idx",
    }[fmt]
    path = tmp_path / "mac.txt"
    path.write_bytes((data / source).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    with pytest.raises(CorruptInput, match="carriage return inside the line"):
        list(open_hash_list(path, format=fmt).entries())
    with pytest.raises((CorruptInput, WrongFormat)):  # detected or not, never read wrong
        list(open_hash_list(path).entries())


@pytest.mark.parametrize("fmt", ["nsrl-rds2", "threatexchange", "csv", "icse"])
def test_fields_too_long_for_the_csv_module(fmt: str) -> None:
    text = b'"' + b"x" * 200_000 + b'"\n'
    with pytest.raises((CorruptInput, WrongFormat)):
        list(open_hash_list(io.BytesIO(text), name="long", format=fmt).entries())


def test_two_videos_joined_are_refused(tmp_path: Path, data: Path) -> None:
    one = (data / "vpdq_video.txt").read_text()
    path = tmp_path / "two.txt"
    path.write_text(one + one)
    with pytest.raises(CorruptInput, match=r"line 5: frame 0 after frame 3: frames must increase"):
        list(open_hash_list(path).entries())


def test_kind_option_still_holds_unambiguous_kinds(data: Path) -> None:
    """--hash-kind sha1 is a promise about every value: a 32-digit line breaks it."""
    with pytest.raises(CorruptInput, match=r"line 2: sha1 must be 40 hex digits"):
        list(open_hash_list(data / "plain.txt", kind="sha1").entries())


def test_zip_probe_never_opens_another_file_of_the_same_name(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream named like a zip in the working folder is judged by its own bytes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "upload.zip").write_bytes((data / "RDS_sample.zip").read_bytes())
    with zipfile.ZipFile(io.BytesIO(), "w") as other:
        other.writestr("readme.txt", "not NSRL")
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as other:
        other.writestr("readme.txt", "not NSRL")
    assert not NsrlRds2Reader.probe("upload.zip", stream.getvalue())
