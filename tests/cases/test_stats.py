from __future__ import annotations

from datetime import UTC, datetime

from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid, create_operation
from phunt.cases.stats import operation_stats, totals
from phunt.schema.db import Database

T = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def test_figures_by_district_and_operation(database: Database) -> None:
    with database.session() as s:
        create_operation(s, "P-Hunt")
        create_operation(s, "Other")
        r1 = add_raid(s, "P-Hunt", "Ernakulam", "a", T, "x")
        add_raid(s, "P-Hunt", "Ernakulam", "b", T, "x")
        r3 = add_raid(s, "P-Hunt", "Kollam", "c", T, "x")
        add_raid(s, "Other", "Kollam", "d", T, "x")
        c1 = open_case(s, "1", "PS", "Ernakulam", [], operation="P-Hunt", raid_id=r1.id)
        c2 = open_case(s, "2", "PS", "Kollam", [], operation="P-Hunt", raid_id=r3.id)
        arrest_suspect(s, add_suspect(s, c1.id, "A").id, T)
        add_suspect(s, c1.id, "B")  # named, not arrested
        arrest_suspect(s, add_suspect(s, c2.id, "C").id, T)
        add_device(s, "E1", "mobile phone", case_id=c1.id)
        add_device(s, "E2", "hard disk", case_id=c1.id)
        add_device(s, "E3", "modem", raid_id=r3.id)  # no case yet: counted by its raid
    with database.session() as s:
        rows = {r.district: r for r in operation_stats(s, "P-Hunt")}
        assert len(rows) == 14
        assert (rows["Ernakulam"].raids, rows["Ernakulam"].cases) == (2, 1)
        assert (rows["Ernakulam"].arrests, rows["Ernakulam"].devices) == (1, 2)
        assert (rows["Kollam"].raids, rows["Kollam"].arrests, rows["Kollam"].devices) == (1, 1, 1)
        assert rows["Wayanad"].raids == 0
        total = totals(list(rows.values()))
        assert (total.raids, total.cases, total.arrests, total.devices) == (3, 2, 2, 3)
        everything = totals(operation_stats(s))
        assert everything.raids == 4
