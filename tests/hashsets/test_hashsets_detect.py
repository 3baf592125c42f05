from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, NotFoundError, UsageError, WrongFormat
from phunt.hashsets.detect import READERS, detect_format, open_hash_list
from phunt.hashsets.plain import PlainReader

EXPECTED = {
    "plain.txt": "plain",
    "plain_pdq.txt": "plain",
    "plain_bad_hex.txt": "plain",
    "plain_bad_length.txt": "plain",
    "list.csv": "csv",
    "list_generic.csv": "csv",
    "list_semicolon.csv": "csv",
    "list_wrong_columns.csv": "csv",
    "list_bad_hex.csv": "csv",
    "list_bad_category.csv": "csv",
    "vics2_hashset.json": "vics",
    "vics2_case.json": "vics",
    "vics13_hashset.json": "vics",
    "vics_truncated.json": "vics",
    "vics_bad_hash.json": "vics",
    "vics_bad_category.json": "vics",
    "vics_syntax.json": "vics",
    "vics_deep.json": "vics",
    "icse.csv": "icse",
    "icse_wrong_columns.csv": "icse",
    "icse_bad_flag.csv": "icse",
    "icse_bad_photodna.csv": "icse",
    "NSRLFile.txt": "nsrl-rds2",
    "NSRLFile_wrong_columns.txt": "nsrl-rds2",
    "NSRLFile_bad_hash.txt": "nsrl-rds2",
    "NSRLFile_rds15.txt": "nsrl-rds2",
    "RDS_sample.zip": "nsrl-rds2",
    "hashdeep.txt": "hashdeep",
    "hashdeep_bad_size.txt": "hashdeep",
    "bsd_tag.txt": "bsd-tag",
    "bsd_tag_bad_hex.txt": "bsd-tag",
    "md5deep_z.txt": "md5deep-z",
    "ilook_v4.csv": "csv",
    "ilook_v3.csv": "csv",
    "NSRLFile_utf16le.txt": "nsrl-rds2",
    "hashkeeper.hsh": "hashkeeper",
    "hk_known.hsh": "hashkeeper",
    "hk_notable.hsh": "hashkeeper",
    "hk_mixed.hsh": "hashkeeper",
    "hk_bad_flag.hsh": "hashkeeper",
    "hk_stray.hsh": "hashkeeper",
    "NSRLFile.txt-md5.idx": "tsk-idx",
    "notable.txt-md5.idx": "tsk-idx",
    "vpdq_video.txt": "vpdq-file",
    "vpdq_bad_frame.txt": "vpdq-file",
    "te_dataset_reordered.csv": "threatexchange",
    "hma_pdq.csv": "threatexchange",
    "hma_holidays.csv": "threatexchange",
    "te_hasher_bad_quality.txt": "threatexchange",
    "RDS_2024.12.1_minimal.db": "nsrl-rds3",
    "RDS_2024.12.1_full.db": "nsrl-rds3",
    "RDS_bad_hash.db": "nsrl-rds3",
    "RDS_truncated.db": "nsrl-rds3",
    "not_nsrl.db": "nsrl-rds3",  # any SQLite: the reader then says it is not NSRL
    "te_typed.txt": "threatexchange",
    "te_dataset.csv": "threatexchange",
    "te_hasher.txt": "threatexchange",
    "te_bad_length.txt": "threatexchange",
    "te_dataset_wrong_columns.csv": "threatexchange",
    "plain_utf16le.txt": "plain",
    "list_utf16le.csv": "csv",
    "list_utf16be.csv": "csv",
    "list_utf32le.csv": "csv",
    "list_utf16_broken.csv": "csv",
    "vics2_case_utf16le.json": "vics",
}
#: Fixtures no reader may claim.
REFUSED = {
    "list_utf16_no_bom.csv",
    "NSRLFile_no_member.zip",
    *(f"hk_{n}.hke" for n in ("known", "notable", "mixed", "bad_flag", "stray")),  # no hashes
}
#: The lists saved with a UTF-16/32 byte-order mark, and the UTF-8 list each one copies.
TRANSCODED = {
    "plain_utf16le.txt": "plain.txt",
    "list_utf16le.csv": "list.csv",
    "list_utf16be.csv": "list.csv",
    "list_utf32le.csv": "list.csv",
    "vics2_case_utf16le.json": "vics2_case.json",
    "NSRLFile_utf16le.txt": "NSRLFile_rds15.txt",
}


def test_every_fixture_is_listed(data: Path) -> None:
    fixtures = {p.name for p in data.iterdir() if p.suffix != ".py"}
    assert fixtures == set(EXPECTED) | REFUSED


@pytest.mark.parametrize(("name", "original"), sorted(TRANSCODED.items()))
def test_utf16_and_utf32_lists_read_as_their_utf8_originals(
    data: Path, name: str, original: str
) -> None:
    found = open_hash_list(data / name, category_scheme="dhs-legacy")
    expected = open_hash_list(data / original, category_scheme="dhs-legacy")
    assert found.name == expected.name
    assert list(found.entries()) == list(expected.entries())
    assert found.metadata() == expected.metadata()
    # The fingerprint is of the file as given, not of its transcoding.
    assert found.sha256() == hashlib.sha256((data / name).read_bytes()).hexdigest()
    with (data / name).open("rb") as stream:
        streamed = open_hash_list(stream, name=name, category_scheme="dhs-legacy")
        assert list(streamed.entries()) == list(expected.entries())


