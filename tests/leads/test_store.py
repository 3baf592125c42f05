"""Importing leads on both databases: recognised twice, linked, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from phunt.audit import store as audit
from phunt.cases.case_files import open_case
from phunt.errors import InputError, NotFoundError, UsageError
from phunt.leads.store import (
    get_lead,
    get_source,
    import_leads,
    lead_detail,
    leads_of_case,
    list_leads,
    save_source,
)
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.leads import Lead, LeadFile, LeadLink

from .leads_world import LEADS, import_both, mapping, snapshot


def test_both_fixtures_import_with_their_links(database: Database) -> None:
    with database.session() as s:
        ncrb, interpol = import_both(s)
    assert (ncrb.rows, ncrb.new_leads, ncrb.known_leads, ncrb.new_files) == (5, 4, 0, 5)
    assert (interpol.rows, interpol.new_leads, interpol.new_files) == (3, 2, 3)
    with database.session() as s:
        links = {
            (s.get(Lead, a).report_id, s.get(Lead, b).report_id, reason)  # type: ignore[union-attr]
            for a, b, reason in s.execute(select(LeadLink.lead_a, LeadLink.lead_b, LeadLink.reason))
        }
        assert links == {
            ("9100001", "9100003", "account"),  # tea_time_42 and @Tea_Time_42
            ("9100002", "9100004", "phone"),  # 919800010002 and 98000 10002
            ("9100002", "IP-7781", "email"),  # across sources, case ignored
            ("9100003", "IP-7781", "file"),  # the same MD5 reported by both
        }
        assert audit.verify(s).ok
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
        assert actions[-4:] == [
            "lead_source.save",
            "leads.import",
            "lead_source.save",
            "leads.import",
        ]


def test_the_same_report_imported_again_is_recognised(database: Database) -> None:
    with database.session() as s:
        import_both(s)
    with database.session() as s:
        again = import_leads(s, LEADS / "ncrb_tips.xlsx", "NCRB")  # the saved mapping
        assert (again.new_leads, again.known_leads, again.new_files, again.links) == (0, 4, 0, 0)
        assert s.scalar(select(func.count()).select_from(Lead)) == 6
        assert s.scalar(select(func.count()).select_from(LeadFile)) == 8


def test_a_known_report_gains_only_the_files_it_lacked(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        import_both(s)
    more = tmp_path / "more.csv"
    rows = (LEADS / "interpol_referrals.csv").read_text().splitlines()
    extra = rows[3].replace("garden.jpg", "pond.jpg").replace(rows[3].split(",")[12], "c" * 32)
    more.write_text("\n".join([*rows, extra]) + "\n")
    with database.session() as s:
        again = import_leads(s, more, "Interpol")
        assert (again.new_leads, again.known_leads, again.new_files) == (0, 2, 1)
        lead = s.scalar(select(Lead).where(Lead.report_id == "IP-7782"))
        assert lead is not None
        assert [f.name for f in lead.files] == ["garden.jpg", "pond.jpg"]


@pytest.mark.parametrize(
    ("file", "source", "given", "error", "words"),
    [
        ("bad_date.csv", "Interpol", None, InputError, "row 4, column 'Date'"),
        ("bad_hash.csv", "Interpol", None, InputError, "row 3, column 'Hash MD5'"),
        ("bad_hash.xlsx", "NCRB", None, InputError, "row 5, column 'SHA1'"),
        ("missing_column.csv", "Interpol", None, InputError, "mandatory column 'Date'"),
        ("interpol_referrals.csv", "NCRB", None, InputError, "column 'CyberTip Report'"),
        (
            "interpol_referrals.csv",
            "Interpol",
            {"columns": {"report_id": "Referral No", "incident_time": "Date", "sha256": "X"}},
            UsageError,
            "unknown field 'sha256'",
        ),
        ("interpol_referrals.csv", "Nobody", None, NotFoundError, "no lead source 'Nobody'"),
    ],
)
def test_bad_input_leaves_the_database_unchanged(
    database: Database,
    file: str,
    source: str,
    given: dict[str, object] | None,
    error: type[Exception],
    words: str,
) -> None:
    with database.session() as s:
        import_both(s)
    before = snapshot(database)
    with pytest.raises(error) as caught, database.session() as s:
        import_leads(s, LEADS / file, source, mapping=given)
    assert words in str(caught.value)
    if error is InputError:
        assert str(caught.value).startswith(str(LEADS / file))
    assert snapshot(database) == before


def test_a_mapping_naming_a_column_the_file_lacks(database: Database) -> None:
    wrong = mapping("interpol")
    wrong["columns"]["ip"] = "Uploader IP"
    before = snapshot(database)
    with pytest.raises(InputError) as caught, database.session() as s:
        import_leads(s, LEADS / "interpol_referrals.csv", "Interpol", mapping=wrong)
    assert caught.value.location == "row 1, column 'Uploader IP'"
    assert snapshot(database) == before  # not even the source and its mapping


def test_sources_keep_their_mapping(database: Database) -> None:
    with database.session() as s:
        first = save_source(s, "NCRB", mapping("ncrb"))
        assert save_source(s, "NCRB", mapping("ncrb")).id == first.id
        assert get_source(s, "NCRB").mapping["columns"]["md5"] == "MD5"
        assert get_source(s, first.id).name == "NCRB"
        with pytest.raises(UsageError, match="needs a name"):
            save_source(s, " ", mapping("ncrb"))


def test_leads_are_seen_by_their_case_only(database: Database) -> None:
    with database.session() as s:
        case = open_case(s, "CR 5/2026", "Cyber PS Kochi", "Ernakulam", []).id
        other = open_case(s, "CR 6/2026", "Cyber PS Kochi", "Ernakulam", []).id
        import_leads(s, LEADS / "ncrb_tips.xlsx", "NCRB", mapping=mapping("ncrb"), case_id=case)
        import_leads(s, LEADS / "interpol_referrals.csv", "Interpol", mapping=mapping("interpol"))
    with database.session() as s:
        assert len(list_leads(s, None)) == 6
        mine = list_leads(s, frozenset({case}))
        assert [lead.report_id for lead in mine] == ["9100001", "9100002", "9100003", "9100004"]
        assert list_leads(s, frozenset({other})) == []
        assert [lead.id for lead in leads_of_case(s, case)] == [lead.id for lead in mine]
        assert get_lead(s, mine[0].id, frozenset({case})).id == mine[0].id
        with pytest.raises(NotFoundError, match="no lead"):
            get_lead(s, mine[0].id, frozenset({other}))
        interpol = list_leads(s, None, source="Interpol")[0].id
        with pytest.raises(NotFoundError):
            get_lead(s, interpol, frozenset({case}))  # a lead of no case: supervisors only


def test_a_lead_in_detail(database: Database) -> None:
    with database.session() as s:
        import_both(s)
    with database.session() as s:
        lead = s.scalar(select(Lead).where(Lead.report_id == "IP-7781"))
        assert lead is not None
        detail = lead_detail(s, lead.id, None)
        assert detail.source == "Interpol"
        assert detail.imported.file_name.endswith("interpol_referrals.csv")
        assert len(detail.imported.file_sha256) == 64
        assert [f.name for f in detail.files] == ["holiday.jpg", "beach.jpg"]
        assert [(k.report_id, k.source, k.reason) for k in detail.links] == [
            ("9100002", "NCRB", "email"),
            ("9100003", "NCRB", "file"),
        ]
        assert detail.target is None


def test_a_lead_lists_only_the_linked_leads_its_scope_sees(database: Database) -> None:
    """IP-7781 (case two) shares an e-mail with 9100002 and a file with 9100003 (case
    one): in case one's scope 9100002 links to 9100004 only, with no trace of IP-7781."""
    with database.session() as s:
        one = open_case(s, "CR 7/2026", "Cyber PS Kochi", "Ernakulam", []).id
        two = open_case(s, "CR 8/2026", "Cyber PS Kochi", "Ernakulam", []).id
        import_leads(s, LEADS / "ncrb_tips.xlsx", "NCRB", mapping=mapping("ncrb"), case_id=one)
        import_leads(
            s, LEADS / "interpol_referrals.csv", "Interpol", mapping=mapping("interpol"),
            case_id=two,
        )  # fmt: skip
    with database.session() as s:
        lead = s.scalars(select(Lead).where(Lead.report_id == "9100002")).one()
        everyone = [(k.report_id, k.reason) for k in lead_detail(s, lead.id, None).links]
        assert everyone == [("IP-7781", "email"), ("9100004", "phone")]
        for scope in (frozenset({one}), frozenset({one, 999})):
            mine = lead_detail(s, lead.id, scope).links
            assert [(k.report_id, k.source, k.reason) for k in mine] == [
                ("9100004", "NCRB", "phone")
            ]
        assert [k.report_id for k in lead_detail(s, lead.id, frozenset({one, two})).links] == [
            "IP-7781",
            "9100004",
        ]
