from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from phunt.cases import devices as dv
from phunt.cases.case_files import open_case
from phunt.errors import NotFoundError, UsageError
from phunt.schema.db import Database

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def test_device_validation(database: Database) -> None:
    with database.session() as s:
        case = open_case(s, "CR 7", "Cyber PS", "Idukki", [])
        dev = dv.add_device(s, "EV-7/1", "memory card", make="Acme", case_id=case.id)
        assert dv.get_device(s, "EV-7/1").id == dev.id
        assert dv.get_device(s, dev.id).kind == "memory card"
        with pytest.raises(UsageError, match="already registered"):
            dv.add_device(s, "EV-7/1", "laptop")
        with pytest.raises(UsageError, match="unknown device kind"):
            dv.add_device(s, "EV-7/2", "toaster")
        with pytest.raises(UsageError, match="IMEI"):
            dv.add_device(s, "EV-7/3", "mobile phone", imei="12ab")
        with pytest.raises(NotFoundError):
            dv.add_device(s, "EV-7/4", "laptop", raid_id=42)
        assert [d.evidence_number for d in dv.list_devices(s, case.id)] == ["EV-7/1"]


def test_custody_chain_in_time_order(database: Database) -> None:
    with database.session() as s:
        dv.add_device(s, "EV-1", "mobile phone")
        dv.log_custody(s, "EV-1", "received", "Lab clerk", T0 + timedelta(hours=5))
        dv.log_custody(s, "EV-1", "seized", "SI Devika", T0, "from bedroom")
        with pytest.raises(UsageError, match="unknown custody action"):
            dv.log_custody(s, "EV-1", "lost", "x", T0)
        with pytest.raises(UsageError, match="who handled"):
            dv.log_custody(s, "EV-1", "examined", " ", T0)
    with database.session() as s:
        history = dv.custody_history(s, "EV-1")
        assert [(e.action, e.actor, e.at) for e in history] == [
            ("seized", "SI Devika", T0),
            ("received", "Lab clerk", T0 + timedelta(hours=5)),
        ]
        with pytest.raises(NotFoundError):
            dv.custody_history(s, "EV-404")
