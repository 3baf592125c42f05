"""Users, case assignments, API tokens, browser sessions and logins: the accounts' store.

Every change, login, failed login and denial goes to the audit log: changes with the
acting user (:func:`phunt.audit.store.acting_as`, or the OS user on the command line),
logins with the name that signed in, failed logins as ``anonymous`` with the name tried.
Secrets (API tokens, session cookies) are handed out once and stored as their SHA-256.

Failed logins are throttled per account name and per address. The record of a failure,
and of a denial, is committed before the error is raised: the request that follows is
refused with an exception, and a rollback must not erase the evidence of guessing.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from phunt.accounts import passwords
from phunt.accounts.access import ROLES, Viewer
from phunt.audit import store as audit
from phunt.errors import LoginRefused, LoginThrottled, NotFoundError, UsageError
from phunt.schema.accounts import ApiToken, CaseAssignment, LoginAttempt, User, WebSession
from phunt.schema.cases import Case
from phunt.schema.types import utcnow

#: Failed logins allowed per account name, and per address, within the window.
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
FAILURE_WINDOW = timedelta(minutes=15)
#: The one message of every refused login.
REFUSED = "wrong user name or password"
#: Sessions unused this long are deleted when anyone signs in.
SESSION_RETENTION = timedelta(days=1)
#: A session's last use is written at most once per this share of the idle timeout.
TOUCH_SHARE = 60
#: A token's last use is written at most this often.
TOKEN_TOUCH = timedelta(minutes=1)
TOKEN_PREFIX = "phunt_"

_NAME = re.compile(r"[\w.@-]{1,100}")
_FIELD = 100  # length of the name and address columns


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    return user


def _viewer(session: Session, user: User) -> Viewer:
    query = select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id)
    return Viewer(user.id, user.name, user.role, frozenset(session.scalars(query)))


def viewer_named(session: Session, name: str) -> Viewer:
    """The viewer of account ``name`` (role and assigned cases), for a command that reads
    as that account: what it may see, without signing in, since reading changes nothing."""
    return _viewer(session, _user(session, name))


def add_user(session: Session, name: str, role: str, password: str) -> int:
    """Add a user; names are unique ignoring case, so two people cannot be confused."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"a user name is 1 to 100 letters, digits and . _ @ -, not {name[:_FIELD]!r}"
        )
    if role not in ROLES:
        raise UsageError(f"no role {role!r} (roles: {', '.join(ROLES)})")
    passwords.check_new(password)
    clash = session.scalar(select(User.name).where(func.lower(User.name) == name.lower()))
    if clash is not None:
        raise UsageError(f"user {clash!r} already exists")
    user = User(name=name, role=role, password_hash=passwords.hash_password(password))
    session.add(user)
    session.flush()
    audit.append(session, "user.add", "user", name, {"id": user.id, "role": role})
    return user.id


def assign(session: Session, name: str, case_id: int) -> None:
    """Let ``name`` see case ``case_id`` (it matters to investigators and analysts)."""
    user = _user(session, name)
    if session.get(Case, case_id) is None:
        raise NotFoundError(f"no case {case_id}")
    if session.get(CaseAssignment, (user.id, case_id)) is not None:
        raise UsageError(f"user {name!r} is already assigned to case {case_id}")
    session.add(CaseAssignment(user_id=user.id, case_id=case_id))
    session.flush()
    audit.append(session, "user.assign", "user", name, {"case_id": case_id})


def unassign(session: Session, name: str, case_id: int) -> None:
    user = _user(session, name)
    assignment = session.get(CaseAssignment, (user.id, case_id))
    if assignment is None:
        raise UsageError(f"user {name!r} is not assigned to case {case_id}")
    session.delete(assignment)
    session.flush()
    audit.append(session, "user.unassign", "user", name, {"case_id": case_id})


def assignees(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The users assigned to case ``case_id``, by name (those who see every case are not
    listed unless assigned); NotFoundError for no such case."""
    if session.get(Case, case_id) is None:
        raise NotFoundError(f"no case {case_id}")
    query = (
        select(User.name, User.role, User.disabled, CaseAssignment.assigned_at)
        .join(CaseAssignment, CaseAssignment.user_id == User.id)
        .where(CaseAssignment.case_id == case_id)
        .order_by(User.name)
    )
    return [
        {"name": name, "role": role, "disabled": disabled, "assigned_at": at}
        for name, role, disabled, at in session.execute(query)
    ]


def disable(session: Session, name: str) -> None:
    """Stop ``name`` signing in; their open sessions end and their tokens stop working."""
    user = _user(session, name)
    if user.disabled:
        raise UsageError(f"user {name!r} is already disabled")
    user.disabled = True
    mine = WebSession.user_id == user.id
    ended = session.scalar(select(func.count()).select_from(WebSession).where(mine))
    session.execute(delete(WebSession).where(mine))
    session.flush()
    audit.append(session, "user.disable", "user", name, {"sessions_ended": ended})


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every user with role, state, assigned cases and number of tokens, by name."""
    cases: dict[int, list[int]] = {}
    for user_id, case_id in session.execute(
        select(CaseAssignment.user_id, CaseAssignment.case_id).order_by(CaseAssignment.case_id)
    ):
        cases.setdefault(user_id, []).append(case_id)
    tokens = dict(
        session.execute(select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id)).all()
    )
    return [
        {
            "id": u.id,
            "name": u.name,
            "role": u.role,
            "disabled": u.disabled,
            "created_at": u.created_at,
            "cases": cases.get(u.id, []),
            "tokens": tokens.get(u.id, 0),
        }
        for u in session.scalars(select(User).order_by(User.name))
    ]


