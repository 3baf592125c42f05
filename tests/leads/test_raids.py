"""Raids planned on targets, and their outcome counted like any raid, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.cases.browse import dashboard
from phunt.cases.case_files import list_suspects, open_case
from phunt.cases.operations import create_operation
from phunt.errors import NotFoundError, UsageError
from phunt.leads.raids import SeizedDevice, get_plan, list_plans, plan_raid, record_outcome
from phunt.leads.store import list_leads
from phunt.leads.targets import resolve_lead
from phunt.reports.operation_facts import device_districts
from phunt.schema.cases import Device, Raid
from phunt.schema.db import Database
from phunt.schema.leads import Lead, Target

from .leads_world import import_both

AT = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def _target(s: Session) -> int:
    """Both sources imported, 9100001 and 9100003 resolved to one target in Ernakulam."""
    create_operation(s, "P-Hunt")
    import_both(s)
    ids = {lead.report_id: lead.id for lead in s.scalars(select(Lead))}
    target = resolve_lead(
        s, ids["9100001"], None, name="Ravi Example", district="Ernakulam", address="Kakkanad"
    ).id
    resolve_lead(s, ids["9100003"], None, target_id=target)
    return target


def test_a_plan_defaults_to_the_targets_district_and_address(database: Database) -> None:
    with database.session() as s:
        target = _target(s)
        plan = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT)
        assert (plan.district.name, plan.location, plan.raid_id) == ("Ernakulam", "Kakkanad", None)
        other = plan_raid(
            s,
            "P-Hunt",
            target,
            team_lead="SI Devika",
            planned_for=AT,
            district="Thrissur",
            location="Round North",
        )
        assert (other.district.name, other.location) == ("Thrissur", "Round North")
        assert s.scalar(select(Raid.id)) is None  # a plan is no raid


@pytest.mark.parametrize(
    ("given", "error", "words"),
    [
        ({"team_lead": " "}, UsageError, "needs a team lead"),
        ({"operation": "Nothing"}, NotFoundError, "no operation 'Nothing'"),
        ({"target_id": 99}, NotFoundError, "no target 99"),
    ],
)
def test_a_plan_needs_an_operation_a_target_and_a_team_lead(
    database: Database, given: dict[str, object], error: type[Exception], words: str
) -> None:
    with database.session() as s:
        target = _target(s)
        args: dict[str, object] = {"operation": "P-Hunt", "target_id": target}
        args |= {"team_lead": "SI Devika", "planned_for": AT} | given
        with pytest.raises(error, match=words):
            plan_raid(s, **args)  # type: ignore[arg-type]


def test_the_outcome_feeds_the_case_model_and_the_dashboard(database: Database) -> None:
    with database.session() as s:
        target = _target(s)
        plan = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT).id
    with database.session() as s:
        done = record_outcome(
            s,
            plan,
            raided_at=AT,
            case_number="CR 12/2026",
            station="Cyber PS Kochi",
            statutes=["IT Act s.67B"],
            target_arrested=True,
            others_arrested=["Binu Example"],
            devices=[SeizedDevice("PH-12", "mobile phone"), SeizedDevice("MC-12", "memory card")],
            note="two devices",
        )
        assert done.raid is not None and done.case is not None
        assert (done.raid.location, done.raid.team_lead) == ("Kakkanad", "SI Devika")
        assert (done.case.number, done.case.raid_id) == ("CR 12/2026", done.raid_id)
        suspects = list_suspects(s, done.case.id)
        assert [(x.name, x.arrested_at) for x in suspects] == [
            ("Ravi Example", AT),
            ("Binu Example", AT),
        ]
        assert suspects[0].handles == ["@Tea_Time_42", "tea_time_42"]
        devices = list(s.scalars(select(Device).order_by(Device.id)))
        assert [(d.evidence_number, d.raid_id, d.case_id, d.suspect_id) for d in devices] == [
            ("PH-12", done.raid_id, done.case_id, suspects[0].id),
            ("MC-12", done.raid_id, done.case_id, suspects[0].id),
        ]
        case_id = done.case_id
        operation = done.operation_id
    with database.session() as s:
        figures = {r.district: r for r in dashboard(s, "P-Hunt").rows}["Ernakulam"]
        assert (figures.raids, figures.cases, figures.arrests, figures.devices) == (1, 1, 2, 2)
        assert set(device_districts(s, operation).values()) == {"Ernakulam"}
        target_row = s.get(Target, target)
        assert target_row is not None and target_row.case_id == case_id
        assert len(list_leads(s, frozenset({case_id}))) == 2  # the case's assignees see them
        assert audit.verify(s).ok


def test_an_outcome_with_an_existing_case_or_none(database: Database) -> None:
    with database.session() as s:
        target = _target(s)
        case = open_case(s, "CR 13/2026", "Cyber PS Kochi", "Ernakulam", []).id
        first = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT).id
        second = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT).id
        done = record_outcome(s, first, raided_at=AT, case_id=case)
        assert done.case_id == case
        empty = record_outcome(s, second, raided_at=AT, devices=[SeizedDevice("M-1", "modem")])
        assert (empty.case_id, empty.raid_id is not None) == (None, True)
        device = s.scalar(select(Device).where(Device.evidence_number == "M-1"))
        assert device is not None and (device.case_id, device.suspect_id) == (None, None)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"target_arrested": True}, "an arrest needs a case"),
        ({"others_arrested": ["Binu"]}, "an arrest needs a case"),
        ({"case_id": 1, "case_number": "CR 1", "station": "PS"}, "not both"),
        ({"devices": [SeizedDevice("X", "toaster")]}, "unknown device kind 'toaster'"),
    ],
)
def test_a_wrong_outcome_writes_nothing(
    database: Database, given: dict[str, object], words: str
) -> None:
    with database.session() as s:
        plan = plan_raid(s, "P-Hunt", _target(s), team_lead="SI Devika", planned_for=AT).id
    with pytest.raises(UsageError, match=words), database.session() as s:
        record_outcome(s, plan, raided_at=AT, **given)  # type: ignore[arg-type]
    with database.session() as s:
        assert get_plan(s, plan).raid_id is None
        assert s.scalar(select(Raid.id)) is None


def test_an_outcome_is_recorded_once(database: Database) -> None:
    with database.session() as s:
        plan = plan_raid(s, "P-Hunt", _target(s), team_lead="SI Devika", planned_for=AT).id
        record_outcome(s, plan, raided_at=AT)
        with pytest.raises(UsageError, match="recorded already"):
            record_outcome(s, plan, raided_at=AT)
        with pytest.raises(NotFoundError, match="no raid plan 99"):
            record_outcome(s, 99, raided_at=AT)


def test_plans_are_listed_in_the_scope_of_their_targets(database: Database) -> None:
    with database.session() as s:
        case = open_case(s, "CR 14/2026", "Cyber PS Kochi", "Ernakulam", []).id
        target = _target(s)
        plan = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT).id
        assert [p.id for p in list_plans(s, None, operation="P-Hunt")] == [plan]
        assert list_plans(s, frozenset({case})) == []
        record_outcome(s, plan, raided_at=AT, case_id=case)
        assert [p.id for p in list_plans(s, frozenset({case}))] == [plan]
