from __future__ import annotations

from datetime import UTC, datetime

import pytest

from phunt.cases import case_files as cf
from phunt.cases.operations import create_operation
from phunt.errors import NotFoundError, UsageError
from phunt.schema.db import Database


def test_case_number_unique_per_station(database: Database) -> None:
    with database.session() as s:
        create_operation(s, "P-Hunt")
        case = cf.open_case(
            s,
            "CR 12/2026",
            "Cyber PS Kochi",
            "Ernakulam",
            ["IT Act s.67B", " POCSO s.15 ", ""],
            operation="P-Hunt",
        )
        assert case.statutes == ["IT Act s.67B", "POCSO s.15"]
        # Same number at another station is a different case.
        cf.open_case(s, "CR 12/2026", "Town PS Thrissur", "Thrissur", ["IT Act s.67B"])
        with pytest.raises(UsageError, match="already exists at 'Cyber PS Kochi'"):
            cf.open_case(s, "CR 12/2026", "Cyber PS Kochi", "Ernakulam", [])
        assert [c.number for c in cf.list_cases(s, "P-Hunt")] == ["CR 12/2026"]


def test_suspect_phones_normalised_and_arrest_once(database: Database) -> None:
    at = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    with database.session() as s:
        case = cf.open_case(s, "CR 1", "Cyber PS", "Kannur", [])
        suspect = cf.add_suspect(
            s, case.id, "Arun Example", aliases=["ae"], phones=["98470 00001"], handles=["@ae"]
        )
        assert suspect.phones == ["+919847000001"]
        cf.arrest_suspect(s, suspect.id, at)
        with pytest.raises(UsageError, match="already arrested"):
            cf.arrest_suspect(s, suspect.id, at)
        with pytest.raises(UsageError, match="phone number"):
            cf.add_suspect(s, case.id, "B", phones=["not a phone"])
        with pytest.raises(NotFoundError):
            cf.add_suspect(s, 999, "C")
    with database.session() as s:
        assert cf.get_suspect(s, suspect.id).arrested_at == at
        assert [x.name for x in cf.list_suspects(s, case.id)] == ["Arun Example"]
