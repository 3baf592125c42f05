"""The network as a viewer sees it: only their cases' evidence, on both databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from phunt.analysis.browse import cached, scope_devices, scoped
from phunt.analysis.graph import build_graph
from phunt.analysis.people import build_network
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.hashsets import store as hashset_store
from phunt.schema.cases import Device
from phunt.schema.chats import ChatParticipant
from phunt.schema.db import Database
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
GROUP = "whatsapp:1203630000000000@g.us"


@pytest.fixture
def cases(database: Database, tmp_path: Path) -> tuple[int, int]:
    """The same group on phone A (case A) and phone B (case B); phone B sent a listed file."""
    known = tmp_path / "known.txt"
    known.write_text(hashlib.sha256(PICTURE.read_bytes()).hexdigest() + "\n")
    with database.session() as s:
        a = open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"]).id
        b = open_case(s, "CR 9/2026", "Town PS Thrissur", "Thrissur", ["IT Act s.67B"]).id
        add_device(s, "PH-A", "mobile phone", case_id=a)
        add_device(s, "PH-B", "mobile phone", case_id=b)
        add_device(s, "PH-LOOSE", "memory card")
        hashset_store.import_hash_list(s, str(known), name="unit-list")
    with database.session() as s:
        chat_store.import_export(
            s, DEVICES / "phone_a/msgstore.db", "PH-A", owner_phone="+919800000001"
        )
        chat_store.import_export(
            s, DEVICES / "phone_b/msgstore.db", "PH-B", owner_phone="+919800000002"
        )
    return a, b


def test_scope_none_is_the_whole_database(database: Database, cases: tuple[int, int]) -> None:
    with database.session() as s:
        whole = build_network(s).people_json()
        with scoped(s, None):
            assert build_network(s).people_json() == whole
        assert len(scope_devices(s, None)) == 3


def test_a_scoped_network_holds_only_the_cases_devices(
    database: Database, cases: tuple[int, int]
) -> None:
    a, _b = cases
    with database.session() as s:
        assert len(scope_devices(s, frozenset({a}))) == 1
        with scoped(s, frozenset({a})):
            network = build_network(s)
            graph = build_graph(network, all_media=True)
        [group] = network.groups_json()
        assert (group["group"], group["devices"], group["cases"]) == (
            GROUP,
            ["PH-A"],
            ["CR 1/2026 (Cyber PS Kochi)"],
        )
        assert group["links"] == []  # the merge with phone B's copy is case B's evidence
        people = {p["person"]: p for p in network.people_json()}
        assert set(people) == {
            "phone:+919800000001",
            "phone:+919800000002",
            "phone:+919800000003",
        }
        for person in people.values():
            assert person["devices"] == ["PH-A"]
            assert person["links"] == []
        # In case A, member 2 sent the file; case B's copy of the sending is not counted.
        assert people["phone:+919800000002"]["known_bad_sent"] == 1
        devices = {d for _n, data in graph.nodes(data=True) for d in [data.get("devices")] if d}
        assert devices == {"PH-A"}
        # The session is whole again once the scope closes.
        assert s.scalar(select(func.count()).select_from(ChatParticipant)) == 9
        assert len(build_network(s).groups_json()[0]["devices"]) == 2


def test_an_empty_scope_sees_nobody(database: Database, cases: tuple[int, int]) -> None:
    with database.session() as s, scoped(s, frozenset()):
        network = build_network(s)
    assert (network.people, network.groups, network.media) == ([], {}, {})


def test_the_other_case_sees_its_own_copy(database: Database, cases: tuple[int, int]) -> None:
    _a, b = cases
    with database.session() as s, scoped(s, frozenset({b})):
        network = build_network(s)
    [group] = network.groups_json()
    assert group["devices"] == ["PH-B"]
    assert "phone:+919800000004" in group["members"]
    assert all(p["devices"] == ["PH-B"] for p in network.people_json())


def test_a_cached_network_is_rebuilt_after_an_import_or_a_move(
    database: Database, cases: tuple[int, int]
) -> None:
    a, b = cases
    with database.session() as s:
        first = cached(s, frozenset({a}), build_network)
        assert cached(s, frozenset({a}), build_network) is first
        assert cached(s, frozenset({b}), build_network) is not first
        assert len(cached(s, None, build_network).groups_json()[0]["devices"]) == 2
    with database.session() as s:
        chat_store.import_export(
            s, TEST_DATA / "chats/whatsapp/WhatsApp Chat - Market Traders.zip", "PH-A"
        )
    with database.session() as s:
        again = cached(s, frozenset({a}), build_network)
        assert again is not first
        assert len(again.groups) == 2
    with database.session() as s:
        s.execute(update(Device).where(Device.evidence_number == "PH-B").values(case_id=a))
    with database.session() as s:
        moved = cached(s, frozenset({a}), build_network)
        assert moved is not again
        assert moved.groups_json()[0]["devices"] == ["PH-A", "PH-B"]