def test_utf16_without_a_byte_order_mark_is_refused_naming_the_encoding(data: Path) -> None:
    with pytest.raises(WrongFormat, match="UTF-16 text without a byte-order mark"):
        detect_format(data / "list_utf16_no_bom.csv")


def test_bad_utf16_after_its_byte_order_mark_is_corrupt_input(data: Path) -> None:
    reader = open_hash_list(data / "list_utf16_broken.csv")
    with pytest.raises(CorruptInput, match="not UTF-16-LE text although it starts with"):
        list(reader.entries())


@pytest.mark.parametrize(("name", "reader"), sorted(EXPECTED.items()))
def test_detection_picks_the_right_reader(data: Path, name: str, reader: str) -> None:
    assert detect_format(data / name).name == reader


def test_registry_order_is_most_specific_first() -> None:
    assert READERS.names() == [
        "nsrl-rds3", "vics", "nsrl-rds2", "icse", "hashdeep", "hashkeeper", "bsd-tag", "md5deep-z",
        "tsk-idx", "vpdq-file", "threatexchange", "csv", "plain",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="already registered"):
        READERS.register("plain", PlainReader)


def test_random_binary_and_other_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "random.bin"
    binary.write_bytes(random.Random(4).randbytes(100_000))
    with pytest.raises(WrongFormat, match=r"random.bin: not a hash list phunt can read \(tried"):
        detect_format(binary)
    prose = tmp_path / "letter.txt"
    prose.write_text("Dear colleague,\nplease find the list attached.\n")
    with pytest.raises(WrongFormat, match="not a hash list"):
        detect_format(prose)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(WrongFormat, match=r"empty.txt: the file is empty"):
        detect_format(empty)
    with pytest.raises(NotFoundError, match="no such hash list"):
        detect_format(tmp_path / "missing.txt")
    with pytest.raises(UsageError, match="not a file"):
        detect_format(tmp_path)


def test_open_hash_list_detects_or_obeys_format(data: Path) -> None:
    reader = open_hash_list(data / "vics13_hashset.json", category_scheme="dhs-legacy")
    assert reader.name == "vics"
    assert reader.category_scheme == "dhs-legacy"
    forced = open_hash_list(data / "list_generic.csv", format="plain")
    with pytest.raises(CorruptInput, match="line 1: not an MD5"):
        list(forced.entries())
    as_pdq = open_hash_list(data / "plain_pdq.txt", kind="pdq")
    assert all("pdq" in e.hashes for e in as_pdq.entries())
    with pytest.raises(UsageError, match="unknown hash-list format 'vics3'"):
        open_hash_list(data / "plain.txt", format="vics3")
    with pytest.raises(NotFoundError):
        open_hash_list(data / "missing.txt", format="plain")


@pytest.mark.parametrize(
    ("name", "reader"), [("plain.txt", "plain"), ("vics2_case.json", "vics"), ("list.csv", "csv")]
)
def test_a_list_read_from_a_zip_member(data: Path, tmp_path: Path, name: str, reader: str) -> None:
    """Detection and reading work on a member stream: nothing is extracted."""
    archive_path = tmp_path / "lists.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(data / name, f"lists/{name}")
    expected = open_hash_list(data / name, category_scheme="dhs-legacy")
    with zipfile.ZipFile(archive_path) as archive, archive.open(f"lists/{name}") as member:
        found = open_hash_list(
            member, name=f"lists.zip!/lists/{name}", category_scheme="dhs-legacy"
        )
        assert found.name == reader and found.display == f"lists.zip!/lists/{name}"
        assert list(found.entries()) == list(expected.entries())
        assert list(found.entries()) == list(expected.entries())  # the stream is rewound
        assert found.metadata() == expected.metadata()
        assert found.sha256() == hashlib.sha256((data / name).read_bytes()).hexdigest()
        assert not member.closed  # the caller's stream stays the caller's
        assert expected.sha256() == found.sha256()


def test_stream_errors_name_the_stream() -> None:
    stream = io.BytesIO(b"# list\n" + b"a" * 31 + b"\n")
    reader = open_hash_list(stream, name="phone.zip!/bad.txt", format="plain")
    with pytest.raises(CorruptInput) as caught:
        list(reader.entries())
    assert (caught.value.path, caught.value.location) == ("phone.zip!/bad.txt", "line 2")
    with pytest.raises(WrongFormat, match="the file is empty"):
        open_hash_list(io.BytesIO(b""), name="empty.txt")


def test_an_unrecognised_list_names_the_closest_reader(tmp_path: Path) -> None:
    """Two hashes then junk: plain read two records, and its reason is in the error."""
    path = tmp_path / "almost.txt"
    good = [hashlib.md5(str(n).encode()).hexdigest() for n in range(2)]
    path.write_text("\n".join([*good, "hello world!", "more junk", "and more"]) + "\n")
    with pytest.raises(WrongFormat) as caught:
        detect_format(path)
    assert "closest: plain, which read 2 record(s) and then stopped at line 3: not an MD5" in str(
        caught.value
    )
    nothing = tmp_path / "prose.txt"
    nothing.write_text("dear examiner,\nthis is not a list\n")
    with pytest.raises(WrongFormat) as caught:
        detect_format(nothing)
    assert "closest" not in str(caught.value)
