from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from phunt.cases import operations as ops
from phunt.errors import NotFoundError, UsageError
from phunt.schema.db import Database

IST = ZoneInfo("Asia/Kolkata")


def test_operation_create_get_list(database: Database) -> None:
    with database.session() as s:
        op = ops.create_operation(s, "P-Hunt", "statewide sweep")
    with database.session() as s:
        assert ops.get_operation(s, "P-Hunt").id == op.id
        assert ops.get_operation(s, op.id).name == "P-Hunt"
        assert [o.name for o in ops.list_operations(s)] == ["P-Hunt"]
        with pytest.raises(UsageError, match="already exists"):
            ops.create_operation(s, "P-Hunt")
        with pytest.raises(NotFoundError):
            ops.get_operation(s, "Nope")
        with pytest.raises(UsageError):
            ops.create_operation(s, "  ")


def test_district_lookup_ignores_case_and_can_add(database: Database) -> None:
    with database.session() as s:
        assert ops.get_district(s, "ernakulam").name == "Ernakulam"
        with pytest.raises(NotFoundError, match="no district 'Bengaluru Urban'"):
            ops.get_district(s, "Bengaluru Urban")
        added = ops.add_district(s, "Bengaluru Urban", "Karnataka")
        assert ops.get_district(s, added.id).state == "Karnataka"
        with pytest.raises(UsageError, match="already exists"):
            ops.add_district(s, "Bengaluru Urban")


def test_raid_keeps_utc_and_round_trips_time(database: Database) -> None:
    local = datetime(2026, 11, 28, 6, 30, tzinfo=IST)
    with database.session() as s:
        ops.create_operation(s, "P-Hunt")
        raid = ops.add_raid(s, "P-Hunt", "Kollam", "Chinnakada market", local, "SI Devika")
        raid_id = raid.id
    with database.session() as s:
        stored = ops.get_raid(s, raid_id)
        assert stored.raided_at == local
        assert stored.raided_at.tzinfo == UTC
        assert stored.district.name == "Kollam"
        assert [r.id for r in ops.list_raids(s, "P-Hunt")] == [raid_id]
        with pytest.raises(UsageError, match="location"):
            ops.add_raid(s, "P-Hunt", "Kollam", " ", local, "SI Devika")
        with pytest.raises(NotFoundError):
            ops.get_raid(s, 999)
