from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any, Literal

import pytest

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.vics import CASE_KEY, VicsReader
from phunt.hashsets.vics_writer import write_vics


def export(
    path: Path, form: Literal["hashset", "case"], **options: Any
) -> tuple[dict[str, Any], int]:
    reader = VicsReader(path, **options)
    out = io.StringIO()
    count = write_vics(reader.entries(), out, form=form, metadata=reader.metadata())
    return json.loads(out.getvalue()), count


@pytest.mark.parametrize(
    ("name", "form"), [("vics2_hashset.json", "hashset"), ("vics2_case.json", "case")]
)
def test_round_trip_keeps_every_field(
    data: Path, name: str, form: Literal["hashset", "case"]
) -> None:
    original = json.loads((data / name).read_text())
    written, count = export(data / name, form)
    assert written == original
    assert count == 3


def test_vics_13_becomes_20_with_every_media_field_kept(data: Path) -> None:
    original = json.loads((data / "vics13_hashset.json").read_text())
    written, _ = export(data / "vics13_hashset.json", "hashset", category_scheme="dhs-legacy")
    assert written["@odata.context"].endswith("/2.0.xml/Default/$metadata#Media")
    # The list's DHS codes are written as VICS 2.0 codes (5 -> 0); every other field as read.
    dhs_to_vics = {5: 0, 1: 1}
    expected = [m | {"Category": dhs_to_vics[m["Category"]]} for m in original["value"]]
    assert written["value"] == expected


def test_a_code_the_stated_scheme_lacks_is_refused(data: Path) -> None:
    """DHS code 5 read as VICS 2.0 (which has no 5) names the code and the scheme."""
    with pytest.raises(CorruptInput, match=r"record 1: category 5 is not a code of the vics-us"):
        export(data / "vics13_hashset.json", "hashset", category_scheme="vics-us-2.0")


def test_dhs_categories_are_converted_explicitly_on_export(data: Path) -> None:
    written, _ = export(data / "vics13_hashset.json", "hashset", category_scheme="dhs-legacy")
    assert [m["Category"] for m in written["value"]] == [0, 1]  # DHS 5 non-pertinent -> VICS 0


def write(entries: list[HashEntry], **options: Any) -> dict[str, Any]:
    out = io.StringIO()
    write_vics(entries, out, **options)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_entries_from_other_lists_get_ids_and_alternative_hashes() -> None:
    entries = [
        HashEntry({"md5": "ab" * 16, "pdq": "cd" * 32}, Category(0, "dhs-legacy"), 4),
        HashEntry({"sha256": "ef" * 32}, None, 9, "x.png"),
    ]
    written = write(entries, metadata={"profile": "US", "envelope": {"Note": "kept"}})
    assert written == {
        "@odata.context": (
            "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
        ),
        "Note": "kept",
        "value": [
            {
                "MediaID": 1,
                "MD5": "AB" * 16,
                "AlternativeHashes": [{"HashName": "PDQ", "HashValue": "cd" * 32}],
            },
            {"MediaID": 2, "SHA256": "EF" * 32},
        ],
    }


def test_unmappable_categories_stop_the_export() -> None:
    entry = HashEntry({"md5": "ab" * 16}, Category(1, "uk-caid"), 1)
    with pytest.raises(UsageError, match="no mapping of category 1 from uk-caid"):
        write([entry])
    with pytest.raises(UsageError, match="does not imply a category scheme"):
        write([entry], metadata={"profile": "UK"})
    written = write([entry], metadata={"profile": "UK", "category_scheme": "uk-caid"})
    assert written["value"][0]["Category"] == 1


def test_case_form_groups_entries_and_keeps_empty_cases() -> None:
    def entry(case: int) -> HashEntry:
        return HashEntry({"md5": f"{case:032x}"}, None, case, extra={CASE_KEY: case})

    cases = [{"CaseID": "a"}, {"CaseID": "b"}, {"CaseID": "c"}, {"CaseID": "d"}]
    written = write([entry(2), entry(2)], form="case", metadata={"cases": cases})
    assert [(c["CaseID"], len(c["Media"])) for c in written["value"]] == [
        ("a", 0),
        ("b", 2),
        ("c", 0),
        ("d", 0),
    ]
    with pytest.raises(UsageError, match="grouped by case"):
        write([entry(2), entry(1)], form="case")


def test_case_form_without_cases_puts_everything_in_one() -> None:
    written = write([HashEntry({"md5": "ab" * 16})], form="case")
    assert written["@odata.context"].endswith("/Default/$metadata#Cases")
    assert written["value"] == [{"Media": [{"MediaID": 1, "MD5": "AB" * 16}]}]
    assert write([], form="case")["value"] == []


def test_envelope_fields_after_the_list_are_kept(tmp_path: Path) -> None:
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
    original = {
        "@odata.context": context,
        "Source": "before",
        "value": [{"MediaID": 7, "MD5": "AB" * 16}],
        "Count": 1,
    }
    path = tmp_path / "set.json"
    path.write_text(json.dumps(original))
    assert export(path, "hashset")[0] == original


def test_renumber_gives_fresh_media_ids() -> None:
    entries = [HashEntry({"md5": f"{n:032x}"}, extra={"MediaID": 7}) for n in range(3)]
    assert [m["MediaID"] for m in write(entries)["value"]] == [7, 7, 7]
    assert [m["MediaID"] for m in write(entries, renumber=True)["value"]] == [1, 2, 3]


@pytest.mark.slow
def test_export_streams_with_bounded_memory(tmp_path: Path) -> None:
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media"
    source = tmp_path / "big.json"
    with source.open("w") as out:
        out.write(f'{{"@odata.context": "{context}", "value": [\n')
        for n in range(50_000):
            out.write(f'{"," if n else ""}{{"MediaID": {n}, "Category": 2, "MD5": "{n:032X}"}}\n')
        out.write("]}\n")
    reader = VicsReader(source)
    tracemalloc.start()
    try:
        with (tmp_path / "copy.json").open("w", encoding="utf-8") as out:
            count = write_vics(reader.entries(), out, metadata=reader.metadata())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes"  # as a list they take ~35 MB
    assert json.loads((tmp_path / "copy.json").read_text()) == json.loads(source.read_text())
