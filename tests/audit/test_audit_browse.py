"""The audit log's read model on both databases: pages, filters, facets, chain status."""

from __future__ import annotations

from sqlalchemy import update

from phunt.audit import store
from phunt.audit.browse import AuditFilter, audit_page, chain_status, facets
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database


def _log(database: Database) -> None:
    with database.session() as s:
        store.append(s, "case.create", "case", 1, {"fir": "12/2026"}, actor="asha")
        store.append(s, "hashset.import", "hash_set", 1, {"version": 1}, actor="ravi")
        store.append(s, "hashset.disable", "hash_set", 1, {"entry": 4}, actor="asha")
        store.append(s, "hashsetx.other", "hash_set", 2, {}, actor="ravi")
        store.append(s, "case.assign", "case", 2, {"user": "meera"}, actor="asha")


def test_pages_are_newest_first_and_count_what_they_filter(database: Database) -> None:
    _log(database)
    with database.session() as s:
        total, first = audit_page(s, AuditFilter(), 0, 2)
        _, second = audit_page(s, AuditFilter(), 2, 2)
        _, oldest = audit_page(s, AuditFilter(), 0, 1, newest_first=False)
        by_asha = audit_page(s, AuditFilter(actor="asha"), 0, 10)
        hashset = audit_page(s, AuditFilter(action="hashset"), 0, 10)
        exact = audit_page(s, AuditFilter(action="hashset.disable"), 0, 10)
        one_object = audit_page(s, AuditFilter(object_type="hash_set", object_id="1"), 0, 10)
        nobody = audit_page(s, AuditFilter(actor="nobody"), 0, 10)
    assert total == 5
    assert [r.seq for r in first] == [5, 4] and [r.seq for r in second] == [3, 2]
    assert oldest[0].action == "case.create" and oldest[0].details == {"fir": "12/2026"}
    assert (by_asha[0], [r.seq for r in by_asha[1]]) == (3, [5, 3, 1])
    # "hashset" takes the actions under it, not "hashsetx.other"
    assert [r.action for r in hashset[1]] == ["hashset.disable", "hashset.import"]
    assert [r.seq for r in exact[1]] == [3]
    assert [r.seq for r in one_object[1]] == [3, 2]
    assert nobody == (0, [])


def test_a_page_shows_each_record_as_its_hash_covers_it(database: Database) -> None:
    _log(database)
    with database.session() as s:
        _, rows = audit_page(s, AuditFilter(), 0, 5, newest_first=False)
        stored = list(store.list_records(s))
    assert [(r.seq, r.hash, r.prev_hash, r.at) for r in rows] == [
        (r.seq, r.hash, r.prev_hash, r.at) for r in stored
    ]
    assert rows[1].prev_hash == rows[0].hash


def test_facets_list_the_distinct_choices(database: Database) -> None:
    _log(database)
    with database.session() as s:
        found = facets(s)
    assert found.actors == ["asha", "ravi"]
    assert found.actions == [
        "case.assign",
        "case.create",
        "hashset.disable",
        "hashset.import",
        "hashsetx.other",
    ]
    assert found.object_types == ["case", "hash_set"]


def test_the_chain_status_names_the_altered_record(database: Database) -> None:
    _log(database)
    with database.session() as s:
        assert chain_status(s).ok and chain_status(s).records == 5
        s.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(actor="mallory"))
    with database.session() as s:
        verdict = chain_status(s)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 3, "altered")
