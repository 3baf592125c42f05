"""The network written as GraphML and GEXF, read back with networkx, on both databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import select

from phunt.analysis.graph import build_graph, export_graph
from phunt.analysis.people import build_network
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.errors import UsageError
from phunt.hashsets import store as hashset_store
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
SHA = hashlib.sha256(PICTURE.read_bytes()).hexdigest()
GROUP = "group:whatsapp:1203630000000000@g.us"


def _import(database: Database, tmp_path: Path, *, listed: bool) -> None:
    with database.session() as s:
        add_device(s, "PH-A", "mobile phone")
        add_device(s, "PH-B", "mobile phone")
        if listed:
            known = tmp_path / "known.txt"
            known.write_text(SHA + "\n")
            hashset_store.import_hash_list(s, str(known), name="unit-list")
    with database.session() as s:
        for phone, owner in (("a", "+919800000001"), ("b", "+919800000002")):
            path = DEVICES / f"phone_{phone}" / "msgstore.db"
            chat_store.import_export(s, path, f"PH-{phone.upper()}", owner_phone=owner)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_writes_people_groups_media_and_edges(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    _import(database, tmp_path, listed=True)
    out = tmp_path / f"net.{fmt}"
    with database.session() as s:
        summary = export_graph(s, out, fmt)
    assert (summary["people"], summary["groups"], summary["media"]) == (4, 1, 1)
    assert summary["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    sender, media = "person:phone:+919800000002", f"media:{SHA}"
    relations = {(u, v, d["relation"]) for u, v, d in graph.edges(data=True)}
    assert {
        (sender, GROUP, "member"),
        (sender, GROUP, "admin"),
        (sender, media, "sent"),
        (media, GROUP, "shared_in"),
        ("person:phone:+919800000001", GROUP, "admin"),
    } <= relations
    assert ("person:phone:+919800000003", GROUP, "admin") not in relations
    assert graph.nodes[media]["known_bad"] == 1
    assert graph.nodes[GROUP]["devices"] == "PH-A; PH-B"
    with database.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "graph.export")).one()
        assert record.details["sha256"] == summary["sha256"]


def test_only_known_bad_media_unless_all_are_asked_for(database: Database, tmp_path: Path) -> None:
    _import(database, tmp_path, listed=False)
    with database.session() as s:
        network = build_network(s)
    focused = build_graph(network)
    everything = build_graph(network, all_media=True)
    assert not [n for n, d in focused.nodes(data=True) if d["kind"] == "media"]
    assert everything.nodes[f"media:{SHA}"]["known_bad"] == 0
    with database.session() as s, pytest.raises(UsageError, match="unknown graph format"):
        export_graph(s, tmp_path / "x.dot", "dot")
