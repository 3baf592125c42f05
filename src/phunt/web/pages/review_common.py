"""What the review pages share: the keys and what each records, the selection a form
sends, and bringing the unit's local set and the figures up to date after a decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Request

from phunt.accounts.access import Action, Viewer
from phunt.errors import UsageError
from phunt.hashsets.categories import MEANINGS, VICS_US, Category, is_known_bad
from phunt.review import decisions, local_set, rescreen, settings
from phunt.schema.db import Session
from phunt.web.deps import page_viewer, viewer_scope

Reviewer = Annotated[Viewer, page_viewer(Action.REVIEW)]
#: Most items one form may categorise at once (a page holds 50).
MAX_ITEMS = 500


@dataclass(frozen=True)
class Key:
    """One key of the keyboard and what pressing it records."""

    key: int
    code: int | None
    label: str | None
    text: str


def choices(session: Session) -> list[Key]:
    """The VICS 2.0 categories on keys 0-4 (0: not pertinent), the unit's labels after."""
    keys = [Key(code, code, None, meaning.label) for code, meaning in MEANINGS[VICS_US].items()]
    keys[0] = Key(0, 0, None, "Not pertinent")
    keys += [Key(k, None, text, text) for k, text in settings.unit_labels(session).items()]
    return keys


def parse_items(values: list[str]) -> list[tuple[int, list[int]]]:
    """``"12:12,13,19"`` (shown file, then the item's members) per selected item."""
    if len(values) > MAX_ITEMS:
        raise UsageError(f"at most {MAX_ITEMS} items at once")
    items = []
    for value in values:
        shown, _, members = value.partition(":")
        try:
            ids = [int(shown), *(int(m) for m in members.split(",") if m.strip())]
        except ValueError as exc:
            raise UsageError("an item is a file id and its members' ids") from exc
        items.append((ids[0], list(dict.fromkeys(ids[1:]))))
    if not items:
        raise UsageError("select an item first")
    return items


def parse_seen(values: list[str]) -> dict[int, int | None]:
    """``"12:40"`` (a file, then the id of the current decision the page showed; nothing
    after the colon: none) per file the form showed."""
    if len(values) > MAX_ITEMS * 50:
        raise UsageError("too many files in one form")
    seen: dict[int, int | None] = {}
    for value in values:
        file_id, _, decision = value.partition(":")
        try:
            seen[int(file_id)] = int(decision) if decision.strip() else None
        except ValueError as exc:
            raise UsageError("a seen decision is a file id and a decision id") from exc
    return seen


def apply_choice(
    session: Session, viewer: Viewer, items: list[tuple[int, list[int]]], key: str, note: str,
    seen: dict[int, int | None] | None = None,
) -> bool:  # fmt: skip
    """Record the key's choice on each item's shown file, and the same (naming it) on the
    item's other members; whether the choice is a known-bad category. ``seen`` holds the
    decisions the page showed: when one has changed since, the service's ConflictError
    (409) stops the request and nothing of it is recorded (its transaction rolls back)."""
    saw = seen or {}
    found = {str(k.key): k for k in choices(session)}.get(key.strip())
    if found is None:
        raise UsageError("press one of the keys shown")
    choice = decisions.Choice(found.code, VICS_US, found.label, note or None)
    scope = viewer_scope(viewer)
    shown = [file_id for file_id, _members in items]
    made = decisions.decide(session, shown, choice, scope, seen=_of(saw, shown))
    for (file_id, members), decision_id in zip(items, made, strict=True):
        rest = [m for m in members if m != file_id]
        if rest:
            copy = decisions.Choice(found.code, VICS_US, found.label,
                                    f"same item as review decision {decision_id}")  # fmt: skip
            decisions.decide(session, rest, copy, scope, propagated_from=decision_id,
                             seen=_of(saw, rest))  # fmt: skip
    return known_bad(found.code)


def _of(seen: dict[int, int | None], files: list[int]) -> dict[int, int | None]:
    """What the page showed of ``files`` (a file it did not say is not checked)."""
    return {f: seen[f] for f in files if f in seen}


def known_bad(code: int | None) -> bool:
    """Whether a VICS 2.0 code is one the local set lists (not 0, not comparison)."""
    return code is not None and is_known_bad(Category(code, VICS_US))


def refresh_local_set(request: Request, session: Session, known_bad: bool) -> int | None:
    """After a known-bad decision: publish the unit's local set (when an admin named one)
    and re-screen the ingested devices against it (only its new entries, when the
    previous version was re-screened), so their figures follow; how many files were
    newly matched (None when nothing was published)."""
    if not known_bad:
        return None
    name = local_set.local_set_name(session)
    if name is None:
        return None
    folder = request.app.state.settings.home / "local-sets"
    result = local_set.publish_if_new(session, folder)  # a failure reaches the page
    if result is None:
        return None  # the set already holds every categorised file
    return rescreen.rescreen(session, result.hash_set, incremental=True).files_newly_matched


def safe_back(back: str, default: str) -> str:
    """Where a form returns to: a review page of this site, never elsewhere."""
    if back.startswith("/review/") and not back.startswith("//") and "\\" not in back:
        return back
    return default
