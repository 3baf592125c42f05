from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.categories import is_known_bad
from phunt.hashsets.vics import CASE_KEY, VicsReader, alternative_kind

Digest = Callable[[str, int], str]
US = "vics-us-2.0"


def test_hashset_yields_exactly_its_media(data: Path, digest: Digest) -> None:
    reader = VicsReader(data / "vics2_hashset.json")
    d = digest
    assert list(reader.entries()) == [
        HashEntry(
            {"md5": d("md5", 1), "sha1": d("sha1", 1), "photodna": d("photodna", 1)},
            Category(1, US),
            1,
            None,
            {
                "MediaID": 1,
                "MediaSize": 48213,
                "VictimIdentified": False,
                "OffenderIdentified": "false",
                "IsDistributed": True,
                "IsPrecategorized": True,
                "PrecategorizationSource": "NCMEC",
                "Series": "Series Alpha",
                "Tags": "blue; square",
                "Comments": "invented record",
                "DateUpdated": "2023-06-07T02:31:49.8300Z",
            },
        ),
        HashEntry(
            {"md5": d("md5", 2), "sha1": d("sha1", 2), "photodna": d("photodna", 2)},
            Category(0, US),
            2,
            None,
            {
                "MediaID": 2,
                "AlternativeHashes": [
                    {
                        "MD5": d("md5", 2).upper(),
                        "HashName": "SHA1",
                        "HashValue": d("sha1", 2).upper(),
                    },
                    {
                        "MD5": d("md5", 2).upper(),
                        "HashName": "PhotoDNA",
                        "HashValue": d("photodna", 2),
                    },
                ],
                "MediaSize": 1024,
                "IsDistributed": "true",
            },
        ),
        HashEntry(
            {"md5": d("md5", 3)},
            None,
            3,
            None,
            {
                "MediaID": 3,
                "Category": None,
                "SHA1": "",
                "MimeType": "image/png",
                "Exifs": [
                    {
                        "MD5": d("md5", 3).upper(),
                        "PropertyName": "Make",
                        "PropertyValue": "Example Co",
                    }
                ],
            },
        ),
    ]
    # Record 2 is category 0 under the header's vics-us-2.0: non-pertinent, not a hit.
    assert [is_known_bad(e.category) for e in reader.entries()] == [True, False, True]
    meta = reader.metadata()
    assert (meta["version"], meta["profile"], meta["form"]) == ("2.0", "Default", "Media")
    assert (meta["category_scheme"], meta["category_scheme_source"]) == (US, "header")
    assert meta["records"] == 3
    assert list(meta["envelope"]) == ["@odata.context"]


def test_case_form_streams_media_of_every_case(data: Path, digest: Digest) -> None:
    reader = VicsReader(data / "vics2_case.json")
    entries = list(reader.entries())
    summary = [(e.record, e.hashes, e.category, e.name, e.extra[CASE_KEY]) for e in entries]
    assert summary == [
        (
            1,
            {"md5": digest("md5", 11), "sha1": digest("sha1", 11)},
            Category(2, US),
            "img_0001.png",
            1,
        ),
        (2, {"md5": digest("md5", 12)}, Category(4, US), None, 1),
        (3, {"md5": digest("md5", 13)}, Category(0, US), None, 3),
    ]
    assert [len(e.extra["MediaFiles"]) for e in entries[:1]] == [2]
    assert entries[1].extra == {"MediaID": 2, "IsSuspected": "true", CASE_KEY: 1}
    cases = reader.metadata()["cases"]
    assert [c["CaseID"][-1] for c in cases] == ["1", "2", "3"]
    assert cases[0]["TotalPrecategorized"] == 1  # a field after the Media array
    assert "Media" not in cases[0]
    assert reader.metadata()["profile"] == "US"


def test_vics_1x_needs_a_stated_scheme(data: Path, digest: Digest) -> None:
    with pytest.raises(UsageError, match=r"record 1: .* give --category-scheme"):
        list(VicsReader(data / "vics13_hashset.json").entries())
    reader = VicsReader(data / "vics13_hashset.json", category_scheme="dhs-legacy")
    entries = list(reader.entries())
    assert [(e.hashes, e.category) for e in entries] == [
        ({"md5": digest("md5", 21)}, Category(5, "dhs-legacy")),
        ({"md5": digest("md5", 22), "sha1": digest("sha1", 22)}, Category(1, "dhs-legacy")),
    ]
    assert entries[0].extra["odata.id"] == f"Media('{digest('md5', 21).upper()}')"
    meta = reader.metadata()
    assert (meta["version"], meta["profile"], meta["form"]) == ("1.3", None, "Media")
    assert meta["category_scheme_source"] == "stated"


