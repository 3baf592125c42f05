"""Resolving leads to targets, and targets ranked within their district, on both databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.errors import NotFoundError, UsageError
from phunt.hashsets.store import import_hash_list
from phunt.leads.store import lead_detail
from phunt.leads.targets import get_target, list_targets, resolve_lead
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.leads import Lead
from test_lib import TEST_DATA

from .leads_world import import_both


def _md5(n: int) -> str:
    return hashlib.md5(f"reported file {n}".encode()).hexdigest()


def _near_pdq(n: int) -> str:
    """The fixture's PDQ of file ``n`` with two bits flipped: a near copy's hash."""
    value = int(hashlib.sha256(f"reported picture {n}".encode()).hexdigest(), 16) ^ 0b101
    return f"{value:064x}"


def _ids(s: Session) -> dict[str, int]:
    return {lead.report_id: lead.id for lead in s.scalars(select(Lead))}


def _world(database: Database, tmp_path: Path) -> dict[str, int]:
    """Both sources imported; 9100001+9100003 -> A (Ernakulam), 9100002+9100004 -> B and
    IP-7781 -> C (Thrissur); lists: known-bad MD5s of files 1 and 3, a known-bad PDQ near
    file 5, a known-good MD5 of file 4; a seized WhatsApp group holding A's number."""
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{_md5(1)}\n{_md5(3)}\n")
    good = tmp_path / "good.txt"
    good.write_text(f"{_md5(4)}\n")
    pdq = tmp_path / "pdq.txt"
    pdq.write_text(f"{_near_pdq(5)}\n")
    with database.session() as s:
        import_both(s)
        import_hash_list(s, str(bad), name="unit-bad", kind="known-bad")
        import_hash_list(s, str(good), name="unit-good", kind="known-good")
        import_hash_list(s, str(pdq), name="unit-pdq", kind="known-bad", hash_kind="pdq")
        add_device(s, "PH-B", "mobile phone")
        chat_store.import_export(s, TEST_DATA / "chats_devices/phone_b/msgstore.db", "PH-B")
        ids = _ids(s)
        a = resolve_lead(
            s,
            ids["9100001"],
            None,
            name="Ravi Example",
            district="Ernakulam",
            address="Kakkanad",
            phones=["+91 98000 00003"],
            subscriber_details="CAF: Ravi Example, Kakkanad",
            subscriber_source="Example Broadband",
        ).id
        resolve_lead(s, ids["9100003"], None, target_id=a)
        b = resolve_lead(s, ids["9100002"], None, name="Anu Example", district="Thrissur").id
        resolve_lead(s, ids["9100004"], None, target_id=b)
        resolve_lead(s, ids["IP-7781"], None, name="Joby Example", district="thrissur")
    return ids


def test_targets_ranked_by_district_and_priority(database: Database, tmp_path: Path) -> None:
    _world(database, tmp_path)
    with database.session() as s:
        rows = list_targets(s, None)
    found = [
        (
            r.district,
            r.rank,
            r.name,
            r.reports,
            r.known_bad_files,
            r.accounts_seen_again,
            r.chat_groups,
        )
        for r in rows
    ]
    assert found == [
        ("Ernakulam", 1, "Ravi Example", 2, 1, 1, 1),
        ("Thrissur", 1, "Anu Example", 2, 2, 0, 0),  # file 3 by MD5, file 5 by near PDQ
        ("Thrissur", 2, "Joby Example", 1, 0, 0, 0),  # file 4 is only on a known-good list
    ]
    assert rows[0].phones == ["+919800000003"]


def test_targets_of_one_district(database: Database, tmp_path: Path) -> None:
    _world(database, tmp_path)
    with database.session() as s:
        assert [r.name for r in list_targets(s, None, district="Ernakulam")] == ["Ravi Example"]
        assert list_targets(s, None, district="Idukki") == []


def test_resolving_is_audited_and_shown_on_the_lead(database: Database, tmp_path: Path) -> None:
    ids = _world(database, tmp_path)
    with database.session() as s:
        detail = lead_detail(s, ids["9100001"], None)
        assert detail.target is not None
        assert (detail.target.subscriber_source, detail.target.district.name) == (
            "Example Broadband",
            "Ernakulam",
        )
        records = s.scalars(select(AuditRecord).where(AuditRecord.action == "lead.resolve"))
        assert sorted(int(r.object_id) for r in records) == sorted(
            ids[k] for k in ("9100001", "9100003", "9100002", "9100004", "IP-7781")
        )
        assert audit.verify(s).ok


def test_resolving_again(database: Database, tmp_path: Path) -> None:
    ids = _world(database, tmp_path)
    with database.session() as s:
        target = lead_detail(s, ids["9100001"], None).target
        assert target is not None
        again = resolve_lead(s, ids["9100001"], None, target_id=target.id)
        assert again.id == target.id
        with pytest.raises(UsageError, match=f"already resolved to target {target.id}"):
            resolve_lead(s, ids["9100001"], None, name="Someone", district="Idukki")


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"district": "Idukki"}, "needs a name"),
        ({"name": "Someone"}, "needs a district"),
        ({"name": "Someone", "district": "Nowhere"}, "no district 'Nowhere'"),
        ({"name": "S", "district": "Idukki", "phones": ["12"]}, "not a valid phone number"),
        (
            {"name": "Someone", "district": "Idukki", "subscriber_details": "CAF"},
            "from whom",
        ),
    ],
)
def test_a_new_target_must_be_described(
    database: Database, given: dict[str, object], words: str
) -> None:
    with database.session() as s:
        import_both(s)
    with database.session() as s:
        lead = _ids(s)["IP-7782"]
        with pytest.raises(UsageError, match=words):
            resolve_lead(s, lead, None, **given)  # type: ignore[arg-type]


def test_targets_follow_the_cases_of_their_leads(database: Database) -> None:
    with database.session() as s:
        case = open_case(s, "CR 7/2026", "Cyber PS Kochi", "Ernakulam", []).id
        import_both(s, case_id=case)
        ids = _ids(s)
        target = resolve_lead(s, ids["9100001"], None, name="Ravi Example", district="Ernakulam")
        assert target.case_id == case
    with database.session() as s:
        assert [r.id for r in list_targets(s, frozenset({case}))] == [target.id]
        assert list_targets(s, frozenset({case + 1})) == []
        assert get_target(s, target.id, frozenset({case})).id == target.id
        with pytest.raises(NotFoundError, match="no target"):
            get_target(s, target.id, frozenset({case + 1}))
        with pytest.raises(NotFoundError, match="no lead"):
            resolve_lead(s, ids["9100002"], frozenset({case + 1}), target_id=target.id)
