"""The people-and-groups network as one viewer may see it: only their cases' devices.

``phunt.analysis.people`` merges and ranks from the analysis store's rows. A viewer
assigned to some cases must see people and groups built from those cases' chats alone:
a person also seen in another case is shown with the in-scope evidence only, and no
merge link, device, title or file of another case leaks through. :func:`scoped` gives
that without a second copy of the merging: while it is open, every ORM query the session
runs sees only the scope's devices, chats, participants, roles and attachments (the
SQLAlchemy global-criteria pattern, ``with_loader_criteria`` on ``do_orm_execute``), so
``build_network(session)`` run inside it builds the viewer's network.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from phunt.chats.browse import Scope, visible
from phunt.schema.cases import Device
from phunt.schema.chats import ChatAttachment, ChatParticipant, ChatRecord, ChatRole


def scope_devices(session: Session, scope: Scope) -> list[int]:
    """The ids of the devices in ``scope``."""
    query = select(Device.id).where(visible(Device.case_id, scope)).order_by(Device.id)
    return list(session.scalars(query))


@contextmanager
def scoped(session: Session, scope: Scope) -> Iterator[None]:
    """While open, the session's ORM queries see only the chats of the devices in scope."""
    if scope is None:
        yield
        return
    devices = scope_devices(session, scope)
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
