"""Merging people and groups across devices, with evidence, and ranking, on both databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.analysis.people import WEIGHTS, build_network, rank_people
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.hashsets import store as hashset_store
from phunt.schema.chats import ChatImport, ChatParticipant, ChatRecord
from phunt.schema.db import Database
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
GROUP = "whatsapp:1203630000000000@g.us"


def _two_phones(database: Database, tmp_path: Path) -> None:
    known = tmp_path / "known.txt"
    known.write_text(hashlib.sha256(PICTURE.read_bytes()).hexdigest() + "\n")
    with database.session() as s:
        first = open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        second = open_case(s, "CR 9/2026", "Town PS Thrissur", "Thrissur", ["IT Act s.67B"])
        add_device(s, "PH-A", "mobile phone", case_id=first.id)
        add_device(s, "PH-B", "mobile phone", case_id=second.id)
        hashset_store.import_hash_list(s, str(known), name="unit-list")
    with database.session() as s:
        chat_store.import_export(
            s, DEVICES / "phone_a/msgstore.db", "PH-A", owner_phone="+919800000001"
        )
        chat_store.import_export(
            s, DEVICES / "phone_b/msgstore.db", "PH-B", owner_phone="+919800000002"
        )


def test_same_group_on_two_phones_merges_with_both_members_and_devices(
    database: Database, tmp_path: Path
) -> None:
    _two_phones(database, tmp_path)
    with database.session() as s:
        network = build_network(s)
    [group] = network.groups_json()  # the private chat on phone B is not a group
    assert group["group"] == GROUP
    assert group["devices"] == ["PH-A", "PH-B"]
    assert group["cases"] == ["CR 1/2026 (Cyber PS Kochi)", "CR 9/2026 (Town PS Thrissur)"]
    assert group["known_bad"] is True
    assert group["members"] == {
        "phone:+919800000001": ["admin", "creator", "member"],
        "phone:+919800000002": ["admin", "member"],
        "phone:+919800000003": ["member"],
        "phone:+919800000004": ["member"],
    }
    [link] = group["links"]
    assert (link["by"], link["value"], link["devices"]) == (
        "platform id",
        "1203630000000000@g.us",
        ["PH-A", "PH-B"],
    )
    assert len(link["chats"]) == 2
    people = {p["person"]: p for p in network.people_json()}
    owner_a = people["phone:+919800000001"]
    assert (owner_a["owner_of"], owner_a["devices"]) == (["PH-A"], ["PH-A", "PH-B"])
    assert len(owner_a["cases"]) == 2
    [evidence] = owner_a["links"]
    assert (evidence["by"], evidence["devices"], len(evidence["participants"])) == (
        "phone",
        ["PH-A", "PH-B"],
        3,  # owner on phone A; group member and private-chat partner on phone B
    )
    assert "device owner" not in owner_a["names"]


def test_people_are_ranked_by_files_sent_admin_roles_and_groups_in_common(
    database: Database, tmp_path: Path
) -> None:
    _two_phones(database, tmp_path)
    with database.session() as s:
        ranked = rank_people(s)
    assert [p["person"] for p in ranked] == [
        "phone:+919800000002",
        "phone:+919800000001",
        "phone:+919800000003",
        "phone:+919800000004",
    ]
    sender = ranked[0]
    # The same picture is on both phones (file hash on A, app-recorded hash on B): one file.
    assert (sender["known_bad_sent"], sender["admin_of"], sender["bad_group_admin"]) == (
        1,
        [GROUP],
        1,
    )
    assert sender["score"] == (
        WEIGHTS["known_bad_sent"] + WEIGHTS["bad_group_admin"] + WEIGHTS["groups_in_common"]
    )
    assert (ranked[1]["known_bad_sent"], ranked[1]["bad_group_admin"]) == (0, 1)
    assert ranked[3]["score"] == WEIGHTS["groups_in_common"]


def _participant(s: Session, chat: ChatRecord, key: str, **fields: object) -> None:
    row = ChatParticipant(chat_id=chat.id, device_id=chat.device_id, key=key, **fields)
    row.names = row.names or []
    s.add(row)


def test_links_chain_across_platforms_and_names_never_merge(database: Database) -> None:
    with database.session() as s:
        device = add_device(s, "PH-C", "mobile phone")
        imp = ChatImport(
            device_id=device.id, source_path="x", platform="telegram", format="t", imported_by="t"
        )
        s.add(imp)
        s.flush()
        chats = []
        for platform, pid in (("telegram", "channel1"), ("whatsapp", "1@g.us"), ("telegram", "c2")):
            chat = ChatRecord(
                import_id=imp.id,
                device_id=device.id,
                platform=platform,
                platform_id=pid,
                title=None,
                kind="group",
            )
            s.add(chat)
            chats.append(chat)
        s.flush()
        # phone links the Telegram account to WhatsApp; the Telegram id links it to chat 3
        _participant(s, chats[0], "user7", phone="+919800000007", platform_user_id="user7")
        _participant(s, chats[1], "+919800000007", phone="+919800000007")
        _participant(s, chats[2], "user7", platform_user_id="user7", username="Reader7")
        _participant(s, chats[0], "name:Same Name", names=["Same Name"])
        _participant(s, chats[1], "+919800000008", phone="+919800000008", names=["Same Name"])
    with database.session() as s:
        people = build_network(s).people_json()
    merged = next(p for p in people if p["person"] == "phone:+919800000007")
    assert len(merged["groups"]) == 3
    assert merged["usernames"] == ["Reader7"]
    assert [(link["by"], link["value"]) for link in merged["links"]] == [
        ("phone", "+919800000007"),
        ("telegram id", "user7"),
    ]
    same_name = [p for p in people if "Same Name" in p["names"]]
    assert len(same_name) == 2


def test_groups_known_only_by_title_are_never_merged(database: Database) -> None:
    whatsapp = TEST_DATA / "chats" / "whatsapp"
    with database.session() as s:
        add_device(s, "PH-C", "mobile phone")
        add_device(s, "PH-D", "mobile phone")
        chat_store.import_export(s, whatsapp / "WhatsApp Chat with Ward 7 Residents.zip", "PH-C")
        chat_store.import_export(
            s, whatsapp / "android_group" / "WhatsApp Chat with Ward 7 Residents.txt", "PH-D"
        )
    with database.session() as s:
        groups = build_network(s).groups_json()
    [(id_c, on_c), (id_d, on_d)] = [(g["platform_id"], g["devices"]) for g in groups]
    assert id_c == id_d and id_c.startswith("title:")  # same title: would merge if it counted
    assert (on_c, on_d) == (["PH-C"], ["PH-D"])
    assert all(g["links"] == [] for g in groups)


def test_the_owner_of_one_chat_database_is_one_person_without_a_number(
    database: Database,
) -> None:
    """With no owner number given, each chat of phone B had its own owner row, and the
    owner stood as two people; the rows of one import are one account, said by a link."""
    with database.session() as s:
        add_device(s, "PH-A", "mobile phone")
        add_device(s, "PH-B", "mobile phone")
    with database.session() as s:
        chat_store.import_export(s, DEVICES / "phone_a/msgstore.db", "PH-A")
        second = chat_store.import_export(s, DEVICES / "phone_b/msgstore.db", "PH-B")
    with database.session() as s:
        owners = [p for p in build_network(s).people_json() if p["owner_of"]]
        rows = s.scalars(
            select(ChatParticipant.chat_id).where(
                ChatParticipant.is_owner.is_(True), ChatParticipant.device_id == 2
            )
        ).all()
    assert len(rows) == 2  # the group's and the private chat's
    assert [(p["owner_of"], p["devices"]) for p in owners] == [
        (["PH-A"], ["PH-A"]),
        (["PH-B"], ["PH-B"]),
    ]
    [link] = owners[1]["links"]
    assert (link["by"], link["value"], link["devices"]) == (
        "owner",
        f"chat import {second.import_id}",
        ["PH-B"],
    )
    assert len(link["participants"]) == 2
