"""The TL decoder and encoder: exact bytes, round trips, and only phunt's errors on bad input."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phunt.chats import tl
from phunt.chats.tl_schema import LAYERS
from phunt.errors import CorruptInput

PEER = {"_": "peerUser", "user_id": 700002}


def test_scalars_follow_the_published_serialisation() -> None:
    assert tl.encode(PEER) == struct.pack("<Iq", 0x59511722, 700002)
    assert tl.encode_bytes(b"abc") == b"\x03abc"
    assert tl.encode_bytes(b"abcd") == b"\x04abcd\x00\x00\x00"
    long_value = b"x" * 300
    assert tl.encode_bytes(long_value)[:4] == b"\xfe\x2c\x01\x00"
    assert len(tl.encode_bytes(long_value)) % 4 == 0
    vector = tl.encode_value("Vector<long>", [1, 2])
    assert vector == struct.pack("<Iiqq", tl.VECTOR_ID, 2, 1, 2)


def test_flags_are_computed_from_the_optional_fields_present() -> None:
    user = {"_": "user", "self": True, "id": 7, "first_name": "Asha", "phone": "919800000002"}
    data = tl.encode(user)
    flags = struct.unpack_from("<I", data, 4)[0]
    assert flags == (1 << 10) | (1 << 1) | (1 << 4)
    decoded, end = tl.decode(data, "User")
    assert end == len(data)
    assert (decoded["self"], decoded["first_name"], decoded["phone"]) == (
        True,
        "Asha",
        "919800000002",
    )
    assert "last_name" not in decoded and "contact" not in decoded


def test_message_with_media_and_headers_round_trips() -> None:
    message = {
        "_": "message",
        "out": True,
        "id": 9,
        "from_id": PEER,
        "peer_id": {"_": "peerChannel", "channel_id": 4_100_000_001},
        "fwd_from": {"_": "messageFwdHeader", "from_name": "Market news", "date": 5},
        "reply_to": {"_": "messageReplyHeader", "reply_to_msg_id": 2},
        "date": 1_767_587_400,
        "message": "rice and tea — ചായ",
        "media": {
            "_": "messageMediaDocument",
            "document": {
                "_": "document",
                "id": 5_000_000_001,
                "access_hash": -3,
                "file_reference": b"\x00\x01",
                "date": 0,
                "mime_type": "image/jpeg",
                "size": 1234,
                "dc_id": 2,
                "attributes": [{"_": "documentAttributeFilename", "file_name": "a.jpg"}],
            },
        },
    }
    decoded, end = tl.decode(tl.encode(message) + b"tail", "Message")
    assert end == len(tl.encode(message))
    for key in ("id", "from_id", "peer_id", "date", "message", "out"):
        assert decoded[key] == message[key]
    assert decoded["media"]["document"]["attributes"][0]["file_name"] == "a.jpg"
    assert decoded["reply_to"]["reply_to_msg_id"] == 2
    assert tl.encode(decoded) == tl.encode(message)


def test_every_schema_line_is_in_the_table_and_ids_are_unique_per_layer() -> None:
    for layer, text in LAYERS.items():
        parsed = tl.parse_schema(text, layer)
        assert len({c.id for c in parsed}) == len(parsed)
        for cons in parsed:
            assert tl.CONSTRUCTORS[cons.id].name == cons.name
    assert tl.CONSTRUCTORS[0x94345242].name == "message"
    assert tl.CONSTRUCTORS[0x94345242].layer == 189


def test_bad_schema_lines_are_refused() -> None:
    with pytest.raises(ValueError, match="not a TL constructor line"):
        tl.parse_schema("peerUser user_id:long = Peer;", 1)


@pytest.mark.parametrize(
    ("data", "expected", "message"),
    [
        (struct.pack("<I", 0xDEADBEEF), None, "unknown constructor 0xdeadbeef"),
        (tl.encode(PEER)[:7], "Peer", "truncated"),
        (tl.encode(PEER), "User", "peerUser at offset 0 where a User belongs"),
        (
            struct.pack("<I", 0xBD47CBAD) + b"\x00" * 4 + struct.pack("<Ii", tl.VECTOR_ID, 10**6),
            "MessageAction",
            "overruns the data",
        ),
        (struct.pack("<I", 0xB5A1CE5A) + b"\xff", "MessageAction", "bad length prefix 255"),
    ],
)
def test_bad_data_raises_a_tl_error_that_says_why(
    data: bytes, expected: str | None, message: str
) -> None:
    with pytest.raises(tl.TLError, match=message) as raised:
        tl.decode(data, expected)
    assert isinstance(raised.value, CorruptInput)


def test_nesting_beyond_the_limit_is_refused() -> None:
    # The schema phunt carries has no recursive type, so the guard is met from a deep start.
    data = tl.encode(PEER)
    assert tl.Decoder(data).object("Peer", depth=24)["user_id"] == 700002
    with pytest.raises(tl.TLError, match="nested deeper"):
        tl.Decoder(data).object("Peer", depth=25)


def test_the_encoder_refuses_what_the_schema_does_not_allow() -> None:
    with pytest.raises(ValueError, match="unknown constructor"):
        tl.encode({"_": "noSuchThing"})
    with pytest.raises(ValueError, match="needs user_id"):
        tl.encode({"_": "peerUser"})
    with pytest.raises(ValueError, match="is not a Peer"):
        tl.encode_value("Peer", {"_": "userEmpty", "id": 1})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=256), st.sampled_from([None, "Message", "User", "Chat", "ChatFull"]))
def test_random_bytes_give_an_object_or_a_tl_error_never_anything_else(
    data: bytes, expected: str | None
) -> None:
    try:
        obj, end = tl.decode(data, expected)
    except tl.TLError:
        return
    assert 4 <= end <= len(data)
    assert obj["_"] in tl.BY_NAME


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.integers(min_value=0, max_value=2**63 - 1))
def test_truncating_a_valid_message_anywhere_gives_a_tl_error(text: bytes, stamp: int) -> None:
    message = {
        "_": "message",
        "id": 1,
        "peer_id": PEER,
        "date": stamp % 2**31,
        "message": text.decode("latin-1"),
    }
    data = tl.encode(message)
    for cut in range(len(data)):
        with pytest.raises(tl.TLError):
            tl.decode(data[:cut], "Message")


def test_a_flags_field_after_data_is_decoded_field_by_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No constructor phunt carries has one (wallPaperNoFile does, in the full schema), so
    # a line of that shape is added for the test only.
    [late] = tl.parse_schema("lateFlags#0badc0de id:long flags:# title:flags.0?string = Peer;", 0)
    assert late.head is None
    monkeypatch.setitem(tl.CONSTRUCTORS, late.id, late)
    monkeypatch.setitem(tl.BY_NAME, late.name, late)
    for title in ("ward notice", None):
        data = tl.encode({"_": "lateFlags", "id": 5, "title": title})
        decoded, end = tl.decode(data, "Peer")
        assert end == len(data) and decoded.get("title") == title and decoded["id"] == 5


def test_flags_must_be_declared_before_they_are_used() -> None:
    with pytest.raises(ValueError, match="uses flags before it is declared"):
        tl.parse_schema("early#0badc0de title:flags.0?string flags:# = Peer;", 0)


def test_a_constructor_renumbered_by_a_later_layer_is_read_under_both_ids() -> None:
    older = struct.pack("<Iqi", 0xC00C07C0, 700004, 1_767_587_400)
    newer = struct.pack("<IIqi", 0xCB397619, 0, 700004, 1_767_587_400)
    for data, layer in ((older, 185), (newer, 211)):
        decoded, end = tl.decode(data, "ChannelParticipant")
        assert (decoded["_"], decoded["user_id"], end) == ("channelParticipant", 700004, len(data))
        assert tl.CONSTRUCTORS[struct.unpack_from("<I", data)[0]].layer == layer
    # The writer encodes the newest layer's version.
    assert tl.encode({"_": "channelParticipant", "user_id": 700004, "date": 1_767_587_400}) == newer


def test_a_message_written_at_layer_189_and_at_216_reads_the_same() -> None:
    message = {"_": "message", "id": 3, "peer_id": PEER, "date": 1_767_587_400, "message": "tea"}
    newer = tl.encode(message)
    assert struct.unpack_from("<I", newer)[0] == 0x9815CEC8  # the newest layer's id
    older = struct.pack("<I", 0x94345242) + newer[4:]  # same fields, so same layout
    assert tl.decode(older, "Message") == tl.decode(newer, "Message")
    assert tl.CONSTRUCTORS[0x9815CEC8].layer == 216
