"""argon2id hashes, the rules for a new password, and rehashing on new parameters."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from phunt.accounts import passwords
from phunt.errors import UsageError


def test_default_parameters_are_argon2id_at_rfc_9106_low_memory() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse battery ")
    assert not passwords.needs_rehash(stored)


def test_same_password_hashes_differently(cheap_hashing: PasswordHasher) -> None:
    assert passwords.hash_password("same password 1") != passwords.hash_password("same password 1")


def test_malformed_stored_hash_never_matches(cheap_hashing: PasswordHasher) -> None:
    assert not passwords.verify("", "anything at all")
    assert not passwords.verify("$argon2id$garbage", "anything at all")
    assert passwords.needs_rehash("not a hash")


def test_changed_parameters_need_a_rehash(
    cheap_hashing: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = passwords.hash_password("a long passphrase")
    monkeypatch.setattr(
        passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    assert passwords.needs_rehash(old)
    assert passwords.verify(old, "a long passphrase")  # old hashes still verify


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12"),
        ("x" * 11, "at least 12"),
        (" " * 14, "only spaces"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_weak_or_absurd_passwords_refused(password: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        passwords.check_new(password)


def test_acceptable_password() -> None:
    passwords.check_new("twelve chars")
    passwords.check_new("പന്ത്രണ്ട് അക്ഷരങ്ങൾ")


def test_unknown_user_time_is_spent(
    cheap_hashing: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login for an unknown name verifies against a real hash of the current cost."""
    real = passwords.verify
    calls: list[str] = []

    def counting(stored: str, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify", counting)
    passwords.spend_verify_time("guess")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")