def test_stated_scheme_wins_over_the_header(data: Path) -> None:
    reader = VicsReader(data / "vics2_hashset.json", category_scheme="dhs-legacy")
    assert next(reader.entries()).category == Category(1, "dhs-legacy")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vics_truncated.json", r"record 2 \(line 37\): unexpected end of file \(truncated\?\)"),
        ("vics_bad_hash.json", r"record 2: MD5: md5 must be 32 hex digits, got 31"),
        ("vics_bad_category.json", r"record 3: Category is not an integer: 'high'"),
        ("vics_syntax.json", r"record 3 \(line 41\): Expecting property name"),
        ("vics_deep.json", r"record 2 \(line 21\): JSON nested at least 5001 levels deep"),
    ],
)
def test_corrupt_files_name_the_record(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(VicsReader(data / name).entries())


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"@odata.context": "http://example.org/nothing"}, "envelope: unrecognised @odata.context"),
        ({"odata.metadata": "http://x/1.3.xml#Media", "count": 1}, "no 'value' array"),
        ({"odata.metadata": "http://x/1.3.xml#Media", "value": [7]}, "record 1: .* not a JSON"),
        ({"odata.metadata": "http://x/1.3.xml#Media", "value": [{"MediaID": 1}]}, "has no MD5"),
        ({"odata.metadata": "http://x/1.3.xml#Media", "value": [{"MD5": 5}]}, "MD5 is not a str"),
    ],
)
def test_malformed_documents(tmp_path: Path, document: object, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CorruptInput, match=message):
        list(VicsReader(path).entries())


def test_list_before_context_and_cases_key_are_read_by_shape(tmp_path: Path) -> None:
    md5 = "A" * 32
    path = tmp_path / "odd.json"
    path.write_text(
        json.dumps({"Cases": [{"CaseID": "c1", "Media": [{"MD5": md5}]}, {"MD5": md5}]})
    )
    reader = VicsReader(path)
    entries = list(reader.entries())
    assert [(e.record, e.extra) for e in entries] == [(1, {CASE_KEY: 1}), (2, {})]
    assert reader.metadata()["cases"] == [{"CaseID": "c1"}]
    assert reader.metadata()["list_key"] == "Cases"


def test_alternative_hash_names() -> None:
    assert [alternative_kind(n) for n in ("SHA1", "SHA-256", "PhotoDNA", "PDQ", "123")] == [
        "sha1",
        "sha256",
        "photodna",
        "pdq",
        "h123",
    ]


def test_not_utf8_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(
        b'{"odata.metadata": "http://x/1.3.xml#Media", "value": [{"Comments": "\xe9"}]}'
    )
    with pytest.raises(CorruptInput, match="not UTF-8"):
        list(VicsReader(path).entries())


@pytest.mark.slow
def test_iterating_a_large_hashset_keeps_memory_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    context = (
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
    )
    with path.open("w") as out:
        out.write(f'{{"@odata.context": "{context}", "value": [\n')
        for n in range(200_000):
            out.write(f'{"," if n else ""}{{"MediaID": {n}, "Category": 1, "MD5": "{n:032X}"}}\n')
        out.write("]}\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in VicsReader(path).entries())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes"


def test_probe_reads_minified_files_and_refuses_other_json(tmp_path: Path) -> None:
    context = (
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
    )
    media = [{"MediaID": n, "MD5": f"{n:032X}"} for n in range(3000)]
    head = ("\ufeff" + json.dumps({"@odata.context": context, "value": media})).encode()
    assert len(head) > 64 * 1024 and b"\n" not in head
    assert VicsReader.probe(tmp_path, head[: 64 * 1024])
    assert not VicsReader.probe(tmp_path, b'{"name": "not vics", "value": []}')
    assert not VicsReader.probe(tmp_path, b'[{"@odata.context": "x"}]')


def test_vics_12_media_is_flagged_as_a_known_file_set(tmp_path: Path) -> None:
    path = tmp_path / "caid.json"
    document = {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media",
        "value": [{"MD5": "AB" * 16, "MediaSize": "10", "MediaFiles": [{"FileName": "a.dll"}]}],
    }
    path.write_text(json.dumps(document))
    reader = VicsReader(path)
    assert [e.name for e in reader.entries()] == ["a.dll"]
    assert reader.metadata()["list_kind"] == "known-good"
    assert VicsReader(tmp_path / "x").metadata()["list_kind"] == "known-bad"


def test_entries_can_be_read_twice(data: Path) -> None:
    reader = VicsReader(data / "vics2_case.json")
    first = list(reader.entries())
    assert list(reader.entries()) == first
    assert len(reader.metadata()["cases"]) == 3


def test_nesting_deeper_than_the_limit_anywhere_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text('{"odata.metadata": "http://x/1.3.xml#Media", "x": ' + deep + ', "value": []}')
    with pytest.raises(CorruptInput, match=r"\(line 1\): JSON nested at least \d+ lev") as caught:
        list(VicsReader(path).entries())
    assert caught.value.path == str(path)
    # What the 64 KiB read buffer holds is measured: a lower bound, far over the limit.
    assert caught.value.message.startswith("JSON nested at least 6")
