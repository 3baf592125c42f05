"""A small decoder and encoder for Telegram's TL serialisation, driven by the schema text.

Telegram stores its objects (users, chats, messages) as TL: little-endian 32-bit
constructor ids and ints, 64-bit longs, doubles, strings and bytes with a 1-byte length
(or 254 and a 3-byte length) padded to 4 bytes, vectors as ``0x1cb5c415``, a count and the
elements, and optional fields present when their bit of a ``flags`` field is set
(https://core.telegram.org/mtproto/serialize). Rather than one hand-written function per
constructor, the constructors in :mod:`phunt.chats.tl_schema` (Telegram's published
schema lines) are compiled into a table by id, and one interpreter walks it both ways:
the reader of ``cache4.db`` decodes with it, the demo's writer encodes with it, so the two
cannot disagree about a layout.

Decoded objects are plain dicts with the constructor's name under ``"_"``. Bad input
(truncated data, an unknown constructor, a constructor of the wrong type, absurd lengths,
nesting too deep) raises :class:`TLError`, a :class:`~phunt.errors.CorruptInput`, and
nothing else, so a caller can record it against its row and go on.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any

from phunt.chats.tl_schema import LAYERS
from phunt.errors import CorruptInput

VECTOR_ID = 0x1CB5C415
_MAX_DEPTH = 24
_LINE = re.compile(r"^([A-Za-z0-9_.]+)#([0-9a-f]{1,8})((?:\s+\S+)*?)\s+=\s+([A-Za-z0-9_.]+);$")
_FIELD = re.compile(r"^([a-z0-9_]+):(?:(flags2?)\.(\d+)\?)?(.+)$")
_INT, _LONG, _DOUBLE = struct.Struct("<i"), struct.Struct("<q"), struct.Struct("<d")
_UINT = struct.Struct("<I")

TLObject = dict[str, Any]
"""A decoded constructor: its fields by name, and its name under ``"_"``."""


class TLError(CorruptInput):
    """TL data that cannot be decoded (truncated, unknown or misplaced constructor)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a constructor: ``kind`` is a scalar name, ``Vector<...>`` or a type."""

    name: str
    kind: str
    flag: str | None = None
    bit: int = 0


@dataclass(frozen=True, slots=True)
class Constructor:
    """A TL constructor: id, name, the type it builds, its fields, and its schema layer."""

    id: int
    name: str
    type: str
    fields: tuple[Field, ...]
    layer: int
    steps: tuple[tuple[str, str, str | None, int], ...] = ()
    """The fields as the decoder walks them: name, kind, flags field, bit mask."""
    head: tuple[str, ...] | None = None
    """The ``#`` fields when they all come first (only data-less ``true`` fields between
    them), so that their values alone say which fields follow; None otherwise."""


def parse_schema(text: str, layer: int) -> list[Constructor]:
    """The constructors of TL schema lines (blank lines ignored); ValueError on others."""
    found = []
    for line in text.strip().splitlines():
        match = _LINE.match(line.strip())
        if match is None:
            raise ValueError(f"not a TL constructor line: {line!r}")
        name, ident, raw_fields, type_name = match.groups()
        fields: list[Field] = []
        for raw in raw_fields.split():
            part = _FIELD.match(raw)
            if part is None:
                raise ValueError(f"bad field {raw!r} in {name}")
            fname, flag, bit, kind = part.groups()
            if flag is not None and all(f.name != flag for f in fields):
                raise ValueError(f"{fname} of {name} uses {flag} before it is declared")
            fields.append(Field(fname, kind, flag, int(bit) if bit else 0))
        steps = tuple((f.name, f.kind, f.flag, 1 << f.bit) for f in fields)
        data_at = next((i for i, f in enumerate(fields) if f.kind not in ("#", "true")), None)
        counted = [f.name for f in fields[:data_at] if f.kind == "#"]
        every = [f.name for f in fields if f.kind == "#"]
        head = tuple(counted) if counted == every else None
        cons = Constructor(int(ident, 16), name, type_name, tuple(fields), layer, steps, head)
        found.append(cons)
    return found


def _table() -> tuple[dict[int, Constructor], dict[str, Constructor]]:
    by_id: dict[int, Constructor] = {}
    by_name: dict[str, Constructor] = {}
    for layer in sorted(LAYERS, reverse=True):
        for cons in parse_schema(LAYERS[layer], layer):
            by_id.setdefault(cons.id, cons)
            by_name.setdefault(cons.name, cons)
    return by_id, by_name


CONSTRUCTORS, BY_NAME = _table()
"""Every supported constructor by id, and by name (the newest layer's where names repeat)."""


_PLANS: dict[tuple[int, ...], tuple[tuple[str, str], ...]] = {}
_MAX_PLANS = 4096


class Decoder:
    """Reads TL values from ``data`` starting at ``pos``."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def _take(self, size: int) -> int:
        start = self.pos
        if size < 0 or start + size > len(self.data):
            raise TLError(f"truncated: {size} bytes needed at offset {start}, data ends")
        self.pos = start + size
        return start

    def _unpack(self, fmt: struct.Struct) -> Any:
        return fmt.unpack_from(self.data, self._take(fmt.size))[0]

    def int32(self) -> int:
        return int(self._unpack(_INT))

    def uint32(self) -> int:
        return int(self._unpack(_UINT))

    def int64(self) -> int:
        return int(self._unpack(_LONG))

    def double(self) -> float:
        return float(self._unpack(_DOUBLE))

    def raw_bytes(self) -> bytes:
        start = self.pos
        first = self.data[self._take(1)]
        if first == 255:
            raise TLError(f"bad length prefix 255 at offset {start}")
        if first == 254:
            at = self._take(3)
            size, header = int.from_bytes(self.data[at : at + 3], "little"), 4
        else:
            size, header = first, 1
        body = self._take(size)
        self._take(-(header + size) % 4)
        return self.data[body : body + size]

    def string(self) -> str:
        return self.raw_bytes().decode("utf-8", "replace")

    def value(self, kind: str, depth: int) -> Any:
        """One value of ``kind`` (a scalar, a vector or a boxed type)."""
        if kind == "int":
            return self.int32()
        if kind == "long":
            return self.int64()
        if kind == "string":
            return self.string()
        if kind == "bytes":
            return self.raw_bytes()
        if kind == "double":
            return self.double()
        if kind == "#":
            return self.uint32()
        if kind == "true":
            return True
        if kind.startswith("Vector<"):
            return self.vector(kind[7:-1], depth)
        obj = self.object(kind, depth + 1)
        if kind == "Bool":
            return obj["_"] == "boolTrue"
        return obj

    def vector(self, inner: str, depth: int) -> list[Any]:
        start = self.pos
        ident = self.uint32()
        if ident != VECTOR_ID:
            raise TLError(f"expected a vector at offset {start}, found 0x{ident:08x}")
        count = self.int32()
        if count < 0 or count * 4 > len(self.data) - self.pos:
            raise TLError(f"vector of {count} elements at offset {start} overruns the data")
        return [self.value(inner, depth) for _ in range(count)]

    def _plan(self, cons: Constructor, out: TLObject) -> tuple[tuple[str, str], ...]:
        """The fields present in this object, in order; its leading flags are read into
        ``out`` first when they decide them all (the plan is then kept for the next
        object with the same flags: most messages share a few combinations)."""
        assert cons.head is not None
        key: tuple[int, ...] = (cons.id,)
        for name in cons.head:
            out[name] = self.uint32()
            key += (out[name],)
        plan = _PLANS.get(key)
        if plan is None:
            plan = tuple(
                (n, k)
                for n, k, flag, mask in cons.steps
                if k != "#" and (flag is None or out[flag] & mask)
            )
            if len(_PLANS) < _MAX_PLANS:  # random or hostile flags must not grow it unbounded
                _PLANS[key] = plan
        return plan

    def object(self, expected: str | None = None, depth: int = 0) -> TLObject:
        """A boxed object (constructor id, then fields); ``expected`` is its TL type."""
        if depth > _MAX_DEPTH:
            raise TLError(f"objects nested deeper than {_MAX_DEPTH} at offset {self.pos}")
        start = self.pos
        if start + 4 > len(self.data):
            raise TLError(f"truncated: 4 bytes needed at offset {start}, data ends")
        ident = _UINT.unpack_from(self.data, start)[0]
        self.pos = start + 4
        cons = CONSTRUCTORS.get(ident)
        if cons is None:
            what = f" (a {expected})" if expected else ""
            raise TLError(f"unknown constructor 0x{ident:08x}{what} at offset {start}")
        if expected is not None and cons.type != expected:
            raise TLError(f"{cons.name} at offset {start} where a {expected} belongs")
        out: TLObject = {"_": cons.name}
        if cons.head is None:  # a flags field after data: decide field by field
            for name, kind, flag, mask in cons.steps:
                if flag is None or out[flag] & mask:
                    out[name] = self.value(kind, depth)
            return out
        data, size = self.data, len(self.data)
        for name, kind in self._plan(cons, out):
            # The fixed-size scalars inline: most fields of a message are these.
            pos = self.pos
            if kind == "true":
                out[name] = True
            elif kind == "int" or kind == "#":
                if pos + 4 > size:
                    raise TLError(f"truncated: 4 bytes needed at offset {pos}, data ends")
                out[name] = (_INT if kind == "int" else _UINT).unpack_from(data, pos)[0]
                self.pos = pos + 4
            elif kind == "long":
                if pos + 8 > size:
                    raise TLError(f"truncated: 8 bytes needed at offset {pos}, data ends")
                out[name] = _LONG.unpack_from(data, pos)[0]
                self.pos = pos + 8
            else:
                out[name] = self.value(kind, depth)
        return out


def decode(data: bytes, expected: str | None = None) -> tuple[TLObject, int]:
    """The object at the start of ``data`` and the offset just past it (trailing bytes are
    the caller's business: Telegram for Android appends local data after some objects)."""
    reader = Decoder(data)
    obj = reader.object(expected)
    return obj, reader.pos


def encode_bytes(value: bytes) -> bytes:
    """TL ``bytes``: the length prefix, the bytes and zero padding to 4 bytes."""
    size = len(value)
    head = bytes([size]) if size < 254 else b"\xfe" + size.to_bytes(3, "little")
    body = head + value
    return body + b"\0" * (-len(body) % 4)


def encode_value(kind: str, value: Any) -> bytes:
    """``value`` serialised as ``kind``; ValueError when it cannot be (a writer's mistake)."""
    if kind == "int":
        return _INT.pack(value)
    if kind == "long":
        return _LONG.pack(value)
    if kind == "double":
        return _DOUBLE.pack(value)
    if kind == "#":
        return _UINT.pack(value)
    if kind == "string":
        return encode_bytes(str(value).encode("utf-8"))
    if kind == "bytes":
        return encode_bytes(bytes(value))
    if kind == "true":
        return b""
    if kind == "Bool":
        return encode({"_": "boolTrue" if value else "boolFalse"})
    if kind.startswith("Vector<"):
        inner = kind[7:-1]
        items = b"".join(encode_value(inner, item) for item in value)
        return _UINT.pack(VECTOR_ID) + _INT.pack(len(value)) + items
    if not isinstance(value, dict) or BY_NAME.get(value.get("_", "")) is None:
        raise ValueError(f"not a TL object of a known constructor: {value!r}")
    if BY_NAME[value["_"]].type != kind:
        raise ValueError(f"{value['_']} is not a {kind}")
    return encode(value)


def encode(obj: TLObject) -> bytes:
    """A TL object (``{"_": name, field: value}``) serialised, its flags computed from the
    optional fields present (a ``true`` field counts when True)."""
    cons = BY_NAME.get(obj.get("_", ""))
    if cons is None:
        raise ValueError(f"unknown constructor {obj.get('_')!r}")
    flags: dict[str, int] = {}
    for field in cons.fields:
        if field.flag is not None and obj.get(field.name) not in (None, False):
            flags[field.flag] = flags.get(field.flag, 0) | (1 << field.bit)
    parts = [_UINT.pack(cons.id)]
    for field in cons.fields:
        if field.kind == "#":
            parts.append(_UINT.pack(flags.get(field.name, 0)))
        elif field.flag is None:
            if field.name not in obj:
                raise ValueError(f"{cons.name} needs {field.name}")
            parts.append(encode_value(field.kind, obj[field.name]))
        elif (flags.get(field.flag, 0) >> field.bit) & 1:
            parts.append(encode_value(field.kind, obj[field.name]))
    return b"".join(parts)