def new_token(session: Session, name: str) -> str:
    """A new personal API token for ``name``: returned once, stored only as its SHA-256."""
    user = _user(session, name)
    if user.disabled:
        raise UsageError(f"user {name!r} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_sha256=_sha256(token))
    session.add(row)
    session.flush()
    audit.append(session, "user.token", "user", name, {"token_id": row.id})
    return token


def token_viewer(session: Session, token: str) -> Viewer | None:
    """The viewer a bearer token stands for, or None (unknown token, disabled user); the
    token's last use is kept to the minute."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_sha256 == _sha256(token))
    ).first()
    if found is None or found[1].disabled:
        return None
    row, now = found[0], utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH:
        row.last_used_at = now  # not on every call: each would be a write per API request
    return _viewer(session, found[1])


def authenticate(session: Session, name: str, password: str, address: str) -> Viewer:
    """The viewer ``name`` signs in as, or :class:`LoginRefused` / :class:`LoginThrottled`.

    Throttling is checked before the password, so a throttled guess learns nothing even
    when right. An unknown name costs the same hashing time as a wrong password.
    """
    name, address = name[:_FIELD], address[:_FIELD]
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - FAILURE_WINDOW))
    retry_after = _throttled(session, name, address, now)
    if retry_after is not None:
        _failed(session, name, address, "throttled", record=False)
        raise LoginThrottled(
            f"too many failed logins: try again in {retry_after} seconds", retry_after=retry_after
        )
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        passwords.spend_verify_time(password)
        _failed(session, name, address, "unknown user")
        raise LoginRefused(REFUSED)
    if not passwords.verify(user.password_hash, password):
        _failed(session, name, address, "wrong password")
        raise LoginRefused(REFUSED)
    if user.disabled:
        _failed(session, name, address, "disabled")
        raise LoginRefused(REFUSED)
    rehashed = passwords.needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = passwords.hash_password(password)
    session.execute(delete(LoginAttempt).where(LoginAttempt.name == name))
    details = {"address": address, "rehashed": rehashed}
    audit.append(session, "login", "user", name, details, actor=name)
    return _viewer(session, user)


def _throttled(session: Session, name: str, address: str, now: datetime) -> int | None:
    """Seconds until the oldest counted failure leaves the window, when a limit is hit."""
    since = now - FAILURE_WINDOW
    waits = []
    for column, value, limit in (
        (LoginAttempt.name, name, ACCOUNT_FAILURES),
        (LoginAttempt.address, address, ADDRESS_FAILURES),
    ):
        times = session.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.at >= since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:
            waits.append((times[-1] + FAILURE_WINDOW - now).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def _failed(session: Session, name: str, address: str, reason: str, *, record: bool = True) -> None:
    """Count (unless throttled already), audit and commit a failed login."""
    if record:
        session.add(LoginAttempt(name=name, address=address))
    details = {"name": name, "address": address, "reason": reason}
    audit.append(session, "login.failed", "user", name, details, actor="anonymous")
    session.commit()


def start_session(session: Session, viewer: Viewer, address: str) -> tuple[str, str]:
    """A new browser session for a viewer who just signed in: (cookie token, CSRF token).

    Always new, so a cookie planted before the login is worthless after it. Sessions
    unused for :data:`SESSION_RETENTION` are cleared out here.
    """
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.last_seen_at < now - SESSION_RETENTION))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=viewer.user_id,
            token_sha256=_sha256(token),
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            address=address[:_FIELD],
        )
    )
    session.flush()
    return token, csrf


def session_viewer(session: Session, token: str, idle: timedelta) -> tuple[Viewer, str] | None:
    """The viewer and CSRF token of a session cookie, or None when it is unknown, idle
    past ``idle`` (it is then ended) or its user disabled. Marks the session as used."""
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_sha256 == _sha256(token))
    ).first()
    if found is None:
        return None
    web, user = found
    now = utcnow()
    if user.disabled or now - web.last_seen_at > idle:
        session.delete(web)
        session.flush()
        return None
    if now - web.last_seen_at >= idle / TOUCH_SHARE:
        web.last_seen_at = now
    return _viewer(session, user), web.csrf_token


def end_session(session: Session, token: str) -> None:
    """Log out: the session's cookie stops working."""
    found = session.execute(
        select(WebSession, User.name)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_sha256 == _sha256(token))
    ).first()
    if found is None:
        return
    web, name = found
    session.delete(web)
    session.flush()
    audit.append(session, "logout", "user", name, {"address": web.address}, actor=name)


def record_denial(
    session: Session, viewer: Viewer | None, method: str, path: str, reason: str
) -> None:
    """Audit a refused request and commit it (the refusal itself rolls back the request)."""
    who = viewer.name if viewer is not None else "anonymous"
    details = {"method": method, "reason": reason, "role": viewer.role if viewer else None}
    audit.append(session, "access.denied", "route", path[:200], details, actor=who)
    session.commit()
