"""Users, assignments, tokens, sessions and logins, on both databases: secrets stored
hashed, one message for every refused login, throttling, and every event audited with
the user who acted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from phunt.accounts import passwords
from phunt.accounts import store as accounts
from phunt.accounts.access import Viewer
from phunt.audit import store as audit
from phunt.cases.case_files import open_case
from phunt.errors import LoginRefused, LoginThrottled, NotFoundError, UsageError
from phunt.schema.accounts import ApiToken, LoginAttempt, User, WebSession
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database, Session
from phunt.schema.types import utcnow

PASSWORD = "river boat lantern"
HERE = "192.0.2.10"


@pytest.fixture
def db(database: Database, cheap_hashing: PasswordHasher) -> Database:
    """A database with two cases (ids 1 and 2) and an investigator ``asha``."""
    with database.session() as s:
        for number in ("101/2026", "102/2026"):
            open_case(s, number, "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        accounts.add_user(s, "asha", "investigator", PASSWORD)
    return database


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _records(s: Session, action: str) -> list[AuditRecord]:
    return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def _login(s: Session, name: str = "asha", password: str = PASSWORD, address: str = HERE) -> Any:
    try:
        return accounts.authenticate(s, name, password, address)
    except LoginRefused as exc:
        return exc


def test_add_user_hashes_the_password_and_audits_the_actor(s: Session) -> None:
    with audit.acting_as("admin1"):
        user_id = accounts.add_user(s, "ravi", "analyst", "another good one")
    user = s.get(User, user_id)
    assert user is not None and user.role == "analyst" and not user.disabled
    assert user.password_hash.startswith("$argon2id$")
    assert "another good one" not in user.password_hash
    (rec,) = [r for r in _records(s, "user.add") if r.object_id == "ravi"]
    assert rec.actor == "admin1" and rec.details == {"id": user_id, "role": "analyst"}
    assert audit.current_actor() != "admin1"  # only inside the block


def test_acting_as_nests_and_restores() -> None:
    with audit.acting_as("outer"):
        with audit.acting_as("inner"):
            assert audit.current_actor() == "inner"
        assert audit.current_actor() == "outer"
        with pytest.raises(RuntimeError), audit.acting_as("failing"):
            raise RuntimeError
        assert audit.current_actor() == "outer"


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ravi", "root", PASSWORD, "no role 'root'"),
        ("two words", "analyst", PASSWORD, "user name is"),
        ("", "analyst", PASSWORD, "user name is"),
        ("ravi", "analyst", "short", "at least 12"),
        ("ASHA", "analyst", PASSWORD, "user 'asha' already exists"),
    ],
)
def test_add_user_refuses(s: Session, name: str, role: str, password: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        accounts.add_user(s, name, role, password)


def test_assign_and_unassign_change_the_viewers_cases(s: Session) -> None:
    with audit.acting_as("super1"):
        accounts.assign(s, "asha", 1)
        accounts.assign(s, "asha", 2)
        assert _login(s).case_ids == {1, 2}
        accounts.unassign(s, "asha", 2)
    viewer = _login(s)
    assert viewer.case_ids == {1} and viewer.sees_case(1) and not viewer.sees_case(2)
    assigned = [(r.actor, r.details["case_id"]) for r in _records(s, "user.assign")]
    assert assigned == [("super1", 1), ("super1", 2)]
    assert [(r.actor, r.details) for r in _records(s, "user.unassign")] == [
        ("super1", {"case_id": 2})
    ]
    assert accounts.list_users(s)[0]["cases"] == [1]


def test_assign_errors(s: Session) -> None:
    with pytest.raises(NotFoundError, match="no case 9"):
        accounts.assign(s, "asha", 9)
    with pytest.raises(NotFoundError, match="no user 'nobody'"):
        accounts.assign(s, "nobody", 1)
    accounts.assign(s, "asha", 1)
    with pytest.raises(UsageError, match="already assigned"):
        accounts.assign(s, "asha", 1)
    with pytest.raises(UsageError, match="not assigned to case 2"):
        accounts.unassign(s, "asha", 2)


def test_token_is_stored_hashed_and_names_its_viewer(s: Session) -> None:
    token = accounts.new_token(s, "asha")
    assert token.startswith("phunt_") and len(token) > 40
    (row,) = s.scalars(select(ApiToken))
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert row.last_used_at is None
    viewer = accounts.token_viewer(s, token)
    assert viewer is not None and (viewer.name, viewer.role) == ("asha", "investigator")
    first_use = row.last_used_at
    assert first_use is not None
    accounts.token_viewer(s, token)
    assert row.last_used_at == first_use  # kept to the minute: no write per request
    row.last_used_at = first_use - accounts.TOKEN_TOUCH
    accounts.token_viewer(s, token)
    assert row.last_used_at > first_use
    assert accounts.token_viewer(s, token + "x") is None
    assert accounts.token_viewer(s, row.token_sha256) is None  # the stored hash is no token
    assert accounts.new_token(s, "asha") != token
    (rec, _) = _records(s, "user.token")
    assert token not in str(rec.details) and rec.details == {"token_id": row.id}
    assert accounts.list_users(s)[0]["tokens"] == 2


def test_login_refusals_share_one_message_and_are_audited(s: Session) -> None:
    accounts.add_user(s, "gone", "analyst", PASSWORD)
    accounts.disable(s, "gone")
    refusals = [
        _login(s, "nobody"),
        _login(s, "asha", "wrong password!"),
        _login(s, "gone"),
    ]
    assert [type(e) for e in refusals] == [LoginRefused] * 3
    assert {str(e) for e in refusals} == {accounts.REFUSED}
    failed = _records(s, "login.failed")
    assert [(r.actor, r.object_id, r.details["reason"]) for r in failed] == [
        ("anonymous", "nobody", "unknown user"),
        ("anonymous", "asha", "wrong password"),
        ("anonymous", "gone", "disabled"),
    ]
    assert all(r.details["address"] == HERE for r in failed)


def test_login_audited_with_the_users_name(s: Session) -> None:
    viewer = _login(s, address="198.51.100.7")
    assert viewer == Viewer(viewer.user_id, "asha", "investigator", frozenset())
    (rec,) = _records(s, "login")
    assert rec.actor == "asha" and rec.details == {"address": "198.51.100.7", "rehashed": False}


def test_failed_login_is_committed_even_when_the_caller_rolls_back(db: Database) -> None:
    """The login page may let the error roll its transaction back: the evidence stays."""
    with pytest.raises(LoginRefused), db.session() as s:
        accounts.authenticate(s, "asha", "not the password", HERE)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 1
        assert len(_records(s, "login.failed")) == 1
        assert audit.verify(s).ok


def test_account_throttled_after_five_failures(s: Session) -> None:
    for i in range(accounts.ACCOUNT_FAILURES):
        assert type(_login(s, password="wrong guess no", address=f"10.0.0.{i}")) is LoginRefused
    # The right password from a fresh address is refused too: throttling comes first.
    refused = _login(s, address="10.0.1.1")
    assert isinstance(refused, LoginThrottled)
    assert 0 < refused.retry_after <= accounts.FAILURE_WINDOW.total_seconds()
    assert f"{refused.retry_after} seconds" in str(refused)
    assert _records(s, "login.failed")[-1].details["reason"] == "throttled"
    # Another account is not affected.
    accounts.add_user(s, "ravi", "analyst", PASSWORD)
    assert isinstance(_login(s, "ravi", address="10.0.1.1"), Viewer)


def test_unknown_names_are_throttled_like_real_ones(s: Session) -> None:
    for _ in range(accounts.ACCOUNT_FAILURES):
        _login(s, "nobody", address="10.0.0.1")
    assert isinstance(_login(s, "nobody", address="10.0.0.2"), LoginThrottled)


def test_address_throttled_after_twenty_failures(s: Session) -> None:
    for i in range(accounts.ADDRESS_FAILURES):
        assert type(_login(s, f"guess{i}", address=HERE)) is LoginRefused
    assert isinstance(_login(s, address=HERE), LoginThrottled)
    assert isinstance(_login(s, address="192.0.2.11"), Viewer)


def test_throttle_lifts_when_failures_leave_the_window(s: Session) -> None:
    for _ in range(accounts.ACCOUNT_FAILURES):
        _login(s, password="wrong guess no")
    assert isinstance(_login(s), LoginThrottled)
    past = utcnow() - accounts.FAILURE_WINDOW - timedelta(seconds=1)
    s.execute(update(LoginAttempt).values(at=past))
    assert isinstance(_login(s), Viewer)
    assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_success_clears_the_accounts_failures(s: Session) -> None:
    for _ in range(accounts.ACCOUNT_FAILURES - 1):
        _login(s, password="wrong guess no")
    assert isinstance(_login(s), Viewer)
    assert type(_login(s, password="wrong guess no")) is LoginRefused
    assert isinstance(_login(s), Viewer)


def test_login_rehashes_a_password_made_with_old_parameters(
    s: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = s.scalar(select(User.password_hash).where(User.name == "asha"))
    monkeypatch.setattr(
        passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    assert isinstance(_login(s), Viewer)
    new = s.scalar(select(User.password_hash).where(User.name == "asha"))
    assert new != old and new is not None and new.startswith("$argon2id$v=19$m=16,t=2,")
    assert _records(s, "login")[0].details["rehashed"] is True


def test_sessions_are_new_at_each_login_and_stored_hashed(s: Session) -> None:
    viewer = _login(s)
    first = accounts.start_session(s, viewer, HERE)
    second = accounts.start_session(s, viewer, HERE)
    assert len({*first, *second}) == 4
    stored = set(s.scalars(select(WebSession.token_sha256)))
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (first[0], second[0])}
    found = accounts.session_viewer(s, first[0], timedelta(minutes=30))
    assert found is not None and found == (viewer, first[1])
    assert accounts.session_viewer(s, "made-up", timedelta(minutes=30)) is None


def test_idle_session_ends(s: Session) -> None:
    token, _ = accounts.start_session(s, _login(s), HERE)
    idle = timedelta(minutes=30)
    s.execute(update(WebSession).values(last_seen_at=utcnow() - idle + timedelta(seconds=5)))
    assert accounts.session_viewer(s, token, idle) is not None  # and this use renews it
    assert accounts.session_viewer(s, token, idle) is not None
    s.execute(update(WebSession).values(last_seen_at=utcnow() - idle - timedelta(seconds=1)))
    assert accounts.session_viewer(s, token, idle) is None
    assert s.scalar(select(func.count()).select_from(WebSession)) == 0


def test_logout_ends_the_session_and_is_audited(s: Session) -> None:
    token, _ = accounts.start_session(s, _login(s), HERE)
    accounts.end_session(s, token)
    assert accounts.session_viewer(s, token, timedelta(minutes=30)) is None
    (rec,) = _records(s, "logout")
    assert rec.actor == "asha" and rec.object_id == "asha"
    accounts.end_session(s, token)  # a second logout is harmless
    assert len(_records(s, "logout")) == 1


def test_disabled_users_session_and_token_stop_working(s: Session) -> None:
    viewer = _login(s)
    token, _ = accounts.start_session(s, viewer, HERE)
    api = accounts.new_token(s, "asha")
    with audit.acting_as("admin1"):
        accounts.disable(s, "asha")
    assert accounts.session_viewer(s, token, timedelta(minutes=30)) is None
    assert accounts.token_viewer(s, api) is None
    assert type(_login(s)) is LoginRefused
    (rec,) = _records(s, "user.disable")
    assert rec.actor == "admin1" and rec.details == {"sessions_ended": 1}
    with pytest.raises(UsageError, match="already disabled"):
        accounts.disable(s, "asha")
    with pytest.raises(UsageError, match="disabled"):
        accounts.new_token(s, "asha")
    assert accounts.list_users(s)[0]["disabled"] is True


def test_denial_is_audited_with_the_viewer_and_committed(db: Database) -> None:
    viewer = Viewer(1, "asha", "investigator", frozenset())
    with pytest.raises(RuntimeError), db.session() as s:
        accounts.record_denial(s, viewer, "GET", "/audit", "role")
        accounts.record_denial(s, None, "GET", "/cases/2", "anonymous")
        raise RuntimeError("the request is refused")
    with db.session() as s:
        denied = _records(s, "access.denied")
        assert [(r.actor, r.object_id, r.details) for r in denied] == [
            ("asha", "/audit", {"method": "GET", "reason": "role", "role": "investigator"}),
            ("anonymous", "/cases/2", {"method": "GET", "reason": "anonymous", "role": None}),
        ]
        assert audit.verify(s).ok


def test_list_users_by_name(s: Session) -> None:
    accounts.add_user(s, "Bala", "auditor", PASSWORD)
    rows = accounts.list_users(s)
    assert [(r["name"], r["role"]) for r in rows] == [("Bala", "auditor"), ("asha", "investigator")]
    assert set(rows[0]) == {"id", "name", "role", "disabled", "created_at", "cases", "tokens"}
    assert "password_hash" not in str(rows)
