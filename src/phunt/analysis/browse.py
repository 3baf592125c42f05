"""The people-and-groups network as one viewer may see it: only their cases' devices.

``phunt.analysis.people`` merges and ranks from the analysis store's rows. A viewer
assigned to some cases must see people and groups built from those cases' chats alone:
a person also seen in another case is shown with the in-scope evidence only, and no
merge link, device, title or file of another case leaks through. :func:`scoped` gives
that without a second copy of the merging: while it is open, every ORM query the session
runs sees only the scope's devices, chats, participants, roles and attachments (the
SQLAlchemy global-criteria pattern, ``with_loader_criteria`` on ``do_orm_execute``), so
``build_network(session)`` run inside it builds the viewer's network.

Merging a state's 20,000 group members takes about a second, so :func:`cached` keeps the
last few networks built, each under the database, the scope's devices, the chat imports
and the device and case labels it was built from: a new import, a device moved to another
case or a renamed case builds it again (chat rows change only by import).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from phunt.schema.cases import Case, Device
from phunt.schema.chats import (
    ChatAttachment,
    ChatImport,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)
from phunt.schema.scope import Scope, in_scope

T = TypeVar("T")
CACHE_SIZE = 8
_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def scope_devices(session: Session, scope: Scope) -> list[int]:
    """The ids of the devices in ``scope``."""
    query = select(Device.id).where(in_scope(Device.case_id, scope)).order_by(Device.id)
    return list(session.scalars(query))


@contextmanager
def scoped(session: Session, scope: Scope) -> Iterator[None]:
    """While open, the session's ORM queries see only the chats of the devices in scope."""
    if scope is None:
        yield
        return
    with _restricted(session, scope_devices(session, scope)):
        yield


@contextmanager
def _restricted(session: Session, devices: list[int]) -> Iterator[None]:
    chats = select(ChatRecord.id).where(ChatRecord.device_id.in_(devices))
    participants = select(ChatParticipant.id).where(ChatParticipant.device_id.in_(devices))
    options = (
        with_loader_criteria(Device, Device.id.in_(devices)),
        with_loader_criteria(ChatRecord, ChatRecord.device_id.in_(devices)),
        with_loader_criteria(ChatParticipant, ChatParticipant.device_id.in_(devices)),
        with_loader_criteria(ChatRole, ChatRole.participant_id.in_(participants)),
        with_loader_criteria(ChatAttachment, ChatAttachment.chat_id.in_(chats)),
    )

    def restrict(state: ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(*options)

    event.listen(session, "do_orm_execute", restrict)
    try:
        yield
    finally:
        event.remove(session, "do_orm_execute", restrict)


def _stamp(session: Session, devices: list[int]) -> tuple[Any, ...]:
    """What a network depends on besides the chat rows that only imports add."""
    imports = session.execute(select(func.count(ChatImport.id), func.max(ChatImport.id))).one()
    labels = session.execute(
        select(Device.id, Device.evidence_number, Device.case_id, Case.number, Case.station)
        .outerjoin(Case, Case.id == Device.case_id)
        .order_by(Device.id)
    ).all()
    return (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        tuple(devices),
        tuple(imports),
        hash(tuple(tuple(row) for row in labels)),
    )


def cached(session: Session, scope: Scope, build: Callable[[Session], T]) -> T:
    """``build(session)`` within ``scope``, reused while the chats and labels are unchanged."""
    devices = scope_devices(session, scope)
    key = (build.__module__, build.__qualname__, scope is None, *_stamp(session, devices))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            found: T = _cache[key]
            return found
    if scope is None:
        value = build(session)
    else:
        with _restricted(session, devices):
            value = build(session)
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value
