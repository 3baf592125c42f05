"""What msgstore's rows say about roles: member ranks and system messages' events.

Only ``action_type`` codes on which two tools agree (format notes, section 6) are named;
any other code is kept raw (``system:<code>``) and infers no role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from phunt.chats import roles
from phunt.chats.model import Participant, RoleName

ACTIONS = {
    1: "edit_group_title",
    5: "left",
    6: "edit_group_photo",
    11: "create_group",
    12: "add_members",
    13: "left",
    14: "remove_members",
    20: "join_group_by_link",
    27: "edit_description",
}
RANKS: dict[int, tuple[RoleName, ...]] = {
    0: ("member",),
    1: ("member", "admin"),
    2: ("member", "admin", "creator"),
}


def action_name(code: Any) -> str:
    """A system message's action: the legacy schema's marker as is, a known code's name,
    or ``system:<code>``."""
    return code if isinstance(code, str) else ACTIONS.get(int(code), f"system:{code}")


def ranked(person: Participant, level: Any, evidence: str) -> None:
    """The roles a group-participant row's rank (or admin flag) gives."""
    for role in RANKS.get(int(level or 0), ("member",)):
        person.add_role(role, None, evidence)


def system(
    action: str,
    actor: Participant | None,
    targets: list[Participant | None],
    time: datetime,
    evidence: str,
) -> None:
    """The role evidence of one system message (its actor and the people it names)."""
    people = [t for t in targets if t is not None]
    if action == "create_group" and actor is not None:
        actor.add_role("creator", time, evidence)
        roles.member(actor, time, evidence)
    elif action in ("add_members", "join_group_by_link"):
        for person in people or ([actor] if actor and action == "join_group_by_link" else []):
            roles.member(person, time, evidence)
        if action == "add_members" and actor is not None and actor not in people:
            roles.member(actor, time, evidence)  # only a member adds (the owner, unlisted)
            actor.add_role("admin", time, evidence, inferred=True)
    elif action == "remove_members":
        for person in people:
            roles.removal(actor, person, time, evidence)
    elif action == "left":
        for person in people or ([actor] if actor else []):
            person.add_role("left", time, evidence)
